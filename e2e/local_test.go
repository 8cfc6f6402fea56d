package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The binary's --allow-host flag (repeatable, comma lists) and its
// FOGBANK_ALLOW_HOSTS variable add names fogbank answers to, with their
// subdomains; other names get S3's 403 AccessDenied (an unsigned GET looks like
// S3), even for fogbank's own health check.
func TestAllowHostFlag(t *testing.T) {
	t.Setenv("FOGBANK_ALLOW_HOSTS", "env.test")
	f := start(t, "", "--allow-host", "a.test, b.test", "--allow-host", "c.test")
	for host, want := range map[string]int{
		"a.test": 200, "b.test:4566": 200, "bucket.c.test": 200, "env.test": 200, "localhost": 200,
		"d.test": 403, "a.test.evil.example": 403,
	} {
		req, _ := http.NewRequest("GET", f.URL+"/_fogbank/health", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d %s, want %d", host, resp.StatusCode, body, want)
		}
		if want == 403 && !strings.Contains(string(body), "<Code>AccessDenied</Code>") {
			t.Errorf("Host %s: %s, want S3's AccessDenied", host, body)
		}
	}
	if !strings.Contains(f.logs.String(), "refused a request from outside") {
		t.Errorf("no log line for the refused hosts:\n%s", f.logs.String())
	}
}
