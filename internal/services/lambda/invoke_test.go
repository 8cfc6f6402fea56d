package lambda_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// fn creates a function of runtime with the given files and handler.
func fn(t *testing.T, c *lambda.Client, name string, runtime types.Runtime, handler string, timeout int32, files map[string]string) {
	t.Helper()
	_, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: runtime, Role: aws.String(role),
		Handler: aws.String(handler), Code: &types.FunctionCode{ZipFile: zipOf(t, files)},
		Timeout: aws.Int32(timeout), Environment: &types.Environment{Variables: map[string]string{"GREETING": "hi"}},
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// needProgram skips a test whose runtime's interpreter is missing (fails it
// under CI=true, where .ci/run installs them).
func needProgram(t *testing.T, prog string) {
	t.Helper()
	if _, err := exec.LookPath(prog); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (CI=true): apt-get install -y nodejs zip", prog)
		}
		t.Skipf("SKIP: %s is not installed (apt-get install -y nodejs)", prog)
	}
}

func invoke(t *testing.T, c *lambda.Client, name, payload string) *lambda.InvokeOutput {
	t.Helper()
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name),
		Payload: []byte(payload), LogType: types.LogTypeTail})
	if err != nil {
		t.Fatalf("Invoke %s: %v", name, err)
	}
	return out
}

func logTail(t *testing.T, out *lambda.InvokeOutput) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatalf("LogResult %q: %v", aws.ToString(out.LogResult), err)
	}
	return string(b)
}

const pyApp = `import os, time, tempfile
print("init ran")
calls = 0
def handler(event, context):
    global calls
    calls += 1
    print("hello from", context.function_name)
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("fail"):
        raise ValueError("bad " + event["fail"])
    if event.get("exit"):
        os._exit(3)
    return {"event": event, "calls": calls, "greeting": os.environ["GREETING"],
            "request_id": context.aws_request_id, "arn": context.invoked_function_arn,
            "group": context.log_group_name, "stream": context.log_stream_name,
            "memory": context.memory_limit_in_mb, "version": context.function_version,
            "remaining": context.get_remaining_time_in_millis(),
            "tz": os.environ["TZ"], "endpoint": os.environ.get("AWS_ENDPOINT_URL", ""),
            "cwd": os.getcwd(), "task": os.environ["LAMBDA_TASK_ROOT"], "tmp": tempfile.gettempdir(),
            "region": os.environ["AWS_REGION"], "key": os.environ["AWS_ACCESS_KEY_ID"]}
`

func TestInvokePython(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	fn(t, c, "py", types.RuntimePython312, "app.handler", 3, map[string]string{"app.py": pyApp})

	out := invoke(t, c, "py", `{"x": 1}`)
	if out.FunctionError != nil {
		t.Fatalf("FunctionError %s: %s", aws.ToString(out.FunctionError), out.Payload)
	}
	var got struct {
		Event                                           map[string]any
		Calls                                           int
		Greeting, RequestID, Arn, Group, Stream, Memory string
		Version, TZ, Endpoint, Cwd, Task, Tmp, Region   string
		Key                                             string
		Remaining                                       int
	}
	dec := json.NewDecoder(strings.NewReader(string(out.Payload)))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	// encoding/json matches field names case-insensitively, but not snake case.
	var raw map[string]any
	json.Unmarshal(out.Payload, &raw)
	if got.Event["x"] != 1.0 || got.Calls != 1 || got.Greeting != "hi" || got.Arn != "arn:aws:lambda:us-east-1:000000000000:function:py" ||
		got.Group != "/aws/lambda/py" || raw["memory"] != "128" || got.Version != "$LATEST" || got.TZ != ":UTC" ||
		got.Endpoint != srv.URL || got.Cwd != got.Task || got.Region != "us-east-1" || got.Key != "test" {
		t.Errorf("payload %s", out.Payload)
	}
	if r := raw["remaining"].(float64); r <= 0 || r > 3000 {
		t.Errorf("remaining %v", r)
	}
	if rid := raw["request_id"].(string); len(rid) != 36 {
		t.Errorf("request id %q", rid)
	}
	if !strings.HasPrefix(got.Tmp, "/") || strings.HasPrefix(got.Tmp, got.Task) || got.Tmp == "/tmp" {
		t.Errorf("tmp %q: want the environment's own", got.Tmp)
	}
	if aws.ToString(out.ExecutedVersion) != "$LATEST" || out.StatusCode != 200 {
		t.Errorf("ExecutedVersion %q status %d", aws.ToString(out.ExecutedVersion), out.StatusCode)
	}
	logs := logTail(t, out)
	for _, want := range []string{"init ran\nSTART RequestId: " + raw["request_id"].(string) + " Version: $LATEST\n",
		"hello from py\nEND RequestId: ", "REPORT RequestId: ", "\tDuration: ", " ms\tBilled Duration: ", "Memory Size: 128 MB\tMax Memory Used: ", "Init Duration: "} {
		if !strings.Contains(logs, want) {
			t.Errorf("log tail lacks %q:\n%s", want, logs)
		}
	}

	// The client context arrives decoded, as context.client_context.
	fn(t, c, "cc", types.RuntimePython312, "app.handler", 3, map[string]string{"app.py": "def handler(e, c):\n    return [c.client_context.custom, c.client_context.client.app_title]\n"})
	cc, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("cc"),
		ClientContext: aws.String(base64.StdEncoding.EncodeToString([]byte(`{"custom": {"k": "v"}, "client": {"app_title": "app"}}`)))})
	if err != nil || string(cc.Payload) != `[{"k": "v"}, "app"]` {
		t.Errorf("client context: %v %s", err, cc.Payload)
	}

	// Warm: the same process answers (calls counts up), no init.
	out = invoke(t, c, "py", `{}`)
	json.Unmarshal(out.Payload, &raw)
	if raw["calls"] != 2.0 {
		t.Errorf("second invoke: calls = %v, want 2 (a warm environment)", raw["calls"])
	}
	if logs := logTail(t, out); strings.Contains(logs, "Init Duration") || strings.Contains(logs, "init ran") {
		t.Errorf("warm invoke logged init:\n%s", logs)
	}

	// A handled error: the runtime's document, Unhandled.
	out = invoke(t, c, "py", `{"fail": "input"}`)
	var doc struct {
		ErrorMessage, ErrorType, RequestID string
		StackTrace                         []string
	}
	json.Unmarshal(out.Payload, &doc)
	if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != "ValueError" || doc.ErrorMessage != "bad input" ||
		len(doc.StackTrace) == 0 || !strings.Contains(doc.StackTrace[0], "app.py") || !strings.Contains(string(out.Payload), `"requestId": "`) {
		t.Errorf("error: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if logs := logTail(t, out); !strings.Contains(logs, "[ERROR] ValueError: bad input") {
		t.Errorf("error log:\n%s", logs)
	}
	// The environment survives a handled error.
	out = invoke(t, c, "py", `{}`)
	json.Unmarshal(out.Payload, &raw)
	if raw["calls"] != 4.0 {
		t.Errorf("after a handled error calls = %v, want 4", raw["calls"])
	}

	// A crash: Runtime.ExitError, and a fresh environment next.
	out = invoke(t, c, "py", `{"exit": true}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorType":"Runtime.ExitError"`) ||
		!strings.Contains(string(out.Payload), "Error: Runtime exited with error: exit status 3") {
		t.Errorf("exit: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	out = invoke(t, c, "py", `{}`)
	json.Unmarshal(out.Payload, &raw)
	if raw["calls"] != 1.0 {
		t.Errorf("after a crash calls = %v, want 1 (a new environment)", raw["calls"])
	}

	// A timeout: the process is killed, Lambda's message.
	start := time.Now()
	out = invoke(t, c, "py", `{"sleep": 30}`)
	if time.Since(start) > 20*time.Second {
		t.Errorf("timeout took %v", time.Since(start))
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Task timed out after 3.00 seconds") {
		t.Errorf("timeout: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if logs := logTail(t, out); !strings.Contains(logs, "Task timed out after 3.00 seconds") || !strings.Contains(logs, "Status: timeout") {
		t.Errorf("timeout log:\n%s", logs)
	}
}

func TestInvokeInitErrors(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	for _, tc := range []struct {
		name, runtime, handler string
		files                  map[string]string
		want                   string
	}{
		{"py-import", "python3.12", "missing.handler", map[string]string{"app.py": "x=1\n"},
			`{"errorMessage": "Unable to import module 'missing': No module named 'missing'", "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}`},
		{"py-nohandler", "python3.12", "app.nope", map[string]string{"app.py": "x=1\n"},
			`{"errorMessage": "Handler 'nope' missing on module 'app'", "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []}`},
		{"node-import", "nodejs20.x", "missing.handler", map[string]string{"index.js": "exports.handler = async () => 1;\n"},
			`"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module 'missing'\nRequire stack:\n- /var/runtime/index.mjs"`},
		{"node-nohandler", "nodejs20.x", "index.nope", map[string]string{"index.js": "exports.handler = async () => 1;\n"},
			`"errorType":"Runtime.HandlerNotFound","errorMessage":"index.nope is undefined or not exported"`},
		{"exit-in-init", "python3.12", "app.handler", map[string]string{"app.py": "import sys\nsys.exit(2)\n"},
			`"errorType":"Runtime.ExitError","errorMessage":"RequestId: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasPrefix(tc.runtime, "nodejs") {
				needProgram(t, "node")
			}
			fn(t, c, tc.name, types.Runtime(tc.runtime), tc.handler, 3, tc.files)
			out := invoke(t, c, tc.name, `{}`)
			if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), tc.want) {
				t.Errorf("got %s %s\nwant %s", aws.ToString(out.FunctionError), out.Payload, tc.want)
			}
		})
	}
}

func TestInvokeNode(t *testing.T) {
	needProgram(t, "node")
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	fn(t, c, "cjs", types.RuntimeNodejs20x, "index.handler", 3, map[string]string{"index.js": `
console.log("init");
let calls = 0;
exports.handler = async (event, context) => {
  calls++;
  console.log("got", JSON.stringify(event));
  if (event.fail) throw new TypeError("bad " + event.fail);
  return {event, calls, fn: context.functionName, id: context.awsRequestId, rem: context.getRemainingTimeInMillis(),
          mem: context.memoryLimitInMB, greeting: process.env.GREETING, tz: process.env.TZ};
};`})
	fn(t, c, "esm", types.RuntimeNodejs22x, "app.handler", 3, map[string]string{"app.mjs": `
export const handler = (event, context, callback) => { callback(null, {esm: true, n: event.n}); };`})

	out := invoke(t, c, "cjs", `{"a": "b"}`)
	var got map[string]any
	json.Unmarshal(out.Payload, &got)
	if out.FunctionError != nil || got["fn"] != "cjs" || got["calls"] != 1.0 || got["mem"] != "128" || got["greeting"] != "hi" || got["tz"] != ":UTC" {
		t.Errorf("cjs: %s", out.Payload)
	}
	logs := logTail(t, out)
	if !strings.Contains(logs, "\tINFO\tgot {\"a\":\"b\"}") || !strings.Contains(logs, "\tINFO\tinit\nSTART RequestId") {
		t.Errorf("cjs logs:\n%s", logs)
	}
	out = invoke(t, c, "cjs", `{"fail": "x"}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorType":"TypeError","errorMessage":"bad x","trace":["TypeError: bad x"`) {
		t.Errorf("cjs error: %s", out.Payload)
	}
	out = invoke(t, c, "esm", `{"n": 5}`)
	if string(out.Payload) != `{"esm":true,"n":5}` {
		t.Errorf("esm: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

func TestInvokeRequestErrors(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	fn(t, c, "p", types.RuntimePython312, "app.handler", 3, map[string]string{"app.py": "def handler(e, c):\n    return e\n"})

	_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p"), Payload: []byte("{not json")})
	wantCode(t, err, "InvalidRequestContentException", "Could not parse request body into json")
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p"), Payload: []byte(`"` + strings.Repeat("a", 6<<20) + `"`)})
	wantCode(t, err, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`"` + strings.Repeat("a", 256<<10) + `"`)})
	wantCode(t, err, "RequestTooLargeException", "Request must be smaller than 262144 bytes for the InvokeFunction operation")

	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != 204 {
		t.Errorf("DryRun: %v %+v", err, out)
	}
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	if err != nil || out.StatusCode != 202 {
		t.Errorf("Event: %v %+v", err, out)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p"), ClientContext: aws.String("not base64!")})
	wantCode(t, err, "InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.")
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p:$LATEST"), Payload: []byte(`{"q": 1}`)})
	if err != nil || string(out.Payload) != `{"q": 1}` {
		t.Errorf("qualified: %v %s", err, out.Payload)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p"), Qualifier: aws.String("7")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:p:7")

	// Reserved concurrency 0 throttles.
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("p"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p")})
	wantCode(t, err, "TooManyRequestsException", "Rate Exceeded.")
	gc, err := c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("p")})
	if err != nil || aws.ToInt32(gc.ReservedConcurrentExecutions) != 0 || gc.ReservedConcurrentExecutions == nil {
		t.Errorf("GetFunctionConcurrency: %v %+v", err, gc)
	}
	as, err := c.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil || as.AccountLimit.ConcurrentExecutions != 1000 || aws.ToInt32(as.AccountLimit.UnreservedConcurrentExecutions) != 1000 || as.AccountUsage.FunctionCount != 1 {
		t.Errorf("GetAccountSettings: %v %+v", err, as)
	}
	_, err = c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("p"), ReservedConcurrentExecutions: aws.Int32(901)})
	wantCode(t, err, "InvalidParameterValueException", "below its minimum value of [100]")
	if _, err := c.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	gc, _ = c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("p")})
	if gc.ReservedConcurrentExecutions != nil {
		t.Errorf("after delete: %v", *gc.ReservedConcurrentExecutions)
	}
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("p")}); err != nil {
		t.Errorf("after DeleteFunctionConcurrency: %v", err)
	}
}

// Several invocations run at once, each in its own environment, up to the
// reserved concurrency; beyond it, Lambda throttles.
func TestInvokeConcurrency(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	fn(t, c, "slow", types.RuntimePython312, "app.handler", 30, map[string]string{"app.py": `import os, time
def handler(e, c):
    time.sleep(e.get("sleep", 0))
    return os.getpid()
`})
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	// Three long invocations hold the three slots...
	var wg sync.WaitGroup
	pids := make([]string, 3)
	for i := range pids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("slow"), Payload: []byte(`{"sleep": 4}`)})
			if err != nil {
				t.Error(err)
				return
			}
			pids[i] = string(out.Payload)
		}()
	}
	// ...so a fourth is throttled (poll: the three may take a while to start).
	throttledSeen := false
	for i := 0; i < 40 && !throttledSeen; i++ {
		time.Sleep(100 * time.Millisecond)
		_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("slow"), Payload: []byte(`{}`)})
		if err != nil {
			wantCode(t, err, "TooManyRequestsException", "Rate Exceeded.")
			throttledSeen = true
		}
	}
	wg.Wait()
	if !throttledSeen {
		t.Errorf("a fourth invocation beside three was never throttled")
	}
	if pids[0] == pids[1] || pids[1] == pids[2] || pids[0] == pids[2] {
		t.Errorf("parallel invocations shared a process: %v", pids)
	}
}

// The Python runtime starts without the site module (-S, so that no .pth
// file's code runs at start) yet sees what site would give it: every
// sys.path entry of a python3 -s start (site-packages, where boto3 lives,
// and the directories .pth files name), exit(); and logging, set up when the
// handler first imports it, writes Lambda's format with the request id.
func TestPythonRuntimeStart(t *testing.T) {
	py, err := exec.Command("python3", "-s", "-c", "import json, sys; print(json.dumps(sys.path[1:]))").Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	if err := json.Unmarshal(py, &want); err != nil {
		t.Fatal(err)
	}
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	fn(t, c, "pystart", types.RuntimePython312, "app.handler", 10, map[string]string{"app.py": `import logging, sys
logger = logging.getLogger()
logger.setLevel(logging.INFO)
logger.info("at init")
def handler(event, context):
    logger.info("in handler %d", 7)
    return {"path": sys.path, "exit": callable(exit) and callable(quit), "no_site": sys.flags.no_site}
`})
	out := invoke(t, c, "pystart", `{}`)
	var got struct {
		Path    []string
		Exit    bool
		NoSite  int `json:"no_site"`
		Request string
	}
	if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	in := map[string]bool{}
	for _, p := range got.Path {
		in[p] = true
	}
	for _, p := range want {
		if !in[p] {
			t.Errorf("sys.path lacks %q (python3 -s has it): %q", p, got.Path)
		}
	}
	if !got.Exit || got.NoSite != 1 {
		t.Errorf("exit() and quit() %v, sys.flags.no_site %d (want true, 1)", got.Exit, got.NoSite)
	}
	logs := logTail(t, out)
	rid := regexp.MustCompile(`START RequestId: (\S+)`).FindStringSubmatch(logs)
	if rid == nil {
		t.Fatalf("no START in\n%s", logs)
	}
	for _, re := range []string{`(?m)^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\tat init$`,
		`(?m)^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t` + rid[1] + `\tin handler 7$`} {
		if !regexp.MustCompile(re).MatchString(logs) {
			t.Errorf("log tail lacks %s:\n%s", re, logs)
		}
	}
}

// The Node runtime client's own HTTP/1.1 over the Runtime API: events and
// results of several megabytes and multi-byte text come through whole, a warm
// environment serves invocation after invocation on its one connection, and
// the handler sees what AWS's runtime (an ES module entry point) gives it:
// no require.main; a .js file under "type": "module" loads as an ES module.
func TestInvokeNodeRuntimeClient(t *testing.T) {
	needProgram(t, "node")
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	fn(t, c, "echo", types.RuntimeNodejs20x, "index.handler", 10, map[string]string{"index.js": `
exports.handler = async (event) => ({event, main: require.main === undefined ? "none" : String(require.main && require.main.filename)});`})
	fn(t, c, "typed", types.RuntimeNodejs20x, "app.handler", 3, map[string]string{
		"package.json": `{"type": "module"}`,
		"app.js":       `export const handler = async () => typeof require;`})

	big := strings.Repeat("héllo wörld ✓ ", 300_000) // ~5 MB of UTF-8
	for i, ev := range []string{`{"s": "` + big + `"}`, `{"s": "é"}`, `{}`} {
		out := invoke(t, c, "echo", ev)
		var got struct {
			Event map[string]any
			Main  string
		}
		if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil || got.Main != "none" {
			t.Fatalf("invoke %d: %v %s %.200s", i, err, aws.ToString(out.FunctionError), out.Payload)
		}
		if want := map[string]any{}; json.Unmarshal([]byte(ev), &want) == nil && fmt.Sprint(want) != fmt.Sprint(got.Event) {
			t.Errorf("invoke %d: the event came back changed (%d bytes sent)", i, len(ev))
		}
	}
	for i := 0; i < 20; i++ {
		if out := invoke(t, c, "echo", `{"i": 1}`); out.FunctionError != nil {
			t.Fatalf("warm invoke %d: %s", i, out.Payload)
		}
	}
	if out := invoke(t, c, "typed", `{}`); string(out.Payload) != `"undefined"` {
		t.Errorf(`"type": "module": %s %s`, aws.ToString(out.FunctionError), out.Payload)
	}
}
