package iam

import (
	"context"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"net/http"

	"github.com/fogbank/fogbank/internal/api"
	iamapi "github.com/fogbank/fogbank/internal/api/iam"
)

// The account's alias and password policy. An account has at most one
// alias: creating another replaces it, as in IAM. Aliases are not checked
// for uniqueness across fogbank's accounts (IAM's are unique worldwide).
// The password policy is kept and answered; fogbank has no console
// passwords for it to apply to.

// Compiled on first use: nothing of a service runs before its first request.
var aliasPattern = lazy.Regexp{Expr: `^[a-z0-9]([a-z0-9]|-[a-z0-9])*$`}

func (s *Service) CreateAccountAlias(ctx context.Context, in *iamapi.CreateAccountAliasRequest) (*iamapi.CreateAccountAliasOutput, error) {
	alias := api.ToString(in.AccountAlias)
	// ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$ (Go's regexp has no lookahead).
	if len(alias) < 3 || len(alias) > 63 || !aliasPattern.Get().MatchString(alias) {
		return nil, api.Errorf(http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value '%s' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", alias)
	}
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		a.Aliases = []string{alias}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateAccountAliasOutput{}, nil
}

func (s *Service) DeleteAccountAlias(ctx context.Context, in *iamapi.DeleteAccountAliasRequest) (*iamapi.DeleteAccountAliasOutput, error) {
	alias := api.ToString(in.AccountAlias)
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		if len(a.Aliases) == 0 || a.Aliases[0] != alias {
			return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("The account alias %s cannot be found.", alias))}
		}
		a.Aliases = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteAccountAliasOutput{}, nil
}

func (s *Service) ListAccountAliases(ctx context.Context, in *iamapi.ListAccountAliasesRequest) (*iamapi.ListAccountAliasesResponse, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAccountAliasesResponse{AccountAliases: append([]string{}, a.Aliases...), IsTruncated: api.Bool(false)}, nil
}

// passwordPolicy is the account's password policy as set.
type passwordPolicy struct {
	MinimumPasswordLength      int64 `json:"minLength"`
	RequireSymbols             bool  `json:"symbols,omitempty"`
	RequireNumbers             bool  `json:"numbers,omitempty"`
	RequireUppercaseCharacters bool  `json:"upper,omitempty"`
	RequireLowercaseCharacters bool  `json:"lower,omitempty"`
	AllowUsersToChangePassword bool  `json:"allowChange,omitempty"`
	MaxPasswordAge             int64 `json:"maxAge,omitempty"`
	PasswordReusePrevention    int64 `json:"reuse,omitempty"`
	HardExpiry                 bool  `json:"hardExpiry,omitempty"`
}

// UpdateAccountPasswordPolicy sets the whole policy: a parameter left out
// takes its default (6 characters, nothing required, no expiry), as IAM does.
func (s *Service) UpdateAccountPasswordPolicy(ctx context.Context, in *iamapi.UpdateAccountPasswordPolicyRequest) (*iamapi.UpdateAccountPasswordPolicyOutput, error) {
	p := &passwordPolicy{MinimumPasswordLength: 6,
		RequireSymbols: api.ToBool(in.RequireSymbols), RequireNumbers: api.ToBool(in.RequireNumbers),
		RequireUppercaseCharacters: api.ToBool(in.RequireUppercaseCharacters), RequireLowercaseCharacters: api.ToBool(in.RequireLowercaseCharacters),
		AllowUsersToChangePassword: api.ToBool(in.AllowUsersToChangePassword), HardExpiry: api.ToBool(in.HardExpiry)}
	if in.MinimumPasswordLength != nil {
		p.MinimumPasswordLength = *in.MinimumPasswordLength
	}
	if in.MaxPasswordAge != nil {
		p.MaxPasswordAge = *in.MaxPasswordAge
	}
	if in.PasswordReusePrevention != nil {
		p.PasswordReusePrevention = *in.PasswordReusePrevention
	}
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		a.PasswordPolicy = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateAccountPasswordPolicyOutput{}, nil
}

func (s *Service) GetAccountPasswordPolicy(ctx context.Context, in *iamapi.GetAccountPasswordPolicyInput) (*iamapi.GetAccountPasswordPolicyResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	p := a.PasswordPolicy
	if p == nil {
		return nil, noPasswordPolicy(acct)
	}
	out := &iamapi.PasswordPolicy{MinimumPasswordLength: api.Int64(p.MinimumPasswordLength),
		RequireSymbols: api.Bool(p.RequireSymbols), RequireNumbers: api.Bool(p.RequireNumbers),
		RequireUppercaseCharacters: api.Bool(p.RequireUppercaseCharacters), RequireLowercaseCharacters: api.Bool(p.RequireLowercaseCharacters),
		AllowUsersToChangePassword: api.Bool(p.AllowUsersToChangePassword), ExpirePasswords: api.Bool(p.MaxPasswordAge > 0),
		HardExpiry: api.Bool(p.HardExpiry)}
	if p.MaxPasswordAge > 0 {
		out.MaxPasswordAge = api.Int64(p.MaxPasswordAge)
	}
	if p.PasswordReusePrevention > 0 {
		out.PasswordReusePrevention = api.Int64(p.PasswordReusePrevention)
	}
	return &iamapi.GetAccountPasswordPolicyResponse{PasswordPolicy: out}, nil
}

func (s *Service) DeleteAccountPasswordPolicy(ctx context.Context, in *iamapi.DeleteAccountPasswordPolicyInput) (*iamapi.DeleteAccountPasswordPolicyOutput, error) {
	acct := ctxAccount(ctx)
	err := s.update(acct, func(_ *txn, a *account) error {
		if a.PasswordPolicy == nil {
			return noPasswordPolicy(acct)
		}
		a.PasswordPolicy = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteAccountPasswordPolicyOutput{}, nil
}

func noPasswordPolicy(acct string) error {
	return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("The Password Policy with domain name %s cannot be found.", acct))}
}
