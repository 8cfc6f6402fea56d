package iam

import (
	"context"
	"sort"

	"github.com/fogbank/fogbank/internal/api"
	iamapi "github.com/fogbank/fogbank/internal/api/iam"
)

// GetAccountAuthorizationDetails answers the whole account: users, groups and
// roles with their inline and attached policies, and the managed policies
// (customer ones, and the AWS ones attached to something) with every
// version. Filter chooses among User, Group, Role, LocalManagedPolicy and
// AWSManagedPolicy. It is answered in one page.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, in *iamapi.GetAccountAuthorizationDetailsRequest) (*iamapi.GetAccountAuthorizationDetailsResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, f := range in.Filter {
		want[f] = true
	}
	all := len(want) == 0
	out := &iamapi.GetAccountAuthorizationDetailsResponse{IsTruncated: api.Bool(false),
		UserDetailList: []*iamapi.UserDetail{}, GroupDetailList: []*iamapi.GroupDetail{},
		RoleDetailList: []*iamapi.RoleDetail{}, Policies: []*iamapi.ManagedPolicyDetail{}}
	inline := func(e *entity) []*iamapi.PolicyDetail {
		names := make([]string, 0, len(e.Inline))
		for n := range e.Inline {
			names = append(names, n)
		}
		sort.Strings(names)
		list := []*iamapi.PolicyDetail{}
		for _, n := range names {
			list = append(list, &iamapi.PolicyDetail{PolicyName: api.String(n), PolicyDocument: encodeDoc(e.Inline[n])})
		}
		return list
	}
	attached := func(e *entity) []*iamapi.AttachedPolicy {
		list := []*iamapi.AttachedPolicy{}
		for _, arn := range e.Attached {
			if m, _, err := a.findPolicy(arn); err == nil {
				list = append(list, &iamapi.AttachedPolicy{PolicyName: api.String(m.Name), PolicyArn: api.String(m.ARN)})
			}
		}
		return list
	}
	boundary := func(e *entity) *iamapi.AttachedPermissionsBoundary {
		if e.Boundary == "" {
			return nil
		}
		return &iamapi.AttachedPermissionsBoundary{PermissionsBoundaryType: api.String("PermissionsBoundaryPolicy"), PermissionsBoundaryArn: api.String(e.Boundary)}
	}
	if all || want["User"] {
		for _, u := range sortedEntities(a.Users, nil) {
			d := &iamapi.UserDetail{Path: api.String(u.Path), UserName: api.String(u.Name), UserId: api.String(u.ID),
				Arn: api.String(users.arn(acct, u)), CreateDate: &u.Created, UserPolicyList: inline(u),
				GroupList: append([]string{}, u.Groups...), AttachedManagedPolicies: attached(u), PermissionsBoundary: boundary(u)}
			if len(u.Tags) > 0 {
				d.Tags = fromTags(u.Tags)
			}
			out.UserDetailList = append(out.UserDetailList, d)
		}
	}
	if all || want["Group"] {
		for _, g := range sortedEntities(a.Groups, nil) {
			out.GroupDetailList = append(out.GroupDetailList, &iamapi.GroupDetail{Path: api.String(g.Path), GroupName: api.String(g.Name),
				GroupId: api.String(g.ID), Arn: api.String(groups.arn(acct, g)), CreateDate: &g.Created,
				GroupPolicyList: inline(g), AttachedManagedPolicies: attached(g)})
		}
	}
	if all || want["Role"] {
		for _, r := range sortedEntities(a.Roles, nil) {
			d := &iamapi.RoleDetail{Path: api.String(r.Path), RoleName: api.String(r.Name), RoleId: api.String(r.ID),
				Arn: api.String(roles.arn(acct, r)), CreateDate: &r.Created, AssumeRolePolicyDocument: encodeDoc(r.Trust),
				InstanceProfileList: []*iamapi.InstanceProfile{}, RolePolicyList: inline(r), AttachedManagedPolicies: attached(r),
				PermissionsBoundary: boundary(r), RoleLastUsed: &iamapi.RoleLastUsed{}}
			if len(r.Tags) > 0 {
				d.Tags = fromTags(r.Tags)
			}
			out.RoleDetailList = append(out.RoleDetailList, d)
		}
	}
	var ms []*managed
	counts := map[string]int64{}
	if all || want["LocalManagedPolicy"] {
		for _, m := range a.Policies {
			ms = append(ms, m)
			counts[m.ARN] = m.Attachments
		}
	}
	if all || want["AWSManagedPolicy"] {
		for arn, n := range a.AWSAttached {
			if m := awsManaged()[arn]; m != nil && n > 0 {
				ms = append(ms, m)
				counts[arn] = n
			}
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	for _, m := range ms {
		d := &iamapi.ManagedPolicyDetail{PolicyName: api.String(m.Name), PolicyId: api.String(m.ID), Arn: api.String(m.ARN),
			Path: api.String(m.Path), DefaultVersionId: api.String(m.Default), AttachmentCount: api.Int64(counts[m.ARN]),
			PermissionsBoundaryUsageCount: api.Int64(m.Boundaries), IsAttachable: api.Bool(true), CreateDate: &m.Created, UpdateDate: &m.Updated}
		if m.Description != "" {
			d.Description = api.String(m.Description)
		}
		for _, v := range m.Versions {
			d.PolicyVersionList = append(d.PolicyVersionList, versionOut(m, v, true))
		}
		out.Policies = append(out.Policies, d)
	}
	return out, nil
}
