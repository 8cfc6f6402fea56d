package s3

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"github.com/fogbank/fogbank/internal/lazy"
	"time"

	"github.com/fogbank/fogbank/internal/store"
)

// seg is one stretch of an object's bytes: a blob. A simple upload has one; a
// completed multipart upload has one per part, so completing never copies bytes.
type seg struct {
	ID   string `json:"id"`
	Size int64  `json:"n"`
}

// partSum is what an object remembers of each part it was assembled from.
type partSum struct {
	Size     int64  `json:"n"`
	ETag     string `json:"etag"`
	Checksum string `json:"ck,omitempty"`
}

// objRec is one version of an object, or a delete marker.
type objRec struct {
	Key          string            `json:"key"`
	VersionID    string            `json:"vid"` // "null" outside versioning
	DeleteMarker bool              `json:"dm,omitempty"`
	Segs         []seg             `json:"segs,omitempty"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag,omitempty"` // with its quotes
	Modified     time.Time         `json:"mod"`
	Owner        string            `json:"owner"` // account
	Headers      map[string]string `json:"hdr,omitempty"`
	Meta         map[string]string `json:"meta,omitempty"`
	StorageClass string            `json:"sc,omitempty"`
	// ChecksumAlgo and Checksum are the flexible checksum the object was written
	// with (base64, as on the wire); ChecksumType is FULL_OBJECT or COMPOSITE.
	ChecksumAlgo string    `json:"cka,omitempty"`
	Checksum     string    `json:"ck,omitempty"`
	ChecksumType string    `json:"ckt,omitempty"`
	Parts        []partSum `json:"parts,omitempty"`
	Tags         []tagKV   `json:"tags,omitempty"`
	ACL          *aclRec   `json:"acl,omitempty"`

	SSE        string `json:"sse,omitempty"`
	KMSKeyID   string `json:"kms,omitempty"`
	KMSContext string `json:"kmsctx,omitempty"`
	BucketKey  bool   `json:"bk,omitempty"`
	SSECAlgo   string `json:"ssec,omitempty"`
	SSECKeyMD5 string `json:"ssecmd5,omitempty"`

	LockMode  string     `json:"lock,omitempty"`
	LockUntil *time.Time `json:"lockUntil,omitempty"`
	LegalHold string     `json:"hold,omitempty"`

	Redirect string `json:"redirect,omitempty"`
	Restore  string `json:"restore,omitempty"`
}

type tagKV struct {
	K string `json:"k"`
	V string `json:"v"`
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// versionKey orders versions by key, then newest first: key, NUL, ^seq.
// S3 keys are XML text and never hold a NUL byte.
func versionKey(key string, seq uint64) []byte {
	b := make([]byte, 0, len(key)+9)
	b = append(b, key...)
	b = append(b, 0)
	return binary.BigEndian.AppendUint64(b, ^seq)
}

// keyOfVersion returns the object key of a version key.
func keyOfVersion(vk []byte) string {
	if len(vk) < 9 {
		return ""
	}
	return string(vk[:len(vk)-9])
}

// objStore is a bucket's object tables inside one transaction.
type objStore struct {
	tx   *store.Tx
	name string
	dir  *store.Bucket // s3/b/<bucket>
	o, v *store.Bucket
	// neverVersioned is set for a bucket that never had versioning: its only
	// version of a key is the null one, kept at versionKey(key, 0) (the oldest
	// place, right for when versioning is turned on later) and overwritten in
	// place, which spares a delete, an insert and a scan per PUT.
	neverVersioned bool
}

// openObjectsFor is openObjects for a bucket record already read.
func openObjectsFor(tx *store.Tx, b *bucketRec) (*objStore, error) {
	obs, err := openObjects(tx, b.Name)
	if err == nil {
		obs.neverVersioned = !b.versioned()
	}
	return obs, err
}

func openObjects(tx *store.Tx, bucket string) (*objStore, error) {
	// The bucket's directory is found once, its two tables below it.
	d := tx.Bucket(root, "b", bucket)
	if d == nil {
		return nil, errNoSuchBucket(bucket)
	}
	o, v := d.Bucket("o"), d.Bucket("v")
	if o == nil || v == nil {
		return nil, errNoSuchBucket(bucket)
	}
	return &objStore{tx: tx, name: bucket, dir: d, o: o, v: v}, nil
}

// current returns the current version of key (nil when none or a delete marker).
func (os *objStore) current(key string) (*objRec, error) {
	r, err := os.sharedCurrent(key)
	return r.clone(), err
}

// sharedCurrent is current for a caller that only reads the record: it may be
// the cached one (recCache.shared).
func (os *objStore) sharedCurrent(key string) (*objRec, error) {
	raw := os.o.Get([]byte(key))
	if raw == nil {
		return nil, nil
	}
	return objRecs.shared(raw)
}

// versions calls fn for each version of key, newest first, with its store key.
func (os *objStore) versions(key string, fn func(vk []byte, r *objRec) (stop bool, err error)) error {
	prefix := append([]byte(key), 0)
	c := os.v.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, v = c.Next() {
		var r objRec
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		stop, err := fn(append([]byte(nil), k...), &r)
		if err != nil || stop {
			return err
		}
	}
	return nil
}

// latest returns the newest version of key, delete markers included.
func (os *objStore) latest(key string) (*objRec, error) {
	var got *objRec
	err := os.versions(key, func(_ []byte, r *objRec) (bool, error) { got = r; return true, nil })
	return got, err
}

// version finds one version of key by id.
func (os *objStore) version(key, id string) (vk []byte, rec *objRec, err error) {
	err = os.versions(key, func(k []byte, r *objRec) (bool, error) {
		if r.VersionID == id {
			vk, rec = k, r
			return true, nil
		}
		return false, nil
	})
	return vk, rec, err
}

var errVersionGone error = lazy.Error("s3: version not found")

// put adds r as the newest version of its key. A "null" version replaces the
// key's existing null version (its bytes are released). The current-object
// index follows.
func (os *objStore) put(r *objRec) error {
	if r.VersionID == "null" && os.neverVersioned {
		vk := versionKey(r.Key, 0)
		if raw := os.v.Get(vk); raw != nil {
			// Only the old version's bytes matter here: decoding its segments
			// alone costs half as much as the whole record.
			var old struct {
				Segs []seg `json:"segs"`
			}
			if err := json.Unmarshal(raw, &old); err != nil {
				return err
			}
			if err := unrefSegs(os.tx, old.Segs); err != nil {
				return err
			}
		}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		// One encoding for both records, kept by the store without copies.
		if err := os.v.PutOwned(vk, data); err != nil {
			return err
		}
		return os.o.PutOwned([]byte(r.Key), data)
	}
	if r.VersionID == "null" {
		vk, old, err := os.version(r.Key, "null")
		if err != nil {
			return err
		}
		if old != nil {
			if err := os.v.Delete(vk); err != nil {
				return err
			}
			if err := unrefSegs(os.tx, old.Segs); err != nil {
				return err
			}
		}
	}
	seq, err := os.v.NextSequence()
	if err != nil {
		return err
	}
	if err := os.v.PutJSON(versionKey(r.Key, seq), r); err != nil {
		return err
	}
	if r.DeleteMarker {
		return os.o.Delete([]byte(r.Key))
	}
	return os.o.PutJSON([]byte(r.Key), r)
}

// update rewrites a version in place (tags, ACL, retention), keeping its order.
func (os *objStore) update(r *objRec) error {
	vk, old, err := os.version(r.Key, r.VersionID)
	if err != nil {
		return err
	}
	if old == nil {
		return errVersionGone
	}
	if err := os.v.PutJSON(vk, r); err != nil {
		return err
	}
	if cur, err := os.current(r.Key); err != nil {
		return err
	} else if cur != nil && cur.VersionID == r.VersionID {
		return os.o.PutJSON([]byte(r.Key), r)
	}
	return nil
}

// remove deletes one version for good, releasing its bytes, and repoints the
// current-object index to what is now the newest version.
func (os *objStore) remove(key, id string) (*objRec, error) {
	vk, old, err := os.version(key, id)
	if err != nil || old == nil {
		return nil, err
	}
	if err := os.v.Delete(vk); err != nil {
		return nil, err
	}
	if err := unrefSegs(os.tx, old.Segs); err != nil {
		return nil, err
	}
	newest, err := os.latest(key)
	if err != nil {
		return nil, err
	}
	if newest == nil || newest.DeleteMarker {
		err = os.o.Delete([]byte(key))
	} else {
		err = os.o.PutJSON([]byte(key), newest)
	}
	return old, err
}

func refSegs(tx *store.Tx, segs []seg) error {
	for _, s := range segs {
		if err := tx.RefBlob(s.ID); err != nil {
			return err
		}
	}
	return nil
}

func unrefSegs(tx *store.Tx, segs []seg) error {
	for _, s := range segs {
		if err := tx.UnrefBlob(s.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}
