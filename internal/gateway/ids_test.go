package gateway_test

import (
	"mime"
	"regexp"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/gateway"
)

// Request ids keep the shape each service's clients know, and do not repeat.
func TestRequestIDShapes(t *testing.T) {
	for style, re := range map[api.RequestIDStyle]*regexp.Regexp{
		api.RequestIDHex:   regexp.MustCompile(`^[0-9A-F]{16}$`),
		api.RequestIDAlnum: regexp.MustCompile(`^[A-Z0-9]{52}$`),
		api.RequestIDUUID:  regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
	} {
		svc := &api.Service{Dialect: api.Dialect{RequestID: style}}
		seen := map[string]bool{}
		for i := 0; i < 1000; i++ {
			id := gateway.RequestIDFor(svc)
			if !re.MatchString(id) {
				t.Fatalf("style %d: request id %q does not match %s", style, id, re)
			}
			if seen[id] {
				t.Fatalf("style %d: request id %q repeated", style, id)
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
