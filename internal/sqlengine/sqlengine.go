// Package sqlengine runs fogbank's SQL engine, DuckDB, in a process of its own
// and talks to it. The engine program is internal/sqlengine/engine, the only
// package of the module that imports DuckDB: linking DuckDB costs ~17 s on two
// cores and ~14 MiB of idle memory in any process that links it, whether it
// runs a query or not, so the server never does.
//
// # Finding the engine
//
// On the first query the Engine looks for the program, in this order: the
// path in $FOGBANK_SQL_ENGINE; fogbank-sql beside the running executable
// (for a build that ships both); then, when the module's source is at hand
// (`go run ./cmd/fogbank` from a checkout, the tests), it builds it with `go
// build -tags fogbank_engine` into the user's cache directory
// (~/.cache/fogbank/fogbank-sql-<hash of the source directory>). That build is
// the one slow first query (~30 s on two cores on a cold Go cache, the cgo link
// alone ~17 s); later ones find the binary up to date (`go build` checks its
// build id and relinks only when the source changed, ~0.6 s).
//
// The engine's main file carries the build tag fogbank_engine, so `go build
// ./...`, `go vet ./...` and `go test ./...` skip it and never pay its link;
// .ci/run vets it explicitly.
//
// # Protocol
//
// One JSON object a line each way (package wire): fogbank writes requests to
// the engine's stdin, the engine answers each with one line on stdout, in any
// order, matched by id; {"op":"cancel","id":N} interrupts request N. Rows do
// not cross the pipe: the engine writes them to the result file the request
// names, streaming, so neither process holds a large result in memory.
//
// The process is started on the first request and stopped after it has been
// idle for IdleTimeout; it is restarted on the next request. If it dies, the
// requests in flight fail and the next one starts a new process.
package sqlengine

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/sqlengine/wire"
)

// Engine is a handle on the engine process, started when first needed.
type Engine struct {
	Logger      *slog.Logger
	IdleTimeout time.Duration // 0: two minutes

	findOnce sync.Once
	path     string // the program, once found or built
	findErr  error

	mu      sync.Mutex // guards the fields below
	proc    *process
	nextID  int64
	idle    *time.Timer
	closed  bool
	running int // requests in flight
}

type process struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	wmu     sync.Mutex // serialises writes to stdin
	mu      sync.Mutex // guards waiting and dead
	waiting map[int64]chan *wire.Response
	dead    error
	done    chan struct{}
}

// ErrNoEngine wraps the reason the engine program could not be found or built.
var ErrNoEngine = errors.New("sqlengine: no SQL engine")

// Run sends req (its ID is assigned here) and waits for the answer. When ctx
// ends first, the engine is told to cancel the request and Run returns once it
// has stopped (the answer then has Cancelled set).
func (e *Engine) Run(ctx context.Context, req *wire.Request) (*wire.Response, error) {
	p, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer e.release()
	e.mu.Lock()
	e.nextID++
	req.ID = e.nextID
	e.mu.Unlock()
	ch := make(chan *wire.Response, 1)
	p.mu.Lock()
	if p.dead != nil {
		p.mu.Unlock()
		return nil, p.dead
	}
	p.waiting[req.ID] = ch
	p.mu.Unlock()
	if err := p.send(req); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r, nil
	case <-p.done:
		return nil, p.deadErr()
	case <-ctx.Done():
	}
	p.send(&wire.Request{ID: req.ID, Op: "cancel"})
	select {
	case r := <-ch:
		r.Cancelled = true
		return r, nil
	case <-p.done:
		return nil, p.deadErr()
	}
}

func (p *process) send(req *wire.Request) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err = p.stdin.Write(append(b, '\n'))
	return err
}

func (p *process) deadErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dead
}

// acquire returns the running process, starting it if needed, and counts one
// request in flight.
func (e *Engine) acquire(ctx context.Context) (*process, error) {
	e.findOnce.Do(func() { e.path, e.findErr = e.find(ctx) })
	if e.findErr != nil {
		return nil, e.findErr
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("sqlengine: closed")
	}
	if e.idle != nil {
		e.idle.Stop()
		e.idle = nil
	}
	if e.proc != nil {
		select {
		case <-e.proc.done:
			e.proc = nil
		default:
		}
	}
	if e.proc == nil {
		p, err := e.start()
		if err != nil {
			return nil, err
		}
		e.proc = p
	}
	e.running++
	return e.proc, nil
}

func (e *Engine) release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.running--
	if e.running > 0 || e.proc == nil || e.closed {
		return
	}
	d := e.IdleTimeout
	if d <= 0 {
		d = 2 * time.Minute
	}
	p := e.proc
	e.idle = time.AfterFunc(d, func() {
		e.mu.Lock()
		if e.proc != p || e.running > 0 {
			e.mu.Unlock()
			return
		}
		e.proc = nil
		e.mu.Unlock()
		e.logger().Info("sql engine idle, stopping", "pid", p.cmd.Process.Pid)
		p.stop()
	})
}

func (e *Engine) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.Default()
	}
	return e.Logger
}

// Running tells whether an engine process is up (for tests and metrics).
func (e *Engine) Running() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.proc != nil
}

func (e *Engine) start() (*process, error) {
	cmd := exec.Command(e.path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = &logWriter{l: e.logger()}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: starting %s: %v", ErrNoEngine, e.path, err)
	}
	e.logger().Info("sql engine started", "pid", cmd.Process.Pid, "path", e.path)
	p := &process{cmd: cmd, stdin: stdin, waiting: map[int64]chan *wire.Response{}, done: make(chan struct{})}
	go p.read(stdout)
	return p, nil
}

// read delivers the engine's answers until its stdout ends.
func (p *process) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var resp wire.Response
		if err := json.Unmarshal(sc.Bytes(), &resp); err != nil {
			continue
		}
		p.mu.Lock()
		ch := p.waiting[resp.ID]
		delete(p.waiting, resp.ID)
		p.mu.Unlock()
		if ch != nil {
			ch <- &resp
		}
	}
	err := p.cmd.Wait()
	p.mu.Lock()
	p.dead = fmt.Errorf("sqlengine: the engine process ended (%v)", err)
	p.mu.Unlock()
	close(p.done)
}

// stop closes the engine's stdin (it exits once its queries are done) and
// kills it if it has not after a few seconds.
func (p *process) stop() {
	p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// Close stops the engine process, killing the queries it runs.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	p := e.proc
	e.proc = nil
	if e.idle != nil {
		e.idle.Stop()
	}
	e.mu.Unlock()
	if p != nil {
		p.cmd.Process.Kill()
		<-p.done
	}
	return nil
}

type logWriter struct{ l *slog.Logger }

func (w *logWriter) Write(b []byte) (int, error) {
	w.l.Warn("sql engine: " + strings.TrimSpace(string(b)))
	return len(b), nil
}

// find locates the engine program, building it from source when that is the
// way to get it (see the package doc).
func (e *Engine) find(ctx context.Context) (string, error) {
	if p := os.Getenv("FOGBANK_SQL_ENGINE"); p != "" {
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "fogbank-sql")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	root := SourceRoot()
	if root == "" {
		return "", fmt.Errorf("%w: set FOGBANK_SQL_ENGINE to the engine program, or put fogbank-sql beside fogbank (go build -tags fogbank_engine -o fogbank-sql ./internal/sqlengine/engine)", ErrNoEngine)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	// One binary per source tree: two checkouts building in turn would
	// otherwise relink each other's every time.
	sum := sha256.Sum256([]byte(root))
	out := filepath.Join(cache, "fogbank", "fogbank-sql-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoEngine, err)
	}
	unlock, err := lockFile(out + ".lock")
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoEngine, err)
	}
	defer unlock()
	start := time.Now()
	cmd := exec.CommandContext(context.WithoutCancel(ctx), "go", "build", "-tags", "fogbank_engine", "-o", out, "./internal/sqlengine/engine")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w: go build ./internal/sqlengine/engine in %s: %v: %s", ErrNoEngine, root, err, strings.TrimSpace(string(b)))
	}
	e.logger().Info("sql engine built (or found up to date)", "path", out, "took", time.Since(start).Round(time.Millisecond))
	return out, nil
}

// CanBuild tells why the engine could not be had on this machine, or ""
// when it can: a program named by $FOGBANK_SQL_ENGINE or found beside the
// executable, or the source with go and a C++ compiler to build it. Tests
// skip (or, under CI, fail) on it as they do on a missing client.
func CanBuild() string {
	if os.Getenv("FOGBANK_SQL_ENGINE") != "" {
		return ""
	}
	for _, prog := range []string{"go", "g++"} {
		if _, err := exec.LookPath(prog); err != nil {
			return prog + " is not installed (the SQL engine links DuckDB with cgo: apt-get install -y g++)"
		}
	}
	if SourceRoot() == "" {
		return "fogbank's source is not on this machine"
	}
	return ""
}

// SourceRoot is the root of fogbank's module source when it is on this
// machine (this file's compile-time path, or the working directory's module),
// or "".
func SourceRoot() string {
	var dirs []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dirs = append(dirs, filepath.Join(filepath.Dir(file), "..", ".."))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, d)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/fogbank/fogbank\n") {
			if _, err := os.Stat(filepath.Join(d, "internal", "sqlengine", "engine", "main.go")); err == nil {
				return filepath.Clean(d)
			}
		}
	}
	return ""
}
