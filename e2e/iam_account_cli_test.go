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
