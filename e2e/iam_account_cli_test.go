package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestIAMAccountCLI: the account alias (one at a time: a new one replaces
// it) and the password policy (parameters left out take IAM's defaults),
// with the AWS CLI.
func TestIAMAccountCLI(t *testing.T) {
	bin := clis[0].bin
	need(t, bin)
	f := start(t, "")
	run := func(args ...string) (string, string, int) {
		t.Helper()
		return f.run(t, nil, bin, append([]string{"--endpoint-url", f.URL, "--output", "json", "iam"}, args...)...)
	}
	ok := func(args ...string) string {
		t.Helper()
		out, errOut, code := run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	fails := func(want string, args ...string) {
		t.Helper()
		if _, errOut, code := run(args...); code == 0 || !strings.Contains(errOut, want) {
			t.Fatalf("%v: exit %d, stderr %q; want %q", args, code, errOut, want)
		}
	}
	aliases := func() []string {
		var out struct{ AccountAliases []string }
		json.Unmarshal([]byte(ok("list-account-aliases")), &out)
		return out.AccountAliases
	}
	if a := aliases(); len(a) != 0 {
		t.Fatalf("aliases of a new account: %q", a)
	}
	fails("(ValidationError) when calling the CreateAccountAlias operation: 1 validation error detected: Value 'my--co' at 'accountAlias' failed to satisfy constraint",
		"create-account-alias", "--account-alias", "my--co")
	fails("ValidationError", "create-account-alias", "--account-alias=co-")
	ok("create-account-alias", "--account-alias", "my-co")
	ok("create-account-alias", "--account-alias", "other-co")
	if a := aliases(); len(a) != 1 || a[0] != "other-co" {
		t.Fatalf("aliases after two creates: %q, want [other-co]", a)
	}
	fails("(NoSuchEntity) when calling the DeleteAccountAlias operation: The account alias my-co cannot be found.", "delete-account-alias", "--account-alias", "my-co")
	ok("delete-account-alias", "--account-alias", "other-co")
	if a := aliases(); len(a) != 0 {
		t.Fatalf("aliases after delete: %q", a)
	}

	fails("(NoSuchEntity) when calling the GetAccountPasswordPolicy operation: The Password Policy with domain name 000000000000 cannot be found.", "get-account-password-policy")
	ok("update-account-password-policy", "--minimum-password-length", "12", "--require-symbols", "--max-password-age", "90")
	var got struct {
		PasswordPolicy map[string]any
	}
	json.Unmarshal([]byte(ok("get-account-password-policy")), &got)
	p := got.PasswordPolicy
	if p["MinimumPasswordLength"] != 12.0 || p["RequireSymbols"] != true || p["RequireNumbers"] != false || p["MaxPasswordAge"] != 90.0 ||
		p["ExpirePasswords"] != true || p["AllowUsersToChangePassword"] != false || p["PasswordReusePrevention"] != nil {
		t.Errorf("password policy = %v", p)
	}
	// A new update replaces the whole policy: what it leaves out is default.
	ok("update-account-password-policy", "--require-numbers")
	got.PasswordPolicy = nil
	json.Unmarshal([]byte(ok("get-account-password-policy")), &got)
	if p := got.PasswordPolicy; p["MinimumPasswordLength"] != 6.0 || p["RequireSymbols"] != false || p["ExpirePasswords"] != false || p["MaxPasswordAge"] != nil {
		t.Errorf("password policy after a second update = %v", p)
	}
	ok("delete-account-password-policy")
	fails("NoSuchEntity", "delete-account-password-policy")
}

// TestIAMInstanceProfilesCLI: an instance profile holds one role; neither
// can be deleted while the other is in it.
func TestIAMInstanceProfilesCLI(t *testing.T) {
	bin := clis[0].bin
	need(t, bin)
	f := start(t, "")
	run := func(args ...string) (string, string, int) {
		t.Helper()
		return f.run(t, nil, bin, append([]string{"--endpoint-url", f.URL, "--output", "json", "iam"}, args...)...)
	}
	ok := func(args ...string) string {
		t.Helper()
		out, errOut, code := run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	fails := func(want string, args ...string) {
		t.Helper()
		if _, errOut, code := run(args...); code == 0 || !strings.Contains(errOut, want) {
			t.Fatalf("%v: exit %d, stderr %q; want %q", args, code, errOut, want)
		}
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ok("create-role", "--role-name", "web", "--assume-role-policy-document", trust)
	ok("create-role", "--role-name", "worker", "--assume-role-policy-document", trust)
	var created struct {
		InstanceProfile struct {
			InstanceProfileName, InstanceProfileId, Arn, Path string
			Roles                                             []struct{ RoleName string }
		}
	}
	json.Unmarshal([]byte(ok("create-instance-profile", "--instance-profile-name", "web-ip", "--path", "/app/")), &created)
	if p := created.InstanceProfile; p.Arn != "arn:aws:iam::000000000000:instance-profile/app/web-ip" || !strings.HasPrefix(p.InstanceProfileId, "AIPA") || len(p.Roles) != 0 {
		t.Errorf("create-instance-profile = %+v", p)
	}
	fails("(EntityAlreadyExists)", "create-instance-profile", "--instance-profile-name", "WEB-IP")
	fails("(NoSuchEntity) when calling the GetInstanceProfile operation: Instance Profile nope cannot be found.", "get-instance-profile", "--instance-profile-name", "nope")
	ok("add-role-to-instance-profile", "--instance-profile-name", "web-ip", "--role-name", "web")
	fails("(LimitExceeded)", "add-role-to-instance-profile", "--instance-profile-name", "web-ip", "--role-name", "worker")
	json.Unmarshal([]byte(ok("get-instance-profile", "--instance-profile-name", "web-ip")), &created)
	if r := created.InstanceProfile.Roles; len(r) != 1 || r[0].RoleName != "web" {
		t.Errorf("the profile's roles = %+v", r)
	}
	if out := ok("list-instance-profiles-for-role", "--role-name", "web"); !strings.Contains(out, `"web-ip"`) {
		t.Errorf("list-instance-profiles-for-role web = %s", out)
	}
	if out := ok("list-instance-profiles-for-role", "--role-name", "worker"); strings.Contains(out, `"web-ip"`) {
		t.Errorf("list-instance-profiles-for-role worker = %s", out)
	}
	fails("(DeleteConflict) when calling the DeleteRole operation: Cannot delete entity, must remove roles from instance profile first.", "delete-role", "--role-name", "web")
	fails("(DeleteConflict) when calling the DeleteInstanceProfile operation: Cannot delete entity, must remove roles from instance profile first.", "delete-instance-profile", "--instance-profile-name", "web-ip")
	ok("remove-role-from-instance-profile", "--instance-profile-name", "web-ip", "--role-name", "web")
	ok("delete-role", "--role-name", "web")
	ok("delete-instance-profile", "--instance-profile-name", "web-ip")
	if out := ok("list-instance-profiles"); strings.Contains(out, "web-ip") {
		t.Errorf("list-instance-profiles after delete = %s", out)
	}
}
