package s3

import (
	"context"
	"net/http"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// ACLs are stored and returned as set; fogbank does not enforce them yet (that
// comes with IAM), so they change what GetBucketAcl/GetObjectAcl answer only.

type aclRec struct {
	Owner  string     `json:"owner"` // account
	Grants []grantRec `json:"grants"`
}

type grantRec struct {
	Type    string `json:"type"` // CanonicalUser, Group, AmazonCustomerByEmail
	ID      string `json:"id,omitempty"`
	URI     string `json:"uri,omitempty"`
	Email   string `json:"email,omitempty"`
	Display string `json:"display,omitempty"`
	Perm    string `json:"perm"`
}

const (
	allUsers  = "http://acs.amazonaws.com/groups/global/AllUsers"
	authUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	logGroup  = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

type grantHeaders struct {
	FullControl, Read, ReadACP, Write, WriteACP *string
}

func (g grantHeaders) any() bool {
	return g.FullControl != nil || g.Read != nil || g.ReadACP != nil || g.Write != nil || g.WriteACP != nil
}

func ownerGrant(account string) grantRec {
	return grantRec{Type: "CanonicalUser", ID: canonicalID(account), Display: displayName(account), Perm: "FULL_CONTROL"}
}

// bucketOwnerID stands for the bucket owner's canonical id in a canned ACL
// built before the bucket was read; bindBucketOwner replaces it.
const bucketOwnerID = "${bucket-owner}"

// bindBucketOwner resolves the bucket-owner grants of bucket-owner-read and
// bucket-owner-full-control; they vanish when the bucket owner owns the object.
func (a *aclRec) bindBucketOwner(bucketAccount string) {
	if a == nil {
		return
	}
	out := a.Grants[:0]
	for _, g := range a.Grants {
		if g.ID == bucketOwnerID {
			if bucketAccount == a.Owner {
				continue
			}
			g.ID, g.Display = canonicalID(bucketAccount), displayName(bucketAccount)
		}
		out = append(out, g)
	}
	a.Grants = out
}

// cannedACL expands a canned ACL name. S3 lists group grants before the
// owner's, and clients (ceph/s3-tests) depend on that order.
func cannedACL(account, name string, bucket bool) (*aclRec, error) {
	a := &aclRec{Owner: account}
	group := func(uri, perm string) { a.Grants = append(a.Grants, grantRec{Type: "Group", URI: uri, Perm: perm}) }
	var extra []grantRec
	switch name {
	case "private", "aws-exec-read":
	case "bucket-owner-read":
		extra = []grantRec{{Type: "CanonicalUser", ID: bucketOwnerID, Perm: "READ"}}
	case "bucket-owner-full-control":
		extra = []grantRec{{Type: "CanonicalUser", ID: bucketOwnerID, Perm: "FULL_CONTROL"}}
	case "public-read":
		group(allUsers, "READ")
	case "public-read-write":
		group(allUsers, "READ")
		group(allUsers, "WRITE")
	case "authenticated-read":
		group(authUsers, "READ")
	case "log-delivery-write":
		if !bucket {
			return nil, errInvalidArgument("", "x-amz-acl", name)
		}
		group(logGroup, "WRITE")
		group(logGroup, "READ_ACP")
	default:
		return nil, errInvalidArgument("", "x-amz-acl", name)
	}
	a.Grants = append(a.Grants, ownerGrant(account))
	a.Grants = append(a.Grants, extra...)
	return a, nil
}

// parseGrantHeader reads `id="…", uri="…", emailAddress="…"` lists.
func parseGrantHeader(v, perm string) ([]grantRec, error) {
	var out []grantRec
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, errInvalidArgument("Invalid grant header", "x-amz-grant-"+strings.ToLower(perm), v)
		}
		val = strings.Trim(strings.TrimSpace(val), `"`)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "id":
			out = append(out, grantRec{Type: "CanonicalUser", ID: val, Perm: perm})
		case "uri":
			out = append(out, grantRec{Type: "Group", URI: val, Perm: perm})
		case "emailaddress":
			out = append(out, grantRec{Type: "AmazonCustomerByEmail", Email: val, Perm: perm})
		default:
			return nil, errInvalidArgument("Argument format not recognized", "x-amz-grant-"+strings.ToLower(perm), v)
		}
	}
	return out, nil
}

// aclFromRequest builds the ACL a create request asks for (nil: the default,
// owner full control). A canned ACL and grant headers together are an error.
func aclFromRequest(account string, canned *string, g grantHeaders, bucket bool) (*aclRec, error) {
	if canned != nil && g.any() {
		return nil, errInvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
	}
	if canned != nil {
		return cannedACL(account, *canned, bucket)
	}
	if !g.any() {
		return nil, nil
	}
	a := &aclRec{Owner: account}
	for _, h := range []struct {
		v    *string
		perm string
	}{{g.FullControl, "FULL_CONTROL"}, {g.Read, "READ"}, {g.ReadACP, "READ_ACP"}, {g.Write, "WRITE"}, {g.WriteACP, "WRITE_ACP"}} {
		if h.v == nil {
			continue
		}
		gs, err := parseGrantHeader(*h.v, h.perm)
		if err != nil {
			return nil, err
		}
		a.Grants = append(a.Grants, gs...)
	}
	return a, nil
}

// aclFromPolicy converts an AccessControlPolicy body, validating it.
func aclFromPolicy(account string, p *s3api.AccessControlPolicy) (*aclRec, error) {
	a := &aclRec{Owner: account}
	if p.Owner != nil && p.Owner.ID != nil && *p.Owner.ID != canonicalID(account) {
		return nil, errAccessDenied()
	}
	for _, g := range p.Grants {
		if g == nil || g.Grantee == nil || g.Permission == nil {
			return nil, errMalformedACL()
		}
		switch *g.Permission {
		case "FULL_CONTROL", "READ", "READ_ACP", "WRITE", "WRITE_ACP":
		default:
			return nil, errMalformedACL()
		}
		gr := grantRec{Type: api.ToString(g.Grantee.Type), Perm: *g.Permission}
		switch gr.Type {
		case "CanonicalUser":
			gr.ID = api.ToString(g.Grantee.ID)
			if gr.ID == "" {
				return nil, errInvalidArgument("Invalid id", "CanonicalUser/ID", "")
			}
			gr.Display = api.ToString(g.Grantee.DisplayName)
		case "Group":
			gr.URI = api.ToString(g.Grantee.URI)
		case "AmazonCustomerByEmail":
			gr.Email = api.ToString(g.Grantee.EmailAddress)
			if gr.Email == "" {
				return nil, errMalformedACL()
			}
		default:
			return nil, errMalformedACL()
		}
		a.Grants = append(a.Grants, gr)
	}
	return a, nil
}

func errMalformedACL() error {
	return api.Errorf(http.StatusBadRequest, "MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema")
}

func aclOut(a *aclRec, owner string) (*s3api.Owner, []*s3api.Grant) {
	if a == nil {
		a = &aclRec{Owner: owner, Grants: []grantRec{ownerGrant(owner)}}
	}
	grants := []*s3api.Grant{}
	// Group grants come first, as S3 lists them (clients compare in order).
	ordered := make([]grantRec, 0, len(a.Grants))
	for _, g := range a.Grants {
		if g.Type == "Group" {
			ordered = append(ordered, g)
		}
	}
	for _, g := range a.Grants {
		if g.Type != "Group" {
			ordered = append(ordered, g)
		}
	}
	for _, g := range ordered {
		ge := &s3api.Grantee{Type: api.String(g.Type)}
		if g.ID != "" {
			ge.ID = api.String(g.ID)
			if g.Display != "" {
				ge.DisplayName = api.String(g.Display)
			} else if g.ID == canonicalID(a.Owner) {
				ge.DisplayName = api.String(displayName(a.Owner))
			}
		}
		if g.URI != "" {
			ge.URI = api.String(g.URI)
		}
		if g.Email != "" {
			ge.EmailAddress = api.String(g.Email)
		}
		grants = append(grants, &s3api.Grant{Grantee: ge, Permission: api.String(g.Perm)})
	}
	return ownerOf(a.Owner), grants
}

// GetBucketAcl answers the bucket's ACL.
func (s *Service) GetBucketAcl(ctx context.Context, in *s3api.GetBucketAclRequest) (*s3api.GetBucketAclOutput, error) {
	b, err := s.viewAuthorized(ctx, api.ToString(in.Bucket), "s3:GetBucketAcl", permReadACP)
	if err != nil {
		return nil, s.internal("GetBucketAcl", err)
	}
	o, g := aclOut(b.ACL, b.Account)
	return &s3api.GetBucketAclOutput{Owner: o, Grants: g}, nil
}

// PutBucketAcl sets the bucket's ACL from a canned ACL, grant headers or a body.
func (s *Service) PutBucketAcl(ctx context.Context, in *s3api.PutBucketAclRequest) (*s3api.PutBucketAclOutput, error) {
	name := api.ToString(in.Bucket)
	err := s.st.Update(func(tx *store.Tx) error {
		b, err := getBucket(tx, name)
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, nil, "", "s3:PutBucketAcl", permWriteACP); err != nil {
			return err
		}
		acl, err := aclInput(b.Account, in.ACL, grantHeaders{in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP}, in.AccessControlPolicy, true)
		if err != nil {
			return err
		}
		if err := checkPublicACL(tx, b.Name, acl); err != nil {
			return err
		}
		if own, err := ownership(tx, b.Name); err != nil {
			return err
		} else if own == "BucketOwnerEnforced" && !(in.ACL != nil && *in.ACL == "bucket-owner-full-control") {
			return errACLNotSupported()
		}
		b.ACL = acl
		return putBucket(tx, b)
	})
	if err != nil {
		return nil, s.internal("PutBucketAcl", err)
	}
	return &s3api.PutBucketAclOutput{}, nil
}

func aclInput(account string, canned *string, g grantHeaders, body *s3api.AccessControlPolicy, bucket bool) (*aclRec, error) {
	if body != nil && (canned != nil || g.any()) {
		return nil, errInvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
	}
	if body != nil {
		return aclFromPolicy(account, body)
	}
	a, err := aclFromRequest(account, canned, g, bucket)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errMalformedACL()
	}
	return a, nil
}

// GetObjectAcl answers an object version's ACL.
func (s *Service) GetObjectAcl(ctx context.Context, in *s3api.GetObjectAclRequest) (*s3api.GetObjectAclOutput, error) {
	var r *objRec
	err := s.st.View(func(tx *store.Tx) error {
		b, rr, err := findObject(tx, api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.VersionId), "GET")
		if err != nil {
			return err
		}
		r = rr
		return authorize(tx, caller(ctx), b, r, *in.Key, "s3:GetObjectAcl", permReadACP)
	})
	if err != nil {
		return nil, s.internal("GetObjectAcl", err)
	}
	o, g := aclOut(r.ACL, r.Owner)
	return &s3api.GetObjectAclOutput{Owner: o, Grants: g}, nil
}

// PutObjectAcl sets an object version's ACL.
func (s *Service) PutObjectAcl(ctx context.Context, in *s3api.PutObjectAclRequest) (*s3api.PutObjectAclOutput, error) {
	err := s.st.Update(func(tx *store.Tx) error {
		b, r, err := findObject(tx, api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.VersionId), "PUT")
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, r, *in.Key, "s3:PutObjectAcl", permWriteACP,
			writeKeys(nil, nil, in.ACL, in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWriteACP, nil, nil, nil)); err != nil {
			return err
		}
		acl, err := aclInput(r.Owner, in.ACL, grantHeaders{in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP}, in.AccessControlPolicy, false)
		if err != nil {
			return err
		}
		r.ACL = acl
		r.ACL.bindBucketOwner(b.Account)
		if err := checkPublicACL(tx, b.Name, r.ACL); err != nil {
			return err
		}
		if own, err := ownership(tx, b.Name); err != nil {
			return err
		} else if own == "BucketOwnerEnforced" && !(in.ACL != nil && *in.ACL == "bucket-owner-full-control") {
			return errACLNotSupported()
		}
		obs, err := openObjects(tx, api.ToString(in.Bucket))
		if err != nil {
			return err
		}
		return obs.update(r)
	})
	if err != nil {
		return nil, s.internal("PutObjectAcl", err)
	}
	return &s3api.PutObjectAclOutput{}, nil
}
