package s3

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"mime/multipart"
	"net/http"
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
	send := func(fields [][2]string, file string) answer {
		body, ct := postForm(t, fields, file)
		out, err := e.s.PostObject(e.ctx, &PostObjectInput{Bucket: s("post"), ContentType: &ct, Body: body})
		if err != nil {
			return answer{statusOf(err), err.Error()}
		}
		return answer{int(api.ToInt64(out.Status)), ""}
	}
	base := [][2]string{{"key", "up/${filename}"}, {"AWSAccessKeyId", "test"}, {"acl", "private"}, {"policy", policy}}
	w := send(append(base, [2]string{"signature", sig}), "hello post")
	if w.Code != http.StatusNoContent {
		t.Fatalf("upload: status %d, error %s", w.Code, w.Body)
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
	pre := func(origin, method string) (*PreflightRequestOutput, error) {
		return e.s.PreflightRequest(e.ctx, &PreflightRequestInput{Bucket: s("cors"), Key: s("k"), Origin: &origin,
			RequestMethod: &method, RequestHeaders: s("Content-Type")})
	}
	out, err := pre("https://app.example.com", "PUT")
	if err != nil || api.ToString(out.AllowOrigin) != "https://app.example.com" ||
		api.ToString(out.AllowMethods) != "GET, PUT" || api.ToString(out.MaxAge) != "600" {
		t.Errorf("allowed preflight: %+v %v", out, err)
	}
	if _, err := pre("https://evil.test", "GET"); statusOf(err) != http.StatusForbidden {
		t.Errorf("foreign origin: %v, want 403", err)
	}
	if _, err := pre("https://app.example.com", "DELETE"); statusOf(err) != http.StatusForbidden {
		t.Errorf("method not allowed: %v, want 403", err)
	}
}

// answer is an operation's outcome as a client sees it: a status, and the
// error's text when it failed.
type answer struct {
	Code int
	Body string
}

// statusOf is the HTTP status an error is answered with (0 for none).
func statusOf(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := err.(api.Error); ok {
		return e.HTTPStatus()
	}
	return http.StatusInternalServerError
}
