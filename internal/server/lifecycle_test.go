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
	"github.com/fogbank/fogbank/internal/store"
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

// withProbe is every model and the probe service.
func withProbe() []server.Model {
	return append(all.Models(), server.Model{Service: &api.Service{Name: "lifecycleprobe"}, Impl: &host.Impl{
		New: func(env *host.Env) (any, error) {
			probe = &lifecycleProbe{env: env}
			return probe, nil
		},
		Proto: (*lifecycleProbe)(nil)}})
}

// A service without state is not created until it is first needed; then it is
// started with the server's URL, finds the others, serves its route on the
// main listener (never for a virtual-hosted S3 request), and is stopped by Close.
func TestServiceLifecycle(t *testing.T) {
	probe = nil
	srv, err := server.Start(server.Options{Addr: "127.0.0.1:0", Ephemeral: true, Models: withProbe(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if probe != nil {
		t.Errorf("a service with no state was created at start")
	}

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
	p := probe
	p.mu.Lock()
	if p.url != srv.URL || !p.foundS3 {
		t.Errorf("at Start: URL %q (want %q), found s3 %v", p.url, srv.URL, p.foundS3)
	}
	p.mu.Unlock()
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

// A service with state in the store may have work to resume (schedules,
// queued invocations): it is started with the server, before any request.
func TestServiceWithStateStartsWithServer(t *testing.T) {
	dir := t.TempDir()
	opts := server.Options{Addr: "127.0.0.1:0", DataDir: dir, Models: withProbe(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv, err := server.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Store.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket("lifecycleprobe", "things")
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	srv.Close()
	if err != nil {
		t.Fatal(err)
	}
	probe = nil
	srv, err = server.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if probe == nil {
		t.Fatalf("a service with state was not started with the server")
	}
	probe.mu.Lock()
	defer probe.mu.Unlock()
	if probe.url != srv.URL {
		t.Errorf("started with URL %q, want %q", probe.url, srv.URL)
	}
}
