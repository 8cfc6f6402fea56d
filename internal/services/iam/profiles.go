package iam

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	iamapi "github.com/fogbank/fogbank/internal/api/iam"
)

// Instance profiles: a container for one role, which EC2 would pass to an
// instance. fogbank runs no instances; the profiles are kept and answered
// for the tools (Terraform, CDK) that create them beside their roles.

func noSuchProfile(name string) error {
	return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("Instance Profile %s cannot be found.", name))}
}

func (a *account) profile(name string) (*entity, error) {
	if p := a.Profiles[strings.ToLower(name)]; p != nil {
		return p, nil
	}
	return nil, noSuchProfile(name)
}

func (s *Service) profileOut(acct string, a *account, p *entity) *iamapi.InstanceProfile {
	out := &iamapi.InstanceProfile{Path: api.String(p.Path), InstanceProfileName: api.String(p.Name),
		InstanceProfileId: api.String(p.ID), Arn: api.String(profiles.arn(acct, p)), CreateDate: &p.Created, Roles: []*iamapi.Role{}}
	for _, r := range p.Roles {
		if e := a.Roles[strings.ToLower(r)]; e != nil {
			ro := s.roleOut(acct, e, true)
			ro.Tags, ro.PermissionsBoundary = nil, nil
			out.Roles = append(out.Roles, ro)
		}
	}
	if len(p.Tags) > 0 {
		out.Tags = fromTags(p.Tags)
	}
	return out
}

func (s *Service) CreateInstanceProfile(ctx context.Context, in *iamapi.CreateInstanceProfileRequest) (*iamapi.CreateInstanceProfileResponse, error) {
	e := &entity{Name: api.ToString(in.InstanceProfileName), Tags: toTags(in.Tags)}
	e, acct, err := s.create(ctx, profiles, e, in.Path, nil)
	if err != nil {
		return nil, err
	}
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateInstanceProfileResponse{InstanceProfile: s.profileOut(acct, a, e)}, nil
}

func (s *Service) GetInstanceProfile(ctx context.Context, in *iamapi.GetInstanceProfileRequest) (*iamapi.GetInstanceProfileResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	p, err := a.profile(api.ToString(in.InstanceProfileName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetInstanceProfileResponse{InstanceProfile: s.profileOut(acct, a, p)}, nil
}

func (s *Service) DeleteInstanceProfile(ctx context.Context, in *iamapi.DeleteInstanceProfileRequest) (*iamapi.DeleteInstanceProfileOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		p, err := a.profile(api.ToString(in.InstanceProfileName))
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		delete(a.Profiles, strings.ToLower(p.Name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteInstanceProfileOutput{}, nil
}

func (s *Service) ListInstanceProfiles(ctx context.Context, in *iamapi.ListInstanceProfilesRequest) (*iamapi.ListInstanceProfilesResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	list, trunc, next := page(sortedEntities(a.Profiles, in.PathPrefix), entityName, in.Marker, in.MaxItems)
	out := &iamapi.ListInstanceProfilesResponse{InstanceProfiles: []*iamapi.InstanceProfile{}, IsTruncated: trunc, Marker: next}
	for _, p := range list {
		po := s.profileOut(acct, a, p)
		po.Tags = nil
		out.InstanceProfiles = append(out.InstanceProfiles, po)
	}
	return out, nil
}

func (s *Service) ListInstanceProfilesForRole(ctx context.Context, in *iamapi.ListInstanceProfilesForRoleRequest) (*iamapi.ListInstanceProfilesForRoleResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	role, err := a.get(roles, api.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	var of []*entity
	for _, p := range sortedEntities(a.Profiles, nil) {
		if slices.ContainsFunc(p.Roles, func(r string) bool { return strings.EqualFold(r, role.Name) }) {
			of = append(of, p)
		}
	}
	list, trunc, next := page(of, entityName, in.Marker, in.MaxItems)
	out := &iamapi.ListInstanceProfilesForRoleResponse{InstanceProfiles: []*iamapi.InstanceProfile{}, IsTruncated: trunc, Marker: next}
	for _, p := range list {
		po := s.profileOut(acct, a, p)
		po.Tags = nil
		out.InstanceProfiles = append(out.InstanceProfiles, po)
	}
	return out, nil
}

func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *iamapi.AddRoleToInstanceProfileRequest) (*iamapi.AddRoleToInstanceProfileOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		p, err := a.profile(api.ToString(in.InstanceProfileName))
		if err != nil {
			return err
		}
		role, err := a.get(roles, api.ToString(in.RoleName))
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		}
		p.Roles = []string{role.Name}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.AddRoleToInstanceProfileOutput{}, nil
}

func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *iamapi.RemoveRoleFromInstanceProfileRequest) (*iamapi.RemoveRoleFromInstanceProfileOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		p, err := a.profile(api.ToString(in.InstanceProfileName))
		if err != nil {
			return err
		}
		name := api.ToString(in.RoleName)
		i := slices.IndexFunc(p.Roles, func(r string) bool { return strings.EqualFold(r, name) })
		if i < 0 {
			return noSuch(roles, name)
		}
		p.Roles = slices.Delete(p.Roles, i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.RemoveRoleFromInstanceProfileOutput{}, nil
}

func (s *Service) TagInstanceProfile(ctx context.Context, in *iamapi.TagInstanceProfileRequest) (*iamapi.TagInstanceProfileOutput, error) {
	return &iamapi.TagInstanceProfileOutput{}, s.tag(ctx, profiles, api.ToString(in.InstanceProfileName), in.Tags, nil)
}

func (s *Service) UntagInstanceProfile(ctx context.Context, in *iamapi.UntagInstanceProfileRequest) (*iamapi.UntagInstanceProfileOutput, error) {
	return &iamapi.UntagInstanceProfileOutput{}, s.tag(ctx, profiles, api.ToString(in.InstanceProfileName), nil, in.TagKeys)
}

func (s *Service) ListInstanceProfileTags(ctx context.Context, in *iamapi.ListInstanceProfileTagsRequest) (*iamapi.ListInstanceProfileTagsResponse, error) {
	t, err := s.tags(ctx, profiles, api.ToString(in.InstanceProfileName))
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfileTagsResponse{Tags: t, IsTruncated: api.Bool(false)}, nil
}
