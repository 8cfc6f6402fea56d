package restxml

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/rest"
	"github.com/fogbank/fogbank/internal/protocol/shape"
	"github.com/fogbank/fogbank/internal/protocol/xmlbody"
)

// Codec is the rest-xml protocol. It is stateless; plans are cached by shape.Of.
type Codec struct{}

var _ protocol.Codec = Codec{}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// Name is "rest-xml".
func (Codec) Name() string { return protocol.RestXML }

func options(svc *api.Service) xmlbody.Options {
	return xmlbody.Options{Millis: svc != nil && svc.Dialect.TimestampMillis}
}

// argumentStyle tells a service that words bad values as InvalidArgument (S3).
func argumentStyle(svc *api.Service) bool {
	return svc != nil && svc.Dialect.Validation == api.ValidationArgument
}

// hexIDs tells a service whose request ids go in x-amz-request-id with a host
// id, and whose errors are a bare <Error> (S3).
func hexIDs(svc *api.Service) bool {
	return svc != nil && svc.Dialect.RequestID == api.RequestIDHex
}

// Namespace is the xmlns of the service's response roots.
func Namespace(svc *api.Service) string {
	switch {
	case svc == nil:
		return ""
	case svc.XMLNamespace != "":
		return svc.XMLNamespace
	case svc.Dialect.XMLNamespace != "":
		return svc.Dialect.XMLNamespace
	case svc.EndpointPrefix == "":
		return ""
	}
	return "https://" + svc.EndpointPrefix + ".amazonaws.com/doc/" + svc.APIVersion + "/"
}

// Route matches the method and escaped path against the operations' URI templates.
func (Codec) Route(c *protocol.Call, r *http.Request) error {
	op, labels, err := rest.Match(c.Service, r)
	if err != nil {
		return err
	}
	c.Op, c.Labels = op, labels
	return nil
}

func malformedXML() *api.Err {
	return &api.Err{Code: "MalformedXML", Status: http.StatusBadRequest,
		Message: "The XML you provided was not well-formed or did not validate against our published schema"}
}

// DecodeInput binds labels, querystring and headers, then the payload or body,
// then validates the result against the model.
func (Codec) DecodeInput(c *protocol.Call, r *http.Request, in any) error {
	if err := rest.DecodeNonBody(c.Labels, r, in); err != nil {
		var be *rest.BindError
		if errors.As(err, &be) {
			return invalidArgument(c, be)
		}
		return err
	}
	if streamsBody(in) {
		if err := bodyLength(r); err != nil {
			return err
		}
	}
	handled, err := rest.DecodeRawPayload(r, in)
	if err != nil {
		return &api.Err{Code: "IncompleteBody", Status: http.StatusBadRequest,
			Message: "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	}
	if !handled {
		if err := decodeBody(c, r, in); err != nil {
			return err
		}
	}
	return validate(c, in)
}

// bodyLength refuses an object body whose length S3 cannot know, as S3 does
// (see docs/s3-tests-failures.md, "Bodies without a length"):
//   - an aws-chunked body (x-amz-content-sha256 STREAMING-…) needs
//     x-amz-decoded-content-length, with Content-Length or Transfer-Encoding
//     (botocore sends the latter since 2025): 411 MissingContentLength;
//   - a plain Transfer-Encoding: chunked body is refused as an unsupported
//     header, 501 NotImplemented (clients report this answer from S3 over the
//     years: knox, HTTP.jl, aws-sdk-js-v3 #3400, iRODS in 2026);
//   - no Content-Length and no Transfer-Encoding at all: 411
//     MissingContentLength (s3-tests' test_object_create_bad_contentlength_none).
func bodyLength(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		if _, err := strconv.ParseUint(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 63); err != nil {
			return missingContentLength()
		}
		return nil
	}
	if len(r.TransferEncoding) > 0 {
		return (&api.Err{Code: "NotImplemented", Status: http.StatusNotImplemented,
			Message: "A header you provided implies functionality that is not implemented"}).With("Header", "Transfer-Encoding")
	}
	if r.Header.Get("Content-Length") == "" && r.ContentLength <= 0 {
		return missingContentLength()
	}
	return nil
}

func missingContentLength() *api.Err {
	return &api.Err{Code: "MissingContentLength", Status: http.StatusLengthRequired,
		Message: "You must provide the Content-Length HTTP header."}
}

// streamsBody tells whether in's payload is a stream the handler reads (an
// object's body), rather than a document.
func streamsBody(in any) bool {
	rv := reflect.ValueOf(in)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	f := rest.PayloadField(shape.Of(rv.Type()))
	if !rest.IsRawPayload(f) {
		return false
	}
	ft := rv.Elem().Field(f.Index).Type()
	return ft.Kind() == reflect.Interface && ft.NumMethod() > 0
}

func invalidArgument(c *protocol.Call, be *rest.BindError) error {
	e := &api.Err{Code: "InvalidArgument", Status: http.StatusBadRequest}
	if !argumentStyle(c.Service) {
		e.Code = "InvalidInput"
	}
	switch be.Location {
	case "header":
		e.Message = "Invalid header value for " + be.Wire
	case "querystring":
		e.Message = "Invalid value for query parameter " + be.Wire
	default:
		e.Message = "Invalid value for " + be.Wire
	}
	if argumentStyle(c.Service) {
		e.With("ArgumentName", be.Wire).With("ArgumentValue", be.Value)
	}
	return e
}

// decodeBody reads an XML body into the structure payload member, or into the
// input's body members when the input has no payload.
func decodeBody(c *protocol.Call, r *http.Request, in any) error {
	rv := reflect.ValueOf(in)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil
	}
	s := shape.Of(rv.Type())
	pf := rest.PayloadField(s)
	if pf == nil && len(rest.BodyFields(s)) == 0 {
		return nil
	}
	if r.Body == nil {
		return nil
	}
	// Parsed as it streams in: only the bounded tree is kept, never the body.
	root, err := xmlbody.Parse(r.Body)
	if errors.Is(err, xmlbody.ErrEmpty) {
		return nil
	}
	if err != nil {
		return malformedXML()
	}
	if pf != nil && pf.LocationName != "" && root.Name.Local != pf.LocationName {
		// S3 checks the document against its schema, whose root is the
		// payload's element: a CompleteMultipartUpload of <Foo> completes nothing.
		return malformedXML()
	}
	target := in
	if pf != nil {
		fv := rv.Elem().Field(pf.Index)
		if fv.Kind() != reflect.Pointer || fv.Type().Elem().Kind() != reflect.Struct {
			return nil
		}
		p := reflect.New(fv.Type().Elem())
		fv.Set(p)
		target = p.Interface()
	}
	if err := xmlbody.Decode(root, target, options(c.Service)); err != nil {
		return malformedXML()
	}
	return nil
}

func validate(c *protocol.Call, in any) error {
	vs := protocol.Violations(in, c.Service)
	if len(vs) == 0 {
		return nil
	}
	e := protocol.ValidationError(vs)
	if argumentStyle(c.Service) {
		// S3 has no Coral validator: a body that breaks the schema (a required
		// member missing, an element outside its enumeration: any violation below
		// the top level, which is the payload) is MalformedXML; a bad header or
		// query value is an InvalidArgument.
		for _, v := range vs {
			if v.Constraint == "Member must not be null" || strings.Contains(v.Path, ".") {
				return malformedXML()
			}
		}
		e.Code = "InvalidArgument"
		return e
	}
	e.Code = "InvalidInput"
	return e
}

// requestHeaders sets the request-id headers the service's clients read. The
// keys are written canonical (as Set would make them) to save canonicalizing.
func requestHeaders(c *protocol.Call, h http.Header) {
	if hexIDs(c.Service) {
		h["X-Amz-Request-Id"] = []string{c.RequestID}
		h["X-Amz-Id-2"] = []string{hostID(c.RequestID)}
		return
	}
	h["X-Amzn-Requestid"] = []string{c.RequestID}
}

// hostID derives S3's x-amz-id-2 from the request id, so that both stay stable
// for one request and the log can match them.
func hostID(requestID string) string {
	var buf [64]byte
	sum := sha256.Sum256(append(append(buf[:0], "fogbank-host:"...), requestID...))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// EncodeOutput writes headers and status from the output's located members, then
// a raw payload, an XML payload, or the body members under the output's root.
func (Codec) EncodeOutput(c *protocol.Call, w http.ResponseWriter, out any) error {
	h := w.Header()
	requestHeaders(c, h)
	status := rest.EncodeNonBody(h, c.Op, out)
	if c.Service != nil && c.Op != nil && slices.Contains(c.Service.Dialect.NoContent, c.Op.Name) && status == http.StatusOK {
		status = http.StatusNoContent
	}
	if handled, err := rest.WriteRawPayload(w, status, out); handled {
		return err
	}
	body := encodeBody(c, out)
	if body == nil {
		w.WriteHeader(status)
		return nil
	}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// encodeBody renders the XML body of out, or nil when it has none.
func encodeBody(c *protocol.Call, out any) []byte {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil
	}
	s := shape.Of(rv.Type())
	opt := options(c.Service)
	ns := Namespace(c.Service)
	var b bytes.Buffer
	if pf := rest.PayloadField(s); pf != nil {
		fv := rv.Elem().Field(pf.Index)
		if fv.Kind() != reflect.Pointer || fv.IsNil() {
			return nil
		}
		name := pf.LocationName
		ps := shape.Of(fv.Type())
		if !pf.HasLocName && ps.LocationName != "" {
			name = ps.LocationName
		}
		if pf.XMLURI != "" {
			ns = pf.XMLURI
		} else if ps.XMLURI != "" {
			ns = ps.XMLURI
		}
		b.WriteString(xmlHeader)
		xmlbody.Encode(&b, name, ns, fv.Interface(), opt)
		return b.Bytes()
	}
	fields := rest.BodyFields(s)
	if len(fields) == 0 {
		return nil
	}
	name := rootName(c, s)
	if s.XMLURI != "" {
		ns = s.XMLURI
	}
	b.WriteString(xmlHeader)
	// S3's GetBucketLocation answers <LocationConstraint>eu-west-1</LocationConstraint>:
	// the one member is the root itself.
	if len(fields) == 1 && fields[0].LocationName == name && isScalar(fields[0]) {
		f := fields[0]
		b.WriteString("<" + name)
		if ns != "" {
			b.WriteString(` xmlns="` + escape(ns) + `"`)
		}
		b.WriteString(">")
		if t, ok := rest.Text(rv.Elem().Field(f.Index), rest.TypeOf(f), rest.ISO8601, opt.Millis); ok {
			b.WriteString(escape(t))
		}
		b.WriteString("</" + name + ">")
		return b.Bytes()
	}
	xmlbody.Encode(&b, name, ns, out, opt)
	return b.Bytes()
}

func isScalar(f *shape.Field) bool {
	switch rest.TypeOf(f) {
	case "structure", "list", "map":
		return false
	}
	return true
}

// rootName is the element S3 (and other rest-xml services) wrap an output's body
// members in. The models do not state it for most outputs, and clients ignore
// it, but tools that compare bodies (and people) do not.
func rootName(c *protocol.Call, s *shape.Struct) string {
	if s.LocationName != "" {
		return s.LocationName
	}
	if c.Op == nil {
		return "Result"
	}
	if root := c.Service.Dialect.ResponseRoot; root != nil {
		if n := root(c.Op.Name); n != "" {
			return n
		}
	}
	return c.Op.Name + "Result"
}

// EncodeError writes err as S3's <Error> document, or for other rest-xml
// services as <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>.
// HEAD answers carry no body, only the status and headers.
func (Codec) EncodeError(c *protocol.Call, w http.ResponseWriter, err error) {
	ae, ok := err.(api.Error)
	if !ok && !errors.As(err, &ae) {
		ae = api.InternalError()
	}
	code, status := ae.ErrorCode(), ae.HTTPStatus()
	if status == 0 {
		status = http.StatusBadRequest
	}
	msg, extra := xmlbody.ErrorDetails(ae)
	h := w.Header()
	requestHeaders(c, h)
	// Some answers carry headers besides the error body: S3's x-amz-delete-marker
	// on a 404, ETag and Last-Modified on a 304.
	var rh interface{ ResponseHeaders() http.Header }
	if errors.As(err, &rh) {
		for k, v := range rh.ResponseHeaders() {
			h[k] = v
		}
	}
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	if hexIDs(c.Service) {
		b.WriteString("<Error><Code>" + escape(code) + "</Code><Message>" + escape(msg) + "</Message>")
		for _, f := range extra {
			b.WriteString("<" + f.Name + ">" + escape(f.Value) + "</" + f.Name + ">")
		}
		b.WriteString("<RequestId>" + escape(c.RequestID) + "</RequestId><HostId>" + hostID(c.RequestID) + "</HostId></Error>")
	} else {
		ns := ""
		if n := Namespace(c.Service); n != "" {
			ns = ` xmlns="` + escape(n) + `"`
		}
		b.WriteString("<ErrorResponse" + ns + "><Error><Type>" + xmlbody.FaultType(ae) +
			"</Type><Code>" + escape(code) + "</Code><Message>" + escape(msg) + "</Message>")
		for _, f := range extra {
			b.WriteString("<" + f.Name + ">" + escape(f.Value) + "</" + f.Name + ">")
		}
		b.WriteString("</Error><RequestId>" + escape(c.RequestID) + "</RequestId></ErrorResponse>")
	}
	if c.Op != nil && c.Op.HTTPMethod == http.MethodHead || status == http.StatusNotModified || status < 200 {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func escape(s string) string {
	var b bytes.Buffer
	xmlbody.EscapeText(&b, s)
	return b.String()
}
