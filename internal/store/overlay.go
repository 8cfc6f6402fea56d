package store

import (
	"bytes"
	"fmt"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// The overlay holds what Updates wrote since the last checkpoint: the write-ahead
// log has it on disk, bbolt does not yet. Reads see the overlay over bbolt; a
// checkpoint (checkpoint.go) moves it into bbolt in one big transaction.
//
// An overlay is a persistent map from an encoded bucket path to a layer: what the
// overlay knows of that one bucket. Up to two overlays are visible at once, the
// newest ("top") over the one a running checkpoint is moving into bbolt
// ("under"); together with bbolt that makes three sources, newest first.
type overlay = pmap[*layer]

// layer is an immutable record of changes to one bucket.
type layer struct {
	// exists is false when the bucket was deleted.
	exists bool
	// fresh hides every older source for this bucket and everything below it: the
	// bucket was deleted (and maybe created again) here, so what bbolt or an older
	// overlay hold for it is gone.
	fresh bool
	// hasSeq tells that seq is the bucket's sequence (NextSequence).
	hasSeq bool
	seq    uint64
	// keys maps keys to values; a nil value is a deleted key.
	keys pmap[bval]
}

// Source indices, newest first; a Bucket's lim is the oldest it may read.
const (
	srcTop   = 0
	srcUnder = 1
	srcBolt  = 2
)

// Bucket paths are encoded as one string per bucket so that a bucket's
// descendants follow it in order: each name with 0x00 escaped as 0x00 0xff and
// ended by 0x00 0x01. Names order as bytewise (a prefix sorts first).
func appendElem(dst []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			dst = append(dst, 0, 0xff)
		} else {
			dst = append(dst, name[i])
		}
	}
	return append(dst, 0, 1)
}

func childPath(parent, name string) string {
	b := make([]byte, 0, len(parent)+len(name)+2)
	b = append(b, parent...)
	return string(appendElem(b, name))
}

// splitPath decodes an encoded path into its names.
func splitPath(p string) ([]string, error) {
	var parts []string
	var cur []byte
	for i := 0; i < len(p); i++ {
		if p[i] != 0 {
			cur = append(cur, p[i])
			continue
		}
		if i+1 >= len(p) {
			return nil, fmt.Errorf("store: malformed bucket path %q", p)
		}
		i++
		switch p[i] {
		case 0xff:
			cur = append(cur, 0)
		case 1:
			parts = append(parts, string(cur))
			cur = cur[:0]
		default:
			return nil, fmt.Errorf("store: malformed bucket path %q", p)
		}
	}
	if len(cur) > 0 {
		return nil, fmt.Errorf("store: malformed bucket path %q", p)
	}
	return parts, nil
}

// lastElem returns the name of the last bucket in an encoded path that extends
// parent, or ok=false when p is not a direct child of parent.
func directChild(parent, p string) (name string, ok bool) {
	if len(p) <= len(parent) || p[:len(parent)] != parent {
		return "", false
	}
	parts, err := splitPath(p[len(parent):])
	if err != nil || len(parts) != 1 {
		return "", false
	}
	return parts[0], true
}

// bstr views b as a string without copying, for lookups that do not keep it.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// sbytes views s as bytes without copying; callers must not modify them.
func sbytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// cursorSource is one sorted source of a merged cursor. Every method returns a
// nil key when it runs off the end.
type cursorSource interface {
	first() (k, v []byte)
	last() (k, v []byte)
	seek(k []byte) ([]byte, []byte) // first key >= k
	next() (k, v []byte)
	prev() (k, v []byte)
	tombstones() bool // a nil value means deleted
}

// mapSource walks a layer's keys. keys is called at every move, so that a walk
// inside an Update sees what the Update wrote since (a delete while walking).
type mapSource struct {
	keys func() pmap[bval]
	at   *pnode[bval]
}

func (m *mapSource) kv() ([]byte, []byte) {
	if m.at == nil {
		return nil, nil
	}
	return sbytes(m.at.key), m.at.val.bytes()
}
func (m *mapSource) first() ([]byte, []byte) { m.at = m.keys().first(); return m.kv() }
func (m *mapSource) last() ([]byte, []byte)  { m.at = m.keys().last(); return m.kv() }
func (m *mapSource) seek(k []byte) ([]byte, []byte) {
	m.at = m.keys().ceil(bstr(k), false)
	return m.kv()
}
func (m *mapSource) next() ([]byte, []byte) {
	if m.at != nil {
		m.at = m.keys().ceil(m.at.key, true)
	}
	return m.kv()
}
func (m *mapSource) prev() ([]byte, []byte) {
	if m.at != nil {
		m.at = m.keys().floor(m.at.key, true)
	}
	return m.kv()
}
func (m *mapSource) tombstones() bool { return true }

// boltSource walks a bbolt bucket, skipping nested buckets (bbolt returns their
// names with a nil value).
type boltSource struct {
	b *bolt.Bucket
	c *bolt.Cursor
}

func (b *boltSource) isBucket(k, v []byte) bool {
	return k != nil && v == nil && b.b.Bucket(k) != nil
}

func (b *boltSource) fwd(k, v []byte) ([]byte, []byte) {
	for b.isBucket(k, v) {
		k, v = b.c.Next()
	}
	return k, v
}

func (b *boltSource) bwd(k, v []byte) ([]byte, []byte) {
	for b.isBucket(k, v) {
		k, v = b.c.Prev()
	}
	return k, v
}

func (b *boltSource) first() ([]byte, []byte)        { return b.fwd(b.c.First()) }
func (b *boltSource) last() ([]byte, []byte)         { return b.bwd(b.c.Last()) }
func (b *boltSource) seek(k []byte) ([]byte, []byte) { return b.fwd(b.c.Seek(k)) }
func (b *boltSource) next() ([]byte, []byte)         { return b.fwd(b.c.Next()) }
func (b *boltSource) prev() ([]byte, []byte)         { return b.bwd(b.c.Prev()) }
func (b *boltSource) tombstones() bool               { return false }

// boltOnly adapts a lone bbolt source to the Cursor's needs without merging.
func boltOnly(b *bolt.Bucket) cursorSource { return &boltSource{b: b, c: b.Cursor()} }

// merged walks several sources as one: on equal keys the newest source wins, and
// a deleted key (a tombstone in an overlay) hides the older ones.
type merged struct {
	srcs   []cursorSource // newest first
	ks, vs [][]byte       // each source's position
	dir    int            // 1 after a forward move, -1 after a backward one
	cur    []byte         // the key last returned; nil off the end
}

func newMerged(srcs []cursorSource) *merged {
	return &merged{srcs: srcs, ks: make([][]byte, len(srcs)), vs: make([][]byte, len(srcs))}
}

func (m *merged) pick(dir int) ([]byte, []byte) {
	for {
		best := -1
		for i, k := range m.ks {
			if k == nil {
				continue
			}
			if best < 0 {
				best = i
				continue
			}
			c := bytes.Compare(k, m.ks[best])
			if (dir > 0 && c < 0) || (dir < 0 && c > 0) {
				best = i
			}
		}
		if best < 0 {
			m.cur = nil
			return nil, nil
		}
		k, v := m.ks[best], m.vs[best]
		if v == nil && m.srcs[best].tombstones() {
			m.step(k, dir)
			continue
		}
		m.cur = k
		return k, v
	}
}

// step moves every source sitting on k one place in dir.
func (m *merged) step(k []byte, dir int) {
	k = append([]byte(nil), k...) // sources move under it
	for i, sk := range m.ks {
		if sk != nil && bytes.Equal(sk, k) {
			if dir > 0 {
				m.ks[i], m.vs[i] = m.srcs[i].next()
			} else {
				m.ks[i], m.vs[i] = m.srcs[i].prev()
			}
		}
	}
}

func (m *merged) first() ([]byte, []byte) {
	for i, s := range m.srcs {
		m.ks[i], m.vs[i] = s.first()
	}
	m.dir = 1
	return m.pick(1)
}

func (m *merged) last() ([]byte, []byte) {
	for i, s := range m.srcs {
		m.ks[i], m.vs[i] = s.last()
	}
	m.dir = -1
	return m.pick(-1)
}

func (m *merged) seek(k []byte) ([]byte, []byte) {
	for i, s := range m.srcs {
		m.ks[i], m.vs[i] = s.seek(k)
	}
	m.dir = 1
	return m.pick(1)
}

func (m *merged) next() ([]byte, []byte) {
	if m.cur == nil {
		return nil, nil
	}
	cur := append([]byte(nil), m.cur...)
	if m.dir < 0 { // every source to its first key > cur
		for i, s := range m.srcs {
			k, v := s.seek(cur)
			if k != nil && bytes.Equal(k, cur) {
				k, v = s.next()
			}
			m.ks[i], m.vs[i] = k, v
		}
	} else {
		m.step(cur, 1)
	}
	m.dir = 1
	return m.pick(1)
}

func (m *merged) prev() ([]byte, []byte) {
	if m.cur == nil {
		return nil, nil
	}
	cur := append([]byte(nil), m.cur...)
	if m.dir > 0 { // every source to its last key < cur
		for i, s := range m.srcs {
			k, v := s.seek(cur)
			if k == nil {
				k, v = s.last()
			} else {
				k, v = s.prev()
			}
			m.ks[i], m.vs[i] = k, v
		}
	} else {
		m.step(cur, -1)
	}
	m.dir = -1
	return m.pick(-1)
}

// applyOverlay writes an overlay into a bbolt transaction (a checkpoint). The
// order avoids bbolt's key/bucket conflicts, which the overlay allowed because
// they happened one after the other: deleted buckets go first, then deleted
// keys, then new buckets, then new keys and sequences.
func applyOverlay(btx *bolt.Tx, o overlay) error {
	type item struct {
		parts []string
		l     *layer
	}
	var items []item
	var err error
	o.each("", func(p string, l *layer) bool {
		var parts []string
		if parts, err = splitPath(p); err != nil {
			return false
		}
		items = append(items, item{parts, l})
		return true
	})
	if err != nil {
		return err
	}
	// Pass 1: buckets that were deleted (and maybe created again).
	for _, it := range items {
		if !it.l.fresh {
			continue
		}
		parent := boltParent(btx, it.parts)
		if parent == nil {
			continue // an ancestor was deleted too
		}
		name := it.parts[len(it.parts)-1]
		if parent.bucket(name) == nil {
			continue // never reached bbolt (the name may even be a key there)
		}
		if err := parent.delete(name); err != nil {
			return fmt.Errorf("checkpoint: delete bucket %q: %w", it.parts, err)
		}
	}
	// Pass 2: deleted keys in buckets that survive.
	for _, it := range items {
		if it.l.fresh {
			continue // a fresh bucket has nothing to delete
		}
		b := boltBucket(btx, it.parts)
		if b == nil {
			continue
		}
		var err error
		it.l.keys.each("", func(k string, v bval) bool {
			if v.p == nil {
				err = b.Delete(sbytes(k))
			}
			return err == nil
		})
		if err != nil {
			return fmt.Errorf("checkpoint: delete in %q: %w", it.parts, err)
		}
	}
	// Pass 3: buckets that exist, created where missing (parents first: the
	// overlay's order puts a bucket before everything below it).
	for _, it := range items {
		if !it.l.exists {
			continue
		}
		parent := boltParent(btx, it.parts)
		if parent == nil {
			return fmt.Errorf("checkpoint: parent of %q missing", it.parts)
		}
		if _, err := parent.createIfMissing(it.parts[len(it.parts)-1]); err != nil {
			return fmt.Errorf("checkpoint: create bucket %q: %w", it.parts, err)
		}
	}
	// Pass 4: values and sequences.
	for _, it := range items {
		if !it.l.exists {
			continue
		}
		b := boltBucket(btx, it.parts)
		if b == nil {
			return fmt.Errorf("checkpoint: bucket %q missing", it.parts)
		}
		b.FillPercent = checkpointFill
		var err error
		it.l.keys.each("", func(k string, v bval) bool {
			if v.p != nil {
				err = b.Put(sbytes(k), v.bytes())
			}
			return err == nil
		})
		if err == nil && it.l.hasSeq {
			err = b.SetSequence(it.l.seq)
		}
		if err != nil {
			return fmt.Errorf("checkpoint: write in %q: %w", it.parts, err)
		}
	}
	return nil
}

// boltDir is a bbolt bucket or the root of a transaction, which both hold
// buckets.
type boltDir struct {
	tx *bolt.Tx
	b  *bolt.Bucket
}

func (d boltDir) bucket(name string) *bolt.Bucket {
	if d.b == nil {
		return d.tx.Bucket([]byte(name))
	}
	return d.b.Bucket([]byte(name))
}

func (d boltDir) delete(name string) error {
	if d.b == nil {
		return d.tx.DeleteBucket([]byte(name))
	}
	return d.b.DeleteBucket([]byte(name))
}

func (d boltDir) createIfMissing(name string) (*bolt.Bucket, error) {
	if d.b == nil {
		return d.tx.CreateBucketIfNotExists([]byte(name))
	}
	return d.b.CreateBucketIfNotExists([]byte(name))
}

// boltParent returns the bucket holding the last bucket of parts (the root for a
// top-level bucket), or nil when part of the way is missing.
func boltParent(btx *bolt.Tx, parts []string) *boltDir {
	d := boltDir{tx: btx}
	for _, p := range parts[:len(parts)-1] {
		b := d.bucket(p)
		if b == nil {
			return nil
		}
		d = boltDir{tx: btx, b: b}
	}
	return &d
}

func boltBucket(btx *bolt.Tx, parts []string) *bolt.Bucket {
	d := boltParent(btx, parts)
	if d == nil {
		return nil
	}
	return d.bucket(parts[len(parts)-1])
}

// checkpointFill is how full a checkpoint packs bbolt's pages. bbolt's default
// (half) suits random inserts one at a time; a checkpoint writes many keys, often
// ascending (small blob ids, sequence numbers), and packing them cuts its pages
// written and CPU by about a quarter (BenchmarkCheckpoint).
const checkpointFill = 0.9
