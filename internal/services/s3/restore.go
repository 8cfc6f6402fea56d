package s3

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/s3event"
)

// archived tells whether a storage class needs a restore before reading on AWS.
func archived(sc string) bool {
	return sc == s3api.StorageClassGlacier || sc == s3api.StorageClassDeepArchive
}

// RestoreObject restores an archived object's temporary copy. fogbank's bytes
// are always readable, so the restore completes at once: the object's
// x-amz-restore says so, and both ObjectRestore:Post and ObjectRestore:Completed
// are published, as AWS publishes them (minutes to hours apart there).
func (s *Service) RestoreObject(ctx context.Context, in *s3api.RestoreObjectRequest) (*s3api.RestoreObjectOutput, error) {
	days := int64(1)
	if in.RestoreRequest != nil && in.RestoreRequest.Days != nil {
		days = *in.RestoreRequest.Days
	}
	if days < 1 {
		return nil, errInvalidArgument("Days must be greater than 0", "Days", "")
	}
	var expiry time.Time
	_, _, err := s.editObject(ctx, "RestoreObject", api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.VersionId),
		func(_ *bucketRec, r *objRec) error {
			if !archived(r.StorageClass) {
				return api.Errorf(http.StatusForbidden, "InvalidObjectState", "The operation is not valid for the object's storage class").
					With("StorageClass", orStandard(r.StorageClass))
			}
			// The copy lives until midnight UTC after the given number of days.
			expiry = s.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, int(days)+1)
			r.Restore = `ongoing-request="false", expiry-date="` + expiry.Format(http.TimeFormat) + `"`
			return nil
		}, "ObjectRestore:Post", "ObjectRestore:Completed")
	if err != nil {
		return nil, err
	}
	return &s3api.RestoreObjectOutput{}, nil
}

// restoredData is the glacierEventData of an ObjectRestore:Completed event: how
// long the restored copy lives, from the object's x-amz-restore.
func restoredData(r *objRec) *s3event.GlacierEventData {
	_, date, _ := strings.Cut(r.Restore, `expiry-date="`)
	expiry, _ := http.ParseTime(strings.TrimSuffix(date, `"`))
	return &s3event.GlacierEventData{RestoreEventData: s3event.RestoreEventData{
		LifecycleRestorationExpiryTime: s3event.FormatEventTime(expiry), LifecycleRestoreStorageClass: r.StorageClass}}
}
