package dynamodb

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// DynamoDB's front end reports a JSON value of the wrong type with messages of
// its own (a Java deserializer's: "TRUE_VALUE cannot be converted to String",
// "Unexpected field type", ...) and a capitalised "Message" key, unlike other
// json services. ServeRaw checks the body's types against the operation's input
// shape first and answers such a SerializationException itself; a body that is
// well typed (or not JSON at all) is left, untouched, to the json codec.

var _ host.RawHandler = (*Service)(nil)

const castMsg = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')"

const javaPkg = "com.amazonaws.dynamodb.v20120810."

// ServeRaw answers DynamoDB requests whose JSON has a value of the wrong type.
func (s *Service) ServeRaw(ctx context.Context, w http.ResponseWriter, r *http.Request) bool {
	prefix, name, ok := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if !ok || prefix != ddb.Service.TargetPrefix || r.Method != http.MethodPost || r.Body == nil {
		return false
	}
	op := ddb.Service.Op(name)
	if op == nil {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20+1))
	// The codec reads the body next: give it back whole.
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || len(body) > 16<<20 {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return false
	}
	msg := checkStruct(reflect.TypeOf(op.NewInput()), obj)
	if msg == "" {
		return false
	}
	out, _ := json.Marshal(map[string]string{"__type": "com.amazon.coral.service#SerializationException", "Message": msg})
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("x-amzn-ErrorType", "SerializationException")
	h.Set("x-amzn-RequestId", api.CallerFrom(ctx).RequestID)
	h.Set("x-amz-crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(out)), 10))
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusBadRequest)
	w.Write(out)
	return true
}

func checkStruct(t reflect.Type, obj map[string]any) string {
	plan := shape.Of(t)
	for _, f := range plan.Fields {
		v, ok := obj[f.LocationName]
		if !ok || v == nil {
			continue
		}
		if m := checkValueType(f.Type, f.GoType, v, false); m != "" {
			return m
		}
	}
	return ""
}

// checkValueType checks one JSON value against a member's model type. elem tells
// whether the value is a list element or map value rather than a member field,
// which changes the Java deserializer's words.
func checkValueType(typ string, gt reflect.Type, v any, elem bool) string {
	if v == nil {
		return ""
	}
	switch typ {
	case "string", "character":
		return scalarMsg(v, "String", "class java.lang.String")
	case "integer":
		return scalarMsg(v, "Integer", "class java.lang.Integer")
	case "long":
		return scalarMsg(v, "Long", "class java.lang.Long")
	case "boolean":
		switch v.(type) {
		case bool:
			return ""
		case string:
			return "Unexpected token received from parser"
		}
		return scalarMsg(v, "Boolean", "class java.lang.Boolean")
	case "double", "float":
		if _, ok := v.(json.Number); ok {
			return ""
		}
		return scalarMsg(v, "Double", "class java.lang.Double")
	case "blob":
		switch x := v.(type) {
		case string:
			if len(x)%4 != 0 {
				return "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(x))
			}
			if _, err := base64.StdEncoding.Strict().DecodeString(x); err != nil {
				return "Invalid last non-pad Base64 character dectected"
			}
			return ""
		case []any:
			return "Unrecognized collection type class java.nio.ByteBuffer"
		case map[string]any:
			return "Start of structure or map found where not expected"
		}
		return "only base-64-encoded strings are convertible to bytes"
	case "list":
		l, ok := v.([]any)
		if !ok {
			if _, isMap := v.(map[string]any); isMap {
				return "Start of structure or map found where not expected"
			}
			if elem {
				return castMsg
			}
			return "Unexpected field type"
		}
		et := gt.Elem()
		for _, e := range l {
			if m := checkValueType(modelType(et), et, e, true); m != "" {
				return m
			}
		}
		return ""
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			if _, isList := v.([]any); isList {
				return "Unrecognized collection type java.util.Map<java.lang.String, " + javaType(gt.Elem()) + ">"
			}
			if elem {
				return castMsg
			}
			return "Unexpected field type"
		}
		vt := gt.Elem()
		for _, k := range sortedKeys(m) {
			if msg := checkValueType(modelType(vt), vt, m[k], true); msg != "" {
				return msg
			}
		}
		return ""
	case "structure":
		st := gt
		for st.Kind() == reflect.Pointer {
			st = st.Elem()
		}
		o, ok := v.(map[string]any)
		if !ok {
			if _, isList := v.([]any); isList {
				return "Unrecognized collection type class " + javaPkg + st.Name()
			}
			if elem {
				return "Unexpected value type in payload"
			}
			return "Unexpected field type"
		}
		return checkStruct(st, o)
	}
	return ""
}

// scalarMsg words a non-scalar or wrongly typed scalar given for a scalar member.
func scalarMsg(v any, javaName, collection string) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "TRUE_VALUE cannot be converted to " + javaName
		}
		return "FALSE_VALUE cannot be converted to " + javaName
	case json.Number:
		if javaName == "Integer" || javaName == "Long" {
			return ""
		}
		if strings.ContainsAny(string(x), ".eE") {
			return "DECIMAL_VALUE cannot be converted to " + javaName
		}
		return "NUMBER_VALUE cannot be converted to " + javaName
	case string:
		if javaName == "String" {
			return ""
		}
		return "STRING_VALUE cannot be converted to " + javaName
	case []any:
		return "Unrecognized collection type " + collection
	case map[string]any:
		return "Start of structure or map found where not expected"
	}
	return ""
}

// modelType is the model type of a list element or map value from its Go type.
func modelType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "structure"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "blob"
		}
		return "list"
	case reflect.Map:
		return "map"
	case reflect.String:
		return "string"
	case reflect.Int64:
		return "long"
	case reflect.Bool:
		return "boolean"
	case reflect.Float64:
		return "double"
	}
	return ""
}

// javaType names a Go element type as the Java deserializer would.
func javaType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return javaPkg + t.Elem().Name()
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "java.nio.ByteBuffer"
		}
		return "java.util.List<" + javaType(t.Elem()) + ">"
	case reflect.Map:
		return "java.util.Map<java.lang.String, " + javaType(t.Elem()) + ">"
	case reflect.String:
		return "java.lang.String"
	case reflect.Int64:
		return "java.lang.Long"
	case reflect.Bool:
		return "java.lang.Boolean"
	}
	return "java.lang.Object"
}
