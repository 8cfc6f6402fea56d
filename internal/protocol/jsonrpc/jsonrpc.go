package jsonrpc

import (
	"errors"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
)

// Codec is the json protocol (awsJson1_0 and awsJson1_1). It is stateless.
type Codec struct{}

var _ protocol.Codec = Codec{}

// Name is the protocol's name in the models.
func (Codec) Name() string { return protocol.JSON }

// Route finds the operation from X-Amz-Target: "<TargetPrefix>.<Operation>".
func (Codec) Route(c *protocol.Call, r *http.Request) error {
	target := r.Header.Get("X-Amz-Target")
	// Target prefixes may hold dots themselves ("com.amazonaws.foo"); names never do.
	i := strings.LastIndexByte(target, '.')
	if i < 0 || r.Method != http.MethodPost || c.Service == nil || target[:i] != c.Service.TargetPrefix {
		return unknownOperation()
	}
	op := c.Service.Op(target[i+1:])
	if op == nil {
		return unknownOperation()
	}
	c.Op = op
	return nil
}

// unknownOperation is what Coral answers for a missing or unknown target: a bare
// type with no message.
func unknownOperation() *api.Err {
	return &api.Err{Code: "UnknownOperationException", Status: http.StatusBadRequest}
}

// DecodeInput reads the JSON body into in and validates it.
func (Codec) DecodeInput(c *protocol.Call, r *http.Request, in any) error {
	body, err := jsonbody.ReadBody(r, MaxBody(svcOf(c)))
	if err != nil {
		return err
	}
	if chk := svcOf(c).Dialect.CheckJSON; chk != nil && c.Op != nil {
		if ce := r.Header.Get("Content-Encoding"); ce == "" || ce == "identity" {
			var v any
			parsed := false
			bb, isBody := r.Body.(*jsonbody.Body)
			if isBody {
				v, parsed = bb.Value(body)
			}
			replace, value, err := chk(c.Op, c.Account, body, v, parsed)
			if err != nil {
				return err
			}
			if isBody && replace == nil && value != nil && !parsed {
				bb.SetValue(value) // UnmarshalBody assigns it rather than parse again
			}
			if replace != nil {
				if err := jsonbody.Unmarshal(replace, in); err != nil {
					return err
				}
				return protocol.Validate(in, c.Service)
			}
		}
	}
	if err := jsonbody.UnmarshalBody(r.Body, body, in); err != nil {
		return err
	}
	return protocol.Validate(in, c.Service)
}

// MaxBody is the largest request body a service accepts: its dialect's, else a
// bound well above the stated payload limits of the services that state none.
func MaxBody(svc *api.Service) int64 {
	if svc != nil && svc.Dialect.MaxBody > 0 {
		return svc.Dialect.MaxBody
	}
	return 64 << 20
}

// contentType is the media type of the answer: the request's, when it is one of
// the JSON types AWS's JSON front end accepts (it answers application/json to
// application/json and to a request with no type), else the model's JSON version.
func contentType(c *protocol.Call) string {
	switch c.ContentType {
	case "application/json", "application/x-amz-json-1.0", "application/x-amz-json-1.1":
		return c.ContentType
	case "":
		return "application/json" // what AWS answers a request that names no type
	}
	svc := svcOf(c)
	v := svc.JSONVersion
	if v == "" {
		v = "1.0"
	}
	return "application/x-amz-json-" + v
}

// EncodeOutput writes out as a JSON object ({} for no output).
func (Codec) EncodeOutput(c *protocol.Call, w http.ResponseWriter, out any) error {
	body, err := jsonbody.Marshal(out)
	if err != nil {
		return err
	}
	write(c, w, http.StatusOK, body)
	return nil
}

func write(c *protocol.Call, w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType(c))
	}
	// Keys in canonical form (as Set would write them), saving the canonicalizing.
	if c != nil && c.RequestID != "" {
		h["X-Amzn-Requestid"] = []string{c.RequestID}
	}
	d := &svcOf(c).Dialect
	if d.Compress && len(body) > compressThreshold && c.AcceptEncoding != "" {
		if enc := chooseEncoding(c.AcceptEncoding); enc != "" {
			body = compress(body, enc)
			h["Content-Encoding"] = []string{enc}
		}
	}
	if d.CRC32 {
		// The SDKs check this CRC32 of the body (as sent, compressed or not)
		// and retry on a mismatch.
		h["X-Amz-Crc32"] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)}
	}
	if d.Server != "" {
		h["Server"] = []string{d.Server}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}

// EncodeError writes err as {"__type": ..., "message": ...} with x-amzn-ErrorType,
// and x-amzn-query-error for awsQueryCompatible services.
func (Codec) EncodeError(c *protocol.Call, w http.ResponseWriter, err error) {
	e := jsonbody.DescribeError(err)
	h := w.Header()
	h.Set("x-amzn-ErrorType", e.Code)
	if svcOf(c).QueryCompatible {
		h.Set("x-amzn-query-error", e.QueryErrorHeader())
	}
	key := "message"
	if mk, ok := err.(api.MessageKeyer); ok {
		key = mk.MessageKey()
	}
	body := jsonbody.AppendErrorBody(nil, TypeName(svcOf(c), e.Code, e.Value.IsValid()), e, key)
	write(c, w, e.Status, body)
}

// coralTypes are the errors Coral itself raises, before any service code runs;
// namespace-qualifying services name them in Coral's namespaces.
var coralTypes = map[string]string{
	"SerializationException":              "com.amazon.coral.service#",
	"UnknownOperationException":           "com.amazon.coral.service#",
	"ValidationException":                 "com.amazon.coral.validate#",
	"AccessDeniedException":               "com.amazon.coral.service#",
	"IncompleteSignatureException":        "com.amazon.coral.service#",
	"MissingAuthenticationTokenException": "com.amazon.coral.service#",
	"UnrecognizedClientException":         "com.amazon.coral.service#",
	"InvalidSignatureException":           "com.amazon.coral.service#",
	"ThrottlingException":                 "com.amazon.coral.availability#",
	"RequestEntityTooLarge":               "com.amazon.coral.service#",
	"InternalFailure":                     "com.amazon.coral.service#",
}

// TypeName is the __type an error is sent with. SDKs take what follows the last
// '#' (and drop anything after ':'), so both forms parse.
func TypeName(svc *api.Service, code string, modeled bool) string {
	ns := svc.Dialect.ErrorNamespace
	if ns == "" {
		return code
	}
	if !modeled {
		if p, ok := coralTypes[code]; ok {
			return p + code
		}
	}
	return ns + code
}

// IsUnknownOperation tells whether err is Route's answer for an unknown target.
func IsUnknownOperation(err error) bool {
	var e *api.Err
	return errors.As(err, &e) && e.Code == "UnknownOperationException"
}

var noService = &api.Service{}

// svcOf tolerates a Call without a service, so errors found before the service
// is known still get written.
func svcOf(c *protocol.Call) *api.Service {
	if c == nil || c.Service == nil {
		return noService
	}
	return c.Service
}
