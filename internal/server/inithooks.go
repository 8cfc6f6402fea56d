package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/fogbank/fogbank/internal/gateway"
)

// Init hooks (--init-dir): scripts that prepare state (buckets, tables, seed
// data) before a test suite starts, as LocalStack's ready.d scripts do. They
// run once the server answers, one at a time in name order, each with
// AWS_ENDPOINT_URL pointing at the server and test credentials; their output
// goes to the log line by line. A script that fails is logged at ERROR with its
// exit code and the later ones still run, as in LocalStack. The health
// endpoints answer 503 ("ready": false) until every script has run, and the
// "fogbank ready" log line waits for them too.
//
// Which files run: executables, directly; .sh files that are not executable,
// with sh; .py files that are not executable, with python3. Other files,
// hidden files and directories are skipped. When DIR has a ready.d directory
// (LocalStack's /etc/localstack/init layout), the scripts are the ones in it.

// initState is what /_localstack/init reports.
type initState struct {
	mu      sync.Mutex
	scripts []gateway.InitScript
	done    chan struct{} // closed when every script has run
}

// Init reports the init scripts and whether they have all run (gateway.Admin).
func (s *Server) Init() gateway.InitStatus {
	s.init.mu.Lock()
	defer s.init.mu.Unlock()
	st := gateway.InitStatus{Scripts: append([]gateway.InitScript(nil), s.init.scripts...)}
	select {
	case <-s.init.done:
		st.Done = true
	default:
	}
	return st
}

// InitDone is closed once the init scripts have run (at once without --init-dir).
func (s *Server) InitDone() <-chan struct{} { return s.init.done }

func (s *Server) setScriptState(i int, state string) {
	s.init.mu.Lock()
	s.init.scripts[i].State = state
	s.init.mu.Unlock()
}

// initScripts lists the scripts of dir in the order they run, with the command
// that runs each.
func initScripts(dir string) ([][]string, error) {
	if fi, err := os.Stat(filepath.Join(dir, "ready.d")); err == nil && fi.IsDir() {
		dir = filepath.Join(dir, "ready.d")
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	var out [][]string
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path) // follows symlinks, as mounted scripts often are
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		switch {
		case fi.Mode()&0o111 != 0:
			out = append(out, []string{path})
		case strings.HasSuffix(name, ".sh"):
			out = append(out, []string{"sh", path})
		case strings.HasSuffix(name, ".py"):
			out = append(out, []string{"python3", path})
		}
	}
	return out, nil
}

// runInit runs the scripts of dir, then closes s.init.done.
func (s *Server) runInit(ctx context.Context, dir string, log *slog.Logger) {
	defer close(s.init.done)
	scripts, err := initScripts(dir)
	if err != nil {
		log.Error("init scripts: cannot read the directory", "dir", dir, "err", err)
		return
	}
	s.init.mu.Lock()
	for _, argv := range scripts {
		s.init.scripts = append(s.init.scripts, gateway.InitScript{Stage: "READY", Name: filepath.Base(argv[len(argv)-1]), State: "UNKNOWN"})
	}
	s.init.mu.Unlock()
	failed := 0
	for i, argv := range scripts {
		if ctx.Err() != nil {
			return
		}
		script := argv[len(argv)-1]
		s.setScriptState(i, "RUNNING")
		log.Info("init script starting", "script", script)
		code, err := s.runScript(ctx, argv, log)
		switch {
		case err != nil:
			failed++
			s.setScriptState(i, "ERROR")
			log.Error("init script could not run", "script", script, "err", err)
		case code != 0:
			failed++
			s.setScriptState(i, "ERROR")
			log.Error("init script failed", "script", script, "exit_code", code)
		default:
			s.setScriptState(i, "SUCCESSFUL")
			log.Info("init script done", "script", script)
		}
	}
	log.Info("init scripts finished", "dir", dir, "ran", len(scripts), "failed", failed)
}

// runScript runs one script with the server's endpoint and test credentials,
// logging its output (stdout and stderr) line by line; it returns the exit code.
func (s *Server) runScript(ctx context.Context, argv []string, log *slog.Logger) (int, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = filepath.Dir(argv[len(argv)-1])
	cmd.Env = append(os.Environ(),
		"AWS_ENDPOINT_URL="+s.URL,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_SESSION_TOKEN=",
		"AWS_PAGER=")
	if os.Getenv("AWS_DEFAULT_REGION") == "" && os.Getenv("AWS_REGION") == "" {
		cmd.Env = append(cmd.Env, "AWS_DEFAULT_REGION=us-east-1")
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 4096), 1<<20)
		for sc.Scan() {
			log.Info("init script output", "script", filepath.Base(argv[len(argv)-1]), "line", sc.Text())
		}
		io.Copy(io.Discard, pr) // a line too long ends the scanner, not the script
	}()
	err := cmd.Run()
	pw.Close()
	<-logged
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	return 0, err
}
