package s3

import (
	"context"
	"net/http"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// PutBucketVersioning enables or suspends versioning. A bucket never returns to
// unversioned; an object-locked bucket cannot be suspended.
func (s *Service) PutBucketVersioning(ctx context.Context, in *s3api.PutBucketVersioningRequest) (*s3api.PutBucketVersioningOutput, error) {
	cfg := in.VersioningConfiguration
	if cfg == nil {
		return nil, errMalformedXML()
	}
	status := api.ToString(cfg.Status)
	if status != "" && status != "Enabled" && status != "Suspended" {
		return nil, errMalformedXML()
	}
	mfa := api.ToString(cfg.MFADelete)
	if mfa != "" && mfa != "Enabled" && mfa != "Disabled" {
		return nil, errMalformedXML()
	}
	if mfa == "Enabled" && in.MFA == nil {
		return nil, errInvalidRequest("DevPay and Mfa are mutually exclusive authorization methods.")
	}
	name := api.ToString(in.Bucket)
	err := s.st.Update(func(tx *store.Tx) error {
		b, err := getBucket(tx, name)
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, nil, "", "s3:PutBucketVersioning", permOwner); err != nil {
			return err
		}
		if b.ObjectLock && status == "Suspended" {
			return api.Errorf(http.StatusConflict, "InvalidBucketState", "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
		}
		if status != "" {
			b.Versioning = status
		}
		if mfa != "" {
			b.MFADelete = mfa
		}
		return putBucket(tx, b)
	})
	if err != nil {
		return nil, s.internal("PutBucketVersioning", err)
	}
	return &s3api.PutBucketVersioningOutput{}, nil
}

// GetBucketVersioning answers the state; an unversioned bucket answers neither member.
func (s *Service) GetBucketVersioning(ctx context.Context, in *s3api.GetBucketVersioningRequest) (*s3api.GetBucketVersioningOutput, error) {
	b, err := s.viewAuthorized(ctx, api.ToString(in.Bucket), "s3:GetBucketVersioning", permOwner)
	if err != nil {
		return nil, s.internal("GetBucketVersioning", err)
	}
	out := &s3api.GetBucketVersioningOutput{}
	if b.Versioning != "" {
		out.Status = api.String(b.Versioning)
	}
	if b.MFADelete != "" {
		out.MFADelete = api.String(b.MFADelete)
	}
	return out, nil
}
