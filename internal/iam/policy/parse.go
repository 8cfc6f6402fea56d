package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Kind is what a document is used as: IAM checks each differently.
type Kind int

const (
	// Identity: attached to a user, group or role (or a permissions boundary,
	// or a session policy): no Principal, Resource required.
	Identity Kind = iota
	// Resource: a resource's own policy (S3 bucket policy...): Principal required.
	Resource
	// Trust: a role's assume-role policy: Principal required, no Resource.
	Trust
)

// Versions of the policy language.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect of a statement.
type Effect bool

const (
	Deny  Effect = false
	Allow Effect = true
)

func (e Effect) String() string {
	if e == Allow {
		return "Allow"
	}
	return "Deny"
}

// Policy is one parsed document.
type Policy struct {
	Version    string
	ID         string
	Statements []*Statement
	// vars is true when the version substitutes policy variables.
	vars bool
}

// Statement is one statement of a policy.
type Statement struct {
	Sid    string
	Effect Effect
	// Principal is nil when the statement has neither Principal nor
	// NotPrincipal; NotPrincipal says which of the two it was.
	Principal    *Principals
	NotPrincipal bool
	Actions      []string
	NotAction    bool
	Resources    []string // nil when the statement has none (trust policies)
	NotResource  bool
	Conditions   []*Condition
	// Index is the statement's position in its policy, from 0.
	Index int

	resVars bool // some resource holds a ${variable}
}

// Principals is a Principal or NotPrincipal element: "*" or values by type
// ("AWS", "Service", "Federated", "CanonicalUser").
type Principals struct {
	Any    bool
	Values map[string][]string
}

// Error is a document IAM refuses: the message is AWS's
// MalformedPolicyDocument message.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func malformed(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// Messages IAM answers with.
const (
	msgSyntax        = "Syntax errors in policy."
	msgNoActions     = "Policy statement must contain actions."
	msgNoResources   = "Policy statement must contain resources."
	msgNoPrincipal   = "Policy document should not specify a principal."
	msgNeedPrincipal = "Missing required field Principal"
	msgResInTrust    = "Has prohibited field Resource"
	msgSidUnique     = "Statement IDs (SID) in a single policy must be unique."
	msgVendor        = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgVersion       = "The policy failed legacy parsing"
)

// Parse reads a policy document of kind k and validates it as IAM does.
func Parse(doc string, k Kind) (*Policy, error) {
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	var raw map[string]any
	if err := d.Decode(&raw); err != nil || raw == nil {
		return nil, malformed(msgSyntax)
	}
	if d.More() {
		return nil, malformed(msgSyntax)
	}
	p := &Policy{Version: Version2008}
	for _, key := range sortedKeys(raw) {
		v := raw[key]
		switch key {
		case "Version":
			s, ok := v.(string)
			if !ok {
				return nil, malformed(msgSyntax)
			}
			if s != Version2012 && s != Version2008 {
				return nil, malformed(msgVersion)
			}
			p.Version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				return nil, malformed(msgSyntax)
			}
			p.ID = s
		case "Statement":
		default:
			return nil, malformed("Syntax errors in policy.")
		}
	}
	p.vars = p.Version == Version2012
	st, ok := raw["Statement"]
	if !ok {
		return nil, malformed(msgSyntax)
	}
	var list []any
	switch s := st.(type) {
	case []any:
		list = s
	case map[string]any:
		list = []any{s}
	default:
		return nil, malformed(msgSyntax)
	}
	if len(list) == 0 {
		return nil, malformed(msgSyntax)
	}
	sids := map[string]bool{}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, malformed(msgSyntax)
		}
		s, err := parseStatement(m, k, p.vars)
		if err != nil {
			return nil, err
		}
		s.Index = i
		if s.Sid != "" {
			if sids[s.Sid] {
				return nil, malformed(msgSidUnique)
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// MustParse is Parse for documents known to be valid (built-in policies, tests).
func MustParse(doc string, k Kind) *Policy {
	p, err := Parse(doc, k)
	if err != nil {
		panic("policy: " + err.Error() + ": " + doc)
	}
	return p
}

func parseStatement(m map[string]any, k Kind, vars bool) (*Statement, error) {
	s := &Statement{}
	var hasEffect, hasAction, hasResource, hasPrincipal bool
	for _, key := range sortedKeys(m) {
		v := m[key]
		switch key {
		case "Sid":
			str, ok := v.(string)
			if !ok {
				return nil, malformed(msgSyntax)
			}
			s.Sid = str
		case "Effect":
			str, _ := v.(string)
			switch str {
			case "Allow":
				s.Effect = Allow
			case "Deny":
				s.Effect = Deny
			default:
				return nil, malformed("Invalid effect: %s", str)
			}
			hasEffect = true
		case "Action", "NotAction":
			if hasAction {
				return nil, malformed(msgSyntax)
			}
			hasAction = true
			s.NotAction = key == "NotAction"
			list, err := stringList(v)
			if err != nil {
				return nil, err
			}
			for _, a := range list {
				if a == "*" {
					continue
				}
				i := strings.IndexByte(a, ':')
				if i <= 0 {
					return nil, malformed(msgVendor)
				}
				if !validVendor(a[:i]) {
					return nil, malformed("Vendor %s is not valid", a[:i])
				}
			}
			s.Actions = list
		case "Resource", "NotResource":
			if hasResource {
				return nil, malformed(msgSyntax)
			}
			hasResource = true
			s.NotResource = key == "NotResource"
			list, err := stringList(v)
			if err != nil {
				return nil, err
			}
			for _, r := range list {
				if r != "*" && !strings.HasPrefix(r, "arn:") {
					return nil, malformed("Resource %s must be in ARN format or \"*\".", r)
				}
				if r != "*" && strings.Count(r, ":") < 5 {
					return nil, malformed("Resource %s must be in ARN format or \"*\".", r)
				}
				if vars && strings.Contains(r, "${") {
					s.resVars = true
				}
			}
			s.Resources = list
		case "Principal", "NotPrincipal":
			if hasPrincipal {
				return nil, malformed(msgSyntax)
			}
			hasPrincipal = true
			s.NotPrincipal = key == "NotPrincipal"
			p, err := parsePrincipal(v)
			if err != nil {
				return nil, err
			}
			s.Principal = p
		case "Condition":
			cs, err := parseConditions(v, vars)
			if err != nil {
				return nil, err
			}
			s.Conditions = cs
		default:
			return nil, malformed(msgSyntax)
		}
	}
	if !hasEffect {
		return nil, malformed(msgSyntax)
	}
	if !hasAction {
		return nil, malformed(msgNoActions)
	}
	switch k {
	case Identity:
		if hasPrincipal {
			return nil, malformed(msgNoPrincipal)
		}
		if !hasResource {
			return nil, malformed(msgNoResources)
		}
	case Resource:
		if !hasPrincipal {
			return nil, malformed(msgNeedPrincipal)
		}
		if !hasResource {
			return nil, malformed(msgNoResources)
		}
	case Trust:
		if !hasPrincipal {
			return nil, malformed(msgNeedPrincipal)
		}
		if hasResource {
			return nil, malformed(msgResInTrust)
		}
	}
	return s, nil
}

func validVendor(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '*' || c == '?') {
			return false
		}
	}
	return true
}

// stringList reads a string or a list of strings (non-empty).
func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		if len(x) == 0 {
			return nil, malformed(msgSyntax)
		}
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, malformed(msgSyntax)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, malformed(msgSyntax)
}

func parsePrincipal(v any) (*Principals, error) {
	if s, ok := v.(string); ok {
		if s != "*" {
			return nil, malformed("Invalid principal in policy: %q", s)
		}
		return &Principals{Any: true}, nil
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, malformed(msgSyntax)
	}
	p := &Principals{Values: map[string][]string{}}
	for _, typ := range sortedKeys(m) {
		vals := m[typ]
		switch typ {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return nil, malformed("Invalid principal in policy: %q", typ)
		}
		list, err := stringList(vals)
		if err != nil {
			return nil, err
		}
		for _, id := range list {
			if typ == "AWS" && id != "*" && !isAccountID(id) && !strings.HasPrefix(id, "arn:") {
				b, _ := json.Marshal(id)
				return nil, malformed(`Invalid principal in policy: "AWS":%s`, b)
			}
		}
		p.Values[typ] = list
	}
	return p, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String gives the document back in IAM's canonical form (keys sorted).
func (p *Policy) String() string {
	var b bytes.Buffer
	b.WriteString(`{"Version":"` + p.Version + `","Statement":[`)
	for i, s := range p.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		m := map[string]any{"Effect": s.Effect.String()}
		if s.Sid != "" {
			m["Sid"] = s.Sid
		}
		key := func(base string, not bool) string {
			if not {
				return "Not" + base
			}
			return base
		}
		m[key("Action", s.NotAction)] = s.Actions
		if s.Resources != nil {
			m[key("Resource", s.NotResource)] = s.Resources
		}
		if s.Principal != nil {
			if s.Principal.Any {
				m[key("Principal", s.NotPrincipal)] = "*"
			} else {
				m[key("Principal", s.NotPrincipal)] = s.Principal.Values
			}
		}
		if len(s.Conditions) > 0 {
			c := map[string]map[string][]string{}
			for _, cond := range s.Conditions {
				name := cond.Operator
				if c[name] == nil {
					c[name] = map[string][]string{}
				}
				c[name][cond.Key] = cond.Values
			}
			m["Condition"] = c
		}
		out, _ := json.Marshal(m)
		b.Write(out)
	}
	b.WriteString("]}")
	return b.String()
}

// sortedKeys is m's keys in order, so that parsing is deterministic.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Tests says whether some statement of p has a condition on key (any case).
func (p *Policy) Tests(key string) bool {
	if p == nil {
		return false
	}
	for _, st := range p.Statements {
		for _, c := range st.Conditions {
			if strings.EqualFold(c.Key, key) {
				return true
			}
		}
	}
	return false
}

// TestsPrefix says whether some statement of p has a condition on a key
// beginning with prefix (any case): "aws:ResourceTag/".
func (p *Policy) TestsPrefix(prefix string) bool {
	if p == nil {
		return false
	}
	for _, st := range p.Statements {
		for _, c := range st.Conditions {
			if len(c.Key) >= len(prefix) && strings.EqualFold(c.Key[:len(prefix)], prefix) {
				return true
			}
		}
	}
	return false
}
