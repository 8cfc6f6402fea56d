package glue

import (
	"encoding/binary"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"math"
	"strings"
)

// A Parquet file's schema, read from its footer: the file ends with the
// FileMetaData (Thrift's compact protocol), its length (4 bytes, little
// endian) and "PAR1". Only the footer is read, whatever the file's size.

const maxFooter = 64 << 20

// thrift decodes Thrift's compact protocol into plain values: structs are
// map[int16]any, integers int64, binaries []byte, lists []any.
type thrift struct {
	b     []byte
	depth int
}

var errThrift error = lazy.Error("parquet: malformed footer")

func (t *thrift) byte1() (byte, error) {
	if len(t.b) == 0 {
		return 0, errThrift
	}
	c := t.b[0]
	t.b = t.b[1:]
	return c, nil
}

func (t *thrift) uvarint() (uint64, error) {
	v, n := binary.Uvarint(t.b)
	if n <= 0 {
		return 0, errThrift
	}
	t.b = t.b[n:]
	return v, nil
}

func (t *thrift) zigzag() (int64, error) {
	u, err := t.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

func (t *thrift) value(typ byte) (any, error) {
	switch typ {
	case 1:
		return true, nil
	case 2:
		return false, nil
	case 3:
		c, err := t.byte1()
		return int64(int8(c)), err
	case 4, 5, 6:
		return t.zigzag()
	case 7:
		if len(t.b) < 8 {
			return nil, errThrift
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(t.b))
		t.b = t.b[8:]
		return f, nil
	case 8:
		n, err := t.uvarint()
		if err != nil || n > uint64(len(t.b)) {
			return nil, errThrift
		}
		v := t.b[:n]
		t.b = t.b[n:]
		return v, nil
	case 9, 10:
		h, err := t.byte1()
		if err != nil {
			return nil, err
		}
		n := uint64(h >> 4)
		if n == 15 {
			if n, err = t.uvarint(); err != nil {
				return nil, err
			}
		}
		if n > uint64(len(t.b)) {
			return nil, errThrift // every element takes at least a byte (or none: empty structs are bounded by depth)
		}
		et := h & 0x0f
		out := make([]any, 0, n)
		for i := uint64(0); i < n; i++ {
			var v any
			if et == 1 || et == 2 { // booleans in a collection are one byte each
				c, err := t.byte1()
				if err != nil {
					return nil, err
				}
				v = c == 1
			} else if v, err = t.value(et); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case 11:
		n, err := t.uvarint()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, nil
		}
		if n > uint64(len(t.b)) {
			return nil, errThrift
		}
		kv, err := t.byte1()
		if err != nil {
			return nil, err
		}
		for i := uint64(0); i < n; i++ {
			if _, err := t.value(kv >> 4); err != nil {
				return nil, err
			}
			if _, err := t.value(kv & 0x0f); err != nil {
				return nil, err
			}
		}
		return nil, nil // no field of the footer we read is a map
	case 12:
		return t.structure()
	}
	return nil, errThrift
}

func (t *thrift) structure() (map[int16]any, error) {
	if t.depth++; t.depth > 64 {
		return nil, errThrift
	}
	defer func() { t.depth-- }()
	out := map[int16]any{}
	var id int16
	for {
		h, err := t.byte1()
		if err != nil {
			return nil, err
		}
		if h == 0 {
			return out, nil
		}
		if d := h >> 4; d != 0 {
			id += int16(d)
		} else {
			v, err := t.zigzag()
			if err != nil {
				return nil, err
			}
			id = int16(v)
		}
		v, err := t.value(h & 0x0f)
		if err != nil {
			return nil, err
		}
		out[id] = v
	}
}

// pqNode is one element of a Parquet schema, as a tree.
type pqNode struct {
	name      string
	physical  int64 // -1 for a group
	repeated  bool
	converted int64 // -1 when none
	logical   map[int16]any
	scale     int64
	precision int64
	children  []*pqNode
}

func intOf(m map[int16]any, id int16, def int64) int64 {
	if v, ok := m[id].(int64); ok {
		return v
	}
	return def
}

// parquetSchema reads a footer (the FileMetaData's bytes) into columns and
// the row count.
func parquetSchema(footer []byte) ([]gfield, int64, error) {
	t := &thrift{b: footer}
	meta, err := t.structure()
	if err != nil {
		return nil, 0, err
	}
	list, _ := meta[2].([]any)
	if len(list) == 0 {
		return nil, 0, errThrift
	}
	elems := make([]map[int16]any, len(list))
	for i, e := range list {
		m, ok := e.(map[int16]any)
		if !ok {
			return nil, 0, errThrift
		}
		elems[i] = m
	}
	pos := 0
	var build func(depth int) (*pqNode, error)
	build = func(depth int) (*pqNode, error) {
		if pos >= len(elems) || depth > 64 {
			return nil, errThrift
		}
		e := elems[pos]
		pos++
		name, _ := e[4].([]byte)
		n := &pqNode{name: string(name), physical: intOf(e, 1, -1), repeated: intOf(e, 3, 0) == 2,
			converted: intOf(e, 6, -1), scale: intOf(e, 7, 0), precision: intOf(e, 8, 0)}
		n.logical, _ = e[10].(map[int16]any)
		kids := intOf(e, 5, 0)
		if kids < 0 || kids > int64(len(elems)) {
			return nil, errThrift
		}
		for i := int64(0); i < kids; i++ {
			c, err := build(depth + 1)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, c)
		}
		return n, nil
	}
	root, err := build(0)
	if err != nil {
		return nil, 0, err
	}
	var cols []gfield
	for _, c := range root.children {
		cols = append(cols, gfield{strings.ToLower(c.name), c.glueType()})
	}
	return cols, intOf(meta, 3, 0), nil
}

// parquetColumnBytes sums, per top-level column (lower case), the compressed
// bytes of its column chunks over every row group of a footer: what Athena
// counts as scanned when a query reads that column.
func parquetColumnBytes(footer []byte) (map[string]int64, error) {
	t := &thrift{b: footer}
	meta, err := t.structure()
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	groups, _ := meta[4].([]any)
	for _, g := range groups {
		rg, _ := g.(map[int16]any)
		chunks, _ := rg[1].([]any)
		for _, c := range chunks {
			cc, _ := c.(map[int16]any)
			md, _ := cc[3].(map[int16]any)
			path, _ := md[3].([]any)
			if len(path) == 0 {
				continue
			}
			name, _ := path[0].([]byte)
			out[strings.ToLower(string(name))] += intOf(md, 7, 0)
		}
	}
	return out, nil
}

// glueType is a node's type as Glue names it; a repeated node outside a LIST
// is an array of it.
func (n *pqNode) glueType() *gtype {
	t := n.baseType()
	if n.repeated {
		return &gtype{name: "array", elem: t}
	}
	return t
}

func (n *pqNode) logicalIs(id int16) (map[int16]any, bool) {
	v, ok := n.logical[id]
	if !ok {
		return nil, false
	}
	m, _ := v.(map[int16]any)
	return m, true
}

func (n *pqNode) baseType() *gtype {
	if n.physical < 0 {
		_, isList := n.logicalIs(3)
		_, isMap := n.logicalIs(2)
		switch {
		case (isList || n.converted == 3) && len(n.children) == 1:
			r := n.children[0]
			if len(r.children) == 0 {
				return &gtype{name: "array", elem: r.baseType()}
			}
			if len(r.children) == 1 && r.name != "array" && r.name != n.name+"_tuple" {
				return &gtype{name: "array", elem: r.children[0].glueType()}
			}
			return &gtype{name: "array", elem: r.structType()}
		case (isMap || n.converted == 1 || n.converted == 2) && len(n.children) == 1 && len(n.children[0].children) == 2:
			kv := n.children[0]
			return &gtype{name: "map", key: kv.children[0].glueType(), elem: kv.children[1].glueType()}
		}
		return n.structType()
	}
	if d, ok := n.logicalIs(5); ok {
		return prim(fmt.Sprintf("decimal(%d,%d)", intOf(d, 2, n.precision), intOf(d, 1, n.scale)))
	}
	if n.converted == 5 {
		return prim(fmt.Sprintf("decimal(%d,%d)", n.precision, n.scale))
	}
	if _, ok := n.logicalIs(6); ok || n.converted == 6 {
		return prim("date")
	}
	if _, ok := n.logicalIs(8); ok || n.converted == 9 || n.converted == 10 || n.physical == 3 {
		return prim("timestamp")
	}
	if i, ok := n.logicalIs(10); ok {
		switch intOf(i, 1, 32) {
		case 8:
			return prim("tinyint")
		case 16:
			return prim("smallint")
		case 32:
			return tInt
		}
		return tBigint
	}
	switch n.converted {
	case 15:
		return prim("tinyint")
	case 16:
		return prim("smallint")
	case 11, 12:
		return prim("smallint")
	case 13:
		return tBigint
	}
	_, isString := n.logicalIs(1)
	_, isEnum := n.logicalIs(4)
	_, isJSON := n.logicalIs(12)
	switch n.physical {
	case 0:
		return tBoolean
	case 1:
		return tInt
	case 2:
		return tBigint
	case 4:
		return prim("float")
	case 5:
		return tDouble
	case 6:
		if isString || isEnum || isJSON || n.converted == 0 || n.converted == 4 || n.converted == 19 {
			return tString
		}
		return prim("binary")
	}
	return prim("binary")
}

func (n *pqNode) structType() *gtype {
	t := &gtype{name: "struct"}
	for _, c := range n.children {
		t.fields = append(t.fields, gfield{c.name, c.glueType()})
	}
	return t
}
