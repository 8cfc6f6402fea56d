package s3

import (
	"encoding/json"
	"maps"
	"slices"
	"sync"
)

// Bucket and object records are JSON in the store, and every request decodes
// one or two of them: encoding/json is a large share of a small GET or PUT. The
// decoded records are kept, keyed by their bytes (content-addressed: a record
// whose bytes are unchanged decodes the same, so nothing is ever stale), and
// each caller gets its own deep copy, free to change.
type recCache[T any] struct {
	mu    sync.RWMutex
	m     map[string]*T
	clone func(*T) *T
}

// maxCached bounds each cache; when full it starts again empty.
const maxCached = 4096

func (c *recCache[T]) decode(raw []byte) (*T, error) {
	c.mu.RLock()
	v := c.m[string(raw)]
	c.mu.RUnlock()
	if v != nil {
		return c.clone(v), nil
	}
	return c.add(raw)
}

// shared is decode without the copy: the record returned may be the cached one,
// which nobody may change. GET and HEAD only read the records they find.
func (c *recCache[T]) shared(raw []byte) (*T, error) {
	c.mu.RLock()
	v := c.m[string(raw)]
	c.mu.RUnlock()
	if v != nil {
		return v, nil
	}
	return c.add(raw)
}

// add decodes raw and caches a copy of the result.
func (c *recCache[T]) add(raw []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[string]*T{}
	}
	c.m[string(raw)] = c.clone(v)
	c.mu.Unlock()
	return v, nil
}

var (
	bucketRecs = &recCache[bucketRec]{clone: (*bucketRec).clone}
	objRecs    = &recCache[objRec]{clone: (*objRec).clone}
)

// clone is a deep copy of b (nil for nil).
func (b *bucketRec) clone() *bucketRec {
	if b == nil {
		return nil
	}
	c := *b
	c.ACL = b.ACL.clone()
	return &c
}

func (a *aclRec) clone() *aclRec {
	if a == nil {
		return nil
	}
	c := *a
	c.Grants = slices.Clone(a.Grants)
	return &c
}

// clone is a deep copy of r (nil for nil).
func (r *objRec) clone() *objRec {
	if r == nil {
		return nil
	}
	c := *r
	c.Segs = slices.Clone(r.Segs)
	c.Headers = maps.Clone(r.Headers)
	c.Meta = maps.Clone(r.Meta)
	c.Parts = slices.Clone(r.Parts)
	c.Tags = slices.Clone(r.Tags)
	c.ACL = r.ACL.clone()
	if r.LockUntil != nil {
		t := *r.LockUntil
		c.LockUntil = &t
	}
	return &c
}

func (c *recCache[T]) reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
