package e2e

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Both CLI generations: create a function from a zip file (--zip-file fileb://),
// wait for it to be active, read its configuration back, delete it.
func TestLambdaCLI(t *testing.T) {
	f := start(t, "")
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	zf, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	w, _ := zw.Create("app.py")
	w.Write([]byte("def handler(event, context):\n    return event\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zf.Close()
	data, _ := os.ReadFile(zipPath)
	sum := sha256.Sum256(data)
	wantSha := base64.StdEncoding.EncodeToString(sum[:])

	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			name := "cli-" + c.name
			aws := func(args ...string) (string, string, int) {
				return f.run(t, nil, c.bin, append([]string{"--endpoint-url", f.URL, "--output", "json", "lambda"}, args...)...)
			}
			mustRun := func(args ...string) string {
				out, errOut, code := aws(args...)
				if code != 0 {
					t.Fatalf("lambda %s: exit %d: %s", args[0], code, errOut)
				}
				return out
			}
			var cfg struct {
				FunctionArn, CodeSha256, State, Handler string
				CodeSize                                int64
			}
			out := mustRun("create-function", "--function-name", name, "--runtime", "python3.12",
				"--role", "arn:aws:iam::000000000000:role/r", "--handler", "app.handler",
				"--zip-file", "fileb://"+zipPath)
			if err := json.Unmarshal([]byte(out), &cfg); err != nil {
				t.Fatal(err)
			}
			if cfg.CodeSha256 != wantSha || cfg.CodeSize != int64(len(data)) || cfg.State != "Active" ||
				cfg.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:"+name {
				t.Errorf("create-function answered %+v", cfg)
			}
			mustRun("wait", "function-active-v2", "--function-name", name)
			cfg.Handler = ""
			json.Unmarshal([]byte(mustRun("get-function-configuration", "--function-name", name)), &cfg)
			if cfg.Handler != "app.handler" {
				t.Errorf("Handler = %q", cfg.Handler)
			}
			mustRun("delete-function", "--function-name", name)
			_, errOut, code := aws("get-function", "--function-name", name)
			if code == 0 || !strings.Contains(errOut, "ResourceNotFoundException") {
				t.Errorf("get-function after delete: exit %d, %s", code, errOut)
			}
		})
	}
}

// A function URL made with both CLIs and requested with curl: the handler
// gets the payload format 2.0 event, and its shaped answer is the response.
func TestLambdaFunctionURLCLI(t *testing.T) {
	need(t, "curl")
	f := start(t, "")
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	writeZip(t, zipPath, map[string]string{"web.py": "import json\n" +
		"def handler(event, context):\n" +
		"    return {'statusCode': 200, 'headers': {'content-type': 'text/plain'},\n" +
		"            'body': '%s %s %s %s' % (event['version'], event['requestContext']['http']['method'], event['rawPath'], event.get('body'))}\n"})
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			name := "url-" + c.name
			mustRun := func(args ...string) string {
				out, errOut, code := f.run(t, nil, c.bin, append([]string{"--endpoint-url", f.URL, "--output", "json", "lambda"}, args...)...)
				if code != 0 {
					t.Fatalf("lambda %s: exit %d: %s", args[0], code, errOut)
				}
				return out
			}
			mustRun("create-function", "--function-name", name, "--runtime", "python3.12",
				"--role", "arn:aws:iam::000000000000:role/r", "--handler", "web.handler", "--zip-file", "fileb://"+zipPath)
			var cfg struct{ FunctionUrl, AuthType string }
			json.Unmarshal([]byte(mustRun("create-function-url-config", "--function-name", name, "--auth-type", "NONE")), &cfg)
			// AWS's host form where *.localhost resolves to loopback, else
			// the path form: a URL curl reaches either way.
			m := regexp.MustCompile(`^http://(?:([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:\d+|` +
				regexp.QuoteMeta(strings.TrimPrefix(f.URL, "http://")) + `/_fogbank/lambda/url/([a-z0-9]{32}))/$`).FindStringSubmatch(cfg.FunctionUrl)
			if m == nil || cfg.AuthType != "NONE" {
				t.Fatalf("create-function-url-config: %+v", cfg)
			}
			out, errOut, code := f.run(t, nil, "curl", "-s", "-X", "POST", "--data", "hi", cfg.FunctionUrl+"orders/7")
			if code != 0 || out != "2.0 POST /orders/7 hi" {
				t.Errorf("curl: exit %d %q %s", code, out, errOut)
			}
			// The host forms, named in the Host header.
			for _, host := range []string{m[1] + m[2] + ".lambda-url.us-east-1.localhost", m[1] + m[2] + ".lambda-url.us-east-1.localhost.localstack.cloud"} {
				out, errOut, code = f.run(t, nil, "curl", "-s", "-H", "Host: "+host, "--data", "yo", f.URL+"/x")
				if code != 0 || out != "2.0 POST /x yo" {
					t.Errorf("curl with Host %s: exit %d %q %s", host, code, out, errOut)
				}
			}
			mustRun("delete-function-url-config", "--function-name", name)
			out, _, _ = f.run(t, nil, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", cfg.FunctionUrl)
			if out != "404" {
				t.Errorf("a deleted URL answered %s", out)
			}
		})
	}
}
