package iam

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	iamapi "github.com/fogbank/fogbank/internal/api/iam"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/gateway"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

// newTestService is the service on an in-memory store, enforcing, with user
// "reader" holding AmazonS3ReadOnlyAccess and one access key.
func newTestService(tb testing.TB) (*Service, *api.Caller) {
	st, err := store.Open(store.Options{Dir: tb.TempDir(), Memory: true, Logf: func(string, ...any) {}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	impl, err := New(&host.Env{Store: st})
	if err != nil {
		tb.Fatal(err)
	}
	s := impl.(*Service)
	s.SetEnforcement("on")
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, &iamapi.CreateUserRequest{UserName: api.String("reader")}); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.AttachUserPolicy(ctx, &iamapi.AttachUserPolicyRequest{UserName: api.String("reader"),
		PolicyArn: api.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}); err != nil {
		tb.Fatal(err)
	}
	key, err := s.CreateAccessKey(ctx, &iamapi.CreateAccessKeyRequest{UserName: api.String("reader")})
	if err != nil {
		tb.Fatal(err)
	}
	id := *key.AccessKey.AccessKeyId
	_, p, ok := s.Lookup(id)
	if !ok {
		tb.Fatal("the new key is unknown")
	}
	return s, &api.Caller{Account: p.Account, Region: "us-east-1", AccessKeyID: id, ARN: p.ARN, UserID: p.UserID}
}

func invocation(c *api.Caller, op string, in any) *gateway.Invocation {
	return &gateway.Invocation{Service: s3api.Service, Operation: op, Caller: c, Input: in}
}

func TestAuthorizeS3(t *testing.T) {
	s, c := newTestService(t)
	called := 0
	next := func(context.Context, *gateway.Invocation) (any, error) { called++; return nil, nil }
	ctx := api.WithCaller(context.Background(), c)
	if _, err := s.Authorize(ctx, invocation(c, "GetObject", &s3api.GetObjectRequest{Bucket: api.String("b"), Key: api.String("k")}), next); err != nil || called != 1 {
		t.Fatalf("GetObject: %v (called %d)", err, called)
	}
	_, err := s.Authorize(ctx, invocation(c, "PutObject", &s3api.PutObjectRequest{Bucket: api.String("b"), Key: api.String("k")}), next)
	want := `AccessDenied: User: arn:aws:iam::000000000000:user/reader is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:PutObject action`
	if err == nil || err.Error() != want || called != 1 {
		t.Fatalf("PutObject: %v, want %s", err, want)
	}
	// A policy change is seen at once.
	if _, err := s.PutUserPolicy(context.Background(), &iamapi.PutUserPolicyRequest{UserName: api.String("reader"), PolicyName: api.String("w"),
		PolicyDocument: api.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authorize(ctx, invocation(c, "PutObject", &s3api.PutObjectRequest{Bucket: api.String("b"), Key: api.String("k")}), next); err != nil {
		t.Fatalf("PutObject after the grant: %v", err)
	}
	if _, err := s.Authorize(ctx, invocation(c, "DeleteObject", &s3api.DeleteObjectRequest{Bucket: api.String("b"), Key: api.String("k")}), next); err == nil || !strings.Contains(err.Error(), "s3:DeleteObject") {
		t.Fatalf("DeleteObject: %v", err)
	}
}

// BenchmarkAuthorizeGetObject is what --enforce-iam adds to an S3 GetObject:
// the action mapping, the cached identity, one evaluation (AmazonS3ReadOnlyAccess).
func BenchmarkAuthorizeGetObject(b *testing.B) {
	s, c := newTestService(b)
	next := func(context.Context, *gateway.Invocation) (any, error) { return nil, nil }
	ctx := api.WithCaller(context.Background(), c)
	in := &s3api.GetObjectRequest{Bucket: api.String("bucket"), Key: api.String("some/key.csv")}
	inv := invocation(c, "GetObject", in)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Authorize(ctx, inv, next); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAuthorizeGetObjectFivePolicies is the caller of bench/iam.sh: a
// user with three AWS managed policies, a customer managed policy of 10
// statements that allow nothing here, and an inline Deny; all are read.
func BenchmarkAuthorizeGetObjectFivePolicies(b *testing.B) {
	s, c := newTestService(b)
	ctx := context.Background()
	var st []string
	for i := 0; i < 10; i++ {
		st = append(st, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["dynamodb:Put*","sqs:Send*","s3:PutObject"],"Resource":"arn:aws:s3:::other-%d/*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}`, i, i))
	}
	p, err := s.CreatePolicy(ctx, &iamapi.CreatePolicyRequest{PolicyName: api.String("ten"),
		PolicyDocument: api.String(`{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`)})
	if err != nil {
		b.Fatal(err)
	}
	for _, arn := range []string{"arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess", *p.Policy.Arn} {
		if _, err := s.AttachUserPolicy(ctx, &iamapi.AttachUserPolicyRequest{UserName: api.String("reader"), PolicyArn: api.String(arn)}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.PutUserPolicy(ctx, &iamapi.PutUserPolicyRequest{UserName: api.String("reader"), PolicyName: api.String("no-secrets"),
		PolicyDocument: api.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::secrets","arn:aws:s3:::secrets/*"]}]}`)}); err != nil {
		b.Fatal(err)
	}
	next := func(context.Context, *gateway.Invocation) (any, error) { return nil, nil }
	cctx := api.WithCaller(ctx, c)
	inv := invocation(c, "GetObject", &s3api.GetObjectRequest{Bucket: api.String("bucket"), Key: api.String("some/key.csv")})
	if _, err := s.Authorize(cctx, inv, next); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Authorize(cctx, inv, next); err != nil {
				b.Fatal(err)
			}
		}
	})
}
