package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
	"github.com/fogbank/fogbank/internal/store"
)

// txAction is one parsed action of a TransactWriteItems call.
type txAction struct {
	table     string
	kind      string // ConditionCheck, Put, Delete, Update
	key       expr.Item
	item      expr.Item
	p         *parsed
	retOnFail *string
}

// tokenTTL is how long a ClientRequestToken makes a repeated call idempotent.
const tokenTTL = 10 * time.Minute

// TransactWriteItems applies up to 100 writes and condition checks atomically:
// every condition is checked first, and only if all hold are the writes made, in
// one store transaction.
func (s *Service) TransactWriteItems(ctx context.Context, in *ddb.TransactWriteItemsInput) (*ddb.TransactWriteItemsOutput, error) {
	sc := scopeOf(ctx)
	if len(in.TransactItems) > 100 {
		return nil, validation("1 validation error detected: Value '%d' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100", len(in.TransactItems))
	}
	var acts []*txAction
	for _, ti := range in.TransactItems {
		n := 0
		a := &txAction{}
		var names map[string]string
		var values map[string]*expr.AV
		var cond, upd *string
		if c := ti.ConditionCheck; c != nil {
			n++
			a.kind, a.table, a.key, names, values, cond, a.retOnFail = "ConditionCheck", api.ToString(c.TableName), c.Key, c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ConditionExpression, c.ReturnValuesOnConditionCheckFailure
		}
		if c := ti.Put; c != nil {
			n++
			a.kind, a.table, a.item, names, values, cond, a.retOnFail = "Put", api.ToString(c.TableName), c.Item, c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ConditionExpression, c.ReturnValuesOnConditionCheckFailure
		}
		if c := ti.Delete; c != nil {
			n++
			a.kind, a.table, a.key, names, values, cond, a.retOnFail = "Delete", api.ToString(c.TableName), c.Key, c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ConditionExpression, c.ReturnValuesOnConditionCheckFailure
		}
		if c := ti.Update; c != nil {
			n++
			a.kind, a.table, a.key, names, values, cond, upd, a.retOnFail = "Update", api.ToString(c.TableName), c.Key, c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ConditionExpression, c.UpdateExpression, c.ReturnValuesOnConditionCheckFailure
		}
		if n != 1 {
			return nil, validation("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		if err := checkName("transactItems.member.tableName", a.table, true); err != nil {
			return nil, err
		}
		if err := checkExprParams(names, values, cond != nil || upd != nil, cond != nil || upd != nil, "UpdateExpression and ConditionExpression are null"); err != nil {
			return nil, err
		}
		p, err := parseExprs(names, values, cond, upd, nil)
		if err != nil {
			return nil, err
		}
		a.p = p
		if a.item != nil {
			if err := checkItem(a.item); err != nil {
				return nil, err
			}
			if err := checkItemSize(a.item); err != nil {
				return nil, err
			}
		}
		acts = append(acts, a)
	}
	total := 0
	for _, a := range acts {
		total += expr.ItemSize(a.item) + expr.ItemSize(a.key)
	}
	if total > 4<<20 {
		return nil, validation("Transaction request size cannot exceed 4 MB")
	}
	var reqHash []byte
	if in.ClientRequestToken != nil {
		c := *in
		c.ClientRequestToken = nil
		raw, _ := json.Marshal(c)
		h := sha256.Sum256(raw)
		reqHash = h[:]
	}
	now := s.now()
	units := map[string]float64{}
	err := s.update(func(tx *store.Tx) error {
		clear(units)
		if reqHash != nil {
			done, err := checkToken(tx, sc, *in.ClientRequestToken, reqHash, now)
			if err != nil || done {
				return err
			}
		}
		type prepared struct {
			a        *txAction
			t        *tableMeta
			db       *store.Bucket
			key      []byte
			old, new expr.Item
		}
		var preps []prepared
		seen := map[string]bool{}
		// A request invalid for one item's schema cancels the transaction with a
		// ValidationError reason for that item, before any condition is checked.
		invalid := make([]string, len(acts))
		anyInvalid := false
		for i, a := range acts {
			t, err := s.loadTable(tx, sc.acct, sc.region, a.table)
			if err != nil {
				return err
			}
			if t == nil {
				return resourceNotFound()
			}
			var key []byte
			if a.kind == "Put" {
				key, err = t.itemKey(a.item)
				if err == nil {
					err = t.checkIndexKeys(a.item)
				}
			} else {
				key, err = t.keyOf(a.key)
			}
			if err != nil {
				if ae, ok := err.(*api.Err); ok && ae.Code == "ValidationException" {
					if !anyInvalid {
						invalid[i] = ae.Message
					}
					anyInvalid = true
					preps = append(preps, prepared{a: a, t: t})
					continue
				}
				return err
			}
			if a.kind == "Update" {
				if err := t.checkKeyUpdate(a.p.update); err != nil {
					return err
				}
			}
			id := a.table + "\x00" + string(key)
			if seen[id] {
				return validation("Transaction request cannot include multiple operations on one item")
			}
			seen[id] = true
			db := dataBucket(tx, sc.acct, sc.region, a.table)
			old, err := readItem(db, key)
			if err != nil {
				return err
			}
			preps = append(preps, prepared{a: a, t: t, db: db, key: key, old: old})
		}
		if anyInvalid {
			reasons := make([]*ddb.CancellationReason, len(acts))
			codes := make([]string, len(acts))
			for i := range acts {
				reasons[i] = &ddb.CancellationReason{Code: api.String("None")}
				if invalid[i] != "" {
					reasons[i] = &ddb.CancellationReason{Code: api.String("ValidationError"), Message: api.String(invalid[i])}
				}
				codes[i] = *reasons[i].Code
			}
			return &ddb.TransactionCanceledException{
				Message:             api.String("Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"),
				CancellationReasons: reasons,
			}
		}
		// Check every condition before writing anything.
		reasons := make([]*ddb.CancellationReason, len(preps))
		failed := false
		for i := range preps {
			pr := &preps[i]
			reasons[i] = &ddb.CancellationReason{Code: api.String("None")}
			if pr.a.p.cond != nil && !expr.Eval(pr.a.p.cond, pr.old) {
				failed = true
				reasons[i] = &ddb.CancellationReason{Code: api.String("ConditionalCheckFailed"), Message: api.String("The conditional request failed")}
				if api.ToString(pr.a.retOnFail) == "ALL_OLD" && pr.old != nil {
					reasons[i].Item = pr.old
				}
				continue
			}
			switch pr.a.kind {
			case "Put":
				pr.new = pr.a.item
			case "Update":
				base := expr.CopyItem(pr.old)
				if base == nil {
					base = expr.CopyItem(pr.a.key)
				}
				nu, err := expr.Apply(pr.a.p.update, base)
				if err == nil {
					err = checkItemSize(nu)
				}
				if err == nil {
					err = pr.t.checkIndexKeys(nu)
				}
				if err != nil {
					failed = true
					msg := err.Error()
					if ae, ok := err.(*api.Err); ok {
						msg = ae.Message
					}
					reasons[i] = &ddb.CancellationReason{Code: api.String("ValidationError"), Message: api.String(msg)}
					continue
				}
				pr.new = nu
			}
		}
		if failed {
			codes := make([]string, len(reasons))
			for i, r := range reasons {
				codes[i] = *r.Code
			}
			return &ddb.TransactionCanceledException{
				Message:             api.String("Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"),
				CancellationReasons: reasons,
			}
		}
		for _, pr := range preps {
			units[pr.t.Name] += 2 * writeUnits(max(expr.ItemSize(pr.old), expr.ItemSize(pr.new)))
			switch pr.a.kind {
			case "ConditionCheck":
				continue
			case "Delete":
				if pr.old == nil {
					continue
				}
			}
			if err := s.writeItem(tx, pr.t, pr.db, pr.key, pr.old, pr.new, false); err != nil {
				return err
			}
		}
		if reqHash != nil {
			return saveToken(tx, sc, *in.ClientRequestToken, reqHash, now)
		}
		return nil
	})
	if err != nil {
		return nil, s.internal(err)
	}
	out := &ddb.TransactWriteItemsOutput{}
	for _, name := range sortedKeys(units) {
		if c := capacity(in.ReturnConsumedCapacity, name, units[name], true); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, c)
		}
	}
	return out, nil
}

// checkToken tells whether a call with this token was already applied (done),
// or fails when the token was used for a different request.
func checkToken(tx *store.Tx, sc scope, token string, hash []byte, now time.Time) (bool, error) {
	b := tx.Bucket(root, sc.acct, sc.region, "tokens")
	if b == nil {
		return false, nil
	}
	v := b.Get([]byte(token))
	if len(v) != 40 {
		return false, nil
	}
	at := time.Unix(0, int64(binary.BigEndian.Uint64(v)))
	if now.Sub(at) > tokenTTL {
		return false, nil
	}
	if string(v[8:]) != string(hash) {
		return false, &ddb.IdempotentParameterMismatchException{Message: api.String("Request parameters do not match the previous request with the same ClientRequestToken")}
	}
	return true, nil
}

func saveToken(tx *store.Tx, sc scope, token string, hash []byte, now time.Time) error {
	b, err := tx.CreateBucket(root, sc.acct, sc.region, "tokens")
	if err != nil {
		return err
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(now.UnixNano()))
	return b.Put([]byte(token), append(v, hash...))
}

// TransactGetItems reads up to 100 items in one snapshot.
func (s *Service) TransactGetItems(ctx context.Context, in *ddb.TransactGetItemsInput) (*ddb.TransactGetItemsOutput, error) {
	sc := scopeOf(ctx)
	type get struct {
		g    *ddb.Get
		proj []expr.Path
	}
	var gets []get
	for _, ti := range in.TransactItems {
		if ti == nil || ti.Get == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.member.get' failed to satisfy constraint: Member must not be null")
		}
		g := ti.Get
		if err := checkName("transactItems.member.get.tableName", api.ToString(g.TableName), g.TableName != nil); err != nil {
			return nil, err
		}
		if err := checkExprParams(g.ExpressionAttributeNames, nil, g.ProjectionExpression != nil, false, ""); err != nil {
			return nil, err
		}
		p, err := parseExprs(g.ExpressionAttributeNames, nil, nil, nil, g.ProjectionExpression)
		if err != nil {
			return nil, err
		}
		gets = append(gets, get{g, p.proj})
	}
	out := &ddb.TransactGetItemsOutput{}
	units := map[string]float64{}
	err := s.st.View(func(tx *store.Tx) error {
		seen := map[string]bool{}
		for _, g := range gets {
			name := api.ToString(g.g.TableName)
			t, err := s.loadTable(tx, sc.acct, sc.region, name)
			if err != nil {
				return err
			}
			if t == nil {
				return resourceNotFound()
			}
			key, err := t.keyOf(g.g.Key)
			if err != nil {
				return err
			}
			if seen[name+"\x00"+string(key)] {
				return validation("Transaction request cannot include multiple operations on one item")
			}
			seen[name+"\x00"+string(key)] = true
			it, err := readItem(dataBucket(tx, sc.acct, sc.region, name), key)
			if err != nil {
				return err
			}
			units[name] += 2 * readUnits(expr.ItemSize(it), true)
			if it != nil && g.proj != nil {
				it = expr.Project(it, g.proj)
			}
			out.Responses = append(out.Responses, &ddb.ItemResponse{Item: it})
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
