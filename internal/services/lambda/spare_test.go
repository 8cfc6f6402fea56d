package lambda

import (
	"context"
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
)

// After CreateFunction or a cold start, a spare runtime of that kind waits;
// the next cold start of a function of that kind takes it, and the handler
// sees exactly the environment of a runtime started for it. A function whose variables a
// spare cannot take starts its own process; spares end at Stop and when
// unused.
func TestSpareRuntimes(t *testing.T) {
	const pyApp = "import os, sys\n" +
		"def handler(e, c):\n" +
		"    return {'pid': os.getpid(), 'cwd': os.getcwd(), 'task': os.environ['LAMBDA_TASK_ROOT'],\n" +
		"            'name': os.environ['AWS_LAMBDA_FUNCTION_NAME'], 'fn': c.function_name, 'greeting': os.environ.get('GREETING'),\n" +
		"            'spare': '_FOGBANK_SPARE' in os.environ, 'stdin': sys.stdin.read(), 'tz': os.environ.get('TZ'),\n" +
		"            'api': os.environ['AWS_LAMBDA_RUNTIME_API']}\n"
	const nodeApp = "exports.handler = async (e, c) => ({pid: process.pid, cwd: process.cwd(), task: process.env.LAMBDA_TASK_ROOT,\n" +
		"  name: process.env.AWS_LAMBDA_FUNCTION_NAME, fn: c.functionName, greeting: process.env.GREETING,\n" +
		"  spare: '_FOGBANK_SPARE' in process.env, stdin: require('fs').readFileSync(0, 'utf8'), tz: process.env.TZ,\n" +
		"  api: process.env.AWS_LAMBDA_RUNTIME_API});\n"
	for _, tc := range []struct {
		kind, runtime, file, handler, body, offVar string
	}{
		{"python", "python3.12", "app.py", "app.handler", pyApp, "PYTHONHASHSEED"},
		{"node", "nodejs20.x", "index.js", "index.handler", nodeApp, "NODE_OPTIONS"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			if _, err := exec.LookPath(tc.kind); err != nil && tc.kind == "node" {
				t.Skip("node is not installed")
			}
			s := newService(t)
			ctx := context.Background()
			type seen struct {
				Pid                           int
				Cwd, Task, Name, Fn, Greeting string
				Spare                         bool
				Stdin, Tz, API                string
			}
			create := func(name string, vars map[string]string) {
				t.Helper()
				_, err := s.CreateFunction(ctx, &lambdaapi.CreateFunctionRequest{
					FunctionName: api.String(name), Runtime: api.String(tc.runtime), Role: api.String("arn:aws:iam::000000000000:role/r"),
					Handler: api.String(tc.handler), Code: &lambdaapi.FunctionCode{ZipFile: mkZip(t, tc.file, tc.body)},
					Environment: &lambdaapi.Environment{Variables: vars},
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			run := func(name string, vars map[string]string) seen {
				t.Helper()
				res, err := s.invoke(ctx, invokeRequest{Account: "000000000000", Region: "us-east-1", Function: name})
				if err != nil || res.FunctionError != "" {
					t.Fatalf("invoke %s: %v %s", name, err, res.Payload)
				}
				var v seen
				if err := json.Unmarshal(res.Payload, &v); err != nil {
					t.Fatalf("%s: %v", res.Payload, err)
				}
				if v.Cwd != v.Task || v.Name != name || v.Fn != name || v.Greeting != vars["GREETING"] || v.Spare || v.Stdin != "" || v.Tz != ":UTC" || v.API == "" {
					t.Errorf("%s saw %+v", name, v)
				}
				return v
			}
			call := func(name string, vars map[string]string) seen {
				t.Helper()
				create(name, vars)
				return run(name, vars)
			}
			sparePid := func() int {
				s.spareMu.Lock()
				defer s.spareMu.Unlock()
				if p := s.spares[tc.kind]; p != nil {
					return p.cmd.Process.Pid
				}
				return 0
			}
			if sparePid() != 0 {
				t.Fatal("a spare before any cold start")
			}
			// Creating a function starts a spare of its kind (prepare): its
			// first invoke runs there.
			create("first", map[string]string{"GREETING": "one"})
			var early int
			for i := 0; i < 500 && early == 0; i++ {
				time.Sleep(10 * time.Millisecond)
				early = sparePid()
			}
			if early == 0 {
				t.Fatal("no spare after CreateFunction")
			}
			if v := run("first", map[string]string{"GREETING": "one"}); v.Pid != early {
				t.Errorf("the first invoke ran in %d, not in the spare %d started at create", v.Pid, early)
			}
			spare := sparePid()
			if spare == 0 || spare == early || !pidAlive(spare) {
				t.Fatal("no new spare after a cold start")
			}
			// A variable the interpreter reads at start: not a spare's.
			if v := call("own", map[string]string{"GREETING": "own", tc.offVar: "0"}); v.Pid == spare {
				t.Errorf("a function setting %s ran in the spare", tc.offVar)
			}
			if sparePid() != spare {
				t.Fatalf("the spare was taken or replaced by a function it cannot run")
			}
			second := call("second", map[string]string{"GREETING": "two"})
			if second.Pid != spare {
				t.Errorf("the second cold start ran in %d, not in the spare %d", second.Pid, spare)
			}
			next := sparePid()
			if next == 0 || next == spare {
				t.Fatalf("no new spare after the spare was taken (%d)", next)
			}
			// Unused for idleTTL: ended by the reaper's call.
			s.endSpares(false, time.Now())
			if sparePid() != 0 {
				t.Error("an unused spare was kept")
			}
			time.Sleep(50 * time.Millisecond)
			if pidAlive(next) {
				t.Errorf("the ended spare %d still runs", next)
			}
			call("third", map[string]string{"GREETING": "three"})
			last := sparePid()
			s.Stop(ctx)
			if last == 0 || pidAlive(last) {
				t.Errorf("the spare %d outlived Stop", last)
			}
		})
	}
}
