package e2e

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// add-permission, get-policy and remove-permission through the CLI, with the
// document as AWS returns it.
func TestLambdaPolicyCLI(t *testing.T) {
	need(t, "aws")
	f := start(t, "")
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	zf, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	w, _ := zw.Create("app.py")
	w.Write([]byte("def handler(event, context):\n    return event\n"))
	zw.Close()
	zf.Close()
	aws := func(args ...string) (string, string, int) {
		return f.run(t, nil, "aws", append([]string{"--output", "json", "lambda"}, args...)...)
	}
	mustRun := func(args ...string) string {
		out, errOut, code := aws(args...)
		if code != 0 {
			t.Fatalf("lambda %s: exit %d: %s", args[0], code, errOut)
		}
		return out
	}
	mustRun("create-function", "--function-name", "pf", "--runtime", "python3.12", "--role", "arn:aws:iam::000000000000:role/r",
		"--handler", "app.handler", "--zip-file", "fileb://"+zipPath)
	mustRun("add-permission", "--function-name", "pf", "--statement-id", "s3", "--action", "lambda:InvokeFunction",
		"--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::bkt", "--source-account", "000000000000")
	_, errOut, code := aws("add-permission", "--function-name", "pf", "--statement-id", "s3", "--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com")
	if code == 0 || !strings.Contains(errOut, "ResourceConflictException") {
		t.Errorf("duplicate statement id: exit %d, %s", code, errOut)
	}
	var got struct{ Policy, RevisionId string }
	json.Unmarshal([]byte(mustRun("get-policy", "--function-name", "pf")), &got)
	want := `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
		`"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:pf",` +
		`"Condition":{"StringEquals":{"AWS:SourceAccount":"000000000000"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bkt"}}}]}`
	if got.Policy != want || got.RevisionId == "" {
		t.Errorf("get-policy: %+v", got)
	}
	_, errOut, code = aws("remove-permission", "--function-name", "pf", "--statement-id", "s3", "--revision-id", "stale")
	if code == 0 || !strings.Contains(errOut, "PreconditionFailedException") {
		t.Errorf("stale revision: exit %d, %s", code, errOut)
	}
	mustRun("remove-permission", "--function-name", "pf", "--statement-id", "s3", "--revision-id", got.RevisionId)
	_, errOut, code = aws("get-policy", "--function-name", "pf")
	if code == 0 || !strings.Contains(errOut, "ResourceNotFoundException") {
		t.Errorf("get-policy after removing the last statement: exit %d, %s", code, errOut)
	}
}
