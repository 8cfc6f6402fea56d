package gateway

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
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
func (g *Gateway) jsonPreflight(c *protocol.Call, r *http.Request) error {
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

// corsPreflight answers a browser's OPTIONS / (no bucket, so not S3's per-bucket
// CORS) as AWS's JSON services do, the asked headers and method for two days,
// but for the origin only (it passed refuseForeign), where AWS allows any.
// Browser-based tools for DynamoDB and friends need it.
func (g *Gateway) corsPreflight(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodOptions || r.URL.Path != "/" || r.Header.Get("Origin") == "" {
		return false
	}
	h := w.Header()
	g.allowOrigin(w, r)
	if v := r.Header.Get("Access-Control-Request-Headers"); v != "" {
		h.Set("Access-Control-Allow-Headers", v)
	}
	if v := r.Header.Get("Access-Control-Request-Method"); v != "" {
		h.Set("Access-Control-Allow-Methods", v)
	}
	h.Set("Access-Control-Max-Age", "172800")
	h.Set("X-Amzn-Requestid", requestIDFor("dynamodb"))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return true
}
