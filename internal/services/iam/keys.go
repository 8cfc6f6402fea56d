package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	iamapi "github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/store"
)

// Credential is an access key: an IAM user's long-term key, or temporary
// credentials issued by STS.
type Credential struct {
	ID      string    `json:"id"`
	Secret  string    `json:"secret"`
	Account string    `json:"account"`
	User    string    `json:"user,omitempty"` // the IAM user (its keys, GetSessionToken)
	Status  string    `json:"status,omitempty"`
	Created time.Time `json:"created"`

	// Temporary credentials only.
	Token   string    `json:"token,omitempty"`
	Expires time.Time `json:"expires,omitempty"`
	// A role session: the role's ARN (with its path), id and name, and the
	// session's name and policies.
	RoleARN         string   `json:"roleArn,omitempty"`
	RoleID          string   `json:"roleId,omitempty"`
	RoleName        string   `json:"roleName,omitempty"`
	SessionName     string   `json:"sessionName,omitempty"`
	SessionPolicies []string `json:"sessionPolicies,omitempty"`
	SessionTags     []tag    `json:"sessionTags,omitempty"`
	// Root is true for temporary credentials of an account's root
	// (GetSessionToken with root keys).
	Root bool `json:"root,omitempty"`
}

// ARN is the principal the credential acts as.
func (c *Credential) ARN() string {
	switch {
	case c.RoleName != "":
		return "arn:aws:sts::" + c.Account + ":assumed-role/" + c.RoleName + "/" + c.SessionName
	case c.Root:
		return "arn:aws:iam::" + c.Account + ":root"
	}
	return "arn:aws:iam::" + c.Account + ":user/" + c.User // path added by principal()
}

var credsPath = []string{root, "_creds"}

// Lookup implements auth.Keys: IAM users' active keys and STS's credentials.
func (s *Service) Lookup(id string) (string, auth.Principal, bool) {
	c := s.credential(id)
	if c == nil || c.Status == "Inactive" {
		return "", auth.Principal{}, false
	}
	p := auth.Principal{Account: c.Account, AccessKeyID: c.ID, ARN: c.ARN()}
	switch {
	case c.RoleName != "":
		p.UserID = c.RoleID + ":" + c.SessionName
	case c.Root:
		p.UserID = c.Account
	default:
		if a, err := s.view(c.Account); err == nil {
			if u := a.Users[strings.ToLower(c.User)]; u != nil {
				p.ARN, p.UserID = users.arn(c.Account, u), u.ID
			}
		}
	}
	if c.Token != "" {
		p.Temporary, p.SessionToken, p.Expires = true, c.Token, c.Expires
	}
	return c.Secret, p, true
}

// credential is the credential of an access key id, nil if none.
func (s *Service) credential(id string) *Credential {
	s.mu.RLock()
	c, cached := s.creds[id]
	s.mu.RUnlock()
	if cached {
		return c
	}
	s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(credsPath...)
		if b == nil {
			return nil
		}
		var v Credential
		if err := b.GetJSON([]byte(id), &v); err == nil {
			c = &v
		}
		return nil
	})
	s.mu.Lock()
	if len(s.creds) > 100000 { // unknown keys are cached too: keep the map bounded
		s.creds = map[string]*Credential{}
	}
	s.creds[id] = c
	s.mu.Unlock()
	return c
}

func (t *txn) putCred(c *Credential) error {
	b, err := t.CreateBucket(credsPath...)
	if err != nil {
		return err
	}
	t.touched = append(t.touched, c.ID)
	return b.PutJSON([]byte(c.ID), c)
}

func (t *txn) getCred(id string) (*Credential, error) {
	b := t.Bucket(credsPath...)
	if b == nil {
		return nil, store.ErrNotFound
	}
	var c Credential
	if err := b.GetJSON([]byte(id), &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func (t *txn) deleteCred(id string) error {
	t.touched = append(t.touched, id)
	if b := t.Bucket(credsPath...); b != nil {
		return b.Delete([]byte(id))
	}
	return nil
}

func (t *txn) renameKeysUser(ids []string, old, name string) error {
	for _, id := range ids {
		c, err := t.getCred(id)
		if err != nil {
			continue
		}
		c.User = name
		if err := t.putCred(c); err != nil {
			return err
		}
	}
	return nil
}

// newKeyID is an access key id: AKIA (long-term) or ASIA (temporary) and 16
// characters.
func newKeyID(prefix string) string { return newID(prefix)[:20] }

// userFor is the user an access-key operation is about: the one named, or the
// caller itself.
func userFor(ctx context.Context, name *string) (string, error) {
	if n := api.ToString(name); n != "" {
		return n, nil
	}
	c := api.CallerFrom(ctx)
	if i := strings.Index(c.ARN, ":user/"); i >= 0 {
		return c.ARN[strings.LastIndexByte(c.ARN, '/')+1:], nil
	}
	return "", &iamapi.InvalidInputException{Message: api.String("Must specify userName when calling with non-User credentials")}
}

func (s *Service) CreateAccessKey(ctx context.Context, in *iamapi.CreateAccessKeyRequest) (*iamapi.CreateAccessKeyResponse, error) {
	name, err := userFor(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	acct := ctxAccount(ctx)
	c := &Credential{ID: newKeyID("AKIA"), Secret: newSecret(), Account: acct, Status: "Active", Created: s.now().UTC().Truncate(1e9)}
	err = s.update(acct, func(t *txn, a *account) error {
		u, err := a.get(users, name)
		if err != nil {
			return err
		}
		if len(u.Keys) >= maxAccessKeys {
			return limitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys)
		}
		c.User = u.Name
		u.Keys = append(u.Keys, c.ID)
		return t.putCred(c)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateAccessKeyResponse{AccessKey: &iamapi.AccessKey{UserName: api.String(c.User), AccessKeyId: api.String(c.ID),
		Status: api.String(c.Status), SecretAccessKey: api.String(c.Secret), CreateDate: &c.Created}}, nil
}

func (s *Service) ListAccessKeys(ctx context.Context, in *iamapi.ListAccessKeysRequest) (*iamapi.ListAccessKeysResponse, error) {
	name, err := userFor(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, err
	}
	u, err := a.get(users, name)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListAccessKeysResponse{AccessKeyMetadata: []*iamapi.AccessKeyMetadata{}, IsTruncated: api.Bool(false)}
	for _, id := range u.Keys {
		if c := s.credential(id); c != nil {
			out.AccessKeyMetadata = append(out.AccessKeyMetadata, &iamapi.AccessKeyMetadata{UserName: api.String(u.Name),
				AccessKeyId: api.String(c.ID), Status: api.String(c.Status), CreateDate: &c.Created})
		}
	}
	return out, nil
}

func noSuchKey(id string) error {
	return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("The Access Key with id %s cannot be found.", id))}
}

func (s *Service) keyOp(ctx context.Context, name *string, id string, fn func(t *txn, u *entity, c *Credential) error) error {
	user, err := userFor(ctx, name)
	if err != nil {
		return err
	}
	return s.update(ctxAccount(ctx), func(t *txn, a *account) error {
		u, err := a.get(users, user)
		if err != nil {
			return err
		}
		c, err := t.getCred(id)
		if errors.Is(err, store.ErrNotFound) || err == nil && !strings.EqualFold(c.User, u.Name) {
			return noSuchKey(id)
		}
		if err != nil {
			return err
		}
		return fn(t, u, c)
	})
}

func (s *Service) UpdateAccessKey(ctx context.Context, in *iamapi.UpdateAccessKeyRequest) (*iamapi.UpdateAccessKeyOutput, error) {
	err := s.keyOp(ctx, in.UserName, api.ToString(in.AccessKeyId), func(t *txn, _ *entity, c *Credential) error {
		c.Status = api.ToString(in.Status)
		return t.putCred(c)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateAccessKeyOutput{}, nil
}

func (s *Service) DeleteAccessKey(ctx context.Context, in *iamapi.DeleteAccessKeyRequest) (*iamapi.DeleteAccessKeyOutput, error) {
	id := api.ToString(in.AccessKeyId)
	err := s.keyOp(ctx, in.UserName, id, func(t *txn, u *entity, c *Credential) error {
		for i, k := range u.Keys {
			if k == id {
				u.Keys = append(u.Keys[:i], u.Keys[i+1:]...)
				break
			}
		}
		return t.deleteCred(id)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteAccessKeyOutput{}, nil
}

func (s *Service) GetAccessKeyLastUsed(ctx context.Context, in *iamapi.GetAccessKeyLastUsedRequest) (*iamapi.GetAccessKeyLastUsedResponse, error) {
	c := s.credential(api.ToString(in.AccessKeyId))
	if c == nil || c.User == "" || c.Account != ctxAccount(ctx) {
		return nil, &iamapi.NoSuchEntityException{Message: api.String("The Access Key with id " + api.ToString(in.AccessKeyId) + " cannot be found")}
	}
	return &iamapi.GetAccessKeyLastUsedResponse{UserName: api.String(c.User),
		AccessKeyLastUsed: &iamapi.AccessKeyLastUsed{ServiceName: api.String("N/A"), Region: api.String("N/A")}}, nil
}
