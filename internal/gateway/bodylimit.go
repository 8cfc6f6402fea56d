package gateway

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
	"github.com/fogbank/fogbank/internal/protocol/rpcv2cbor"
	"github.com/fogbank/fogbank/internal/protocol/xmlbody"
)

// The largest body each protocol keeps in memory, unless the service's
// dialect states its own (Dialect.MaxBody). JSON's is jsonrpc.MaxBody, checked
// in jsonPreflight; S3's bodies stream (objects) or are parsed as they stream
// by within xmlbody's limits, so they have none here.
const (
	// queryMaxBody: form posts; Go's own form parser stops at 10 MB, and the
	// query APIs' largest requests (an SQS batch, PutMetricData) are about 1 MB.
	queryMaxBody = 10 << 20
	// restJSONMaxBody: Lambda's, the one rest-json service: a CreateFunction
	// with a 50 MB zip (base64) "must be smaller than 70167211 bytes".
	restJSONMaxBody = 70167211
)

// bodyLimit is the largest body c's protocol and service keep in memory; 0
// when the body streams (S3).
func bodyLimit(c *protocol.Call) int64 {
	d := &c.Service.Dialect
	switch c.Protocol {
	case protocol.RestXML:
		if d.VirtualHosts {
			return 0
		}
		return xmlbody.MaxBytes
	case protocol.JSON:
		return 0 // jsonPreflight
	}
	if d.MaxBody > 0 {
		return d.MaxBody
	}
	switch c.Protocol {
	case protocol.Query:
		return queryMaxBody
	case protocol.RestJSON:
		return restJSONMaxBody
	case protocol.RPCv2CBOR:
		return rpcv2cbor.MaxBody
	}
	return queryMaxBody
}

// tooLarge is the protocol's answer to a body past its limit: 413, as AWS's
// front ends answer it (Lambda: RequestEntityTooLargeException).
func tooLarge(c *protocol.Call, limit int64) error {
	if c.Protocol == protocol.RestJSON {
		return &api.Err{Code: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge,
			Message: "Request must be smaller than " + strconv.FormatInt(limit, 10) + " bytes"}
	}
	return jsonbody.TooLarge(limit)
}

// bodyPreflight bounds the body of a request whose protocol keeps it in memory
// (query, rest-json, CBOR), before the signature check reads it: one past the
// limit is refused (by its Content-Length, or once that many bytes came), and a
// large one first takes its turn through the body gate (bodygate.go). The body
// is then held in memory, where the verifier and the codec take it without a
// copy.
func (g *Gateway) bodyPreflight(c *protocol.Call, r *http.Request, st *requestState) error {
	limit := bodyLimit(c)
	if limit == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if r.ContentLength > limit {
		return tooLarge(c, limit)
	}
	if err := st.admitBody(r, limit); err != nil {
		return err
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	r.Body.Close()
	if err != nil {
		return api.Errorf(http.StatusBadRequest, "IncompleteBody", "The request body could not be read.")
	}
	if int64(buf.Len()) > limit {
		return tooLarge(c, limit)
	}
	r.Body = jsonbody.NewBody(buf.Bytes())
	return nil
}
