package api

import "context"

// Caller is who sent the request being handled and where it is addressed. The
// gateway puts it in the context of every operation call; handlers read it with
// CallerFrom to scope their state by account and region.
type Caller struct {
	Account     string // 12 digits
	Region      string // "us-east-1"
	RequestID   string
	AccessKeyID string
	ARN         string // the principal: "arn:aws:iam::000000000000:root"
	UserID      string
	Anonymous   bool
	// Host is the Host header the client used, e.g. for S3's Location answers.
	Host string
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the Caller of ctx; a default (account 000000000000,
// us-east-1) when there is none, so handlers called directly in tests work.
func CallerFrom(ctx context.Context) *Caller {
	if c, ok := ctx.Value(callerKey{}).(*Caller); ok {
		return c
	}
	return &Caller{Account: "000000000000", Region: "us-east-1",
		ARN: "arn:aws:iam::000000000000:root", UserID: "000000000000"}
}
