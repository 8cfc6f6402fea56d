package s3

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// bucketRec is what S3 keeps about a bucket; its configurations are stored beside
// it (s3/b/<bucket>/c).
type bucketRec struct {
	Name       string    `json:"name"`
	Account    string    `json:"account"`
	Region     string    `json:"region"`
	Created    time.Time `json:"created"`
	Versioning string    `json:"versioning,omitempty"` // "", "Enabled" or "Suspended"
	MFADelete  string    `json:"mfaDelete,omitempty"`
	ObjectLock bool      `json:"objectLock,omitempty"`
	ACL        *aclRec   `json:"acl,omitempty"`
}

// versioned tells whether versioning was ever turned on: from then on objects
// carry version ids (a suspended bucket writes "null" versions).
func (b *bucketRec) versioned() bool { return b.Versioning != "" }

func (b *bucketRec) arn() string { return "arn:aws:s3:::" + b.Name }

// getBucket reads a bucket record in tx.
func getBucket(tx *store.Tx, name string) (*bucketRec, error) {
	b, err := sharedBucket(tx, name)
	return b.clone(), err
}

// sharedBucket is getBucket for a caller that only reads the record: it may be
// the cached one (recCache.shared).
func sharedBucket(tx *store.Tx, name string) (*bucketRec, error) {
	bk := tx.Bucket(bucketsPath...)
	if bk == nil {
		return nil, errNoSuchBucket(name)
	}
	raw := bk.Get([]byte(name))
	if raw == nil {
		return nil, errNoSuchBucket(name)
	}
	b, err := bucketRecs.shared(raw)
	if err != nil {
		return nil, fmt.Errorf("store: decode %q: %w", name, err) // as GetJSON words it
	}
	return b, nil
}

func putBucket(tx *store.Tx, b *bucketRec) error {
	bk, err := tx.CreateBucket(bucketsPath...)
	if err != nil {
		return err
	}
	return bk.PutJSON([]byte(b.Name), b)
}

// viewAuthorized reads the bucket record and checks the caller may do action.
func (s *Service) viewAuthorized(ctx context.Context, name, action, perm string) (*bucketRec, error) {
	var b *bucketRec
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		if b, err = getBucket(tx, name); err != nil {
			return err
		}
		return authorize(tx, caller(ctx), b, nil, "", action, perm)
	})
	return b, err
}

// viewBucket reads the bucket record alone.
func (s *Service) viewBucket(name string) (*bucketRec, error) {
	var b *bucketRec
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		b, err = getBucket(tx, name)
		return err
	})
	return b, err
}

// validBucketName applies AWS's rules for general purpose bucket names.
func validBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	alnum := func(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }
	if !alnum(n[0]) || !alnum(n[len(n)-1]) {
		return false
	}
	if strings.Contains(n, "..") || strings.Contains(n, ".-") || strings.Contains(n, "-.") {
		return false
	}
	if ip := net.ParseIP(n); ip != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(n, p) {
			return false
		}
	}
	for _, suf := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(n, suf) {
			return false
		}
	}
	return true
}

func errInvalidBucketName(name string) error {
	return api.Errorf(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.").With("BucketName", name)
}

// CreateBucket creates a bucket in the region the request was signed for (or the
// LocationConstraint, from us-east-1), with AWS's region rules and errors.
func (s *Service) CreateBucket(ctx context.Context, in *s3api.CreateBucketRequest) (*s3api.CreateBucketOutput, error) {
	c := caller(ctx)
	if c.Anonymous {
		return nil, errAccessDenied()
	}
	name := api.ToString(in.Bucket)
	if !validBucketName(name) {
		return nil, errInvalidBucketName(name)
	}
	region := c.Region
	lc := ""
	if in.CreateBucketConfiguration != nil {
		lc = api.ToString(in.CreateBucketConfiguration.LocationConstraint)
	}
	if lc == "EU" {
		lc = "eu-west-1"
	}
	switch {
	case region == "us-east-1" && lc == "us-east-1":
		return nil, api.Errorf(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid").With("LocationConstraint", lc)
	case region == "us-east-1" && lc != "":
		region = lc
	case region != "us-east-1" && lc == "":
		return nil, api.Errorf(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case region != "us-east-1" && lc != region:
		return nil, api.Errorf(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", lc)
	}
	acl, err := aclFromRequest(c.Account, in.ACL, grantHeaders{in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP}, true)
	if err != nil {
		return nil, err
	}
	rec := &bucketRec{Name: name, Account: c.Account, Region: region, Created: s.now().UTC(), ACL: acl}
	if api.ToBool(in.ObjectLockEnabledForBucket) {
		rec.ObjectLock = true
		rec.Versioning = "Enabled"
	}
	ownership := api.ToString(in.ObjectOwnership)
	if ownership == "BucketOwnerEnforced" && acl != nil && (len(acl.Grants) > 1 || (in.ACL != nil && *in.ACL != "private" && *in.ACL != "bucket-owner-full-control")) {
		return nil, api.Errorf(http.StatusBadRequest, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	}
	existedOwn := false
	err = s.st.Update(func(tx *store.Tx) error {
		if old, err := getBucket(tx, name); err == nil {
			if old.Account != c.Account {
				return api.Errorf(http.StatusConflict, "BucketAlreadyExists",
					"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").With("BucketName", name)
			}
			if old.Region == "us-east-1" && region == "us-east-1" {
				// us-east-1 answers 200 to re-creating your own bucket, for
				// compatibility with its first clients.
				existedOwn = true
				old.ACL = rec.ACL
				return putBucket(tx, old)
			}
			return api.Errorf(http.StatusConflict, "BucketAlreadyOwnedByYou",
				"Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", name)
		}
		if err := putBucket(tx, rec); err != nil {
			return err
		}
		for _, sub := range []string{"o", "v", "u", "p", "c"} {
			if _, err := tx.CreateBucket(bpath(name, sub)...); err != nil {
				return err
			}
		}
		if ownership != "" {
			cfg := &s3api.OwnershipControls{Rules: []*s3api.OwnershipControlsRule{{ObjectOwnership: api.String(ownership)}}}
			if err := putConfig(tx, name, cfgOwnership, cfg); err != nil {
				return err
			}
		}
		if rec.ObjectLock {
			cfg := &s3api.ObjectLockConfiguration{ObjectLockEnabled: api.String("Enabled")}
			if err := putConfig(tx, name, cfgObjectLock, cfg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.internal("CreateBucket", err)
	}
	_ = existedOwn
	out := &s3api.CreateBucketOutput{}
	if region == "us-east-1" {
		out.Location = api.String("/" + name)
	} else {
		out.Location = api.String("http://" + name + ".s3.amazonaws.com/")
	}
	return out, nil
}

// HeadBucket answers 200 with the bucket's region, or 404 (no body: it is HEAD).
func (s *Service) HeadBucket(ctx context.Context, in *s3api.HeadBucketRequest) (*s3api.HeadBucketOutput, error) {
	b, err := s.viewAuthorized(ctx, api.ToString(in.Bucket), "s3:ListBucket", permRead)
	if err != nil {
		return nil, s.internal("HeadBucket", err)
	}
	if err := checkOwner(b, in.ExpectedBucketOwner); err != nil {
		return nil, err
	}
	return &s3api.HeadBucketOutput{BucketRegion: api.String(b.Region), AccessPointAlias: api.Bool(false)}, nil
}

// checkOwner enforces x-amz-expected-bucket-owner.
func checkOwner(b *bucketRec, expected *string) error {
	if expected != nil && *expected != b.Account {
		return errAccessDenied()
	}
	return nil
}

// GetBucketLocation answers the region; us-east-1 is the empty constraint.
func (s *Service) GetBucketLocation(ctx context.Context, in *s3api.GetBucketLocationRequest) (*s3api.GetBucketLocationOutput, error) {
	b, err := s.viewAuthorized(ctx, api.ToString(in.Bucket), "s3:GetBucketLocation", permOwner)
	if err != nil {
		return nil, s.internal("GetBucketLocation", err)
	}
	if err := checkOwner(b, in.ExpectedBucketOwner); err != nil {
		return nil, err
	}
	out := &s3api.GetBucketLocationOutput{}
	if b.Region != "us-east-1" {
		out.LocationConstraint = api.String(b.Region)
	}
	return out, nil
}

// ListBuckets lists the caller's buckets in name order, with AWS's optional
// prefix, bucket-region filter and pagination.
func (s *Service) ListBuckets(ctx context.Context, in *s3api.ListBucketsRequest) (*s3api.ListBucketsOutput, error) {
	c := caller(ctx)
	if c.Anonymous {
		return nil, errAccessDenied()
	}
	prefix := api.ToString(in.Prefix)
	after := ""
	if t := api.ToString(in.ContinuationToken); t != "" {
		raw, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil {
			return nil, errInvalidArgument("The continuation token provided is incorrect", "continuation-token", t)
		}
		after = string(raw)
	}
	max := int(api.ToInt64(in.MaxBuckets))
	if max <= 0 || max > 10000 {
		max = 10000
	}
	out := &s3api.ListBucketsOutput{Owner: ownerOf(c.Account), Buckets: []*s3api.Bucket{}}
	if in.Prefix != nil {
		out.Prefix = in.Prefix
	}
	err := s.st.View(func(tx *store.Tx) error {
		bk := tx.Bucket(bucketsPath...)
		if bk == nil {
			return nil
		}
		cur := bk.Cursor()
		k, v := cur.Seek([]byte(prefix))
		if after != "" && after >= prefix {
			k, v = cur.Seek([]byte(after + "\x00"))
		}
		var recs []bucketRec
		for ; k != nil && strings.HasPrefix(string(k), prefix); k, v = cur.Next() {
			var b bucketRec
			if err := jsonUnmarshal(v, &b); err != nil {
				return err
			}
			if b.Account != c.Account {
				continue
			}
			if r := api.ToString(in.BucketRegion); r != "" && b.Region != r {
				continue
			}
			if len(recs) == max {
				out.ContinuationToken = api.String(base64.RawURLEncoding.EncodeToString([]byte(recs[len(recs)-1].Name)))
				break
			}
			recs = append(recs, b)
		}
		for _, b := range recs {
			out.Buckets = append(out.Buckets, &s3api.Bucket{
				Name: api.String(b.Name), CreationDate: timePtr(b.Created),
				BucketRegion: api.String(b.Region), BucketArn: api.String(b.arn()),
			})
		}
		return nil
	})
	if err != nil {
		return nil, s.internal("ListBuckets", err)
	}
	sort.Slice(out.Buckets, func(i, j int) bool { return *out.Buckets[i].Name < *out.Buckets[j].Name })
	return out, nil
}

// DeleteBucket deletes an empty bucket: no object versions, no delete markers.
// Multipart uploads in progress go with it.
func (s *Service) DeleteBucket(ctx context.Context, in *s3api.DeleteBucketRequest) (*s3api.DeleteBucketOutput, error) {
	name := api.ToString(in.Bucket)
	err := s.st.Update(func(tx *store.Tx) error {
		b, err := getBucket(tx, name)
		if err != nil {
			return err
		}
		if err := checkOwner(b, in.ExpectedBucketOwner); err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, nil, "", "s3:DeleteBucket", permOwner); err != nil {
			return err
		}
		for _, sub := range []string{"o", "v"} {
			if bk := tx.Bucket(bpath(name, sub)...); bk != nil {
				if k, _ := bk.Cursor().First(); k != nil {
					return api.Errorf(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty").With("BucketName", name)
				}
			}
		}
		// Parts of unfinished uploads hold blobs.
		if pb := tx.Bucket(bpath(name, "p")...); pb != nil {
			if err := pb.ForEach(func(k, v []byte) error {
				var p partRec
				if err := jsonUnmarshal(v, &p); err != nil {
					return err
				}
				return unrefSegs(tx, p.Segs)
			}); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketsPath...).Delete([]byte(name)); err != nil {
			return err
		}
		if err := tx.DeleteBucket(root, "b", name); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, s.internal("DeleteBucket", err)
	}
	return &s3api.DeleteBucketOutput{}, nil
}

func timePtr(t time.Time) *time.Time { t = t.UTC(); return &t }

// ListDirectoryBuckets answers as ListBuckets: the model gives both the template
// "GET /" (directory buckets are listed on another endpoint on AWS), and the
// router picks this one for a plain ListBuckets request. fogbank has no
// directory buckets, so the caller's general purpose buckets are the answer.
func (s *Service) ListDirectoryBuckets(ctx context.Context, in *s3api.ListDirectoryBucketsRequest) (*s3api.ListDirectoryBucketsOutput, error) {
	lb, err := s.ListBuckets(ctx, &s3api.ListBucketsRequest{ContinuationToken: in.ContinuationToken, MaxBuckets: in.MaxDirectoryBuckets})
	if err != nil {
		return nil, err
	}
	return &s3api.ListDirectoryBucketsOutput{Buckets: lb.Buckets, ContinuationToken: lb.ContinuationToken}, nil
}
