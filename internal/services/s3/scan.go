package s3

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/store"
)

// WalkObjects and OpenObject are how other services read what a bucket holds
// (Glue's crawlers infer schemas from it), found with host.Lookup.

// WalkObjects calls each, in key order, for every current object of bucket
// whose key begins with prefix, with its size and last-modified time. The
// listing is one consistent view, taken before the first call. A missing
// bucket is NoSuchBucket.
func (s *Service) WalkObjects(bucket, prefix string, each func(key string, size int64, modified time.Time) error) error {
	type entry struct {
		key  string
		size int64
		mod  time.Time
	}
	var es []entry
	err := s.st.View(func(tx *store.Tx) error {
		obs, err := openObjects(tx, bucket)
		if err != nil {
			return err
		}
		c := obs.o.Cursor()
		for k, v := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, v = c.Next() {
			var r struct {
				Size     int64     `json:"size"`
				Modified time.Time `json:"mod"`
			}
			if err := jsonUnmarshal(v, &r); err != nil {
				return err
			}
			es = append(es, entry{string(k), r.Size, r.Modified})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := each(e.key, e.size, e.mod); err != nil {
			return err
		}
	}
	return nil
}

// OpenObject opens bytes [off, off+n) of the current object at key (n < 0:
// to its end) and answers the object's whole size. What it reads is the
// object found when it was opened, whatever writes come later, as a GET.
// A missing bucket or key is NoSuchBucket or NoSuchKey.
func (s *Service) OpenObject(bucket, key string, off, n int64) (io.ReadCloser, int64, error) {
	for attempt := 0; ; attempt++ {
		var r *segReader
		var size int64
		err := s.st.View(func(tx *store.Tx) error {
			obs, err := openObjects(tx, bucket)
			if err != nil {
				return err
			}
			rec, err := obs.sharedCurrent(key)
			if err != nil {
				return err
			}
			if rec == nil {
				return errNoSuchKey(key)
			}
			size = rec.Size
			if off > size {
				off = size
			}
			if n < 0 || off+n > size {
				n = size - off
			}
			r = newSegReader(s.st, rec.Segs, off, n)
			return r.openFirst(tx)
		})
		if err != nil {
			return nil, 0, err
		}
		if err := r.hold(); err != nil {
			r.Close()
			if errors.Is(err, store.ErrNotFound) && attempt < 3 {
				continue // the object changed between the View and the hold: look again
			}
			return nil, 0, err
		}
		return r, size, nil
	}
}
