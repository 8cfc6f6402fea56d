package jsonbody

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// SerializationError is the error the json protocols answer for a body they cannot
// read into the operation's input, as Coral words it.
func SerializationError(msg string) *api.Err {
	return &api.Err{Code: "SerializationException", Status: 400, Message: msg}
}

// Unmarshal decodes the JSON object in data into v, a pointer to a generated
// structure. An empty body is an empty object. Unknown members are ignored, as
// AWS ignores them (and not kept while parsing). Members bound elsewhere by a
// rest protocol (location set) are not read from the body. Errors are *api.Err
// SerializationExceptions.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return api.InternalError()
	}
	raw, err := ParseFor(data, rv.Type())
	if err != nil {
		return err
	}
	if raw == nil {
		return nil
	}
	return Assign(raw, rv.Elem(), nil)
}

// UnmarshalBody is Unmarshal of data, which ReadBody read from body (r.Body):
// when body is a Body whose parsed value is recorded for data, that value is
// assigned without parsing again.
func UnmarshalBody(body io.Reader, data []byte, v any) error {
	bb, ok := body.(*Body)
	if !ok {
		return Unmarshal(data, v)
	}
	raw, ok := bb.Value(data)
	if !ok {
		return Unmarshal(data, v)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return api.InternalError()
	}
	if raw == nil { // "null", which Parse also gives for a blank body
		return nil
	}
	return Assign(raw, rv.Elem(), nil)
}

// Parse reads one JSON value (numbers as json.Number); an empty or all-blank body
// is nil. Anything after the value is an error, and so is what JSON or Jackson
// refuses: invalid UTF-8, lone surrogate escapes, nesting deeper than MaxDepth,
// values taking more memory than the body's budget (budgetFor).
func Parse(data []byte) (any, error) {
	return ParseFor(data, nil)
}

// ParseFor is Parse for a value that will be assigned to a t (as Unmarshal and
// Assign do): what t has no place for is checked but not kept.
func ParseFor(data []byte, t reflect.Type) (any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	v, perr := parse(data, t)
	if perr != "" {
		return nil, SerializationError("Malformed JSON: " + string(perr))
	}
	return v, nil
}

// token names the JSON value the way Coral's messages do.
func token(raw any) string {
	switch raw.(type) {
	case string:
		return "STRING_VALUE"
	case json.Number:
		return "NUMBER_VALUE"
	case bool:
		return "BOOLEAN_VALUE"
	case map[string]any:
		return "START_OBJECT"
	case []any:
		return "START_ARRAY"
	}
	return "VALUE_NULL"
}

func mismatch(raw any, want string) error {
	switch raw.(type) {
	case map[string]any:
		return SerializationError("Start of structure or map found where not expected.")
	case []any:
		return SerializationError("Start of list found where not expected.")
	}
	return SerializationError(token(raw) + " cannot be converted to " + want)
}

// javaName is the Java type Coral names in conversion errors.
func javaName(t reflect.Type, f *shape.Field) string {
	model := ""
	if f != nil {
		model = f.Type
	}
	switch model {
	case "integer":
		return "Integer"
	case "long":
		return "Long"
	case "float":
		return "Float"
	case "double":
		return "Double"
	}
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Bool:
		return "Boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "Long"
	case reflect.Float32, reflect.Float64:
		return "Double"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "ByteBuffer"
		}
		return "List"
	case reflect.Map:
		return "Map"
	case reflect.Struct:
		if t == timeType {
			return "Date"
		}
		return "Structure"
	}
	return t.String()
}

// Assign stores the parsed JSON value raw into dst (settable), whose plan is f
// when dst is a structure member (nil for elements). JSON null leaves dst as it is.
func Assign(raw any, dst reflect.Value, f *shape.Field) error {
	if raw == nil {
		return nil
	}
	t := dst.Type()
	switch t.Kind() {
	case reflect.Pointer:
		e := reflect.New(t.Elem())
		if err := Assign(raw, e.Elem(), f); err != nil {
			return err
		}
		dst.Set(e)
		return nil
	case reflect.Interface:
		if f != nil && f.JSONValue {
			// JSON text carried inside a JSON string.
			s, ok := raw.(string)
			if !ok {
				return mismatch(raw, "String")
			}
			inner, err := Parse([]byte(s))
			if err != nil {
				return err
			}
			raw = inner
		}
		if d := Document(raw); d != nil {
			dv := reflect.ValueOf(d)
			if !dv.Type().AssignableTo(t) {
				return mismatch(raw, javaName(t, f))
			}
			dst.Set(dv)
		}
		return nil
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return mismatch(raw, javaName(t, f))
		}
		dst.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return mismatch(raw, "Boolean")
		}
		dst.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := raw.(json.Number)
		if !ok {
			return mismatch(raw, javaName(t, f))
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			// Coral truncates a fractional or exponent number given for an integer.
			x, ferr := strconv.ParseFloat(string(n), 64)
			if ferr != nil || math.IsInf(x, 0) || x > math.MaxInt64 || x < math.MinInt64 {
				return SerializationError("Numeric value (" + string(n) + ") out of range of " + javaName(t, f))
			}
			i = int64(x)
		}
		if dst.OverflowInt(i) {
			return SerializationError("Numeric value (" + string(n) + ") out of range of " + javaName(t, f))
		}
		dst.SetInt(i)
		return nil
	case reflect.Float32, reflect.Float64:
		var x float64
		switch r := raw.(type) {
		case json.Number:
			var err error
			x, err = strconv.ParseFloat(string(r), 64)
			if err != nil && !math.IsInf(x, 0) {
				return mismatch(raw, javaName(t, f))
			}
		case string:
			// Smithy's json protocols carry non-finite floats as strings.
			switch r {
			case "NaN":
				x = math.NaN()
			case "Infinity":
				x = math.Inf(1)
			case "-Infinity":
				x = math.Inf(-1)
			default:
				return mismatch(raw, javaName(t, f))
			}
		default:
			return mismatch(raw, javaName(t, f))
		}
		dst.SetFloat(x)
		return nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			s, ok := raw.(string)
			if !ok {
				return mismatch(raw, "ByteBuffer")
			}
			b, err := decodeBase64(s)
			if err != nil {
				return SerializationError("Base64 encoded value is invalid")
			}
			dst.SetBytes(b)
			return nil
		}
		list, ok := raw.([]any)
		if !ok {
			return mismatch(raw, "List")
		}
		out := reflect.MakeSlice(t, len(list), len(list))
		for i, r := range list {
			if err := Assign(r, out.Index(i), nil); err != nil {
				return err
			}
		}
		dst.Set(out)
		return nil
	case reflect.Map:
		m, ok := raw.(map[string]any)
		if !ok {
			return mismatch(raw, "Map")
		}
		if t.Key().Kind() != reflect.String {
			return api.InternalError()
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, r := range m {
			e := reflect.New(t.Elem()).Elem()
			if err := Assign(r, e, nil); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), e)
		}
		dst.Set(out)
		return nil
	case reflect.Struct:
		if t == timeType {
			tm, err := parseTime(raw)
			if err != nil {
				return err
			}
			dst.Set(reflect.ValueOf(tm))
			return nil
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return mismatch(raw, "Structure")
		}
		return assignStruct(m, dst)
	}
	return api.InternalError()
}

func assignStruct(m map[string]any, dst reflect.Value) error {
	s := shape.Of(dst.Type())
	for _, f := range s.Fields {
		if f.Location != "" || f.Type == "eventstream" {
			continue
		}
		r, ok := m[f.LocationName]
		if !ok {
			continue
		}
		if err := Assign(r, dst.Field(f.Index), f); err != nil {
			return err
		}
	}
	return nil
}

func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err == nil {
		return b, nil
	}
	// Some clients leave the padding off.
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// parseTime reads a timestamp in any of the forms AWS accepts in JSON bodies:
// epoch seconds as a number (the default), or a string in RFC 3339, HTTP date,
// or epoch seconds form.
func parseTime(raw any) (time.Time, error) {
	switch r := raw.(type) {
	case json.Number:
		if t, ok := ParseEpoch(string(r)); ok {
			return t, nil
		}
		return time.Time{}, SerializationError("NUMBER_VALUE cannot be converted to Date")
	case string:
		if t, ok := ParseTimeString(r); ok {
			return t, nil
		}
		return time.Time{}, SerializationError("STRING_VALUE cannot be converted to Date")
	}
	return time.Time{}, mismatch(raw, "Date")
}

// ParseTimeString reads an ISO 8601 / RFC 3339 date-time, an HTTP date, or epoch seconds.
func ParseTimeString(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", HTTPDate, time.RFC1123, time.RFC1123Z} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return ParseEpoch(s)
}

// ParseEpoch reads epoch seconds with an optional fraction, exactly to the
// nanosecond when written in plain decimal.
func ParseEpoch(s string) (time.Time, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if !strings.ContainsAny(s, "eE") {
		sec, err := strconv.ParseInt(whole, 10, 64)
		if err == nil && (!hasFrac || frac != "") {
			ns := int64(0)
			if hasFrac {
				if len(frac) > 9 {
					frac = frac[:9]
				}
				n, err := strconv.ParseUint(frac, 10, 64)
				if err != nil {
					return time.Time{}, false
				}
				ns = int64(n)
				for i := len(frac); i < 9; i++ {
					ns *= 10
				}
				if strings.HasPrefix(whole, "-") {
					ns = -ns
				}
			}
			if sec > 1<<40 || sec < -(1<<40) {
				return time.Time{}, false
			}
			return time.Unix(sec, ns).UTC(), true
		}
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1<<40 {
		return time.Time{}, false
	}
	// A float64 near today's epoch holds about six fractional digits: round to them.
	sec := math.Floor(x)
	return time.Unix(int64(sec), int64(math.Round((x-sec)*1e6))*1e3).UTC(), true
}

// Document turns a parsed JSON value into the plain form generated `any` fields
// hold: numbers as float64, objects as map[string]any, arrays as []any.
func Document(raw any) any {
	switch r := raw.(type) {
	case json.Number:
		x, _ := strconv.ParseFloat(string(r), 64)
		return x
	case map[string]any:
		for k, v := range r {
			r[k] = Document(v)
		}
		return r
	case []any:
		for i, v := range r {
			r[i] = Document(v)
		}
		return r
	}
	return raw
}
