package iam

import (
	"context"
	"fmt"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	iamapi "github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/iam/policy"
)

// create adds an entity of kind k, refusing a name taken in any case (IAM
// names are unique case-insensitively).
func (s *Service) create(ctx context.Context, k *kind, e *entity, path *string, fn func(a *account) error) (*entity, string, error) {
	acct := ctxAccount(ctx)
	p, err := normPath(path)
	if err != nil {
		return nil, "", err
	}
	e.Path, e.ID, e.Created = p, newID(k.prefix), s.now().UTC().Truncate(1e9)
	err = s.update(acct, func(_ *txn, a *account) error {
		set := k.set(a)
		if set[strings.ToLower(e.Name)] != nil {
			return &iamapi.EntityAlreadyExistsException{Message: api.String(fmt.Sprintf("%s with name %s already exists.", k.title, e.Name))}
		}
		if fn != nil {
			if err := fn(a); err != nil {
				return err
			}
		}
		set[strings.ToLower(e.Name)] = e
		return nil
	})
	return e, acct, err
}

// boundaryCheck checks a permissions boundary's ARN: a managed policy.
func boundaryCheck(a *account, arn string) error {
	if arn == "" {
		return nil
	}
	if _, ok := awsManaged()[arn]; ok {
		return nil
	}
	if a.Policies[arn] == nil {
		return policyNotFound(arn)
	}
	return nil
}

func (s *Service) userOut(acct string, e *entity) *iamapi.User {
	u := &iamapi.User{Path: api.String(e.Path), UserName: api.String(e.Name), UserId: api.String(e.ID),
		Arn: api.String(users.arn(acct, e)), CreateDate: &e.Created}
	if len(e.Tags) > 0 {
		u.Tags = fromTags(e.Tags)
	}
	if e.Boundary != "" {
		u.PermissionsBoundary = &iamapi.AttachedPermissionsBoundary{PermissionsBoundaryType: api.String("PermissionsBoundaryPolicy"), PermissionsBoundaryArn: api.String(e.Boundary)}
	}
	return u
}

func (s *Service) groupOut(acct string, e *entity) *iamapi.Group {
	return &iamapi.Group{Path: api.String(e.Path), GroupName: api.String(e.Name), GroupId: api.String(e.ID),
		Arn: api.String(groups.arn(acct, e)), CreateDate: &e.Created}
}

func (s *Service) roleOut(acct string, e *entity, withTrust bool) *iamapi.Role {
	r := &iamapi.Role{Path: api.String(e.Path), RoleName: api.String(e.Name), RoleId: api.String(e.ID),
		Arn: api.String(roles.arn(acct, e)), CreateDate: &e.Created, MaxSessionDuration: api.Int64(e.MaxSession)}
	if withTrust {
		r.AssumeRolePolicyDocument = encodeDoc(e.Trust)
	}
	if e.Description != "" {
		r.Description = api.String(e.Description)
	}
	if len(e.Tags) > 0 {
		r.Tags = fromTags(e.Tags)
	}
	if e.Boundary != "" {
		r.PermissionsBoundary = &iamapi.AttachedPermissionsBoundary{PermissionsBoundaryType: api.String("PermissionsBoundaryPolicy"), PermissionsBoundaryArn: api.String(e.Boundary)}
	}
	return r
}

// Users.

func (s *Service) CreateUser(ctx context.Context, in *iamapi.CreateUserRequest) (*iamapi.CreateUserResponse, error) {
	e := &entity{Name: api.ToString(in.UserName), Tags: toTags(in.Tags), Boundary: api.ToString(in.PermissionsBoundary)}
	e, acct, err := s.create(ctx, users, e, in.Path, func(a *account) error { return boundaryCheck(a, e.Boundary) })
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateUserResponse{User: s.userOut(acct, e)}, nil
}

func (s *Service) GetUser(ctx context.Context, in *iamapi.GetUserRequest) (*iamapi.GetUserResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	name := api.ToString(in.UserName)
	if name == "" {
		// The caller itself: an IAM user's own record, or the root.
		c := api.CallerFrom(ctx)
		if i := strings.Index(c.ARN, ":user/"); i >= 0 {
			name = c.ARN[strings.LastIndexByte(c.ARN, '/')+1:]
		} else {
			return &iamapi.GetUserResponse{User: &iamapi.User{UserId: api.String(acct), Arn: api.String("arn:aws:iam::" + acct + ":root"),
				Path: api.String("/"), UserName: api.String(""), CreateDate: nil}}, nil
		}
	}
	e, err := a.get(users, name)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserResponse{User: s.userOut(acct, e)}, nil
}

func (s *Service) ListUsers(ctx context.Context, in *iamapi.ListUsersRequest) (*iamapi.ListUsersResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	list, trunc, next := page(sortedEntities(a.Users, in.PathPrefix), entityName, in.Marker, in.MaxItems)
	out := &iamapi.ListUsersResponse{Users: []*iamapi.User{}, IsTruncated: trunc, Marker: next}
	for _, e := range list {
		out.Users = append(out.Users, s.userOut(acct, e))
	}
	return out, nil
}

func (s *Service) UpdateUser(ctx context.Context, in *iamapi.UpdateUserRequest) (*iamapi.UpdateUserOutput, error) {
	err := s.update(ctxAccount(ctx), func(t *txn, a *account) error {
		e, err := a.get(users, api.ToString(in.UserName))
		if err != nil {
			return err
		}
		if in.NewPath != nil {
			if e.Path, err = normPath(in.NewPath); err != nil {
				return err
			}
		}
		if nn := api.ToString(in.NewUserName); nn != "" && nn != e.Name {
			if a.Users[strings.ToLower(nn)] != nil && !strings.EqualFold(nn, e.Name) {
				return &iamapi.EntityAlreadyExistsException{Message: api.String(fmt.Sprintf("User with name %s already exists.", nn))}
			}
			delete(a.Users, strings.ToLower(e.Name))
			old := e.Name
			e.Name = nn
			a.Users[strings.ToLower(nn)] = e
			if err := t.renameKeysUser(e.Keys, old, nn); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateUserOutput{}, nil
}

func (s *Service) DeleteUser(ctx context.Context, in *iamapi.DeleteUserRequest) (*iamapi.DeleteUserOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		e, err := a.get(users, api.ToString(in.UserName))
		if err != nil {
			return err
		}
		switch {
		case len(e.Keys) > 0:
			return deleteConflict("Cannot delete entity, must delete access keys first.")
		case len(e.Inline) > 0:
			return deleteConflict("Cannot delete entity, must delete policies first.")
		case len(e.Attached) > 0:
			return deleteConflict("Cannot delete entity, must detach all policies first.")
		case len(e.Groups) > 0:
			return deleteConflict("Cannot delete entity, must remove users from group first.")
		}
		a.dropBoundary(e.Boundary)
		delete(a.Users, strings.ToLower(e.Name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteUserOutput{}, nil
}

func deleteConflict(msg string) error {
	return &iamapi.DeleteConflictException{Message: api.String(msg)}
}

// Groups.

func (s *Service) CreateGroup(ctx context.Context, in *iamapi.CreateGroupRequest) (*iamapi.CreateGroupResponse, error) {
	e, acct, err := s.create(ctx, groups, &entity{Name: api.ToString(in.GroupName)}, in.Path, nil)
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateGroupResponse{Group: s.groupOut(acct, e)}, nil
}

// members are a group's users, sorted by name.
func (a *account) members(g *entity) []*entity {
	var out []*entity
	for _, u := range sortedEntities(a.Users, nil) {
		for _, name := range u.Groups {
			if strings.EqualFold(name, g.Name) {
				out = append(out, u)
			}
		}
	}
	return out
}

func (s *Service) GetGroup(ctx context.Context, in *iamapi.GetGroupRequest) (*iamapi.GetGroupResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	g, err := a.get(groups, api.ToString(in.GroupName))
	if err != nil {
		return nil, err
	}
	list, trunc, next := page(a.members(g), entityName, in.Marker, in.MaxItems)
	out := &iamapi.GetGroupResponse{Group: s.groupOut(acct, g), Users: []*iamapi.User{}, IsTruncated: trunc, Marker: next}
	for _, u := range list {
		out.Users = append(out.Users, s.userOut(acct, u))
	}
	return out, nil
}

func (s *Service) ListGroups(ctx context.Context, in *iamapi.ListGroupsRequest) (*iamapi.ListGroupsResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	list, trunc, next := page(sortedEntities(a.Groups, in.PathPrefix), entityName, in.Marker, in.MaxItems)
	out := &iamapi.ListGroupsResponse{Groups: []*iamapi.Group{}, IsTruncated: trunc, Marker: next}
	for _, e := range list {
		out.Groups = append(out.Groups, s.groupOut(acct, e))
	}
	return out, nil
}

func (s *Service) ListGroupsForUser(ctx context.Context, in *iamapi.ListGroupsForUserRequest) (*iamapi.ListGroupsForUserResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	u, err := a.get(users, api.ToString(in.UserName))
	if err != nil {
		return nil, err
	}
	var gs []*entity
	for _, name := range u.Groups {
		if g := a.Groups[strings.ToLower(name)]; g != nil {
			gs = append(gs, g)
		}
	}
	list, trunc, next := page(gs, entityName, in.Marker, in.MaxItems)
	out := &iamapi.ListGroupsForUserResponse{Groups: []*iamapi.Group{}, IsTruncated: trunc, Marker: next}
	for _, g := range list {
		out.Groups = append(out.Groups, s.groupOut(acct, g))
	}
	return out, nil
}

func (s *Service) AddUserToGroup(ctx context.Context, in *iamapi.AddUserToGroupRequest) (*iamapi.AddUserToGroupOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		g, err := a.get(groups, api.ToString(in.GroupName))
		if err != nil {
			return err
		}
		u, err := a.get(users, api.ToString(in.UserName))
		if err != nil {
			return err
		}
		for _, name := range u.Groups {
			if strings.EqualFold(name, g.Name) {
				return nil
			}
		}
		if len(u.Groups) >= 10 {
			return limitExceeded("Cannot exceed quota for GroupsPerUser: 10")
		}
		u.Groups = append(u.Groups, g.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.AddUserToGroupOutput{}, nil
}

func (s *Service) RemoveUserFromGroup(ctx context.Context, in *iamapi.RemoveUserFromGroupRequest) (*iamapi.RemoveUserFromGroupOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		g, err := a.get(groups, api.ToString(in.GroupName))
		if err != nil {
			return err
		}
		u, err := a.get(users, api.ToString(in.UserName))
		if err != nil {
			return err
		}
		for i, name := range u.Groups {
			if strings.EqualFold(name, g.Name) {
				u.Groups = append(u.Groups[:i], u.Groups[i+1:]...)
				return nil
			}
		}
		return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("User %s is not in group %s.", u.Name, g.Name))}
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.RemoveUserFromGroupOutput{}, nil
}

func (s *Service) DeleteGroup(ctx context.Context, in *iamapi.DeleteGroupRequest) (*iamapi.DeleteGroupOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		g, err := a.get(groups, api.ToString(in.GroupName))
		if err != nil {
			return err
		}
		switch {
		case len(a.members(g)) > 0:
			return deleteConflict("Cannot delete entity, must remove users from group first.")
		case len(g.Inline) > 0:
			return deleteConflict("Cannot delete entity, must delete policies first.")
		case len(g.Attached) > 0:
			return deleteConflict("Cannot delete entity, must detach all policies first.")
		}
		delete(a.Groups, strings.ToLower(g.Name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteGroupOutput{}, nil
}

// Roles.

func (s *Service) CreateRole(ctx context.Context, in *iamapi.CreateRoleRequest) (*iamapi.CreateRoleResponse, error) {
	trust := api.ToString(in.AssumeRolePolicyDocument)
	if _, err := checkDoc(trust, policy.Trust); err != nil {
		return nil, err
	}
	max := api.ToInt64(in.MaxSessionDuration)
	if max == 0 {
		max = 3600
	}
	e := &entity{Name: api.ToString(in.RoleName), Trust: trust, Description: api.ToString(in.Description),
		MaxSession: max, Tags: toTags(in.Tags), Boundary: api.ToString(in.PermissionsBoundary)}
	e, acct, err := s.create(ctx, roles, e, in.Path, func(a *account) error { return boundaryCheck(a, e.Boundary) })
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateRoleResponse{Role: s.roleOut(acct, e, true)}, nil
}

func (s *Service) GetRole(ctx context.Context, in *iamapi.GetRoleRequest) (*iamapi.GetRoleResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	e, err := a.get(roles, api.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	r := s.roleOut(acct, e, true)
	r.RoleLastUsed = &iamapi.RoleLastUsed{}
	return &iamapi.GetRoleResponse{Role: r}, nil
}

func (s *Service) ListRoles(ctx context.Context, in *iamapi.ListRolesRequest) (*iamapi.ListRolesResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	list, trunc, next := page(sortedEntities(a.Roles, in.PathPrefix), entityName, in.Marker, in.MaxItems)
	out := &iamapi.ListRolesResponse{Roles: []*iamapi.Role{}, IsTruncated: trunc, Marker: next}
	for _, e := range list {
		r := s.roleOut(acct, e, true)
		r.Tags = nil // ListRoles leaves tags and boundaries out
		r.PermissionsBoundary = nil
		out.Roles = append(out.Roles, r)
	}
	return out, nil
}

func (s *Service) UpdateRole(ctx context.Context, in *iamapi.UpdateRoleRequest) (*iamapi.UpdateRoleResponse, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		e, err := a.get(roles, api.ToString(in.RoleName))
		if err != nil {
			return err
		}
		if in.Description != nil {
			e.Description = *in.Description
		}
		if in.MaxSessionDuration != nil {
			e.MaxSession = *in.MaxSessionDuration
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleResponse{}, nil
}

func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *iamapi.UpdateAssumeRolePolicyRequest) (*iamapi.UpdateAssumeRolePolicyOutput, error) {
	doc := api.ToString(in.PolicyDocument)
	if _, err := checkDoc(doc, policy.Trust); err != nil {
		return nil, err
	}
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		e, err := a.get(roles, api.ToString(in.RoleName))
		if err != nil {
			return err
		}
		e.Trust = doc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateAssumeRolePolicyOutput{}, nil
}

func (s *Service) DeleteRole(ctx context.Context, in *iamapi.DeleteRoleRequest) (*iamapi.DeleteRoleOutput, error) {
	err := s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		e, err := a.get(roles, api.ToString(in.RoleName))
		if err != nil {
			return err
		}
		switch {
		case len(e.Inline) > 0:
			return deleteConflict("Cannot delete entity, must delete policies first.")
		case len(e.Attached) > 0:
			return deleteConflict("Cannot delete entity, must detach all policies first.")
		}
		for _, p := range a.Profiles {
			for _, r := range p.Roles {
				if strings.EqualFold(r, e.Name) {
					return deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
				}
			}
		}
		a.dropBoundary(e.Boundary)
		delete(a.Roles, strings.ToLower(e.Name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteRoleOutput{}, nil
}

// Tags of users and roles.

func (s *Service) tag(ctx context.Context, k *kind, name string, add []*iamapi.Tag, remove []string) error {
	return s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		e, err := a.get(k, name)
		if err != nil {
			return err
		}
		if add != nil {
			e.Tags, err = mergeTags(e.Tags, add)
			return err
		}
		e.Tags = removeTags(e.Tags, remove)
		return nil
	})
}

func (s *Service) tags(ctx context.Context, k *kind, name string) ([]*iamapi.Tag, error) {
	a, err := s.view(ctxAccount(ctx))
	if err != nil {
		return nil, err
	}
	e, err := a.get(k, name)
	if err != nil {
		return nil, err
	}
	return fromTags(e.Tags), nil
}

func (s *Service) TagUser(ctx context.Context, in *iamapi.TagUserRequest) (*iamapi.TagUserOutput, error) {
	return &iamapi.TagUserOutput{}, s.tag(ctx, users, api.ToString(in.UserName), in.Tags, nil)
}

func (s *Service) UntagUser(ctx context.Context, in *iamapi.UntagUserRequest) (*iamapi.UntagUserOutput, error) {
	return &iamapi.UntagUserOutput{}, s.tag(ctx, users, api.ToString(in.UserName), nil, in.TagKeys)
}

func (s *Service) ListUserTags(ctx context.Context, in *iamapi.ListUserTagsRequest) (*iamapi.ListUserTagsResponse, error) {
	t, err := s.tags(ctx, users, api.ToString(in.UserName))
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserTagsResponse{Tags: t, IsTruncated: api.Bool(false)}, nil
}

func (s *Service) TagRole(ctx context.Context, in *iamapi.TagRoleRequest) (*iamapi.TagRoleOutput, error) {
	return &iamapi.TagRoleOutput{}, s.tag(ctx, roles, api.ToString(in.RoleName), in.Tags, nil)
}

func (s *Service) UntagRole(ctx context.Context, in *iamapi.UntagRoleRequest) (*iamapi.UntagRoleOutput, error) {
	return &iamapi.UntagRoleOutput{}, s.tag(ctx, roles, api.ToString(in.RoleName), nil, in.TagKeys)
}

func (s *Service) ListRoleTags(ctx context.Context, in *iamapi.ListRoleTagsRequest) (*iamapi.ListRoleTagsResponse, error) {
	t, err := s.tags(ctx, roles, api.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRoleTagsResponse{Tags: t, IsTruncated: api.Bool(false)}, nil
}

// Permissions boundaries.

func (s *Service) setBoundary(ctx context.Context, k *kind, name, arn string) error {
	return s.update(ctxAccount(ctx), func(_ *txn, a *account) error {
		e, err := a.get(k, name)
		if err != nil {
			return err
		}
		if arn != "" {
			if err := boundaryCheck(a, arn); err != nil {
				return err
			}
		}
		a.dropBoundary(e.Boundary)
		e.Boundary = arn
		if p := a.Policies[arn]; p != nil {
			p.Boundaries++
		}
		return nil
	})
}

func (a *account) dropBoundary(arn string) {
	if p := a.Policies[arn]; p != nil && p.Boundaries > 0 {
		p.Boundaries--
	}
}

func (s *Service) PutUserPermissionsBoundary(ctx context.Context, in *iamapi.PutUserPermissionsBoundaryRequest) (*iamapi.PutUserPermissionsBoundaryOutput, error) {
	return &iamapi.PutUserPermissionsBoundaryOutput{}, s.setBoundary(ctx, users, api.ToString(in.UserName), api.ToString(in.PermissionsBoundary))
}

func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, in *iamapi.DeleteUserPermissionsBoundaryRequest) (*iamapi.DeleteUserPermissionsBoundaryOutput, error) {
	return &iamapi.DeleteUserPermissionsBoundaryOutput{}, s.setBoundary(ctx, users, api.ToString(in.UserName), "")
}

func (s *Service) PutRolePermissionsBoundary(ctx context.Context, in *iamapi.PutRolePermissionsBoundaryRequest) (*iamapi.PutRolePermissionsBoundaryOutput, error) {
	return &iamapi.PutRolePermissionsBoundaryOutput{}, s.setBoundary(ctx, roles, api.ToString(in.RoleName), api.ToString(in.PermissionsBoundary))
}

func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, in *iamapi.DeleteRolePermissionsBoundaryRequest) (*iamapi.DeleteRolePermissionsBoundaryOutput, error) {
	return &iamapi.DeleteRolePermissionsBoundaryOutput{}, s.setBoundary(ctx, roles, api.ToString(in.RoleName), "")
}
