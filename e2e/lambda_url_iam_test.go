package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// A function URL with AuthType AWS_IAM under --enforce-iam, called by curl's
// own SigV4 signer (--aws-sigv4) and botocore's SigV4Auth as IAM users:
// a valid signature is not enough, the caller's policies (or the function's
// resource policy) must allow lambda:InvokeFunctionUrl and, as for every URL
// created since October 2025, lambda:InvokeFunction. Refusals are AWS's: the
// generic 403 for a signature-less or unauthorized request, the front end's
// {"message": ...} for a key it does not know. fogbank's log names the
// missing action.
func TestLambdaFunctionURLIAMCLI(t *testing.T) {
	need(t, "curl")
	need(t, "aws")
	f := start(t, "", "--enforce-iam")
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	writeZip(t, zipPath, map[string]string{"web.py": "def handler(event, context):\n" +
		"    iam = event['requestContext']['authorizer']['iam']\n" +
		"    return {'statusCode': 200, 'body': iam['userArn'] + ' ' + (event.get('body') or '')}\n"})
	aws := func(args ...string) string {
		t.Helper()
		out, errOut, code := f.run(t, nil, "aws", append([]string{"--endpoint-url", f.URL, "--output", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return out
	}
	aws("lambda", "create-function", "--function-name", "priv", "--runtime", "python3.12",
		"--role", "arn:aws:iam::000000000000:role/r", "--handler", "web.handler", "--zip-file", "fileb://"+zipPath)
	var cfg struct{ FunctionUrl string }
	json.Unmarshal([]byte(aws("lambda", "create-function-url-config", "--function-name", "priv", "--auth-type", "AWS_IAM")), &cfg)
	if cfg.FunctionUrl == "" {
		t.Fatal("no FunctionUrl")
	}
	keyOf := func(user string) (string, string) {
		aws("iam", "create-user", "--user-name", user)
		var k struct {
			AccessKey struct{ AccessKeyId, SecretAccessKey string }
		}
		json.Unmarshal([]byte(aws("iam", "create-access-key", "--user-name", user)), &k)
		return k.AccessKey.AccessKeyId, k.AccessKey.SecretAccessKey
	}
	aliceID, aliceSecret := keyOf("alice")
	bobID, bobSecret := keyOf("bob")

	// curl answers "status\nx-amzn-ErrorType\nbody".
	curl := func(id, secret, body string) string {
		t.Helper()
		args := []string{"-s", "-X", "POST", "--data", body, "-D", "-", "-o", "/dev/stderr", cfg.FunctionUrl + "hello"}
		if id != "" {
			args = append(args, "--aws-sigv4", "aws:amz:us-east-1:lambda", "--user", id+":"+secret)
		}
		head, out, code := f.run(t, nil, "curl", args...)
		if code != 0 {
			t.Fatalf("curl: exit %d %s", code, out)
		}
		status, typ := "", ""
		for i, l := range strings.Split(head, "\r\n") {
			if i == 0 {
				if fs := strings.Fields(l); len(fs) > 1 {
					status = fs[1]
				}
			}
			if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, "x-amzn-ErrorType") {
				typ = strings.TrimSpace(v)
			}
		}
		return status + "\n" + typ + "\n" + out
	}
	forbidden := "403\nAccessDeniedException\n" + `{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}`
	if got := curl("", "", "x"); got != forbidden {
		t.Errorf("unsigned: %q", got)
	}
	if got := curl("AKIAUNKNOWN000000000", "nope", "x"); got != "403\nUnrecognizedClientException\n"+`{"message":"The security token included in the request is invalid."}` {
		t.Errorf("an unknown key: %q", got)
	}
	if got := curl(aliceID, "wrong", "x"); !strings.HasPrefix(got, "403\nInvalidSignatureException\n"+`{"message":"The request signature we calculated does not match`) {
		t.Errorf("a wrong secret: %q", got)
	}
	// A valid signature by a user no policy lets invoke.
	if got := curl(aliceID, aliceSecret, "x"); got != forbidden {
		t.Errorf("alice without a policy: %q", got)
	}
	// lambda:InvokeFunctionUrl alone no longer does.
	aws("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "url", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunctionUrl","Resource":"arn:aws:lambda:us-east-1:000000000000:function:priv","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"AWS_IAM"}}}]}`)
	if got := curl(aliceID, aliceSecret, "x"); got != forbidden {
		t.Errorf("alice with lambda:InvokeFunctionUrl only: %q", got)
	}
	aws("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "fn", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:priv","Condition":{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}}]}`)
	if got := curl(aliceID, aliceSecret, "x"); got != "200\n\narn:aws:iam::000000000000:user/alice x" {
		t.Errorf("alice with both: %q", got)
	}
	// Bob has no policy of his own: the function's resource policy lets him in.
	if got := curl(bobID, bobSecret, "x"); got != forbidden {
		t.Errorf("bob before add-permission: %q", got)
	}
	aws("lambda", "add-permission", "--function-name", "priv", "--statement-id", "url", "--action", "lambda:InvokeFunctionUrl",
		"--principal", "arn:aws:iam::000000000000:user/bob", "--function-url-auth-type", "AWS_IAM")
	aws("lambda", "add-permission", "--function-name", "priv", "--statement-id", "fn", "--action", "lambda:InvokeFunction",
		"--principal", "arn:aws:iam::000000000000:user/bob", "--invoked-via-function-url")
	// botocore's signer, as a Python client would call the URL.
	py := `import sys, botocore.auth, botocore.awsrequest, botocore.credentials, urllib.request
url, key, secret = sys.argv[1:4]
req = botocore.awsrequest.AWSRequest(method="POST", url=url, data=b"from botocore")
botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "lambda", "us-east-1").add_auth(req)
p = req.prepare()
try:
    r = urllib.request.urlopen(urllib.request.Request(p.url, data=p.body, headers=dict(p.headers), method="POST"))
    print(r.status, r.read().decode(), end="")
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode(), end="")
`
	out, errOut, code := f.run(t, nil, "python3", "-c", py, cfg.FunctionUrl+"hello", bobID, bobSecret)
	if code != 0 || out != "200 arn:aws:iam::000000000000:user/bob from botocore" {
		t.Errorf("bob through botocore after add-permission: exit %d %q %s", code, out, errOut)
	}
	f.stop()
	<-f.logsDone
	logs := f.logs.String()
	if !strings.Contains(logs, "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:priv") {
		t.Errorf("no log line naming the missing lambda:InvokeFunction:\n%s", logs)
	}
}
