package iam

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	iamapi "github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/iam/policy"
)

// The policy simulator: the same evaluation as enforcement, for actions and
// resources the caller names. Matched statements are named by their policy
// (SourcePolicyId, SourcePolicyType as IAM words them); their positions in
// the document are not given.

// source names a policy of a simulation.
type source struct{ id, typ string }

type simInput struct {
	set       policy.Set
	idSources []source
	principal policy.Principal
}

func (s *Service) SimulateCustomPolicy(ctx context.Context, in *iamapi.SimulateCustomPolicyRequest) (*iamapi.SimulatePolicyResponse, error) {
	var si simInput
	si.principal = policy.Principal{Kind: policy.User, ARN: api.ToString(in.CallerArn), Account: ctxAccount(ctx)}
	if err := si.addInputs(in.PolicyInputList, in.PermissionsBoundaryPolicyInputList); err != nil {
		return nil, err
	}
	return s.simulate(ctx, &si, in.ActionNames, in.ResourceArns, in.ResourcePolicy, in.ResourceOwner, in.ContextEntries, in.Marker, in.MaxItems)
}

func (s *Service) SimulatePrincipalPolicy(ctx context.Context, in *iamapi.SimulatePrincipalPolicyRequest) (*iamapi.SimulatePolicyResponse, error) {
	acct := ctxAccount(ctx)
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	arn := api.ToString(in.PolicySourceArn)
	var si simInput
	add := func(e *entity, typ string) {
		names := make([]string, 0, len(e.Inline))
		for n := range e.Inline {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if p, err := policy.Parse(e.Inline[n], policy.Identity); err == nil {
				si.set.Identity = append(si.set.Identity, p)
				si.idSources = append(si.idSources, source{n, typ})
			}
		}
		for _, pa := range e.Attached {
			if p := a.managedPolicy(pa); p != nil {
				typ := "user-managed"
				if _, ok := awsManaged()[pa]; ok {
					typ = "aws-managed"
				}
				si.set.Identity = append(si.set.Identity, p)
				si.idSources = append(si.idSources, source{pa[strings.LastIndexByte(pa, '/')+1:], typ})
			}
		}
	}
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	switch {
	case strings.Contains(arn, ":user/"):
		u, err := a.get(users, name)
		if err != nil {
			return nil, err
		}
		add(u, "user")
		for _, g := range u.Groups {
			if ge := a.Groups[strings.ToLower(g)]; ge != nil {
				add(ge, "group")
			}
		}
		si.set.Boundary = a.boundary(u.Boundary)
		si.principal = policy.Principal{Kind: policy.User, ARN: users.arn(acct, u), Account: acct}
	case strings.Contains(arn, ":role/"):
		r, err := a.get(roles, name)
		if err != nil {
			return nil, err
		}
		add(r, "role")
		si.set.Boundary = a.boundary(r.Boundary)
		si.principal = policy.Principal{Kind: policy.AssumedRole, ARN: roles.arn(acct, r), RoleARN: roles.arn(acct, r), Account: acct}
	case strings.Contains(arn, ":group/"):
		g, err := a.get(groups, name)
		if err != nil {
			return nil, err
		}
		add(g, "group")
		si.principal = policy.Principal{Kind: policy.User, ARN: groups.arn(acct, g), Account: acct}
	default:
		return nil, &iamapi.InvalidInputException{Message: api.String(fmt.Sprintf("Invalid Entity Arn: %s does not clearly define entity type of user, group or role.", arn))}
	}
	if c := api.ToString(in.CallerArn); c != "" {
		si.principal.ARN = c
	}
	if err := si.addInputs(in.PolicyInputList, in.PermissionsBoundaryPolicyInputList); err != nil {
		return nil, err
	}
	return s.simulate(ctx, &si, in.ActionNames, in.ResourceArns, in.ResourcePolicy, in.ResourceOwner, in.ContextEntries, in.Marker, in.MaxItems)
}

func (si *simInput) addInputs(inputs, boundaries []string) error {
	for i, d := range inputs {
		p, err := policy.Parse(d, policy.Identity)
		if err != nil {
			return &iamapi.MalformedPolicyDocumentException{Message: api.String(err.Error())}
		}
		si.set.Identity = append(si.set.Identity, p)
		si.idSources = append(si.idSources, source{fmt.Sprintf("PolicyInputList.%d", i+1), "IAM Policy"})
	}
	for _, d := range boundaries {
		p, err := policy.Parse(d, policy.Identity)
		if err != nil {
			return &iamapi.MalformedPolicyDocumentException{Message: api.String(err.Error())}
		}
		si.set.Boundary = p // one boundary: the last given
	}
	return nil
}

func (s *Service) simulate(ctx context.Context, si *simInput, actions, resources []string, resPolicy, owner *string,
	entries []*iamapi.ContextEntry, marker *string, maxItems *int64) (*iamapi.SimulatePolicyResponse, error) {
	if d := api.ToString(resPolicy); d != "" {
		p, err := policy.Parse(d, policy.Resource)
		if err != nil {
			return nil, &iamapi.MalformedPolicyDocumentException{Message: api.String(err.Error())}
		}
		si.set.Resource = p
	}
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	ctxv := policy.Context{}
	for _, e := range entries {
		ctxv.Set(api.ToString(e.ContextKeyName), e.ContextKeyValues...)
	}
	var results []*iamapi.EvaluationResult
	for _, action := range actions {
		for _, res := range resources {
			req := &policy.Request{Principal: si.principal, Action: action, Resource: res,
				ResourceAccount: api.ToString(owner), Context: ctxv}
			d := policy.Evaluate(&si.set, req)
			decision := "allowed"
			switch {
			case d.Reason >= policy.ExplicitDenyIdentity:
				decision = "explicitDeny"
			case !d.Allowed:
				decision = "implicitDeny"
			}
			matched := []*iamapi.Statement{}
			for _, m := range d.Matched {
				src := source{"ResourcePolicy", "resource"}
				switch m.Type {
				case policy.IdentityPolicy:
					src = si.idSources[m.Policy]
				case policy.BoundaryPolicy:
					src = source{"PermissionsBoundaryPolicy", "IAM Policy"}
				}
				matched = append(matched, &iamapi.Statement{SourcePolicyId: api.String(src.id), SourcePolicyType: api.String(src.typ)})
			}
			missing := policy.MissingKeys(&si.set, req)
			if missing == nil {
				missing = []string{}
			}
			r := &iamapi.EvaluationResult{EvalActionName: api.String(action), EvalResourceName: api.String(res),
				EvalDecision: api.String(decision), MatchedStatements: matched, MissingContextValues: missing}
			if si.set.Boundary != nil {
				r.PermissionsBoundaryDecisionDetail = &iamapi.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: api.Bool(d.Reason != policy.ImplicitDenyBoundary && d.Reason != policy.ExplicitDenyBoundary)}
			}
			if si.set.Resource != nil {
				r.EvalDecisionDetails = map[string]string{"IAM Policy": decision}
			}
			results = append(results, r)
		}
	}
	list, trunc, next := pageIndex(results, marker, maxItems)
	return &iamapi.SimulatePolicyResponse{EvaluationResults: list, IsTruncated: trunc, Marker: next}, nil
}

// pageIndex pages a list by position (the marker is the index to go on from).
func pageIndex[T any](items []T, marker *string, maxItems *int64) ([]T, *bool, *string) {
	start := 0
	fmt.Sscan(api.ToString(marker), &start)
	if start < 0 || start > len(items) {
		start = len(items)
	}
	n := int(api.ToInt64(maxItems))
	if n <= 0 || n > 1000 {
		n = 100
	}
	if start+n >= len(items) {
		return items[start:], api.Bool(false), nil
	}
	return items[start : start+n], api.Bool(true), api.String(fmt.Sprint(start + n))
}
