package iam

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/gateway"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/iam/actions"
	"github.com/fogbank/fogbank/internal/iam/policy"
	"github.com/fogbank/fogbank/internal/protocol"
)

// Enforcement: one interceptor in the gateway's chain, for every operation of
// every service. It maps the operation to its IAM action and resource
// (internal/iam/actions), evaluates the caller's policies (and the bucket's
// policy for S3) and refuses, or in ModeLog only logs, what they do not
// allow. An account's root is not restricted in its own account; anonymous
// requests are the services' own business (S3's bucket policies and ACLs).

// bucketPolicies is what enforcement needs of S3.
type bucketPolicies interface {
	// BucketPolicy answers a bucket's owner and policy ("" when it has none);
	// ok is false for a bucket that does not exist.
	BucketPolicy(bucket string) (owner, doc string, ok bool)
	// ObjectTags answers an object's tags, for s3:ExistingObjectTag/<key>.
	ObjectTags(bucket, key string) (tags map[string]string, ok bool)
}

// partitionKeys is what enforcement needs of DynamoDB: a table's partition
// key attribute, for dynamodb:LeadingKeys.
type partitionKeys interface {
	PartitionKey(acct, region, table string) (name string, ok bool)
}

// resourceTags is what enforcement needs of a service whose resources have
// tags, for aws:ResourceTag/<key>.
type resourceTags interface {
	ResourceTags(arn string) (tags map[string]string, ok bool)
}

// Start looks up the services whose resource policies and resources take part.
func (s *Service) Start(context.Context) error {
	if s.env != nil {
		if bp, err := host.Lookup[bucketPolicies](s.env, "s3"); err == nil {
			s.buckets = bp
		}
		if pk, err := host.Lookup[partitionKeys](s.env, "dynamodb"); err == nil {
			s.tables = pk
		}
		// The services whose resources' tags aws:ResourceTag reads, by the
		// service of their ARNs.
		s.taggers = map[string]resourceTags{}
		for _, svc := range []string{"s3", "dynamodb"} {
			if rt, err := host.Lookup[resourceTags](s.env, svc); err == nil {
				s.taggers[svc] = rt
			}
		}
	}
	return nil
}

// parsedDocs caches parsed resource policies by their text.
var parsedDocs sync.Map // string → *policy.Policy (nil when invalid)

func parseCached(doc string, k policy.Kind) *policy.Policy {
	if v, ok := parsedDocs.Load(doc); ok {
		p, _ := v.(*policy.Policy)
		return p
	}
	p, err := policy.Parse(doc, k)
	if err != nil {
		p = nil
	}
	parsedDocs.Store(doc, p)
	return p
}

// Authorize is the enforcement step; the server puts it first in the
// gateway's chain when enforcement is on (SetMode).
func (s *Service) Authorize(ctx context.Context, inv *gateway.Invocation, next gateway.Handler) (any, error) {
	c := inv.Caller
	if s.mode == ModeOff || c == nil || c.Anonymous || inv.Operation == "" {
		return next(ctx, inv)
	}
	id, err := s.IdentityOf(c)
	if err != nil {
		return nil, err
	}
	if id.Principal.Kind == policy.Root {
		return next(ctx, inv)
	}
	ar := &actions.Request{Service: inv.Service.SigningName, Operation: inv.Operation,
		Input: inv.Input, Account: c.Account, Region: c.Region}
	if id.leadingKeys && s.tables != nil {
		ar.PartitionKey = func(table string) string {
			name, _ := s.tables.PartitionKey(c.Account, c.Region, table)
			return name
		}
	}
	checks := actions.For(ar)
	if len(checks) == 0 {
		return next(ctx, inv)
	}
	base := [2]policy.Context{id.Context, s.globalKeys(c.Region)}
	for i := range checks {
		ch := &checks[i]
		set := id.Set
		req := policy.Request{Principal: id.Principal, Action: ch.Action, Resource: ch.Resource,
			Context: ch.Context, Base: base[:]}
		if id.resourceTags {
			s.addResourceTags(&req, ch.Resource)
		}
		if id.objectTags && ch.Bucket != "" && s.buckets != nil {
			if _, key, isObject := strings.Cut(strings.TrimPrefix(ch.Resource, "arn:aws:s3:::"), "/"); isObject {
				if tags, ok := s.buckets.ObjectTags(ch.Bucket, key); ok {
					addKeys(&req, "s3:ExistingObjectTag/", tags)
				}
			}
		}
		if ch.Bucket != "" && s.buckets != nil {
			// Across accounts S3 applies the bucket's side itself (policy and
			// ACLs); within the account its policy may grant or deny here.
			if owner, doc, ok := s.buckets.BucketPolicy(ch.Bucket); ok && owner == c.Account && doc != "" {
				set.Resource = parseCached(doc, policy.Resource)
			}
		}
		d := policy.Evaluate(&set, &req)
		if d.Allowed {
			continue
		}
		msg := d.Message(id.Principal.ARN, ch.Action, ch.Resource, inv.Service.SigningName == "s3")
		if s.mode == ModeLog {
			s.log.Warn("iam: would deny (--enforce-iam=log)", "principal", id.Principal.ARN,
				"action", ch.Action, "resource", ch.Resource, "reason", msg)
			continue
		}
		s.log.Info("iam: denied", "principal", id.Principal.ARN, "action", ch.Action, "resource", ch.Resource)
		return nil, accessDenied(inv.Service, msg)
	}
	return next(ctx, inv)
}

// addResourceTags puts the tags of a request's resource in its context
// (aws:ResourceTag/<key>), when its service answers them.
func (s *Service) addResourceTags(req *policy.Request, resource string) {
	parts := strings.SplitN(resource, ":", 4)
	if len(parts) < 4 || parts[0] != "arn" {
		return
	}
	rt := s.taggers[parts[2]]
	if rt == nil {
		return
	}
	tags, ok := rt.ResourceTags(resource)
	if ok {
		addKeys(req, "aws:ResourceTag/", tags)
	}
}

// addKeys puts prefix+key = value in a request's context for each tag, in a
// copy: the context it had is never changed in place.
func addKeys(req *policy.Request, prefix string, tags map[string]string) {
	if len(tags) == 0 {
		return
	}
	ctx := make(policy.Context, len(req.Context)+len(tags))
	for k, v := range req.Context {
		ctx[k] = v
	}
	for k, v := range tags {
		ctx.Set(prefix+k, v)
	}
	req.Context = ctx
}

// globals are the global condition keys every request carries, shared by the
// requests of one second and region rather than built for each.
type globals struct {
	sec    int64
	region string
	ctx    policy.Context
}

func (s *Service) globalKeys(region string) policy.Context {
	now := s.now()
	if g := s.globals.Load(); g != nil && g.sec == now.Unix() && g.region == region {
		return g.ctx
	}
	ctx := policy.Context{}
	ctx.Set("aws:CurrentTime", now.UTC().Truncate(time.Second).Format(time.RFC3339))
	ctx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	ctx.Set("aws:RequestedRegion", region)
	ctx.Set("aws:SecureTransport", "false")
	ctx.Set("aws:SourceIp", "127.0.0.1")
	s.globals.Store(&globals{sec: now.Unix(), region: region, ctx: ctx})
	return ctx
}

// accessDenied is the refusal in the service's words: S3's and the query
// services' AccessDenied (403), the JSON services' AccessDeniedException
// (400; 403 for rest-json services such as Lambda).
func accessDenied(svc *api.Service, msg string) error {
	switch {
	case svc.SigningName == "s3":
		return api.Errorf(http.StatusForbidden, "AccessDenied", "%s", msg)
	case svc.HasProtocol(protocol.JSON) && !svc.HasProtocol(protocol.Query):
		return api.Errorf(http.StatusBadRequest, "AccessDeniedException", "%s", msg)
	case svc.HasProtocol(protocol.RestJSON):
		return api.Errorf(http.StatusForbidden, "AccessDeniedException", "%s", msg)
	}
	return api.Errorf(http.StatusForbidden, "AccessDenied", "%s", msg)
}

// Enforcing tells whether IAM refuses what policies do not allow
// (--enforce-iam=on), for services that check requests the gateway does not
// see: they refuse unknown access keys too.
func (s *Service) Enforcing() bool { return s.mode == ModeEnforce }

// AuthorizeAction is enforcement for a request the gateway does not see
// (Lambda's function URLs with AuthType AWS_IAM): whether c may do action on
// resource (an ARN), with conds as the request's condition keys and
// resourcePolicy as the resource's own policy ("" when it has none). It
// answers nil when allowed, when enforcement is off, and in ModeLog (which
// logs); else the denial's message as the rest of enforcement words it.
func (s *Service) AuthorizeAction(c *api.Caller, action, resource, resourcePolicy string, conds map[string][]string) error {
	if s.mode == ModeOff || c == nil || c.Anonymous {
		return nil
	}
	id, err := s.IdentityOf(c)
	if err != nil {
		return err
	}
	if id.Principal.Kind == policy.Root && arnAccount(resource) == c.Account {
		return nil
	}
	ctx := policy.Context{}
	for k, v := range conds {
		ctx.Set(k, v...)
	}
	base := [2]policy.Context{id.Context, s.globalKeys(c.Region)}
	set := id.Set
	if resourcePolicy != "" {
		set.Resource = parseCached(resourcePolicy, policy.Resource)
	}
	req := policy.Request{Principal: id.Principal, Action: action, Resource: resource, Context: ctx, Base: base[:],
		ResourceAccount: arnAccount(resource)}
	if id.resourceTags {
		s.addResourceTags(&req, resource)
	}
	d := policy.Evaluate(&set, &req)
	if d.Allowed {
		return nil
	}
	msg := d.Message(id.Principal.ARN, action, resource, false)
	if s.mode == ModeLog {
		s.log.Warn("iam: would deny (--enforce-iam=log)", "principal", id.Principal.ARN,
			"action", action, "resource", resource, "reason", msg)
		return nil
	}
	s.log.Info("iam: denied", "principal", id.Principal.ARN, "action", action, "resource", resource, "reason", msg)
	return errors.New(msg)
}

// arnAccount is the account field of an ARN ("" when it has none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
