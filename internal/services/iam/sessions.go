package iam

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	stsapi "github.com/fogbank/fogbank/internal/api/sts"
	"github.com/fogbank/fogbank/internal/iam/policy"
)

// The STS side of identities: STS (internal/services/sts) issues temporary
// credentials through these methods, which IAM keeps with its access keys.

// Mode is how IAM decisions are applied to requests.
type Mode int

const (
	ModeOff     Mode = iota // decide nothing (LocalStack's habit)
	ModeLog                 // decide and log would-be denials, refuse nothing
	ModeEnforce             // refuse what policies do not allow
)

// SetEnforcement tells IAM whether requests are checked ("off", "log", "on");
// the server sets it before the first request, and puts Authorize in the
// gateway's chain unless it is off.
func (s *Service) SetEnforcement(mode string) error {
	switch mode {
	case "", "off":
		s.mode = ModeOff
	case "log":
		s.mode = ModeLog
	case "on":
		s.mode = ModeEnforce
	default:
		return fmt.Errorf("--enforce-iam: %q is not on, log or off", mode)
	}
	return nil
}

// allowAll is the identity of an account's root as the trust evaluation sees it.
var allowAll = lazy.Value[*policy.Policy]{New: func() *policy.Policy {
	return policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.Identity)
}}

func stsErr(status int, code, format string, args ...any) error {
	return api.Errorf(status, code, format, args...)
}

// sessionToken is an opaque token as long as AWS's short ones.
func sessionToken() string {
	var b [150]byte
	rand.Read(b[:])
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(b[:])
}

// parseRoleARN splits arn:aws:iam::ACCOUNT:role/path/name.
func parseRoleARN(arn string) (acct, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	res := parts[5]
	return parts[4], res[strings.LastIndexByte(res, '/')+1:], len(parts[4]) == 12
}

// AssumeRole issues a role session to the caller, if the role's trust policy
// (and, across accounts or through an account-wide trust, the caller's own
// policies) allow it. With IAM enforcement off, the role need not trust the
// caller (nor exist), as LocalStack lets anyone assume any role.
func (s *Service) AssumeRole(ctx context.Context, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	c := api.CallerFrom(ctx)
	roleARN, session := api.ToString(in.RoleArn), api.ToString(in.RoleSessionName)
	acct, name, ok := parseRoleARN(roleARN)
	if !ok {
		return nil, stsErr(400, "ValidationError", "%s is invalid", roleARN)
	}
	denied := func() error {
		arn := c.ARN
		return stsErr(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", arn, roleARN)
	}
	a, err := s.view(acct)
	if err != nil {
		return nil, err
	}
	role := a.Roles[strings.ToLower(name)]
	caller, err := s.IdentityOf(c)
	if err != nil {
		return nil, err
	}
	chained := caller.Principal.Kind == policy.AssumedRole
	duration := api.ToInt64(in.DurationSeconds)
	if duration == 0 {
		duration = 3600
	}
	roleID, roleFull, roleName := "AROA"+awsID(acct+name), roleARN, name
	if role != nil {
		roleID, roleFull, roleName = role.ID, roles.arn(acct, role), role.Name
		if duration > role.MaxSession {
			return nil, stsErr(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
	}
	if chained && duration > 3600 {
		return nil, stsErr(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	sessionDocs, err := sessionPolicies(a, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	if s.mode != ModeOff {
		if role == nil {
			if s.mode == ModeEnforce {
				return nil, denied()
			}
		} else if d := s.trustDecision(caller, role, roleFull, acct, in); !d.Allowed {
			s.log.Warn("iam: AssumeRole would be denied", "principal", caller.Principal.ARN, "role", roleFull)
			if s.mode == ModeEnforce {
				return nil, denied()
			}
		}
	}
	now := s.now().UTC().Truncate(1e9)
	cred := &Credential{ID: newKeyID("ASIA"), Secret: newSecret(), Account: acct, Created: now,
		Token: sessionToken(), Expires: now.Add(time.Duration(duration) * time.Second),
		RoleARN: roleFull, RoleID: roleID, RoleName: roleName, SessionName: session,
		SessionPolicies: sessionDocs, SessionTags: stsTags(in.Tags)}
	if err := s.putCredential(cred); err != nil {
		return nil, err
	}
	return &stsapi.AssumeRoleResponse{
		Credentials: &stsapi.Credentials{AccessKeyId: api.String(cred.ID), SecretAccessKey: api.String(cred.Secret),
			SessionToken: api.String(cred.Token), Expiration: &cred.Expires},
		AssumedRoleUser: &stsapi.AssumedRoleUser{AssumedRoleId: api.String(roleID + ":" + session), Arn: api.String(cred.ARN())},
		PackedPolicySize: func() *int64 {
			if len(sessionDocs) == 0 && len(in.Tags) == 0 {
				return nil
			}
			return api.Int64(int64(len(sessionDocs)+len(in.Tags)) * 6)
		}(),
	}, nil
}

// sessionPolicies are the session policies a request passes, checked.
func sessionPolicies(a *account, doc *string, arns []*stsapi.PolicyDescriptorType) ([]string, error) {
	var docs []string
	if d := api.ToString(doc); d != "" {
		if _, err := policy.Parse(d, policy.Identity); err != nil {
			return nil, &stsapi.MalformedPolicyDocumentException{Message: api.String(err.Error())}
		}
		if docSize(d) > 2048 {
			return nil, &stsapi.PackedPolicyTooLargeException{Message: api.String("Packed size of the session policy exceeds the limit.")}
		}
		docs = append(docs, d)
	}
	for _, pa := range arns {
		arn := api.ToString(pa.Arn)
		m, _, err := a.findPolicy(arn)
		if err != nil {
			return nil, stsErr(400, "ValidationError", "Policy %s does not exist or is not attachable.", arn)
		}
		docs = append(docs, m.defaultDoc())
	}
	return docs, nil
}

// trustDecision evaluates a role's trust policy for the caller: an account's
// root is evaluated as a principal allowed everything by its own policies, so
// that a trust naming its account lets it in (AWS itself refuses root callers;
// fogbank's test/test is root, and must be able to assume roles).
func (s *Service) trustDecision(caller *Identity, role *entity, roleARN, acct string, in *stsapi.AssumeRoleRequest) policy.Decision {
	trust, err := policy.Parse(role.Trust, policy.Trust)
	if err != nil {
		return policy.Decision{}
	}
	set := caller.Set
	set.Resource, set.ResourceRequired = trust, true
	pr := caller.Principal
	if pr.Kind == policy.Root {
		pr.Kind = policy.User
		set.Identity = []*policy.Policy{allowAll.Get()}
	}
	ctx := policy.Context{}
	for k, v := range caller.Context {
		ctx[k] = v
	}
	if e := api.ToString(in.ExternalId); e != "" {
		ctx.Set("sts:ExternalId", e)
	}
	ctx.Set("sts:RoleSessionName", api.ToString(in.RoleSessionName))
	ctx.Set("aws:CurrentTime", s.now().UTC().Format(time.RFC3339))
	ctx.Set("aws:EpochTime", fmt.Sprint(s.now().Unix()))
	var keys []string
	for _, t := range in.Tags {
		ctx.Set("aws:RequestTag/"+api.ToString(t.Key), api.ToString(t.Value))
		keys = append(keys, api.ToString(t.Key))
	}
	if len(keys) > 0 {
		ctx.Set("aws:TagKeys", keys...)
	}
	req := &policy.Request{Principal: pr, Action: "sts:AssumeRole", Resource: roleARN, ResourceAccount: acct, Context: ctx}
	d := policy.Evaluate(&set, req)
	if d.Allowed && len(in.Tags) > 0 {
		req.Action = "sts:TagSession"
		d = policy.Evaluate(&set, req)
	}
	return d
}

func stsTags(in []*stsapi.Tag) []tag {
	var out []tag
	for _, t := range in {
		out = append(out, tag{api.ToString(t.Key), api.ToString(t.Value)})
	}
	return out
}

// putCredential stores temporary credentials.
func (s *Service) putCredential(c *Credential) error {
	return s.update(c.Account, func(t *txn, _ *account) error { return t.putCred(c) })
}

// GetSessionToken issues temporary credentials for an IAM user or an
// account's root, with the same rights.
func (s *Service) GetSessionToken(ctx context.Context, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	c := api.CallerFrom(ctx)
	caller, err := s.IdentityOf(c)
	if err != nil {
		return nil, err
	}
	duration := api.ToInt64(in.DurationSeconds)
	cred := &Credential{ID: newKeyID("ASIA"), Secret: newSecret(), Account: c.Account, Token: sessionToken()}
	switch caller.Principal.Kind {
	case policy.AssumedRole:
		return nil, stsErr(403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	case policy.Root:
		cred.Root = true
		if duration == 0 {
			duration = 3600
		}
		if duration > 3600 {
			duration = 3600 // a root's session lasts at most an hour
		}
	default:
		orig := s.credential(c.AccessKeyID)
		cred.User = orig.User
		if duration == 0 {
			duration = 43200
		}
	}
	now := s.now().UTC().Truncate(1e9)
	cred.Created, cred.Expires = now, now.Add(time.Duration(duration)*time.Second)
	if err := s.putCredential(cred); err != nil {
		return nil, err
	}
	return &stsapi.GetSessionTokenResponse{Credentials: &stsapi.Credentials{AccessKeyId: api.String(cred.ID),
		SecretAccessKey: api.String(cred.Secret), SessionToken: api.String(cred.Token), Expiration: &cred.Expires}}, nil
}

// AccessKeyAccount is the account of an access key id IAM knows ("" if none).
func (s *Service) AccessKeyAccount(id string) string {
	if c := s.credential(id); c != nil {
		return c.Account
	}
	return ""
}

// denyAllDoc is the session policy of a service session whose role does not
// trust the service: the credentials work, but allow nothing.
const denyAllDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`

// ServiceCredentials issues temporary credentials of a role to a service
// that acts with it (Lambda's execution role: service
// "lambda.amazonaws.com", the function's name as session name), for 12
// hours. Without enforcement, ok is false for a role that does not exist (the
// service keeps the test credentials, LocalStack's habit). With it, a role
// that is missing or does not trust the service still gets a session, which
// every check then refuses, naming the role: what a user sees in AWS when
// the function cannot use its role.
func (s *Service) ServiceCredentials(roleARN, service, session string) (key, secret, token string, ok bool) {
	acct, name, valid := parseRoleARN(roleARN)
	if !valid {
		return "", "", "", false
	}
	a, err := s.view(acct)
	if err != nil {
		return "", "", "", false
	}
	role := a.Roles[strings.ToLower(name)]
	if role == nil && s.mode == ModeOff {
		return "", "", "", false
	}
	now := s.now().UTC().Truncate(1e9)
	cred := &Credential{ID: newKeyID("ASIA"), Secret: newSecret(), Account: acct, Created: now,
		Token: sessionToken(), Expires: now.Add(12 * time.Hour), RoleARN: roleARN,
		RoleID: "AROA" + awsID(acct+name), RoleName: name, SessionName: session}
	if role != nil {
		cred.RoleARN, cred.RoleID, cred.RoleName = roles.arn(acct, role), role.ID, role.Name
		if s.mode != ModeOff && !s.trusts(role, service) {
			s.log.Warn("iam: the role does not trust the service; its session allows nothing", "role", cred.RoleARN, "service", service)
			cred.SessionPolicies = []string{denyAllDoc}
		}
	}
	if len(session) > 64 {
		cred.SessionName = session[:64]
	}
	if err := s.putCredential(cred); err != nil {
		return "", "", "", false
	}
	return cred.ID, cred.Secret, cred.Token, true
}

// trusts says whether a role's trust policy lets a service assume it.
func (s *Service) trusts(role *entity, service string) bool {
	trust, err := policy.Parse(role.Trust, policy.Trust)
	if err != nil {
		return false
	}
	set := policy.Set{Resource: trust, ResourceRequired: true}
	req := &policy.Request{Principal: policy.Principal{Kind: policy.ServicePrincipal, Service: service},
		Action: "sts:AssumeRole", Resource: "*", Context: policy.Context{}} // trust statements name no resource
	return policy.Evaluate(&set, req).Allowed
}

// AssumeRoleWithWebIdentity issues a role session to the user of an OpenID
// Connect (or OAuth 2.0) identity provider, if the role's trust policy lets
// the token's provider (Principal "Federated": the issuer's OIDC provider
// ARN, or accounts.google.com, cognito-identity.amazonaws.com,
// www.amazon.com, graph.facebook.com) and its claims (conditions on
// "<issuer>:sub", "<issuer>:aud", "<issuer>:amr") in. fogbank reads the
// token's claims WITHOUT verifying its signature or its issuer: any
// well-formed JWT is taken at its word, as a local emulator has no provider
// to ask. Its expiry (exp) is checked.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityRequest) (*stsapi.AssumeRoleWithWebIdentityResponse, error) {
	roleARN, session := api.ToString(in.RoleArn), api.ToString(in.RoleSessionName)
	acct, name, ok := parseRoleARN(roleARN)
	if !ok {
		return nil, stsErr(400, "ValidationError", "%s is invalid", roleARN)
	}
	claims, err := jwtClaims(api.ToString(in.WebIdentityToken))
	if err != nil {
		return nil, &stsapi.InvalidIdentityTokenException{Message: api.String("Couldn't parse the identity token: " + err.Error())}
	}
	now := s.now().UTC().Truncate(1e9)
	if claims.Exp != 0 && now.Unix() >= claims.Exp {
		return nil, &stsapi.ExpiredTokenException{Message: api.String(fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), claims.Exp))}
	}
	issuer := strings.TrimPrefix(claims.Iss, "https://")
	provider := issuer
	if p := api.ToString(in.ProviderId); p != "" {
		provider = p // OAuth 2.0 providers: www.amazon.com, graph.facebook.com
	}
	if provider == "" {
		return nil, &stsapi.InvalidIdentityTokenException{Message: api.String("No OpenIDConnect provider found in your account for " + claims.Iss)}
	}
	keys := policy.Context{}
	keys.Set(provider+":sub", claims.Sub)
	if len(claims.Aud) > 0 {
		keys.Set(provider+":aud", claims.Aud...)
	}
	if len(claims.Amr) > 0 {
		keys.Set(provider+":amr", claims.Amr...)
	}
	keys.Set("aws:FederatedProvider", provider)
	cred, sessionDocs, err := s.assumeFederated(fedRequest{acct: acct, name: name, roleARN: roleARN, session: session,
		duration: api.ToInt64(in.DurationSeconds), policy: in.Policy, policyArns: in.PolicyArns,
		action: "sts:AssumeRoleWithWebIdentity", context: keys,
		providers: []string{provider, "arn:aws:iam::" + acct + ":oidc-provider/" + provider}})
	if err != nil {
		return nil, err
	}
	roleID := cred.RoleID
	out := &stsapi.AssumeRoleWithWebIdentityResponse{
		Credentials: &stsapi.Credentials{AccessKeyId: api.String(cred.ID), SecretAccessKey: api.String(cred.Secret),
			SessionToken: api.String(cred.Token), Expiration: &cred.Expires},
		AssumedRoleUser:             &stsapi.AssumedRoleUser{AssumedRoleId: api.String(roleID + ":" + session), Arn: api.String(cred.ARN())},
		SubjectFromWebIdentityToken: api.String(claims.Sub),
		Provider:                    api.String(claims.Iss),
	}
	if len(claims.Aud) > 0 {
		out.Audience = api.String(claims.Aud[0])
	}
	if len(sessionDocs) > 0 {
		out.PackedPolicySize = api.Int64(int64(len(sessionDocs)) * 6)
	}
	return out, nil
}

// fedRequest is a federated user's request for a role session.
type fedRequest struct {
	acct, name, roleARN, session string
	duration                     int64
	policy                       *string
	policyArns                   []*stsapi.PolicyDescriptorType
	action                       string   // sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML
	providers                    []string // the Federated principal's names
	context                      policy.Context
}

// assumeFederated evaluates the role's trust policy for a federated
// principal (when enforcing) and issues the session.
func (s *Service) assumeFederated(r fedRequest) (*Credential, []string, error) {
	a, err := s.view(r.acct)
	if err != nil {
		return nil, nil, err
	}
	role := a.Roles[strings.ToLower(r.name)]
	duration := r.duration
	if duration == 0 {
		duration = 3600
	}
	roleID, roleFull, roleName := "AROA"+awsID(r.acct+r.name), r.roleARN, r.name
	if role != nil {
		roleID, roleFull, roleName = role.ID, roles.arn(r.acct, role), role.Name
		if duration > role.MaxSession {
			return nil, nil, stsErr(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
	}
	sessionDocs, err := sessionPolicies(a, r.policy, r.policyArns)
	if err != nil {
		return nil, nil, err
	}
	now := s.now().UTC().Truncate(1e9)
	if s.mode != ModeOff {
		allowed := false
		if role != nil {
			if trust, err := policy.Parse(role.Trust, policy.Trust); err == nil {
				ctx := r.context
				ctx.Set("sts:RoleSessionName", r.session)
				ctx.Set("aws:CurrentTime", now.Format(time.RFC3339))
				ctx.Set("aws:EpochTime", fmt.Sprint(now.Unix()))
				pr := policy.Principal{Kind: policy.Federated, ARN: r.providers[0], Account: r.acct, Providers: r.providers}
				set := policy.Set{Resource: trust, ResourceRequired: true}
				d := policy.Evaluate(&set, &policy.Request{Principal: pr, Action: r.action,
					Resource: roleFull, ResourceAccount: r.acct, Context: ctx})
				allowed = d.Allowed
			}
		}
		if !allowed {
			s.log.Warn("iam: federated AssumeRole would be denied", "action", r.action, "provider", r.providers[0], "role", roleFull)
			if s.mode == ModeEnforce {
				return nil, nil, stsErr(403, "AccessDenied", "Not authorized to perform %s", r.action)
			}
		}
	}
	cred := &Credential{ID: newKeyID("ASIA"), Secret: newSecret(), Account: r.acct, Created: now,
		Token: sessionToken(), Expires: now.Add(time.Duration(duration) * time.Second),
		RoleARN: roleFull, RoleID: roleID, RoleName: roleName, SessionName: r.session, SessionPolicies: sessionDocs}
	if err := s.putCredential(cred); err != nil {
		return nil, nil, err
	}
	return cred, sessionDocs, nil
}

// webClaims are the claims of a web identity token that STS reads.
type webClaims struct {
	Iss, Sub string
	Aud, Amr []string
	Exp      int64
}

// jwtClaims decodes a JWT's payload (header.payload.signature, base64url),
// without checking its signature.
func jwtClaims(tok string) (*webClaims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JSON Web Token")
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("bad payload encoding")
	}
	var raw struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Amr json.RawMessage `json:"amr"`
		Exp json.Number     `json:"exp"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("bad payload")
	}
	c := &webClaims{Iss: raw.Iss, Sub: raw.Sub, Aud: stringOrList(raw.Aud), Amr: stringOrList(raw.Amr)}
	if raw.Exp != "" {
		f, err := raw.Exp.Float64()
		if err != nil {
			return nil, fmt.Errorf("bad exp")
		}
		c.Exp = int64(f)
	}
	return c, nil
}

func stringOrList(m json.RawMessage) []string {
	var one string
	if json.Unmarshal(m, &one) == nil && one != "" {
		return []string{one}
	}
	var list []string
	json.Unmarshal(m, &list)
	return list
}

// AssumeRoleWithSAML issues a role session to the user a SAML 2.0
// authentication response names, if the role's trust policy lets the
// identity provider (Principal "Federated": the PrincipalArn,
// arn:aws:iam::<account>:saml-provider/<name>) and the assertion's claims
// (SAML:aud, SAML:iss, SAML:sub, SAML:sub_type, SAML:namequalifier) in. As
// for web identities, fogbank does NOT verify the response's signature nor
// that the provider exists: the assertion is taken at its word; its
// NotOnOrAfter is checked. The session's name is the assertion's
// https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute.
func (s *Service) AssumeRoleWithSAML(ctx context.Context, in *stsapi.AssumeRoleWithSAMLRequest) (*stsapi.AssumeRoleWithSAMLResponse, error) {
	roleARN, providerARN := api.ToString(in.RoleArn), api.ToString(in.PrincipalArn)
	acct, name, ok := parseRoleARN(roleARN)
	if !ok {
		return nil, stsErr(400, "ValidationError", "%s is invalid", roleARN)
	}
	a, err := samlAssertion(api.ToString(in.SAMLAssertion))
	if err != nil {
		return nil, &stsapi.InvalidIdentityTokenException{Message: api.String(err.Error())}
	}
	now := s.now().UTC()
	if !a.notOnOrAfter.IsZero() && !now.Before(a.notOnOrAfter) {
		return nil, &stsapi.ExpiredTokenException{Message: api.String("Response is expired")}
	}
	if a.session == "" {
		return nil, &stsapi.InvalidIdentityTokenException{Message: api.String("RoleSessionName is required in AuthnResponse")}
	}
	// SAML:namequalifier is, as AWS computes it, the Base64 of the SHA-1 of
	// the issuer, the account id and the provider's name, concatenated.
	provName := providerARN[strings.LastIndexByte(providerARN, '/')+1:]
	sum := sha1.Sum([]byte(a.issuer + acct + provName))
	qualifier := base64.StdEncoding.EncodeToString(sum[:])
	keys := policy.Context{}
	keys.Set("SAML:aud", a.audience)
	keys.Set("SAML:iss", a.issuer)
	keys.Set("SAML:sub", a.subject)
	keys.Set("SAML:sub_type", a.subjectType)
	keys.Set("SAML:namequalifier", qualifier)
	keys.Set("aws:FederatedProvider", providerARN)
	cred, sessionDocs, err := s.assumeFederated(fedRequest{acct: acct, name: name, roleARN: roleARN, session: a.session,
		duration: api.ToInt64(in.DurationSeconds), policy: in.Policy, policyArns: in.PolicyArns,
		action: "sts:AssumeRoleWithSAML", context: keys, providers: []string{providerARN}})
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleWithSAMLResponse{
		Credentials: &stsapi.Credentials{AccessKeyId: api.String(cred.ID), SecretAccessKey: api.String(cred.Secret),
			SessionToken: api.String(cred.Token), Expiration: &cred.Expires},
		AssumedRoleUser: &stsapi.AssumedRoleUser{AssumedRoleId: api.String(cred.RoleID + ":" + a.session), Arn: api.String(cred.ARN())},
		Subject:         api.String(a.subject), SubjectType: api.String(a.subjectType), Issuer: api.String(a.issuer),
		Audience: api.String(a.audience), NameQualifier: api.String(qualifier),
	}
	if len(sessionDocs) > 0 {
		out.PackedPolicySize = api.Int64(int64(len(sessionDocs)) * 6)
	}
	return out, nil
}

// saml is what STS reads of a SAML response.
type saml struct {
	issuer, subject, subjectType, audience, session string
	notOnOrAfter                                    time.Time
}

// samlAssertion decodes a base64 SAML 2.0 Response, without checking its
// signature. SAML:sub_type is the NameID format's last word (persistent,
// transient) or the whole format URI.
func samlAssertion(b64 string) (*saml, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, fmt.Errorf("Invalid base64 SAML response")
	}
	var doc struct {
		Issuer    string `xml:"Issuer"`
		Assertion struct {
			Issuer  string `xml:"Issuer"`
			Subject struct {
				NameID struct {
					Format string `xml:"Format,attr"`
					Value  string `xml:",chardata"`
				} `xml:"NameID"`
				Confirmation struct {
					Data struct {
						Recipient    string `xml:"Recipient,attr"`
						NotOnOrAfter string `xml:"NotOnOrAfter,attr"`
					} `xml:"SubjectConfirmationData"`
				} `xml:"SubjectConfirmation"`
			} `xml:"Subject"`
			Conditions struct {
				NotOnOrAfter string   `xml:"NotOnOrAfter,attr"`
				Audience     []string `xml:"AudienceRestriction>Audience"`
			} `xml:"Conditions"`
			Attributes []struct {
				Name   string   `xml:"Name,attr"`
				Values []string `xml:"AttributeValue"`
			} `xml:"AttributeStatement>Attribute"`
		} `xml:"Assertion"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("Invalid SAML response: not a SAML 2.0 Response document")
	}
	as := &doc.Assertion
	out := &saml{issuer: strings.TrimSpace(as.Issuer), subject: strings.TrimSpace(as.Subject.NameID.Value),
		subjectType: as.Subject.NameID.Format, audience: as.Subject.Confirmation.Data.Recipient}
	if out.issuer == "" {
		out.issuer = strings.TrimSpace(doc.Issuer)
	}
	if i := strings.LastIndexByte(out.subjectType, ':'); i >= 0 {
		switch t := out.subjectType[i+1:]; t {
		case "persistent", "transient":
			out.subjectType = t
		}
	}
	if out.audience == "" && len(as.Conditions.Audience) > 0 {
		out.audience = as.Conditions.Audience[0]
	}
	for _, t := range []string{as.Subject.Confirmation.Data.NotOnOrAfter, as.Conditions.NotOnOrAfter} {
		if t == "" {
			continue
		}
		at, err := time.Parse(time.RFC3339, t)
		if err != nil {
			return nil, fmt.Errorf("Invalid SAML response: bad NotOnOrAfter %q", t)
		}
		if out.notOnOrAfter.IsZero() || at.Before(out.notOnOrAfter) {
			out.notOnOrAfter = at
		}
	}
	for _, at := range as.Attributes {
		if at.Name == "https://aws.amazon.com/SAML/Attributes/RoleSessionName" && len(at.Values) > 0 {
			out.session = strings.TrimSpace(at.Values[0])
		}
	}
	return out, nil
}
