package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// jwt makes an unsigned-looking token with these claims: fogbank does not
// verify web identity tokens' signatures (documented), only their claims.
func jwt(claims map[string]any) string {
	enc := base64.RawURLEncoding.EncodeToString
	b, _ := json.Marshal(claims)
	return enc([]byte(`{"alg":"RS256","typ":"JWT","kid":"k"}`)) + "." + enc(b) + "." + enc([]byte("signature"))
}

// TestAssumeRoleWithWebIdentityCLI: a GitHub Actions-style OIDC token
// assumes the role whose trust policy names its provider and its claims,
// under --enforce-iam, and the session is limited to the role's policies.
func TestAssumeRoleWithWebIdentityCLI(t *testing.T) {
	bin := clis[0].bin
	need(t, bin)
	f := start(t, "", "--enforce-iam")
	as := func(env []string, args ...string) (string, string, int) {
		t.Helper()
		return f.run(t, env, bin, append([]string{"--endpoint-url", f.URL, "--output", "json"}, args...)...)
	}
	ok := func(env []string, args ...string) string {
		t.Helper()
		out, errOut, code := as(env, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	fails := func(want string, args ...string) {
		t.Helper()
		if _, errOut, code := as(nil, args...); code == 0 || !strings.Contains(errOut, want) {
			t.Fatalf("%v: exit %d, stderr %q; want %q", args, code, errOut, want)
		}
	}
	const iss = "token.actions.githubusercontent.com"
	ok(nil, "s3", "mb", "s3://bkt")
	ok(nil, "iam", "create-role", "--role-name", "deploy", "--assume-role-policy-document", fmt.Sprintf(`{
	  "Version": "2012-10-17",
	  "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
	    "Principal": {"Federated": "arn:aws:iam::000000000000:oidc-provider/%[1]s"},
	    "Condition": {"StringEquals": {"%[1]s:aud": "sts.amazonaws.com"}, "StringLike": {"%[1]s:sub": "repo:acme/site:*"}}}]
	}`, iss))
	ok(nil, "iam", "put-role-policy", "--role-name", "deploy", "--policy-name", "list", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)

	exp := time.Now().Add(time.Hour).Unix()
	assume := func(claims map[string]any) []string {
		return []string{"sts", "assume-role-with-web-identity", "--role-arn", "arn:aws:iam::000000000000:role/deploy",
			"--role-session-name", "gh-run", "--web-identity-token", jwt(claims)}
	}
	good := map[string]any{"iss": "https://" + iss, "sub": "repo:acme/site:ref:refs/heads/main", "aud": "sts.amazonaws.com", "exp": exp}
	var out struct {
		Credentials                           struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser                       struct{ Arn string }
		SubjectFromWebIdentityToken, Provider string
		Audience                              string
	}
	json.Unmarshal([]byte(ok(nil, assume(good)...)), &out)
	if out.AssumedRoleUser.Arn != "arn:aws:sts::000000000000:assumed-role/deploy/gh-run" || out.SubjectFromWebIdentityToken != good["sub"] ||
		out.Audience != "sts.amazonaws.com" || out.Provider != "https://"+iss {
		t.Errorf("assume-role-with-web-identity = %+v", out)
	}
	sess := []string{"AWS_ACCESS_KEY_ID=" + out.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + out.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + out.Credentials.SessionToken}
	if got := ok(sess, "sts", "get-caller-identity"); !strings.Contains(got, "assumed-role/deploy/gh-run") {
		t.Errorf("get-caller-identity with the session = %s", got)
	}
	if got := ok(sess, "s3", "ls"); !strings.Contains(got, "bkt") {
		t.Errorf("s3 ls with the session = %q", got)
	}
	if _, errOut, code := as(sess, "s3", "mb", "s3://other"); code == 0 || !strings.Contains(errOut, "s3:CreateBucket") {
		t.Errorf("s3 mb with the session: exit %d, %s", code, errOut)
	}

	other := map[string]any{"iss": "https://" + iss, "sub": "repo:evil/site:ref:refs/heads/main", "aud": "sts.amazonaws.com", "exp": exp}
	fails("(AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity", assume(other)...)
	expired := map[string]any{"iss": "https://" + iss, "sub": good["sub"], "aud": "sts.amazonaws.com", "exp": time.Now().Add(-time.Minute).Unix()}
	fails("(ExpiredTokenException) when calling the AssumeRoleWithWebIdentity operation: Token expired", assume(expired)...)
	fails("(InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation", "sts", "assume-role-with-web-identity",
		"--role-arn", "arn:aws:iam::000000000000:role/deploy", "--role-session-name", "x1", "--web-identity-token", "not-a-jwt")
}

// samlResponse is a SAML 2.0 Response as an identity provider posts it to
// AWS (unsigned here: fogbank does not verify signatures, documented).
func samlResponse(audience, session string, notOnOrAfter time.Time) string {
	doc := fmt.Sprintf(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1" Version="2.0">
  <saml:Issuer>https://idp.corp.example/saml</saml:Issuer>
  <saml:Assertion ID="a1" Version="2.0">
    <saml:Issuer>https://idp.corp.example/saml</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice-id-42</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="%[3]s" Recipient="%[1]s"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotOnOrAfter="%[3]s"><saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>arn:aws:iam::000000000000:role/analyst,arn:aws:iam::000000000000:saml-provider/corp</saml:AttributeValue></saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>%[2]s</saml:AttributeValue></saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>`, audience, session, notOnOrAfter.UTC().Format(time.RFC3339))
	return base64.StdEncoding.EncodeToString([]byte(doc))
}

// TestAssumeRoleWithSAMLCLI: a SAML response assumes the role whose trust
// policy names its provider and audience, under --enforce-iam.
func TestAssumeRoleWithSAMLCLI(t *testing.T) {
	bin := clis[0].bin
	need(t, bin)
	f := start(t, "", "--enforce-iam")
	as := func(env []string, args ...string) (string, string, int) {
		t.Helper()
		return f.run(t, env, bin, append([]string{"--endpoint-url", f.URL, "--output", "json"}, args...)...)
	}
	ok := func(env []string, args ...string) string {
		t.Helper()
		out, errOut, code := as(env, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	fails := func(want string, args ...string) {
		t.Helper()
		if _, errOut, code := as(nil, args...); code == 0 || !strings.Contains(errOut, want) {
			t.Fatalf("%v: exit %d, stderr %q; want %q", args, code, errOut, want)
		}
	}
	ok(nil, "iam", "create-role", "--role-name", "analyst", "--assume-role-policy-document", `{
	  "Version": "2012-10-17",
	  "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
	    "Principal": {"Federated": "arn:aws:iam::000000000000:saml-provider/corp"},
	    "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml", "SAML:sub_type": "persistent"}}}]
	}`)
	assume := func(assertion string) []string {
		return []string{"sts", "assume-role-with-saml", "--role-arn", "arn:aws:iam::000000000000:role/analyst",
			"--principal-arn", "arn:aws:iam::000000000000:saml-provider/corp", "--saml-assertion", assertion}
	}
	later := time.Now().Add(5 * time.Minute)
	var out struct {
		Credentials                                 struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser                             struct{ Arn string }
		Subject, SubjectType, Issuer, NameQualifier string
	}
	json.Unmarshal([]byte(ok(nil, assume(samlResponse("https://signin.aws.amazon.com/saml", "alice@corp.example", later))...)), &out)
	if out.AssumedRoleUser.Arn != "arn:aws:sts::000000000000:assumed-role/analyst/alice@corp.example" || out.Subject != "alice-id-42" ||
		out.SubjectType != "persistent" || out.Issuer != "https://idp.corp.example/saml" || out.NameQualifier == "" {
		t.Errorf("assume-role-with-saml = %+v", out)
	}
	sess := []string{"AWS_ACCESS_KEY_ID=" + out.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + out.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + out.Credentials.SessionToken}
	if got := ok(sess, "sts", "get-caller-identity"); !strings.Contains(got, "assumed-role/analyst/alice@corp.example") {
		t.Errorf("get-caller-identity with the session = %s", got)
	}
	fails("(AccessDenied) when calling the AssumeRoleWithSAML operation: Not authorized to perform sts:AssumeRoleWithSAML",
		assume(samlResponse("https://elsewhere.example/acs", "alice@corp.example", later))...)
	fails("(ExpiredTokenException) when calling the AssumeRoleWithSAML operation",
		assume(samlResponse("https://signin.aws.amazon.com/saml", "alice@corp.example", time.Now().Add(-time.Minute)))...)
	fails("(InvalidIdentityToken) when calling the AssumeRoleWithSAML operation", assume("bm90IFNBTUw=")...)
}
