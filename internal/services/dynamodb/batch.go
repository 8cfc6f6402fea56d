package dynamodb

import (
	"context"
	"sort"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
	"github.com/fogbank/fogbank/internal/store"
)

// batchGetLimit is how much item data one BatchGetItem answers before the rest
// of the keys come back unprocessed: about 1 MB plus one item, what AWS was
// measured to return (not the 16 MB its documentation states).
const batchGetLimit = 1<<20 + maxItemSize - 3

// BatchGetItem reads up to 100 items from one or more tables, in one snapshot.
// Keys past the response size limit come back in UnprocessedKeys.
func (s *Service) BatchGetItem(ctx context.Context, in *ddb.BatchGetItemInput) (*ddb.BatchGetItemOutput, error) {
	sc := scopeOf(ctx)
	total := 0
	type req struct {
		name string
		ka   *ddb.KeysAndAttributes
		proj []expr.Path
	}
	var reqs []req
	for _, name := range sortedKeys(in.RequestItems) {
		ka := in.RequestItems[name]
		if err := checkName("requestItems.member.key", name, true); err != nil {
			return nil, err
		}
		if ka == nil || len(ka.Keys) == 0 {
			return nil, validation("1 validation error detected: Value null at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must not be null", name)
		}
		total += len(ka.Keys)
		if ka.AttributesToGet != nil && ka.ProjectionExpression != nil {
			return nil, bothErr([]string{"AttributesToGet"}, []string{"ProjectionExpression"})
		}
		if err := checkExprParams(ka.ExpressionAttributeNames, nil, ka.ProjectionExpression != nil, false, ""); err != nil {
			return nil, err
		}
		p, err := parseExprs(ka.ExpressionAttributeNames, nil, nil, nil, ka.ProjectionExpression)
		if err != nil {
			return nil, err
		}
		if ka.ProjectionExpression == nil {
			if p.proj, err = attributesToGet(ka.AttributesToGet); err != nil {
				return nil, err
			}
		}
		seenKeys := map[string]bool{}
		for _, k := range ka.Keys {
			var id []byte
			for _, a := range sortedKeys(k) {
				if err := checkValue(k[a], 0); err != nil {
					return nil, err
				}
				id = appendKeyValue(append(append(id, a...), 0), k[a])
			}
			if seenKeys[string(id)] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seenKeys[string(id)] = true
		}
		reqs = append(reqs, req{name, ka, p.proj})
	}
	if total > 100 {
		return nil, validation("Too many items requested for the BatchGetItem call")
	}
	out := &ddb.BatchGetItemOutput{Responses: map[string][]map[string]*ddb.AttributeValue{}, UnprocessedKeys: map[string]*ddb.KeysAndAttributes{}}
	units := map[string]float64{}
	size := 0
	err := s.st.View(func(tx *store.Tx) error {
		for _, r := range reqs {
			t, err := s.loadTable(tx, sc.acct, sc.region, r.name)
			if err != nil {
				return err
			}
			if t == nil {
				return resourceNotFound()
			}
			db := dataBucket(tx, sc.acct, sc.region, r.name)
			seen := map[string]bool{}
			items := []map[string]*ddb.AttributeValue{}
			for _, k := range r.ka.Keys {
				key, err := t.keyOf(k)
				if err != nil {
					return err
				}
				if seen[string(key)] {
					return validation("Provided list of item keys contains duplicates")
				}
				seen[string(key)] = true
				it, err := readItem(db, key)
				if err != nil {
					return err
				}
				if it != nil && size+expr.ItemSize(it) > batchGetLimit {
					u := out.UnprocessedKeys[r.name]
					if u == nil {
						u = &ddb.KeysAndAttributes{AttributesToGet: r.ka.AttributesToGet, ConsistentRead: r.ka.ConsistentRead,
							ProjectionExpression: r.ka.ProjectionExpression, ExpressionAttributeNames: r.ka.ExpressionAttributeNames}
						out.UnprocessedKeys[r.name] = u
					}
					u.Keys = append(u.Keys, k)
					units[r.name]++
					continue
				}
				units[r.name] += readUnits(expr.ItemSize(it), api.ToBool(r.ka.ConsistentRead))
				if it == nil {
					continue
				}
				size += expr.ItemSize(it)
				if r.proj != nil {
					it = expr.Project(it, r.proj)
				}
				items = append(items, it)
			}
			out.Responses[r.name] = items
		}
		return nil
	})
	if err != nil {
		return nil, s.internal(err)
	}
	for _, name := range sortedKeys(units) {
		if c := capacity(in.ReturnConsumedCapacity, name, units[name], false); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, c)
		}
	}
	return out, nil
}

// BatchWriteItem puts and deletes up to 25 items in one or more tables, all in
// one transaction, so UnprocessedItems is always empty.
func (s *Service) BatchWriteItem(ctx context.Context, in *ddb.BatchWriteItemInput) (*ddb.BatchWriteItemOutput, error) {
	sc := scopeOf(ctx)
	total := 0
	names := sortedKeys(in.RequestItems)
	for _, name := range names {
		if err := checkName("requestItems.member.key", name, true); err != nil {
			return nil, err
		}
		reqs := in.RequestItems[name]
		if len(reqs) == 0 {
			return nil, validation("1 validation error detected: Value '{%s=[]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]", name)
		}
		total += len(reqs)
		for _, w := range reqs {
			if w == nil || (w.PutRequest == nil) == (w.DeleteRequest == nil) {
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if w.PutRequest != nil {
				if err := checkItem(w.PutRequest.Item); err != nil {
					return nil, err
				}
				if err := checkItemSize(w.PutRequest.Item); err != nil {
					return nil, err
				}
			} else if err := checkKeyValues(w.DeleteRequest.Key); err != nil {
				return nil, err
			}
		}
	}
	if total > 25 {
		return nil, validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
	}
	units := map[string]float64{}
	metas := map[string]*tableMeta{}
	err := s.update(func(tx *store.Tx) error {
		clear(units)
		type op struct {
			t   *tableMeta
			db  *store.Bucket
			key []byte
			put expr.Item
		}
		var ops []op
		for _, name := range names {
			t, err := s.loadTable(tx, sc.acct, sc.region, name)
			if err != nil {
				return err
			}
			if t == nil {
				return resourceNotFound()
			}
			metas[name] = t
			db := dataBucket(tx, sc.acct, sc.region, name)
			seen := map[string]bool{}
			for _, w := range in.RequestItems[name] {
				var key []byte
				if w.PutRequest != nil {
					if key, err = t.itemKey(w.PutRequest.Item); err != nil {
						return err
					}
					if err := t.checkIndexKeys(w.PutRequest.Item); err != nil {
						return err
					}
				} else if key, err = t.keyOf(w.DeleteRequest.Key); err != nil {
					return err
				}
				if seen[string(key)] {
					return validation("Provided list of item keys contains duplicates")
				}
				seen[string(key)] = true
				var put expr.Item
				if w.PutRequest != nil {
					put = w.PutRequest.Item
				}
				ops = append(ops, op{t, db, key, put})
			}
		}
		for _, o := range ops {
			old, err := readItem(o.db, o.key)
			if err != nil {
				return err
			}
			units[o.t.Name] += writeUnits(max(expr.ItemSize(old), expr.ItemSize(o.put)))
			if old == nil && o.put == nil {
				continue
			}
			if err := s.writeItem(tx, o.t, o.db, o.key, old, o.put, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.internal(err)
	}
	out := &ddb.BatchWriteItemOutput{UnprocessedItems: map[string][]*ddb.WriteRequest{}}
	ks := make([]string, 0, len(units))
	for k := range units {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, name := range ks {
		if c := indexCapacity(capacity(in.ReturnConsumedCapacity, name, units[name], true), metas[name], nil, units[name], true, nil); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, c)
		}
	}
	return out, nil
}
