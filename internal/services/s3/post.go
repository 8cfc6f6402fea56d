package s3

import (
	"context"
	"net/http"
	"strings"
)

// isPostUpload tells a browser form upload (POST /bucket, multipart/form-data)
// from the model's POST operations (DeleteObjects, multipart uploads, restore).
func isPostUpload(r *http.Request) bool {
	if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/form-data") {
		return false
	}
	p := strings.Trim(r.URL.EscapedPath(), "/")
	return p != "" && !strings.Contains(p, "/") && r.URL.RawQuery == ""
}

func (s *Service) servePost(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	writeRawError(w, caller(ctx), errNotImplementedHeader("POST"))
}
