package s3

import "github.com/fogbank/fogbank/internal/store"

// BucketPolicy answers a bucket's owner account and policy document ("" when
// it has none), for IAM enforcement: within the owner's account a bucket
// policy may grant or deny what identity policies do not (S3 itself decides
// for other accounts and anonymous callers, in authorize). ok is false when
// the bucket does not exist.
func (s *Service) BucketPolicy(bucket string) (owner, doc string, ok bool) {
	s.st.View(func(tx *store.Tx) error {
		b, err := sharedBucket(tx, bucket)
		if err != nil {
			return nil
		}
		owner, ok = b.Account, true
		_, err = getConfig(tx, bucket, cfgPolicy, &doc)
		return err
	})
	return owner, doc, ok
}
