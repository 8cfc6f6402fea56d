package glue

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// avroSchema reads the writer's schema from an Avro container file's header
// (its metadata's avro.schema) and types it as Glue does.
func avroSchema(r *bufio.Reader) (*fileSchema, error) {
	if _, err := r.Discard(4); err != nil {
		return nil, err
	}
	readLong := func() (int64, error) { return binary.ReadVarint(r) }
	readBytes := func() ([]byte, error) {
		n, err := readLong()
		if err != nil || n < 0 || n > 16<<20 {
			return nil, errors.New("avro: bad header")
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return b, err
	}
	var schema []byte
	for {
		n, err := readLong()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
		if n < 0 {
			n = -n
			if _, err := readLong(); err != nil {
				return nil, err
			}
		}
		for i := int64(0); i < n; i++ {
			k, err := readBytes()
			if err != nil {
				return nil, err
			}
			v, err := readBytes()
			if err != nil {
				return nil, err
			}
			if string(k) == "avro.schema" {
				schema = v
			}
		}
	}
	if schema == nil {
		return nil, errors.New("avro: no schema in the header")
	}
	var s any
	if err := json.Unmarshal(schema, &s); err != nil {
		return nil, fmt.Errorf("avro: schema: %v", err)
	}
	t, err := avroType(s, 0)
	if err != nil {
		return nil, err
	}
	if t.name != "struct" {
		return nil, errors.New("avro: the schema is not a record")
	}
	fs := &fileSchema{class: "avro", compress: "none"}
	for _, f := range t.fields {
		fs.cols = append(fs.cols, gfield{strings.ToLower(f.name), f.t})
	}
	return fs, nil
}

func avroType(s any, depth int) (*gtype, error) {
	if depth > 32 {
		return nil, errors.New("avro: schema nested too deep")
	}
	switch x := s.(type) {
	case string:
		switch x {
		case "null":
			return tNull, nil
		case "boolean":
			return tBoolean, nil
		case "int":
			return tInt, nil
		case "long":
			return tBigint, nil
		case "float":
			return prim("float"), nil
		case "double":
			return tDouble, nil
		case "bytes", "fixed":
			return prim("binary"), nil
		case "string", "enum":
			return tString, nil
		}
		return tString, nil // a named type defined earlier
	case []any: // a union: null and one other type is that type
		var out *gtype
		for _, m := range x {
			t, err := avroType(m, depth+1)
			if err != nil {
				return nil, err
			}
			out = merge(out, t)
		}
		if out == nil {
			return tNull, nil
		}
		return out, nil
	case map[string]any:
		typ, _ := x["type"].(string)
		switch lt, _ := x["logicalType"].(string); lt {
		case "date":
			return prim("date"), nil
		case "timestamp-millis", "timestamp-micros":
			return prim("timestamp"), nil
		case "decimal":
			p, _ := x["precision"].(float64)
			sc, _ := x["scale"].(float64)
			return prim(fmt.Sprintf("decimal(%d,%d)", int(p), int(sc))), nil
		}
		switch typ {
		case "record":
			fields, _ := x["fields"].([]any)
			t := &gtype{name: "struct"}
			for _, f := range fields {
				fm, _ := f.(map[string]any)
				name, _ := fm["name"].(string)
				ft, err := avroType(fm["type"], depth+1)
				if err != nil {
					return nil, err
				}
				t.fields = append(t.fields, gfield{name, ft})
			}
			return t, nil
		case "array":
			e, err := avroType(x["items"], depth+1)
			return &gtype{name: "array", elem: e}, err
		case "map":
			v, err := avroType(x["values"], depth+1)
			return &gtype{name: "map", key: tString, elem: v}, err
		}
		if t, ok := x["type"]; ok {
			return avroType(t, depth+1)
		}
	}
	return nil, errors.New("avro: unreadable schema")
}
