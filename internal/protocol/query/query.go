package query

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/rest"
	"github.com/fogbank/fogbank/internal/protocol/shape"
	"github.com/fogbank/fogbank/internal/protocol/xmlbody"
)

// Codec is the query protocol. It is stateless; plans are cached by shape.Of.
type Codec struct{}

var _ protocol.Codec = Codec{}

// Name is "query".
func (Codec) Name() string { return protocol.Query }

// MaxForm bounds a form body; AWS's own limit for query requests is far lower.
// MaxFields and MaxKeyLen bound what a body may become: the largest requests
// (a PutMetricData of 1,000 metrics with their dimensions, an SQS batch) have
// tens of thousands of fields, whose names ("MetricData.member.1000.
// Dimensions.member.30.Value") are short. Without them 10 MB of "a&" would be
// 5 million values, and one name of a million dots a million prefixes to hash.
const (
	MaxForm   = 10 << 20
	MaxFields = 100_000
	MaxKeyLen = 1024
)

// checkShape refuses a form with more fields, or longer field names, than
// MaxFields and MaxKeyLen, before it is parsed.
func checkShape(s []byte) error {
	fields, keyLen, inKey := 0, 0, true
	for _, c := range s {
		switch {
		case c == '&' || c == ';':
			fields++
			keyLen, inKey = 0, true
		case c == '=':
			inKey = false
		case inKey:
			if keyLen++; keyLen > MaxKeyLen {
				return errors.New("a field name is too long")
			}
		}
	}
	if fields >= MaxFields {
		return errors.New("too many fields")
	}
	return nil
}

// form returns the request's parameters: the URL query and the form body. It
// parses once; r.Form keeps the result for the next caller.
func form(r *http.Request) (url.Values, error) {
	if r.Form != nil {
		return r.Form, nil
	}
	if r.Method == http.MethodPost && r.Header.Get("Content-Type") == "" {
		// Some old clients omit the content type; the body is still a form.
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if err := checkShape([]byte(r.URL.RawQuery)); err != nil {
		return url.Values{}, err
	}
	if bb, ok := r.Body.(interface{ Unread() ([]byte, bool) }); ok {
		// Held in memory by the gateway: looked at before it is parsed.
		if body, whole := bb.Unread(); whole {
			if err := checkShape(body); err != nil {
				return url.Values{}, err
			}
		}
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(nil, r.Body, MaxForm)
	}
	err := r.ParseForm()
	if r.Form == nil {
		r.Form = url.Values{}
	}
	return r.Form, err
}

// Namespace is the xmlns of the service's responses: the model's, else its
// dialect's (SQS's JSON model lost its query namespace), else one built the way
// AWS builds them.
func Namespace(svc *api.Service) string {
	switch {
	case svc.XMLNamespace != "":
		return svc.XMLNamespace
	case svc.Dialect.XMLNamespace != "":
		return svc.Dialect.XMLNamespace
	case svc.EndpointPrefix == "":
		return ""
	}
	return "https://" + svc.EndpointPrefix + ".amazonaws.com/doc/" + svc.APIVersion + "/"
}

func xmlns(svc *api.Service) string {
	if ns := Namespace(svc); ns != "" {
		return ` xmlns="` + escape(ns) + `"`
	}
	return ""
}

// Route finds the operation named by the Action parameter.
func (Codec) Route(c *protocol.Call, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return &api.Err{Code: "MalformedQueryString", Status: http.StatusBadRequest,
			Message: "The request body is not a well-formed form: " + err.Error()}
	}
	action := f.Get("Action")
	if action == "" {
		return &api.Err{Code: "MissingAction", Status: http.StatusBadRequest,
			Message: "Missing Action"}
	}
	op := c.Service.Op(action)
	if op == nil {
		version := f.Get("Version")
		if version == "" {
			version = c.Service.APIVersion
		}
		return &api.Err{Code: "InvalidAction", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Could not find operation %s for version %s", action, version)}
	}
	c.Op = op
	return nil
}

// DecodeInput reads the form parameters into in, then validates it.
func (Codec) DecodeInput(c *protocol.Call, r *http.Request, in any) error {
	f, err := form(r)
	if err != nil {
		return &api.Err{Code: "MalformedQueryString", Status: http.StatusBadRequest,
			Message: "The request body is not a well-formed form: " + err.Error()}
	}
	rv := reflect.ValueOf(in)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil
	}
	d := newDecoder(f)
	if err := d.structure(rv.Elem(), ""); err != nil {
		return err
	}
	return validate(c.Service, in)
}

// decoder walks the struct plan, looking parameters up by their dotted names.
type decoder struct {
	f url.Values
	// prefixes holds every dotted prefix of every key ("A", "A.member",
	// "A.member.1"), so that presence checks are one map lookup.
	prefixes map[string]bool
}

func newDecoder(f url.Values) *decoder {
	d := &decoder{f: f, prefixes: map[string]bool{}}
	for k := range f {
		d.prefixes[k] = true
		for i := 0; i < len(k); i++ {
			if k[i] == '.' {
				d.prefixes[k[:i]] = true
			}
		}
	}
	return d
}

func (d *decoder) has(key string) bool { return d.prefixes[key] }

func invalidValue(key, val string) error {
	return &api.Err{Code: "InvalidParameterValue", Status: http.StatusBadRequest,
		Message: fmt.Sprintf("Value (%s) for parameter %s is invalid.", val, key)}
}

func (d *decoder) structure(sv reflect.Value, prefix string) error {
	for _, f := range shape.Of(sv.Type()).Fields {
		key := prefix + xmlbody.WireName(f)
		if err := d.member(sv.Field(f.Index), f, rest.TypeOf(f), key, prefix); err != nil {
			return err
		}
	}
	return nil
}

// member decodes the value at key into v. prefix is key's parent prefix,
// needed for flattened lists whose items are named by the list member.
func (d *decoder) member(v reflect.Value, f *shape.Field, typ, key, prefix string) error {
	if !d.has(key) && !(typ == "list" && f != nil && f.Flattened) {
		return nil
	}
	switch typ {
	case "structure":
		t := v.Type()
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		p := reflect.New(t)
		if err := d.structure(p.Elem(), key+"."); err != nil {
			return err
		}
		if v.Kind() == reflect.Pointer {
			v.Set(p)
		} else {
			v.Set(p.Elem())
		}
		return nil
	case "list":
		return d.list(v, f, key, prefix)
	case "map":
		return d.mapping(v, f, key)
	case "document":
		return nil
	}
	vals := d.f[key]
	if len(vals) == 0 {
		return nil
	}
	ts := rest.ISO8601
	if f != nil && f.TimestampFormat != "" {
		ts = f.TimestampFormat
	}
	if err := rest.SetText(v, typ, ts, vals[0]); err != nil {
		return invalidValue(key, vals[0])
	}
	return nil
}

func (d *decoder) list(v reflect.Value, f *shape.Field, key, prefix string) error {
	if v.Kind() != reflect.Slice {
		return nil
	}
	member, flat := "member", false
	if f != nil {
		member, flat = f.MemberName, f.Flattened
	}
	// Where the items are: Name.member.N (Name.<memberName>.N), or flattened
	// Name.N, or, for a flattened list whose member has its own name, the
	// parent prefix plus that name (<memberName>.N), as botocore writes it.
	bases := []string{key + "." + member, key}
	if flat {
		bases = []string{key, prefix + member, key + "." + member}
	}
	base := ""
	for _, b := range bases {
		if d.has(b + ".1") {
			base = b
			break
		}
	}
	if base == "" {
		// "Name=" is how clients send an empty list.
		if vals, ok := d.f[key]; ok && len(vals) > 0 && vals[0] == "" {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		return nil
	}
	et := v.Type().Elem()
	etyp := rest.ModelType(et)
	l := reflect.MakeSlice(v.Type(), 0, 4)
	for i := 1; ; i++ {
		ek := base + "." + strconv.Itoa(i)
		if !d.has(ek) {
			break
		}
		ev := reflect.New(et).Elem()
		if err := d.member(ev, nil, etyp, ek, ""); err != nil {
			return err
		}
		l = reflect.Append(l, ev)
	}
	v.Set(l)
	return nil
}

func (d *decoder) mapping(v reflect.Value, f *shape.Field, key string) error {
	if v.Kind() != reflect.Map {
		return nil
	}
	keyName, valueName, flat := "key", "value", false
	if f != nil {
		keyName, valueName, flat = f.KeyName, f.ValueName, f.Flattened
	}
	bases := []string{key + ".entry", key}
	if flat {
		bases = []string{key, key + ".entry"}
	}
	base := ""
	for _, b := range bases {
		if d.has(b + ".1") {
			base = b
			break
		}
	}
	if base == "" {
		return nil
	}
	kt, et := v.Type().Key(), v.Type().Elem()
	etyp := rest.ModelType(et)
	m := reflect.MakeMap(v.Type())
	for i := 1; ; i++ {
		ek := base + "." + strconv.Itoa(i)
		if !d.has(ek) {
			break
		}
		kvals := d.f[ek+"."+keyName]
		if len(kvals) == 0 {
			continue
		}
		kv := reflect.New(kt).Elem()
		if err := rest.SetText(kv, "string", "", kvals[0]); err != nil {
			return invalidValue(ek+"."+keyName, kvals[0])
		}
		ev := reflect.New(et).Elem()
		if err := d.member(ev, nil, etyp, ek+"."+valueName, ""); err != nil {
			return err
		}
		m.SetMapIndex(kv, ev)
	}
	v.Set(m)
	return nil
}

// validate words model violations the way the service does: Coral's
// ValidationError (STS, IAM), or, for services that name the parameter (SQS,
// CloudWatch), MissingParameter or InvalidParameterValue.
func validate(svc *api.Service, in any) error {
	vs := protocol.Violations(in, svc)
	if len(vs) == 0 {
		return nil
	}
	if svc.Dialect.Validation == api.ValidationParameter {
		v := vs[0]
		if v.Constraint == "Member must not be null" {
			return &api.Err{Code: "MissingParameter", Status: http.StatusBadRequest,
				Message: fmt.Sprintf(svc.Dialect.MissingParameter, upperFirst(v.Path))}
		}
		e := protocol.ValidationError(vs)
		e.Code = "InvalidParameterValue"
		return e
	}
	e := protocol.ValidationError(vs)
	e.Code = "ValidationError"
	return e
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// EncodeOutput writes <OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata>
// <RequestId>…</RequestId></ResponseMetadata></OpResponse>; the Result element is
// left out when the operation's output has no members.
func (Codec) EncodeOutput(c *protocol.Call, w http.ResponseWriter, out any) error {
	name := "Operation"
	if c.Op != nil {
		name = c.Op.Name
	}
	var b bytes.Buffer
	b.WriteString("<" + name + "Response" + xmlns(c.Service) + ">")
	if wrapper, ok := resultWrapper(c, out); ok && wrapper != "" {
		b.WriteString("<" + wrapper + ">")
		xmlbody.EncodeMembers(&b, out, xmlbody.Options{})
		b.WriteString("</" + wrapper + ">")
	} else if ok {
		xmlbody.EncodeMembers(&b, out, xmlbody.Options{})
	}
	b.WriteString("<ResponseMetadata><RequestId>" + escape(c.RequestID) + "</RequestId></ResponseMetadata>")
	b.WriteString("</" + name + "Response>")
	h := w.Header()
	h.Set("x-amzn-RequestId", c.RequestID)
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b.Bytes())
	return err
}

// resultWrapper names the element around the output members: the model's
// resultWrapper (a tag on the blank field). A query model without one puts the
// members directly under <OpResponse>; a model converted from query to json
// (SQS) lost the wrappers its query clients expect, <OpResult> by convention.
// ok is false when the output has no members or no wrapper.
func resultWrapper(c *protocol.Call, out any) (string, bool) {
	t := reflect.TypeOf(out)
	if t == nil {
		if c.Op == nil || c.Op.NewOutput == nil {
			return "", false
		}
		t = reflect.TypeOf(c.Op.NewOutput())
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || len(shape.Of(t).Fields) == 0 {
		return "", false
	}
	if sf, ok := t.FieldByName("_"); ok {
		if rw := sf.Tag.Get("resultWrapper"); rw != "" {
			// The model sets the wrapper on each operation's output, always
			// <Op>Result; an output shape two operations share (IAM's
			// SimulatePolicyResponse) carries the first one's in its tag.
			if c.Op != nil && c.Op.Name != "" {
				return c.Op.Name + "Result", true
			}
			return rw, true
		}
	}
	if c.Service.HasProtocol(protocol.Query) || c.Op == nil {
		return "", true
	}
	return c.Op.Name + "Result", true
}

// EncodeError writes <ErrorResponse xmlns><Error><Type>Sender|Receiver</Type>
// <Code/><Message/></Error><RequestId/></ErrorResponse>, with the error's query
// code (awsQueryError) when it has one.
func (Codec) EncodeError(c *protocol.Call, w http.ResponseWriter, err error) {
	var ae api.Error
	if !errors.As(err, &ae) {
		ae = api.InternalError()
	}
	code := ae.ErrorCode()
	if qc, ok := ae.(api.QueryCoder); ok && qc.QueryErrorCode() != "" {
		code = qc.QueryErrorCode()
	}
	status := ae.HTTPStatus()
	if status == 0 {
		status = http.StatusBadRequest
	}
	msg, extra := xmlbody.ErrorDetails(ae)
	var b bytes.Buffer
	b.WriteString("<ErrorResponse" + xmlns(c.Service) + "><Error><Type>" + xmlbody.FaultType(ae) +
		"</Type><Code>" + escape(code) + "</Code><Message>" + escape(msg) + "</Message>")
	for _, f := range extra {
		b.WriteString("<" + f.Name + ">" + escape(f.Value) + "</" + f.Name + ">")
	}
	b.WriteString("</Error><RequestId>" + escape(c.RequestID) + "</RequestId></ErrorResponse>")
	h := w.Header()
	h.Set("x-amzn-RequestId", c.RequestID)
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func escape(s string) string {
	var b bytes.Buffer
	xmlbody.EscapeText(&b, s)
	return b.String()
}
