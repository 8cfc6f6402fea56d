package rest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Timestamp formats as the models name them.
const (
	ISO8601 = "iso8601"
	RFC822  = "rfc822"
	Unix    = "unixTimestamp"
)

// ParseTime reads a timestamp in format, falling back to the other two formats:
// clients disagree on them more than the models admit.
func ParseTime(s, format string) (time.Time, error) {
	s = strings.TrimSpace(s)
	try := []string{format, ISO8601, RFC822, Unix}
	for _, f := range try {
		switch f {
		case ISO8601:
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "20060102T150405Z"} {
				if t, err := time.Parse(layout, s); err == nil {
					return t.UTC(), nil
				}
			}
		case RFC822:
			for _, layout := range []string{http.TimeFormat, time.RFC1123, time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 GMT", time.RFC850, time.ANSIC} {
				if t, err := time.Parse(layout, s); err == nil {
					return t.UTC(), nil
				}
			}
		case Unix:
			if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 1e15 {
				sec, frac := math.Modf(f)
				return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q", s)
}

// FormatTime writes t in format. millis asks for three fractional digits in
// iso8601 always (S3 writes "2006-02-03T16:45:09.000Z"); without it they appear
// only when t has a fraction (IAM writes "…:01Z", STS "…:33.359Z").
func FormatTime(t time.Time, format string, millis bool) string {
	t = t.UTC()
	switch format {
	case RFC822:
		return t.Format(http.TimeFormat)
	case Unix:
		if t.Nanosecond() == 0 {
			return strconv.FormatInt(t.Unix(), 10)
		}
		return strconv.FormatFloat(float64(t.UnixMilli())/1e3, 'f', -1, 64)
	}
	if millis || t.Nanosecond()/1e6 != 0 {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// FormatFloat writes a float the way AWS services and clients agree on.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

var errSyntax = errors.New("value does not parse")

// SetText stores text into v, which is a settable field of the Go type the
// generator writes for typ (pointer scalars, or plain scalars inside lists and
// maps). tsFormat is the timestamp format to try first. An empty text sets an
// empty string or blob but is a syntax error for numbers and booleans.
func SetText(v reflect.Value, typ, tsFormat, text string) error {
	var x reflect.Value
	switch typ {
	case "string", "character", "":
		if setString(v, text) {
			return nil
		}
		x = reflect.ValueOf(text)
	case "integer", "long":
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return errSyntax
		}
		x = reflect.ValueOf(n)
	case "float", "double":
		var f float64
		switch t := strings.TrimSpace(text); t {
		case "NaN":
			f = math.NaN()
		case "Infinity":
			f = math.Inf(1)
		case "-Infinity":
			f = math.Inf(-1)
		default:
			var err error
			if f, err = strconv.ParseFloat(t, 64); err != nil {
				return errSyntax
			}
		}
		x = reflect.ValueOf(f)
	case "boolean":
		switch strings.TrimSpace(text) {
		case "true":
			x = reflect.ValueOf(true)
		case "false":
			x = reflect.ValueOf(false)
		default:
			return errSyntax
		}
	case "timestamp":
		t, err := ParseTime(text, tsFormat)
		if err != nil {
			return errSyntax
		}
		x = reflect.ValueOf(t)
	case "blob":
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
		if err != nil {
			return errSyntax
		}
		x = reflect.ValueOf(b)
	case "jsonvalue", "document":
		var a any
		if err := json.Unmarshal([]byte(text), &a); err != nil {
			return errSyntax
		}
		if a == nil {
			return nil
		}
		x = reflect.ValueOf(a)
	default:
		return errSyntax
	}
	return assign(v, x)
}

// setString is what assign does with a string for the usual targets (a
// string, or a pointer to one), without boxing text first.
func setString(v reflect.Value, text string) bool {
	switch t := v.Type(); {
	case t.Kind() == reflect.String:
		v.SetString(text)
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.String:
		p := reflect.New(t.Elem())
		p.Elem().SetString(text)
		v.Set(p)
	default:
		return false
	}
	return true
}

// assign stores x into v, taking a pointer when v is a pointer type.
func assign(v, x reflect.Value) error {
	t := v.Type()
	if t.Kind() == reflect.Interface {
		if !x.Type().Implements(t) {
			return errSyntax
		}
		v.Set(x)
		return nil
	}
	target := t
	if t.Kind() == reflect.Pointer {
		target = t.Elem()
	}
	// reflect converts int64 to string as a rune; the model never means that.
	if (x.Kind() == reflect.String) != (target.Kind() == reflect.String) || !x.Type().ConvertibleTo(target) {
		return errSyntax
	}
	if t.Kind() == reflect.Pointer {
		p := reflect.New(target)
		p.Elem().Set(x.Convert(target))
		v.Set(p)
		return nil
	}
	v.Set(x.Convert(target))
	return nil
}

// Text renders a scalar value (pointer or plain) as wire text; ok is false when
// v is nil.
func Text(v reflect.Value, typ, tsFormat string, millis bool) (string, bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "", false
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return "", false
	}
	if v.Type() == timeType { // checked first: Interface would box every string
		return FormatTime(v.Interface().(time.Time), tsFormat, millis), true
	}
	switch typ {
	case "jsonvalue", "document":
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return "", false
		}
		return string(b), true
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10), true
	case reflect.Float32, reflect.Float64:
		return FormatFloat(v.Float()), true
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.IsNil() {
				return "", false
			}
			return base64.StdEncoding.EncodeToString(v.Bytes()), true
		}
	}
	return fmt.Sprint(v.Interface()), true
}
