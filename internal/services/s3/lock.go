package s3

import (
	"context"
	"net/http"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// lockSpec is the object lock a write asks for.
type lockSpec struct {
	mode  string
	until *time.Time
	hold  string
}

func (l lockSpec) apply(r *objRec) {
	if l.mode != "" {
		r.LockMode, r.LockUntil = l.mode, l.until
	}
	if l.hold != "" {
		r.LegalHold = l.hold
	}
}

func errNoLockConfig() error {
	return errInvalidRequest("Bucket is missing Object Lock Configuration")
}

// lockFromRequest validates the x-amz-object-lock-* headers of a write.
func lockFromRequest(b *bucketRec, mode *string, until *time.Time, hold *string) (lockSpec, error) {
	var l lockSpec
	if mode == nil && until == nil && hold == nil {
		return l, nil
	}
	if !b.ObjectLock {
		return l, errNoLockConfig()
	}
	if (mode == nil) != (until == nil) {
		return l, errInvalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied", "", "")
	}
	if mode != nil {
		if *mode != "GOVERNANCE" && *mode != "COMPLIANCE" {
			return l, errInvalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", *mode)
		}
		l.mode, l.until = *mode, until
	}
	if hold != nil {
		if *hold != "ON" && *hold != "OFF" {
			return l, errInvalidArgument("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", *hold)
		}
		l.hold = *hold
	}
	return l, nil
}

// applyDefaultRetention gives a new version the bucket's default retention when
// the write named none.
func applyDefaultRetention(tx *store.Tx, b *bucketRec, r *objRec) error {
	if !b.ObjectLock || r.LockMode != "" {
		return nil
	}
	var cfg s3api.ObjectLockConfiguration
	ok, err := getConfig(tx, b.Name, cfgObjectLock, &cfg)
	if err != nil || !ok || cfg.Rule == nil || cfg.Rule.DefaultRetention == nil {
		return err
	}
	d := cfg.Rule.DefaultRetention
	until := r.Modified
	if until.IsZero() {
		until = time.Now().UTC()
	}
	if d.Days != nil {
		until = until.AddDate(0, 0, int(*d.Days))
	} else if d.Years != nil {
		until = until.AddDate(int(*d.Years), 0, 0)
	}
	r.LockMode, r.LockUntil = api.ToString(d.Mode), &until
	return nil
}

// checkLockDelete refuses to remove a version under legal hold or retention.
func checkLockDelete(r *objRec, bypass bool, now time.Time) error {
	if r.LegalHold == "ON" {
		return errAccessDenied()
	}
	if r.LockUntil != nil && r.LockUntil.After(now) {
		if r.LockMode == "COMPLIANCE" || !bypass {
			return errAccessDenied()
		}
	}
	return nil
}

// PutObjectLockConfiguration enables object lock or sets its default retention.
func (s *Service) PutObjectLockConfiguration(ctx context.Context, in *s3api.PutObjectLockConfigurationRequest) (*s3api.PutObjectLockConfigurationOutput, error) {
	cfg := in.ObjectLockConfiguration
	if cfg == nil || api.ToString(cfg.ObjectLockEnabled) != "Enabled" {
		return nil, errMalformedXML()
	}
	if cfg.Rule != nil {
		d := cfg.Rule.DefaultRetention
		if d == nil || d.Mode == nil || (d.Days == nil) == (d.Years == nil) {
			return nil, errMalformedXML()
		}
		if *d.Mode != "GOVERNANCE" && *d.Mode != "COMPLIANCE" {
			return nil, errMalformedXML()
		}
		if (d.Days != nil && *d.Days <= 0) || (d.Years != nil && *d.Years <= 0) {
			return nil, api.Errorf(http.StatusBadRequest, "InvalidRetentionPeriod", "Default retention period must be a positive integer value.")
		}
	}
	name := api.ToString(in.Bucket)
	err := s.st.Update(func(tx *store.Tx) error {
		b, err := getBucket(tx, name)
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, nil, "", "s3:PutBucketObjectLockConfiguration", permOwner); err != nil {
			return err
		}
		if !b.ObjectLock {
			if b.Versioning != "Enabled" {
				return api.Errorf(http.StatusConflict, "InvalidBucketState", "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
			}
			b.ObjectLock = true
			if err := putBucket(tx, b); err != nil {
				return err
			}
		}
		return putConfig(tx, name, cfgObjectLock, cfg)
	})
	if err != nil {
		return nil, s.internal("PutObjectLockConfiguration", err)
	}
	return &s3api.PutObjectLockConfigurationOutput{}, nil
}

// GetObjectLockConfiguration answers it or ObjectLockConfigurationNotFoundError.
func (s *Service) GetObjectLockConfiguration(ctx context.Context, in *s3api.GetObjectLockConfigurationRequest) (*s3api.GetObjectLockConfigurationOutput, error) {
	var cfg s3api.ObjectLockConfiguration
	b := api.ToString(in.Bucket)
	if err := s.readConfig(ctx, "GetObjectLockConfiguration", b, cfgObjectLock, &cfg,
		notFound("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket", b)); err != nil {
		return nil, err
	}
	return &s3api.GetObjectLockConfigurationOutput{ObjectLockConfiguration: &cfg}, nil
}

// PutObjectRetention sets a version's retention; shortening or removing a
// COMPLIANCE retention (or GOVERNANCE without the bypass header) is refused.
func (s *Service) PutObjectRetention(ctx context.Context, in *s3api.PutObjectRetentionRequest) (*s3api.PutObjectRetentionOutput, error) {
	ret := in.Retention
	if ret == nil {
		return nil, errMalformedXML()
	}
	if ret.Mode != nil && *ret.Mode != "GOVERNANCE" && *ret.Mode != "COMPLIANCE" {
		return nil, errMalformedXML()
	}
	now := s.now()
	if ret.RetainUntilDate != nil && ret.RetainUntilDate.Before(now) {
		return nil, errInvalidArgument("The retain until date must be in the future!", "", "")
	}
	_, _, err := s.editObject(ctx, "PutObjectRetention", api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.VersionId),
		func(b *bucketRec, r *objRec) error {
			if !b.ObjectLock {
				return errNoLockConfig()
			}
			if r.LockUntil != nil && r.LockUntil.After(now) {
				shorter := ret.RetainUntilDate == nil || ret.RetainUntilDate.Before(*r.LockUntil)
				if r.LockMode == "COMPLIANCE" && (shorter || api.ToString(ret.Mode) != "COMPLIANCE") {
					return errAccessDenied()
				}
				if r.LockMode == "GOVERNANCE" && (shorter || api.ToString(ret.Mode) != "GOVERNANCE") && !api.ToBool(in.BypassGovernanceRetention) {
					return errAccessDenied()
				}
			}
			r.LockMode, r.LockUntil = api.ToString(ret.Mode), ret.RetainUntilDate
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &s3api.PutObjectRetentionOutput{}, nil
}

// GetObjectRetention answers a version's retention or NoSuchObjectLockConfiguration.
func (s *Service) GetObjectRetention(ctx context.Context, in *s3api.GetObjectRetentionRequest) (*s3api.GetObjectRetentionOutput, error) {
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
		return authorize(tx, caller(ctx), b, r, *in.Key, "s3:GetObjectRetention", permOwner)
	})
	if err != nil {
		return nil, s.internal("GetObjectRetention", err)
	}
	if !b.ObjectLock {
		return nil, errNoLockConfig()
	}
	if r.LockMode == "" {
		return nil, api.Errorf(http.StatusNotFound, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration")
	}
	return &s3api.GetObjectRetentionOutput{Retention: &s3api.ObjectLockRetention{Mode: api.String(r.LockMode), RetainUntilDate: r.LockUntil}}, nil
}

// PutObjectLegalHold sets a version's legal hold.
func (s *Service) PutObjectLegalHold(ctx context.Context, in *s3api.PutObjectLegalHoldRequest) (*s3api.PutObjectLegalHoldOutput, error) {
	h := in.LegalHold
	if h == nil || (api.ToString(h.Status) != "ON" && api.ToString(h.Status) != "OFF") {
		return nil, errMalformedXML()
	}
	_, _, err := s.editObject(ctx, "PutObjectLegalHold", api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.VersionId),
		func(b *bucketRec, r *objRec) error {
			if !b.ObjectLock {
				return errNoLockConfig()
			}
			r.LegalHold = *h.Status
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &s3api.PutObjectLegalHoldOutput{}, nil
}

// GetObjectLegalHold answers a version's legal hold.
func (s *Service) GetObjectLegalHold(ctx context.Context, in *s3api.GetObjectLegalHoldRequest) (*s3api.GetObjectLegalHoldOutput, error) {
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
		return authorize(tx, caller(ctx), b, r, *in.Key, "s3:GetObjectLegalHold", permOwner)
	})
	if err != nil {
		return nil, s.internal("GetObjectLegalHold", err)
	}
	if !b.ObjectLock {
		return nil, errNoLockConfig()
	}
	if r.LegalHold == "" {
		return nil, api.Errorf(http.StatusNotFound, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration")
	}
	return &s3api.GetObjectLegalHoldOutput{LegalHold: &s3api.ObjectLockLegalHold{Status: api.String(r.LegalHold)}}, nil
}
