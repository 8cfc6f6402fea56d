package fogbanktest_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/fogbank/fogbank/fogbanktest"
)

func TestStart(t *testing.T) {
	srv := fogbanktest.Start(t)
	out, err := sts.NewFromConfig(srv.Config).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Arn), "arn:aws:iam::000000000000:root"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
}

// Two servers in one test are independent and each on its own port.
func TestTwoServers(t *testing.T) {
	a, b := fogbanktest.Start(t), fogbanktest.Start(t)
	if a.URL == b.URL {
		t.Fatalf("both servers on %s", a.URL)
	}
}

// BenchmarkStartToFirstAnswer is fogbank's start-up inside a Go test: open an
// ephemeral store, create the services, listen, answer one STS call.
func BenchmarkStartToFirstAnswer(b *testing.B) {
	for i := 0; i < b.N; i++ {
		srv := fogbanktest.Start(b)
		if _, err := sts.NewFromConfig(srv.Config).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
			b.Fatal(err)
		}
		srv.Stop()
	}
}

// The same gateway answers behind either HTTP server: a signed STS call and an
// S3 PUT whose checksum comes in the aws-chunked trailer, then the GET of it.
func TestWithHTTP(t *testing.T) {
	for _, name := range []string{"fogbank", "std"} {
		t.Run(name, func(t *testing.T) {
			srv := fogbanktest.Start(t, fogbanktest.WithHTTP(name))
			ctx := context.Background()
			if _, err := sts.NewFromConfig(srv.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Fatal(err)
			}
			c := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("with-http")}); err != nil {
				t.Fatal(err)
			}
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("with-http"), Key: aws.String("k"),
				Body: strings.NewReader("hello"), ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32})
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("with-http"), Key: aws.String("k")})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(body) != "hello" {
				t.Errorf("GET = %q, want hello", body)
			}
		})
	}
}
