package dynamodb

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
)

const maxItemSize = 400 * 1024

// checkValue validates an attribute value as DynamoDB does and rewrites its
// numbers in canonical form (DynamoDB returns numbers normalized).
func checkValue(v *expr.AV, depth int) error {
	if v == nil {
		return validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	}
	n := 0
	for _, set := range []bool{v.S != nil, v.N != nil, v.B != nil, v.BOOL != nil, v.NULL != nil, v.M != nil, v.L != nil, v.SS != nil, v.NS != nil, v.BS != nil} {
		if set {
			n++
		}
	}
	if n == 0 {
		return validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	}
	if depth > 32 {
		return validation("Nesting Levels have exceeded supported limits: values may be nested at most 32 levels deep")
	}
	// Each type's own rules are checked before the one-type rule, as DynamoDB does.
	if v.N != nil {
		d, err := checkNum(*v.N)
		if err != nil {
			return err
		}
		s := d.String()
		v.N = &s
	}
	if v.NULL != nil && !*v.NULL {
		return invalidParam("Null attribute value types must have the value of true")
	}
	if v.SS != nil && len(v.SS) == 0 {
		return invalidParam("An string set  may not be empty")
	}
	if v.NS != nil && len(v.NS) == 0 {
		return invalidParam("An number set  may not be empty")
	}
	if v.BS != nil && len(v.BS) == 0 {
		return invalidParam("Binary sets should not be empty")
	}
	if v.NS != nil {
		seen := make(map[string]bool, len(v.NS))
		out := make([]string, len(v.NS))
		dup := false
		for i, s := range v.NS {
			d, err := checkNum(s)
			if err != nil {
				return err
			}
			c := d.String()
			dup = dup || seen[c]
			seen[c] = true
			out[i] = c
		}
		if dup {
			return validation("Input collection contains duplicates")
		}
		v.NS = out
	}
	if v.SS != nil {
		seen := make(map[string]bool, len(v.SS))
		for _, s := range v.SS {
			if seen[s] {
				return invalidParam("Input collection [%s] contains duplicates.", strings.Join(v.SS, ", "))
			}
			seen[s] = true
		}
	}
	if v.BS != nil {
		for i := range v.BS {
			for j := 0; j < i; j++ {
				if bytes.Equal(v.BS[i], v.BS[j]) {
					parts := make([]string, len(v.BS))
					for k, b := range v.BS {
						parts[k] = base64.StdEncoding.EncodeToString(b)
					}
					return invalidParam("Input collection [%s]of type BS contains duplicates.", strings.Join(parts, ", "))
				}
			}
		}
	}
	for _, k := range sortedKeys(v.M) {
		if len(k) > 65535 {
			return invalidParam("Attribute name exceeds the 65535 bytes limit: %.20s...", k)
		}
		if err := checkValue(v.M[k], depth+1); err != nil {
			return err
		}
	}
	for _, e := range v.L {
		if err := checkValue(e, depth+1); err != nil {
			return err
		}
	}
	if n > 1 {
		return validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	return nil
}

func checkNum(s string) (expr.Dec, error) {
	if s == "" {
		return expr.Dec{}, validation("The parameter cannot be converted to a numeric value")
	}
	d, err := expr.ParseNumber(s)
	if errors.Is(err, expr.ErrNumberSyntax) {
		return d, validation("The parameter cannot be converted to a numeric value: %s", s)
	}
	if err != nil {
		return d, validationMsg(err.Error())
	}
	return d, nil
}

// checkItem validates every attribute of an item to be written.
func checkItem(it expr.Item) error {
	for k, v := range it {
		if k == "" {
			return invalidParam("Empty attribute name")
		}
		if len(k) > 65535 {
			return invalidParam("Attribute name exceeds the 65535 bytes limit: %.20s...", k)
		}
		if err := checkValue(v, 0); err != nil {
			return err
		}
	}
	return nil
}

// checkAttrName applies the 64 KB limit of attribute names.
func checkAttrName(n string) error {
	if n == "" {
		return invalidParam("Empty attribute name")
	}
	if len(n) > 65535 {
		return invalidParam("Attribute name exceeds the 65535 bytes limit: %.20s...", n)
	}
	return nil
}

// checkValues validates ExpressionAttributeValues.
func checkValues(vals map[string]*expr.AV) error {
	for k, v := range vals {
		if err := checkValue(v, 0); err != nil {
			if ae, ok := err.(*api.Err); ok {
				return validation("ExpressionAttributeValues contains invalid value: %s for key %s", ae.Message, k)
			}
			return err
		}
	}
	return nil
}

// itemKey extracts and encodes the primary key of an item being written.
func (t *tableMeta) itemKey(it expr.Item) ([]byte, error) {
	b := make([]byte, 0, 32)
	var pk []byte
	for i, name := range []string{t.Hash, t.Range} {
		if name == "" {
			break
		}
		v := it[name]
		if v == nil {
			return nil, invalidParam("Missing the key %s in the item", name)
		}
		want := t.Attrs[name]
		if got := expr.TypeOf(v); got != want {
			return nil, invalidParam("Type mismatch for key %s expected: %s actual: %s", name, want, got)
		}
		if err := checkKeyValue(name, v, i == 0); err != nil {
			return nil, err
		}
		if i == 0 {
			pk = appendKeyValue(nil, v)
			b = hashPrefix(b, v)
			b = append(b, pk...)
		} else {
			b = appendKeyValue(b, v)
		}
	}
	return b, nil
}

func checkKeyValue(name string, v *expr.AV, hash bool) error {
	if (v.S != nil && *v.S == "") || (v.B != nil && len(v.B) == 0) {
		return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", map[bool]string{true: "string", false: "binary"}[v.S != nil], name)
	}
	size := len(keyBytes(v))
	if hash && size > 2048 {
		return invalidParam("Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if !hash && size > 1024 {
		return invalidParam("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return nil
}

func keyBytes(v *expr.AV) []byte {
	switch {
	case v.S != nil:
		return []byte(*v.S)
	case v.B != nil:
		return v.B
	case v.N != nil:
		return []byte(*v.N)
	}
	return nil
}

// keyOf validates a Key parameter (exactly the key attributes, of the right
// types) and encodes it.
func (t *tableMeta) keyOf(key expr.Item) ([]byte, error) {
	for _, v := range key {
		if err := checkValue(v, 0); err != nil {
			return nil, err
		}
	}
	want := 1
	if t.Range != "" {
		want = 2
	}
	if len(key) != want {
		return nil, validation("The provided key element does not match the schema")
	}
	b := make([]byte, 0, 32)
	for i, name := range []string{t.Hash, t.Range} {
		if name == "" {
			break
		}
		v := key[name]
		if v == nil || expr.TypeOf(v) != t.Attrs[name] {
			return nil, validation("The provided key element does not match the schema")
		}
		if err := checkKeyValue(name, v, i == 0); err != nil {
			return nil, err
		}
		if i == 0 {
			pk := appendKeyValue(nil, v)
			b = hashPrefix(b, v)
			b = append(b, pk...)
		} else {
			b = appendKeyValue(b, v)
		}
	}
	return b, nil
}

// indexKey is the key of item in index ix, or nil when the item lacks an index
// key attribute (it is then not in the index). tableKey makes it unique.
func (t *tableMeta) indexKey(ix *indexMeta, it expr.Item, tableKey []byte) []byte {
	var pk []byte
	hv := make([]*expr.AV, 0, len(ix.Hashes))
	for _, h := range ix.Hashes {
		v := it[h]
		if v == nil || expr.TypeOf(v) != t.Attrs[h] {
			return nil
		}
		pk = appendKeyValue(pk, v)
		hv = append(hv, v)
	}
	b := hashPrefix(make([]byte, 0, 64), hv...)
	b = append(b, pk...)
	for _, r := range ix.Ranges {
		v := it[r]
		if v == nil || expr.TypeOf(v) != t.Attrs[r] {
			return nil
		}
		b = appendKeyValue(b, v)
	}
	// Items under one index key are ordered by a hash of their table key, as
	// DynamoDB orders them.
	tk := []*expr.AV{it[t.Hash]}
	if t.Range != "" {
		tk = append(tk, it[t.Range])
	}
	b = hashPrefix(b, tk...)
	return append(b, tableKey...)
}

// checkIndexKeys rejects an item whose index key attributes have the wrong type
// or are empty.
func (t *tableMeta) checkIndexKeys(it expr.Item) error {
	for _, ix := range append(append([]*indexMeta{}, t.LSIs...), t.GSIs...) {
		for _, name := range ix.keyAttrs() {
			if name == "" || t.isKey(name) {
				continue
			}
			v := it[name]
			if v == nil {
				continue
			}
			if got, want := expr.TypeOf(v), t.Attrs[name]; got != want {
				return invalidParam("Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", name, want, got, ix.Name)
			}
			size := len(keyBytes(v))
			isHash := false
			for _, h := range ix.Hashes {
				if h == name {
					isHash = true
				}
			}
			if isHash && size > 2048 {
				return invalidParam("Size of hashkey has exceeded the maximum size limit of2048 bytes: index key %s of index %s", name, ix.Name)
			}
			if !isHash && size > 1024 {
				return invalidParam("Aggregated size of all range keys has exceeded the size limit of 1024 bytes: index key %s of index %s", name, ix.Name)
			}
			if (v.S != nil && *v.S == "") || (v.B != nil && len(v.B) == 0) {
				return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", map[bool]string{true: "string", false: "binary"}[v.S != nil], ix.Name, name)
			}
		}
	}
	return nil
}

// keyItem is the key attributes of an item.
func (t *tableMeta) keyItem(it expr.Item) expr.Item {
	k := expr.Item{t.Hash: it[t.Hash]}
	if t.Range != "" {
		k[t.Range] = it[t.Range]
	}
	return k
}

func checkItemSize(it expr.Item) error {
	if expr.ItemSize(it) > maxItemSize {
		return validation("Item size has exceeded the maximum allowed size")
	}
	return nil
}

// exprInputs validates the expression parameters shared by item operations.
func checkExprParams(names map[string]string, values map[string]*expr.AV, anyExpr bool, valueExpr bool, valueExprNames string) error {
	for _, n := range names {
		if err := checkAttrName(n); err != nil {
			return err
		}
	}
	if names != nil && !anyExpr {
		return validation("ExpressionAttributeNames can only be specified when using expressions")
	}
	if values != nil && !valueExpr {
		return validation("ExpressionAttributeValues can only be specified when using expressions: %s", valueExprNames)
	}
	if names != nil {
		if len(names) == 0 {
			return validation("ExpressionAttributeNames must not be empty")
		}
		for _, k := range sortedKeys(names) {
			if !placeholderKey(k, '#') {
				return validation("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)
			}
		}
	}
	if values != nil {
		if len(values) == 0 {
			return validation("ExpressionAttributeValues must not be empty")
		}
		for _, k := range sortedKeys(values) {
			if !placeholderKey(k, ':') {
				return validation("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)
			}
		}
		if err := checkValues(values); err != nil {
			return err
		}
	}
	return nil
}

// placeholderKey tells whether k is #name or :value as expressions spell them.
func placeholderKey(k string, first byte) bool {
	if len(k) < 2 || k[0] != first {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// exprParamsUsed applies the first rule of expression parameters: names and
// values need an expression that can use them.
func exprParamsUsed(names map[string]string, values map[string]*expr.AV, anyExpr, valueExpr bool, valueExprNames string) error {
	if names != nil && !anyExpr {
		return validation("ExpressionAttributeNames can only be specified when using expressions")
	}
	if values != nil && !valueExpr {
		return validation("ExpressionAttributeValues can only be specified when using expressions: %s", valueExprNames)
	}
	return nil
}

func bothErr(nonExpr, exprs []string) error {
	return validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}", strings.Join(nonExpr, ", "), strings.Join(exprs, ", "))
}

func listSet(pairs ...any) []string {
	var out []string
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1].(bool) {
			out = append(out, pairs[i].(string))
		}
	}
	return out
}
