package s3

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
)

// postForm builds a browser upload form: fields in order, then the file.
func postForm(t *testing.T, fields [][2]string, file string) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	fw, _ := w.CreateFormFile("file", "upload.txt")
	fw.Write([]byte(file))
	w.Close()
	return &b, w.FormDataContentType()
}

func TestPostUpload(t *testing.T) {
	e := newEnv(t)
	e.mb("post")
	e.consume()
	e.notifyAll("post")
	policy := base64.StdEncoding.EncodeToString([]byte(`{"expiration":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) +
		`","conditions":[{"bucket":"post"},["starts-with","$key","up/"],{"acl":"private"},["content-length-range",0,100]]}`))
	mac := hmac.New(sha1.New, []byte("test"))
	mac.Write([]byte(policy))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	send := func(fields [][2]string, file string) *httptest.ResponseRecorder {
		body, ct := postForm(t, fields, file)
		r := httptest.NewRequest("POST", "/post", body)
		r.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		if !e.s.ServeRaw(e.ctx, w, r) {
			t.Fatal("ServeRaw declined a form upload")
		}
		return w
	}
	base := [][2]string{{"key", "up/${filename}"}, {"AWSAccessKeyId", "test"}, {"acl", "private"}, {"policy", policy}}
	w := send(append(base, [2]string{"signature", sig}), "hello post")
	if w.Code != http.StatusNoContent {
		t.Fatalf("upload: status %d, body %s", w.Code, w.Body)
	}
	got, _, err := e.get("post", "up/upload.txt", nil)
	if err != nil || got != "hello post" {
		t.Errorf("uploaded object = %q, %v", got, err)
	}
	var events []string
	for _, ev := range e.events() {
		events = append(events, ev.Record.EventName)
	}
	if len(events) != 1 || events[0] != "ObjectCreated:Post" {
		t.Errorf("events = %v, want [ObjectCreated:Post]", events)
	}
	for _, tc := range []struct {
		name   string
		fields [][2]string
		file   string
		status int
	}{
		{"bad signature", append(base, [2]string{"signature", "AAAA"}), "x", http.StatusForbidden},
		{"too large", append(base, [2]string{"signature", sig}), string(make([]byte, 200)), http.StatusBadRequest},
		{"extra field", append(append(base, [2]string{"signature", sig}), [2]string{"x-amz-meta-a", "b"}), "x", http.StatusForbidden},
		{"no key", [][2]string{{"AWSAccessKeyId", "test"}, {"policy", policy}, {"signature", sig}}, "x", http.StatusBadRequest},
	} {
		if w := send(tc.fields, tc.file); w.Code != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, w.Code, tc.status, w.Body)
		}
	}
	// A wrong key prefix fails the policy.
	bad := [][2]string{{"key", "other/x"}, {"AWSAccessKeyId", "test"}, {"acl", "private"}, {"policy", policy}, {"signature", sig}}
	if w := send(bad, "x"); w.Code != http.StatusForbidden {
		t.Errorf("key outside the policy: status %d, want 403", w.Code)
	}
}

func TestCORSPreflight(t *testing.T) {
	e := newEnv(t)
	e.mb("cors")
	_, err := e.s.PutBucketCors(e.ctx, &s3api.PutBucketCorsRequest{Bucket: s("cors"), CORSConfiguration: &s3api.CORSConfiguration{
		CORSRules: []*s3api.CORSRule{{AllowedOrigins: []string{"https://*.example.com"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"*"}, MaxAgeSeconds: api.Int64(600)}}}})
	if err != nil {
		t.Fatal(err)
	}
	pre := func(origin, method string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("OPTIONS", "/cors/k", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", method)
		r.Header.Set("Access-Control-Request-Headers", "Content-Type")
		w := httptest.NewRecorder()
		e.s.ServeRaw(e.ctx, w, r)
		return w
	}
	w := pre("https://app.example.com", "PUT")
	if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		w.Header().Get("Access-Control-Allow-Methods") != "GET, PUT" || w.Header().Get("Access-Control-Max-Age") != "600" {
		t.Errorf("allowed preflight: %d %v", w.Code, w.Header())
	}
	if w := pre("https://evil.test", "GET"); w.Code != http.StatusForbidden {
		t.Errorf("foreign origin: status %d, want 403", w.Code)
	}
	if w := pre("https://app.example.com", "DELETE"); w.Code != http.StatusForbidden {
		t.Errorf("method not allowed: status %d, want 403", w.Code)
	}
}
