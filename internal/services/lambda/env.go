package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// An execution environment is one runtime process with its own Runtime API
// listener, task root, /tmp (TMPDIR) and log stream, as a Lambda sandbox is.
// It serves one invocation at a time; warm ones wait in their function's pool
// (pool.go) for the next. Everything it started is killed, and its directory
// removed, when it ends.

//go:embed bootstrap/bootstrap.py
var pythonBootstrap []byte

//go:embed bootstrap/bootstrap.cjs
var nodeBootstrap []byte

// initLimit is Lambda's init phase limit (the runtime's start until its
// first /next) for on-demand functions. Lambda retries an init that overran
// it within the invocation's own timeout, so a cold start may take both.
const initLimit = 10 * time.Second

// maxLogBytes bounds the log lines kept for one invocation (tail and
// CloudWatch); beyond it lines are counted, not kept, so a handler flooding
// stdout costs CPU but not memory.
const maxLogBytes = 1 << 20

// maxLogLine is CloudWatch Logs' largest event; longer lines are cut.
const maxLogLine = 256 * 1024

// logLine is one line of a runtime's output, or one of the lines Lambda writes
// itself (START, END, REPORT).
type logLine struct {
	at   time.Time
	text string
}

// logBuf gathers lines, up to maxLogBytes.
type logBuf struct {
	lines   []logLine
	size    int
	dropped int
}

func (b *logBuf) add(at time.Time, text string) {
	if len(text) > maxLogLine {
		text = text[:maxLogLine]
	}
	if b.size+len(text) > maxLogBytes {
		b.dropped++
		return
	}
	b.size += len(text) + 1
	b.lines = append(b.lines, logLine{at, text})
}

// environment is one execution environment.
type environment struct {
	s      *Service
	fn     function // the configuration it was started with
	fp     string   // hot-reload folder fingerprint at start ("" for a zip)
	id     string   // 32 hex digits, the log stream's suffix
	stream string   // log stream name
	dir    string   // removed at the end: task/ and tmp/ live here
	task   string   // LAMBDA_TASK_ROOT

	ln  net.Listener
	srv *http.Server
	cmd *exec.Cmd

	next     chan *invocation // handed to the runtime's /next
	exited   chan struct{}    // closed when the process has exited
	initFail chan struct{}    // closed at the runtime's /init/error
	initErr  outcome          // what it posted (e.mu)
	failOnce sync.Once
	gone     chan struct{} // closed by end: /next stops waiting
	proc     *proc         // the runtime process, once started
	spare    bool          // the process was a spare (spare.go)
	mark     string        // markEnv's value: its processes carry it

	outR      *os.File // the read end of stdout+stderr
	outDone   chan struct{}
	started   time.Time
	initDur   time.Duration // set at the first /next
	ready     chan struct{} // closed at the first /next
	readyOnce sync.Once

	mu       sync.Mutex
	cur      *invocation // the invocation the runtime holds
	sink     *logBuf     // where output lines go now
	pending  logBuf      // lines between invocations (init output)
	partial  []byte      // a line not yet ended
	reading  bool        // the reader holds bytes not yet in a sink
	endOnce  sync.Once
	lastUsed time.Time
	uses     int
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// startEnv creates the environment's directories, unpacks the code, opens the
// Runtime API listener and starts the runtime process.
func (s *Service) startEnv(f *function, code []byte, fp string) (*environment, error) {
	base, err := s.baseDir()
	if err != nil {
		return nil, err
	}
	e := &environment{
		s: s, fn: *f, fp: fp, id: newID(),
		next: make(chan *invocation), exited: make(chan struct{}), initFail: make(chan struct{}),
		gone: make(chan struct{}), outDone: make(chan struct{}), ready: make(chan struct{}),
	}
	e.stream = s.now().UTC().Format("2006/01/02") + "/[" + f.version() + "]" + e.id
	e.dir = filepath.Join(base, e.id)
	e.task = filepath.Join(e.dir, "task")
	if f.HotReloadDir != "" {
		e.task = f.HotReloadDir
	}
	ok := false
	defer func() {
		if !ok {
			e.end()
		}
	}()
	if err := os.MkdirAll(filepath.Join(e.dir, "tmp"), 0o700); err != nil {
		return nil, err
	}
	if f.HotReloadDir == "" {
		if err := os.MkdirAll(e.task, 0o755); err != nil {
			return nil, err
		}
		if err := unzip(code, e.task); err != nil {
			return nil, fmt.Errorf("unpacking the code: %w", err)
		}
	}
	if len(f.Layers) > 0 {
		zips, err := s.layerZips(f)
		if err != nil {
			return nil, err
		}
		for _, z := range zips {
			if err := unzip(z, e.opt()); err != nil {
				return nil, fmt.Errorf("unpacking a layer: %w", err)
			}
		}
	}
	e.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}

	argv, err := s.command(f, e.task, e.opt())
	if err != nil {
		return nil, err
	}
	p := s.takeSpare(spareKind(f))
	e.mark = newMark(e.id)
	if p != nil {
		e.mark = p.mark // in the spare's own environment already
	}
	env := e.environ(argv)
	// Served from here on: what the handlers read is set.
	e.srv = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go e.srv.Serve(e.ln)
	e.started = time.Now()
	if p != nil {
		if _, err := p.assign.Write(assignment(env, e.task)); err != nil {
			p.kill()
			p = nil
		} else {
			p.assign.Close()
			p.assign = nil
			e.spare = true
		}
	}
	if p == nil {
		if p, err = startProc(argv, e.task, env, e.mark, false); err != nil {
			close(e.outDone)
			return nil, runtimeStartError(err)
		}
	}
	e.proc, e.cmd, e.outR, e.exited = p, p.cmd, p.out, p.exited
	go e.readOutput()
	ok = true
	return e, nil
}

// runtimeStartError words a failed exec as Lambda's Runtime.InvalidEntrypoint.
type entrypointError struct{ err error }

func (e entrypointError) Error() string { return e.err.Error() }

func runtimeStartError(err error) error { return entrypointError{err} }

// debugEnv is the function variable that asks for a debugger: the port
// (on 127.0.0.1) where Node's inspector or Python's debugpy listens.
const debugEnv = "FOGBANK_DEBUG_PORT"

// debugTimeout replaces a debugged function's timeouts (init and
// invocation): someone is stepping through it.
const debugTimeout = 12 * time.Hour

// debugPort is the port a debugger may attach to, 0 when none is asked for.
func (f *function) debugPort() int {
	p, err := strconv.Atoi(f.Env[debugEnv])
	if err != nil || p <= 0 || p > 65535 {
		return 0
	}
	return p
}

// opt is the environment's stand-in for /opt, where its layers are unpacked.
func (e *environment) opt() string { return filepath.Join(e.dir, "opt") }

// command is the runtime's argv: fogbank's bootstrap for Python and Node, the
// zip's own bootstrap for the provided runtimes (the handler's file for go1.x).
func (s *Service) command(f *function, task, opt string) ([]string, error) {
	rt, err := s.runtimeDir()
	if err != nil {
		return nil, err
	}
	switch {
	case strings.HasPrefix(f.Runtime, "python"):
		py, err := s.python()
		if err != nil {
			return nil, err
		}
		return pythonArgv(py, rt), nil
	case strings.HasPrefix(f.Runtime, "nodejs"):
		node, err := s.lookPath("node")
		if err != nil {
			return nil, err
		}
		if port := f.debugPort(); port != 0 {
			return []string{node, "--inspect=127.0.0.1:" + strconv.Itoa(port), filepath.Join(rt, "bootstrap.cjs")}, nil
		}
		return []string{node, filepath.Join(rt, "bootstrap.cjs")}, nil
	case f.Runtime == "go1.x":
		return []string{filepath.Join(task, filepath.Clean("/" + f.Handler)[1:])}, nil
	default:
		// A provided runtime's bootstrap may come from a layer.
		if _, err := os.Stat(filepath.Join(task, "bootstrap")); err != nil {
			if _, err := os.Stat(filepath.Join(opt, "bootstrap")); err == nil {
				return []string{filepath.Join(opt, "bootstrap")}, nil
			}
		}
		return []string{filepath.Join(task, "bootstrap")}, nil
	}
}

// python finds the interpreter python3 names. pyenv's shims are shell
// scripts that take ~1 s here to start Python: fogbank starts the real
// interpreter, found as pyenv finds it (pyenvPython) or, failing that, by
// running the shim once.
func (s *Service) python() (string, error) {
	s.pyOnce.Do(func() {
		p, err := s.lookPath("python3")
		if err != nil {
			s.pyErr = err
			return
		}
		s.pyPath = p
		if !isScript(p) {
			return
		}
		if real := pyenvPython(p); real != "" {
			s.pyPath = real
			return
		}
		out, err := exec.Command(p, "-c", "import sys; print(sys.executable)").Output()
		if real := strings.TrimSpace(string(out)); err == nil && real != "" {
			s.pyPath = real
		}
	})
	return s.pyPath, s.pyErr
}

// isScript reports whether the file at p begins with "#!".
func isScript(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [2]byte
	n, _ := io.ReadFull(f, b[:])
	return n == 2 && string(b[:]) == "#!"
}

// pyenvPython is the interpreter a pyenv shim at shim would run, found as
// pyenv finds it: $PYENV_VERSION, else the nearest .python-version from the
// working directory up, else $PYENV_ROOT/version; the first of its versions
// that has bin/python3. "" when shim is not pyenv's or the choice is
// "system" (the shim then decides).
func pyenvPython(shim string) string {
	root := filepath.Dir(filepath.Dir(shim))
	if filepath.Base(filepath.Dir(shim)) != "shims" {
		return ""
	}
	if r := os.Getenv("PYENV_ROOT"); r != "" && filepath.Clean(r) != root {
		return ""
	}
	if _, err := os.Stat(filepath.Join(root, "versions")); err != nil {
		return ""
	}
	choice := os.Getenv("PYENV_VERSION")
	if choice == "" {
		dir, _ := os.Getwd()
		for dir != "" {
			if b, err := os.ReadFile(filepath.Join(dir, ".python-version")); err == nil {
				choice = string(b)
				break
			}
			up := filepath.Dir(dir)
			if up == dir {
				break
			}
			dir = up
		}
	}
	if choice == "" {
		b, _ := os.ReadFile(filepath.Join(root, "version"))
		choice = string(b)
	}
	for _, v := range strings.FieldsFunc(choice, func(r rune) bool { return r == ':' || r == '\n' || r == ' ' || r == '\t' || r == '\r' }) {
		if v == "system" || strings.HasPrefix(v, "#") || strings.Contains(v, "/") {
			return ""
		}
		p := filepath.Join(root, "versions", v, "bin", "python3")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// pythonArgv is how a Python runtime starts: -S skips the site module, whose
// .pth files run code at every start (~100 ms for one on a machine seen);
// the bootstrap puts site-packages on sys.path itself. -s: no user
// site-packages, which Lambda has none of.
func pythonArgv(py, rt string) []string {
	return []string{py, "-s", "-S", filepath.Join(rt, "bootstrap.py")}
}

// environ is the Lambda environment: the function's variables, then the
// reserved ones Lambda sets (which a function cannot override).
func (e *environment) environ(argv []string) []string {
	f := &e.fn
	vars := map[string]string{}
	for k, v := range f.Env {
		vars[k] = v
	}
	key, secret, token := "test", "test", "test"
	if f.Account != "000000000000" {
		key = f.Account // an access key of 12 digits selects that account
	}
	// The execution role's temporary credentials, as Lambda gives them, when
	// IAM has the role (or enforces policies).
	if e.s.roles != nil {
		if k, sec, tok, ok := e.s.roles.ServiceCredentials(f.Role, "lambda.amazonaws.com", f.Name); ok {
			key, secret, token = k, sec, tok
		}
	}
	endpoint := e.s.env.URL()
	if _, set := vars["AWS_ENDPOINT_URL"]; !set && endpoint != "" {
		vars["AWS_ENDPOINT_URL"] = endpoint
	}
	rt, _ := e.s.runtimeDir()
	reserved := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        f.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     f.version(),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.FormatInt(f.MemorySize, 10),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + f.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      e.stream,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_RUNTIME_API":          e.ln.Addr().String(),
		"AWS_REGION":                      f.Region,
		"AWS_DEFAULT_REGION":              f.Region,
		"AWS_EXECUTION_ENV":               "AWS_Lambda_" + f.Runtime,
		"AWS_ACCESS_KEY_ID":               key,
		"AWS_SECRET_ACCESS_KEY":           secret,
		"AWS_SESSION_TOKEN":               token,
		"_HANDLER":                        f.Handler,
		"LAMBDA_TASK_ROOT":                e.task,
		"LAMBDA_RUNTIME_DIR":              rt,
		"TZ":                              ":UTC",
		markEnv:                           e.mark,
		"LANG":                            "en_US.UTF-8",
		"TMPDIR":                          filepath.Join(e.dir, "tmp"),
		"PATH":                            os.Getenv("PATH"),
	}
	if v := os.Getenv("LD_LIBRARY_PATH"); v != "" {
		reserved["LD_LIBRARY_PATH"] = v
	}
	opt := e.opt()
	if len(f.Layers) > 0 {
		reserved["PATH"] = filepath.Join(opt, "bin") + ":" + reserved["PATH"]
		reserved["LD_LIBRARY_PATH"] = strings.TrimSuffix(filepath.Join(opt, "lib")+":"+reserved["LD_LIBRARY_PATH"], ":")
	}
	if v := os.Getenv("HOME"); v != "" {
		vars["HOME"] = v // pyenv and node's tooling want one; Lambda's sandbox has none
	}
	switch {
	case strings.HasPrefix(f.Runtime, "python"):
		if len(f.Layers) > 0 {
			reserved["PYTHONPATH"] = filepath.Join(opt, "python") + ":" + filepath.Join(opt, "python", "lib", f.Runtime, "site-packages")
		}
		reserved["PYTHONUNBUFFERED"] = "1" // removed again by the bootstrap
		if f.HotReloadDir != "" {
			// No __pycache__ in the user's folder, and no stale bytecode after
			// an edit that keeps a file's size within the same second.
			reserved["PYTHONDONTWRITEBYTECODE"] = "1"
		}
	case strings.HasPrefix(f.Runtime, "nodejs"):
		reserved["NODE_PATH"] = e.task
		if len(f.Layers) > 0 {
			major := strings.TrimSuffix(strings.TrimPrefix(f.Runtime, "nodejs"), ".x")
			reserved["NODE_PATH"] = filepath.Join(opt, "nodejs", "node"+major, "node_modules") + ":" +
				filepath.Join(opt, "nodejs", "node_modules") + ":" + e.task
		}
	}
	for k, v := range reserved {
		vars[k] = v
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// readOutput reads the runtime's stdout and stderr (one pipe, as on Lambda)
// into lines for the current invocation. It never blocks on anything but the
// pipe, so a flood of output cannot stall the runtime's writes.
func (e *environment) readOutput() {
	defer close(e.outDone)
	buf := make([]byte, 64<<10)
	for {
		n, err := e.outR.Read(buf)
		if n > 0 {
			e.mu.Lock()
			e.take(buf[:n])
			e.mu.Unlock()
		}
		if err != nil {
			e.mu.Lock()
			e.flushPartial()
			e.mu.Unlock()
			return
		}
	}
}

// take splits b into lines; e.mu held.
func (e *environment) take(b []byte) {
	now := time.Now()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(e.partial) < maxLogLine {
				e.partial = append(e.partial, b...)
			}
			return
		}
		line := b[:i]
		if len(e.partial) > 0 {
			line = append(e.partial, line...)
			e.partial = e.partial[:0]
		}
		e.sinkNow().add(now, string(line))
		b = b[i+1:]
	}
}

func (e *environment) flushPartial() {
	if len(e.partial) > 0 {
		e.sinkNow().add(time.Now(), string(e.partial))
		e.partial = e.partial[:0]
	}
}

func (e *environment) sinkNow() *logBuf {
	if e.sink != nil {
		return e.sink
	}
	return &e.pending
}

// drain waits until the output written before now is in the current sink:
// the runtime wrote it before posting its answer, so it is in the pipe or
// already read.
func (e *environment) drain() {
	deadline := time.Now().Add(50 * time.Millisecond)
	for {
		n, ok := pipeBuffered(e.outR)
		if !ok {
			time.Sleep(2 * time.Millisecond) // no way to ask: a short grace
			break
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Microsecond)
	}
	e.mu.Lock()
	e.flushPartial()
	e.mu.Unlock()
}

// end kills the process group, closes the listener and removes the
// environment's directory (never a hot-reload folder: that is the user's).
func (e *environment) end() {
	e.endOnce.Do(func() {
		close(e.gone)
		if e.cmd != nil && e.cmd.Process != nil {
			killTree(e.cmd.Process.Pid, e.mark, isClosed(e.exited))
			<-e.exited
			// Children that left the group may still hold the pipe: do not wait
			// for EOF longer than a moment.
			select {
			case <-e.outDone:
			case <-time.After(100 * time.Millisecond):
			}
		}
		if e.outR != nil {
			e.outR.Close()
		}
		if e.srv != nil {
			e.srv.Close()
		} else if e.ln != nil {
			e.ln.Close()
		}
		if e.dir != "" {
			os.RemoveAll(e.dir)
		}
	})
}

// waitInit waits until the runtime asks for its first event, fails its
// init, exits, or overruns limit (false).
func (e *environment) waitInit(limit time.Duration) bool {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-e.ready:
	case <-e.initFail:
	case <-e.exited:
	case <-e.gone:
	case <-t.C:
		return false
	}
	return true
}

// alive reports whether the process still runs.
func (e *environment) alive() bool {
	select {
	case <-e.exited:
		return false
	case <-e.gone:
		return false
	default:
		return true
	}
}

// exitReason words the process's end as Lambda's Runtime.ExitError does.
func (e *environment) exitReason() string {
	var exitErr error
	if e.proc != nil {
		exitErr = e.proc.err // set before exited was closed
	}
	var ee *exec.ExitError
	if errors.As(exitErr, &ee) {
		return "Runtime exited with error: " + ee.String()
	}
	if exitErr != nil {
		return "Runtime exited with error: " + exitErr.Error()
	}
	return "Runtime exited without providing a reason"
}

// unzip extracts a checked zip (checkZip refused absolute paths and ".."
// entries) into dir. Symbolic links are made last, so no file is ever
// written through one.
func unzip(code []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(code), int64(len(code)))
	if err != nil {
		return err
	}
	var links []*zip.File
	for _, zf := range zr.File {
		name := filepath.FromSlash(strings.ReplaceAll(zf.Name, `\`, "/"))
		dst := filepath.Join(dir, name)
		mode := zf.Mode()
		switch {
		case mode&os.ModeSymlink != 0:
			links = append(links, zf)
			continue
		case zf.FileInfo().IsDir() || strings.HasSuffix(zf.Name, "/"):
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		perm := mode.Perm()
		if perm == 0 {
			perm = 0o644
		}
		perm |= 0o400
		rc, err := zf.Open()
		if err != nil {
			return err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
		if err != nil {
			rc.Close()
			return err
		}
		_, err = io.Copy(out, io.LimitReader(rc, maxUnzipped))
		rc.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	for _, zf := range links {
		target, err := readSmall(zf)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(zf.Name))
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.Symlink(target, dst); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}

func readSmall(zf *zip.File) (string, error) {
	rc, err := zf.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 4096))
	return string(b), err
}

// baseDir is where environments live: one temporary directory per service,
// removed at Stop.
func (s *Service) baseDir() (string, error) {
	s.dirOnce.Do(func() {
		s.dir, s.dirErr = os.MkdirTemp("", "fogbank-lambda-")
	})
	return s.dir, s.dirErr
}

// runtimeDir holds fogbank's bootstraps (LAMBDA_RUNTIME_DIR).
func (s *Service) runtimeDir() (string, error) {
	s.rtOnce.Do(func() {
		base, err := s.baseDir()
		if err != nil {
			s.rtErr = err
			return
		}
		d := filepath.Join(base, "runtime")
		if err := os.MkdirAll(d, 0o755); err != nil {
			s.rtErr = err
			return
		}
		if err := os.WriteFile(filepath.Join(d, "bootstrap.py"), pythonBootstrap, 0o644); err != nil {
			s.rtErr = err
			return
		}
		s.rtErr = os.WriteFile(filepath.Join(d, "bootstrap.cjs"), nodeBootstrap, 0o644)
		s.rt = d
	})
	return s.rt, s.rtErr
}
