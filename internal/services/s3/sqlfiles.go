package s3

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fogbank/fogbank/internal/store"
)

// ObjectFiles is how the SQL engine (Athena) reads objects without a copy of
// them kept anywhere: it calls each, in key order, for every current object of
// bucket under prefix, with a local file holding the object's bytes. An
// object stored whole in a blob file is given as that file itself (held, so
// that an overwrite or delete meanwhile leaves it in place until release); one
// kept inside the database (under 64 KiB) or assembled from multipart parts is
// written into scratch for the query, and the caller removes scratch when
// done. Call release once the engine has finished reading.
func (s *Service) ObjectFiles(bucket, prefix, scratch string, each func(key string, size int64, path string) error) (release func(), err error) {
	type obj struct {
		key  string
		size int64
		segs []seg
	}
	var objs []obj
	var ids []string
	for attempt := 0; ; attempt++ {
		objs, ids = objs[:0], ids[:0]
		err = s.st.View(func(tx *store.Tx) error {
			obs, err := openObjects(tx, bucket)
			if err != nil {
				return err
			}
			c := obs.o.Cursor()
			for k, v := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, v = c.Next() {
				var r struct {
					Segs []seg `json:"segs"`
					Size int64 `json:"size"`
				}
				if err := jsonUnmarshal(v, &r); err != nil {
					return err
				}
				objs = append(objs, obj{string(k), r.Size, r.Segs})
				for _, sg := range r.Segs {
					ids = append(ids, sg.ID)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		release, err = s.st.HoldBlobs(ids)
		if errors.Is(err, store.ErrNotFound) && attempt < 3 {
			continue // an object changed between the View and the hold: look again
		}
		if err != nil {
			return nil, err
		}
		break
	}
	for _, o := range objs {
		path := ""
		if len(o.segs) == 1 {
			path = s.st.BlobPath(o.segs[0].ID)
		}
		if path == "" {
			if path, err = s.materialise(o.segs, scratch); err != nil {
				release()
				return nil, fmt.Errorf("s3: reading %s: %w", o.key, err)
			}
		}
		if err := each(o.key, o.size, path); err != nil {
			release()
			return nil, err
		}
	}
	return release, nil
}

// materialise writes the bytes of segs (held) to a new file in dir.
func (s *Service) materialise(segs []seg, dir string) (string, error) {
	f, err := os.CreateTemp(dir, "obj-")
	if err != nil {
		return "", err
	}
	path := f.Name()
	defer f.Close()
	for _, sg := range segs {
		b, err := s.st.OpenBlob(sg.ID)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(f, io.NewSectionReader(b, 0, sg.Size))
		b.Close()
		if err != nil {
			return "", err
		}
	}
	return path, f.Close()
}
