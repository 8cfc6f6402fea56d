package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The first "must show", typed as a new user would with the AWS CLI:
// under --enforce-iam, a user "reader" with AmazonS3ReadOnlyAccess and an
// access key may list and read but not write (AWS's message naming
// s3:PutObject), sees itself in get-caller-identity, may assume exactly the
// role whose trust policy names it, and the role's credentials are limited to
// the role's policies. The older CLI (each call costs seconds) runs the
// reader's part only.
func TestIAMEnforceCLI(t *testing.T) {
	for i, c := range clis {
		full := i == 0
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			f := start(t, "", "--enforce-iam")
			if !strings.Contains(f.logs.String(), `iam="enforced`) {
				t.Fatalf("the start-up line does not say enforcement is on:\n%s", f.logs.String())
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "f")
			os.WriteFile(file, []byte("hello\n"), 0o644)
			as := func(env []string, args ...string) (string, string, int) {
				t.Helper()
				return f.run(t, env, c.bin, append([]string{"--endpoint-url", f.URL, "--output", "json"}, args...)...)
			}
			ok := func(env []string, args ...string) string {
				t.Helper()
				out, errOut, code := as(env, args...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, errOut)
				}
				return out
			}
			// refused runs args (up to the first that begins with "User:", the
			// rest of the message wanted) and wants a refusal containing want.
			refused := func(env []string, want string, args ...string) {
				t.Helper()
				wants := []string{want}
				for i, a := range args {
					if strings.HasPrefix(a, "User:") {
						args, wants = args[:i], append(wants, args[i:]...)
						break
					}
				}
				_, errOut, code := as(env, args...)
				for _, w := range wants {
					if code == 0 || !strings.Contains(errOut, w) {
						t.Fatalf("%v: exit %d, stderr %q; want a refusal containing %q", args, code, errOut, w)
					}
				}
			}

			// As root (test/test): the bucket, the user, its key, two roles.
			ok(nil, "s3", "mb", "s3://bkt")
			ok(nil, "s3", "cp", file, "s3://bkt/k")
			ok(nil, "iam", "create-user", "--user-name", "reader")
			ok(nil, "iam", "attach-user-policy", "--user-name", "reader", "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
			var key struct {
				AccessKey struct{ AccessKeyId, SecretAccessKey string }
			}
			json.Unmarshal([]byte(ok(nil, "iam", "create-access-key", "--user-name", "reader")), &key)
			reader := []string{"AWS_ACCESS_KEY_ID=" + key.AccessKey.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + key.AccessKey.SecretAccessKey}

			// As reader.
			if out := ok(reader, "s3", "ls"); !strings.Contains(out, "bkt") {
				t.Errorf("aws s3 ls as reader = %q, want bkt listed", out)
			}
			if out := ok(reader, "s3", "cp", "s3://bkt/k", "-"); out != "hello\n" {
				t.Errorf("aws s3 cp s3://bkt/k - = %q", out)
			}
			refused(reader, "(AccessDenied) when calling the PutObject operation", "s3", "cp", file, "s3://bkt/k2",
				`User: arn:aws:iam::000000000000:user/reader is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bkt/k2" because no identity-based policy allows the s3:PutObject action`,
			)
			var who struct{ Arn, Account string }
			json.Unmarshal([]byte(ok(reader, "sts", "get-caller-identity")), &who)
			if who.Arn != "arn:aws:iam::000000000000:user/reader" || who.Account != "000000000000" {
				t.Errorf("get-caller-identity as reader = %+v", who)
			}
			if !full {
				return
			}
			refused(reader, "AccessDeniedException", "dynamodb", "list-tables")

			// Roles: only the one whose trust policy names reader.
			ok(nil, "iam", "create-role", "--role-name", "writer", "--assume-role-policy-document",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/reader"},"Action":"sts:AssumeRole"}]}`)
			ok(nil, "iam", "put-role-policy", "--role-name", "writer", "--policy-name", "put", "--policy-document",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bkt/*"}]}`)
			ok(nil, "iam", "create-role", "--role-name", "fn", "--assume-role-policy-document",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
			refused(reader, "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/fn",
				"sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/fn", "--role-session-name", "s0")
			var cr struct {
				Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken string }
				AssumedRoleUser struct{ Arn string }
			}
			json.Unmarshal([]byte(ok(reader, "sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/writer", "--role-session-name", "s1")), &cr)
			if cr.AssumedRoleUser.Arn != "arn:aws:sts::000000000000:assumed-role/writer/s1" {
				t.Errorf("AssumedRoleUser.Arn = %q", cr.AssumedRoleUser.Arn)
			}
			role := []string{"AWS_ACCESS_KEY_ID=" + cr.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + cr.Credentials.SecretAccessKey,
				"AWS_SESSION_TOKEN=" + cr.Credentials.SessionToken}
			json.Unmarshal([]byte(ok(role, "sts", "get-caller-identity")), &who)
			if who.Arn != "arn:aws:sts::000000000000:assumed-role/writer/s1" {
				t.Errorf("get-caller-identity with the role's credentials = %+v", who)
			}
			ok(role, "s3", "cp", file, "s3://bkt/k3")
			refused(role, "User: arn:aws:sts::000000000000:assumed-role/writer/s1 is not authorized to perform: s3:GetObject",
				"s3api", "get-object", "--bucket", "bkt", "--key", "k", filepath.Join(dir, "out"))
			// The session's key without its token, or with another, is refused.
			refused(append(role[:2:2], "AWS_SESSION_TOKEN=forged"), "InvalidClientTokenId", "sts", "get-caller-identity")
			// Keys fogbank does not know are refused under enforcement.
			refused([]string{"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=x"}, "InvalidClientTokenId", "sts", "get-caller-identity")
		})
	}
}

// Without --enforce-iam nothing is refused: any key is its account's root,
// as before, and the start-up line says enforcement is off.
func TestIAMOffByDefault(t *testing.T) {
	need(t, "aws")
	f := start(t, "")
	if !strings.Contains(f.logs.String(), `iam="not enforced`) {
		t.Fatalf("the start-up line does not say enforcement is off:\n%s", f.logs.String())
	}
	out, errOut, code := f.run(t, []string{"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=x"}, "aws", "--endpoint-url", f.URL, "--output", "json", "sts", "get-caller-identity")
	if code != 0 || !strings.Contains(out, "arn:aws:iam::000000000000:root") {
		t.Fatalf("unknown key without enforcement: exit %d, %s %s", code, out, errOut)
	}
}
