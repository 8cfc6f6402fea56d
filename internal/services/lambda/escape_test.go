package lambda

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
)

// escapeApp leaves processes behind in every way a handler can short of
// clearing its environment: a child in a session of its own (setsid), a
// daemon (double fork, its parent gone, so it is re-parented away from the
// runtime), a forked copy of the runtime, and a child in a process group of
// its own; then it sleeps past its timeout, or returns at once.
const escapeApp = `import os, subprocess, time
def handler(e, c):
    pids = []
    pids.append(subprocess.Popen(["sleep", "300"], start_new_session=True).pid)
    pids.append(subprocess.Popen(["sleep", "301"], process_group=0).pid)
    r, w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        pid = os.fork()
        if pid == 0:
            time.sleep(302)
            os._exit(0)
        os.write(w, str(pid).encode())
        os._exit(0)
    pids.append(int(os.read(r, 20)))
    pid = os.fork()
    if pid == 0:
        time.sleep(303)
        os._exit(0)
    pids.append(pid)
    with open(e["pidfile"], "w") as f:
        f.write(" ".join(map(str, pids)))
    if e.get("hang"):
        time.sleep(300)
    return pids
`

// A handler's processes end with its environment: at its timeout, and at
// Stop for a warm one, wherever they moved (setsid, setpgid, a daemon's
// double fork).
func TestEscapedChildrenKilled(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	_, err := s.CreateFunction(ctx, &lambdaapi.CreateFunctionRequest{
		FunctionName: api.String("escape"), Runtime: api.String("python3.12"), Role: api.String("arn:aws:iam::000000000000:role/r"),
		Handler: api.String("app.handler"), Code: &lambdaapi.FunctionCode{ZipFile: mkZip(t, "app.py", escapeApp)},
		Timeout: api.Int64(2),
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pidsOf := func(file string) []int {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("the handler wrote no pids: %v", err)
		}
		var pids []int
		for _, f := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(f)
			pids = append(pids, n)
		}
		if len(pids) != 4 {
			t.Fatalf("pids %v", pids)
		}
		return pids
	}
	gone := func(when string, pids []int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for _, pid := range pids {
			for pidAlive(pid) {
				if time.Now().After(deadline) {
					t.Errorf("%s: process %d still runs", when, pid)
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	// At the timeout.
	hung := filepath.Join(dir, "hung")
	began := time.Now()
	res, err := s.invoke(ctx, invokeRequest{Account: "000000000000", Region: "us-east-1", Function: "escape",
		Payload: []byte(`{"hang": true, "pidfile": "` + hung + `"}`)})
	if err != nil || !strings.Contains(string(res.Payload), "Task timed out after 2.00 seconds") {
		t.Fatalf("hung invoke: %v %s", err, res.Payload)
	}
	if d := time.Since(began); d > 8*time.Second {
		t.Errorf("the timed-out invocation answered after %v", d)
	}
	gone("after the timeout", pidsOf(hung))

	// At Stop, for a warm environment whose handler returned.
	warm := filepath.Join(dir, "warm")
	res, err = s.invoke(ctx, invokeRequest{Account: "000000000000", Region: "us-east-1", Function: "escape",
		Payload: []byte(`{"pidfile": "` + warm + `"}`)})
	if err != nil || res.FunctionError != "" {
		t.Fatalf("invoke: %v %s", err, res.Payload)
	}
	pids := pidsOf(warm)
	for _, pid := range pids {
		if !pidAlive(pid) {
			t.Fatalf("process %d ended before Stop: the test shows nothing", pid)
		}
	}
	stopped := make(chan struct{})
	go func() {
		s.Stop(ctx)
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop stalled")
	}
	gone("after Stop", pids)
}
