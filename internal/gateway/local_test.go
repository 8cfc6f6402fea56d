package gateway_test

// Who may talk to fogbank (gateway.Local), through real SDK clients pointed at
// fogbank under other names, and raw requests where a browser's headers
// matter. The browser itself is in e2e/browser_test.go.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/fogbank/fogbank/internal/server"
	"github.com/fogbank/fogbank/internal/services/all"
)

func startLocal(t *testing.T, opts server.Options) *server.Server {
	t.Helper()
	opts.Addr, opts.Ephemeral, opts.NoSync = "127.0.0.1:0", true, true
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Models = all.Models()
	srv, err := server.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// configAs is an SDK configuration whose endpoint names fogbank by host (any
// name, all dialed to fogbank's address), so the requests carry that Host.
func configAs(srv *server.Server, host string) aws.Config {
	_, port, _ := net.SplitHostPort(srv.Addr)
	dialer := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, srv.Addr)
	}}
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://" + host + ":" + port),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:       &http.Client{Transport: tr},
		RetryMaxAttempts: 1}
}

// calls runs one S3, DynamoDB and STS call against cfg and returns each error.
func calls(cfg aws.Config) map[string]error {
	ctx := context.Background()
	_, s3err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	_, ddberr := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	_, stserr := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	return map[string]error{"s3": s3err, "dynamodb": ddberr, "sts": stserr}
}

// wantCodes are the errors each service answers a refused request with, as
// the SDKs see them: S3's AccessDenied, DynamoDB's AccessDeniedException,
// STS's AccessDenied, all 403.
var wantCodes = map[string]string{"s3": "AccessDenied", "dynamodb": "AccessDeniedException", "sts": "AccessDenied"}

func checkRefused(t *testing.T, what string, errs map[string]error) {
	t.Helper()
	for svc, err := range errs {
		var ae smithy.APIError
		var re interface{ HTTPStatusCode() int }
		if !errors.As(err, &ae) || ae.ErrorCode() != wantCodes[svc] || !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
			t.Errorf("%s: %s answered %v; want 403 %s", what, svc, err, wantCodes[svc])
		}
	}
}

func checkServed(t *testing.T, what string, errs map[string]error) {
	t.Helper()
	for svc, err := range errs {
		if err != nil {
			t.Errorf("%s: %s answered %v; want it served", what, svc, err)
		}
	}
}

func TestHostsServedByDefault(t *testing.T) {
	srv := startLocal(t, server.Options{})
	for _, host := range []string{
		"127.0.0.1", "127.9.9.9", "[::1]", "0.0.0.0", "localhost", "LocalHost", "localhost.", "s3.localhost",
		"localhost.localstack.cloud", "s3.localhost.localstack.cloud",
		"s3.amazonaws.com", "s3.us-east-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com", "sts.amazonaws.com",
	} {
		checkServed(t, host, calls(configAs(srv, host)))
	}
	// Virtual-hosted S3 under local and AWS names.
	ctx := context.Background()
	c := s3.NewFromConfig(configAs(srv, "localhost"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "s3.localhost.localstack.cloud", "s3.us-east-1.amazonaws.com"} {
		c := s3.NewFromConfig(configAs(srv, host)) // virtual-hosted: vhost.<host>
		if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vhost")}); err != nil {
			t.Errorf("virtual-hosted under %s: %v", host, err)
		}
	}
}

func TestHostsRefusedByDefault(t *testing.T) {
	srv := startLocal(t, server.Options{})
	for _, host := range []string{
		"evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "amazonaws.com.evil.example",
		"192.168.1.5", "10.0.0.1", "fogbank",
	} {
		checkRefused(t, host, calls(configAs(srv, host)))
	}
}

func TestAllowHost(t *testing.T) {
	srv := startLocal(t, server.Options{AllowHosts: []string{"fogbank", "10.0.0.1"}})
	checkServed(t, "fogbank", calls(configAs(srv, "fogbank")))
	checkServed(t, "bucket.fogbank", calls(configAs(srv, "bucket.fogbank")))
	checkServed(t, "10.0.0.1", calls(configAs(srv, "10.0.0.1")))
	checkRefused(t, "evil.example", calls(configAs(srv, "evil.example")))
	checkRefused(t, "fogbank.evil.example", calls(configAs(srv, "fogbank.evil.example")))

	srv = startLocal(t, server.Options{AllowHosts: []string{"*"}})
	checkServed(t, "any host with *", calls(configAs(srv, "evil.example")))
}

// do sends a raw request with the given headers and returns the status, the
// answer's headers and its body.
func do(t *testing.T, srv *server.Server, method, path, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// listTables is a DynamoDB ListTables as a browser page would send it, from origin.
// Its signature is made up: the key is unknown, so it is not checked (what
// the probe did).
func listTables(t *testing.T, srv *server.Server, origin string) (int, http.Header, string) {
	now := time.Now().UTC()
	return do(t, srv, "POST", "/", "{}", "Origin", origin, "X-Amz-Target", "DynamoDB_20120810.ListTables",
		"Content-Type", "application/x-amz-json-1.0",
		"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEVIL/"+now.Format("20060102")+"/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature="+strings.Repeat("0", 64),
		"X-Amz-Date", now.Format("20060102T150405Z"))
}

// preflight is a browser's CORS preflight for a DynamoDB call from origin.
func preflight(t *testing.T, srv *server.Server, origin string) (int, http.Header) {
	code, h, _ := do(t, srv, "OPTIONS", "/", "", "Origin", origin, "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "x-amz-target, content-type, authorization, x-amz-date")
	return code, h
}

func TestOriginsByDefault(t *testing.T) {
	srv := startLocal(t, server.Options{})
	for _, origin := range []string{"http://localhost:3000", "http://127.0.0.1:8000", "https://app.localhost", "http://[::1]:5173", srv.URL} {
		code, h := preflight(t, srv, origin)
		if code != 200 || h.Get("Access-Control-Allow-Origin") != origin || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-amz-target") {
			t.Errorf("preflight from %s: %d %v; want 200 allowing that origin", origin, code, h)
		}
		code, h, body := listTables(t, srv, origin)
		if code != 200 || h.Get("Access-Control-Allow-Origin") != origin || h.Get("Vary") != "Origin" {
			t.Errorf("ListTables from %s: %d %v %s; want 200 readable by that origin", origin, code, h, body)
		}
	}
	for _, origin := range []string{"http://evil.example:8000", "https://localhost.evil.example", "null", "file://", "http://192.168.1.5:3000"} {
		code, h := preflight(t, srv, origin)
		if code != 403 || h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s: %d %v; want 403 without CORS headers", origin, code, h)
		}
		code, h, body := listTables(t, srv, origin)
		if code != 403 || !strings.Contains(body, `"__type":"com.amazon.coral.service#AccessDeniedException"`) && !strings.Contains(body, `AccessDeniedException`) ||
			h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("ListTables from %s: %d %s; want 403 AccessDeniedException, unreadable", origin, code, body)
		}
	}
}

func TestCORSOriginsConfigured(t *testing.T) {
	srv := startLocal(t, server.Options{CORSOrigins: []string{"http://app.test:3000"}})
	if code, _, _ := listTables(t, srv, "http://app.test:3000"); code != 200 {
		t.Errorf("listed origin: %d, want 200", code)
	}
	if code, _, _ := listTables(t, srv, "http://localhost:3000"); code != 403 {
		t.Errorf("local origin not in the list: %d, want 403", code)
	}
	srv = startLocal(t, server.Options{CORSOrigins: []string{"local", "http://app.test:3000"}})
	for _, o := range []string{"http://app.test:3000", "http://localhost:3000"} {
		if code, _, _ := listTables(t, srv, o); code != 200 {
			t.Errorf("%s with local,app.test: %d, want 200", o, code)
		}
	}
	srv = startLocal(t, server.Options{CORSOrigins: []string{"*"}})
	if code, h, _ := listTables(t, srv, "http://evil.example"); code != 200 || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("any origin with *: %d %v", code, h)
	}
}

// A page from a foreign origin cannot write to S3 with a request that needs no
// preflight (a presigned PUT would need one; a form POST or a POST ?delete
// with a text/plain body does not), even with a valid test/test signature,
// since that secret is public.
func TestForeignOriginCannotWriteS3(t *testing.T) {
	srv := startLocal(t, server.Options{})
	ctx := context.Background()
	client := s3.NewFromConfig(configAs(srv, "127.0.0.1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	pre, err := s3.NewPresignClient(client).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(pre.URL, srv.URL)
	code, _, body := do(t, srv, "PUT", path, "overwritten", "Origin", "http://evil.example:8000")
	if code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Errorf("presigned PUT from a foreign origin: %d %s; want 403 AccessDenied", code, body)
	}
	code, _, body = do(t, srv, "POST", "/data?delete", `<Delete><Object><Key>k</Key></Object></Delete>`,
		"Origin", "http://evil.example:8000", "Content-Type", "text/plain")
	if code != 403 {
		t.Errorf("POST ?delete from a foreign origin: %d %s; want 403", code, body)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(out.Body); string(b) != "v" {
		t.Errorf("object is %q after the foreign requests, want v", b)
	}
}

// An image or link on a foreign page (cross-site, no Origin) may not call a
// query-protocol Action; S3 reads stay possible (the page cannot see them).
func TestCrossSiteWithoutOrigin(t *testing.T) {
	srv := startLocal(t, server.Options{})
	code, _, body := do(t, srv, "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", "", "Sec-Fetch-Site", "cross-site")
	if code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Errorf("cross-site GET with an Action: %d %s; want 403 AccessDenied", code, body)
	}
	if code, _, body := do(t, srv, "GET", "/nobucket/k", "", "Sec-Fetch-Site", "cross-site"); code != 404 {
		t.Errorf("cross-site S3 GET: %d %s; want S3's own answer (404 NoSuchBucket)", code, body)
	}
}

// STS refuses unsigned calls as AWS does: 403 MissingAuthenticationToken, a
// Sender fault, for the SDK with anonymous credentials and for a bare GET.
func TestUnsignedSTS(t *testing.T) {
	srv := startLocal(t, server.Options{})
	cfg := configAs(srv, "127.0.0.1")
	cfg.Credentials = aws.AnonymousCredentials{}
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &ae) || ae.ErrorCode() != "MissingAuthenticationToken" || ae.ErrorMessage() != "Request is missing Authentication Token" ||
		!errors.As(err, &re) || re.HTTPStatusCode() != 403 {
		t.Errorf("anonymous GetCallerIdentity: %v; want 403 MissingAuthenticationToken", err)
	}
	code, _, body := do(t, srv, "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", "")
	if code != 403 || !strings.Contains(body, "<Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>") {
		t.Errorf("unsigned GET: %d %s", code, body)
	}
	// Operations the model marks unsigned still get through to their checks.
	code, _, body = do(t, srv, "POST", "/", "Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "Content-Type", "application/x-www-form-urlencoded")
	if strings.Contains(body, "MissingAuthenticationToken") {
		t.Errorf("unsigned AssumeRoleWithWebIdentity: %d %s; want it past the signature check", code, body)
	}
}

// A browser's preflight of a presigned URL repeats its query, signed for the
// request to come (a PUT), not for the OPTIONS: S3 answers it from the
// bucket's CORS rules without checking the signature.
func TestPreflightOfPresignedURL(t *testing.T) {
	srv := startLocal(t, server.Options{})
	ctx := context.Background()
	client := s3.NewFromConfig(configAs(srv, "127.0.0.1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	_, err := client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: &s3types.CORSConfiguration{
		CORSRules: []s3types.CORSRule{{AllowedOrigins: []string{"http://localhost:3000"}, AllowedMethods: []string{"PUT"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	pre, err := s3.NewPresignClient(client).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("web"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(pre.URL, srv.URL)
	code, h, body := do(t, srv, "OPTIONS", path, "", "Origin", "http://localhost:3000", "Access-Control-Request-Method", "PUT")
	if code != 200 || h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("preflight of a presigned PUT: %d %v %s; want 200 from the bucket's CORS rule", code, h, body)
	}
	code, _, body = do(t, srv, "OPTIONS", path, "", "Origin", "http://localhost:4000", "Access-Control-Request-Method", "PUT")
	if code != 403 || !strings.Contains(body, "<Code>AccessForbidden</Code>") {
		t.Errorf("preflight from an origin the rules do not name: %d %s; want S3's 403 AccessForbidden", code, body)
	}
}
