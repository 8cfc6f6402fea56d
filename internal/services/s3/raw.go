package s3

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// reqBody wraps a request body so that the operation, which sees only the
// io.Reader the codec hands it, can still reach the request: trailing checksums
// arrive in r.Trailer once the aws-chunked body has been read to its end, and
// x-amz-trailer says beforehand which checksum will come.
type reqBody struct {
	io.ReadCloser
	r *http.Request
}

// requestOf returns the request a body belongs to, or nil (bodies built in tests).
func requestOf(body io.Reader) *http.Request {
	if rb, ok := body.(*reqBody); ok {
		return rb.r
	}
	return nil
}

// ServeRaw answers what the model does not describe (browser POST uploads, CORS
// preflight OPTIONS) and, for everything else, wraps the body so that operations
// can read the trailer, then declines.
func (s *Service) ServeRaw(ctx context.Context, w http.ResponseWriter, r *http.Request) bool {
	if origin := r.Header.Get("Origin"); origin != "" && r.Method != http.MethodOptions {
		s.corsActual(w, r, origin)
	}
	signed := r.Header.Get("Authorization") != "" || r.URL.Query().Get("X-Amz-Signature") != "" || r.URL.Query().Get("Signature") != ""
	if signed && r.ContentLength == 0 && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		// S3 always answers 100 Continue first. Go's server sends it only when
		// the handler reads a non-empty body, and botocore, given a final answer
		// instead, leaves the pooled connection out of step: the next request on
		// it stalls (boto/botocore#3755; aws s3 sync of a tree with empty files
		// hangs). The interim answer goes to the connection directly, so the
		// gateway's status bookkeeping still sees the final status. Only signed
		// requests get it early: an anonymous one may yet be refused, and a
		// client waiting for 100 Continue must see the refusal instead.
		rw := w
		for {
			u, ok := rw.(interface{ Unwrap() http.ResponseWriter })
			if !ok {
				break
			}
			rw = u.Unwrap()
		}
		rw.WriteHeader(http.StatusContinue)
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.Header.Get("X-Amz-Server-Side-Encryption") != "" &&
		strings.Contains(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/") {
		// S3 refuses SSE headers on reads: the object says how it is encrypted.
		writeRawError(w, caller(ctx), errInvalidArgument("x-amz-server-side-encryption header is not supported for this operation.", "x-amz-server-side-encryption", r.Header.Get("X-Amz-Server-Side-Encryption")))
		return true
	}
	if r.Method == http.MethodPost && r.URL.Query().Has("uploadId") {
		// CompleteMultipartUpload echoes the customer key's algorithm and MD5 as
		// S3 does; its model has no members for them, so they are set here.
		if a := r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm"); a != "" {
			w.Header().Set("X-Amz-Server-Side-Encryption-Customer-Algorithm", a)
			w.Header().Set("X-Amz-Server-Side-Encryption-Customer-Key-Md5", r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key-Md5"))
		}
	}
	switch r.Method {
	case http.MethodOptions:
		s.serveOptions(ctx, w, r)
		return true
	case http.MethodPost:
		if isPostUpload(r) {
			s.servePost(ctx, w, r)
			return true
		}
	}
	// Only a body with a trailer is wrapped: net/http drains (and so answers
	// 100 Continue to) any request body it does not recognise as its own when
	// the handler did not read it, which would make a client waiting for
	// 100 Continue wait for a refusal that never comes. A trailer body is the
	// auth layer's aws-chunked reader already, which net/http treats that way.
	if r.Body != nil && r.Body != http.NoBody && r.Header.Get("X-Amz-Trailer") != "" {
		r.Body = &reqBody{ReadCloser: r.Body, r: r}
	}
	return false
}
