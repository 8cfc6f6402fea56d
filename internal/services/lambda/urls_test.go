package lambda_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// localClient reaches names under localhost at loopback, as browsers do
// (and systemd-resolved; Go's resolver does not).
var localClient = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && strings.HasSuffix(host, ".localhost") {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}}}

// urlRE is a function URL as fogbank answers it: AWS's host form where
// *.localhost resolves, else the path form.
var urlRE = regexp.MustCompile(`^http://(?:([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:\d+|127\.0\.0\.1:\d+/_fogbank/lambda/url/([a-z0-9]{32}))/$`)

// Function URLs: the configuration operations through the SDK, and plain
// HTTP requests reaching the handler as the payload format 2.0 event, its
// answer mapped to the response as AWS maps it.
func TestFunctionURLs(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	fn(t, c, "web", types.RuntimePython312, "app.handler", 10, map[string]string{"app.py": `import base64, json
def handler(event, context):
    if event["rawPath"] == "/plain":
        return {"echo": event["queryStringParameters"]}
    if event["rawPath"] == "/fail":
        raise ValueError("no")
    return {"statusCode": 201, "headers": {"content-type": "text/plain", "x-seen": json.dumps({
        "version": event["version"], "routeKey": event["routeKey"], "method": event["requestContext"]["http"]["method"],
        "path": event["requestContext"]["http"]["path"], "raw": event["rawQueryString"], "cookies": event.get("cookies"),
        "b64": event["isBase64Encoded"], "account": event["requestContext"]["accountId"],
        "host": event["headers"].get("host") is not None, "custom": event["headers"].get("x-custom")})},
        "cookies": ["a=1; Path=/"], "body": base64.b64encode(b"got:" + (base64.b64decode(event["body"]) if event["isBase64Encoded"] else event.get("body", "").encode())).decode(),
        "isBase64Encoded": True}
`})
	_, err := c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("web")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("Get before Create: %v", err)
	}
	created, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"),
		AuthType: types.FunctionUrlAuthTypeNone, Cors: &types.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"POST"}}})
	if err != nil {
		t.Fatal(err)
	}
	u := aws.ToString(created.FunctionUrl)
	if !urlRE.MatchString(u) || created.InvokeMode != types.InvokeModeBuffered ||
		aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:web" {
		t.Errorf("created %s %s %s", u, created.InvokeMode, aws.ToString(created.FunctionArn))
	}
	_, err = c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: types.FunctionUrlAuthTypeNone})
	var conflict *types.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("second Create: %v", err)
	}

	// A shaped response: status, headers, cookies, a base64 body; a binary request body.
	req, _ := http.NewRequest("PUT", u+"some/path?b=2&a=1&a=3", strings.NewReader("\x00\x01bin"))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Cookie", "s=1; t=2")
	req.Header.Set("X-Custom", "yes")
	resp, err := localClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var seen struct {
		Version, RouteKey, Method, Path, Raw, Account, Custom string
		Cookies                                               []string
		B64, Host                                             bool
	}
	json.Unmarshal([]byte(resp.Header.Get("X-Seen")), &seen)
	if resp.StatusCode != 201 || string(body) != "got:\x00\x01bin" || resp.Header.Get("Content-Type") != "text/plain" ||
		resp.Header.Get("Set-Cookie") != "a=1; Path=/" {
		t.Errorf("shaped answer: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if seen.Version != "2.0" || seen.RouteKey != "$default" || seen.Method != "PUT" || seen.Path != "/some/path" ||
		seen.Raw != "b=2&a=1&a=3" || strings.Join(seen.Cookies, "|") != "s=1|t=2" || !seen.B64 || seen.Account != "anonymous" ||
		!seen.Host || seen.Custom != "yes" {
		t.Errorf("the event as the handler saw it: %+v", seen)
	}
	// An unshaped result: 200 application/json; repeated query values joined.
	resp, err = localClient.Get(u + "plain?a=1&a=2")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || string(body) != `{"echo": {"a": "1,2"}}` {
		t.Errorf("unshaped answer: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// A function error is a 502.
	resp, err = localClient.Get(u + "fail")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("function error: %d", resp.StatusCode)
	}
	// CORS preflight from an allowed origin, answered without invoking.
	req, _ = http.NewRequest("OPTIONS", u+"x", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err = localClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || resp.Header.Get("Access-Control-Allow-Methods") != "POST" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}

	// AWS_IAM: an unsigned request is refused.
	upd, err := c.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("web"), AuthType: types.FunctionUrlAuthTypeAwsIam})
	if err != nil || upd.AuthType != types.FunctionUrlAuthTypeAwsIam || aws.ToString(upd.FunctionUrl) != u || upd.Cors == nil {
		t.Fatalf("update: %v %+v", err, upd)
	}
	resp, err = localClient.Get(u + "plain")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned request to an AWS_IAM URL: %d", resp.StatusCode)
	}
	list, err := c.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("web")})
	if err != nil || len(list.FunctionUrlConfigs) != 1 || aws.ToString(list.FunctionUrlConfigs[0].FunctionUrl) != u {
		t.Errorf("list: %v %+v", err, list)
	}
	if _, err := c.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	resp, err = localClient.Get(u + "plain")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a deleted URL: %d", resp.StatusCode)
	}
	if _, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("nope"), AuthType: types.FunctionUrlAuthTypeNone}); !errors.As(err, &nf) {
		t.Errorf("a URL for a missing function: %v", err)
	}
}

// A function URL answers at AWS's host form on localhost,
// <id>.lambda-url.<region>.localhost, at LocalStack's
// <id>.lambda-url.<region>.localhost.localstack.cloud, and at the path form
// on fogbank's address, whichever FunctionUrl names; a host naming another
// region is not it, and the same labels under a name that is not local are
// refused by the gateway's Host check.
func TestFunctionURLHosts(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	fn(t, c, "hosted", types.RuntimePython312, "app.handler", 10, map[string]string{"app.py": `def handler(event, context):
    return {"statusCode": 200, "body": event["rawPath"] + "?" + event["rawQueryString"] + " " + event["requestContext"]["domainName"]}
`})
	created, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("hosted"), AuthType: types.FunctionUrlAuthTypeNone})
	if err != nil {
		t.Fatal(err)
	}
	m := urlRE.FindStringSubmatch(aws.ToString(created.FunctionUrl))
	if m == nil {
		t.Fatalf("FunctionUrl %q", aws.ToString(created.FunctionUrl))
	}
	id := m[1] + m[2]
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	get := func(host, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, host := range []string{id + ".lambda-url.us-east-1.localhost:" + port, id + ".lambda-url.us-east-1.localhost",
		id + ".lambda-url.us-east-1.localhost.localstack.cloud:" + port, strings.ToUpper(id) + ".LAMBDA-URL.us-east-1.localhost."} {
		if code, body := get(host, "/a/b?x=1"); code != 200 || !strings.HasPrefix(body, "/a/b?x=1 ") {
			t.Errorf("Host %s: %d %q", host, code, body)
		}
	}
	if code, body := get(strings.TrimPrefix(srv.URL, "http://"), "/_fogbank/lambda/url/"+id+"/a?x=2"); code != 200 || !strings.HasPrefix(body, "/a?x=2 ") {
		t.Errorf("the path form: %d %q", code, body)
	}
	// The URL itself, reached as a browser reaches it.
	resp, err := localClient.Get(aws.ToString(created.FunctionUrl) + "c")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "/c? ") {
		t.Errorf("FunctionUrl: %d %q", resp.StatusCode, b)
	}
	// Another region's host, or an id that is no URL: 404 as AWS answers it.
	for _, host := range []string{id + ".lambda-url.eu-west-1.localhost", strings.Repeat("a", 32) + ".lambda-url.us-east-1.localhost"} {
		if code, body := get(host, "/"); code != 404 || body != "{\"Message\":\"Not Found\"}" {
			t.Errorf("Host %s: %d %q", host, code, body)
		}
	}
	// Not local names: the gateway's Host check refuses them (DNS rebinding).
	for _, host := range []string{id + ".lambda-url.us-east-1.example.com", id + ".lambda-url.us-east-1.localhost.example.com",
		id + ".lambda-url.us-east-1.localhostx"} {
		if code, body := get(host, "/"); code != 403 || strings.Contains(body, "/ ") {
			t.Errorf("Host %s: %d %q, want the gateway's 403", host, code, body)
		}
	}
}

// AuthType AWS_IAM: a request must carry a valid SigV4 signature for the
// service lambda (header or presigned query). Unsigned, it gets AWS's
// generic 403 ({"Message": "Forbidden. ..."}, x-amzn-ErrorType
// AccessDeniedException); badly signed or signed for another service, the
// signature error in the front end's words ({"message": ...}, 403,
// InvalidSignatureException). The function sees who signed in
// requestContext.authorizer.iam. AuthType NONE needs no signature.
func TestFunctionURLAWSIAM(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	fn(t, c, "private", types.RuntimePython312, "app.handler", 10, map[string]string{"app.py": `import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps([event.get("body"), event["requestContext"].get("authorizer")])}
`})
	created, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("private"), AuthType: types.FunctionUrlAuthTypeAwsIam})
	if err != nil {
		t.Fatal(err)
	}
	u := aws.ToString(created.FunctionUrl) + "p?q=1"
	do := func(secret, service string, presign bool, body string) (int, string, string) {
		t.Helper()
		return callURL(t, u, "test", secret, service, presign, body)
	}
	if code, typ, body := do("", "", false, "x"); code != 403 || typ != "AccessDeniedException" || body != urlForbiddenBody {
		t.Errorf("unsigned: %d %s %q", code, typ, body)
	}
	mismatch := `{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}`
	for _, presign := range []bool{false, true} {
		if code, typ, body := do("wrong", "lambda", presign, "x"); code != 403 || typ != "InvalidSignatureException" || body != mismatch {
			t.Errorf("a wrong secret (presigned %v): %d %s %q", presign, code, typ, body)
		}
	}
	if code, typ, body := do("test", "execute-api", false, "x"); code != 403 || typ != "InvalidSignatureException" ||
		body != `{"message":"Credential should be scoped to correct service: 'lambda'. "}` {
		t.Errorf("signed for execute-api: %d %s %q", code, typ, body)
	}
	for _, presign := range []bool{false, true} {
		code, _, body := do("test", "lambda", presign, `{"k":1}`)
		var got []any
		json.Unmarshal([]byte(body), &got)
		if len(got) != 2 {
			t.Errorf("signed (presigned %v): %d %s", presign, code, body)
			continue
		}
		authz, _ := got[1].(map[string]any)
		iam, _ := authz["iam"].(map[string]any)
		if code != 200 || got[0] != `{"k":1}` || iam["accessKey"] != "test" || iam["accountId"] != "000000000000" ||
			iam["userArn"] != "arn:aws:iam::000000000000:root" {
			t.Errorf("signed (presigned %v): %d %s", presign, code, body)
		}
	}
	// A body changed after signing does not match.
	req, _ := http.NewRequest("POST", u, strings.NewReader("signed"))
	sum := sha256.Sum256([]byte("signed"))
	v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req, hex.EncodeToString(sum[:]), "lambda", "us-east-1", time.Now())
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader("forged")), 6
	resp, err := localClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-Errortype") != "InvalidSignatureException" || string(b) != mismatch {
		t.Errorf("a forged body: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), b)
	}
	// NONE: open, and the event has no authorizer.
	if _, err := c.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("private"), AuthType: types.FunctionUrlAuthTypeNone}); err != nil {
		t.Fatal(err)
	}
	if code, _, body := do("", "", false, "open"); code != 200 || body != `["open", null]` {
		t.Errorf("NONE: %d %q", code, body)
	}
}

// urlForbiddenBody is AWS's generic 403 of function URLs.
const urlForbiddenBody = `{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}`

// callURL POSTs body to the function URL u, signed with akid and secret for
// service (header, or presigned query when presign; unsigned when secret is
// ""), and answers the status, x-amzn-ErrorType and body.
func callURL(t *testing.T, u, akid, secret, service string, presign bool, body string) (int, string, string) {
	t.Helper()
	ctx := context.Background()
	// A signer of its own: the SDK's caches derived keys by access key id and
	// not secret, so a signer once used with a wrong secret keeps signing wrongly.
	signer := v4.NewSigner()
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
	switch {
	case secret != "" && presign:
		signed, _, err := signer.PresignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		req, _ = http.NewRequest("POST", signed, strings.NewReader(body))
	case secret != "":
		if err := signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := localClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), string(b)
}
