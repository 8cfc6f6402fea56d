package glue

import (
	"github.com/fogbank/fogbank/internal/lazy"
	"strings"
)

// gtype is a column type as a crawler infers it: Glue's (Hive's) type names,
// with the structure of nested types kept so that schemas of several files
// can be merged.
type gtype struct {
	name   string   // "bigint", "string", "array", "struct", "map", "decimal(10,2)", "null" (nothing seen yet)
	elem   *gtype   // array element, map value
	key    *gtype   // map key
	fields []gfield // struct members, in order
}

type gfield struct {
	name string
	t    *gtype
}

var (
	tNull    = &gtype{name: "null"}
	tBoolean = &gtype{name: "boolean"}
	tInt     = &gtype{name: "int"}
	tBigint  = &gtype{name: "bigint"}
	tDouble  = &gtype{name: "double"}
	tString  = &gtype{name: "string"}
)

func prim(name string) *gtype { return &gtype{name: name} }

// String is the type as Glue writes it: "array<struct<a:int,b:string>>".
func (t *gtype) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t *gtype) write(b *strings.Builder) {
	switch t.name {
	case "null":
		b.WriteString("string") // a column only ever null is read as text
	case "array":
		b.WriteString("array<")
		t.elem.write(b)
		b.WriteString(">")
	case "map":
		b.WriteString("map<")
		t.key.write(b)
		b.WriteString(",")
		t.elem.write(b)
		b.WriteString(">")
	case "struct":
		b.WriteString("struct<")
		for i, f := range t.fields {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(f.name)
			b.WriteString(":")
			f.t.write(b)
		}
		b.WriteString(">")
	default:
		b.WriteString(t.name)
	}
}

// numRank orders the numeric types a wider one absorbs.
var numRank = lazy.Value[map[string]int]{New: func() map[string]int {
	return map[string]int{"tinyint": 1, "smallint": 2, "int": 3, "bigint": 4, "float": 5, "double": 6}
}}

// merge is the type that holds values of both a and b, as Glue widens a column
// seen with different types in different files or records: int and bigint
// make bigint, any integer and double make double, structs merge member by
// member, arrays by element; anything else that differs becomes string.
func merge(a, b *gtype) *gtype {
	switch {
	case a == nil || a.name == "null":
		return b
	case b == nil || b.name == "null":
		return a
	}
	if a.name == b.name {
		switch a.name {
		case "array":
			return &gtype{name: "array", elem: merge(a.elem, b.elem)}
		case "map":
			return &gtype{name: "map", key: merge(a.key, b.key), elem: merge(a.elem, b.elem)}
		case "struct":
			out := &gtype{name: "struct", fields: append([]gfield(nil), a.fields...)}
			for _, f := range b.fields {
				i := fieldIndex(out.fields, f.name)
				if i < 0 {
					out.fields = append(out.fields, f)
				} else {
					out.fields[i].t = merge(out.fields[i].t, f.t)
				}
			}
			return out
		}
		return a
	}
	ra, oka := numRank.Get()[a.name]
	rb, okb := numRank.Get()[b.name]
	if oka && okb {
		if ra >= rb {
			return a
		}
		return b
	}
	if strings.HasPrefix(a.name, "decimal") && okb || strings.HasPrefix(b.name, "decimal") && oka {
		return tDouble
	}
	if a.name == "date" && b.name == "timestamp" || a.name == "timestamp" && b.name == "date" {
		return prim("timestamp")
	}
	return tString
}

func fieldIndex(fs []gfield, name string) int {
	for i, f := range fs {
		if strings.EqualFold(f.name, name) {
			return i
		}
	}
	return -1
}

// same reports whether two types are written the same.
func same(a, b *gtype) bool { return a.String() == b.String() }
