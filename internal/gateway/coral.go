package gateway

import (
	"bytes"
	"io"
	"mime"
	"net/http"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
	"github.com/fogbank/fogbank/internal/protocol/jsonrpc"
)

// jsonPreflight answers what AWS's JSON front end answers before it looks at a
// signature, in its order: a body that is not JSON (SerializationException), then
// a missing or unknown target (UnknownOperationException). Unsigned or wrongly
// signed requests are told so only after these, as on AWS. The body is read
// (bounded by the service's limit) and put back for the signature check and the
// codec.
func (g *Gateway) jsonPreflight(c *protocol.Call, r *http.Request) error {
	if r.Body != nil && r.Body != http.NoBody {
		limit := jsonrpc.MaxBody(c.Service)
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		r.Body.Close()
		if err != nil {
			return &api.Err{Code: "SerializationException", Status: http.StatusBadRequest}
		}
		bb := jsonbody.NewBody(body)
		r.Body = bb
		// An oversized body is the codec's to refuse (413), after routing.
		if int64(len(body)) <= limit && len(bytes.TrimSpace(body)) > 0 && r.Header.Get("Content-Encoding") == "" {
			// Checked by parsing (the value is kept for the steps after).
			v, ok := jsonbody.ParseValid(body)
			if !ok {
				return &api.Err{Code: "SerializationException", Status: http.StatusBadRequest}
			}
			bb.SetValue(v)
		}
	}
	return g.codecFor(c).Route(c, r)
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
// CORS) as AWS's JSON services do: any origin, the asked headers and method, for
// two days. Browser-based tools for DynamoDB and friends need it.
func (g *Gateway) corsPreflight(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodOptions || r.URL.Path != "/" || r.Header.Get("Origin") == "" || g.bareJSON == nil {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	if v := r.Header.Get("Access-Control-Request-Headers"); v != "" {
		h.Set("Access-Control-Allow-Headers", v)
	}
	if v := r.Header.Get("Access-Control-Request-Method"); v != "" {
		h.Set("Access-Control-Allow-Methods", v)
	}
	h.Set("Access-Control-Max-Age", "172800")
	h.Set("X-Amzn-Requestid", requestIDFor(g.bareJSON.Service))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return true
}
