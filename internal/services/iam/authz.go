package iam

import (
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/iam/policy"
)

// Identity is what IAM knows of a caller for evaluating its requests: who it
// is, its policies, and the condition keys that come from it
// (aws:username, aws:PrincipalTag/...).
type Identity struct {
	Principal policy.Principal
	Set       policy.Set // Identity, Boundary, Session; Resource is the caller's to add
	Context   policy.Context
	// leadingKeys says some policy tests dynamodb:LeadingKeys, whose values
	// cost a read of the table's key schema per request.
	leadingKeys bool
	// resourceTags says some policy tests aws:ResourceTag/..., whose values
	// cost a read of the resource's tags per request.
	resourceTags bool
	objectTags   bool // the same for s3:ExistingObjectTag/...
}

type compiledSet struct {
	gen uint64
	id  *Identity
}

// IdentityOf resolves the caller of a request: its access key's user or
// role session, or the root of its account (test/test, unknown keys). The
// result is cached until IAM's state changes; callers must not modify it.
func (s *Service) IdentityOf(c *api.Caller) (*Identity, error) {
	if c.Anonymous {
		return &Identity{Principal: policy.Principal{Kind: policy.Anonymous, ARN: "*", Account: c.Account}, Context: policy.Context{}}, nil
	}
	gen := s.gen.Load()
	if v, ok := s.compiled.Load(c.AccessKeyID); ok {
		if cs := v.(*compiledSet); cs.gen == gen {
			return cs.id, nil
		}
	}
	id, err := s.resolve(c)
	if err != nil {
		return nil, err
	}
	s.compiled.Store(c.AccessKeyID, &compiledSet{gen: gen, id: id})
	return id, nil
}

func (s *Service) resolve(c *api.Caller) (*Identity, error) {
	cred := s.credential(c.AccessKeyID)
	rootID := &Identity{Principal: policy.Principal{Kind: policy.Root, ARN: "arn:aws:iam::" + c.Account + ":root", Account: c.Account}, Context: policy.Context{}}
	if cred == nil || cred.Root {
		rootID.Context.Set("aws:PrincipalType", "Account")
		rootID.Context.Set("aws:PrincipalArn", rootID.Principal.ARN)
		rootID.Context.Set("aws:PrincipalAccount", c.Account)
		rootID.Context.Set("aws:userid", c.Account)
		return rootID, nil
	}
	a, err := s.view(cred.Account)
	if err != nil {
		return nil, err
	}
	id := &Identity{Context: policy.Context{}}
	id.Context.Set("aws:PrincipalAccount", cred.Account)
	var tags []tag
	if cred.RoleName != "" {
		role := a.Roles[strings.ToLower(cred.RoleName)]
		id.Principal = policy.Principal{Kind: policy.AssumedRole, ARN: cred.ARN(), Account: cred.Account, RoleARN: cred.RoleARN}
		id.Context.Set("aws:PrincipalType", "AssumedRole")
		id.Context.Set("aws:PrincipalArn", cred.RoleARN)
		id.Context.Set("aws:userid", cred.RoleID+":"+cred.SessionName)
		if role != nil && role.ID == cred.RoleID {
			id.Set.Identity = a.policiesOf(role)
			id.Set.Boundary = a.boundary(role.Boundary)
			tags = role.Tags
		} else {
			// The role is gone (or was re-created): its sessions keep no rights.
			id.Set.Identity = nil
		}
		for _, d := range cred.SessionPolicies {
			if p, err := policy.Parse(d, policy.Identity); err == nil {
				id.Set.Session = append(id.Set.Session, p)
			}
		}
		id.Set.SessionPolicies = len(cred.SessionPolicies) > 0
		tags = append(append([]tag(nil), tags...), cred.SessionTags...)
	} else {
		u := a.Users[strings.ToLower(cred.User)]
		if u == nil {
			// A key whose user is gone (should not happen: keys are deleted first).
			id.Principal = policy.Principal{Kind: policy.User, ARN: cred.ARN(), Account: cred.Account}
			return id, nil
		}
		arn := users.arn(cred.Account, u)
		id.Principal = policy.Principal{Kind: policy.User, ARN: arn, Account: cred.Account}
		id.Context.Set("aws:PrincipalType", "User")
		id.Context.Set("aws:PrincipalArn", arn)
		id.Context.Set("aws:username", u.Name)
		id.Context.Set("aws:userid", u.ID)
		id.Set.Identity = a.policiesOf(u)
		for _, g := range u.Groups {
			if ge := a.Groups[strings.ToLower(g)]; ge != nil {
				id.Set.Identity = append(id.Set.Identity, a.policiesOf(ge)...)
			}
		}
		id.Set.Boundary = a.boundary(u.Boundary)
		tags = u.Tags
	}
	var keys []string
	for _, t := range tags {
		id.Context.Set("aws:PrincipalTag/"+t.Key, t.Value)
		keys = append(keys, t.Key)
	}
	if cred.Token != "" {
		id.Context.Set("aws:TokenIssueTime", cred.Created.UTC().Format("2006-01-02T15:04:05Z"))
	}
	_ = keys
	for _, p := range append(append(append([]*policy.Policy{}, id.Set.Identity...), id.Set.Session...), id.Set.Boundary) {
		id.leadingKeys = id.leadingKeys || p.Tests("dynamodb:LeadingKeys")
		id.resourceTags = id.resourceTags || p.TestsPrefix("aws:ResourceTag/")
		id.objectTags = id.objectTags || p.TestsPrefix("s3:ExistingObjectTag/")
	}
	return id, nil
}

// policiesOf parses an entity's inline and attached policies.
func (a *account) policiesOf(e *entity) []*policy.Policy {
	var out []*policy.Policy
	for _, d := range e.Inline {
		if p, err := policy.Parse(d, policy.Identity); err == nil {
			out = append(out, p)
		}
	}
	for _, arn := range e.Attached {
		if p := a.managedPolicy(arn); p != nil {
			out = append(out, p)
		}
	}
	return out
}

func (a *account) managedPolicy(arn string) *policy.Policy {
	if p, ok := parsedAWS()[arn]; ok {
		return p
	}
	if m := a.Policies[arn]; m != nil {
		if p, err := policy.Parse(m.defaultDoc(), policy.Identity); err == nil {
			return p
		}
	}
	return nil
}

func (a *account) boundary(arn string) *policy.Policy {
	if arn == "" {
		return nil
	}
	if p := a.managedPolicy(arn); p != nil {
		return p
	}
	// A boundary that no longer parses or exists allows nothing.
	return policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, policy.Identity)
}
