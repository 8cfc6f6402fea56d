package auth

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sync"
	"testing"
)

// TestBoto3 checks that what current boto3 sends verifies: S3 with its default
// aws-chunked uploads and CRC32 trailers, odd keys, a presigned URL, and the
// JSON, rest-json and query services. It needs python3 with boto3 and is
// skipped without them or with -short.
func TestBoto3(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("python3 with boto3 not available")
	}
	type seen struct {
		line, service string
		err, readErr  error
		verified      bool
		n             int
		trailer       http.Header
	}
	var mu sync.Mutex // guards got
	var got []seen
	v := &Verifier{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{line: r.Method + " " + r.RequestURI}
		res, err := v.Verify(r)
		s.err = err
		if err == nil {
			b, rerr := io.ReadAll(r.Body)
			s.n, s.readErr, s.verified, s.service, s.trailer = len(b), rerr, res.Verified, res.Service, r.Trailer
		}
		mu.Lock()
		got = append(got, s)
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})
	for _, srv := range []*httptest.Server{httptest.NewServer(handler), httptest.NewTLSServer(handler)} {
		out, err := exec.Command("python3", "testdata/boto3_calls.py", srv.URL).CombinedOutput()
		srv.Close()
		if err != nil {
			t.Fatalf("boto3 script: %v\n%s", err, out)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) < 20 {
		t.Errorf("server saw %d requests, want at least 20", len(got))
	}
	for _, s := range got {
		if s.err != nil || s.readErr != nil || !s.verified {
			t.Errorf("%s (%s): Verify %v, read %v, verified %v", s.line, s.service, s.err, s.readErr, s.verified)
		} else {
			t.Logf("%s (%s): %d bytes, trailer %v", s.line, s.service, s.n, s.trailer)
		}
	}
}
