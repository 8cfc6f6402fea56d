package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/fogbank/fogbank/internal/api"
	stsapi "github.com/fogbank/fogbank/internal/api/sts"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/gateway"
	"github.com/fogbank/fogbank/internal/server"
)

// flaky panics on its first call, then answers.
type flaky struct {
	stsapi.Unimplemented
	calls int
}

func (f *flaky) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	f.calls++
	if f.calls == 1 {
		var m map[string]int
		m["boom"]++ // a nil-map write: a real bug, not a staged panic value
	}
	c := api.CallerFrom(ctx)
	return &stsapi.GetCallerIdentityResponse{Account: &c.Account, Arn: &c.ARN, UserId: &c.UserID}, nil
}

func newGateway(t *testing.T, impl any, logs io.Writer) *httptest.Server {
	t.Helper()
	g := gateway.New(gateway.Config{
		Services: []gateway.Bound{{Service: stsapi.Service, Impl: impl, Implemented: true}},
		Codecs:   server.Codecs(),
		Verifier: &auth.Verifier{Keys: auth.DefaultKeys()},
		Logger:   slog.New(slog.NewTextHandler(logs, nil)),
		Version:  "test",
	})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv
}

func stsClient(url, key string) *sts.Client {
	return sts.NewFromConfig(aws.Config{
		Region: "eu-central-1", BaseEndpoint: aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(key, "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// A handler panic is a 500 InternalError for that request, logged with its stack;
// the next request is served normally.
func TestPanicBecomesInternalError(t *testing.T) {
	var logs strings.Builder
	srv := newGateway(t, &flaky{}, &logs)
	c := stsClient(srv.URL, "AKIDEXAMPLE")

	_, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalError" {
		t.Fatalf("first call: err = %v, want InternalError", err)
	}
	if !strings.Contains(logs.String(), "panic") || !strings.Contains(logs.String(), "goroutine") {
		t.Errorf("log has no panic with stack:\n%s", logs.String())
	}
	out, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("second call: %v", err)
	}
	if got := aws.ToString(out.Account); got != "000000000000" {
		t.Errorf("Account = %q, want 000000000000", got)
	}
}

// An access key id of 12 digits selects that account; the region comes from the
// credential scope; both reach the handler.
func TestAccountAndRegionFromCredentials(t *testing.T) {
	var seen *api.Caller
	impl := &recorder{seen: &seen}
	srv := newGateway(t, impl, io.Discard)
	out, err := stsClient(srv.URL, "123456789012").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Arn); got != "arn:aws:iam::123456789012:root" {
		t.Errorf("Arn = %q", got)
	}
	if seen.Account != "123456789012" || seen.Region != "eu-central-1" {
		t.Errorf("caller = %s/%s, want 123456789012/eu-central-1", seen.Account, seen.Region)
	}
}

type recorder struct {
	stsapi.Unimplemented
	seen **api.Caller
}

func (r *recorder) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	c := api.CallerFrom(ctx)
	*r.seen = c
	return &stsapi.GetCallerIdentityResponse{Account: &c.Account, Arn: &c.ARN, UserId: &c.UserID}, nil
}

func TestHealthBothPaths(t *testing.T) {
	srv := newGateway(t, &recorder{seen: new(*api.Caller)}, io.Discard)
	for _, path := range []string{"/_fogbank/health", "/_localstack/health"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var h gateway.Health
		err = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
		}
		if h.Services["sts"] != "running" || h.Version != "test" {
			t.Errorf("%s = %+v, want sts running, version test", path, h)
		}
	}
}

func TestVirtualHostedBucketToPath(t *testing.T) {
	cases := []struct{ host, path, want string }{
		{"my-bucket.s3.us-east-1.amazonaws.com", "/a%2Fb/../c", "/my-bucket/a%2Fb/../c"},
		{"my.dotted.bucket.s3.amazonaws.com", "/k", "/my.dotted.bucket/k"},
		{"b.localhost:4566", "/k//x", "/b/k//x"},
		{"127.0.0.1:4566", "/b/k", "/b/k"},
		{"localhost:4566", "/b/k", "/b/k"},
		{"s3.localhost:4566", "/b/k", "/b/k"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "http://"+tc.host+tc.path, nil)
		r.Host = tc.host
		gateway.VirtualHostToPath(r, "s3")
		if got := r.URL.EscapedPath(); got != tc.want {
			t.Errorf("%s%s → %s, want %s", tc.host, tc.path, got, tc.want)
		}
	}
}
