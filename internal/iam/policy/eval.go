package policy

import (
	"slices"
	"strings"
)

// Context holds a request's condition keys, by lower-case name (keys are
// case-insensitive; values are not). A key may have several values
// (aws:TagKeys); ForAllValues/ForAnyValue read them all.
type Context map[string][]string

// Set sets key to vals.
func (c Context) Set(key string, vals ...string) { c[strings.ToLower(key)] = vals }

// PrincipalKind is what sort of principal made a request.
type PrincipalKind int

const (
	Anonymous PrincipalKind = iota
	Root
	User
	AssumedRole
	ServicePrincipal
	// Federated is a web identity or SAML user asking to assume a role
	// (sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML).
	Federated
)

// Principal is who asks.
type Principal struct {
	Kind    PrincipalKind
	ARN     string // user ARN, assumed-role session ARN, root ARN
	Account string
	// RoleARN is the role of an AssumedRole session
	// (arn:aws:iam::111122223333:role/path/R).
	RoleARN string
	// Service is the service principal's name (lambda.amazonaws.com).
	Service string
	// Providers are a Federated principal's names: its identity provider
	// ("accounts.google.com", "arn:aws:iam::111122223333:oidc-provider/…").
	Providers []string
}

// Request is one request to decide.
type Request struct {
	Principal Principal
	Action    string // "s3:GetObject"
	Resource  string // an ARN, or "*" for actions without a resource
	// ResourceAccount is the account owning the resource: "" means the
	// principal's own.
	ResourceAccount string
	Context         Context
	// Base are more contexts, read in order when Context lacks a key: the
	// principal's keys and the global ones, shared between requests and so
	// not copied into each request's Context (they must not be modified).
	Base []Context
}

// value is a condition key of the request, from its Context or its Base.
func (r *Request) value(lkey string) ([]string, bool) {
	if v, ok := r.Context[lkey]; ok {
		return v, true
	}
	for _, c := range r.Base {
		if v, ok := c[lkey]; ok {
			return v, true
		}
	}
	return nil, false
}

// Set is the policies that apply to a request.
type Set struct {
	Identity []*Policy // the principal's identity-based policies
	// Boundary is the principal's permissions boundary; nil when it has none.
	Boundary *Policy
	// Session are the session policies of a role session or federated user;
	// SessionPolicies says whether there were any (an empty session policy
	// list is no restriction, but a session policy allowing nothing is).
	Session         []*Policy
	SessionPolicies bool
	Resource        *Policy // the resource's policy, nil when it has none
	// ResourceRequired says the resource policy must allow even within one
	// account, as a role's trust policy for sts:AssumeRole: an identity-based
	// allow alone is not enough.
	ResourceRequired bool
}

// Reason is why a request was allowed or denied.
type Reason int

const (
	Allowed Reason = iota
	ImplicitDenyIdentity
	ImplicitDenyResource // cross-account: no resource-based policy allows
	ImplicitDenyBoundary
	ImplicitDenySession
	ExplicitDenyIdentity
	ExplicitDenyResource
	ExplicitDenyBoundary
	ExplicitDenySession
)

// PolicyType says which kind of policy a matched statement is in.
type PolicyType int

const (
	IdentityPolicy PolicyType = iota
	BoundaryPolicy
	SessionPolicy
	ResourcePolicy
)

// Match is one statement that took part in a decision: the policy's index in
// its list of Set (0 for Boundary and Resource).
type Match struct {
	Type      PolicyType
	Policy    int
	Statement *Statement
}

// Decision is the answer for one request.
type Decision struct {
	Allowed bool
	Reason  Reason
	// Matched are the statements that decided: the denying ones for an
	// explicit deny, the allowing ones otherwise.
	Matched []Match
}

// Message is AWS's AccessDenied message for a denied request: "User: ARN is
// not authorized to perform: A on resource: R because no identity-based policy
// allows the A action". quote puts the resource in quotes, as S3 writes it.
func (d Decision) Message(principalARN, action, resource string, quote bool) string {
	if quote {
		resource = `"` + resource + `"`
	}
	head := "User: " + principalARN + " is not authorized to perform: " + action + " on resource: " + resource
	switch d.Reason {
	case ExplicitDenyIdentity:
		return head + " with an explicit deny in an identity-based policy"
	case ExplicitDenyResource:
		return head + " with an explicit deny in a resource-based policy"
	case ExplicitDenyBoundary:
		return head + " with an explicit deny in a permissions boundary"
	case ExplicitDenySession:
		return head + " with an explicit deny in a session policy"
	case ImplicitDenyResource:
		return head + " because no resource-based policy allows the " + action + " action"
	case ImplicitDenyBoundary:
		return head + " because no permissions boundary allows the " + action + " action"
	case ImplicitDenySession:
		return head + " because no session policy allows the " + action + " action"
	}
	return head + " because no identity-based policy allows the " + action + " action"
}

// Evaluate decides r against the policies of s.
func Evaluate(s *Set, r *Request) Decision {
	var d Decision
	cross := r.ResourceAccount != "" && r.ResourceAccount != r.Principal.Account

	// 1. An explicit deny in any policy that applies.
	denied := func(p *Policy, typ PolicyType, idx int, principal bool) bool {
		hit := false
		for _, st := range p.Statements {
			if st.Effect == Deny && st.matches(p, r, principal) {
				d.Matched = append(d.Matched, Match{typ, idx, st})
				hit = true
			}
		}
		return hit
	}
	deny := func(reason Reason) Decision { d.Reason = reason; return d }
	for i, p := range s.Identity {
		if denied(p, IdentityPolicy, i, false) {
			return deny(ExplicitDenyIdentity)
		}
	}
	if s.Resource != nil && denied(s.Resource, ResourcePolicy, 0, true) {
		return deny(ExplicitDenyResource)
	}
	if s.Boundary != nil && denied(s.Boundary, BoundaryPolicy, 0, false) {
		return deny(ExplicitDenyBoundary)
	}
	for i, p := range s.Session {
		if denied(p, SessionPolicy, i, false) {
			return deny(ExplicitDenySession)
		}
	}

	// The root of the account is allowed everything in its own account.
	if r.Principal.Kind == Root && !cross {
		d.Allowed = true
		return d
	}

	// 2. Allows.
	var allows []Match
	sessionNamed := false // a resource statement names the session's own ARN
	allowed := func(p *Policy, typ PolicyType, idx int, principal bool) (ok, direct bool) {
		for _, st := range p.Statements {
			if st.Effect == Allow && st.matches(p, r, principal) {
				allows = append(allows, Match{typ, idx, st})
				ok = true
				if principal {
					switch st.namesPrincipal(r) {
					case namedExactly:
						direct, sessionNamed = true, true
					case namedRole:
						direct = true
					}
				}
			}
		}
		return ok, direct
	}
	resAllow, resDirect := false, false
	if s.Resource != nil {
		resAllow, resDirect = allowed(s.Resource, ResourcePolicy, 0, true)
	}
	if !cross && resDirect && (r.Principal.Kind != AssumedRole || !s.SessionPolicies || sessionNamed) {
		// A resource policy naming the principal itself (or everyone) is
		// enough within its account; a boundary does not limit it, nor do
		// session policies when it names the session rather than its role.
		d.Allowed, d.Matched = true, allows
		return d
	}
	idAllow := false
	for i, p := range s.Identity {
		if ok, _ := allowed(p, IdentityPolicy, i, false); ok {
			idAllow = true
		}
	}
	sessionAllow := false
	for i, p := range s.Session {
		if ok, _ := allowed(p, SessionPolicy, i, false); ok {
			sessionAllow = true
		}
	}
	if !cross && resDirect && sessionAllow {
		// A role session's grant from a resource policy naming its role is
		// limited by its session policies only.
		d.Allowed, d.Matched = true, allows
		return d
	}
	if (cross || s.ResourceRequired) && !resAllow {
		return deny(ImplicitDenyResource)
	}
	if !idAllow {
		return deny(ImplicitDenyIdentity)
	}
	if s.Boundary != nil {
		if ok, _ := allowed(s.Boundary, BoundaryPolicy, 0, false); !ok {
			return deny(ImplicitDenyBoundary)
		}
	}
	if s.SessionPolicies && !sessionAllow {
		return deny(ImplicitDenySession)
	}
	d.Allowed, d.Matched = true, allows
	return d
}

// matches says whether st applies to r: its action, resource, principal (for
// resource policies, when principal is true) and conditions.
func (st *Statement) matches(p *Policy, r *Request, principal bool) bool {
	hit := false
	for _, a := range st.Actions {
		if matchAction(a, r.Action) {
			hit = true
			break
		}
	}
	if hit == st.NotAction {
		return false
	}
	if st.Resources != nil {
		hit = false
		for _, res := range st.Resources {
			if st.resVars && strings.Contains(res, "${") {
				var ok bool
				if res, ok = substitute(res, r, true); !ok {
					continue
				}
			}
			if matchARN(res, r.Resource) {
				hit = true
				break
			}
		}
		if hit == st.NotResource {
			return false
		}
	}
	if principal && st.Principal != nil {
		if st.NotPrincipal {
			if st.Principal.Any || st.excludes(r) {
				return false
			}
		} else if !st.matchesPrincipal(r) {
			return false
		}
	}
	for _, c := range st.Conditions {
		if !c.eval(r) {
			return false
		}
	}
	return true
}

// matchesPrincipal says whether the statement's principal list holds the
// request's principal, by any of its names (its account included).
func (st *Statement) matchesPrincipal(r *Request) bool {
	ps := st.Principal
	if ps.Any {
		return true
	}
	pr := &r.Principal
	for typ, ids := range ps.Values {
		for _, id := range ids {
			switch typ {
			case "AWS":
				if id == "*" || pr.Kind != Anonymous && pr.Kind != ServicePrincipal && awsNames(pr, id) {
					return true
				}
			case "Service":
				if pr.Kind == ServicePrincipal && id == pr.Service {
					return true
				}
			case "Federated":
				for _, p := range pr.Providers {
					if pr.Kind == Federated && id == p {
						return true
					}
				}
			}
		}
	}
	return false
}

type naming int

const (
	notNamed     naming = iota
	namedRole           // the role of a role session
	namedExactly        // the principal's own ARN, or everyone
)

// namesPrincipal says whether the statement grants to the principal itself (or
// to everyone) rather than to its whole account.
func (st *Statement) namesPrincipal(r *Request) naming {
	ps := st.Principal
	if ps == nil || st.NotPrincipal {
		return notNamed
	}
	if ps.Any {
		return namedExactly
	}
	pr := &r.Principal
	best := notNamed
	for typ, ids := range ps.Values {
		for _, id := range ids {
			switch {
			case typ == "AWS" && (id == "*" || id == pr.ARN && pr.Kind != Root):
				return namedExactly
			case typ == "AWS" && pr.Kind == User && id == pr.Account && pr.ARN == "arn:aws:iam::"+pr.Account+":root":
				return namedExactly // an account's root, evaluated as a user (trust policies)
			case typ == "Service" && pr.Kind == ServicePrincipal && id == pr.Service:
				return namedExactly
			case typ == "Federated" && pr.Kind == Federated && slices.Contains(pr.Providers, id):
				return namedExactly
			case typ == "AWS" && pr.RoleARN != "" && id == pr.RoleARN:
				best = namedRole
			}
		}
	}
	return best
}

// excludes says whether a NotPrincipal lists the principal: by its own ARN
// (or its role's), or, for an account's root, by the account.
func (st *Statement) excludes(r *Request) bool {
	pr := &r.Principal
	for typ, ids := range st.Principal.Values {
		for _, id := range ids {
			switch {
			case typ == "AWS" && (id == pr.ARN || pr.RoleARN != "" && id == pr.RoleARN):
				return true
			case typ == "AWS" && pr.Kind == Root && (id == pr.Account || id == "arn:aws:iam::"+pr.Account+":root"):
				return true
			case typ == "Service" && pr.Kind == ServicePrincipal && id == pr.Service:
				return true
			}
		}
	}
	return false
}

// awsNames says whether id (an account id or an ARN) names the principal.
func awsNames(pr *Principal, id string) bool {
	if id == pr.ARN || pr.RoleARN != "" && id == pr.RoleARN {
		return true
	}
	return id == pr.Account || id == "arn:aws:iam::"+pr.Account+":root"
}

// MissingKeys lists the condition keys that statements applying to r's
// action and resource (whatever their principal) test and r's context lacks:
// the simulator's MissingContextValues.
func MissingKeys(s *Set, r *Request) []string {
	var out []string
	seen := map[string]bool{}
	visit := func(p *Policy) {
		if p == nil {
			return
		}
		for _, st := range p.Statements {
			probe := *st
			probe.Conditions = nil
			if !probe.matches(p, r, false) {
				continue
			}
			for _, c := range st.Conditions {
				if _, ok := r.value(c.lkey); !ok && !seen[c.lkey] {
					seen[c.lkey] = true
					out = append(out, c.Key)
				}
			}
		}
	}
	for _, p := range s.Identity {
		visit(p)
	}
	visit(s.Boundary)
	for _, p := range s.Session {
		visit(p)
	}
	visit(s.Resource)
	return out
}
