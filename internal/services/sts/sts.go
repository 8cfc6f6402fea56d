// Package sts implements AWS Security Token Service. So far: GetCallerIdentity, which
// answers who the caller is from the signature's access key (the first path through
// every layer of fogbank). AssumeRole and session credentials come with IAM.
package sts

import (
	"context"

	"github.com/fogbank/fogbank/internal/api"
	stsapi "github.com/fogbank/fogbank/internal/api/sts"
	"github.com/fogbank/fogbank/internal/host"
)

func init() { host.Register(stsapi.Service, (*Service)(nil), New) }

// Service is fogbank's STS.
type Service struct {
	stsapi.Unimplemented
}

var _ stsapi.API = (*Service)(nil)

// New creates the service; STS keeps no state of its own yet.
func New(*host.Env) (any, error) { return &Service{}, nil }

// GetCallerIdentity answers as AWS does for the caller's credentials: for an
// account's root keys, the account id as UserId and arn:aws:iam::<account>:root.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	c := api.CallerFrom(ctx)
	arn := c.ARN
	if arn == "" {
		arn = "arn:aws:iam::" + c.Account + ":root"
	}
	uid := c.UserID
	if uid == "" {
		uid = c.Account
	}
	return &stsapi.GetCallerIdentityResponse{
		Account: api.String(c.Account),
		Arn:     api.String(arn),
		UserId:  api.String(uid),
	}, nil
}
