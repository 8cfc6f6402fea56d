package s3

import (
	"strings"

	"github.com/fogbank/fogbank/internal/store"
)

// ResourceTags answers a bucket's tags by its ARN (arn:aws:s3:::bucket), for
// IAM enforcement's aws:ResourceTag/<key>; ok is false for other ARNs and
// buckets that do not exist. Objects' tags are s3:ExistingObjectTag's, not
// answered here.
func (s *Service) ResourceTags(arn string) (tags map[string]string, ok bool) {
	bucket, found := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !found || bucket == "" || strings.Contains(bucket, "/") {
		return nil, false
	}
	s.st.View(func(tx *store.Tx) error {
		var kv []tagKV
		found, err := getConfig(tx, bucket, cfgTagging, &kv)
		if err != nil {
			return nil
		}
		ok, tags = true, map[string]string{}
		if found {
			for _, t := range kv {
				tags[t.K] = t.V
			}
		}
		return nil
	})
	return tags, ok
}

// ObjectTags answers an object's tags (its current version's), for IAM
// enforcement's s3:ExistingObjectTag/<key>; ok is false when there is no
// such object.
func (s *Service) ObjectTags(bucket, key string) (tags map[string]string, ok bool) {
	s.st.View(func(tx *store.Tx) error {
		_, r, err := findObject(tx, bucket, key, "", "GET")
		if err != nil || r == nil {
			return nil
		}
		ok, tags = true, map[string]string{}
		for _, t := range r.Tags {
			tags[t.K] = t.V
		}
		return nil
	})
	return tags, ok
}
