package gateway

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
	"github.com/fogbank/fogbank/internal/protocol/jsonrpc"
)

// jsonPreflight answers what AWS's JSON front end answers before it looks at a
// signature, in its order: a body too large (413), a body that is not JSON
// (SerializationException), then a missing or unknown target
// (UnknownOperationException). Unsigned or wrongly signed requests are told so
// only after these, as on AWS. The body is only checked here, never parsed into
// values: that waits for the signature. A signed body is kept in memory
// (bounded by the service's limit) for the signature check and the codec; an
// unsigned one, which the signature check refuses whatever it holds, is read
// through and dropped.
func (g *Gateway) jsonPreflight(c *protocol.Call, r *http.Request, st *requestState) error {
	if r.Body != nil && r.Body != http.NoBody {
		limit := jsonrpc.MaxBody(c.Service)
		if r.ContentLength > limit {
			return jsonbody.TooLarge(limit)
		}
		compressed := r.Header.Get("Content-Encoding") != ""
		if !signed(r) && !compressed {
			ok, tooLarge := jsonbody.Check(r.Body, limit)
			r.Body.Close()
			r.Body = http.NoBody
			switch {
			case tooLarge:
				return jsonbody.TooLarge(limit)
			case !ok:
				return &api.Err{Code: "SerializationException", Status: http.StatusBadRequest}
			}
			return g.codecFor(c).Route(c, r)
		}
		if err := st.admitBody(r, limit); err != nil {
			return err
		}
		var buf bytes.Buffer
		if r.ContentLength > 0 {
			buf.Grow(int(r.ContentLength)) // one allocation of the right size
		}
		_, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
		r.Body.Close()
		if err != nil {
			return &api.Err{Code: "SerializationException", Status: http.StatusBadRequest}
		}
		body := buf.Bytes()
		if int64(len(body)) > limit {
			// Refused before the signature, which could not match the bytes kept.
			return jsonbody.TooLarge(limit)
		}
		r.Body = jsonbody.NewBody(body)
		if !compressed {
			if !jsonbody.Valid(body) {
				return &api.Err{Code: "SerializationException", Status: http.StatusBadRequest}
			}
		}
	}
	return g.codecFor(c).Route(c, r)
}

// signed tells whether r carries a signature of any kind (which the verifier
// then judges). JSON services have no anonymous callers.
func signed(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	q := r.URL.RawQuery
	return strings.Contains(q, "X-Amz-Algorithm") || strings.Contains(q, "Signature")
}

// bareJSONPost tells an unsigned POST / of a JSON body (or of nothing) with no
// X-Amz-Target: no S3 request looks like that, and AWS's JSON front end answers it (with
// UnknownOperationException), so it is given to the JSON service answering in
// Coral's own words.
func bareJSONPost(r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return false
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json", "application/x-amz-json-1.0":
		return true
	case "":
		return r.ContentLength == 0 // an empty POST / is nothing else either
	}
	return false
}

// isPreflight tells a browser's CORS preflight of / (OPTIONS with Origin, no
// bucket, so not S3's per-bucket CORS), which AWS's JSON services answer: it
// goes to the service whose dialect claims bare JSON requests.
func (g *Gateway) isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.URL.Path == "/" && r.Header.Get("Origin") != "" &&
		g.bareJSON != nil && g.bareJSON.Service.Dialect.CORS == api.CORSAnyOrigin
}

// PreflightInput is a browser's CORS preflight, the input of the
// PreflightRequest pseudo-operation the gateway answers for services whose
// dialect lets any origin in.
type PreflightInput struct {
	Origin         string
	RequestMethod  string // Access-Control-Request-Method
	RequestHeaders string // Access-Control-Request-Headers
}

// PreflightOutput is the answer to a preflight: its headers (the origin's is
// the gateway's, set for every answer of these services: see allowOrigin).
type PreflightOutput struct {
	AllowHeaders, AllowMethods, MaxAge string
}

// preflightOp is the pseudo-operation of preflights the gateway answers itself.
var preflightOp = &api.Operation{
	Name: "PreflightRequest", HTTPMethod: http.MethodOptions, RequestURI: "/", AuthType: "none",
	NewInput:  func() any { return &PreflightInput{} },
	NewOutput: func() any { return &PreflightOutput{} },
	// The asked headers and method, for two days, as AWS's JSON services
	// answer (for any origin, where fogbank lets in only the origins it allows:
	// refuseForeign). Browser-based tools for DynamoDB and friends need it.
	Call: func(_ context.Context, _ any, in any) (any, error) {
		p := in.(*PreflightInput)
		return &PreflightOutput{AllowHeaders: p.RequestHeaders, AllowMethods: p.RequestMethod, MaxAge: "172800"}, nil
	},
}

// servePreflight passes a preflight through the chain as the PreflightRequest
// pseudo-operation (unsigned: browsers never sign one) and writes its headers.
func (g *Gateway) servePreflight(w *statusWriter, r *http.Request, st *requestState, b *Bound) {
	c, inv := &st.c, &st.inv
	pr := auth.AnonymousPrincipal()
	st.caller = api.Caller{Account: pr.Account, Region: "us-east-1", RequestID: c.RequestID, ARN: pr.ARN,
		UserID: pr.UserID, Anonymous: true, Host: r.Host}
	c.Account, c.Region, c.Op = st.caller.Account, st.caller.Region, preflightOp
	inv.Caller, inv.Operation, inv.Op = &st.caller, preflightOp.Name, preflightOp
	inv.Input = &PreflightInput{Origin: r.Header.Get("Origin"),
		RequestMethod:  r.Header.Get("Access-Control-Request-Method"),
		RequestHeaders: r.Header.Get("Access-Control-Request-Headers")}
	out, err := b.chain(api.WithCaller(r.Context(), &st.caller), inv)
	if err != nil {
		g.fail(c, w, inv, err)
		return
	}
	p, _ := out.(*PreflightOutput)
	if p == nil {
		p = &PreflightOutput{}
	}
	h := w.Header()
	for _, kv := range [...][2]string{{"Access-Control-Allow-Headers", p.AllowHeaders},
		{"Access-Control-Allow-Methods", p.AllowMethods}, {"Access-Control-Max-Age", p.MaxAge}} {
		if kv[1] != "" {
			h.Set(kv[0], kv[1])
		}
	}
	h.Set("X-Amzn-Requestid", c.RequestID)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}
