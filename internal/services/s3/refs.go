package s3

import "github.com/fogbank/fogbank/internal/store"

// RefWalker reports every blob reference S3 holds (versions and parts; the
// current-object index shares its version's reference), for store.Check.
func RefWalker(tx *store.Tx, ref func(blobID string)) error {
	bk := tx.Bucket(bucketsPath...)
	if bk == nil {
		return nil
	}
	return bk.ForEach(func(name, _ []byte) error {
		for _, sub := range []string{"v", "p"} {
			b := tx.Bucket(bpath(string(name), sub)...)
			if b == nil {
				continue
			}
			if err := b.ForEach(func(_, v []byte) error {
				var r struct {
					Segs []seg `json:"segs"`
				}
				if err := jsonUnmarshal(v, &r); err != nil {
					return err
				}
				for _, s := range r.Segs {
					ref(s.ID)
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// BlobRefs is RefWalker, for a reset of S3 alone (host.BlobHolder).
func (s *Service) BlobRefs(tx *store.Tx, ref func(blobID string)) error { return RefWalker(tx, ref) }

// Reset empties the decoded-record caches (host.Resetter). They are keyed by
// the records' bytes, so nothing in them is ever wrong; this returns their memory.
func (s *Service) Reset() {
	bucketRecs.reset()
	objRecs.reset()
}
