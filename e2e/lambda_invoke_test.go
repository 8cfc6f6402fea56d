package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The seed's commands, as a new user types them: zip a handler, create the
// function with the AWS CLI, `aws lambda invoke` it, read out.json. For
// Python (whose handler uses plain boto3, no endpoint: the environment points
// it back at fogbank), Node, and a Go provided.al2023 bootstrap built with
// aws-lambda-go.
func TestLambdaInvokeCLI(t *testing.T) {
	need(t, "zip")
	need(t, "node")
	f := start(t, "")
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("helloworld.py", `import boto3
def handler(event, context):
    print("helloworld handling", context.aws_request_id)
    boto3.client("s3").create_bucket(Bucket="made-by-" + context.function_name.lower())
    return {"message": "Hello from " + context.function_name, "event": event}
`, 0o644)
	write("index.js", `exports.handler = async (event, context) => ({message: "Hello from " + context.functionName, event});
`, 0o644)
	zipUp := func(zipName string, files ...string) string {
		t.Helper()
		cmd := exec.Command("zip", append([]string{"-q", zipName}, files...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("zip: %v %s", err, out)
		}
		return filepath.Join(dir, zipName)
	}
	pyZip := zipUp("function.zip", "helloworld.py")
	nodeZip := zipUp("node.zip", "index.js")
	goZip := ""
	if bin := buildGoBootstrap(t, dir); bin != "" {
		goZip = zipUp("go.zip", "bootstrap")
	}

	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			aws := func(args ...string) (string, string, int) {
				return f.run(t, nil, c.bin, append([]string{"--endpoint-url", f.URL, "--output", "json"}, args...)...)
			}
			mustRun := func(args ...string) string {
				t.Helper()
				out, errOut, code := aws(args...)
				if code != 0 {
					t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errOut)
				}
				return out
			}
			for _, tc := range []struct {
				name, runtime, handler, zip string
			}{
				{"helloworld", "python3.12", "helloworld.handler", pyZip},
				{"hellonode", "nodejs20.x", "index.handler", nodeZip},
				{"hellogo", "provided.al2023", "bootstrap", goZip},
			} {
				if tc.zip == "" {
					continue
				}
				name := tc.name + "-" + c.name
				mustRun("lambda", "create-function", "--function-name", name, "--zip-file", "fileb://"+tc.zip,
					"--role", "arn:aws:iam::000000000000:role/r", "--handler", tc.handler, "--runtime", tc.runtime)
				outFile := filepath.Join(t.TempDir(), "out.json")
				stdout := mustRun("lambda", "invoke", "--function-name", name, outFile)
				var meta struct {
					StatusCode      int
					ExecutedVersion string
					FunctionError   string
				}
				json.Unmarshal([]byte(stdout), &meta)
				if meta.StatusCode != 200 || meta.ExecutedVersion != "$LATEST" || meta.FunctionError != "" {
					t.Errorf("%s: invoke answered %s", name, stdout)
				}
				body, _ := os.ReadFile(outFile)
				var got struct {
					Message, Greeting, Function string
					Event                       map[string]any
				}
				json.Unmarshal(body, &got)
				ok := got.Message == "Hello from "+name && got.Event != nil && len(got.Event) == 0
				if tc.runtime == "provided.al2023" { // testdata/gofn answers its own shape
					ok = got.Greeting == "hello " && got.Function == name
				}
				if !ok {
					t.Errorf("%s: out.json = %s", name, body)
				}
				if tc.runtime == "python3.12" {
					if _, errOut, code := aws("s3api", "head-bucket", "--bucket", "made-by-"+name); code != 0 {
						t.Errorf("the handler's boto3 did not reach fogbank: %s", errOut)
					}
					// The invocation's log, through CloudWatch Logs (written in the
					// background: poll).
					var msgs string
					for i := 0; i < 50; i++ {
						out, _, code := aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/"+name)
						var ev struct{ Events []struct{ Message string } }
						json.Unmarshal([]byte(out), &ev)
						msgs = ""
						for _, e := range ev.Events {
							msgs += e.Message + "\n"
						}
						if code == 0 && strings.Contains(msgs, "REPORT RequestId: ") {
							break
						}
						time.Sleep(100 * time.Millisecond)
					}
					for _, want := range []string{"START RequestId: ", "helloworld handling ", "END RequestId: ", "REPORT RequestId: ", "Init Duration: "} {
						if !strings.Contains(msgs, want) {
							t.Errorf("filter-log-events lacks %q:\n%s", want, msgs)
						}
					}
					if c.name == "awscli-v2" {
						out, errOut, code := aws("logs", "tail", "/aws/lambda/"+name)
						if code != 0 || !strings.Contains(out, "helloworld handling ") || !strings.Contains(out, "REPORT RequestId: ") {
							t.Errorf("logs tail: exit %d %s\n%s", code, errOut, out)
						}
					}
				}
			}
			// --log-type Tail: the log's last 4 KB, base64.
			stdout := mustRun("lambda", "invoke", "--function-name", "hellonode-"+c.name, "--log-type", "Tail", filepath.Join(t.TempDir(), "o.json"))
			var meta struct{ LogResult string }
			json.Unmarshal([]byte(stdout), &meta)
			if meta.LogResult == "" {
				t.Errorf("no LogResult: %s", stdout)
			}
		})
	}
}

// LocalStack's hot reload through the CLI: code from a folder
// (S3Bucket=hot-reload, S3Key=<absolute folder>); an edit is picked up by the
// next `aws lambda invoke`, with no other command in between.
func TestLambdaHotReloadCLI(t *testing.T) {
	need(t, "/usr/bin/aws")
	need(t, "node")
	f := start(t, "")
	dir := t.TempDir()
	write := func(body string) {
		if err := os.WriteFile(filepath.Join(dir, "app.js"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("exports.handler = async () => ({version: 1});\n")
	aws := func(args ...string) string {
		t.Helper()
		out, errOut, code := f.run(t, nil, "/usr/bin/aws", append([]string{"--endpoint-url", f.URL, "--output", "json", "lambda"}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", args[0], code, errOut)
		}
		return out
	}
	aws("create-function", "--function-name", "hot", "--runtime", "nodejs20.x", "--handler", "app.handler",
		"--role", "arn:aws:iam::000000000000:role/r", "--code", "S3Bucket=hot-reload,S3Key="+dir)
	outFile := filepath.Join(t.TempDir(), "out.json")
	for _, v := range []string{"1", "2", "3"} {
		write("exports.handler = async () => ({version: " + v + "});\n")
		aws("invoke", "--function-name", "hot", outFile)
		if b, _ := os.ReadFile(outFile); string(b) != `{"version":`+v+`}` {
			t.Errorf("after writing version %s: out.json = %s", v, b)
		}
	}
}

// buildGoBootstrap builds the aws-lambda-go handler of the lambda package's
// testdata as dir/bootstrap; "" (and a logged reason) when it cannot.
func buildGoBootstrap(t *testing.T, dir string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Log("not Linux: no Go bootstrap")
		return ""
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = filepath.Join("..", "internal", "services", "lambda", "testdata", "gofn")
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off")
	if msg, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(msg), "dial tcp") {
			t.Logf("aws-lambda-go cannot be fetched: no Go bootstrap: %s", msg)
			return ""
		}
		t.Fatalf("building the Go bootstrap: %v\n%s", err, msg)
	}
	return out
}
