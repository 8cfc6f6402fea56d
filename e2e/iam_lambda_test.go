package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The second "must show": under --enforce-iam a Lambda handler runs
// with its execution role's temporary credentials, so a role without
// dynamodb:PutItem makes the handler's put_item fail with
// AccessDeniedException; adding the permission to the role makes the same
// invoke (the same warm environment, the same credentials) succeed.
func TestIAMLambdaRoleCLI(t *testing.T) {
	need(t, "zip")
	need(t, "aws")
	f := start(t, "", "--enforce-iam")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.py"), []byte(`import boto3
def handler(event, context):
    who = boto3.client("sts").get_caller_identity()["Arn"]
    boto3.client("dynamodb").put_item(TableName="Tbl", Item={"id": {"S": "1"}})
    return who
`), 0o644)
	cmd := exec.Command("zip", "-q", "fn.zip", "app.py")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("zip: %v %s", err, out)
	}
	aws := func(args ...string) string {
		t.Helper()
		out, errOut, code := f.run(t, nil, "aws", append([]string{"--endpoint-url", f.URL, "--output", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return out
	}
	aws("dynamodb", "create-table", "--table-name", "Tbl", "--attribute-definitions", "AttributeName=id,AttributeType=S",
		"--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
	aws("iam", "create-role", "--role-name", "fnrole", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	aws("iam", "attach-role-policy", "--role-name", "fnrole", "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	aws("lambda", "create-function", "--function-name", "fn", "--runtime", "python3.12", "--handler", "app.handler",
		"--role", "arn:aws:iam::000000000000:role/fnrole", "--zip-file", "fileb://"+filepath.Join(dir, "fn.zip"))

	out := filepath.Join(dir, "out.json")
	meta := aws("lambda", "invoke", "--function-name", "fn", out)
	body, _ := os.ReadFile(out)
	if !strings.Contains(meta, "Unhandled") || !strings.Contains(string(body), "AccessDeniedException") ||
		!strings.Contains(string(body), "User: arn:aws:sts::000000000000:assumed-role/fnrole/fn is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/Tbl") {
		t.Fatalf("invoke without dynamodb:PutItem: %s %s; want the handler to fail with AccessDeniedException naming the role's session", meta, body)
	}

	aws("iam", "put-role-policy", "--role-name", "fnrole", "--policy-name", "put", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"arn:aws:dynamodb:*:*:table/Tbl"}]}`)
	meta = aws("lambda", "invoke", "--function-name", "fn", out)
	body, _ = os.ReadFile(out)
	if strings.Contains(meta, "FunctionError") || string(body) != `"arn:aws:sts::000000000000:assumed-role/fnrole/fn"` {
		t.Fatalf("invoke with dynamodb:PutItem: %s %s", meta, body)
	}
	if got := aws("dynamodb", "get-item", "--table-name", "Tbl", "--key", `{"id":{"S":"1"}}`); !strings.Contains(got, `"1"`) {
		t.Errorf("the item the handler wrote: %s", got)
	}
}
