package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// Names of the stored bucket configurations (s3/b/<bucket>/c).
const (
	cfgTagging      = "tagging"
	cfgPolicy       = "policy"
	cfgCORS         = "cors"
	cfgLifecycle    = "lifecycle"
	cfgEncryption   = "encryption"
	cfgObjectLock   = "objectlock"
	cfgOwnership    = "ownership"
	cfgPublicAccess = "publicaccess"
	cfgNotification = "notification"
	cfgWebsite      = "website"
	cfgAccelerate   = "accelerate"
	cfgPayment      = "payment"
	cfgLogging      = "logging"
)

// getConfig reads a stored configuration into v; false when none is set.
func getConfig(tx *store.Tx, bucket, name string, v any) (bool, error) {
	return getConfigIn(tx.Bucket(bpath(bucket, "c")...), bucket, name, v)
}

// getConfigIn is getConfig with the bucket's configuration table (s3/b/<bucket>/c)
// already found (nil when it is missing).
func getConfigIn(bk *store.Bucket, bucket, name string, v any) (bool, error) {
	if bk == nil {
		return false, errNoSuchBucket(bucket)
	}
	// Get, not GetJSON: most configurations are absent, and GetJSON words that
	// as an error (with fmt) only for us to drop it.
	raw := bk.Get([]byte(name))
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("store: decode %q: %w", name, err) // as GetJSON words it
	}
	return true, nil
}

func putConfig(tx *store.Tx, bucket, name string, v any) error {
	bk := tx.Bucket(bpath(bucket, "c")...)
	if bk == nil {
		return errNoSuchBucket(bucket)
	}
	return bk.PutJSON([]byte(name), v)
}

func deleteConfig(tx *store.Tx, bucket, name string) error {
	bk := tx.Bucket(bpath(bucket, "c")...)
	if bk == nil {
		return errNoSuchBucket(bucket)
	}
	return bk.Delete([]byte(name))
}

// setConfig validates and stores one configuration of an existing bucket.
func (s *Service) setConfig(ctx context.Context, op, bucket, name string, v any, check func(b *bucketRec) error) error {
	err := s.st.Update(func(tx *store.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, nil, "", actionOf(op), permOwner); err != nil {
			return err
		}
		if check != nil {
			if err := check(b); err != nil {
				return err
			}
		}
		return putConfig(tx, bucket, name, v)
	})
	return s.internalOr(op, err)
}

// readConfig reads one configuration; missing is the error to answer when unset
// (nil: answer the zero value).
func (s *Service) readConfig(ctx context.Context, op, bucket, name string, v any, missing func() error) error {
	err := s.st.View(func(tx *store.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, nil, "", actionOf(op), permOwner); err != nil {
			return err
		}
		ok, err := getConfig(tx, bucket, name, v)
		if err != nil {
			return err
		}
		if !ok && missing != nil {
			return missing()
		}
		return nil
	})
	return s.internalOr(op, err)
}

func (s *Service) dropConfig(ctx context.Context, op, bucket, name string) error {
	err := s.st.Update(func(tx *store.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, nil, "", actionOf(op), permOwner); err != nil {
			return err
		}
		return deleteConfig(tx, bucket, name)
	})
	return s.internalOr(op, err)
}

func (s *Service) internalOr(op string, err error) error {
	if err == nil {
		return nil
	}
	return s.internal(op, err)
}

func notFound(code, msg, bucket string) func() error {
	return func() error {
		return api.Errorf(http.StatusNotFound, code, "%s", msg).With("BucketName", bucket)
	}
}

// ---- tagging ----

func errInvalidTag(msg string) error {
	return api.Errorf(http.StatusBadRequest, "InvalidTag", "%s", msg)
}

// checkTags applies S3's tag rules; max is 10 for objects, 50 for buckets.
func checkTags(tags []tagKV, max int) error {
	if len(tags) > max {
		if max == 10 {
			return errInvalidTag("Object tags cannot be greater than 10")
		}
		return errInvalidTag("Bucket tag count cannot be greater than 50")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if len([]rune(t.K)) > 128 || t.K == "" {
			return errInvalidTag("The TagKey you have provided is invalid")
		}
		if len([]rune(t.V)) > 256 {
			return errInvalidTag("The TagValue you have provided is invalid")
		}
		if strings.HasPrefix(t.K, "aws:") {
			return errInvalidTag("Your TagKey cannot be prefixed with aws:")
		}
		if seen[t.K] {
			return errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		seen[t.K] = true
	}
	return nil
}

// parseTagHeader reads x-amz-tagging: a URL query string of tags.
func parseTagHeader(h *string) ([]tagKV, error) {
	if h == nil || *h == "" {
		return nil, nil
	}
	var tags []tagKV
	for _, part := range strings.Split(*h, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		ku, err1 := url.QueryUnescape(k)
		vu, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, errInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", *h)
		}
		tags = append(tags, tagKV{ku, vu})
	}
	if err := checkTags(tags, 10); err != nil {
		return nil, err
	}
	return tags, nil
}

func tagsIn(set []*s3api.Tag) []tagKV {
	out := make([]tagKV, 0, len(set))
	for _, t := range set {
		if t != nil {
			out = append(out, tagKV{api.ToString(t.Key), api.ToString(t.Value)})
		}
	}
	return out
}

func tagsOut(tags []tagKV) []*s3api.Tag {
	tags = append([]tagKV(nil), tags...)
	sort.Slice(tags, func(i, j int) bool { return tags[i].K < tags[j].K })
	out := []*s3api.Tag{}
	for _, t := range tags {
		out = append(out, &s3api.Tag{Key: api.String(t.K), Value: api.String(t.V)})
	}
	return out
}

// PutBucketTagging replaces the bucket's tags.
func (s *Service) PutBucketTagging(ctx context.Context, in *s3api.PutBucketTaggingRequest) (*s3api.PutBucketTaggingOutput, error) {
	if in.Tagging == nil {
		return nil, errMalformedXML()
	}
	tags := tagsIn(in.Tagging.TagSet)
	if err := checkTags(tags, 50); err != nil {
		return nil, err
	}
	if err := s.setConfig(ctx, "PutBucketTagging", api.ToString(in.Bucket), cfgTagging, tags, nil); err != nil {
		return nil, err
	}
	return &s3api.PutBucketTaggingOutput{}, nil
}

// GetBucketTagging answers the bucket's tags or NoSuchTagSet.
func (s *Service) GetBucketTagging(ctx context.Context, in *s3api.GetBucketTaggingRequest) (*s3api.GetBucketTaggingOutput, error) {
	var tags []tagKV
	b := api.ToString(in.Bucket)
	if err := s.readConfig(ctx, "GetBucketTagging", b, cfgTagging, &tags, notFound("NoSuchTagSet", "The TagSet does not exist", b)); err != nil {
		return nil, err
	}
	return &s3api.GetBucketTaggingOutput{TagSet: tagsOut(tags)}, nil
}

// DeleteBucketTagging removes the bucket's tags.
func (s *Service) DeleteBucketTagging(ctx context.Context, in *s3api.DeleteBucketTaggingRequest) (*s3api.DeleteBucketTaggingOutput, error) {
	if err := s.dropConfig(ctx, "DeleteBucketTagging", api.ToString(in.Bucket), cfgTagging); err != nil {
		return nil, err
	}
	return &s3api.DeleteBucketTaggingOutput{}, nil
}

// editObject changes one version of an object in place.
// events names the notifications the edit causes, written in its transaction.
func (s *Service) editObject(ctx context.Context, op, bucket, key, versionID string, fn func(b *bucketRec, r *objRec) error, events ...string) (*bucketRec, *objRec, error) {
	var (
		b *bucketRec
		r *objRec
	)
	err := s.st.Update(func(tx *store.Tx) error {
		var err error
		b, r, err = findObject(tx, bucket, key, versionID, "PUT")
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, r, key, actionOf(op), permOwner); err != nil {
			return err
		}
		if err := fn(b, r); err != nil {
			return err
		}
		obs, err := openObjects(tx, bucket)
		if err != nil {
			return err
		}
		if err := obs.update(r); err != nil {
			return err
		}
		for _, ev := range events {
			if err := s.notify(ctx, tx, b, ev, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, s.internal(op, err)
	}
	if len(events) > 0 {
		s.wake()
	}
	return b, r, nil
}

// PutObjectTagging replaces an object version's tags.
func (s *Service) PutObjectTagging(ctx context.Context, in *s3api.PutObjectTaggingRequest) (*s3api.PutObjectTaggingOutput, error) {
	if in.Tagging == nil {
		return nil, errMalformedXML()
	}
	tags := tagsIn(in.Tagging.TagSet)
	if err := checkTags(tags, 10); err != nil {
		return nil, err
	}
	b, r, err := s.editObject(ctx, "PutObjectTagging", api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.VersionId),
		func(_ *bucketRec, r *objRec) error { r.Tags = tags; return nil }, "ObjectTagging:Put")
	if err != nil {
		return nil, err
	}
	out := &s3api.PutObjectTaggingOutput{}
	if b.versioned() {
		out.VersionId = api.String(r.VersionID)
	}
	return out, nil
}

// GetObjectTagging answers an object version's tags.
func (s *Service) GetObjectTagging(ctx context.Context, in *s3api.GetObjectTaggingRequest) (*s3api.GetObjectTaggingOutput, error) {
	var (
		b *bucketRec
		r *objRec
	)
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		b, r, err = findObject(tx, api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.VersionId), "GET")
		if err != nil {
			return err
		}
		return authorize(tx, caller(ctx), b, r, *in.Key, "s3:GetObjectTagging", permOwner)
	})
	if err != nil {
		return nil, s.internal("GetObjectTagging", err)
	}
	out := &s3api.GetObjectTaggingOutput{TagSet: tagsOut(r.Tags)}
	if b.versioned() {
		out.VersionId = api.String(r.VersionID)
	}
	return out, nil
}

// DeleteObjectTagging removes an object version's tags.
func (s *Service) DeleteObjectTagging(ctx context.Context, in *s3api.DeleteObjectTaggingRequest) (*s3api.DeleteObjectTaggingOutput, error) {
	b, r, err := s.editObject(ctx, "DeleteObjectTagging", api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.VersionId),
		func(_ *bucketRec, r *objRec) error { r.Tags = nil; return nil }, "ObjectTagging:Delete")
	if err != nil {
		return nil, err
	}
	out := &s3api.DeleteObjectTaggingOutput{}
	if b.versioned() {
		out.VersionId = api.String(r.VersionID)
	}
	return out, nil
}

// ---- policy ----

// validatePolicy checks what S3 checks of a bucket policy before IAM evaluates
// it: JSON, a Statement, each with Effect, Principal, Action and Resource.
func validatePolicy(p string) error {
	malformed := func(msg string) error {
		return api.Errorf(http.StatusBadRequest, "MalformedPolicy", "%s", msg)
	}
	if !strings.HasPrefix(strings.TrimSpace(p), "{") {
		return malformed("Policies must be valid JSON and the first byte must be '{'")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(p), &doc); err != nil {
		return malformed("Policies must be valid JSON and the first byte must be '{'")
	}
	st, ok := doc["Statement"]
	if !ok {
		return malformed("Missing required field Statement")
	}
	var stmts []any
	switch v := st.(type) {
	case []any:
		stmts = v
	case map[string]any:
		stmts = []any{v}
	default:
		return malformed("Statement is not well-formed")
	}
	for _, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok {
			return malformed("Statement is not well-formed")
		}
		e, _ := m["Effect"].(string)
		if e != "Allow" && e != "Deny" {
			return malformed("Invalid effect: " + e)
		}
		if _, np := m["NotPrincipal"]; np && e == "Allow" {
			return malformed("Invalid principal in policy")
		}
		if _, ok := m["Principal"]; !ok {
			if _, ok := m["NotPrincipal"]; !ok {
				return malformed("Missing required field Principal")
			}
		}
		if _, ok := m["Action"]; !ok {
			if _, ok := m["NotAction"]; !ok {
				return malformed("Missing required field Action")
			}
		}
		if _, ok := m["Resource"]; !ok {
			if _, ok := m["NotResource"]; !ok {
				return malformed("Missing required field Resource")
			}
		}
	}
	return nil
}

// PutBucketPolicy stores a validated policy; a public one is refused where the
// public access block says BlockPublicPolicy.
func (s *Service) PutBucketPolicy(ctx context.Context, in *s3api.PutBucketPolicyRequest) (*s3api.PutBucketPolicyOutput, error) {
	p := api.ToString(in.Policy)
	if err := validatePolicy(p); err != nil {
		return nil, err
	}
	name := api.ToString(in.Bucket)
	err := s.st.Update(func(tx *store.Tx) error {
		b, err := getBucket(tx, name)
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, nil, "", "s3:PutBucketPolicy", permOwner); err != nil {
			return err
		}
		if publicPolicy(p) {
			pab, err := publicAccessBlock(tx, name)
			if err != nil {
				return err
			}
			if api.ToBool(pab.BlockPublicPolicy) {
				return errAccessDenied()
			}
		}
		return putConfig(tx, name, cfgPolicy, p)
	})
	if err != nil {
		return nil, s.internal("PutBucketPolicy", err)
	}
	return &s3api.PutBucketPolicyOutput{}, nil
}

// GetBucketPolicy answers the stored policy text.
func (s *Service) GetBucketPolicy(ctx context.Context, in *s3api.GetBucketPolicyRequest) (*s3api.GetBucketPolicyOutput, error) {
	var p string
	b := api.ToString(in.Bucket)
	if err := s.readConfig(ctx, "GetBucketPolicy", b, cfgPolicy, &p, notFound("NoSuchBucketPolicy", "The bucket policy does not exist", b)); err != nil {
		return nil, err
	}
	return &s3api.GetBucketPolicyOutput{Policy: api.String(p)}, nil
}

// DeleteBucketPolicy removes the policy.
func (s *Service) DeleteBucketPolicy(ctx context.Context, in *s3api.DeleteBucketPolicyRequest) (*s3api.DeleteBucketPolicyOutput, error) {
	if err := s.dropConfig(ctx, "DeleteBucketPolicy", api.ToString(in.Bucket), cfgPolicy); err != nil {
		return nil, err
	}
	return &s3api.DeleteBucketPolicyOutput{}, nil
}

// GetBucketPolicyStatus says whether the policy grants access to everyone.
func (s *Service) GetBucketPolicyStatus(ctx context.Context, in *s3api.GetBucketPolicyStatusRequest) (*s3api.GetBucketPolicyStatusOutput, error) {
	var p string
	b := api.ToString(in.Bucket)
	if err := s.readConfig(ctx, "GetBucketPolicyStatus", b, cfgPolicy, &p, nil); err != nil {
		return nil, err
	}
	public := false
	if br, err := s.viewBucket(b); err == nil && br.ACL != nil {
		for _, g := range br.ACL.Grants {
			if g.URI == allUsers || g.URI == authUsers {
				public = true
			}
		}
	}
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(p), &doc) == nil {
		var stmts []map[string]any
		if json.Unmarshal(doc.Statement, &stmts) != nil {
			var one map[string]any
			if json.Unmarshal(doc.Statement, &one) == nil {
				stmts = []map[string]any{one}
			}
		}
		for _, st := range stmts {
			if st["Effect"] != "Allow" || st["Condition"] != nil {
				continue
			}
			switch pr := st["Principal"].(type) {
			case string:
				public = public || pr == "*"
			case map[string]any:
				if a, ok := pr["AWS"].(string); ok && a == "*" {
					public = true
				}
			}
		}
	}
	return &s3api.GetBucketPolicyStatusOutput{PolicyStatus: &s3api.PolicyStatus{IsPublic: api.Bool(public)}}, nil
}

// ---- CORS ----

// PutBucketCors stores CORS rules, which preflight OPTIONS and responses follow.
func (s *Service) PutBucketCors(ctx context.Context, in *s3api.PutBucketCorsRequest) (*s3api.PutBucketCorsOutput, error) {
	cfg := in.CORSConfiguration
	if cfg == nil || len(cfg.CORSRules) == 0 || len(cfg.CORSRules) > 100 {
		return nil, errMalformedXML()
	}
	for _, r := range cfg.CORSRules {
		for _, m := range r.AllowedMethods {
			switch m {
			case "GET", "PUT", "POST", "DELETE", "HEAD":
			default:
				return nil, api.Errorf(http.StatusBadRequest, "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return nil, api.Errorf(http.StatusBadRequest, "InvalidRequest", "AllowedOrigin \"%s\" can not have more than one wildcard.", o)
			}
		}
	}
	if err := s.setConfig(ctx, "PutBucketCors", api.ToString(in.Bucket), cfgCORS, cfg, nil); err != nil {
		return nil, err
	}
	return &s3api.PutBucketCorsOutput{}, nil
}

// GetBucketCors answers the CORS rules or NoSuchCORSConfiguration.
func (s *Service) GetBucketCors(ctx context.Context, in *s3api.GetBucketCorsRequest) (*s3api.GetBucketCorsOutput, error) {
	var cfg s3api.CORSConfiguration
	b := api.ToString(in.Bucket)
	if err := s.readConfig(ctx, "GetBucketCors", b, cfgCORS, &cfg, notFound("NoSuchCORSConfiguration", "The CORS configuration does not exist", b)); err != nil {
		return nil, err
	}
	return &s3api.GetBucketCorsOutput{CORSRules: cfg.CORSRules}, nil
}

// DeleteBucketCors removes the CORS rules.
func (s *Service) DeleteBucketCors(ctx context.Context, in *s3api.DeleteBucketCorsRequest) (*s3api.DeleteBucketCorsOutput, error) {
	if err := s.dropConfig(ctx, "DeleteBucketCors", api.ToString(in.Bucket), cfgCORS); err != nil {
		return nil, err
	}
	return &s3api.DeleteBucketCorsOutput{}, nil
}

// ---- lifecycle ----

// PutBucketLifecycleConfiguration stores lifecycle rules after S3's checks. The
// rules are kept and returned; fogbank does not expire or transition objects.
func (s *Service) PutBucketLifecycleConfiguration(ctx context.Context, in *s3api.PutBucketLifecycleConfigurationRequest) (*s3api.PutBucketLifecycleConfigurationOutput, error) {
	cfg := in.LifecycleConfiguration
	if cfg == nil || len(cfg.Rules) == 0 || len(cfg.Rules) > 1000 {
		return nil, errMalformedXML()
	}
	ids := map[string]bool{}
	for _, r := range cfg.Rules {
		if r == nil || r.Status == nil {
			return nil, errMalformedXML()
		}
		if *r.Status != "Enabled" && *r.Status != "Disabled" {
			return nil, errMalformedXML()
		}
		if r.ID == nil || *r.ID == "" {
			// S3 names a rule without an ID itself.
			r.ID = api.String(newUploadID()[:26])
		}
		id := api.ToString(r.ID)
		if len(id) > 255 {
			return nil, errInvalidArgument("ID length should not exceed allowed limit of 255", "ID", id)
		}
		if id != "" {
			if ids[id] {
				return nil, errInvalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", id)
			}
			ids[id] = true
		}
		if r.Expiration != nil {
			if r.Expiration.Days != nil && *r.Expiration.Days <= 0 {
				return nil, errInvalidArgument("'Days' for Expiration action must be a positive integer", "", "")
			}
			n := 0
			if r.Expiration.Days != nil {
				n++
			}
			if r.Expiration.Date != nil {
				n++
				if d := *r.Expiration.Date; d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
					return nil, errInvalidArgument("'Date' must be at midnight GMT", "", "")
				}
			}
			if r.Expiration.ExpiredObjectDeleteMarker != nil {
				n++
			}
			if n != 1 {
				return nil, errMalformedXML()
			}
		}
		for _, tr := range r.Transitions {
			if tr == nil {
				continue
			}
			if d := tr.Date; d != nil && (d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0) {
				return nil, errInvalidArgument("'Date' must be at midnight GMT", "", "")
			}
			if tr.Days != nil && *tr.Days < 0 {
				return nil, errInvalidArgument("'Days' for Transition action must be a positive integer", "", "")
			}
		}
		if r.NoncurrentVersionExpiration != nil && r.NoncurrentVersionExpiration.NoncurrentDays != nil && *r.NoncurrentVersionExpiration.NoncurrentDays <= 0 {
			return nil, errInvalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer", "", "")
		}
		if r.Filter != nil && r.Prefix != nil {
			return nil, errMalformedXML()
		}
	}
	if err := s.setConfig(ctx, "PutBucketLifecycleConfiguration", api.ToString(in.Bucket), cfgLifecycle, cfg, nil); err != nil {
		return nil, err
	}
	return &s3api.PutBucketLifecycleConfigurationOutput{TransitionDefaultMinimumObjectSize: api.String("all_storage_classes_128K")}, nil
}

// GetBucketLifecycleConfiguration answers the rules or NoSuchLifecycleConfiguration.
func (s *Service) GetBucketLifecycleConfiguration(ctx context.Context, in *s3api.GetBucketLifecycleConfigurationRequest) (*s3api.GetBucketLifecycleConfigurationOutput, error) {
	var cfg s3api.BucketLifecycleConfiguration
	b := api.ToString(in.Bucket)
	if err := s.readConfig(ctx, "GetBucketLifecycleConfiguration", b, cfgLifecycle, &cfg,
		notFound("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", b)); err != nil {
		return nil, err
	}
	return &s3api.GetBucketLifecycleConfigurationOutput{Rules: cfg.Rules, TransitionDefaultMinimumObjectSize: api.String("all_storage_classes_128K")}, nil
}

// DeleteBucketLifecycle removes the lifecycle rules.
func (s *Service) DeleteBucketLifecycle(ctx context.Context, in *s3api.DeleteBucketLifecycleRequest) (*s3api.DeleteBucketLifecycleOutput, error) {
	if err := s.dropConfig(ctx, "DeleteBucketLifecycle", api.ToString(in.Bucket), cfgLifecycle); err != nil {
		return nil, err
	}
	return &s3api.DeleteBucketLifecycleOutput{}, nil
}

// ---- encryption ----

// PutBucketEncryption sets the default encryption new objects get.
func (s *Service) PutBucketEncryption(ctx context.Context, in *s3api.PutBucketEncryptionRequest) (*s3api.PutBucketEncryptionOutput, error) {
	cfg := in.ServerSideEncryptionConfiguration
	if cfg == nil || len(cfg.Rules) == 0 {
		return nil, errMalformedXML()
	}
	for _, r := range cfg.Rules {
		if d := r.ApplyServerSideEncryptionByDefault; d != nil {
			switch api.ToString(d.SSEAlgorithm) {
			case "AES256":
				if d.KMSMasterKeyID != nil {
					return nil, errInvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse", "ApplyServerSideEncryptionByDefault", "")
				}
			case "aws:kms", "aws:kms:dsse":
			default:
				return nil, errMalformedXML()
			}
		}
	}
	if err := s.setConfig(ctx, "PutBucketEncryption", api.ToString(in.Bucket), cfgEncryption, cfg, nil); err != nil {
		return nil, err
	}
	return &s3api.PutBucketEncryptionOutput{}, nil
}

// GetBucketEncryption answers the default encryption; every bucket has SSE-S3
// by default since 2023.
func (s *Service) GetBucketEncryption(ctx context.Context, in *s3api.GetBucketEncryptionRequest) (*s3api.GetBucketEncryptionOutput, error) {
	var cfg s3api.ServerSideEncryptionConfiguration
	if err := s.readConfig(ctx, "GetBucketEncryption", api.ToString(in.Bucket), cfgEncryption, &cfg, nil); err != nil {
		return nil, err
	}
	if len(cfg.Rules) == 0 {
		cfg.Rules = []*s3api.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3api.ServerSideEncryptionByDefault{SSEAlgorithm: api.String("AES256")},
			BucketKeyEnabled:                   api.Bool(false),
		}}
	}
	return &s3api.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &cfg}, nil
}

// DeleteBucketEncryption returns the bucket to SSE-S3.
func (s *Service) DeleteBucketEncryption(ctx context.Context, in *s3api.DeleteBucketEncryptionRequest) (*s3api.DeleteBucketEncryptionOutput, error) {
	if err := s.dropConfig(ctx, "DeleteBucketEncryption", api.ToString(in.Bucket), cfgEncryption); err != nil {
		return nil, err
	}
	return &s3api.DeleteBucketEncryptionOutput{}, nil
}

// ---- ownership controls ----

// PutBucketOwnershipControls stores the object ownership setting.
func (s *Service) PutBucketOwnershipControls(ctx context.Context, in *s3api.PutBucketOwnershipControlsRequest) (*s3api.PutBucketOwnershipControlsOutput, error) {
	cfg := in.OwnershipControls
	if cfg == nil || len(cfg.Rules) != 1 || cfg.Rules[0].ObjectOwnership == nil {
		return nil, errMalformedXML()
	}
	switch *cfg.Rules[0].ObjectOwnership {
	case "BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced":
	default:
		return nil, errMalformedXML()
	}
	enforced := *cfg.Rules[0].ObjectOwnership == "BucketOwnerEnforced"
	if err := s.setConfig(ctx, "PutBucketOwnershipControls", api.ToString(in.Bucket), cfgOwnership, cfg, func(b *bucketRec) error {
		if enforced && b.ACL != nil && len(b.ACL.Grants) > 1 {
			return api.Errorf(http.StatusBadRequest, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return &s3api.PutBucketOwnershipControlsOutput{}, nil
}

// GetBucketOwnershipControls answers the setting or OwnershipControlsNotFoundError.
func (s *Service) GetBucketOwnershipControls(ctx context.Context, in *s3api.GetBucketOwnershipControlsRequest) (*s3api.GetBucketOwnershipControlsOutput, error) {
	var cfg s3api.OwnershipControls
	b := api.ToString(in.Bucket)
	if err := s.readConfig(ctx, "GetBucketOwnershipControls", b, cfgOwnership, &cfg,
		notFound("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", b)); err != nil {
		return nil, err
	}
	return &s3api.GetBucketOwnershipControlsOutput{OwnershipControls: &cfg}, nil
}

// DeleteBucketOwnershipControls removes the setting.
func (s *Service) DeleteBucketOwnershipControls(ctx context.Context, in *s3api.DeleteBucketOwnershipControlsRequest) (*s3api.DeleteBucketOwnershipControlsOutput, error) {
	if err := s.dropConfig(ctx, "DeleteBucketOwnershipControls", api.ToString(in.Bucket), cfgOwnership); err != nil {
		return nil, err
	}
	return &s3api.DeleteBucketOwnershipControlsOutput{}, nil
}

// ---- public access block ----

// PutPublicAccessBlock stores the four switches.
func (s *Service) PutPublicAccessBlock(ctx context.Context, in *s3api.PutPublicAccessBlockRequest) (*s3api.PutPublicAccessBlockOutput, error) {
	if in.PublicAccessBlockConfiguration == nil {
		return nil, errMalformedXML()
	}
	if err := s.setConfig(ctx, "PutPublicAccessBlock", api.ToString(in.Bucket), cfgPublicAccess, in.PublicAccessBlockConfiguration, nil); err != nil {
		return nil, err
	}
	return &s3api.PutPublicAccessBlockOutput{}, nil
}

// GetPublicAccessBlock answers them or NoSuchPublicAccessBlockConfiguration.
func (s *Service) GetPublicAccessBlock(ctx context.Context, in *s3api.GetPublicAccessBlockRequest) (*s3api.GetPublicAccessBlockOutput, error) {
	var cfg s3api.PublicAccessBlockConfiguration
	b := api.ToString(in.Bucket)
	if err := s.readConfig(ctx, "GetPublicAccessBlock", b, cfgPublicAccess, &cfg,
		notFound("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", b)); err != nil {
		return nil, err
	}
	for _, p := range []**bool{&cfg.BlockPublicAcls, &cfg.IgnorePublicAcls, &cfg.BlockPublicPolicy, &cfg.RestrictPublicBuckets} {
		if *p == nil {
			*p = api.Bool(false)
		}
	}
	return &s3api.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &cfg}, nil
}

// DeletePublicAccessBlock removes them.
func (s *Service) DeletePublicAccessBlock(ctx context.Context, in *s3api.DeletePublicAccessBlockRequest) (*s3api.DeletePublicAccessBlockOutput, error) {
	if err := s.dropConfig(ctx, "DeletePublicAccessBlock", api.ToString(in.Bucket), cfgPublicAccess); err != nil {
		return nil, err
	}
	return &s3api.DeletePublicAccessBlockOutput{}, nil
}

// ---- website, accelerate, request payment, logging: kept and returned ----

// PutBucketWebsite stores the website configuration (fogbank serves no website).
func (s *Service) PutBucketWebsite(ctx context.Context, in *s3api.PutBucketWebsiteRequest) (*s3api.PutBucketWebsiteOutput, error) {
	cfg := in.WebsiteConfiguration
	if cfg == nil || (cfg.IndexDocument == nil && cfg.RedirectAllRequestsTo == nil) {
		return nil, errInvalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument", "")
	}
	if err := s.setConfig(ctx, "PutBucketWebsite", api.ToString(in.Bucket), cfgWebsite, cfg, nil); err != nil {
		return nil, err
	}
	return &s3api.PutBucketWebsiteOutput{}, nil
}

// GetBucketWebsite answers it or NoSuchWebsiteConfiguration.
func (s *Service) GetBucketWebsite(ctx context.Context, in *s3api.GetBucketWebsiteRequest) (*s3api.GetBucketWebsiteOutput, error) {
	var cfg s3api.WebsiteConfiguration
	b := api.ToString(in.Bucket)
	if err := s.readConfig(ctx, "GetBucketWebsite", b, cfgWebsite, &cfg,
		notFound("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", b)); err != nil {
		return nil, err
	}
	return &s3api.GetBucketWebsiteOutput{IndexDocument: cfg.IndexDocument, ErrorDocument: cfg.ErrorDocument,
		RedirectAllRequestsTo: cfg.RedirectAllRequestsTo, RoutingRules: cfg.RoutingRules}, nil
}

// DeleteBucketWebsite removes it.
func (s *Service) DeleteBucketWebsite(ctx context.Context, in *s3api.DeleteBucketWebsiteRequest) (*s3api.DeleteBucketWebsiteOutput, error) {
	if err := s.dropConfig(ctx, "DeleteBucketWebsite", api.ToString(in.Bucket), cfgWebsite); err != nil {
		return nil, err
	}
	return &s3api.DeleteBucketWebsiteOutput{}, nil
}

// PutBucketAccelerateConfiguration stores the switch (no effect locally).
func (s *Service) PutBucketAccelerateConfiguration(ctx context.Context, in *s3api.PutBucketAccelerateConfigurationRequest) (*s3api.PutBucketAccelerateConfigurationOutput, error) {
	if in.AccelerateConfiguration == nil {
		return nil, errMalformedXML()
	}
	if st := api.ToString(in.AccelerateConfiguration.Status); st != "Enabled" && st != "Suspended" {
		return nil, errMalformedXML()
	}
	if strings.Contains(api.ToString(in.Bucket), ".") {
		return nil, errInvalidRequest("S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")
	}
	if err := s.setConfig(ctx, "PutBucketAccelerateConfiguration", api.ToString(in.Bucket), cfgAccelerate, in.AccelerateConfiguration, nil); err != nil {
		return nil, err
	}
	return &s3api.PutBucketAccelerateConfigurationOutput{}, nil
}

// GetBucketAccelerateConfiguration answers the switch (absent when never set).
func (s *Service) GetBucketAccelerateConfiguration(ctx context.Context, in *s3api.GetBucketAccelerateConfigurationRequest) (*s3api.GetBucketAccelerateConfigurationOutput, error) {
	var cfg s3api.AccelerateConfiguration
	if err := s.readConfig(ctx, "GetBucketAccelerateConfiguration", api.ToString(in.Bucket), cfgAccelerate, &cfg, nil); err != nil {
		return nil, err
	}
	return &s3api.GetBucketAccelerateConfigurationOutput{Status: cfg.Status}, nil
}

// PutBucketRequestPayment stores who pays (no effect locally).
func (s *Service) PutBucketRequestPayment(ctx context.Context, in *s3api.PutBucketRequestPaymentRequest) (*s3api.PutBucketRequestPaymentOutput, error) {
	c := in.RequestPaymentConfiguration
	if c == nil || (api.ToString(c.Payer) != "Requester" && api.ToString(c.Payer) != "BucketOwner") {
		return nil, errMalformedXML()
	}
	if err := s.setConfig(ctx, "PutBucketRequestPayment", api.ToString(in.Bucket), cfgPayment, c, nil); err != nil {
		return nil, err
	}
	return &s3api.PutBucketRequestPaymentOutput{}, nil
}

// GetBucketRequestPayment answers who pays: BucketOwner unless set.
func (s *Service) GetBucketRequestPayment(ctx context.Context, in *s3api.GetBucketRequestPaymentRequest) (*s3api.GetBucketRequestPaymentOutput, error) {
	var cfg s3api.RequestPaymentConfiguration
	if err := s.readConfig(ctx, "GetBucketRequestPayment", api.ToString(in.Bucket), cfgPayment, &cfg, nil); err != nil {
		return nil, err
	}
	if cfg.Payer == nil {
		cfg.Payer = api.String("BucketOwner")
	}
	return &s3api.GetBucketRequestPaymentOutput{Payer: cfg.Payer}, nil
}

// PutBucketLogging stores the logging target (fogbank writes no access logs).
func (s *Service) PutBucketLogging(ctx context.Context, in *s3api.PutBucketLoggingRequest) (*s3api.PutBucketLoggingOutput, error) {
	if in.BucketLoggingStatus == nil {
		return nil, errMalformedXML()
	}
	if err := s.setConfig(ctx, "PutBucketLogging", api.ToString(in.Bucket), cfgLogging, in.BucketLoggingStatus, nil); err != nil {
		return nil, err
	}
	return &s3api.PutBucketLoggingOutput{}, nil
}

// GetBucketLogging answers the logging target (empty when off).
func (s *Service) GetBucketLogging(ctx context.Context, in *s3api.GetBucketLoggingRequest) (*s3api.GetBucketLoggingOutput, error) {
	var cfg s3api.BucketLoggingStatus
	if err := s.readConfig(ctx, "GetBucketLogging", api.ToString(in.Bucket), cfgLogging, &cfg, nil); err != nil {
		return nil, err
	}
	return &s3api.GetBucketLoggingOutput{LoggingEnabled: cfg.LoggingEnabled}, nil
}
