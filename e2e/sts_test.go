package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The first thing a new user types: who am I? Account 000000000000, root ARN.
func TestGetCallerIdentityCLI(t *testing.T) {
	f := start(t, "")
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			out, errOut, code := f.run(t, nil, c.bin, "--endpoint-url", f.URL, "sts", "get-caller-identity", "--output", "json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got struct{ UserId, Account, Arn string }
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output %q: %v", out, err)
			}
			if got.Account != "000000000000" || got.Arn != "arn:aws:iam::000000000000:root" || got.UserId != "000000000000" {
				t.Errorf("get-caller-identity = %+v, want account 000000000000 and its root ARN", got)
			}
		})
	}
}

// A 12-digit access key id selects that account, for every client.
func TestGetCallerIdentityBoto3(t *testing.T) {
	f := start(t, "")
	script := `
import boto3, os, json
c = boto3.client("sts", endpoint_url=os.environ["FOGBANK_URL"], region_name="eu-west-1",
                 aws_access_key_id="123456789012", aws_secret_access_key="anything")
r = c.get_caller_identity()
print(json.dumps({"Account": r["Account"], "Arn": r["Arn"]}))
`
	for _, p := range pythons {
		t.Run(p.name, func(t *testing.T) {
			needBoto3(t, p.bin)
			out, errOut, code := f.run(t, nil, p.bin, "-c", script)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			want := `{"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:root"}`
			if strings.TrimSpace(out) != want {
				t.Errorf("got %s, want %s", out, want)
			}
		})
	}
}

func TestGetCallerIdentitySDK(t *testing.T) {
	f := start(t, "")
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Account); got != "000000000000" {
		t.Errorf("Account = %q, want 000000000000", got)
	}
}

// For a key whose secret fogbank knows (test/test), a wrong signature is refused.
func TestTamperedSignature(t *testing.T) {
	f := start(t, "")
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			_, errOut, code := f.run(t, []string{"AWS_SECRET_ACCESS_KEY=not-the-secret"}, c.bin,
				"--endpoint-url", f.URL, "sts", "get-caller-identity")
			if code == 0 {
				t.Fatal("a wrong secret was accepted")
			}
			if !strings.Contains(errOut, "(SignatureDoesNotMatch)") || strings.Contains(errOut, "Traceback") {
				t.Errorf("stderr = %q, want a clean SignatureDoesNotMatch error", errOut)
			}
		})
	}
}
