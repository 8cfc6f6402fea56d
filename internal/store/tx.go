package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Tx is one transaction, read-only inside View and read-write inside Update.
// It is valid only until the function it was passed to returns.
type Tx struct {
	s        *Store
	b        *bolt.Tx
	writable bool
	// dirty is set by the first write, so the batcher knows whether a failing fn
	// left anything in the shared transaction.
	dirty bool
	// refPending lists pending blobs this fn referenced; unrefGone lists blobs whose
	// last reference this fn dropped. Both are settled after the commit.
	refPending []string
	unrefGone  []string
}

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

func (tx *Tx) write() error {
	if !tx.writable {
		return ErrReadOnly
	}
	tx.dirty = true
	return nil
}

// Bucket returns the bucket at path (root first), or nil when any part of the
// path does not exist. Path parts are names such as "s3", account, region, and
// may hold any bytes except a leading NUL in the root name (reserved).
func (tx *Tx) Bucket(path ...string) *Bucket {
	if len(path) == 0 || !validRoot(path[0]) {
		return nil
	}
	b := tx.b.Bucket([]byte(path[0]))
	if b == nil {
		return nil
	}
	return (&Bucket{tx: tx, b: b}).Bucket(path[1:]...)
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
	if b := tx.b.Bucket([]byte(path[0])); b != nil {
		return (&Bucket{tx: tx, b: b}).CreateBucket(path[1:]...)
	}
	if err := tx.write(); err != nil {
		return nil, err
	}
	b, err := tx.b.CreateBucket([]byte(path[0]))
	if err != nil {
		return nil, boltErr(err)
	}
	return (&Bucket{tx: tx, b: b}).CreateBucket(path[1:]...)
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
		if err := tx.write(); err != nil {
			return err
		}
		return boltErr(tx.b.DeleteBucket([]byte(path[0])))
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

// Bucket is a set of ordered keys and nested buckets. Keys are ordered bytewise.
type Bucket struct {
	tx *Tx
	b  *bolt.Bucket
}

// Bucket returns the nested bucket at path below b, or nil when missing. With no
// path it returns b.
func (b *Bucket) Bucket(path ...string) *Bucket {
	cur := b.b
	for _, p := range path {
		if cur = cur.Bucket([]byte(p)); cur == nil {
			return nil
		}
	}
	return &Bucket{tx: b.tx, b: cur}
}

// CreateBucket returns the nested bucket at path below b, creating what is missing.
func (b *Bucket) CreateBucket(path ...string) (*Bucket, error) {
	cur := b.b
	for _, p := range path {
		if next := cur.Bucket([]byte(p)); next != nil {
			cur = next
			continue
		}
		if err := b.tx.write(); err != nil {
			return nil, err
		}
		next, err := cur.CreateBucket([]byte(p))
		if err != nil {
			return nil, boltErr(err)
		}
		cur = next
	}
	return &Bucket{tx: b.tx, b: cur}, nil
}

// DeleteBucket deletes the nested bucket name and everything in it; ErrNotFound
// when there is none.
func (b *Bucket) DeleteBucket(name string) error {
	if err := b.tx.write(); err != nil {
		return err
	}
	return boltErr(b.b.DeleteBucket([]byte(name)))
}

// Get returns the value of key, or nil when the key is missing or names a nested
// bucket. The slice is valid only during the transaction and must not be modified.
func (b *Bucket) Get(key []byte) []byte { return b.b.Get(key) }

// Put sets key to value. The store keeps its own copy of value once the
// transaction commits; until then value must not be modified.
func (b *Bucket) Put(key, value []byte) error {
	if err := b.tx.write(); err != nil {
		return err
	}
	if value == nil {
		// An empty value must still read back as present (non-nil).
		value = []byte{}
	}
	return boltErr(b.b.Put(key, value))
}

// Delete removes key; deleting a missing key is not an error.
func (b *Bucket) Delete(key []byte) error {
	if err := b.tx.write(); err != nil {
		return err
	}
	return boltErr(b.b.Delete(key))
}

// PutJSON stores v encoded with encoding/json.
func (b *Bucket) PutJSON(key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %q: %w", key, err)
	}
	return b.Put(key, data)
}

// GetJSON decodes the value of key into v; ErrNotFound when the key is missing.
// v holds no reference to the store's memory, so it outlives the transaction.
func (b *Bucket) GetJSON(key []byte, v any) error {
	data := b.b.Get(key)
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
	n, err := b.b.NextSequence()
	return n, boltErr(err)
}

// Sequence returns the last sequence number NextSequence handed out (0 if none).
func (b *Bucket) Sequence() uint64 { return b.b.Sequence() }

// Cursor returns a cursor over the bucket's keys (nested buckets skipped).
func (b *Bucket) Cursor() *Cursor { return &Cursor{b: b, c: b.b.Cursor()} }

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
	return b.b.ForEachBucket(fn)
}

// Cursor walks a bucket's keys in bytewise order, skipping nested buckets. Every
// method returns a nil key when it runs off the end. Keys and values are valid only
// during the transaction.
type Cursor struct {
	b *Bucket
	c *bolt.Cursor
}

// isBucket tells a nested bucket (bbolt returns its key with a nil value) from a
// key whose value is nil only because it is not yet committed.
func (c *Cursor) isBucket(k, v []byte) bool {
	return k != nil && v == nil && c.b.b.Bucket(k) != nil
}

func (c *Cursor) forward(k, v []byte) ([]byte, []byte) {
	for c.isBucket(k, v) {
		k, v = c.c.Next()
	}
	return k, v
}

func (c *Cursor) backward(k, v []byte) ([]byte, []byte) {
	for c.isBucket(k, v) {
		k, v = c.c.Prev()
	}
	return k, v
}

// First moves to the first key.
func (c *Cursor) First() (k, v []byte) { return c.forward(c.c.First()) }

// Last moves to the last key.
func (c *Cursor) Last() (k, v []byte) { return c.backward(c.c.Last()) }

// Next moves to the next key.
func (c *Cursor) Next() (k, v []byte) { return c.forward(c.c.Next()) }

// Prev moves to the previous key.
func (c *Cursor) Prev() (k, v []byte) { return c.backward(c.c.Prev()) }

// Seek moves to the first key >= seek.
func (c *Cursor) Seek(seek []byte) (k, v []byte) { return c.forward(c.c.Seek(seek)) }

// SeekLast moves to the last key < before (to walk backwards from a bound, as a
// descending DynamoDB Query does). A nil before means the last key.
func (c *Cursor) SeekLast(before []byte) (k, v []byte) {
	if before == nil {
		return c.Last()
	}
	k, v = c.c.Seek(before)
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
	return boltErr(c.c.Delete())
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
