package e2e

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// oneAttempt is the retryer of clients that must see every answer as it came
// (RetryMaxAttempts 1), but for one client-side failure that the SDK itself
// retries by default: a connection the client's own net/http transport closed
// while it read the answer ("read tcp …: use of closed network connection").
// net/http's write loop closes the connection when the request body reports an
// error after the answer has arrived; aws-sdk-go-v2 #2737 and #1825 describe it
// on real DynamoDB, and the SDK's fix is to retry net.ErrClosed. With one
// attempt it made TestDynamoDBCompressedResponsesSDK fail about one run in ten.
func oneAttempt() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 2
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if errors.Is(err, net.ErrClosed) {
				return aws.TrueTernary
			}
			return aws.FalseTernary
		})}
		o.RateLimiter = noRateLimit{}
	})
}

// noRateLimit lets every retry through: the standard retryer's token bucket
// would refuse retries after a run of failures, which tests provoke on purpose.
type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}

func (noRateLimit) AddTokens(uint) error { return nil }
