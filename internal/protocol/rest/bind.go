package rest

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// BindError says which member could not be read from which part of the request.
type BindError struct {
	Member   string // the model member name
	Location string // "uri", "querystring", "header", "headers", "payload"
	Wire     string // the header, query key or label name
	Value    string
}

func (e *BindError) Error() string {
	return fmt.Sprintf("invalid value %q for %s %s (member %s)", e.Value, e.Location, e.Wire, e.Member)
}

var (
	timeType  = reflect.TypeOf(time.Time{})
	bytesType = reflect.TypeOf([]byte(nil))
)

// ModelType guesses the model type of a Go type, for list and map elements,
// which carry no tags of their own.
func ModelType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return "timestamp"
	case t == bytesType:
		return "blob"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "long"
	case reflect.Float32, reflect.Float64:
		return "double"
	case reflect.Struct:
		return "structure"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Map:
		return "map"
	case reflect.Interface:
		return "document"
	}
	return "string"
}

// TypeOf is f's model type, from its tag or else from its Go type.
func TypeOf(f *shape.Field) string {
	if f.Type != "" {
		return f.Type
	}
	return ModelType(f.GoType)
}

// structOf returns the addressable struct behind v (a non-nil pointer to a struct).
func structOf(v any) (reflect.Value, *shape.Struct, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, nil, false
	}
	return rv.Elem(), shape.Of(rv.Type()), true
}

// PayloadField is the member named by the shape's payload tag, or nil.
func PayloadField(s *shape.Struct) *shape.Field {
	if s.Payload == "" {
		return nil
	}
	return s.Field(s.Payload)
}

// BodyFields are the members that travel in the body when the shape has no
// payload member: those without a location.
func BodyFields(s *shape.Struct) []*shape.Field {
	var fs []*shape.Field
	for _, f := range s.Fields {
		if f.Location == "" {
			fs = append(fs, f)
		}
	}
	return fs
}

// IsRawPayload tells whether f is a payload carried as the raw body (blob or
// string), as opposed to a structure serialized in the protocol's format.
func IsRawPayload(f *shape.Field) bool {
	if f == nil {
		return false
	}
	switch TypeOf(f) {
	case "blob", "string":
		return true
	case "eventstream":
		// The service encodes the stream itself (internal/eventstream) and
		// sets an io.Reader of the frames: written as they come.
		return true
	}
	return f.Streaming
}

// DecodeNonBody fills the uri, querystring, header and headers members of in (a
// pointer to an input struct) from the route labels and r.
func DecodeNonBody(labels map[string]string, r *http.Request, in any) error {
	sv, s, ok := structOf(in)
	if !ok {
		return nil
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	for _, f := range s.Fields {
		fv := sv.Field(f.Index)
		typ := TypeOf(f)
		bad := func(val string) error {
			return &BindError{Member: f.Name, Location: f.Location, Wire: f.LocationName, Value: val}
		}
		switch f.Location {
		case "uri":
			val, ok := labels[f.LocationName]
			if !ok {
				continue
			}
			if err := SetText(fv, typ, def(f.TimestampFormat, ISO8601), val); err != nil {
				return bad(val)
			}
		case "querystring":
			switch typ {
			case "list":
				vals, ok := q[f.LocationName]
				if !ok {
					continue
				}
				if err := setList(fv, vals, ISO8601); err != nil {
					return bad(strings.Join(vals, "&"))
				}
			case "map":
				// A querystring map takes every key no named member claims.
				named := map[string]bool{}
				for _, f := range s.Fields {
					if f.Location == "querystring" && TypeOf(f) != "map" {
						named[f.LocationName] = true
					}
				}
				m := reflect.MakeMap(fv.Type())
				et := fv.Type().Elem()
				for k, vals := range q {
					if named[k] {
						continue
					}
					ev := reflect.New(et).Elem()
					var err error
					if et.Kind() == reflect.Slice && et != bytesType {
						err = setList(ev, vals, ISO8601)
					} else if len(vals) > 0 {
						err = SetText(ev, ModelType(et), ISO8601, vals[0])
					}
					if err != nil {
						return bad(k)
					}
					m.SetMapIndex(reflect.ValueOf(k).Convert(fv.Type().Key()), ev)
				}
				if m.Len() > 0 {
					fv.Set(m)
				}
			default:
				vals, ok := q[f.LocationName]
				if !ok || len(vals) == 0 {
					continue
				}
				if err := SetText(fv, typ, def(f.TimestampFormat, ISO8601), vals[0]); err != nil {
					return bad(vals[0])
				}
			}
		case "header":
			vals, ok := r.Header[f.HeaderKey]
			if !ok || len(vals) == 0 {
				continue
			}
			val := strings.TrimSpace(strings.Join(vals, ","))
			var err error
			switch {
			case typ == "list":
				var parts []string
				if val != "" {
					for _, p := range strings.Split(val, ",") {
						parts = append(parts, strings.TrimSpace(p))
					}
				}
				err = setList(fv, parts, RFC822)
			case f.JSONValue || typ == "jsonvalue":
				var b []byte
				if b, err = base64.StdEncoding.DecodeString(val); err == nil {
					err = SetText(fv, "jsonvalue", "", string(b))
				}
			default:
				err = SetText(fv, typ, def(f.TimestampFormat, RFC822), val)
				if err != nil && typ == "timestamp" && strings.EqualFold(f.LocationName, "Expires") {
					// S3 stores whatever Expires a client sends (botocore keeps
					// the raw text as ExpiresString); an odd one is no error.
					err = nil
				}
			}
			if err != nil {
				return bad(val)
			}
		case "headers":
			if fv.Kind() != reflect.Map {
				continue
			}
			prefix := strings.ToLower(f.LocationName)
			m := reflect.MakeMap(fv.Type())
			for k, vals := range r.Header {
				if len(vals) == 0 || !lowerHasPrefix(k, prefix) {
					continue
				}
				lk := strings.ToLower(k)
				ev := reflect.New(fv.Type().Elem()).Elem()
				if err := SetText(ev, ModelType(ev.Type()), RFC822, strings.Join(vals, ",")); err != nil {
					return bad(k)
				}
				// S3 keeps and returns user metadata keys lower-cased.
				m.SetMapIndex(reflect.ValueOf(lk[len(prefix):]).Convert(fv.Type().Key()), ev)
			}
			if m.Len() > 0 {
				fv.Set(m)
			}
		}
	}
	return nil
}

func setList(fv reflect.Value, vals []string, tsFormat string) error {
	if fv.Kind() != reflect.Slice {
		return errSyntax
	}
	et := fv.Type().Elem()
	l := reflect.MakeSlice(fv.Type(), len(vals), len(vals))
	for i, s := range vals {
		if err := SetText(l.Index(i), ModelType(et), tsFormat, s); err != nil {
			return err
		}
	}
	fv.Set(l)
	return nil
}

func def(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// MaxPayload bounds a non-streaming payload read into memory.
const MaxPayload = 64 << 20

// DecodeRawPayload fills a blob or string payload member of in from r's body: a
// streaming blob gets r.Body itself (never read here), others the bytes. It
// returns false when in has no such member and the codec must decode the body.
func DecodeRawPayload(r *http.Request, in any) (bool, error) {
	sv, s, ok := structOf(in)
	if !ok {
		return false, nil
	}
	f := PayloadField(s)
	if !IsRawPayload(f) {
		return false, nil
	}
	fv := sv.Field(f.Index)
	if fv.Kind() == reflect.Interface && fv.Type().NumMethod() > 0 {
		// A stream: the handler reads r.Body itself, however large it is.
		var body io.ReadCloser = http.NoBody
		if r.Body != nil {
			body = r.Body
			// Only a body with a trailer is wrapped: net/http drains (and so
			// answers 100 Continue to) a request body it does not recognise as
			// its own when the handler did not read it, which would make a
			// client waiting for 100 Continue wait for a refusal that never
			// comes. A trailer body is the auth layer's aws-chunked reader
			// already, which net/http treats that way.
			if t := r.Header.Get("X-Amz-Trailer"); t != "" && r.Body != http.NoBody {
				body = &trailing{ReadCloser: r.Body, r: r, announced: t}
			}
		}
		if reflect.TypeOf(body).AssignableTo(fv.Type()) {
			fv.Set(reflect.ValueOf(body))
		}
		return true, nil
	}
	if r.Body == nil {
		return true, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
	if err != nil {
		return true, &BindError{Member: f.Name, Location: "payload", Wire: "body", Value: err.Error()}
	}
	if len(b) > MaxPayload {
		return true, &BindError{Member: f.Name, Location: "payload", Wire: "body", Value: "body too large"}
	}
	if len(b) == 0 {
		return true, nil
	}
	switch {
	case fv.Kind() == reflect.Slice:
		fv.SetBytes(b)
	case fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.String:
		p := reflect.New(fv.Type().Elem())
		p.Elem().SetString(string(b))
		fv.Set(p)
	case fv.Kind() == reflect.String:
		fv.SetString(string(b))
	}
	return true, nil
}

// EncodeNonBody sets the header and headers members of out (a pointer to an
// output struct, possibly nil) on h and returns the status to answer with: the
// statusCode member when set, else the operation's response code, else 200 —
// or 206 Partial Content when the output answers a range (a Content-Range header
// member is set), as S3's GetObject does: its model has no status member for it.
func EncodeNonBody(h http.Header, op *api.Operation, out any) int {
	status := http.StatusOK
	if op != nil && op.ResponseCode != 0 {
		status = op.ResponseCode
	}
	sv, s, ok := structOf(out)
	if !ok {
		return status
	}
	pl := outPlanOf(s)
	// The values of the headers set share backing arrays, a few headers to an
	// allocation rather than one each (each value keeps a capacity of one, so
	// that an Add never writes into its neighbour).
	var vals []string
	set := func(key, v string) {
		if len(vals) == cap(vals) {
			vals = make([]string, 0, 8)
		}
		vals = append(vals, v)
		h[key] = vals[len(vals)-1 : len(vals) : len(vals)] // h.Set, without canonicalizing again
	}
	for i := range pl.located {
		l := &pl.located[i]
		f := l.f
		fv := sv.Field(f.Index)
		switch l.kind {
		case outString:
			if !fv.IsNil() {
				set(f.HeaderKey, fv.Elem().String())
			}
		case outInt:
			if !fv.IsNil() {
				set(f.HeaderKey, strconv.FormatInt(fv.Elem().Int(), 10))
			}
		case outBool:
			if !fv.IsNil() {
				set(f.HeaderKey, strconv.FormatBool(fv.Elem().Bool()))
			}
		case outHTTPDate:
			if !fv.IsNil() {
				set(f.HeaderKey, httpDate(*fv.Interface().(*time.Time)))
			}
		case outHeader:
			typ := TypeOf(f)
			switch {
			case typ == "list":
				if fv.Len() == 0 {
					continue
				}
				parts := make([]string, 0, fv.Len())
				for i := 0; i < fv.Len(); i++ {
					t, _ := Text(fv.Index(i), ModelType(fv.Type().Elem()), RFC822, false)
					if strings.ContainsAny(t, ",\"") {
						t = strconv.Quote(t)
					}
					parts = append(parts, t)
				}
				set(f.HeaderKey, strings.Join(parts, ","))
			case f.JSONValue || typ == "jsonvalue":
				if fv.IsNil() {
					continue
				}
				t, ok := Text(fv, "jsonvalue", "", false)
				if ok {
					set(f.HeaderKey, base64.StdEncoding.EncodeToString([]byte(t)))
				}
			default:
				if t, ok := Text(fv, typ, def(f.TimestampFormat, RFC822), false); ok {
					set(f.HeaderKey, t)
				}
			}
		case outHeaders:
			if fv.Kind() != reflect.Map || fv.Len() == 0 {
				continue
			}
			keys := fv.MapKeys()
			sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
			for _, k := range keys {
				if t, ok := Text(fv.MapIndex(k), ModelType(fv.Type().Elem()), RFC822, false); ok {
					// Written as is, not canonicalized: S3 sends x-amz-meta-color
					// and botocore keeps the case of what follows the prefix.
					set(f.LocationName+k.String(), t)
				}
			}
		case outStatus:
			if fv.Kind() == reflect.Pointer && !fv.IsNil() {
				fv = fv.Elem()
			}
			switch fv.Kind() {
			case reflect.Int, reflect.Int32, reflect.Int64:
				if n := fv.Int(); n >= 100 && n <= 999 {
					status = int(n)
				}
			}
		}
	}
	if !pl.statusMember && status == http.StatusOK && h.Get("Content-Range") != "" {
		status = http.StatusPartialContent
	}
	return status
}

// outPlan is what EncodeNonBody walks for one output shape: its located members
// only (GetObject's output has 45 members, all of them headers but the body),
// each with the way its value is written worked out once.
type outPlan struct {
	located      []outField
	statusMember bool
}

type outField struct {
	f    *shape.Field
	kind int
}

// How a located member is written: the common pointer scalars directly, the
// rest as Text renders them.
const (
	outHeader   = iota // any other header member
	outString          // *string
	outInt             // *int64 (integer or long)
	outBool            // *bool
	outHTTPDate        // *time.Time in RFC 822 (http.TimeFormat)
	outHeaders         // a prefixed map of headers
	outStatus          // the status code
)

var outPlans sync.Map // *shape.Struct → *outPlan

func outPlanOf(s *shape.Struct) *outPlan {
	if v, ok := outPlans.Load(s); ok {
		return v.(*outPlan)
	}
	pl := &outPlan{}
	for _, f := range s.Fields {
		typ := TypeOf(f)
		switch f.Location {
		case "header":
			kind := outHeader
			if !f.JSONValue {
				switch {
				case typ == "string" && f.GoType == reflect.TypeFor[*string]():
					kind = outString
				case (typ == "integer" || typ == "long") && f.GoType == reflect.TypeFor[*int64]():
					kind = outInt
				case typ == "boolean" && f.GoType == reflect.TypeFor[*bool]():
					kind = outBool
				case typ == "timestamp" && f.GoType == reflect.TypeFor[*time.Time]() && def(f.TimestampFormat, RFC822) == RFC822:
					kind = outHTTPDate
				}
			}
			pl.located = append(pl.located, outField{f: f, kind: kind})
		case "headers":
			pl.located = append(pl.located, outField{f: f, kind: outHeaders})
		case "statusCode":
			pl.statusMember = true
			pl.located = append(pl.located, outField{f: f, kind: outStatus})
		}
	}
	v, _ := outPlans.LoadOrStore(s, pl)
	return v.(*outPlan)
}

// httpDate is FormatTime(t, RFC822, false), written without time.Format's
// layout parsing (Last-Modified is on every GET and HEAD).
func httpDate(t time.Time) string {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format(http.TimeFormat)
	}
	hh, mm, ss := t.Clock()
	const days = "SunMonTueWedThuFriSat"
	const months = "JanFebMarAprMayJunJulAugSepOctNovDec"
	var b [29]byte // "Mon, 02 Jan 2006 15:04:05 GMT"
	wd := int(t.Weekday()) * 3
	copy(b[0:3], days[wd:wd+3])
	b[3], b[4] = ',', ' '
	b[5], b[6] = byte('0'+d/10), byte('0'+d%10)
	b[7] = ' '
	m := (int(mo) - 1) * 3
	copy(b[8:11], months[m:m+3])
	b[11] = ' '
	b[12], b[13], b[14], b[15] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[16] = ' '
	b[17], b[18], b[19] = byte('0'+hh/10), byte('0'+hh%10), ':'
	b[20], b[21], b[22] = byte('0'+mm/10), byte('0'+mm%10), ':'
	b[23], b[24] = byte('0'+ss/10), byte('0'+ss%10)
	copy(b[25:], " GMT")
	return string(b[:])
}

// WriteRawPayload writes a blob, string or streaming payload member of out as
// the whole body, after writing status (headers must already be set). A stream
// is copied, never buffered, and closed when it is an io.Closer. It returns false
// when out has no such member, leaving w untouched.
func WriteRawPayload(w http.ResponseWriter, status int, out any) (bool, error) {
	sv, s, ok := structOf(out)
	if !ok {
		return false, nil
	}
	f := PayloadField(s)
	if !IsRawPayload(f) {
		return false, nil
	}
	fv := sv.Field(f.Index)
	switch {
	case fv.Kind() == reflect.Interface:
		if fv.IsNil() {
			w.WriteHeader(status)
			return true, nil
		}
		src := fv.Interface()
		if c, ok := src.(io.Closer); ok {
			defer c.Close()
		}
		rd, ok := src.(io.Reader)
		if !ok {
			w.WriteHeader(status)
			return true, nil
		}
		w.WriteHeader(status)
		_, err := io.Copy(w, rd)
		return true, err
	case fv.Kind() == reflect.Slice:
		if w.Header().Get("Content-Length") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(fv.Len()))
		}
		w.WriteHeader(status)
		_, err := w.Write(fv.Bytes())
		return true, err
	case fv.Kind() == reflect.Pointer && !fv.IsNil():
		b := fv.Elem().String()
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(status)
		_, err := io.WriteString(w, b)
		return true, err
	}
	w.WriteHeader(status)
	return true, nil
}

// trailing is a streaming payload whose request announced a trailer
// (api.Trailing): the trailer arrives in r.Trailer once the body has been read
// to its end.
type trailing struct {
	io.ReadCloser
	r         *http.Request
	announced string
}

func (t *trailing) Announced() string          { return t.announced }
func (t *trailing) Trailer(name string) string { return t.r.Trailer.Get(name) }

var _ api.Trailing = (*trailing)(nil)

// lowerHasPrefix tells whether strings.ToLower(k) starts with prefix (lower
// case), without lowering every header name of a request to find out: an S3
// PUT carries a dozen, most of them not user metadata.
func lowerHasPrefix(k, prefix string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] >= 0x80 { // lowering may change its length: ask ToLower
			return strings.HasPrefix(strings.ToLower(k), prefix)
		}
	}
	if len(k) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := k[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
