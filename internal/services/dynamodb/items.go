package dynamodb

import (
	"context"
	"math"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
	"github.com/fogbank/fogbank/internal/store"
)

// writeItem replaces the item at key (old, possibly nil) by nu (nil deletes),
// keeping indexes, statistics and the stream up to date.
func (s *Service) writeItem(tx *store.Tx, t *tableMeta, db *store.Bucket, key []byte, old, nu expr.Item, ttl bool) error {
	items := db.Bucket(bItems)
	if items == nil {
		return tableNotFound(t.Name)
	}
	var dc, ds int64
	if old != nil {
		dc--
		ds -= int64(expr.ItemSize(old))
	}
	var enc []byte
	if nu != nil {
		dc++
		ds += int64(expr.ItemSize(nu))
		enc = encodeItem(nu)
		if err := items.Put(key, enc); err != nil {
			return err
		}
	} else if old != nil {
		if err := items.Delete(key); err != nil {
			return err
		}
	}
	for _, ix := range t.LSIs {
		if err := updateIndex(t, db, ix, key, old, nu, enc); err != nil {
			return err
		}
	}
	for _, ix := range t.GSIs {
		if err := updateIndex(t, db, ix, key, old, nu, enc); err != nil {
			return err
		}
	}
	if err := addStats(db, dc, ds); err != nil {
		return err
	}
	if err := s.updateTTL(t, db, key, old, nu); err != nil {
		return err
	}
	if t.Stream != nil && t.Stream.Enabled && (old != nil || nu != nil) {
		return s.recordStream(tx, t, db, old, nu, ttl)
	}
	return nil
}

func updateIndex(t *tableMeta, db *store.Bucket, ix *indexMeta, key []byte, old, nu expr.Item, enc []byte) error {
	ib := db.Bucket("ix:" + ix.Name)
	if ib == nil {
		return nil
	}
	var ok, nk []byte
	if old != nil {
		ok = t.indexKey(ix, old, key)
	}
	if nu != nil {
		nk = t.indexKey(ix, nu, key)
	}
	if ok != nil && string(ok) != string(nk) {
		if err := ib.Delete(ok); err != nil {
			return err
		}
	}
	if nk != nil {
		return ib.Put(nk, enc)
	}
	return nil
}

// readItem reads the item at key; nil when there is none.
func readItem(db *store.Bucket, key []byte) (expr.Item, error) {
	if db == nil {
		return nil, nil
	}
	items := db.Bucket(bItems)
	if items == nil {
		return nil, nil
	}
	v := items.Get(key)
	if v == nil {
		return nil, nil
	}
	return decodeItem(v)
}

// checkKeyValues validates a Key parameter's values, before the table is looked
// up, as DynamoDB does.
func checkKeyValues(key expr.Item) error {
	for _, k := range sortedKeys(key) {
		if err := checkValue(key[k], 0); err != nil {
			return err
		}
	}
	return nil
}

// ---- capacity ----

func writeUnits(size int) float64 {
	return math.Max(1, math.Ceil(float64(size)/1024))
}

func readUnits(size int, consistent bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/4096))
	if !consistent {
		u /= 2
	}
	return u
}

func capacity(mode *string, table string, units float64, write bool) *ddb.ConsumedCapacity {
	m := api.ToString(mode)
	if m != "TOTAL" && m != "INDEXES" {
		return nil
	}
	// AWS answers CapacityUnits only (the read/write split is for transactions).
	c := &ddb.ConsumedCapacity{TableName: api.String(table), CapacityUnits: api.Float64(units)}
	if m == "INDEXES" {
		c.Table = &ddb.Capacity{CapacityUnits: api.Float64(units)}
	}
	return c
}

// touchedBy tells which indexes a write from old to nu changed.
func touchedBy(t *tableMeta, old, nu expr.Item) func(*indexMeta) bool {
	return func(ix *indexMeta) bool {
		return (old != nil && t.indexKey(ix, old, nil) != nil) || (nu != nil && t.indexKey(ix, nu, nil) != nil)
	}
}

// indexCapacity splits consumed capacity by index, as ReturnConsumedCapacity
// INDEXES asks: a read through an index is charged to the index alone; a write
// to the table and, as much again, to each of its indexes.
func indexCapacity(c *ddb.ConsumedCapacity, t *tableMeta, src *indexMeta, units float64, write bool, touched func(*indexMeta) bool) *ddb.ConsumedCapacity {
	if c == nil || c.Table == nil || t == nil {
		return c
	}
	add := func(ix *indexMeta, u float64) {
		if ix.Local {
			if c.LocalSecondaryIndexes == nil {
				c.LocalSecondaryIndexes = map[string]*ddb.Capacity{}
			}
			c.LocalSecondaryIndexes[ix.Name] = &ddb.Capacity{CapacityUnits: api.Float64(u)}
		} else {
			if c.GlobalSecondaryIndexes == nil {
				c.GlobalSecondaryIndexes = map[string]*ddb.Capacity{}
			}
			c.GlobalSecondaryIndexes[ix.Name] = &ddb.Capacity{CapacityUnits: api.Float64(u)}
		}
	}
	if src != nil {
		c.Table = &ddb.Capacity{CapacityUnits: api.Float64(0)}
		add(src, units)
		return c
	}
	if !write {
		return c
	}
	n := 0
	for _, ix := range append(append([]*indexMeta{}, t.LSIs...), t.GSIs...) {
		if touched != nil && !touched(ix) {
			continue // an item outside the index costs the index nothing
		}
		add(ix, units)
		n++
	}
	// The total is what the table and every index were charged.
	c.CapacityUnits = api.Float64(units * float64(1+n))
	return c
}

func collectionMetrics(mode *string, t *tableMeta, item expr.Item) *ddb.ItemCollectionMetrics {
	if api.ToString(mode) != "SIZE" || len(t.LSIs) == 0 || item == nil {
		return nil
	}
	return &ddb.ItemCollectionMetrics{
		ItemCollectionKey:   expr.Item{t.Hash: item[t.Hash]},
		SizeEstimateRangeGB: []float64{0, 1},
	}
}

// ---- expression parsing shared by item operations ----

type parsed struct {
	cond   *expr.Cond
	update *expr.Update
	proj   []expr.Path
}

// parseExprs parses the expressions of one request with its names and values.
func parseExprs(names map[string]string, values map[string]*expr.AV, condition, update, projection *string) (*parsed, error) {
	ctx := expr.NewContext(names, values)
	p := &parsed{}
	var err error
	if update != nil {
		if p.update, err = expr.ParseUpdate(ctx, *update); err != nil {
			return nil, exprErr("UpdateExpression", err)
		}
	}
	if condition != nil {
		if p.cond, err = expr.ParseCondition(ctx, *condition); err != nil {
			return nil, exprErr("ConditionExpression", err)
		}
	}
	if projection != nil {
		if p.proj, err = expr.ParseProjection(ctx, *projection); err != nil {
			return nil, exprErr("ProjectionExpression", err)
		}
	}
	if err := ctx.Unused(); err != nil {
		return nil, exprErr("", err)
	}
	return p, nil
}

func returnOnFailure(mode *string, old expr.Item) expr.Item {
	if api.ToString(mode) == "ALL_OLD" {
		return old
	}
	return nil
}

// ---- PutItem ----

// PutItem writes a whole item, optionally under a condition.
func (s *Service) PutItem(ctx context.Context, in *ddb.PutItemInput) (*ddb.PutItemOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	if in.ConditionExpression != nil {
		if non := listSet("Expected", in.Expected != nil, "ConditionalOperator", in.ConditionalOperator != nil); len(non) > 0 {
			return nil, bothErr(non, []string{"ConditionExpression"})
		}
	}
	if err := exprParamsUsed(in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.ConditionExpression != nil, in.ConditionExpression != nil, "ConditionExpression is null"); err != nil {
		return nil, err
	}
	if err := checkItem(in.Item); err != nil {
		return nil, err
	}
	rv := api.ToString(in.ReturnValues)
	if rv != "" && rv != "NONE" && rv != "ALL_OLD" {
		return nil, validation("ReturnValues can only be ALL_OLD or NONE")
	}
	if err := checkItemSize(in.Item); err != nil {
		return nil, err
	}
	var cond *expr.Cond
	if in.ConditionExpression == nil {
		if cond, err = expectedCond(in.Expected, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	if err := checkExprParams(in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.ConditionExpression != nil, in.ConditionExpression != nil, "ConditionExpression is null"); err != nil {
		return nil, err
	}
	p, err := parseExprs(in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.ConditionExpression, nil, nil)
	if err != nil {
		return nil, err
	}
	if in.ConditionExpression == nil {
		p.cond = cond
	}
	var old expr.Item
	var t *tableMeta
	err = s.update(func(tx *store.Tx) error {
		var err error
		rb := regionBucket(tx, sc.acct, sc.region)
		t, err = s.regionTable(rb, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if t == nil {
			return resourceNotFound()
		}
		key, err := t.itemKey(in.Item)
		if err != nil {
			return err
		}
		if err := t.checkIndexKeys(in.Item); err != nil {
			return err
		}
		db := regionData(rb, name)
		old, err = readItem(db, key)
		if err != nil {
			return err
		}
		if p.cond != nil && !expr.Eval(p.cond, old) {
			return condFailed(returnOnFailure(in.ReturnValuesOnConditionCheckFailure, old))
		}
		return s.writeItem(tx, t, db, key, old, in.Item, false)
	})
	if err != nil {
		return nil, s.internal(err)
	}
	out := &ddb.PutItemOutput{}
	if rv == "ALL_OLD" && old != nil {
		out.Attributes = old
	}
	u := writeUnits(max(expr.ItemSize(in.Item), expr.ItemSize(old)))
	out.ConsumedCapacity = indexCapacity(capacity(in.ReturnConsumedCapacity, name, u, true), t, nil, u, true, touchedBy(t, old, in.Item))
	out.ItemCollectionMetrics = collectionMetrics(in.ReturnItemCollectionMetrics, t, in.Item)
	return out, nil
}

// ---- GetItem ----

// GetItem reads one item by key.
func (s *Service) GetItem(ctx context.Context, in *ddb.GetItemInput) (*ddb.GetItemOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	if in.AttributesToGet != nil && in.ProjectionExpression != nil {
		return nil, bothErr([]string{"AttributesToGet"}, []string{"ProjectionExpression"})
	}
	if err := exprParamsUsed(in.ExpressionAttributeNames, nil, in.ProjectionExpression != nil, false, ""); err != nil {
		return nil, err
	}
	if err := checkKeyValues(in.Key); err != nil {
		return nil, err
	}
	var attrs []expr.Path
	if in.AttributesToGet != nil {
		if attrs, err = attributesToGet(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	if err := checkExprParams(in.ExpressionAttributeNames, nil, in.ProjectionExpression != nil, false, ""); err != nil {
		return nil, err
	}
	p, err := parseExprs(in.ExpressionAttributeNames, nil, nil, nil, in.ProjectionExpression)
	if err != nil {
		return nil, err
	}
	if in.ProjectionExpression == nil {
		p.proj = attrs
	}
	var item expr.Item
	if err := checkKeyValues(in.Key); err != nil {
		return nil, err
	}
	err = s.st.View(func(tx *store.Tx) error {
		rb := regionBucket(tx, sc.acct, sc.region)
		t, err := s.regionTable(rb, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if t == nil {
			return resourceNotFound()
		}
		key, err := t.keyOf(in.Key)
		if err != nil {
			return err
		}
		if err := checkKeyPaths(t, p.proj, nil); err != nil {
			return err
		}
		item, err = readItem(regionData(rb, name), key)
		return err
	})
	if err != nil {
		return nil, s.internal(err)
	}
	out := &ddb.GetItemOutput{}
	size := expr.ItemSize(item)
	if item != nil {
		if p.proj != nil {
			item = expr.Project(item, p.proj)
		}
		out.Item = item
	}
	out.ConsumedCapacity = capacity(in.ReturnConsumedCapacity, name, readUnits(size, api.ToBool(in.ConsistentRead)), false)
	return out, nil
}

// ---- DeleteItem ----

// DeleteItem deletes one item by key, optionally under a condition.
func (s *Service) DeleteItem(ctx context.Context, in *ddb.DeleteItemInput) (*ddb.DeleteItemOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	if in.ConditionExpression != nil {
		if non := listSet("Expected", in.Expected != nil, "ConditionalOperator", in.ConditionalOperator != nil); len(non) > 0 {
			return nil, bothErr(non, []string{"ConditionExpression"})
		}
	}
	if err := exprParamsUsed(in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.ConditionExpression != nil, in.ConditionExpression != nil, "ConditionExpression is null"); err != nil {
		return nil, err
	}
	if err := checkKeyValues(in.Key); err != nil {
		return nil, err
	}
	var cond *expr.Cond
	if in.ConditionExpression == nil {
		if cond, err = expectedCond(in.Expected, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	if err := checkExprParams(in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.ConditionExpression != nil, in.ConditionExpression != nil, "ConditionExpression is null"); err != nil {
		return nil, err
	}
	p, err := parseExprs(in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.ConditionExpression, nil, nil)
	if err != nil {
		return nil, err
	}
	if in.ConditionExpression == nil {
		p.cond = cond
	}
	rv := api.ToString(in.ReturnValues)
	if rv != "" && rv != "NONE" && rv != "ALL_OLD" {
		return nil, validation("ReturnValues can only be ALL_OLD or NONE")
	}
	var old expr.Item
	var t *tableMeta
	if err := checkKeyValues(in.Key); err != nil {
		return nil, err
	}
	err = s.update(func(tx *store.Tx) error {
		var err error
		t, err = s.loadTable(tx, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if t == nil {
			return resourceNotFound()
		}
		key, err := t.keyOf(in.Key)
		if err != nil {
			return err
		}
		db := dataBucket(tx, sc.acct, sc.region, name)
		old, err = readItem(db, key)
		if err != nil {
			return err
		}
		if p.cond != nil && !expr.Eval(p.cond, old) {
			return condFailed(returnOnFailure(in.ReturnValuesOnConditionCheckFailure, old))
		}
		if old == nil {
			return nil
		}
		return s.writeItem(tx, t, db, key, old, nil, false)
	})
	if err != nil {
		return nil, s.internal(err)
	}
	out := &ddb.DeleteItemOutput{}
	if rv == "ALL_OLD" && old != nil {
		out.Attributes = old
	}
	u := writeUnits(expr.ItemSize(old))
	out.ConsumedCapacity = indexCapacity(capacity(in.ReturnConsumedCapacity, name, u, true), t, nil, u, true, touchedBy(t, old, nil))
	out.ItemCollectionMetrics = collectionMetrics(in.ReturnItemCollectionMetrics, t, old)
	return out, nil
}

// ---- UpdateItem ----

// updatePaths lists the paths an update touches, for UPDATED_OLD/UPDATED_NEW.
func updatePaths(u *expr.Update) []expr.Path {
	var out []expr.Path
	for _, a := range u.Set {
		out = append(out, a.Path)
	}
	out = append(out, u.Remove...)
	for _, a := range u.Add {
		out = append(out, a.Path)
	}
	for _, a := range u.Delete {
		out = append(out, a.Path)
	}
	return out
}

// checkKeyUpdate rejects an update of a key attribute, and of a part of an
// index key attribute.
func (t *tableMeta) checkKeyUpdate(u *expr.Update) error {
	for _, p := range updatePaths(u) {
		if len(p) > 0 && !p[0].IsIndex && t.isKey(p[0].Name) {
			return invalidParam("Cannot update attribute %s. This attribute is part of the key", p[0].Name)
		}
	}
	for _, p := range updatePaths(u) {
		if len(p) < 2 {
			continue
		}
		for _, ix := range append(append([]*indexMeta{}, t.LSIs...), t.GSIs...) {
			for _, a := range ix.keyAttrs() {
				if a == p[0].Name {
					return validation("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: %s", a)
				}
			}
		}
	}
	return nil
}

// UpdateItem edits (or creates) one item.
func (s *Service) UpdateItem(ctx context.Context, in *ddb.UpdateItemInput) (*ddb.UpdateItemOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	rv := api.ToString(in.ReturnValues)
	if exprs := listSet("UpdateExpression", in.UpdateExpression != nil, "ConditionExpression", in.ConditionExpression != nil); len(exprs) > 0 {
		if non := listSet("AttributeUpdates", in.AttributeUpdates != nil, "Expected", in.Expected != nil, "ConditionalOperator", in.ConditionalOperator != nil); len(non) > 0 {
			return nil, bothErr(non, exprs)
		}
	}
	anyExpr := in.UpdateExpression != nil || in.ConditionExpression != nil
	if err := exprParamsUsed(in.ExpressionAttributeNames, in.ExpressionAttributeValues, anyExpr, anyExpr, "UpdateExpression and ConditionExpression are null"); err != nil {
		return nil, err
	}
	if err := checkKeyValues(in.Key); err != nil {
		return nil, err
	}
	var legacyUpd *expr.Update
	if in.AttributeUpdates != nil {
		if legacyUpd, err = attributeUpdates(in.AttributeUpdates); err != nil {
			return nil, err
		}
	}
	var cond *expr.Cond
	if in.ConditionExpression == nil {
		if cond, err = expectedCond(in.Expected, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	if err := checkExprParams(in.ExpressionAttributeNames, in.ExpressionAttributeValues, anyExpr, anyExpr, "UpdateExpression and ConditionExpression are null"); err != nil {
		return nil, err
	}
	p, err := parseExprs(in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.ConditionExpression, in.UpdateExpression, nil)
	if err != nil {
		return nil, err
	}
	if in.ConditionExpression == nil {
		p.cond = cond
	}
	if in.UpdateExpression == nil {
		p.update = legacyUpd
	}
	if p.update == nil {
		p.update = &expr.Update{}
	}
	var old, nu expr.Item
	var t *tableMeta
	if err := checkKeyValues(in.Key); err != nil {
		return nil, err
	}
	err = s.update(func(tx *store.Tx) error {
		var err error
		t, err = s.loadTable(tx, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if t == nil {
			return resourceNotFound()
		}
		key, err := t.keyOf(in.Key)
		if err != nil {
			return err
		}
		if err := t.checkKeyUpdate(p.update); err != nil {
			return err
		}
		db := dataBucket(tx, sc.acct, sc.region, name)
		old, err = readItem(db, key)
		if err != nil {
			return err
		}
		if p.cond != nil && !expr.Eval(p.cond, old) {
			return condFailed(returnOnFailure(in.ReturnValuesOnConditionCheckFailure, old))
		}
		if old == nil && len(p.update.Set)+len(p.update.Add) == 0 && len(p.update.Remove)+len(p.update.Delete) > 0 {
			// An update that only removes does not create an item.
			nu = nil
			return nil
		}
		base := expr.CopyItem(old)
		if base == nil {
			base = expr.CopyItem(in.Key)
		}
		nu, err = expr.Apply(p.update, base)
		if err == nil && expr.ItemSize(nu) > maxItemSize {
			return validation("Item size to update has exceeded the maximum allowed size")
		}
		if err != nil {
			if err == expr.ErrOperandType && in.AttributeUpdates != nil {
				return validation("Type mismatch for attribute to update")
			}
			return exprErr("", err)
		}
		if err := checkItemSize(nu); err != nil {
			return err
		}
		if err := t.checkIndexKeys(nu); err != nil {
			return err
		}
		if old == nil && len(p.update.Set)+len(p.update.Add) == 0 && len(p.update.Remove)+len(p.update.Delete) > 0 {
			// An update that only removes does not create an item.
			nu = nil
			return nil
		}
		return s.writeItem(tx, t, db, key, old, nu, false)
	})
	if err != nil {
		if e, ok := err.(*expr.Error); ok {
			return nil, validationMsg(e.Msg)
		}
		return nil, s.internal(err)
	}
	out := &ddb.UpdateItemOutput{}
	switch rv {
	case "ALL_OLD":
		if old != nil {
			out.Attributes = old
		}
	case "ALL_NEW":
		out.Attributes = nu
	case "UPDATED_OLD":
		if old != nil {
			if a := expr.Project(old, updatePaths(p.update)); len(a) > 0 {
				out.Attributes = a
			}
		}
	case "UPDATED_NEW":
		if nu != nil {
			if a := expr.Project(nu, updatePaths(p.update)); len(a) > 0 {
				out.Attributes = a
			}
		}
	}
	u := writeUnits(max(expr.ItemSize(nu), expr.ItemSize(old)))
	out.ConsumedCapacity = indexCapacity(capacity(in.ReturnConsumedCapacity, name, u, true), t, nil, u, true, touchedBy(t, old, nu))
	out.ItemCollectionMetrics = collectionMetrics(in.ReturnItemCollectionMetrics, t, nu)
	return out, nil
}
