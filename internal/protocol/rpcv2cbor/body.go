package rpcv2cbor

import (
	"math"
	"reflect"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol/cbor"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

var timeType = reflect.TypeOf(time.Time{})

func serializationError(msg string) *api.Err {
	return &api.Err{Code: "SerializationException", Status: 400, Message: msg}
}

// kind names a decoded CBOR value in error messages.
func kind(v any) string {
	switch v.(type) {
	case uint64, int64:
		return "integer"
	case float64:
		return "float"
	case string:
		return "text string"
	case []byte:
		return "byte string"
	case []any:
		return "array"
	case map[string]any:
		return "map"
	case bool:
		return "boolean"
	case cbor.Tag:
		return "tag"
	}
	return "simple value"
}

func mismatch(raw any, want, member string) error {
	msg := "expected " + want + ", found " + kind(raw)
	if member != "" {
		msg += " for member " + member
	}
	return serializationError(msg)
}

// assign stores the decoded CBOR value raw into dst (settable). member names the
// member for messages. null and undefined leave dst absent.
func assign(raw any, dst reflect.Value, member string) error {
	switch raw.(type) {
	case nil, cbor.Undefined:
		return nil
	}
	t := dst.Type()
	switch t.Kind() {
	case reflect.Pointer:
		e := reflect.New(t.Elem())
		if err := assign(raw, e.Elem(), member); err != nil {
			return err
		}
		dst.Set(e)
		return nil
	case reflect.Interface:
		// Documents are not part of this protocol; keep what came, if it fits.
		if v := reflect.ValueOf(raw); v.Type().AssignableTo(t) {
			dst.Set(v)
			return nil
		}
		return mismatch(raw, "document", member)
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return mismatch(raw, "text string", member)
		}
		dst.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return mismatch(raw, "boolean", member)
		}
		dst.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		switch x := raw.(type) {
		case uint64:
			if x > math.MaxInt64 {
				return serializationError("integer out of range for member " + member)
			}
			n = int64(x)
		case int64:
			n = x
		case float64:
			// Allowed when no precision is lost, as Smithy allows the other way round.
			if x != math.Trunc(x) || math.Abs(x) > 1<<63 {
				return mismatch(raw, "integer", member)
			}
			n = int64(x)
		default:
			return mismatch(raw, "integer", member)
		}
		if dst.OverflowInt(n) {
			return serializationError("integer out of range for member " + member)
		}
		dst.SetInt(n)
		return nil
	case reflect.Float32, reflect.Float64:
		switch x := raw.(type) {
		case float64:
			dst.SetFloat(x)
		case uint64:
			dst.SetFloat(float64(x))
		case int64:
			dst.SetFloat(float64(x))
		default:
			return mismatch(raw, "float", member)
		}
		return nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b, ok := raw.([]byte)
			if !ok {
				return mismatch(raw, "byte string", member)
			}
			dst.SetBytes(b)
			return nil
		}
		list, ok := raw.([]any)
		if !ok {
			return mismatch(raw, "array", member)
		}
		out := reflect.MakeSlice(t, len(list), len(list))
		for i, r := range list {
			if err := assign(r, out.Index(i), member); err != nil {
				return err
			}
		}
		dst.Set(out)
		return nil
	case reflect.Map:
		m, ok := raw.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return mismatch(raw, "map", member)
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, r := range m {
			e := reflect.New(t.Elem()).Elem()
			if err := assign(r, e, member); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), e)
		}
		dst.Set(out)
		return nil
	case reflect.Struct:
		if t == timeType {
			tm, err := timeOf(raw, member)
			if err != nil {
				return err
			}
			dst.Set(reflect.ValueOf(tm))
			return nil
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return mismatch(raw, "map", member)
		}
		s := shape.Of(t)
		for _, f := range s.Fields {
			if f.Type == "eventstream" {
				continue
			}
			r, ok := m[f.Name]
			if !ok {
				continue
			}
			if err := assign(r, dst.Field(f.Index), f.Name); err != nil {
				return err
			}
		}
		return nil
	}
	return api.InternalError()
}

// timeOf reads a timestamp: tag 1 around an integer or float of epoch seconds.
// A bare number is accepted too.
func timeOf(raw any, member string) (time.Time, error) {
	if tag, ok := raw.(cbor.Tag); ok {
		if tag.Number != cbor.TagEpoch {
			return time.Time{}, mismatch(raw, "timestamp (tag 1)", member)
		}
		raw = tag.Content
	}
	var secs float64
	switch x := raw.(type) {
	case uint64:
		if x > 1<<40 {
			return time.Time{}, serializationError("timestamp out of range for member " + member)
		}
		return time.Unix(int64(x), 0).UTC(), nil
	case int64:
		if x < -(1 << 40) {
			return time.Time{}, serializationError("timestamp out of range for member " + member)
		}
		return time.Unix(x, 0).UTC(), nil
	case float64:
		secs = x
	default:
		return time.Time{}, mismatch(raw, "timestamp", member)
	}
	if math.IsNaN(secs) || math.Abs(secs) > 1<<40 {
		return time.Time{}, serializationError("timestamp out of range for member " + member)
	}
	// The protocol carries milliseconds: round to them.
	ms := math.Round(secs * 1000)
	return time.UnixMilli(int64(ms)).UTC(), nil
}

// appendValue appends the CBOR of rv (a member value or element).
func appendValue(b []byte, rv reflect.Value) []byte {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return cbor.AppendNull(b)
		}
		if rv.Kind() == reflect.Interface {
			return appendAny(b, rv.Interface())
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.String:
		return cbor.AppendText(b, rv.String())
	case reflect.Bool:
		return cbor.AppendBool(b, rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cbor.AppendInt(b, rv.Int())
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return cbor.AppendUint(b, rv.Uint())
	case reflect.Float32:
		return cbor.AppendFloat32(b, float32(rv.Float()))
	case reflect.Float64:
		return cbor.AppendFloat(b, rv.Float())
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return cbor.AppendBytes(b, rv.Bytes())
		}
		b = cbor.AppendArrayHead(b, rv.Len())
		for i := 0; i < rv.Len(); i++ {
			b = appendValue(b, rv.Index(i))
		}
		return b
	case reflect.Map:
		b = cbor.AppendMapHead(b, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			b = cbor.AppendText(b, iter.Key().String())
			b = appendValue(b, iter.Value())
		}
		return b
	case reflect.Struct:
		if rv.Type() == timeType {
			return appendTime(b, rv.Interface().(time.Time))
		}
		return appendStruct(b, rv, nil)
	}
	return cbor.AppendNull(b)
}

// appendStruct writes a structure as a map of its set members, after the given
// leading text pairs (the error's __type).
func appendStruct(b []byte, rv reflect.Value, lead []string) []byte {
	s := shape.Of(rv.Type())
	n := len(lead) / 2
	for _, f := range s.Fields {
		if f.Type != "eventstream" && !absent(rv.Field(f.Index)) {
			n++
		}
	}
	b = cbor.AppendMapHead(b, n)
	for i := 0; i+1 < len(lead); i += 2 {
		b = cbor.AppendText(b, lead[i])
		b = cbor.AppendText(b, lead[i+1])
	}
	for _, f := range s.Fields {
		fv := rv.Field(f.Index)
		if f.Type == "eventstream" || absent(fv) {
			continue
		}
		b = cbor.AppendText(b, f.Name)
		b = appendValue(b, fv)
	}
	return b
}

func absent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return v.IsNil()
	}
	return false
}

// appendTime writes tag 1 with epoch seconds: an integer when whole, else a
// double with the milliseconds.
func appendTime(b []byte, t time.Time) []byte {
	b = cbor.AppendTag(b, cbor.TagEpoch)
	if t.Nanosecond()/1e6 == 0 {
		return cbor.AppendInt(b, t.Unix())
	}
	return cbor.AppendFloat64(b, float64(t.UnixMilli())/1000)
}

func appendAny(b []byte, v any) []byte {
	switch x := v.(type) {
	case float64:
		return cbor.AppendFloat(b, x)
	case []any:
		b = cbor.AppendArrayHead(b, len(x))
		for _, e := range x {
			b = appendAny(b, e)
		}
		return b
	case map[string]any:
		b = cbor.AppendMapHead(b, len(x))
		for k, e := range x {
			b = cbor.AppendText(b, k)
			b = appendAny(b, e)
		}
		return b
	}
	return cbor.Encode(b, v)
}
