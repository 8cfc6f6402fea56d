package sqlengine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/sqlengine/wire"
)

// These tests run the real engine program (built into the user cache on
// first use, as fogbank does; later runs find it up to date).

func needEngine(t *testing.T) {
	t.Helper()
	if why := CanBuild(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no SQL engine: %s", why)
		}
		t.Skipf("SKIP: no SQL engine: %s", why)
	}
}

func query(t *testing.T, e *Engine, ctx context.Context, sql string) (*wire.Response, string) {
	t.Helper()
	needEngine(t)
	out := filepath.Join(t.TempDir(), "out.csv")
	resp, err := e.Run(ctx, &wire.Request{Op: "query", SQL: sql, CSV: out})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	return resp, string(b)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The process starts on the first request, stops when idle, and starts again.
func TestIdleStopAndRestart(t *testing.T) {
	e := &Engine{IdleTimeout: 300 * time.Millisecond}
	defer e.Close()
	if e.Running() {
		t.Fatal("running before any request")
	}
	resp, csv := query(t, e, context.Background(), "SELECT 42 AS answer, 'x' AS s, NULL AS n")
	if resp.Error != "" || csv != "\"answer\",\"s\",\"n\"\n\"42\",\"x\",\n" {
		t.Fatalf("answer %+v, csv %q", resp, csv)
	}
	waitFor(t, "the idle engine to stop", func() bool { return !e.Running() })
	if resp, _ := query(t, e, context.Background(), "SELECT 1"); resp.Error != "" || resp.Rows != 1 {
		t.Fatalf("after restart: %+v", resp)
	}
}

// Cancelling the context interrupts the query in the engine.
func TestCancel(t *testing.T) {
	e := &Engine{}
	defer e.Close()
	query(t, e, context.Background(), "SELECT 1") // started
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	resp, _ := query(t, e, ctx, "SELECT count(*) FROM range(100000000000) a, range(10) b WHERE a.range % 7 = b.range")
	if !resp.Cancelled {
		t.Fatalf("answer %+v, want cancelled", resp)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

// An engine that dies fails the requests in flight; the next request starts
// a new one.
func TestProcessDeath(t *testing.T) {
	e := &Engine{}
	defer e.Close()
	query(t, e, context.Background(), "SELECT 1")
	e.mu.Lock()
	p := e.proc
	e.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		_, err := e.Run(context.Background(), &wire.Request{Op: "query", SQL: "SELECT count(*) FROM range(100000000000)", CSV: filepath.Join(t.TempDir(), "x.csv")})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	p.cmd.Process.Kill()
	select {
	case err := <-done:
		if err == nil {
			t.Error("request in flight on a killed engine: no error")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("request in flight on a killed engine never returned")
	}
	if resp, _ := query(t, e, context.Background(), "SELECT 2"); resp.Error != "" || resp.Rows != 1 {
		t.Fatalf("after the death: %+v", resp)
	}
}
