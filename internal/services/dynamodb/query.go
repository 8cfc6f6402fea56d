package dynamodb

import (
	"bytes"
	"context"
	"encoding/binary"
	"github.com/fogbank/fogbank/internal/lazy"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
	"github.com/fogbank/fogbank/internal/store"
)

// pageLimit is DynamoDB's 1 MB limit of data read by one Query or Scan page.
const pageLimit = 1 << 20

// prefixEnd is the first key after every key starting with p (nil: none).
func prefixEnd(p []byte) []byte {
	e := append([]byte(nil), p...)
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] < 0xFF {
			e[i]++
			return e[:i+1]
		}
	}
	return nil
}

// keyRange is a half-open byte range [lo, hi) of a bucket; hi nil is unbounded.
type keyRange struct{ lo, hi []byte }

// source is what a Query or Scan reads: the table or one of its indexes.
type source struct {
	t  *tableMeta
	ix *indexMeta // nil for the table
}

func (src source) hashes() []string {
	if src.ix != nil {
		return src.ix.Hashes
	}
	return []string{src.t.Hash}
}

func (src source) ranges() []string {
	if src.ix != nil {
		return src.ix.Ranges
	}
	if src.t.Range == "" {
		return nil
	}
	return []string{src.t.Range}
}

func (src source) isKey(name string) bool {
	for _, a := range src.hashes() {
		if a == name {
			return true
		}
	}
	for _, a := range src.ranges() {
		if a == name {
			return true
		}
	}
	return false
}

func (src source) bucket(db *store.Bucket) *store.Bucket {
	if db == nil {
		return nil
	}
	if src.ix != nil {
		return db.Bucket("ix:" + src.ix.Name)
	}
	return db.Bucket(bItems)
}

// position is the bucket key of an item in the source.
func (src source) position(it expr.Item) []byte {
	tk, err := src.t.itemKey(it)
	if err != nil {
		return nil
	}
	if src.ix == nil {
		return tk
	}
	return src.t.indexKey(src.ix, it, tk)
}

// lastKey is the LastEvaluatedKey of an item: the table key, plus the index key.
func (src source) lastKey(it expr.Item) expr.Item {
	k := src.t.keyItem(it)
	if src.ix != nil {
		for _, a := range src.ix.keyAttrs() {
			k[a] = it[a]
		}
	}
	return k
}

// startPosition validates ExclusiveStartKey and returns its position.
func (src source) startPosition(esk expr.Item) ([]byte, error) {
	if esk == nil {
		return nil, nil
	}
	for _, v := range esk {
		if err := checkValue(v, 0); err != nil {
			return nil, err
		}
	}
	want := map[string]bool{src.t.Hash: true}
	if src.t.Range != "" {
		want[src.t.Range] = true
	}
	if src.ix != nil {
		for _, a := range src.ix.keyAttrs() {
			want[a] = true
		}
	}
	bad := len(esk) != len(want)
	for n := range want {
		v := esk[n]
		if v == nil || expr.TypeOf(v) != src.t.Attrs[n] {
			bad = true
		}
	}
	// DynamoDB words each way a starting key can be wrong differently: the
	// table's key attributes first, then the index's, then extra attributes.
	for _, n := range []string{src.t.Hash, src.t.Range} {
		if n != "" && (esk[n] == nil || expr.TypeOf(esk[n]) != src.t.Attrs[n]) {
			return nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
	}
	for n := range want {
		if esk[n] == nil {
			return nil, validation("The provided starting key is invalid")
		}
		if expr.TypeOf(esk[n]) != src.t.Attrs[n] {
			return nil, validation("The provided key element does not match the schema")
		}
	}
	if bad || len(esk) != len(want) {
		return nil, validation("The provided starting key is invalid")
	}
	pos := src.position(esk)
	if pos == nil {
		return nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
	}
	return pos, nil
}

// projectIndex keeps what an index projects of an item.
func (src source) projectIndex(it expr.Item) expr.Item {
	if src.ix == nil || src.ix.ProjType == "ALL" || src.ix.ProjType == "" {
		return it
	}
	out := src.lastKey(it)
	for _, n := range src.ix.NonKey {
		if v, ok := it[n]; ok {
			out[n] = v
		}
	}
	return out
}

// scanOpts are the parts common to Query and Scan.
type scanOpts struct {
	src      source
	rng      keyRange
	after    []byte
	forward  bool
	limit    int
	filter   *expr.Cond
	proj     []expr.Path
	count    bool
	segment  *[2]uint32 // hash range of a parallel scan segment
	keyMatch func(expr.Item) bool
	// full reads whole items through an LSI (Select ALL_ATTRIBUTES or a
	// projection), as DynamoDB fetches them from the table.
	full bool
}

type scanResult struct {
	table    *tableMeta
	index    *indexMeta // the index read, nil for the table
	items    []expr.Item
	count    int
	scanned  int
	last     expr.Item
	readSize int
}

func (s *Service) run(tx *store.Tx, db *store.Bucket, o scanOpts) (*scanResult, error) {
	res := &scanResult{table: o.src.t, index: o.src.ix}
	b := o.src.bucket(db)
	if b == nil {
		return res, nil
	}
	c := b.Cursor()
	var k, v []byte
	lo, hi := o.rng.lo, o.rng.hi
	if o.forward {
		if o.after != nil && bytes.Compare(o.after, lo) >= 0 {
			k, v = c.Seek(o.after)
			if k != nil && bytes.Equal(k, o.after) {
				k, v = c.Next()
			}
		} else {
			k, v = c.Seek(lo)
		}
	} else {
		if o.after != nil && (hi == nil || bytes.Compare(o.after, hi) < 0) {
			k, v = c.SeekLast(o.after)
		} else {
			k, v = c.SeekLast(hi)
		}
	}
	for k != nil {
		if o.forward && hi != nil && bytes.Compare(k, hi) >= 0 {
			break
		}
		if !o.forward && bytes.Compare(k, lo) < 0 {
			break
		}
		it, err := decodeItem(v)
		if err != nil {
			return nil, err
		}
		res.scanned++
		res.readSize += len(v)
		if (o.keyMatch == nil || o.keyMatch(it)) && (o.filter == nil || expr.Eval(o.filter, it)) {
			res.count++
			if !o.count {
				if !o.full {
					it = o.src.projectIndex(it)
				}
				if o.proj != nil {
					it = expr.Project(it, o.proj)
				}
				res.items = append(res.items, it)
			}
		}
		if (o.limit > 0 && res.scanned >= o.limit) || res.readSize >= pageLimit {
			// Is there anything after this item? Only then is the page partial.
			var nk []byte
			if o.forward {
				nk, _ = c.Next()
				if nk != nil && hi != nil && bytes.Compare(nk, hi) >= 0 {
					nk = nil
				}
			} else {
				nk, _ = c.Prev()
				if nk != nil && bytes.Compare(nk, lo) < 0 {
					nk = nil
				}
			}
			full, _ := decodeItem(v)
			if nk != nil || o.limit > 0 {
				res.last = o.src.lastKey(full)
			}
			break
		}
		if o.forward {
			k, v = c.Next()
		} else {
			k, v = c.Prev()
		}
	}
	return res, nil
}

// ---- Query ----

// keyCond is the analysed key condition of a Query: equality on every hash
// attribute, equality on a leading run of range attributes, and at most one
// other condition on the next range attribute.
type keyCond struct {
	hashes []*expr.AV
	eqs    []*expr.AV
	op     string // "", =, <, <=, >, >=, BETWEEN, begins_with: on the next range attribute
	v1, v2 *expr.AV
}

type attrCond struct {
	op   string // in the legacy spelling: EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH, NE, ...
	vals []*expr.AV
}

// keyConds are a Query's key conditions by attribute.
type keyConds map[string]attrCond

var exprOps = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE", "BETWEEN": "BETWEEN", "begins_with": "BEGINS_WITH"}
}}

// exprKeyConds turns a parsed KeyConditionExpression into key conditions, with
// DynamoDB's errors for what a key condition cannot hold.
func exprKeyConds(c *expr.Cond) (keyConds, error) {
	kc := keyConds{}
	var walk func(c *expr.Cond) error
	walk = func(c *expr.Cond) error {
		switch c.Kind {
		case expr.CondAnd:
			if err := walk(c.Left); err != nil {
				return err
			}
			return walk(c.Right)
		case expr.CondOr:
			return validation("Invalid operator used in KeyConditionExpression: OR")
		case expr.CondNot:
			return validation("Invalid operator used in KeyConditionExpression: NOT")
		case expr.CondIn:
			return validation("Invalid operator used in KeyConditionExpression: IN")
		}
		op, ok := exprOps.Get()[c.Op]
		if !ok {
			return validation("Invalid operator used in KeyConditionExpression: %s", c.Op)
		}
		args := c.Args
		// The checks follow DynamoDB's precedence: the first operand first.
		first := args[0]
		if first.Kind != expr.OpPath {
			if c.Kind == expr.CondBetween || c.Op == "begins_with" {
				return validation("Invalid condition in KeyConditionExpression: %s operator must have the key attribute as its first operand", map[bool]string{true: "BETWEEN", false: "begins_with"}[c.Kind == expr.CondBetween])
			}
			if first.Kind != expr.OpValue {
				return validation("KeyConditionExpressions cannot contain nested operations")
			}
		} else if len(first.Path) != 1 || first.Path[0].IsIndex {
			return validation("KeyConditionExpressions cannot have conditions on nested attributes")
		}
		paths := 0
		for _, a := range args {
			if a.Kind == expr.OpPath {
				paths++
			}
		}
		if paths > 1 {
			return validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
		}
		for _, a := range args {
			if a.Kind != expr.OpPath && a.Kind != expr.OpValue {
				return validation("KeyConditionExpressions cannot contain nested operations")
			}
			if a.Kind == expr.OpPath && (len(a.Path) != 1 || a.Path[0].IsIndex) {
				return validation("KeyConditionExpressions cannot have conditions on nested attributes")
			}
		}
		if paths == 0 {
			return validation("Invalid condition in KeyConditionExpression: No key attribute specified")
		}
		if c.Kind == expr.CondCmp && args[0].Kind != expr.OpPath && args[1].Kind == expr.OpPath {
			// :v < k is k > :v.
			args = []*expr.Operand{args[1], args[0]}
			op = map[string]string{"EQ": "EQ", "LT": "GT", "LE": "GE", "GT": "LT", "GE": "LE"}[op]
		}
		if args[0].Kind != expr.OpPath {
			return validation("Invalid KeyConditionExpression: the key condition must compare a key attribute")
		}
		if len(args[0].Path) != 1 || args[0].Path[0].IsIndex {
			return validation("KeyConditionExpressions cannot contain nested attributes: %s", args[0].Path.String())
		}
		var vals []*expr.AV
		for _, a := range args[1:] {
			if a.Kind != expr.OpValue {
				return validation("Invalid KeyConditionExpression: the key condition operand must be a value")
			}
			vals = append(vals, a.Value)
		}
		name := args[0].Path[0].Name
		if _, dup := kc[name]; dup {
			return validation("KeyConditionExpressions must only contain one condition per key")
		}
		kc[name] = attrCond{op, vals}
		return nil
	}
	if err := walk(c); err != nil {
		return nil, err
	}
	return kc, nil
}

// legacyKeyConds validates KeyConditions (as the legacy filters are).
func legacyKeyConds(m map[string]*ddb.Condition) (keyConds, error) {
	kc := keyConds{}
	for _, name := range sortedKeys(m) {
		c := m[name]
		if c == nil {
			continue
		}
		op := api.ToString(c.ComparisonOperator)
		if _, err := legacyCond(name, op, c.AttributeValueList); err != nil {
			return nil, err
		}
		kc[name] = attrCond{op, c.AttributeValueList}
	}
	return kc, nil
}

// analyseKeyCond checks key conditions against the source's key schema, in
// DynamoDB's order and words.
func analyseKeyCond(conds keyConds, src source) (*keyCond, error) {
	hashes, ranges := src.hashes(), src.ranges()
	multi := len(hashes) > 1 || len(ranges) > 1
	if !multi {
		for _, attr := range append(append([]string{}, hashes...), ranges...) {
			isHash := attr == hashes[0]
			if isHash && len(ranges) == 0 && len(conds) > 1 {
				return nil, validation("Query key condition not supported")
			}
			ac, ok := conds[attr]
			if !ok {
				if isHash || len(conds) > 1 {
					return nil, validation("Query condition missed key schema element: %s", attr)
				}
				continue
			}
			switch ac.op {
			case "NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN":
				return nil, validation("Attempted conditional constraint is not an indexable operation")
			}
			for _, v := range ac.vals {
				if expr.TypeOf(v) != src.t.Attrs[attr] {
					return nil, invalidParam("Condition parameter type does not match schema type")
				}
			}
			if isHash && ac.op != "EQ" {
				return nil, validation("Query key condition not supported")
			}
		}
		for attr := range conds {
			if !src.isKey(attr) {
				return nil, validation("Query key condition not supported")
			}
		}
	} else {
		for attr, ac := range conds {
			if !src.isKey(attr) {
				return nil, validation("Query key condition not supported")
			}
			for _, v := range ac.vals {
				if expr.TypeOf(v) != src.t.Attrs[attr] {
					return nil, invalidParam("Condition parameter type does not match schema type")
				}
			}
		}
	}
	kc := &keyCond{}
	for _, h := range hashes {
		ac, ok := conds[h]
		if !ok {
			return nil, validation("Query key condition not supported: every HASH key attribute needs an equality condition; missing: %s", h)
		}
		if ac.op != "EQ" {
			return nil, validation("Query key condition not supported: HASH key attribute %s needs an equality condition", h)
		}
		kc.hashes = append(kc.hashes, ac.vals[0])
	}
	done := false
	for i, r := range ranges {
		ac, ok := conds[r]
		if !ok {
			done = true
			continue
		}
		if done {
			return nil, validation("Query key condition not supported: RANGE key attributes must be given left to right, with equality conditions on all but the last; %s follows a missing or non-equality condition", r)
		}
		switch ac.op {
		case "EQ", "LT", "LE", "GT", "GE", "BETWEEN", "BEGINS_WITH":
		default:
			return nil, validation("Attempted conditional constraint is not an indexable operation")
		}
		if ac.op == "BEGINS_WITH" && src.t.Attrs[r] == "N" {
			return nil, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
		}
		if ac.op == "EQ" && i < len(ranges)-1 {
			kc.eqs = append(kc.eqs, ac.vals[0])
			continue
		}
		kc.op = map[string]string{"EQ": "=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "BETWEEN": "BETWEEN", "BEGINS_WITH": "begins_with"}[ac.op]
		kc.v1 = ac.vals[0]
		if len(ac.vals) > 1 {
			kc.v2 = ac.vals[1]
		}
		done = true
	}
	return kc, nil
}

// keyRange turns a key condition into a range of the source's bucket.
func (kc *keyCond) keyRange() keyRange {
	var pk []byte
	for _, h := range kc.hashes {
		pk = appendKeyValue(pk, h)
	}
	p := hashPrefix(make([]byte, 0, 64), kc.hashes...)
	p = append(p, pk...)
	for _, e := range kc.eqs {
		p = appendKeyValue(p, e)
	}
	at := func(v *expr.AV) []byte { return appendKeyValue(append([]byte(nil), p...), v) }
	switch kc.op {
	case "=":
		k := at(kc.v1)
		return keyRange{k, prefixEnd(k)}
	case "<":
		return keyRange{p, at(kc.v1)}
	case "<=":
		return keyRange{p, prefixEnd(at(kc.v1))}
	case ">":
		return keyRange{prefixEnd(at(kc.v1)), prefixEnd(p)}
	case ">=":
		return keyRange{at(kc.v1), prefixEnd(p)}
	case "BETWEEN":
		return keyRange{at(kc.v1), prefixEnd(at(kc.v2))}
	case "begins_with":
		var raw []byte
		if kc.v1.S != nil {
			raw = []byte(*kc.v1.S)
		} else {
			raw = kc.v1.B
		}
		e := appendEscaped(append([]byte(nil), p...), raw)
		e = e[:len(e)-2] // without the terminator: every key extending the prefix
		return keyRange{e, prefixEnd(e)}
	}
	return keyRange{p, prefixEnd(p)}
}

func resolveSource(t *tableMeta, index *string, consistent bool) (source, error) {
	src := source{t: t}
	if index == nil {
		return src, nil
	}
	if err := checkName("indexName", *index, true); err != nil {
		return src, err
	}
	ix := t.index(*index)
	if ix == nil {
		return src, validation("The table does not have the specified index: %s", *index)
	}
	if consistent && !ix.Local {
		return src, validation("Consistent reads are not supported on global secondary indexes")
	}
	src.ix = ix
	return src, nil
}

func checkSelect(sel *string, src source, hasProj bool, attrsToGet bool) (count bool, err error) {
	switch api.ToString(sel) {
	case "":
	case "COUNT":
		if hasProj {
			if attrsToGet {
				return false, validation("Cannot specify the AttributesToGet when choosing to get only the Count")
			}
			return false, validation("Cannot specify the ProjectionExpression when choosing to get only the Count")
		}
		return true, nil
	case "SPECIFIC_ATTRIBUTES":
		if !hasProj {
			return false, validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
		}
	case "ALL_ATTRIBUTES":
		if hasProj {
			if attrsToGet {
				return false, validation("Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES")
			}
			return false, validation("Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")
		}
		if src.ix != nil && !src.ix.Local && src.ix.ProjType != "ALL" {
			return false, invalidParam("Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", src.ix.Name)
		}
	case "ALL_PROJECTED_ATTRIBUTES":
		if src.ix == nil {
			return false, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
		if hasProj {
			return false, validation("Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES")
		}
	}
	return false, nil
}

// checkFilterKeys rejects a filter naming a key attribute of a Query.
func checkFilterKeys(c *expr.Cond, src source) error {
	if c == nil {
		return nil
	}
	var err error
	var walk func(c *expr.Cond)
	walk = func(c *expr.Cond) {
		if c == nil || err != nil {
			return
		}
		walk(c.Left)
		walk(c.Right)
		for _, a := range c.Args {
			var paths []expr.Path
			var walkOp func(o *expr.Operand)
			walkOp = func(o *expr.Operand) {
				if o.Kind == expr.OpPath {
					paths = append(paths, o.Path)
				}
				for _, x := range o.Args {
					walkOp(x)
				}
			}
			walkOp(a)
			for _, p := range paths {
				if n := p[0].Name; src.isKey(n) {
					err = validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", n)
				}
			}
		}
	}
	walk(c)
	return err
}

// checkStartKey checks that a Query's ExclusiveStartKey lies within what the
// key conditions select, with DynamoDB's words for each way it may not.
func checkStartKey(src source, conds keyConds, kc *keyCond, esk expr.Item, after []byte) error {
	hashes, ranges := src.hashes(), src.ranges()
	sameHash := true
	for i, h := range hashes {
		if !expr.Equal(esk[h], kc.hashes[i]) {
			sameHash = false
		}
	}
	if len(hashes) == 1 && len(ranges) <= 1 {
		var rc attrCond
		hasRange := false
		if len(ranges) == 1 {
			rc, hasRange = conds[ranges[0]]
		}
		if !hasRange {
			if !sameHash {
				return validation("The provided starting key is outside query boundaries based on provided conditions")
			}
			if src.ix == nil && src.t.Range == "" {
				return validation("The provided exclusive start key is invalid: ExclusiveStartKey: the table has no sort key, so a Query reads at most one item")
			}
			return nil
		}
		c, err := legacyCond(ranges[0], rc.op, rc.vals)
		if err == nil && !expr.Eval(c, esk) {
			return validation("The provided starting key does not match the range key predicate")
		}
		if !sameHash {
			return validation("The query can return at most one row and cannot be restarted")
		}
		return nil
	}
	part := (&keyCond{hashes: kc.hashes}).keyRange()
	if bytes.Compare(after, part.lo) < 0 || (part.hi != nil && bytes.Compare(after, part.hi) >= 0) {
		return validation("The provided starting key is outside query boundaries based on provided conditions")
	}
	return nil
}

// scanStartKeyChecks checks a Scan's ExclusiveStartKey in the order and words
// DynamoDB uses: its size, then an index's key attributes, then the table's.
func scanStartKeyChecks(src source, esk expr.Item, tablePart bool) error {
	if esk == nil {
		return nil
	}
	if tablePart {
		for _, n := range []string{src.t.Hash, src.t.Range} {
			if n != "" && (esk[n] == nil || expr.TypeOf(esk[n]) != src.t.Attrs[n]) {
				return validation("The provided starting key is invalid: The provided key element does not match the schema")
			}
		}
		return nil
	}
	want := map[string]bool{src.t.Hash: true}
	if src.t.Range != "" {
		want[src.t.Range] = true
	}
	if src.ix != nil {
		for _, a := range src.ix.keyAttrs() {
			want[a] = true
		}
	}
	if len(esk) != len(want) {
		if src.ix != nil {
			return validation("The provided starting key is invalid")
		}
		return validation("The provided starting key is invalid: The provided key element does not match the schema")
	}
	if src.ix != nil {
		for _, a := range src.ix.keyAttrs() {
			if esk[a] == nil {
				return validation("The provided starting key is invalid")
			}
			if expr.TypeOf(esk[a]) != src.t.Attrs[a] {
				return validation("The provided key element does not match the schema")
			}
		}
	}
	return nil
}

// checkKeyPaths refuses a document path that looks inside a key attribute
// (a.b, a[0]), in a projection or a filter: key attributes are scalars.
func checkKeyPaths(t *tableMeta, proj []expr.Path, filter *expr.Cond) error {
	heads := map[string]bool{}
	for _, p := range proj {
		if len(p) > 1 {
			heads[p[0].Name] = true
		}
	}
	var walk func(c *expr.Cond)
	var walkOp func(o *expr.Operand)
	walkOp = func(o *expr.Operand) {
		if o.Kind == expr.OpPath && len(o.Path) > 1 {
			heads[o.Path[0].Name] = true
		}
		for _, a := range o.Args {
			walkOp(a)
		}
	}
	walk = func(c *expr.Cond) {
		if c == nil {
			return
		}
		walk(c.Left)
		walk(c.Right)
		for _, a := range c.Args {
			walkOp(a)
		}
	}
	walk(filter)
	for _, n := range []string{t.Hash, t.Range} {
		if n != "" && heads[n] {
			return validation("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: %s", n)
		}
	}
	for _, ix := range append(append([]*indexMeta{}, t.LSIs...), t.GSIs...) {
		for _, a := range ix.keyAttrs() {
			if heads[a] {
				return validation("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: %s", a)
			}
		}
	}
	return nil
}

// startKeyErr words an invalid ExclusiveStartKey value as DynamoDB does: most
// messages get a prefix, a few do not.
func startKeyErr(err error) error {
	ae, ok := err.(*api.Err)
	if !ok {
		return err
	}
	for _, s := range []string{"contains duplicates", "number set", "numeric value", "significant digits", "number with magnitude"} {
		if strings.Contains(ae.Message, s) {
			return err
		}
	}
	return validation("The provided starting key is invalid: %s", ae.Message)
}

// Query reads one partition of a table or index, in sort key order.
func (s *Service) Query(ctx context.Context, in *ddb.QueryInput) (*ddb.QueryOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	exprs := listSet("ProjectionExpression", in.ProjectionExpression != nil, "FilterExpression", in.FilterExpression != nil,
		"KeyConditionExpression", in.KeyConditionExpression != nil)
	if len(exprs) > 0 {
		non := listSet("AttributesToGet", in.AttributesToGet != nil, "QueryFilter", in.QueryFilter != nil,
			"ConditionalOperator", in.ConditionalOperator != nil, "KeyConditions", in.KeyConditions != nil && in.KeyConditionExpression != nil)
		if len(non) > 0 {
			return nil, bothErr(non, exprs)
		}
	}
	valExpr := in.KeyConditionExpression != nil || in.FilterExpression != nil
	if in.ExpressionAttributeNames != nil && len(exprs) == 0 {
		return nil, validation("ExpressionAttributeNames can only be specified when using expressions")
	}
	if in.ExpressionAttributeValues != nil && !valExpr {
		return nil, validation("ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null")
	}
	var filter *expr.Cond
	if in.QueryFilter != nil {
		if filter, err = filterCond(in.QueryFilter, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	var proj []expr.Path
	if in.AttributesToGet != nil {
		if proj, err = attributesToGet(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	for _, k := range sortedKeys(in.ExclusiveStartKey) {
		if err := checkValue(in.ExclusiveStartKey[k], 0); err != nil {
			return nil, startKeyErr(err)
		}
	}
	if in.KeyConditions == nil && in.KeyConditionExpression == nil {
		return nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	if err := checkExprParams(in.ExpressionAttributeNames, in.ExpressionAttributeValues, len(exprs) > 0, valExpr, ""); err != nil {
		return nil, err
	}
	ectx := expr.NewContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	var keyC *expr.Cond
	if in.KeyConditionExpression != nil {
		if keyC, err = expr.ParseCondition(ectx, *in.KeyConditionExpression); err != nil {
			return nil, exprErr("KeyConditionExpression", err)
		}
	}
	if in.FilterExpression != nil {
		if filter, err = expr.ParseCondition(ectx, *in.FilterExpression); err != nil {
			return nil, exprErr("FilterExpression", err)
		}
	}
	if in.ProjectionExpression != nil {
		if proj, err = expr.ParseProjection(ectx, *in.ProjectionExpression); err != nil {
			return nil, exprErr("ProjectionExpression", err)
		}
	}
	if err := ectx.Unused(); err != nil {
		return nil, exprErr("", err)
	}
	var conds keyConds
	if keyC != nil {
		conds, err = exprKeyConds(keyC)
	} else {
		conds, err = legacyKeyConds(in.KeyConditions)
	}
	if err != nil {
		return nil, err
	}
	if in.FilterExpression == nil && in.QueryFilter == nil && in.ConditionalOperator != nil {
		return nil, validation("ConditionalOperator can only be used when Filter or Expected conditions have been specified")
	}
	var res *scanResult
	err = s.st.View(func(tx *store.Tx) error {
		t, err := s.loadTable(tx, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if t == nil {
			return resourceNotFound()
		}
		src, err := resolveSource(t, in.IndexName, api.ToBool(in.ConsistentRead))
		if err != nil {
			return err
		}
		if len(src.hashes()) == 1 && len(src.ranges()) <= 1 && (len(conds) < 1 || len(conds) > 2) {
			return validation("Conditions can be of length 1 or 2 only")
		}
		if in.ExclusiveStartKey != nil {
			want := len(src.t.keyItem(expr.Item{}))
			if src.ix != nil {
				for _, a := range src.ix.keyAttrs() {
					if !src.t.isKey(a) {
						want++
					}
				}
			}
			if len(in.ExclusiveStartKey) != want {
				return validation("The provided starting key is invalid")
			}
		}
		if esk := in.ExclusiveStartKey; esk != nil {
			for i, a := range append(append([]string{}, src.hashes()...), src.ranges()...) {
				if esk[a] == nil {
					return validation("The provided starting key is invalid")
				}
				if expr.TypeOf(esk[a]) != src.t.Attrs[a] {
					return validation("The provided key element does not match the schema")
				}
				if i == 0 && len(src.hashes()) == 1 {
					if _, ok := conds[a]; !ok {
						return validation("Query condition missed key schema element: %s", a)
					}
				}
			}
		}
		kc, err := analyseKeyCond(conds, src)
		if err != nil {
			return err
		}
		after, err := src.startPosition(in.ExclusiveStartKey)
		if err != nil {
			return err
		}
		if after != nil {
			if err := checkStartKey(src, conds, kc, in.ExclusiveStartKey, after); err != nil {
				return err
			}
		}
		if err := checkKeyPaths(t, proj, nil); err != nil {
			return err
		}
		if in.FilterExpression != nil {
			if err := checkFilterKeys(filter, src); err != nil {
				return err
			}
		}
		for _, n := range sortedKeys(in.QueryFilter) {
			if src.isKey(n) {
				return validation("QueryFilter can only contain non-primary key attributes: Primary key attribute: %s", n)
			}
		}
		if _, err := checkSelect(in.Select, src, proj != nil, in.AttributesToGet != nil); err != nil {
			return err
		}
		if err := checkKeyPaths(t, nil, filter); err != nil {
			return err
		}
		count, err := checkSelect(in.Select, src, proj != nil, in.AttributesToGet != nil)
		if err != nil {
			return err
		}
		o := scanOpts{src: src, rng: kc.keyRange(), after: after, forward: in.ScanIndexForward == nil || *in.ScanIndexForward,
			limit: int(api.ToInt64(in.Limit)), filter: filter, proj: proj, count: count,
			full: src.ix != nil && src.ix.Local && (api.ToString(in.Select) == "ALL_ATTRIBUTES" || proj != nil)}
		res, err = s.run(tx, dataBucket(tx, sc.acct, sc.region, name), o)
		return err
	})
	if err != nil {
		return nil, s.internal(err)
	}
	out := &ddb.QueryOutput{Count: api.Int64(int64(res.count)), ScannedCount: api.Int64(int64(res.scanned)), LastEvaluatedKey: res.last}
	if api.ToString(in.Select) != "COUNT" {
		out.Items = res.items
		if out.Items == nil {
			out.Items = []expr.Item{}
		}
	}
	u := readUnits(res.readSize, api.ToBool(in.ConsistentRead))
	out.ConsumedCapacity = indexCapacity(capacity(in.ReturnConsumedCapacity, name, u, false), res.table, res.index, u, false, nil)
	return out, nil
}

// ---- Scan ----

// Scan reads a whole table or index, or one segment of it.
func (s *Service) Scan(ctx context.Context, in *ddb.ScanInput) (*ddb.ScanOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	exprs := listSet("ProjectionExpression", in.ProjectionExpression != nil, "FilterExpression", in.FilterExpression != nil)
	anyExpr := len(exprs) > 0
	if anyExpr {
		non := listSet("AttributesToGet", in.AttributesToGet != nil, "ScanFilter", in.ScanFilter != nil, "ConditionalOperator", in.ConditionalOperator != nil)
		if len(non) > 0 {
			return nil, bothErr(non, exprs)
		}
	}
	if in.ExpressionAttributeNames != nil && !anyExpr {
		return nil, validation("ExpressionAttributeNames can only be specified when using expressions")
	}
	if in.ExpressionAttributeValues != nil && in.FilterExpression == nil {
		return nil, validation("ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null")
	}
	var proj []expr.Path
	if in.AttributesToGet != nil {
		if proj, err = attributesToGet(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	var filter *expr.Cond
	if in.ScanFilter != nil {
		if filter, err = filterCond(in.ScanFilter, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	for _, k := range sortedKeys(in.ExclusiveStartKey) {
		if err := checkValue(in.ExclusiveStartKey[k], 0); err != nil {
			return nil, startKeyErr(err)
		}
	}
	if in.Segment != nil && in.TotalSegments == nil {
		return nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	}
	if in.TotalSegments != nil && in.Segment == nil {
		return nil, validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	}
	if in.Segment != nil && *in.Segment >= *in.TotalSegments {
		return nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *in.Segment, *in.TotalSegments)
	}
	if err := checkExprParams(in.ExpressionAttributeNames, in.ExpressionAttributeValues, anyExpr, in.FilterExpression != nil, "FilterExpression is null"); err != nil {
		return nil, err
	}
	ectx := expr.NewContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if in.FilterExpression != nil {
		if filter, err = expr.ParseCondition(ectx, *in.FilterExpression); err != nil {
			return nil, exprErr("FilterExpression", err)
		}
	}
	if in.ProjectionExpression != nil {
		if proj, err = expr.ParseProjection(ectx, *in.ProjectionExpression); err != nil {
			return nil, exprErr("ProjectionExpression", err)
		}
	}
	if err := ectx.Unused(); err != nil {
		return nil, exprErr("", err)
	}
	if in.ScanFilter == nil && in.FilterExpression == nil && in.ConditionalOperator != nil {
		return nil, validation("ConditionalOperator can only be used when Filter or Expected conditions have been specified")
	}
	var res *scanResult
	err = s.st.View(func(tx *store.Tx) error {
		t, err := s.loadTable(tx, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if t == nil {
			return resourceNotFound()
		}
		src, err := resolveSource(t, in.IndexName, api.ToBool(in.ConsistentRead))
		if err != nil {
			return err
		}
		if err := scanStartKeyChecks(src, in.ExclusiveStartKey, false); err != nil {
			return err
		}
		if _, err := checkSelect(in.Select, src, proj != nil, in.AttributesToGet != nil); err != nil {
			return err
		}
		if err := scanStartKeyChecks(src, in.ExclusiveStartKey, true); err != nil {
			return err
		}
		count, err := checkSelect(in.Select, src, proj != nil, in.AttributesToGet != nil)
		if err != nil {
			return err
		}
		after, err := src.startPosition(in.ExclusiveStartKey)
		if err != nil {
			return err
		}
		r := keyRange{lo: []byte{}}
		if in.TotalSegments != nil {
			total, seg := uint64(*in.TotalSegments), uint64(*in.Segment)
			lo := (seg << 32) / total
			hi := ((seg + 1) << 32) / total
			r.lo = binary.BigEndian.AppendUint32(nil, uint32(lo))
			if hi < 1<<32 {
				r.hi = binary.BigEndian.AppendUint32(nil, uint32(hi))
			}
		}
		if after != nil && (bytes.Compare(after, r.lo) < 0 || (r.hi != nil && bytes.Compare(after, r.hi) >= 0)) {
			return validation("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: %d Segment: %d", *in.TotalSegments, *in.Segment)
		}
		if err := checkKeyPaths(t, proj, filter); err != nil {
			return err
		}
		o := scanOpts{src: src, rng: r, after: after, forward: true, limit: int(api.ToInt64(in.Limit)),
			filter: filter, proj: proj, count: count}
		res, err = s.run(tx, dataBucket(tx, sc.acct, sc.region, name), o)
		return err
	})
	if err != nil {
		return nil, s.internal(err)
	}
	out := &ddb.ScanOutput{Count: api.Int64(int64(res.count)), ScannedCount: api.Int64(int64(res.scanned)), LastEvaluatedKey: res.last}
	if api.ToString(in.Select) != "COUNT" {
		out.Items = res.items
		if out.Items == nil {
			out.Items = []expr.Item{}
		}
	}
	u := readUnits(res.readSize, api.ToBool(in.ConsistentRead))
	out.ConsumedCapacity = indexCapacity(capacity(in.ReturnConsumedCapacity, name, u, false), res.table, res.index, u, false, nil)
	return out, nil
}
