package iam

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	iamapi "github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/iam/policy"
)

// Quotas, as IAM's documentation gives them.
const (
	maxManagedSize   = 6144 // characters of a managed policy, whitespace not counted
	maxVersions      = 5
	maxAttached      = 10 // managed policies per user, group or role
	maxInlineUser    = 2048
	maxInlineGroup   = 5120
	maxInlineRole    = 10240
	maxAccessKeys    = 2
	defaultSessionTS = 3600
)

func policyNotFound(arn string) error {
	return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("Policy %s does not exist or is not attachable.", arn))}
}

// policyInfo is a managed policy as the API shows it, customer or AWS.
func (s *Service) policyOut(m *managed, attachments int64) *iamapi.Policy {
	p := &iamapi.Policy{PolicyName: api.String(m.Name), PolicyId: api.String(m.ID), Arn: api.String(m.ARN),
		Path: api.String(m.Path), DefaultVersionId: api.String(m.Default), AttachmentCount: api.Int64(attachments),
		PermissionsBoundaryUsageCount: api.Int64(m.Boundaries), IsAttachable: api.Bool(true),
		CreateDate: &m.Created, UpdateDate: &m.Updated}
	if m.Description != "" {
		p.Description = api.String(m.Description)
	}
	if len(m.Tags) > 0 {
		p.Tags = fromTags(m.Tags)
	}
	return p
}

// findPolicy is a customer or AWS managed policy by ARN.
func (a *account) findPolicy(arn string) (*managed, int64, error) {
	if m := a.Policies[arn]; m != nil {
		return m, m.Attachments, nil
	}
	if m, ok := awsManaged()[arn]; ok {
		return m, a.AWSAttached[arn], nil
	}
	return nil, 0, policyNotFound(arn)
}

func (s *Service) CreatePolicy(ctx context.Context, in *iamapi.CreatePolicyRequest) (*iamapi.CreatePolicyResponse, error) {
	doc := api.ToString(in.PolicyDocument)
	if docSize(doc) > maxManagedSize {
		return nil, limitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedSize)
	}
	if _, err := checkDoc(doc, policy.Identity); err != nil {
		return nil, err
	}
	path, err := normPath(in.Path)
	if err != nil {
		return nil, err
	}
	acct := ctxAccount(ctx)
	now := s.now().UTC().Truncate(1e9)
	name := api.ToString(in.PolicyName)
	m := &managed{Name: name, Path: path, ID: newID("ANPA"), ARN: "arn:aws:iam::" + acct + ":policy" + path + name,
		Description: api.ToString(in.Description), Created: now, Updated: now,
		Versions: []version{{ID: "v1", Doc: doc, Created: now}}, Default: "v1", NextVersion: 2, Tags: toTags(in.Tags)}
	err = s.update(acct, func(_ *txn, a *account) error {
		for _, p := range a.Policies {
			if strings.EqualFold(p.Name, name) {
				return &iamapi.EntityAlreadyExistsException{Message: api.String(fmt.Sprintf("A policy called %s already exists. Duplicate names are not allowed.", name))}
			}
		}
		a.Policies[m.ARN] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreatePolicyResponse{Policy: s.policyOut(m, 0)}, nil
}

func (s *Service) GetPolicy(ctx context.Context, in *iamapi.GetPolicyRequest) (*iamapi.GetPolicyResponse, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, err
	}
	arn := api.ToString(in.PolicyArn)
	m, n, err := a.findPolicy(arn)
	if err != nil {
		return nil, &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("Policy %s was not found.", arn))}
	}
	return &iamapi.GetPolicyResponse{Policy: s.policyOut(m, n)}, nil
}

func (s *Service) ListPolicies(ctx context.Context, in *iamapi.ListPoliciesRequest) (*iamapi.ListPoliciesResponse, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, err
	}
	scope := api.ToString(in.Scope)
	type item struct {
		m *managed
		n int64
	}
	var items []item
	if scope != "AWS" {
		for _, m := range a.Policies {
			items = append(items, item{m, m.Attachments})
		}
	}
	if scope != "Local" {
		for _, m := range awsManaged() {
			items = append(items, item{m, a.AWSAttached[m.ARN]})
		}
	}
	var kept []item
	for _, it := range items {
		if api.ToBool(in.OnlyAttached) && it.n == 0 {
			continue
		}
		if p := api.ToString(in.PathPrefix); p != "" && !strings.HasPrefix(it.m.Path, p) {
			continue
		}
		kept = append(kept, it)
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].m.Name < kept[j].m.Name })
	list, trunc, next := page(kept, func(it item) string { return it.m.Name }, in.Marker, in.MaxItems)
	out := &iamapi.ListPoliciesResponse{Policies: []*iamapi.Policy{}, IsTruncated: trunc, Marker: next}
	for _, it := range list {
		out.Policies = append(out.Policies, s.policyOut(it.m, it.n))
	}
	return out, nil
}

func (s *Service) DeletePolicy(ctx context.Context, in *iamapi.DeletePolicyRequest) (*iamapi.DeletePolicyOutput, error) {
	arn := api.ToString(in.PolicyArn)
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		m := a.Policies[arn]
		if m == nil {
			if _, ok := awsManaged()[arn]; ok {
				return &iamapi.UnmodifiableEntityException{Message: api.String("Cannot delete a policy managed by AWS.")}
			}
			return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("Policy %s was not found.", arn))}
		}
		if m.Attachments > 0 {
			return deleteConflict("Cannot delete a policy attached to entities.")
		}
		if len(m.Versions) > 1 {
			return deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		delete(a.Policies, arn)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeletePolicyOutput{}, nil
}

func (s *Service) TagPolicy(ctx context.Context, in *iamapi.TagPolicyRequest) (*iamapi.TagPolicyOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		m := a.Policies[api.ToString(in.PolicyArn)]
		if m == nil {
			return policyNotFound(api.ToString(in.PolicyArn))
		}
		var err error
		m.Tags, err = mergeTags(m.Tags, in.Tags)
		return err
	})
	return &iamapi.TagPolicyOutput{}, err
}

func (s *Service) ListPolicyTags(ctx context.Context, in *iamapi.ListPolicyTagsRequest) (*iamapi.ListPolicyTagsResponse, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, err
	}
	m, _, err := a.findPolicy(api.ToString(in.PolicyArn))
	if err != nil {
		return nil, err
	}
	return &iamapi.ListPolicyTagsResponse{Tags: fromTags(m.Tags), IsTruncated: api.Bool(false)}, nil
}

// Versions.

func (s *Service) customer(a *account, arn string) (*managed, error) {
	m := a.Policies[arn]
	if m == nil {
		if _, ok := awsManaged()[arn]; ok {
			return nil, &iamapi.UnmodifiableEntityException{Message: api.String("Policy " + arn + " is an AWS managed policy and cannot be modified.")}
		}
		return nil, &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("Policy %s was not found.", arn))}
	}
	return m, nil
}

func versionOut(m *managed, v version, withDoc bool) *iamapi.PolicyVersion {
	pv := &iamapi.PolicyVersion{VersionId: api.String(v.ID), IsDefaultVersion: api.Bool(v.ID == m.Default), CreateDate: &v.Created}
	if withDoc {
		pv.Document = encodeDoc(v.Doc)
	}
	return pv
}

func (s *Service) CreatePolicyVersion(ctx context.Context, in *iamapi.CreatePolicyVersionRequest) (*iamapi.CreatePolicyVersionResponse, error) {
	doc := api.ToString(in.PolicyDocument)
	if docSize(doc) > maxManagedSize {
		return nil, limitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedSize)
	}
	if _, err := checkDoc(doc, policy.Identity); err != nil {
		return nil, err
	}
	var out *iamapi.PolicyVersion
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		m, err := s.customer(a, api.ToString(in.PolicyArn))
		if err != nil {
			return err
		}
		if len(m.Versions) >= maxVersions {
			return limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxVersions)
		}
		now := s.now().UTC().Truncate(1e9)
		v := version{ID: "v" + strconv.Itoa(m.NextVersion), Doc: doc, Created: now}
		m.NextVersion++
		m.Versions = append(m.Versions, v)
		if api.ToBool(in.SetAsDefault) {
			m.Default = v.ID
		}
		m.Updated = now
		out = versionOut(m, v, false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreatePolicyVersionResponse{PolicyVersion: out}, nil
}

func (s *Service) GetPolicyVersion(ctx context.Context, in *iamapi.GetPolicyVersionRequest) (*iamapi.GetPolicyVersionResponse, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, err
	}
	arn, id := api.ToString(in.PolicyArn), api.ToString(in.VersionId)
	m, _, err := a.findPolicy(arn)
	if err != nil {
		return nil, err
	}
	for _, v := range m.Versions {
		if v.ID == id {
			return &iamapi.GetPolicyVersionResponse{PolicyVersion: versionOut(m, v, true)}, nil
		}
	}
	return nil, &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("Policy %s version %s does not exist or is not attachable.", arn, id))}
}

func (s *Service) ListPolicyVersions(ctx context.Context, in *iamapi.ListPolicyVersionsRequest) (*iamapi.ListPolicyVersionsResponse, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, err
	}
	m, _, err := a.findPolicy(api.ToString(in.PolicyArn))
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListPolicyVersionsResponse{IsTruncated: api.Bool(false)}
	for i := len(m.Versions) - 1; i >= 0; i-- { // newest first, as IAM lists them
		out.Versions = append(out.Versions, versionOut(m, m.Versions[i], false))
	}
	return out, nil
}

func (s *Service) DeletePolicyVersion(ctx context.Context, in *iamapi.DeletePolicyVersionRequest) (*iamapi.DeletePolicyVersionOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		arn, id := api.ToString(in.PolicyArn), api.ToString(in.VersionId)
		m, err := s.customer(a, arn)
		if err != nil {
			return err
		}
		if id == m.Default {
			return deleteConflict("Cannot delete the default version of a policy.")
		}
		for i, v := range m.Versions {
			if v.ID == id {
				m.Versions = append(m.Versions[:i], m.Versions[i+1:]...)
				return nil
			}
		}
		return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("Policy %s version %s does not exist or is not attachable.", arn, id))}
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeletePolicyVersionOutput{}, nil
}

func (s *Service) SetDefaultPolicyVersion(ctx context.Context, in *iamapi.SetDefaultPolicyVersionRequest) (*iamapi.SetDefaultPolicyVersionOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		arn, id := api.ToString(in.PolicyArn), api.ToString(in.VersionId)
		m, err := s.customer(a, arn)
		if err != nil {
			return err
		}
		for _, v := range m.Versions {
			if v.ID == id {
				m.Default = id
				m.Updated = s.now().UTC().Truncate(1e9)
				return nil
			}
		}
		return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("Policy %s version %s does not exist or is not attachable.", arn, id))}
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.SetDefaultPolicyVersionOutput{}, nil
}

// Attachments.

func (s *Service) attach(ctx context.Context, k *kind, name, arn string, detach bool) error {
	return s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		e, err := a.get(k, name)
		if err != nil {
			return err
		}
		if _, _, err := a.findPolicy(arn); err != nil {
			return err
		}
		idx := -1
		for i, x := range e.Attached {
			if x == arn {
				idx = i
			}
		}
		delta := int64(0)
		switch {
		case detach && idx < 0:
			return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("Policy %s was not found.", arn))}
		case detach:
			e.Attached = append(e.Attached[:idx], e.Attached[idx+1:]...)
			delta = -1
		case idx >= 0:
			return nil
		default:
			if len(e.Attached) >= maxAttached {
				return limitExceeded("Cannot exceed quota for PoliciesPer%s: %d", k.title, maxAttached)
			}
			e.Attached = append(e.Attached, arn)
			delta = 1
		}
		if m := a.Policies[arn]; m != nil {
			m.Attachments += delta
		} else {
			a.AWSAttached[arn] += delta
		}
		return nil
	})
}

func (s *Service) AttachUserPolicy(ctx context.Context, in *iamapi.AttachUserPolicyRequest) (*iamapi.AttachUserPolicyOutput, error) {
	return &iamapi.AttachUserPolicyOutput{}, s.attach(ctx, users, api.ToString(in.UserName), api.ToString(in.PolicyArn), false)
}

func (s *Service) DetachUserPolicy(ctx context.Context, in *iamapi.DetachUserPolicyRequest) (*iamapi.DetachUserPolicyOutput, error) {
	return &iamapi.DetachUserPolicyOutput{}, s.attach(ctx, users, api.ToString(in.UserName), api.ToString(in.PolicyArn), true)
}

func (s *Service) AttachGroupPolicy(ctx context.Context, in *iamapi.AttachGroupPolicyRequest) (*iamapi.AttachGroupPolicyOutput, error) {
	return &iamapi.AttachGroupPolicyOutput{}, s.attach(ctx, groups, api.ToString(in.GroupName), api.ToString(in.PolicyArn), false)
}

func (s *Service) DetachGroupPolicy(ctx context.Context, in *iamapi.DetachGroupPolicyRequest) (*iamapi.DetachGroupPolicyOutput, error) {
	return &iamapi.DetachGroupPolicyOutput{}, s.attach(ctx, groups, api.ToString(in.GroupName), api.ToString(in.PolicyArn), true)
}

func (s *Service) AttachRolePolicy(ctx context.Context, in *iamapi.AttachRolePolicyRequest) (*iamapi.AttachRolePolicyOutput, error) {
	return &iamapi.AttachRolePolicyOutput{}, s.attach(ctx, roles, api.ToString(in.RoleName), api.ToString(in.PolicyArn), false)
}

func (s *Service) DetachRolePolicy(ctx context.Context, in *iamapi.DetachRolePolicyRequest) (*iamapi.DetachRolePolicyOutput, error) {
	return &iamapi.DetachRolePolicyOutput{}, s.attach(ctx, roles, api.ToString(in.RoleName), api.ToString(in.PolicyArn), true)
}

func (s *Service) attached(ctx context.Context, k *kind, name string, prefix, marker *string, maxItems *int64) ([]*iamapi.AttachedPolicy, *bool, *string, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, nil, nil, err
	}
	e, err := a.get(k, name)
	if err != nil {
		return nil, nil, nil, err
	}
	var ms []*managed
	for _, arn := range e.Attached {
		if m, _, err := a.findPolicy(arn); err == nil && strings.HasPrefix(m.Path, api.ToString(prefix)) {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	list, trunc, next := page(ms, func(m *managed) string { return m.Name }, marker, maxItems)
	out := []*iamapi.AttachedPolicy{}
	for _, m := range list {
		out = append(out, &iamapi.AttachedPolicy{PolicyName: api.String(m.Name), PolicyArn: api.String(m.ARN)})
	}
	return out, trunc, next, nil
}

func (s *Service) ListAttachedUserPolicies(ctx context.Context, in *iamapi.ListAttachedUserPoliciesRequest) (*iamapi.ListAttachedUserPoliciesResponse, error) {
	l, t, n, err := s.attached(ctx, users, api.ToString(in.UserName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedUserPoliciesResponse{AttachedPolicies: l, IsTruncated: t, Marker: n}, nil
}

func (s *Service) ListAttachedGroupPolicies(ctx context.Context, in *iamapi.ListAttachedGroupPoliciesRequest) (*iamapi.ListAttachedGroupPoliciesResponse, error) {
	l, t, n, err := s.attached(ctx, groups, api.ToString(in.GroupName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedGroupPoliciesResponse{AttachedPolicies: l, IsTruncated: t, Marker: n}, nil
}

func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *iamapi.ListAttachedRolePoliciesRequest) (*iamapi.ListAttachedRolePoliciesResponse, error) {
	l, t, n, err := s.attached(ctx, roles, api.ToString(in.RoleName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedRolePoliciesResponse{AttachedPolicies: l, IsTruncated: t, Marker: n}, nil
}

// Inline policies.

func inlineMax(k *kind) int {
	switch k {
	case users:
		return maxInlineUser
	case groups:
		return maxInlineGroup
	}
	return maxInlineRole
}

func (s *Service) putInline(ctx context.Context, k *kind, name, pname, doc string) error {
	if _, err := checkDoc(doc, policy.Identity); err != nil {
		return err
	}
	return s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		e, err := a.get(k, name)
		if err != nil {
			return err
		}
		total := docSize(doc)
		for n, d := range e.Inline {
			if n != pname {
				total += docSize(d)
			}
		}
		if max := inlineMax(k); total > max {
			return limitExceeded("Maximum policy size of %d bytes exceeded for %s %s", max, k.name, e.Name)
		}
		if e.Inline == nil {
			e.Inline = map[string]string{}
		}
		e.Inline[pname] = doc
		return nil
	})
}

func (s *Service) getInline(ctx context.Context, k *kind, name, pname string) (*entity, string, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, "", err
	}
	e, err := a.get(k, name)
	if err != nil {
		return nil, "", err
	}
	doc, ok := e.Inline[pname]
	if !ok {
		return nil, "", &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("The %s policy with name %s cannot be found.", k.name, pname))}
	}
	return e, doc, nil
}

func (s *Service) deleteInline(ctx context.Context, k *kind, name, pname string) error {
	return s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		e, err := a.get(k, name)
		if err != nil {
			return err
		}
		if _, ok := e.Inline[pname]; !ok {
			return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("The %s policy with name %s cannot be found.", k.name, pname))}
		}
		delete(e.Inline, pname)
		return nil
	})
}

func (s *Service) listInline(ctx context.Context, k *kind, name string, marker *string, maxItems *int64) ([]string, *bool, *string, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, nil, nil, err
	}
	e, err := a.get(k, name)
	if err != nil {
		return nil, nil, nil, err
	}
	names := []string{}
	for n := range e.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	l, t, n := page(names, func(s string) string { return s }, marker, maxItems)
	return l, t, n, nil
}

func (s *Service) PutUserPolicy(ctx context.Context, in *iamapi.PutUserPolicyRequest) (*iamapi.PutUserPolicyOutput, error) {
	return &iamapi.PutUserPolicyOutput{}, s.putInline(ctx, users, api.ToString(in.UserName), api.ToString(in.PolicyName), api.ToString(in.PolicyDocument))
}

func (s *Service) PutGroupPolicy(ctx context.Context, in *iamapi.PutGroupPolicyRequest) (*iamapi.PutGroupPolicyOutput, error) {
	return &iamapi.PutGroupPolicyOutput{}, s.putInline(ctx, groups, api.ToString(in.GroupName), api.ToString(in.PolicyName), api.ToString(in.PolicyDocument))
}

func (s *Service) PutRolePolicy(ctx context.Context, in *iamapi.PutRolePolicyRequest) (*iamapi.PutRolePolicyOutput, error) {
	return &iamapi.PutRolePolicyOutput{}, s.putInline(ctx, roles, api.ToString(in.RoleName), api.ToString(in.PolicyName), api.ToString(in.PolicyDocument))
}

func (s *Service) GetUserPolicy(ctx context.Context, in *iamapi.GetUserPolicyRequest) (*iamapi.GetUserPolicyResponse, error) {
	e, doc, err := s.getInline(ctx, users, api.ToString(in.UserName), api.ToString(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserPolicyResponse{UserName: api.String(e.Name), PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

func (s *Service) GetGroupPolicy(ctx context.Context, in *iamapi.GetGroupPolicyRequest) (*iamapi.GetGroupPolicyResponse, error) {
	e, doc, err := s.getInline(ctx, groups, api.ToString(in.GroupName), api.ToString(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetGroupPolicyResponse{GroupName: api.String(e.Name), PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

func (s *Service) GetRolePolicy(ctx context.Context, in *iamapi.GetRolePolicyRequest) (*iamapi.GetRolePolicyResponse, error) {
	e, doc, err := s.getInline(ctx, roles, api.ToString(in.RoleName), api.ToString(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRolePolicyResponse{RoleName: api.String(e.Name), PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

func (s *Service) DeleteUserPolicy(ctx context.Context, in *iamapi.DeleteUserPolicyRequest) (*iamapi.DeleteUserPolicyOutput, error) {
	return &iamapi.DeleteUserPolicyOutput{}, s.deleteInline(ctx, users, api.ToString(in.UserName), api.ToString(in.PolicyName))
}

func (s *Service) DeleteGroupPolicy(ctx context.Context, in *iamapi.DeleteGroupPolicyRequest) (*iamapi.DeleteGroupPolicyOutput, error) {
	return &iamapi.DeleteGroupPolicyOutput{}, s.deleteInline(ctx, groups, api.ToString(in.GroupName), api.ToString(in.PolicyName))
}

func (s *Service) DeleteRolePolicy(ctx context.Context, in *iamapi.DeleteRolePolicyRequest) (*iamapi.DeleteRolePolicyOutput, error) {
	return &iamapi.DeleteRolePolicyOutput{}, s.deleteInline(ctx, roles, api.ToString(in.RoleName), api.ToString(in.PolicyName))
}

func (s *Service) ListUserPolicies(ctx context.Context, in *iamapi.ListUserPoliciesRequest) (*iamapi.ListUserPoliciesResponse, error) {
	l, t, n, err := s.listInline(ctx, users, api.ToString(in.UserName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserPoliciesResponse{PolicyNames: l, IsTruncated: t, Marker: n}, nil
}

func (s *Service) ListGroupPolicies(ctx context.Context, in *iamapi.ListGroupPoliciesRequest) (*iamapi.ListGroupPoliciesResponse, error) {
	l, t, n, err := s.listInline(ctx, groups, api.ToString(in.GroupName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListGroupPoliciesResponse{PolicyNames: l, IsTruncated: t, Marker: n}, nil
}

func (s *Service) ListRolePolicies(ctx context.Context, in *iamapi.ListRolePoliciesRequest) (*iamapi.ListRolePoliciesResponse, error) {
	l, t, n, err := s.listInline(ctx, roles, api.ToString(in.RoleName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolePoliciesResponse{PolicyNames: l, IsTruncated: t, Marker: n}, nil
}
