package fogbanktest_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
