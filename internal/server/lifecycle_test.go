package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/server"
	"github.com/fogbank/fogbank/internal/services/all"
)

// lifecycleProbe is a service registered only in this test binary: it records
// what its Env told it and serves a route of its own.
type lifecycleProbe struct {
	env *host.Env

	mu      sync.Mutex // guards url, foundS3, stopped
	url     string
	foundS3 bool
	stopped bool
}

func (p *lifecycleProbe) Start(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.url = p.env.URL()
	_, p.foundS3 = p.env.Service("s3")
	return p.env.Handle("/ping", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "pong "+p.env.URL())
	}))
}

func (p *lifecycleProbe) Stop(ctx context.Context) error {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	return nil
}

var probe *lifecycleProbe

func init() {
	host.Register(&api.Service{Name: "lifecycleprobe"}, (*lifecycleProbe)(nil), func(env *host.Env) (any, error) {
		probe = &lifecycleProbe{env: env}
		return probe, nil
	})
}

// A service created by the server is started with the server's URL, finds the
// others, serves its route on the main listener (never for a virtual-hosted S3
// request), and is stopped by Close.
func TestServiceLifecycle(t *testing.T) {
	srv, err := server.Start(server.Options{Addr: "127.0.0.1:0", Ephemeral: true, Models: all.Models(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	p := probe
	p.mu.Lock()
	if p.url != srv.URL || !p.foundS3 {
		t.Errorf("at Start: URL %q (want %q), found s3 %v", p.url, srv.URL, p.foundS3)
	}
	p.mu.Unlock()

	get := func(host, path string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("", "/_fogbank/lifecycleprobe/ping"); code != 200 || body != "pong "+srv.URL {
		t.Errorf("route: %d %q", code, body)
	}
	_, port, _ := strings.Cut(srv.Addr, ":")
	if code, body := get("localhost:"+port, "/_fogbank/lifecycleprobe/ping"); code != 200 || !strings.HasPrefix(body, "pong") {
		t.Errorf("route by localhost: %d %q", code, body)
	}
	// bucket.localhost names a bucket: its key "_fogbank/..." is S3's (an
	// unsigned request, so S3 answers with an error of its own).
	if code, body := get("mybucket.localhost:"+port, "/_fogbank/lifecycleprobe/ping"); code == 200 || strings.HasPrefix(body, "pong") {
		t.Errorf("virtual-hosted S3 request reached the route: %d %q", code, body)
	}
	srv.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopped {
		t.Errorf("Close did not stop the service")
	}
}
