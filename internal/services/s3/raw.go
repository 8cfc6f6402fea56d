package s3

import (
	"context"
	"io"
	"net/http"
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
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &reqBody{ReadCloser: r.Body, r: r}
	}
	return false
}
