package lambda_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// What a handler does to its own process cannot stall fogbank or another
// function: a flood of output, a hang with forked children.
func TestInvokeHostileHandlers(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	dir := t.TempDir()
	fn(t, c, "flood", types.RuntimePython312, "app.handler", 60, map[string]string{"app.py": `import sys
def handler(e, c):
    line = "x" * 1023 + "\n"
    for _ in range(64 * 1024):   # 64 MB of output
        sys.stdout.write(line)
    return "flooded"
`})
	fn(t, c, "forker", types.RuntimePython312, "app.handler", 2, map[string]string{"app.py": `import subprocess, time
def handler(e, c):
    p = subprocess.Popen(["sleep", "300"])
    open(e["pidfile"], "w").write(str(p.pid))
    time.sleep(300)
`})
	fn(t, c, "quick", types.RuntimePython312, "app.handler", 3, map[string]string{"app.py": "def handler(e, c):\n    return 'ok'\n"})

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		out := invoke(t, c, "flood", "")
		if string(out.Payload) != `"flooded"` {
			t.Errorf("flood: %s %s", aws.ToString(out.FunctionError), out.Payload)
		}
		if logs := logTail(t, out); !strings.Contains(logs, "log lines of this invocation were dropped") || len(logs) > 4096 {
			t.Errorf("flood tail (%d bytes):\n%s", len(logs), logs)
		}
	}()
	pidfile := filepath.Join(dir, "pid")
	go func() {
		defer wg.Done()
		out := invoke(t, c, "forker", `{"pidfile": "`+pidfile+`"}`)
		if !strings.Contains(string(out.Payload), "Task timed out after 2.00 seconds") {
			t.Errorf("forker: %s", out.Payload)
		}
	}()
	// Meanwhile another function answers.
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("quick")})
		cancel()
		if err != nil || string(out.Payload) != `"ok"` {
			t.Errorf("quick beside the others: %v", err)
		}
	}
	wg.Wait()
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("the forker never ran: %v", err)
	}
	pid, _ := strconv.Atoi(string(b))
	// The child was in the runtime's process group: killed with it.
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(pid) {
		t.Errorf("the handler's child %d outlived its timeout", pid)
	}
}

// alive reports whether pid runs (a zombie waiting for its reaper does not).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// A result over 6 MB, a bootstrap that cannot be run: Lambda's errors.
func TestInvokeRuntimeLimits(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	fn(t, c, "big", types.RuntimePython312, "app.handler", 10, map[string]string{"app.py": "def handler(e, c):\n    return 'x' * (7 << 20)\n"})
	out := invoke(t, c, "big", "")
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorType":"Function.ResponseSizeTooLarge"`) {
		t.Errorf("a 7 MB result: %s %.200s", aws.ToString(out.FunctionError), out.Payload)
	}
	// A zip whose bootstrap has no execute bit.
	fn(t, c, "noexec", types.RuntimeProvidedal2023, "x", 3, map[string]string{"bootstrap": "#!/bin/sh\necho hi\n"})
	out = invoke(t, c, "noexec", "")
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorType":"Runtime.InvalidEntrypoint"`) ||
		!strings.Contains(string(out.Payload), "permission denied") {
		t.Errorf("bootstrap without x: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
}
