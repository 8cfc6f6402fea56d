package gateway_test

import (
	"mime"
	"regexp"
	"testing"

	"github.com/fogbank/fogbank/internal/gateway"
)

// Request ids keep the shape each service's clients know, and do not repeat.
func TestRequestIDShapes(t *testing.T) {
	for svc, re := range map[string]*regexp.Regexp{
		"s3":       regexp.MustCompile(`^[0-9A-F]{16}$`),
		"dynamodb": regexp.MustCompile(`^[A-Z0-9]{52}$`),
		"sts":      regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	} {
		seen := map[string]bool{}
		for i := 0; i < 1000; i++ {
			id := gateway.RequestIDFor(svc)
			if !re.MatchString(id) {
				t.Fatalf("%s request id %q does not match %s", svc, id, re)
			}
			if seen[id] {
				t.Fatalf("%s request id %q repeated", svc, id)
			}
			seen[id] = true
		}
	}
}

func TestMediaTypeAsParseMediaType(t *testing.T) {
	for _, v := range []string{"", "application/x-amz-json-1.0", "application/json", "application/xml", "application/octet-stream",
		"application/x-www-form-urlencoded", "application/x-amz-json-1.1", "Application/JSON", "text/plain; charset=utf-8",
		" application/json ", "application/json;", "bad", "a/b/c", "application/x-www-form-urlencoded; charset=utf-8"} {
		want, _, _ := mime.ParseMediaType(v)
		if got := gateway.MediaType(v); got != want {
			t.Errorf("MediaType(%q) = %q, want %q", v, got, want)
		}
	}
}
