package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	// Not used: importing the server (which imports the gateway, http1 and
	// every service) makes this test binary change with fogbank's code, so that
	// go test's cache never reports a stale e2e result for a binary built from
	// changed sources. (cmd/fogbank itself cannot be imported: after changing
	// only its flags, run with -count=1.)
	_ "github.com/fogbank/fogbank/internal/server"
	_ "github.com/fogbank/fogbank/internal/services/all"
)

var binary string // the fogbank binary built for this test run

// TestMain builds the binary and runs the suite, with fogbank on the HTTP server
// FOGBANK_HTTP names (fogbank's own by default; e2e/std runs the suite again
// with FOGBANK_HTTP=std).
func TestMain(m *testing.M) {
	if dir := os.Getenv(notifyChildEnv); dir != "" {
		notifyChild(dir) // this binary is a fogbank child of a crash test
		return
	}
	dir, err := os.MkdirTemp("", "fogbank-e2e-*")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "fogbank")
	build := exec.Command("go", "build", "-o", binary, "../cmd/fogbank")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building fogbank:", err)
		os.Exit(1)
	}
	code := m.Run()
	reportMissing()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fogbank is one running fogbank process.
type fogbank struct {
	URL     string
	DataDir string
	cmd     *exec.Cmd
	logs    *strings.Builder // read it after logsDone is closed (the process has ended)
	// logsDone is closed when the process's stderr has ended.
	logsDone chan struct{}
}

// start runs the binary on a free port and waits for its "fogbank ready" line;
// with dataDir "" the state is ephemeral.
func start(t *testing.T, dataDir string, extra ...string) *fogbank {
	t.Helper()
	f, ready := launch(t, dataDir, extra...)
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		f.cmd.Process.Kill()
		<-f.logsDone
		t.Fatalf("fogbank did not start:\n%s", f.logs.String())
	}
	if h := os.Getenv("FOGBANK_HTTP"); h != "" && !strings.Contains(f.logs.String(), "http="+h) {
		t.Fatalf("fogbank is not serving with --http=%s:\n%s", h, f.logs.String())
	}
	return f
}

// launch runs the binary on a free port; ready is closed when it logs
// "fogbank ready" (after its init scripts, if any).
func launch(t *testing.T, dataDir string, extra ...string) (*fogbank, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"serve", "--addr", addr}
	if h := os.Getenv("FOGBANK_HTTP"); h != "" {
		args = append(args, "--http", h) // the binary reads it too; said here to be plain
	}
	if dataDir == "" {
		args = append(args, "--ephemeral")
	} else {
		args = append(args, "--data-dir", dataDir)
	}
	args = append(args, extra...)
	cmd := exec.Command(binary, args...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &fogbank{URL: "http://" + addr, DataDir: dataDir, cmd: cmd, logs: &strings.Builder{}, logsDone: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(f.logsDone)
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			f.logs.WriteString(sc.Text() + "\n")
			if !once && strings.Contains(sc.Text(), "fogbank ready") {
				once = true
				close(ready)
			}
		}
	}()
	t.Cleanup(func() { f.stop() })
	return f, ready
}

func (f *fogbank) stop() {
	if f.cmd.ProcessState == nil {
		f.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { f.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			f.cmd.Process.Kill()
			<-done
		}
	}
}

// run runs a client command with test credentials pointed at f; it returns
// stdout, stderr and the exit code.
func (f *fogbank) run(t *testing.T, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ENDPOINT_URL="+f.URL, "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_MAX_ATTEMPTS=1", "FOGBANK_URL="+f.URL)
	cmd.Env = append(cmd.Env, env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return out.String(), errb.String(), code
}

// clis are the AWS CLI generations the tests run with.
var clis = []struct{ name, bin string }{
	{"awscli-v1", "aws"},          // python3's awscli 1.x (current botocore)
	{"awscli-v2", "/usr/bin/aws"}, // Debian's awscli 2.9
}

// pythons are the boto3 generations.
var pythons = []struct{ name, bin string }{
	{"boto3-current", "python3"},
	{"boto3-1.26", "/usr/bin/python3"},
}

// installHint is the command that installs every client the tests drive on a
// Debian machine (it also provides "aws" and "python3" with boto3 when the
// current generations are missing).
const installHint = "apt-get install -y awscli python3-boto3 chromium g++ nodejs zip"

// The clients are not part of Go: a fresh machine may lack them. A test whose
// client is missing skips, saying so, and TestMain ends with one line listing
// what was missing; with CI=true (.ci/run) a missing client fails the test
// instead, so that CI never passes by skipping.
var (
	missingMu sync.Mutex
	missing   = map[string]int{} // client → tests skipped for it
	boto3Seen sync.Map           // python binary → error importing boto3 (nil when it can)
)

// need stops the test unless the program bin is installed.
func need(t *testing.T, bin string) {
	t.Helper()
	if _, err := exec.LookPath(bin); err != nil {
		missingClient(t, bin)
	}
}

// needBoto3 stops the test unless python can import boto3.
func needBoto3(t *testing.T, python string) {
	t.Helper()
	v, ok := boto3Seen.Load(python)
	if !ok {
		var err error
		if _, err = exec.LookPath(python); err == nil {
			err = exec.Command(python, "-c", "import boto3").Run()
		}
		v, _ = boto3Seen.LoadOrStore(python, err)
	}
	if v != nil && v.(error) != nil {
		missingClient(t, "boto3 for "+python)
	}
}

func missingClient(t *testing.T, client string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("client %s is missing (CI=true: a missing client fails); install it: %s", client, installHint)
	}
	missingMu.Lock()
	missing[client]++
	missingMu.Unlock()
	t.Skipf("SKIP: client %s is missing; install it: %s", client, installHint)
}

// reportMissing prints the one line that says which clients were missing. go
// test shows a passing package's output only with -v, so without -v the line
// also goes to the terminal, when there is one: a skip nobody sees would make
// a green run mean less than it says.
func reportMissing() {
	missingMu.Lock()
	defer missingMu.Unlock()
	if len(missing) == 0 {
		return
	}
	names, n := make([]string, 0, len(missing)), 0
	for c, k := range missing {
		names = append(names, c)
		n += k
	}
	sort.Strings(names)
	line := fmt.Sprintf("e2e: %d tests SKIPPED, clients missing: %s; install them: %s (CI=true fails instead)\n",
		n, strings.Join(names, ", "), installHint)
	os.Stderr.WriteString(line)
	if !testing.Verbose() {
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			tty.WriteString(line)
			tty.Close()
		}
	}
}
