package restjson

import (
	"errors"
	"net/http"
	"reflect"
	"strconv"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
	"github.com/fogbank/fogbank/internal/protocol/rest"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// Codec is the rest-json protocol. It is stateless.
type Codec struct{}

var _ protocol.Codec = Codec{}

// Name is the protocol's name in the models.
func (Codec) Name() string { return protocol.RestJSON }

// MaxBody bounds a JSON request body read into memory. Lambda's largest
// (CreateFunction with an inline zip, base64) stays under 70 MB.
const MaxBody = 70 << 20

// Route matches the method and URI against the operations' templates.
func (Codec) Route(c *protocol.Call, r *http.Request) error {
	if c.Service == nil {
		return &api.Err{Code: "UnknownOperationException", Status: http.StatusNotFound}
	}
	op, labels, err := rest.Match(c.Service, r)
	if err != nil {
		return err
	}
	c.Op, c.Labels = op, labels
	return nil
}

// DecodeInput binds the URI labels, query string and headers, then the body:
// a raw payload member gets the bytes (or the stream), a structure or document
// payload member the decoded JSON, and otherwise the body's JSON object fills the
// members without a location. Then it validates.
func (Codec) DecodeInput(c *protocol.Call, r *http.Request, in any) error {
	if err := rest.DecodeNonBody(c.Labels, r, in); err != nil {
		return bindError(err)
	}
	handled, err := rest.DecodeRawPayload(r, in)
	if err != nil {
		return bindError(err)
	}
	if !handled {
		body, err := jsonbody.ReadBody(r, MaxBody)
		if err != nil {
			return err
		}
		if err := decodeBody(body, in); err != nil {
			return err
		}
	}
	return protocol.Validate(in, svcOf(c))
}

func decodeBody(body []byte, in any) error {
	rv := reflect.ValueOf(in)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return api.InternalError()
	}
	s := shape.Of(rv.Type())
	f := rest.PayloadField(s)
	if f == nil {
		return jsonbody.Unmarshal(body, in)
	}
	raw, err := jsonbody.Parse(body)
	if err != nil || raw == nil {
		return err
	}
	if m, ok := raw.(map[string]any); ok && len(m) == 0 && f.Type == "structure" {
		// Clients send {} for an absent structure payload.
		return nil
	}
	return jsonbody.Assign(raw, rv.Elem().Field(f.Index), f)
}

// bindError words a binding failure as rest-json services do.
func bindError(err error) error {
	var be *rest.BindError
	if errors.As(err, &be) {
		return &api.Err{Code: "SerializationException", Status: http.StatusBadRequest,
			Message: "Invalid value '" + be.Value + "' for " + be.Location + " " + be.Wire}
	}
	return err
}

// EncodeOutput writes the header members and status, then the payload member
// (raw, or as JSON) or the JSON object of the members without a location.
func (Codec) EncodeOutput(c *protocol.Call, w http.ResponseWriter, out any) error {
	h := w.Header()
	status := rest.EncodeNonBody(h, c.Op, out)
	if c.RequestID != "" {
		h.Set("x-amzn-RequestId", c.RequestID)
	}
	rv := reflect.ValueOf(out)
	if !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()) {
		return writeJSON(w, status, []byte("{}"))
	}
	s := shape.Of(rv.Type())
	f := rest.PayloadField(s)
	if f != nil {
		if rest.IsRawPayload(f) {
			_, err := rest.WriteRawPayload(w, status, out)
			return err
		}
		fv := rv.Elem().Field(f.Index)
		if fv.Kind() == reflect.Pointer && fv.IsNil() || fv.Kind() == reflect.Interface && fv.IsNil() {
			// An absent structure payload is an empty body.
			h.Set("Content-Length", "0")
			w.WriteHeader(status)
			return nil
		}
		return writeJSON(w, status, jsonbody.AppendValue(nil, fv, f))
	}
	return writeJSON(w, status, jsonbody.MarshalBody(rv))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) error {
	h := w.Header()
	if status == http.StatusNoContent || status == http.StatusNotModified {
		// No body may follow (Lambda's DeleteFunction answers 204).
		w.WriteHeader(status)
		return nil
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// EncodeError writes the error with x-amzn-ErrorType and a JSON body of its
// members ({"message": ...} for errors without a shape), or in the service's
// dialect: Lambda's {"Type": "User", "Message": ...}.
func (Codec) EncodeError(c *protocol.Call, w http.ResponseWriter, err error) {
	e := jsonbody.DescribeError(err)
	svc := svcOf(c)
	h := w.Header()
	h.Set("x-amzn-ErrorType", e.Code)
	if c != nil && c.RequestID != "" {
		h.Set("x-amzn-RequestId", c.RequestID)
	}
	if svc.QueryCompatible {
		h.Set("x-amzn-query-error", e.QueryErrorHeader())
	}
	msgKey := "message"
	if svc.Dialect.ErrorMessageKey != "" {
		msgKey = svc.Dialect.ErrorMessageKey
	}
	var extra []api.Field
	if svc.Dialect.ErrorType {
		if !hasField(e.Value, "Type") {
			who := "User"
			if !e.Sender {
				who = "Service"
			}
			extra = append(extra, api.Field{Name: "Type", Value: who})
		}
	}
	writeJSON(w, e.Status, jsonbody.AppendErrorBody(nil, "", e, msgKey, extra...))
}

// hasField tells whether the error value has the named member set.
func hasField(v reflect.Value, name string) bool {
	if !v.IsValid() {
		return false
	}
	f := v.FieldByName(name)
	return f.IsValid() && !(f.Kind() == reflect.Pointer && f.IsNil())
}

var noService = &api.Service{}

func svcOf(c *protocol.Call) *api.Service {
	if c == nil || c.Service == nil {
		return noService
	}
	return c.Service
}
