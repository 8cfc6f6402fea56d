package rpcv2cbor

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/cbor"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
)

// Codec is the smithy-rpc-v2-cbor protocol. It is stateless.
type Codec struct{}

var _ protocol.Codec = Codec{}

// Header names and values of the protocol.
const (
	HeaderProtocol = "Smithy-Protocol"
	ProtocolValue  = "rpc-v2-cbor"
	ContentType    = "application/cbor"
)

// MaxBody bounds a request body; CloudWatch's largest request (PutMetricData)
// is 1 MB, and compressed bodies are not accepted.
const MaxBody = 16 << 20

// Name is the protocol's name in the models.
func (Codec) Name() string { return protocol.RPCv2CBOR }

// IsRPCv2CBOR tells whether r claims this protocol; the gateway may use it to
// pick the codec.
func IsRPCv2CBOR(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get(HeaderProtocol), ProtocolValue)
}

// Route reads {prefix?}/service/{serviceName}/operation/{operationName}: only the
// last four segments count. serviceName is the service shape's name (the json
// target prefix, "GraniteServiceVersion20100801" for CloudWatch) or its absolute
// shape ID with '#' as '.'.
func (Codec) Route(c *protocol.Call, r *http.Request) error {
	if r.Method != http.MethodPost {
		return unknownOperation()
	}
	// The spec makes a request carrying a json target malformed, for security.
	if r.Header.Get("X-Amz-Target") != "" || r.Header.Get("X-Amzn-Target") != "" {
		return unknownOperation()
	}
	segs := strings.Split(strings.TrimSuffix(r.URL.EscapedPath(), "/"), "/")
	if len(segs) < 4 {
		return unknownOperation()
	}
	segs = segs[len(segs)-4:]
	if segs[0] != "service" || segs[2] != "operation" || c.Service == nil {
		return unknownOperation()
	}
	name := segs[1]
	want := c.Service.TargetPrefix
	if name != want && name != strings.TrimSuffix(Namespace(c.Service), "#")+"."+want {
		return unknownOperation()
	}
	op := c.Service.Op(segs[3])
	if op == nil {
		return unknownOperation()
	}
	c.Op = op
	return nil
}

func unknownOperation() *api.Err {
	return &api.Err{Code: "UnknownOperationException", Status: http.StatusNotFound}
}

// DecodeInput reads the CBOR map body into in and validates it. An empty body is
// an empty input, as clients send for operations without input.
func (Codec) DecodeInput(c *protocol.Call, r *http.Request, in any) error {
	body, err := jsonbody.ReadBody(r, MaxBody)
	if err != nil {
		return err
	}
	if len(body) > 0 {
		raw, err := cbor.Decode(body)
		if err != nil {
			return serializationError("malformed CBOR body: " + err.Error())
		}
		if _, ok := raw.(map[string]any); !ok && raw != nil {
			return mismatch(raw, "map", "")
		}
		rv := reflect.ValueOf(in)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			return api.InternalError()
		}
		if err := assign(raw, rv.Elem(), ""); err != nil {
			return err
		}
	}
	var svc *api.Service
	if c != nil {
		svc = c.Service
	}
	return protocol.Validate(in, svc)
}

// EncodeOutput writes out as a CBOR map. Operations without output get an empty
// map too: SDKs read an empty map and an empty body alike, and the empty-struct
// and no-output cases look the same in the generated tables.
func (Codec) EncodeOutput(c *protocol.Call, w http.ResponseWriter, out any) error {
	rv := reflect.ValueOf(out)
	for rv.IsValid() && rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	var body []byte
	if rv.IsValid() && rv.Kind() == reflect.Struct {
		body = appendStruct(make([]byte, 0, 256), rv, nil)
	} else {
		body = cbor.AppendMapHead(nil, 0)
	}
	write(c, w, http.StatusOK, body)
	return nil
}

// EncodeError writes a CBOR map with __type (the error's absolute shape ID) and
// the error's members, or "message" for errors without a shape.
func (Codec) EncodeError(c *protocol.Call, w http.ResponseWriter, err error) {
	e := jsonbody.DescribeError(err)
	svc := svcOf(c)
	if svc.QueryCompatible {
		w.Header().Set("x-amzn-query-error", e.QueryErrorHeader())
	}
	lead := []string{"__type", Namespace(svc) + e.Code}
	var body []byte
	if e.Value.IsValid() {
		body = appendStruct(nil, e.Value, lead)
	} else {
		n := 1 + len(e.Extra)
		if e.Message != "" {
			n++
		}
		body = cbor.AppendMapHead(nil, n)
		body = cbor.AppendText(cbor.AppendText(body, lead[0]), lead[1])
		if e.Message != "" {
			body = cbor.AppendText(cbor.AppendText(body, "message"), e.Message)
		}
		for _, f := range e.Extra {
			body = cbor.AppendText(cbor.AppendText(body, f.Name), f.Value)
		}
	}
	write(c, w, e.Status, body)
}

func write(c *protocol.Call, w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set(HeaderProtocol, ProtocolValue)
	h.Set("Content-Type", ContentType)
	if c != nil && c.RequestID != "" {
		h.Set("x-amzn-RequestId", c.RequestID)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// Namespace is the service's Smithy namespace with the '#' that starts a shape
// name: its dialect's ErrorNamespace, else "com.amazonaws.<name>#".
func Namespace(svc *api.Service) string {
	if ns := svc.Dialect.ErrorNamespace; ns != "" {
		return ns
	}
	return "com.amazonaws." + svc.Name + "#"
}

var noService = &api.Service{}

func svcOf(c *protocol.Call) *api.Service {
	if c == nil || c.Service == nil {
		return noService
	}
	return c.Service
}
