// Package sts implements AWS Security Token Service: GetCallerIdentity (who
// the caller is, from the signature's access key: root, IAM user or role
// session), and AssumeRole and GetSessionToken, whose temporary credentials
// IAM issues and keeps (internal/services/iam): they sign requests with their
// session token until they expire. GetAccessKeyInfo answers the account of a
// key. AssumeRoleWithWebIdentity and AssumeRoleWithSAML take an OpenID
// Connect token's or a SAML response's claims at their word: signatures and
// issuers are not verified (see IAM's sessions.go), only the expiry and the
// role's trust policy.
//
// Missing: GetFederationToken,
// DecodeAuthorizationMessage; MFA (SerialNumber, TokenCode) is accepted and
// not checked.
package sts

import (
	"context"

	"github.com/fogbank/fogbank/internal/api"
	stsapi "github.com/fogbank/fogbank/internal/api/sts"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/host"
)

// Impl is how the server creates this service (internal/services/all).
var Impl = host.Impl{New: New, Proto: (*Service)(nil)}

// Service is fogbank's STS.
type Service struct {
	stsapi.Unimplemented
	env    *host.Env
	issuer issuer // IAM, found at Start; nil without it
}

// issuer is what STS needs of IAM: it issues and keeps credentials.
type issuer interface {
	AssumeRole(ctx context.Context, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error)
	GetSessionToken(ctx context.Context, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error)
	AssumeRoleWithWebIdentity(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityRequest) (*stsapi.AssumeRoleWithWebIdentityResponse, error)
	AssumeRoleWithSAML(ctx context.Context, in *stsapi.AssumeRoleWithSAMLRequest) (*stsapi.AssumeRoleWithSAMLResponse, error)
	AccessKeyAccount(id string) string
}

var _ stsapi.API = (*Service)(nil)

// New creates the service; its state is IAM's.
func New(env *host.Env) (any, error) { return &Service{env: env}, nil }

// Start finds IAM.
func (s *Service) Start(context.Context) error {
	if is, err := host.Lookup[issuer](s.env, "iam"); err == nil {
		s.issuer = is
	}
	return nil
}

// GetCallerIdentity answers as AWS does for the caller's credentials: for an
// account's root keys, the account id as UserId and arn:aws:iam::<account>:root;
// for an IAM user its ARN and id; for a role session
// arn:aws:sts::<account>:assumed-role/<role>/<session> and <role id>:<session>.
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

func (s *Service) AssumeRole(ctx context.Context, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	if s.issuer == nil {
		return nil, api.NotImplemented("sts", "AssumeRole")
	}
	return s.issuer.AssumeRole(ctx, in)
}

func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityRequest) (*stsapi.AssumeRoleWithWebIdentityResponse, error) {
	if s.issuer == nil {
		return nil, api.NotImplemented("sts", "AssumeRoleWithWebIdentity")
	}
	return s.issuer.AssumeRoleWithWebIdentity(ctx, in)
}

func (s *Service) AssumeRoleWithSAML(ctx context.Context, in *stsapi.AssumeRoleWithSAMLRequest) (*stsapi.AssumeRoleWithSAMLResponse, error) {
	if s.issuer == nil {
		return nil, api.NotImplemented("sts", "AssumeRoleWithSAML")
	}
	return s.issuer.AssumeRoleWithSAML(ctx, in)
}

func (s *Service) GetSessionToken(ctx context.Context, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	if s.issuer == nil {
		return nil, api.NotImplemented("sts", "GetSessionToken")
	}
	return s.issuer.GetSessionToken(ctx, in)
}

// GetAccessKeyInfo answers the account of an access key: IAM's record for the
// keys it issued, else the account the key id selects (12 digits, or
// 000000000000).
func (s *Service) GetAccessKeyInfo(ctx context.Context, in *stsapi.GetAccessKeyInfoRequest) (*stsapi.GetAccessKeyInfoResponse, error) {
	id := api.ToString(in.AccessKeyId)
	acct := ""
	if s.issuer != nil {
		acct = s.issuer.AccessKeyAccount(id)
	}
	if acct == "" {
		acct = auth.AccountFor(id)
	}
	return &stsapi.GetAccessKeyInfoResponse{Account: api.String(acct)}, nil
}
