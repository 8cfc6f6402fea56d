package vectors

import (
	"embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// Case is one protocol test case.
type Case struct {
	Protocol string // "rest-xml", "query", "json", "rest-json"
	Input    bool   // an input (request) case, else an output (response) case
	Suite, N int    // indexes in the JSON file
	Name     string // "input/rest-xml.json suite 3 case 1: <suite description>"
	Service  *api.Service
	Op       *api.Operation
}

func mkCase(c Case, s *api.Service, op *api.Operation) Case {
	if c.Protocol == protocol.JSON && s.TargetPrefix == "" {
		// Some json suites state no targetPrefix; this is the one the others use.
		s.TargetPrefix = "com.amazonaws.foo"
	}
	s.Operations = []*api.Operation{op}
	c.Service, c.Op = s, op
	return c
}

// File is the testdata file the case comes from: "input/rest-xml.json".
func (c *Case) File() string {
	d := "output"
	if c.Input {
		d = "input"
	}
	return d + "/" + c.Protocol + ".json"
}

//go:embed testdata/input/*.json testdata/output/*.json
var testdata embed.FS

// rawCase is the part of a case that the generated code does not carry.
type rawCase struct {
	Given struct {
		HTTP struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"given"`
	Params     json.RawMessage `json:"params"`
	Serialized *struct {
		Method  string            `json:"method"`
		URI     string            `json:"uri"`
		Host    string            `json:"host"`
		Body    string            `json:"body"`
		Headers map[string]string `json:"headers"`
	} `json:"serialized"`
	Result   json.RawMessage `json:"result"`
	Response *struct {
		StatusCode int               `json:"status_code"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	} `json:"response"`
}

var (
	rawMu    sync.Mutex // guards rawFiles
	rawFiles = map[string][][]rawCase{}
)

// raw returns the case's JSON as stored in testdata, decoded.
func (c *Case) raw() (*rawCase, error) {
	rawMu.Lock()
	defer rawMu.Unlock()
	f, ok := rawFiles[c.File()]
	if !ok {
		b, err := testdata.ReadFile("testdata/" + c.File())
		if err != nil {
			return nil, err
		}
		var suites []struct {
			Cases []rawCase `json:"cases"`
		}
		if err := json.Unmarshal(b, &suites); err != nil {
			return nil, fmt.Errorf("%s: %w", c.File(), err)
		}
		for _, s := range suites {
			f = append(f, s.Cases)
		}
		rawFiles[c.File()] = f
	}
	if c.Suite >= len(f) || c.N >= len(f[c.Suite]) {
		return nil, fmt.Errorf("%s: no suite %d case %d", c.File(), c.Suite, c.N)
	}
	return &f[c.Suite][c.N], nil
}

// skipReason finds name, or a prefix of it ending at a word boundary, in skip.
func skipReason(skip map[string]string, name string) (string, bool) {
	if why, ok := skip[name]; ok {
		return why, true
	}
	for k, why := range skip {
		if strings.HasPrefix(name, k) && (name[len(k)] == ' ' || name[len(k)] == ':') {
			return why, true
		}
	}
	return "", false
}

// ClientOnly are the cases that test what only a client does; both runners skip
// them with these reasons, before consulting the caller's skip map.
var ClientOnly = map[string]string{
	"input/json.json suite 6 case 1":       "the client fills in the idempotency token; a server sees a token the params lack",
	"input/query.json suite 13 case 1":     "the client fills in the idempotency token; a server sees a token the params lack",
	"input/rest-json.json suite 19 case 1": "the client fills in the idempotency token; a server sees a token the params lack",
	"input/rest-xml.json suite 23 case 1":  "the client fills in the idempotency token; a server sees a token the params lack",
	"output/json.json suite 3 case 1":      "null list elements: a Go []string cannot hold them and a server never sends them",
	"output/json.json suite 5":             "the client ignores unmodeled keys; nothing for a server to produce",
	"output/json.json suite 7 case 0":      "the client tolerates a non-JSON body; nothing for a server to produce",
	"output/json.json suite 7 case 1":      "the client tolerates a non-JSON body; nothing for a server to produce",
	"output/rest-json.json suite 7":        "the client ignores unmodeled keys; nothing for a server to produce",
	"output/rest-json.json suite 8":        "the client ignores an unmodeled body; nothing for a server to produce",
}

func skipCase(t *testing.T, skip map[string]string, name string) {
	t.Helper()
	if why, ok := skipReason(ClientOnly, name); ok {
		t.Skip("client only: " + why)
	}
	if why, ok := skipReason(skip, name); ok {
		t.Skip(why)
	}
}

func newCall(c *Case) *protocol.Call {
	return &protocol.Call{Service: c.Service, Protocol: c.Protocol, RequestID: "request-id",
		Account: "123456789012", Region: "us-east-1"}
}

// Request builds the HTTP request a client sends for an input case.
func (c *Case) Request() (*http.Request, error) {
	rc, err := c.raw()
	if err != nil {
		return nil, err
	}
	s := rc.Serialized
	if s == nil {
		return nil, fmt.Errorf("%s: not an input case", c.Name)
	}
	method := s.Method
	if method == "" {
		method = rc.Given.HTTP.Method
	}
	if method == "" {
		method = http.MethodPost
	}
	uri := s.URI
	if uri == "" {
		uri = "/"
	}
	r := httptest.NewRequest(method, uri, strings.NewReader(s.Body))
	r.Host = "example.com"
	if s.Host != "" {
		r.Host = s.Host
	}
	for k, v := range s.Headers {
		r.Header.Set(k, v)
	}
	if c.Protocol == protocol.JSON && r.Header.Get("X-Amz-Target") == "" {
		// A few json vectors leave out the target every client sends.
		r.Header.Set("X-Amz-Target", c.Service.TargetPrefix+"."+c.Op.Name)
	}
	if r.Header.Get("Content-Type") == "" && s.Body != "" {
		// Clients always send these; a few vectors leave them out.
		switch c.Protocol {
		case protocol.Query:
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		case protocol.JSON:
			r.Header.Set("Content-Type", "application/x-amz-json-"+c.Service.JSONVersion)
		}
	}
	return r, nil
}

// RunInput runs every input case of protocol p: it builds the request of the case,
// lets the codec Route it (it must find the case's Op) and DecodeInput it into
// Op.NewInput(), then compares the decoded struct, made generic by Generic, with
// the case's params. skip maps a case Name (or a prefix of it ending before a space
// or colon) to the reason the case is skipped.
func RunInput(t *testing.T, c protocol.Codec, p string, skip map[string]string) {
	t.Helper()
	n := 0
	for i := range Cases {
		tc := &Cases[i]
		if tc.Protocol != p || !tc.Input {
			continue
		}
		n++
		t.Run(tc.Name, func(t *testing.T) {
			skipCase(t, skip, tc.Name)
			rc, err := tc.raw()
			if err != nil {
				t.Fatal(err)
			}
			r, err := tc.Request()
			if err != nil {
				t.Fatal(err)
			}
			call := newCall(tc)
			if err := c.Route(call, r); err != nil {
				t.Fatalf("Route(%s %s) = %v", r.Method, r.URL, err)
			}
			if call.Op != tc.Op {
				t.Fatalf("Route(%s %s) found %s, want %s", r.Method, r.URL, opName(call.Op), tc.Op.Name)
			}
			in := tc.Op.NewInput()
			if err := c.DecodeInput(call, r, in); err != nil {
				t.Fatalf("DecodeInput(%s %s) = %v", r.Method, r.URL, err)
			}
			got := Generic(in)
			var want any = map[string]any{}
			if len(rc.Params) > 0 {
				if err := json.Unmarshal(rc.Params, &want); err != nil {
					t.Fatal(err)
				}
			}
			if !equivalent(got, want) {
				t.Errorf("decoded input differs\n got: %s\nwant: %s\nrequest: %s %s\n%s", js(got), js(want), r.Method, r.URL, rc.Serialized.Body)
			}
		})
	}
	if n == 0 {
		t.Errorf("no input cases for protocol %q", p)
	}
}

// RunOutput runs every output case of protocol p: it builds the output struct from
// the case's result (the inverse of Generic), lets the codec EncodeOutput it, and
// compares the response with the case's: the status, the headers the case lists, and
// the body as a client reads it (see BodiesEquivalent).
func RunOutput(t *testing.T, c protocol.Codec, p string, skip map[string]string) {
	t.Helper()
	n := 0
	for i := range Cases {
		tc := &Cases[i]
		if tc.Protocol != p || tc.Input {
			continue
		}
		n++
		t.Run(tc.Name, func(t *testing.T) {
			skipCase(t, skip, tc.Name)
			rc, err := tc.raw()
			if err != nil {
				t.Fatal(err)
			}
			out := tc.Op.NewOutput()
			var result any = map[string]any{}
			if len(rc.Result) > 0 {
				if err := json.Unmarshal(rc.Result, &result); err != nil {
					t.Fatal(err)
				}
			}
			if err := FromGeneric(out, result); err != nil {
				t.Fatalf("building the output: %v", err)
			}
			call := newCall(tc)
			call.Op = tc.Op
			if id := requestIDIn(rc.Response.Body); id != "" {
				// The vectors disagree on the id ("requestid", "request-id").
				call.RequestID = id
			}
			w := httptest.NewRecorder()
			if err := c.EncodeOutput(call, w, out); err != nil {
				t.Fatalf("EncodeOutput = %v", err)
			}
			want := rc.Response
			if w.Code != want.StatusCode {
				t.Errorf("status = %d, want %d", w.Code, want.StatusCode)
			}
			var names []string
			for k := range want.Headers {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				if got := strings.Join(w.Header().Values(k), ", "); got != want.Headers[k] {
					t.Errorf("header %s = %q, want %q", k, got, want.Headers[k])
				}
			}
			kind := bodyKind(p, out)
			if ok, why := bodiesEquivalent(kind, w.Body.String(), want.Body, mapEntryNames(reflect.TypeOf(out))); !ok {
				t.Errorf("body differs (%s): %s\n got: %s\nwant: %s", kind, why, w.Body.String(), want.Body)
			}
		})
	}
	if n == 0 {
		t.Errorf("no output cases for protocol %q", p)
	}
}

func opName(op *api.Operation) string {
	if op == nil {
		return "no operation"
	}
	return op.Name
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// bodyKind says how a response body is compared: "raw" for a blob or string
// payload, else "json" or "xml" by protocol.
func bodyKind(p string, out any) string {
	plan := shape.Of(reflect.TypeOf(out))
	if plan.Payload != "" {
		if f := plan.Field(plan.Payload); f != nil && f.Type != "structure" {
			return "raw"
		}
	}
	if p == protocol.JSON || p == protocol.RestJSON {
		return "json"
	}
	return "xml"
}

var timeType = reflect.TypeOf(time.Time{})

// Generic turns a generated value into the JSON-like value the vectors use for
// params and results: structures become maps keyed by member name, numbers
// float64, timestamps epoch seconds, blobs and streams the string of their bytes;
// nil members are left out.
func Generic(v any) any { return generic(reflect.ValueOf(v)) }

func generic(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return generic(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if r, ok := v.Interface().(io.Reader); ok {
			b, _ := io.ReadAll(r)
			return string(b)
		}
		// Documents and JSON values: normalise numbers to float64.
		var out any
		b, err := json.Marshal(v.Interface())
		if err != nil || json.Unmarshal(b, &out) != nil {
			return v.Interface()
		}
		return out
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			return float64(t.Unix()) + float64(t.Nanosecond())/1e9
		}
		m := map[string]any{}
		for _, f := range shape.Of(v.Type()).Fields {
			if g := generic(v.Field(f.Index)); g != nil {
				m[f.Name] = g
			}
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes())
		}
		l := make([]any, v.Len())
		for i := range l {
			l[i] = generic(v.Index(i))
		}
		return l
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := map[string]any{}
		for it := v.MapRange(); it.Next(); {
			m[it.Key().String()] = generic(it.Value())
		}
		return m
	case reflect.String:
		return v.String()
	case reflect.Int64, reflect.Int, reflect.Int32:
		return float64(v.Int())
	case reflect.Float64, reflect.Float32:
		return v.Float()
	case reflect.Bool:
		return v.Bool()
	}
	return fmt.Sprintf("unsupported %s", v.Type())
}

// FromGeneric fills dst, a pointer to a generated struct, from a JSON-like value
// shaped as Generic returns them.
func FromGeneric(dst any, src any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("FromGeneric: want a non-nil pointer, got %T", dst)
	}
	return fill(v.Elem(), src, "")
}

func fill(v reflect.Value, src any, path string) error {
	if src == nil {
		return nil
	}
	bad := func() error { return fmt.Errorf("%s: cannot put %T into %s", path, src, v.Type()) }
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := fill(p.Elem(), src, path); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case t == timeType:
		switch s := src.(type) {
		case float64:
			sec := int64(s)
			v.Set(reflect.ValueOf(time.Unix(sec, int64((s-float64(sec))*1e9+0.5)).UTC()))
		case string:
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			v.Set(reflect.ValueOf(tm))
		default:
			return bad()
		}
		return nil
	case t.Kind() == reflect.Struct:
		m, ok := src.(map[string]any)
		if !ok {
			return bad()
		}
		plan := shape.Of(t)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f := plan.Field(k)
			if f == nil {
				return fmt.Errorf("%s: %s has no member %q", path, t.Name(), k)
			}
			if err := fill(v.Field(f.Index), m[k], path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case t.Kind() == reflect.Interface:
		if s, ok := src.(string); ok {
			switch {
			case t == reflect.TypeOf((*io.ReadCloser)(nil)).Elem():
				v.Set(reflect.ValueOf(io.NopCloser(strings.NewReader(s))))
				return nil
			case t == reflect.TypeOf((*io.Reader)(nil)).Elem():
				v.Set(reflect.ValueOf(strings.NewReader(s)))
				return nil
			}
		}
		v.Set(reflect.ValueOf(src))
		return nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		s, ok := src.(string)
		if !ok {
			return bad()
		}
		v.SetBytes([]byte(s))
		return nil
	case t.Kind() == reflect.Slice:
		l, ok := src.([]any)
		if !ok {
			return bad()
		}
		s := reflect.MakeSlice(t, len(l), len(l))
		for i, e := range l {
			if err := fill(s.Index(i), e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case t.Kind() == reflect.Map:
		m, ok := src.(map[string]any)
		if !ok {
			return bad()
		}
		mv := reflect.MakeMapWithSize(t, len(m))
		for k, e := range m {
			ev := reflect.New(t.Elem()).Elem()
			if err := fill(ev, e, path+"["+k+"]"); err != nil {
				return err
			}
			mv.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		v.Set(mv)
		return nil
	case t.Kind() == reflect.String:
		s, ok := src.(string)
		if !ok {
			return bad()
		}
		v.SetString(s)
		return nil
	case t.Kind() == reflect.Int64:
		f, ok := src.(float64)
		if !ok {
			return bad()
		}
		v.SetInt(int64(f))
		return nil
	case t.Kind() == reflect.Float64:
		f, ok := src.(float64)
		if !ok {
			return bad()
		}
		v.SetFloat(f)
		return nil
	case t.Kind() == reflect.Bool:
		b, ok := src.(bool)
		if !ok {
			return bad()
		}
		v.SetBool(b)
		return nil
	}
	return bad()
}

// equivalent compares two JSON-like values; numbers by value, strings with
// sameLeaf, and a null map entry the same as a missing one.
func equivalent(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range x {
			if v != nil && !equivalent(v, y[k]) {
				return false
			}
		}
		for k, v := range y {
			if v != nil && x[k] == nil {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equivalent(x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		return ok && sameLeaf(x, y)
	case nil:
		return b == nil
	}
	return reflect.DeepEqual(a, b)
}

// sameLeaf tells whether a client reads two scalar texts as the same value: equal
// strings, equal numbers ("1.50" and "1.5"), or equal instants in the timestamp
// formats AWS uses.
func sameLeaf(a, b string) bool {
	if a == b {
		return true
	}
	if x, err := strconv.ParseFloat(a, 64); err == nil {
		if y, err := strconv.ParseFloat(b, 64); err == nil {
			return x == y
		}
	}
	if x, ok := parseTime(a); ok {
		if y, ok := parseTime(b); ok {
			return x.Equal(y)
		}
	}
	return false
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, time.RFC1123, time.RFC1123Z} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// BodiesEquivalent tells whether a client would read the two response bodies the
// same way, and if not, why. kind is "raw" (bytes must match), "json" (decoded
// values must match, null is absent, "" is {}) or "xml" (see xmlEquivalent).
func BodiesEquivalent(kind, got, want string) (bool, string) {
	return bodiesEquivalent(kind, got, want, nil)
}

// bodiesEquivalent is BodiesEquivalent where the XML elements named in unordered
// are map entries, which compare as a set.
func bodiesEquivalent(kind, got, want string, unordered map[string]bool) (bool, string) {
	switch kind {
	case "raw":
		if got != want {
			return false, "payload bytes differ"
		}
		return true, ""
	case "json":
		var g, w any = map[string]any{}, map[string]any{}
		if strings.TrimSpace(got) != "" {
			if err := json.Unmarshal([]byte(got), &g); err != nil {
				return false, "got invalid JSON: " + err.Error()
			}
		}
		if strings.TrimSpace(want) != "" {
			if err := json.Unmarshal([]byte(want), &w); err != nil {
				return false, "want invalid JSON: " + err.Error()
			}
		}
		if !equivalent(g, w) {
			return false, "JSON values differ"
		}
		return true, ""
	}
	g, err := parseXML(got)
	if err != nil {
		return false, "got invalid XML: " + err.Error()
	}
	w, err := parseXML(want)
	if err != nil {
		return false, "want invalid XML: " + err.Error()
	}
	for _, n := range []*xnode{g, w} {
		// Response metadata is not part of the result a client returns; the
		// vectors put the request id in various places or leave it out.
		kept := n.children[:0]
		for _, c := range n.children {
			if c.name != "ResponseMetadata" && c.name != "RequestId" {
				kept = append(kept, c)
			}
		}
		n.children = kept
	}
	if why := xmlDiff(g, w, "", unordered); why != "" {
		return false, why
	}
	return true, ""
}

// requestIDIn finds the text of a <RequestId> element in an XML body.
func requestIDIn(body string) string {
	const open, end = "<RequestId>", "</RequestId>"
	i := strings.Index(body, open)
	if i < 0 {
		return ""
	}
	rest := body[i+len(open):]
	if j := strings.Index(rest, end); j >= 0 {
		return rest[:j]
	}
	return ""
}

// mapEntryNames lists the XML element names of map entries anywhere under the
// generated struct type t: "entry" for wrapped maps, the member's wire name for
// flattened ones. Clients read entries into a map, so their order does not matter.
func mapEntryNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == timeType || seen[t] {
			return
		}
		seen[t] = true
		for _, f := range shape.Of(t).Fields {
			if f.Type == "map" {
				if f.Flattened {
					names[f.Tag.Get("xmlName")] = true
					names[f.LocationName] = true
				} else {
					names["entry"] = true
				}
			}
			walk(f.GoType)
		}
	}
	walk(t)
	delete(names, "")
	return names
}

// xnode is a parsed XML element.
type xnode struct {
	name     string
	attrs    map[string]string // by "space local" of the attribute; xmlns declarations left out
	children []*xnode
	text     string
}

// parseXML parses a body into its root element; an empty body is an empty root.
func parseXML(s string) (*xnode, error) {
	root := &xnode{}
	if strings.TrimSpace(s) == "" {
		return root, nil
	}
	d := xml.NewDecoder(strings.NewReader(s))
	var stack []*xnode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				n.attrs[a.Name.Space+" "+a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	return root, nil
}

// xmlDiff compares two elements the way AWS's XML clients read them: the element's
// own name is not compared (clients ignore the root element's name, and children
// are matched by name), attributes compare as a set without namespace declarations,
// children compare by name with the order kept only among same-named siblings (list
// members), text compares only in leaf elements, by sameLeaf. It returns "" when
// equivalent, else where they differ.
func xmlDiff(g, w *xnode, path string, unordered map[string]bool) string {
	if !reflect.DeepEqual(len(g.attrs), len(w.attrs)) {
		return fmt.Sprintf("%s: attributes %v, want %v", path, g.attrs, w.attrs)
	}
	for k, v := range w.attrs {
		if gv, ok := g.attrs[k]; !ok || gv != v {
			return fmt.Sprintf("%s: attributes %v, want %v", path, g.attrs, w.attrs)
		}
	}
	if len(g.children) == 0 && len(w.children) == 0 {
		if !sameLeaf(g.text, w.text) {
			return fmt.Sprintf("%s: text %q, want %q", path, g.text, w.text)
		}
		return ""
	}
	byName := func(n *xnode) (map[string][]*xnode, []string) {
		m := map[string][]*xnode{}
		var order []string
		for _, c := range n.children {
			if _, ok := m[c.name]; !ok {
				order = append(order, c.name)
			}
			m[c.name] = append(m[c.name], c)
		}
		return m, order
	}
	gm, gorder := byName(g)
	wm, worder := byName(w)
	for _, name := range worder {
		if len(gm[name]) != len(wm[name]) {
			return fmt.Sprintf("%s/%s: %d elements, want %d", path, name, len(gm[name]), len(wm[name]))
		}
		if unordered[name] {
			used := make([]bool, len(gm[name]))
		entries:
			for i, we := range wm[name] {
				for j, ge := range gm[name] {
					if !used[j] && xmlDiff(ge, we, "", unordered) == "" {
						used[j] = true
						continue entries
					}
				}
				return fmt.Sprintf("%s/%s[%d]: no matching map entry", path, name, i)
			}
			continue
		}
		for i := range wm[name] {
			if why := xmlDiff(gm[name][i], wm[name][i], fmt.Sprintf("%s/%s[%d]", path, name, i), unordered); why != "" {
				return why
			}
		}
	}
	for _, name := range gorder {
		if _, ok := wm[name]; !ok {
			return fmt.Sprintf("%s/%s: unexpected element", path, name)
		}
	}
	return ""
}
