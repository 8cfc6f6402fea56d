package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

// newService is a Lambda over a fresh store, without a server: what
// logs-async's async queue and S3 triggers see through invoke.
func newService(t *testing.T) *Service {
	t.Helper()
	st, err := store.Open(store.Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	impl, err := New(&host.Env{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	s := impl.(*Service)
	t.Cleanup(func() {
		s.Stop(context.Background())
		st.Close()
	})
	return s
}

func mkZip(t *testing.T, name, body string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(name)
	w.Write([]byte(body))
	zw.Close()
	return buf.Bytes()
}

func pidAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// The internal entry point, idle reaping, and Stop ending every environment.
func TestInvokeEntryPointReapStop(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	_, err := s.CreateFunction(ctx, &lambdaapi.CreateFunctionRequest{
		FunctionName: api.String("pid"), Runtime: api.String("python3.12"), Role: api.String("arn:aws:iam::000000000000:role/r"),
		Handler: api.String("app.handler"), Code: &lambdaapi.FunctionCode{ZipFile: mkZip(t, "app.py", "import os\ndef handler(e, c):\n    return os.getpid()\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	call := func() int {
		res, err := s.invoke(ctx, invokeRequest{Account: "000000000000", Region: "us-east-1",
			Function: "arn:aws:lambda:us-east-1:000000000000:function:pid", Tail: true})
		if err != nil || res.FunctionError != "" || res.ExecutedVersion != "$LATEST" || res.LogTail == "" {
			t.Fatalf("invoke: %v %+v", err, res)
		}
		pid, _ := strconv.Atoi(string(res.Payload))
		return pid
	}
	pid := call()
	if !pidAlive(pid) || call() != pid {
		t.Fatalf("the environment was not kept warm")
	}
	p := s.pools["000000000000/us-east-1/pid"]
	if n := p.reap(time.Hour); n != 1 || !pidAlive(pid) {
		t.Errorf("a fresh idle environment was reaped (%d left)", n)
	}
	time.Sleep(20 * time.Millisecond)
	if n := p.reap(10 * time.Millisecond); n != 0 {
		t.Errorf("%d environments left after reaping", n)
	}
	if pidAlive(pid) {
		t.Errorf("the reaped runtime %d still runs", pid)
	}
	pid2 := call()
	if pid2 == pid {
		t.Fatalf("a reaped environment answered")
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if pidAlive(pid2) {
		t.Errorf("runtime %d outlived Stop", pid2)
	}
	if _, err := os.Stat(s.dir); !os.IsNotExist(err) {
		t.Errorf("the environments' directory %s outlived Stop: %v", s.dir, err)
	}
	// Events accepted now are refused a slot rather than starting anything.
	res, err := s.invoke(ctx, invokeRequest{Account: "000000000000", Region: "us-east-1", Function: "pid", Type: "Event"})
	if err != nil || res.Status != 202 {
		t.Errorf("event after stop: %v %+v", err, res)
	}
}
