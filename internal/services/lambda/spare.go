package lambda

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Spare runtimes: the largest part of a Python or Node cold start here is the
// interpreter's own start (site and its .pth files, Node's bootstrap), which
// knows nothing of the function. So after a cold start of a Python or Node
// function, fogbank starts one spare runtime process of that kind: fogbank's
// runtime client, its imports done, waiting on its stdin. The next cold start
// of a function of that kind takes it and hands it the environment (the
// variables, the task root) as one line of JSON; the runtime client applies
// them and carries on as a freshly started one does, importing the handler
// and asking /next. The handler's import, its init and the whole Runtime API
// exchange stay in the cold start; what moves out of it is only the
// interpreter's start. A spare is also started when a function of its kind
// is created or updated, and at start-up when functions of its kind are
// stored (prepare), so that the first cold start has one too. A Lambda with
// no functions starts none; a spare unused for idleTTL is ended.
//
// A spare cannot take what only a process start reads: a function with
// layers (LD_LIBRARY_PATH), a debugger, or variables read by the interpreter
// or the loader at start (PYTHON*, NODE_*, LD_*, LC_*) starts its own process.
// FOGBANK_LAMBDA_SPARES=0 turns spares off.

// spareEnv is the variable that tells fogbank's runtime clients to wait for
// their environment on stdin.
const spareEnv = "_FOGBANK_SPARE"

// markEnv marks every process of a runtime, the runtime's children included
// wherever they move, so that they end with it (killTree). Its value begins
// with fogbank's pid: what a fogbank killed with -9 left running is found by
// the next one (killOrphans).
const markEnv = "_FOGBANK_ENV"

func newMark(id string) string { return strconv.Itoa(os.Getpid()) + "-" + id }

// proc is a runtime process: its output pipe and its end.
type proc struct {
	cmd    *exec.Cmd
	out    *os.File // the read end of stdout+stderr
	assign *os.File // a spare's stdin, where its environment is written
	exited chan struct{}
	err    error // how it exited, once exited is closed
	made   time.Time
	mark   string // markEnv's value in its environment
}

// startProc starts argv in dir with env (which holds markEnv=mark), in a
// process group of its own; withStdin gives it a pipe for stdin (a spare's
// assignment).
func startProc(argv []string, dir string, env []string, mark string, withStdin bool) (*proc, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = sysProcAttr()
	p := &proc{cmd: cmd, out: r, exited: make(chan struct{}), made: time.Now(), mark: mark}
	var in *os.File
	if withStdin {
		if in, p.assign, err = os.Pipe(); err != nil {
			r.Close()
			w.Close()
			return nil, err
		}
		cmd.Stdin = in
	}
	err = cmd.Start()
	w.Close()
	if in != nil {
		in.Close()
	}
	if err != nil {
		r.Close()
		if p.assign != nil {
			p.assign.Close()
		}
		return nil, err
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// kill ends the process and its children and releases the pipes of a
// process no environment took.
func (p *proc) kill() {
	killTree(p.cmd.Process.Pid, p.mark, isClosed(p.exited))
	<-p.exited
	p.out.Close()
	if p.assign != nil {
		p.assign.Close()
	}
}

// spareKind is the kind of spare that can run f ("" for none).
func spareKind(f *function) string {
	if len(f.Layers) > 0 || f.debugPort() != 0 || os.Getenv("FOGBANK_LAMBDA_SPARES") == "0" {
		return ""
	}
	for k := range f.Env {
		for _, p := range []string{"PYTHON", "NODE_", "LD_", "LC_"} {
			if strings.HasPrefix(k, p) {
				return ""
			}
		}
	}
	switch {
	case strings.HasPrefix(f.Runtime, "python"):
		return "python"
	case strings.HasPrefix(f.Runtime, "nodejs"):
		return "node"
	}
	return ""
}

// takeSpare takes the spare of kind when there is a live one.
func (s *Service) takeSpare(kind string) *proc {
	if kind == "" {
		return nil
	}
	s.spareMu.Lock()
	p := s.spares[kind]
	delete(s.spares, kind)
	s.spareMu.Unlock()
	if p == nil {
		return nil
	}
	select {
	case <-p.exited:
		p.kill()
		return nil
	default:
		return p
	}
}

// prepare readies what f's first cold start needs, in the background: the
// Python interpreter's probe (python) and a spare of f's kind. Called when a
// function is created or updated, and at start-up for the functions stored,
// so that the first invoke after create-function, or after fogbank starts,
// does not wait for an interpreter to start. A spare waits on a pipe and
// costs no CPU; unused, it ends after idleTTL.
func (s *Service) prepare(f *function) {
	kind := spareKind(f)
	if s.stopping() || (kind == "" && !strings.HasPrefix(f.Runtime, "python")) {
		return
	}
	if kind != "" {
		s.mu.Lock()
		s.startReaper() // which ends an unused spare
		s.mu.Unlock()
	}
	go func() {
		if strings.HasPrefix(f.Runtime, "python") {
			s.python()
		}
		s.refillSpare(kind)
	}()
}

// refillSpare starts a spare of kind unless there is one: after a cold start
// of that kind, and from prepare.
func (s *Service) refillSpare(kind string) {
	if kind == "" || s.stopping() {
		return
	}
	s.spareMu.Lock()
	have := s.spares[kind] != nil
	s.spareMu.Unlock()
	if have {
		return
	}
	rt, err := s.runtimeDir()
	if err != nil {
		return
	}
	var argv []string
	mark := newMark("s" + newID())
	env := []string{spareEnv + "=1", markEnv + "=" + mark, "PATH=" + os.Getenv("PATH"), "TZ=:UTC", "LANG=en_US.UTF-8", "LAMBDA_RUNTIME_DIR=" + rt}
	if v := os.Getenv("HOME"); v != "" {
		env = append(env, "HOME="+v)
	}
	if v := os.Getenv("LD_LIBRARY_PATH"); v != "" {
		env = append(env, "LD_LIBRARY_PATH="+v)
	}
	switch kind {
	case "python":
		py, err := s.python() // outside spareMu: it may run a pyenv shim once
		if err != nil {
			return
		}
		argv = pythonArgv(py, rt)
		env = append(env, "PYTHONUNBUFFERED=1")
	case "node":
		node, err := s.lookPath("node")
		if err != nil {
			return
		}
		argv = []string{node, rt + "/bootstrap.cjs"}
	}
	s.spareMu.Lock()
	defer s.spareMu.Unlock()
	if s.spares[kind] != nil || s.stopping() {
		return
	}
	p, err := startProc(argv, rt, env, mark, true)
	if err != nil {
		s.warn("lambda: starting a spare runtime", err)
		return
	}
	if s.spares == nil {
		s.spares = map[string]*proc{}
	}
	s.spares[kind] = p
}

// endSpares ends the spares (all of them, or those made before cutoff).
func (s *Service) endSpares(all bool, cutoff time.Time) {
	s.spareMu.Lock()
	var old []*proc
	for k, p := range s.spares {
		if all || p.made.Before(cutoff) {
			old = append(old, p)
			delete(s.spares, k)
		}
	}
	s.spareMu.Unlock()
	for _, p := range old {
		p.kill()
	}
}

// assignment is what a spare is told: its environment's variables and
// working directory (the task root).
func assignment(env []string, dir string) []byte {
	vars := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	b, _ := json.Marshal(map[string]any{"env": vars, "dir": dir})
	return append(b, '\n')
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
