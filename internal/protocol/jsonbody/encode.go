package jsonbody

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/fogbank/fogbank/internal/protocol/shape"
)

var (
	timeType  = reflect.TypeOf(time.Time{})
	bytesType = reflect.TypeOf([]byte(nil))
)

// Marshal encodes v, a pointer to a generated structure, as a JSON object. Members
// bound elsewhere in a rest protocol (location set) are left out; nil members are
// left out. A nil pointer encodes as {}.
func Marshal(v any) ([]byte, error) {
	return MarshalBody(reflect.ValueOf(v)), nil
}

// MarshalBody is Marshal for a reflect.Value of a structure or pointer to one.
func MarshalBody(rv reflect.Value) []byte {
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return []byte("{}")
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return []byte("{}")
	}
	return AppendValue(make([]byte, 0, 256), rv, nil)
}

// AppendValue appends the JSON of rv. f is the member's plan when rv is a member
// (it supplies timestampFormat and jsonvalue), nil for elements and top-level values.
// Nil becomes null.
func AppendValue(b []byte, rv reflect.Value, f *shape.Field) []byte {
	if !rv.IsValid() {
		return append(b, "null"...)
	}
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return append(b, "null"...)
		}
		if rv.Kind() == reflect.Interface {
			if f != nil && f.JSONValue {
				// A jsonvalue member in a body is JSON text inside a JSON string.
				return appendString(b, string(appendDocument(nil, rv.Interface())))
			}
			// A document: any JSON value, written as encoding/json would.
			return appendDocument(b, rv.Interface())
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.String:
		return appendString(b, rv.String())
	case reflect.Bool:
		return strconv.AppendBool(b, rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(b, rv.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return appendFloat(b, rv.Float())
	case reflect.Slice:
		if rv.Type() == bytesType || rv.Type().Elem().Kind() == reflect.Uint8 {
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, rv.Bytes())
			return append(b, '"')
		}
		if rv.IsNil() {
			return append(b, "null"...)
		}
		// A list of timestamps may state its elements' format.
		var ef *shape.Field
		if f != nil {
			if tf := f.Tag.Get("memberTimestampFormat"); tf != "" {
				ef = &shape.Field{TimestampFormat: tf}
			}
		}
		b = append(b, '[')
		for i := 0; i < rv.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendValue(b, rv.Index(i), ef)
		}
		return append(b, ']')
	case reflect.Map:
		if rv.IsNil() {
			return append(b, "null"...)
		}
		b = append(b, '{')
		iter := rv.MapRange()
		first := true
		for iter.Next() {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, iter.Key().String())
			b = append(b, ':')
			b = AppendValue(b, iter.Value(), nil)
		}
		return append(b, '}')
	case reflect.Struct:
		if rv.Type() == timeType {
			format := ""
			if f != nil {
				format = f.TimestampFormat
			}
			return AppendTime(b, rv.Interface().(time.Time), format)
		}
		return appendStruct(b, rv)
	}
	return append(b, "null"...)
}

func appendStruct(b []byte, rv reflect.Value) []byte {
	s := shape.Of(rv.Type())
	b = append(b, '{')
	first := true
	for _, f := range s.Fields {
		if f.Location != "" || f.Type == "eventstream" {
			continue
		}
		fv := rv.Field(f.Index)
		switch fv.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			if fv.IsNil() {
				continue
			}
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, f.LocationName)
		b = append(b, ':')
		b = AppendValue(b, fv, f)
	}
	return append(b, '}')
}

// AppendTime writes a timestamp in format: "" and "unixTimestamp" as epoch seconds
// with up to millisecond fraction (the json protocols' default), "iso8601" as an
// RFC 3339 string, "rfc822" as an HTTP date.
func AppendTime(b []byte, t time.Time, format string) []byte {
	switch format {
	case "iso8601":
		return appendString(b, FormatISO8601(t))
	case "rfc822":
		return appendString(b, t.UTC().Format(HTTPDate))
	}
	return AppendEpoch(b, t)
}

// HTTPDate is the rfc822 timestamp layout AWS writes.
const HTTPDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// FormatISO8601 writes t as AWS does: UTC, with milliseconds only when non-zero.
func FormatISO8601(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1e6 != 0 {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// AppendEpoch writes epoch seconds, with a millisecond fraction when there is one.
func AppendEpoch(b []byte, t time.Time) []byte {
	sec := t.Unix()
	ms := t.Nanosecond() / 1e6
	if ms == 0 {
		return strconv.AppendInt(b, sec, 10)
	}
	if sec < 0 {
		// Let float formatting handle the sign of pre-1970 fractions.
		return appendFloat(b, float64(t.UnixMilli())/1000)
	}
	b = strconv.AppendInt(b, sec, 10)
	frac := strconv.Itoa(1000 + ms)[1:]
	for frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	b = append(b, '.')
	return append(b, frac...)
}

// appendFloat writes a float the way Smithy's JSON protocols do: non-finite values
// as the strings "NaN", "Infinity" and "-Infinity".
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64)
}

func appendDocument(b []byte, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, data...)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
