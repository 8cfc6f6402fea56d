package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Tx is one transaction, read-only inside View and read-write inside Update.
// It is valid only until the function it was passed to returns.
//
// A Tx reads three sources, newest first: the overlay of Updates not yet
// checkpointed (top), the overlay a running checkpoint is moving into bbolt
// (under), and a bbolt read transaction (b). Writes never touch bbolt: they make
// a new top, which becomes everyone's when the Update's log record is durable.
type Tx struct {
	s *Store
	b *bolt.Tx
	// dirs caches bucket lookups in b by encoded path; nil when b is the Tx's own.
	dirs     *dirCache
	scratch  []byte
	top      overlay
	under    overlay
	writable bool
	// dirty is set by the first write.
	dirty bool
	// version counts writes, so that Buckets know when their cached layers are stale.
	version uint64
	// log is this fn's writes, encoded for the write-ahead log; ops counts them.
	// In memory mode nothing is encoded and size is what log's length would be.
	log  []byte
	ops  int
	size int
	// refPending lists pending blobs this fn referenced; unrefGone lists blobs whose
	// last reference this fn dropped. Both are settled once the Update is durable.
	refPending []pendingRef
	refBuf     [1]pendingRef
	unrefGone  []string
	// unrefInline lists the small blobs whose last reference this fn dropped,
	// their bytes kept aside for holders (hold.go).
	unrefInline []*dyingBlob
	// rootB is the pseudo-bucket root returns; kids caches the buckets child
	// resolved (a service looks the same few up again and again: its
	// configuration, its tables), until a bucket is created or deleted.
	rootB   Bucket
	kids    []*Bucket
	kidsBuf [maxKids]*Bucket
	// The first buckets a transaction resolves and its first path encodings
	// come from here: most need only a few, and a request makes several
	// transactions (each allocation is GC work and, on a growing heap, fresh
	// pages).
	// ownLayers are the layers this Tx made and may change in place (ownLayer).
	ownLayers  []*layer
	ownBuf     [8]*layer
	bucketBuf  [txBuckets]Bucket
	nBuckets   int
	scratchBuf [128]byte
}

// txPool recycles transactions. A Tx is about 1.4 KiB (the buffers that spare
// its first buckets and path encodings allocations of their own) and an S3 PUT
// makes two: allocated afresh they were a sixth of its garbage, and on a
// growing heap a fresh page touched for each. A Tx, and every Bucket and Cursor
// it gave out, is valid only until fn returns (and, for an Update, until
// Update returns): after that it serves another transaction. One that fn
// panicked out of is left to the collector.
var txPool = sync.Pool{New: func() any { return new(Tx) }}

// getTx returns a read-only Tx on b and the overlays; put zeroed it (a Tx
// literal assigned here would clear its 1.4 KiB a second time).
func getTx(s *Store, b *bolt.Tx, dirs *dirCache, top, under overlay) *Tx {
	tx := txPool.Get().(*Tx)
	tx.s, tx.b, tx.dirs, tx.top, tx.under = s, b, dirs, top, under
	return tx
}

// putTx zeroes tx, so that the pool holds on to no overlay or bbolt
// transaction, and keeps it for the next.
func putTx(tx *Tx) {
	*tx = Tx{}
	txPool.Put(tx)
}

// pendingRef is a blob RefBlob took from the pending set, with what it takes to
// give it back when the Update fails.
type pendingRef struct {
	id     string
	size   int64
	data   []byte // a small blob's bytes
	inline bool
}

// txBuckets is how many Buckets a Tx holds inline (newBucket): an S3 PUT's
// Update resolves ten. Transactions are pooled, so room unused costs nothing
// but the clearing.
const txBuckets = 12

// newBucket returns a zero Bucket valid for the transaction.
func (tx *Tx) newBucket() *Bucket {
	if tx.nBuckets < len(tx.bucketBuf) {
		tx.nBuckets++
		return &tx.bucketBuf[tx.nBuckets-1]
	}
	return new(Bucket)
}

// scratchBytes returns the Tx's scratch buffer, empty.
func (tx *Tx) scratchBytes() []byte {
	if tx.scratch == nil {
		tx.scratch = tx.scratchBuf[:0]
	}
	return tx.scratch[:0]
}

// maxKids bounds Tx.kids: a transaction that walks many buckets resolves the
// ones past it as before.
const maxKids = 16

// run calls fn, turning a panic into a value for the caller of Update.
func (tx *Tx) run(fn func(*Tx) error) (panicked bool, val any, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked, val, err = true, r, nil
		}
	}()
	return false, nil, fn(tx)
}

// Writable tells whether tx is read-write (inside Update).
func (tx *Tx) Writable() bool { return tx.writable }

// logOp records one write for the log, or in memory mode (Options.Memory)
// only counts it.
func (tx *Tx) logOp(op byte, path string, key, val []byte, n uint64) {
	tx.ops++
	if tx.s.memory {
		tx.size += 3 + len(path) + len(key) + len(val) + 8
		return
	}
	tx.log = appendOp(tx.log, op, path, key, val, n)
}

func (tx *Tx) write() error {
	if !tx.writable {
		return ErrReadOnly
	}
	tx.dirty = true
	return nil
}

// root is the pseudo-bucket above the top-level buckets.
func (tx *Tx) root() *Bucket {
	if tx.rootB.tx == nil {
		tx.rootB = Bucket{tx: tx, lim: srcBolt, root: true}
	}
	return &tx.rootB
}

// Bucket returns the bucket at path (root first), or nil when any part of the
// path does not exist. Path parts are names such as "s3", account, region, and
// may hold any bytes except a leading NUL in the root name (reserved).
func (tx *Tx) Bucket(path ...string) *Bucket {
	if len(path) == 0 || !validRoot(path[0]) {
		return nil
	}
	return tx.root().Bucket(path...)
}

// sysBucket returns one of the store's own buckets (below the reserved root).
func (tx *Tx) sysBucket(name []byte) *Bucket {
	return tx.root().Bucket(string(sysBucket), string(name))
}

// CreateBucket returns the bucket at path, creating whatever part of the path is
// missing. It fails with ErrReadOnly inside View.
func (tx *Tx) CreateBucket(path ...string) (*Bucket, error) {
	if len(path) == 0 {
		return nil, fmt.Errorf("%w: empty bucket path", ErrInvalid)
	}
	if !validRoot(path[0]) {
		return nil, fmt.Errorf("%w: bucket name %q is empty or reserved", ErrInvalid, path[0])
	}
	return tx.root().CreateBucket(path...)
}

// DeleteBucket deletes the bucket at path with everything in it. It returns
// ErrNotFound when the bucket does not exist. Blobs referenced from inside it are
// not unreferenced: the service does that, it knows which values hold blob ids.
func (tx *Tx) DeleteBucket(path ...string) error {
	switch len(path) {
	case 0:
		return fmt.Errorf("%w: empty bucket path", ErrInvalid)
	case 1:
		if !validRoot(path[0]) {
			return fmt.Errorf("%w: bucket name %q is empty or reserved", ErrInvalid, path[0])
		}
		return tx.root().DeleteBucket(path[0])
	}
	parent := tx.Bucket(path[:len(path)-1]...)
	if parent == nil {
		return fmt.Errorf("%w: bucket %q", ErrNotFound, path)
	}
	return parent.DeleteBucket(path[len(path)-1])
}

func validRoot(name string) bool { return name != "" && name[0] != 0 }

// boltErr maps bbolt's errors to the store's sentinels.
func boltErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bolt.ErrBucketNotFound):
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	case errors.Is(err, bolt.ErrTxNotWritable):
		return ErrReadOnly
	case errors.Is(err, bolt.ErrDatabaseNotOpen), errors.Is(err, bolt.ErrTxClosed):
		return ErrClosed
	case errors.Is(err, bolt.ErrIncompatibleValue), errors.Is(err, bolt.ErrBucketNameRequired),
		errors.Is(err, bolt.ErrKeyRequired), errors.Is(err, bolt.ErrKeyTooLarge),
		errors.Is(err, bolt.ErrValueTooLarge), errors.Is(err, bolt.ErrBucketExists):
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return fmt.Errorf("store: %w", err)
}

// dirEntry is a cached bucket lookup: the encoded path (kept, so that a hit
// allocates no string) and the bucket in bbolt, nil when absent there.
type dirEntry struct {
	path string
	bb   *bolt.Bucket
}

// dirCache holds the buckets looked up in one long-lived bbolt read
// transaction (sharedBase), by encoded path, for every Tx that reads through it.
type dirCache struct {
	mu sync.RWMutex
	m  map[string]dirEntry
}

func newDirCache() *dirCache { return &dirCache{m: map[string]dirEntry{}} }

func (c *dirCache) get(path []byte) (dirEntry, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[string(path)]
	return e, ok
}

func (c *dirCache) put(e dirEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[e.path] = e
}

// Bucket is a set of ordered keys and nested buckets. Keys are ordered bytewise.
type Bucket struct {
	tx   *Tx
	path string // encoded (see appendElem); "" for the root
	root bool
	// lim is the oldest source this bucket may read: a fresh layer of the bucket
	// or of an ancestor hides everything older.
	lim int
	bb  *bolt.Bucket // the bucket in bbolt, nil when missing or hidden

	// The layers of top and under for path, cached while tx.version == ver.
	ver    uint64
	cached bool
	t, u   *layer
}

// layers returns the bucket's layers in top and under, and the bbolt bucket, as
// far as they are visible.
func (b *Bucket) layers() (t, u *layer, bb *bolt.Bucket) {
	if !b.cached || b.ver != b.tx.version {
		b.t, b.u = nil, nil
		if !b.root {
			b.t, _ = b.tx.top.get(b.path)
			if b.lim >= srcUnder {
				b.u, _ = b.tx.under.get(b.path)
			}
		}
		b.ver, b.cached = b.tx.version, true
	}
	t, u, bb = b.t, b.u, b.bb
	if t != nil && t.fresh {
		return t, nil, nil
	}
	if u != nil && u.fresh {
		return t, u, nil
	}
	return t, u, bb
}

// Bucket returns the nested bucket at path below b, or nil when missing. With no
// path it returns b.
func (b *Bucket) Bucket(path ...string) *Bucket {
	if tx := b.tx; len(path) > 1 && tx.dirs != nil && tx.top.empty() && tx.under.empty() {
		// Nothing in the overlays: the bucket is whatever bbolt has, and the
		// cache may know the whole path at once.
		sc := append(tx.scratchBytes(), b.path...)
		for _, p := range path {
			sc = appendElem(sc, p)
		}
		tx.scratch = sc
		if e, ok := tx.dirs.get(sc); ok {
			if e.bb == nil {
				return nil
			}
			c := tx.newBucket()
			*c = Bucket{tx: tx, path: e.path, lim: srcBolt, bb: e.bb}
			return c
		}
	}
	cur := b
	for _, p := range path {
		if cur = cur.child(p); cur == nil {
			return nil
		}
	}
	return cur
}

// child resolves the nested bucket name, nil when it does not exist.
func (b *Bucket) child(name string) *Bucket {
	pt, pu, pbb := b.layers()
	lim := b.lim
	if pt != nil && pt.fresh {
		lim = srcTop
	} else if pu != nil && pu.fresh {
		lim = min(lim, srcUnder)
	}
	var p string
	var cachedBB *bolt.Bucket
	cached := false
	sc := appendElem(append(b.tx.scratchBytes(), b.path...), name)
	b.tx.scratch = sc
	for _, k := range b.tx.kids {
		if k.path == bstr(sc) {
			return k
		}
	}
	found, exists := false, false
	tn := b.tx.top.node(bstr(sc))
	if tn != nil && tn.val != nil {
		found, exists = true, tn.val.exists
		if tn.val.fresh {
			lim = srcTop
		}
	}
	var un *pnode[*layer]
	if lim >= srcUnder {
		if un = b.tx.under.node(bstr(sc)); un != nil && un.val != nil {
			if !found {
				found, exists = true, un.val.exists
			}
			if un.val.fresh {
				lim = min(lim, srcUnder)
			}
		}
	}
	if dirs := b.tx.dirs; dirs != nil {
		if e, ok := dirs.get(sc); ok {
			cachedBB, cached, p = e.bb, true, e.path
		}
	}
	switch {
	case cached:
	case tn != nil:
		p = tn.key // the overlays' own copy of the path: no allocation
	case un != nil:
		p = un.key
	default:
		p = string(sc)
	}
	var bb *bolt.Bucket
	if lim >= srcBolt && (b.root || pbb != nil) {
		switch {
		case cached:
			bb = cachedBB
		case b.root:
			bb = b.tx.b.Bucket([]byte(name))
		default:
			bb = pbb.Bucket([]byte(name))
		}
		if b.tx.dirs != nil && !cached {
			b.tx.dirs.put(dirEntry{path: p, bb: bb})
		}
		if !found {
			exists = bb != nil
		}
	}
	if !exists {
		return nil
	}
	c := b.tx.newBucket()
	*c = Bucket{tx: b.tx, path: p, lim: lim, bb: bb}
	if tx := b.tx; tx.kids == nil {
		tx.kids = append(tx.kidsBuf[:0], c)
	} else if len(tx.kids) < maxKids {
		tx.kids = append(tx.kids, c)
	}
	return c
}

// hasChild tells whether a nested bucket is named name, as cheaply as it can
// (Put and Delete ask it for every key): no allocation, nothing cached.
func (b *Bucket) hasChild(name []byte) bool {
	t, u, bb := b.layers()
	sc := appendElem(append(b.tx.scratchBytes(), b.path...), bstr(name))
	b.tx.scratch = sc
	p := bstr(sc)
	if l, _ := b.tx.top.get(p); l != nil {
		return l.exists
	}
	if t != nil && t.fresh {
		return false
	}
	if b.lim >= srcUnder {
		if l, _ := b.tx.under.get(p); l != nil {
			return l.exists
		}
	}
	if u != nil && u.fresh || bb == nil {
		return false
	}
	return bb.Bucket(name) != nil
}

// edit changes the bucket's top layer: in place when this transaction made it,
// else in a copy that replaces it.
func (b *Bucket) edit(fn func(l *layer)) {
	fn(b.ownLayer())
	b.tx.version++
}

// setKey is edit for the commonest change, one key (a nil v deletes it),
// without edit's closure.
func (b *Bucket) setKey(k string, v []byte) {
	l := b.ownLayer()
	l.keys = l.keys.set(k, mkval(v))
	b.tx.version++
}

// ownLayer returns the bucket's top layer, made by this transaction so that it
// may be changed in place: nobody else sees it (a Tx's top is published only
// when its Update is done, and dropped when it fails). The first write to a
// bucket copies its layer and sets the copy in top; later ones change it, with
// no new layer and no new path in top (an S3 PUT writes several keys of a
// few buckets).
func (b *Bucket) ownLayer() *layer {
	tx := b.tx
	old, _ := tx.top.get(b.path)
	if old != nil {
		for _, o := range tx.ownLayers {
			if o == old {
				return old
			}
		}
	}
	l := new(layer)
	if old != nil {
		*l = *old
	} else {
		l.exists = true
	}
	tx.top = tx.top.set(b.path, l)
	if tx.ownLayers == nil {
		tx.ownLayers = tx.ownBuf[:0]
	}
	tx.ownLayers = append(tx.ownLayers, l)
	return l
}

// CreateBucket returns the nested bucket at path below b, creating what is missing.
func (b *Bucket) CreateBucket(path ...string) (*Bucket, error) {
	cur := b
	for _, p := range path {
		next := cur.child(p)
		if next == nil {
			var err error
			if next, err = cur.createChild(p); err != nil {
				return nil, err
			}
		}
		cur = next
	}
	return cur, nil
}

func (b *Bucket) createChild(name string) (*Bucket, error) {
	if err := b.tx.write(); err != nil {
		return nil, err
	}
	switch {
	case name == "":
		return nil, boltErr(bolt.ErrBucketNameRequired)
	case len(name) > bolt.MaxKeySize:
		return nil, boltErr(bolt.ErrKeyTooLarge)
	case !b.root && b.Get([]byte(name)) != nil:
		return nil, boltErr(bolt.ErrIncompatibleValue)
	}
	p := childPath(b.path, name)
	b.tx.top = b.tx.top.set(p, &layer{exists: true, fresh: true})
	b.tx.version++
	b.tx.kids = b.tx.kids[:0] // a bucket created may hide what older sources hold below it
	b.tx.logOp(opCreateBucket, p, nil, nil, 0)
	c := b.tx.newBucket()
	*c = Bucket{tx: b.tx, path: p, lim: srcTop}
	return c, nil
}

// DeleteBucket deletes the nested bucket name and everything in it; ErrNotFound
// when there is none.
func (b *Bucket) DeleteBucket(name string) error {
	if err := b.tx.write(); err != nil {
		return err
	}
	if b.child(name) == nil {
		return boltErr(bolt.ErrBucketNotFound)
	}
	tx := b.tx
	p := childPath(b.path, name)
	// What the top overlay holds below the bucket goes with it; older sources
	// are hidden by the fresh layer.
	var below []string
	tx.top.each(p, func(k string, _ *layer) bool {
		if len(k) < len(p) || k[:len(p)] != p {
			return false
		}
		if k != p {
			below = append(below, k)
		}
		return true
	})
	for _, k := range below {
		tx.top = tx.top.remove(k)
	}
	tx.top = tx.top.set(p, &layer{exists: false, fresh: true})
	tx.version++
	tx.kids = tx.kids[:0]
	tx.logOp(opDeleteBucket, p, nil, nil, 0)
	return nil
}

// Get returns the value of key, or nil when the key is missing or names a nested
// bucket. The slice is valid only during the transaction and must not be modified.
func (b *Bucket) Get(key []byte) []byte {
	v, _ := b.get(key)
	return v
}

// get is Get that also tells whether the value is the overlay's own copy,
// which never changes and outlives the transaction (bbolt's does not).
func (b *Bucket) get(key []byte) (v []byte, stable bool) {
	t, u, bb := b.layers()
	if t != nil {
		if v, ok := t.keys.get(bstr(key)); ok {
			return v.bytes(), true
		}
	}
	if u != nil {
		if v, ok := u.keys.get(bstr(key)); ok {
			return v.bytes(), true
		}
	}
	if bb != nil {
		return bb.Get(key), false
	}
	return nil, false
}

// Put sets key to value. The store keeps its own copy of value.
func (b *Bucket) Put(key, value []byte) error { return b.put(key, value, true) }

// PutOwned is Put for a value the caller hands over (fresh from an encoder, say):
// the store keeps value itself instead of a copy, so the caller must never
// change it again. The same value may be handed to several keys.
func (b *Bucket) PutOwned(key, value []byte) error { return b.put(key, value, false) }

func (b *Bucket) put(key, value []byte, copyValue bool) error {
	if err := b.tx.write(); err != nil {
		return err
	}
	switch {
	case b.root:
		return fmt.Errorf("%w: no keys at the root", ErrInvalid)
	case len(key) == 0:
		return boltErr(bolt.ErrKeyRequired)
	case len(key) > bolt.MaxKeySize:
		return boltErr(bolt.ErrKeyTooLarge)
	case int64(len(value)) > bolt.MaxValueSize:
		return boltErr(bolt.ErrValueTooLarge)
	case b.hasChild(key):
		return boltErr(bolt.ErrIncompatibleValue)
	}
	v := value
	if copyValue || v == nil {
		// An empty value must still read back as present (non-nil).
		v = append(make([]byte, 0, len(value)), value...)
	}
	b.setKey(string(key), v)
	b.tx.logOp(opPut, b.path, key, v, 0)
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (b *Bucket) Delete(key []byte) error {
	if err := b.tx.write(); err != nil {
		return err
	}
	if b.root || len(key) == 0 {
		return nil
	}
	if b.hasChild(key) {
		return boltErr(bolt.ErrIncompatibleValue)
	}
	if b.Get(key) == nil {
		return nil // nothing to hide, nothing to log
	}
	b.setKey(string(key), nil)
	b.tx.logOp(opDelete, b.path, key, nil, 0)
	return nil
}

// PutJSON stores v encoded with encoding/json.
func (b *Bucket) PutJSON(key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %q: %w", key, err)
	}
	return b.PutOwned(key, data)
}

// GetJSON decodes the value of key into v; ErrNotFound when the key is missing.
// v holds no reference to the store's memory, so it outlives the transaction.
func (b *Bucket) GetJSON(key []byte, v any) error {
	data := b.Get(key)
	if data == nil {
		return fmt.Errorf("%w: key %q", ErrNotFound, key)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("store: decode %q: %w", key, err)
	}
	return nil
}

// NextSequence returns the bucket's next sequence number, starting at 1: a
// monotonic id (message ids, shard sequence numbers) that commits with the
// transaction.
func (b *Bucket) NextSequence() (uint64, error) {
	if err := b.tx.write(); err != nil {
		return 0, err
	}
	if b.root {
		return 0, fmt.Errorf("%w: no sequence at the root", ErrInvalid)
	}
	n := b.Sequence() + 1
	b.edit(func(l *layer) { l.hasSeq, l.seq = true, n })
	b.tx.logOp(opSequence, b.path, nil, nil, n)
	return n, nil
}

// Sequence returns the last sequence number NextSequence handed out (0 if none).
func (b *Bucket) Sequence() uint64 {
	t, u, bb := b.layers()
	for _, l := range []*layer{t, u} {
		if l == nil {
			continue
		}
		if l.hasSeq {
			return l.seq
		}
		if l.fresh {
			return 0
		}
	}
	if bb != nil {
		return bb.Sequence()
	}
	return 0
}

// Cursor returns a cursor over the bucket's keys (nested buckets skipped).
func (b *Bucket) Cursor() *Cursor {
	if b.root {
		return &Cursor{b: b, m: newMerged(nil)}
	}
	t, u, bb := b.layers()
	var srcs []cursorSource
	if b.tx.writable {
		// The walk must see what the Update writes while it walks (Cursor.Delete).
		tx, path := b.tx, b.path
		srcs = append(srcs, &mapSource{keys: func() pmap[bval] {
			if l, _ := tx.top.get(path); l != nil {
				return l.keys
			}
			return pmap[bval]{}
		}})
	} else if t != nil {
		keys := t.keys
		srcs = append(srcs, &mapSource{keys: func() pmap[bval] { return keys }})
	}
	if u != nil {
		keys := u.keys
		srcs = append(srcs, &mapSource{keys: func() pmap[bval] { return keys }})
	}
	if bb != nil {
		srcs = append(srcs, boltOnly(bb))
	}
	return &Cursor{b: b, m: newMerged(srcs)}
}

// ForEach calls fn for every key and value in order, nested buckets skipped.
// fn must not modify the bucket; an error from fn stops the walk and is returned.
func (b *Bucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// ForEachPrefix calls fn, in order, for every key that starts with prefix.
func (b *Bucket) ForEachPrefix(prefix []byte, fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// ForEachBucket calls fn, in order, with the name of every nested bucket.
func (b *Bucket) ForEachBucket(fn func(name []byte) error) error {
	t, _, bb := b.layers()
	// Newest source first decides whether a name exists.
	seen := map[string]bool{}
	for i, o := range []overlay{b.tx.top, b.tx.under} {
		if i == srcUnder && (b.lim < srcUnder || (t != nil && t.fresh)) {
			continue // hidden by a fresh layer
		}
		o.each(b.path, func(k string, l *layer) bool {
			if len(k) < len(b.path) || k[:len(b.path)] != b.path {
				return false
			}
			if name, ok := directChild(b.path, k); ok {
				if _, decided := seen[name]; !decided {
					seen[name] = l.exists
				}
			}
			return true
		})
	}
	if bb != nil {
		bb.ForEachBucket(func(k []byte) error {
			if _, decided := seen[string(k)]; !decided {
				seen[string(k)] = true
			}
			return nil
		})
	}
	names := make([]string, 0, len(seen))
	for n, ok := range seen {
		if ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if err := fn([]byte(n)); err != nil {
			return err
		}
	}
	return nil
}

// Cursor walks a bucket's keys in bytewise order, skipping nested buckets. Every
// method returns a nil key when it runs off the end. Keys and values are valid only
// during the transaction.
type Cursor struct {
	b *Bucket
	m *merged
}

// First moves to the first key.
func (c *Cursor) First() (k, v []byte) { return c.m.first() }

// Last moves to the last key.
func (c *Cursor) Last() (k, v []byte) { return c.m.last() }

// Next moves to the next key.
func (c *Cursor) Next() (k, v []byte) { return c.m.next() }

// Prev moves to the previous key.
func (c *Cursor) Prev() (k, v []byte) { return c.m.prev() }

// Seek moves to the first key >= seek.
func (c *Cursor) Seek(seek []byte) (k, v []byte) { return c.m.seek(seek) }

// SeekLast moves to the last key < before (to walk backwards from a bound, as a
// descending DynamoDB Query does). A nil before means the last key.
func (c *Cursor) SeekLast(before []byte) (k, v []byte) {
	if before == nil {
		return c.Last()
	}
	k, v = c.Seek(before)
	if k == nil {
		return c.Last()
	}
	return c.Prev()
}

// Delete removes the key the cursor is on; Next then moves to the key after it,
// so a walk may delete as it goes (TestCursorDeleteWhileWalking).
func (c *Cursor) Delete() error {
	if err := c.b.tx.write(); err != nil {
		return err
	}
	if c.m.cur == nil {
		return nil
	}
	return c.b.Delete(append([]byte(nil), c.m.cur...))
}

// Uint64Key encodes n big-endian, so numeric order is key order.
func Uint64Key(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// ParseUint64Key decodes a key made by Uint64Key (0 when k is not 8 bytes).
func ParseUint64Key(k []byte) uint64 {
	if len(k) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k)
}
