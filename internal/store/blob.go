package store

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Hash selects the digests a BlobWriter computes while writing. Combine with |.
// Each costs CPU per byte, so ask only for what the caller will use.
type Hash uint8

const (
	MD5       Hash = 1 << iota // S3 ETag, Content-MD5
	SHA1                       // x-amz-checksum-sha1
	SHA256                     // x-amz-checksum-sha256, x-amz-content-sha256
	CRC32                      // x-amz-checksum-crc32 (IEEE)
	CRC32C                     // x-amz-checksum-crc32c (Castagnoli)
	CRC64NVME                  // x-amz-checksum-crc64nvme, S3's default full-object checksum
)

// crc64NVMETable is the CRC-64/NVME polynomial, bit-reflected as hash/crc64 wants
// it (normal form 0xAD93D23594C93659). Its check value is 0xAE8B14860A799888.
// Made on first use, not at start-up (building it is a quarter of a
// millisecond, and start-up is meant to take a few).
var crc64NVMETable = sync.OnceValue(func() *crc64.Table { return crc64.MakeTable(0x9A6C9329AC4BC9B5) })

var crc32CTable = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Sums are the digests of a blob, raw bytes (big-endian for the CRCs, as AWS
// base64-encodes them). A digest not asked for is nil.
type Sums struct {
	MD5, SHA1, SHA256, CRC32, CRC32C, CRC64NVME []byte
}

// BlobRef describes a committed blob.
type BlobRef struct {
	ID   string // 32 lowercase hex digits, random; the file name, never a user key
	Size int64
	Sums Sums
}

// blobBufSize is the unit of the write pipeline: big enough that each write(2)
// and each hash call amortizes its overhead, small enough that a few hundred
// concurrent uploads stay within a modest amount of memory (two buffers each).
const blobBufSize = 1 << 20

// parallelHashMin is the chunk size from which hashes run on their own goroutines
// beside the file write; below it a goroutine costs more than it saves.
const parallelHashMin = 64 << 10

// smallBufSize is the first buffer of every blob: most objects are small, and a
// writer only moves up to blobBufSize buffers once it has filled this one.
const smallBufSize = 64 << 10

var (
	bufPool      = sync.Pool{New: func() any { b := make([]byte, blobBufSize); return &b }}
	smallBufPool = sync.Pool{New: func() any { b := make([]byte, smallBufSize); return &b }}
)

// putBuf returns a buffer to the pool it came from.
func putBuf(b []byte) {
	b = b[:cap(b)]
	if cap(b) == blobBufSize {
		bufPool.Put(&b)
	} else {
		smallBufPool.Put(&b)
	}
}

// BlobWriter streams one blob to a temporary file, computing the asked digests on
// the way. It is not safe for concurrent use. Always call Abort when done (a
// deferred Abort is right): before Commit it discards the data, after Commit it
// removes the blob unless a committed transaction references it.
type BlobWriter struct {
	s      *Store
	id     string
	f      *os.File
	tmp    string // the temporary file's path, once made
	kinds  []Hash
	hashes []hash.Hash
	// Room for the usual two digests (MD5 and the signed payload's SHA-256).
	kindsBuf  [2]Hash
	hashesBuf [2]hash.Hash
	size      int64
	state     int // writing, committed or done

	buf  []byte // the buffer being filled; nil until needed
	n    int    // bytes of buf filled
	bufs int    // buffers taken from bufPool

	// The pipeline, started when the first buffer fills: a flusher goroutine
	// writes full buffers to the file and hashes them while Write fills the next.
	full      chan []byte
	free      chan []byte
	flushDone chan struct{}
	errMu     sync.Mutex // guards err, set by the flusher
	err       error
}

const (
	writing = iota
	committed
	done
)

// NewBlob starts a blob. Its bytes go to a temporary file under Dir/blobs/tmp
// once they outgrow the first 64 KiB buffer.
func (s *Store) NewBlob(hashes Hash) (*BlobWriter, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	id := newBlobID()
	// The temporary file is made only once the blob outgrows the first buffer:
	// most blobs are small and live inside the database (see Commit), and file
	// creation is the slowest step of a small write on many disks.
	w := &BlobWriter{s: s, id: id}
	w.kinds, w.hashes = w.kindsBuf[:0], w.hashesBuf[:0]
	for _, k := range []Hash{MD5, SHA1, SHA256, CRC32, CRC32C, CRC64NVME} {
		if hashes&k == 0 {
			continue
		}
		var h hash.Hash
		switch k {
		case MD5:
			h = md5.New()
		case SHA1:
			h = sha1.New()
		case SHA256:
			h = sha256.New()
		case CRC32:
			h = crc32.NewIEEE()
		case CRC32C:
			h = crc32.New(crc32CTable())
		case CRC64NVME:
			h = crc64.New(crc64NVMETable())
		}
		w.kinds = append(w.kinds, k)
		w.hashes = append(w.hashes, h)
	}
	return w, nil
}

// nextInlineID is a blob id (32 hex digits, as newBlobID) that sorts after every
// one made before it by this store: a counter started from the clock at Open,
// then random bits.
func (s *Store) nextInlineID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.inlineSeq.Add(1))
	rand.Read(b[8:])
	return hex.EncodeToString(b[:])
}

func newBlobID() string {
	var b [16]byte
	rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// validBlobID accepts exactly what newBlobID makes, so that no id from outside
// can name a path anywhere else.
func validBlobID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// blobFile is where a committed blob lives: Dir/blobs/<first two hex>/<id>.
func (s *Store) blobFile(id string) string {
	return filepath.Join(s.dir, blobsDir, id[:2], id)
}

// ID is the blob's id, known from the start.
func (w *BlobWriter) ID() string { return w.id }

// Size is the number of bytes written so far.
func (w *BlobWriter) Size() int64 { return w.size }

func (w *BlobWriter) loadErr() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

func (w *BlobWriter) setErr(err error) {
	w.errMu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.errMu.Unlock()
}

// Write appends p to the blob.
func (w *BlobWriter) Write(p []byte) (int, error) {
	if w.state != writing {
		return 0, fmt.Errorf("%w: write to a committed or aborted blob", ErrInvalid)
	}
	n := 0
	for len(p) > 0 {
		if err := w.loadErr(); err != nil {
			return n, err
		}
		if w.buf == nil {
			w.buf = w.getBuf()
		}
		c := copy(w.buf[w.n:], p)
		w.n += c
		n += c
		p = p[c:]
		w.size += int64(c)
		if w.n == len(w.buf) {
			w.bufFull()
		}
	}
	return n, nil
}

// ReadFrom reads r to EOF straight into the pipeline's buffers (io.Copy uses it),
// saving a copy.
func (w *BlobWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.state != writing {
		return 0, fmt.Errorf("%w: write to a committed or aborted blob", ErrInvalid)
	}
	var total int64
	for {
		if err := w.loadErr(); err != nil {
			return total, err
		}
		if w.buf == nil {
			w.buf = w.getBuf()
		}
		m, err := r.Read(w.buf[w.n:])
		w.n += m
		total += int64(m)
		w.size += int64(m)
		if w.n == len(w.buf) {
			w.bufFull()
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// getBuf returns an empty buffer: the small one first, then big ones (at most two
// in circulation, one filling while the flusher works on the other).
func (w *BlobWriter) getBuf() []byte {
	if w.size == 0 {
		return (*smallBufPool.Get().(*[]byte))[:smallBufSize]
	}
	if w.bufs < 2 {
		w.bufs++
		return (*bufPool.Get().(*[]byte))[:blobBufSize]
	}
	return (<-w.free)[:blobBufSize]
}

// bufFull moves a filled small buffer's bytes into a big one (the blob is not
// small after all), or ships a filled big one.
func (w *BlobWriter) bufFull() {
	if len(w.buf) == blobBufSize {
		w.ship()
		return
	}
	small := w.buf
	w.buf = w.getBuf()
	copy(w.buf, small[:w.n])
	putBuf(small)
}

// ship hands the full buffer to the flusher, starting it on first use.
func (w *BlobWriter) ship() {
	if w.full == nil {
		w.full = make(chan []byte, 1)
		w.free = make(chan []byte, 2)
		w.flushDone = make(chan struct{})
		go w.flusher()
	}
	w.full <- w.buf[:w.n]
	w.buf, w.n = nil, 0
}

func (w *BlobWriter) flusher() {
	defer close(w.flushDone)
	for b := range w.full {
		if w.loadErr() == nil {
			if err := w.process(b); err != nil {
				w.setErr(w.s.noteFull(err))
			}
		}
		w.free <- b
	}
}

// process writes p to the file and feeds it to every hash; for big chunks the
// hashes run on their own goroutines, beside the write.
func (w *BlobWriter) process(p []byte) error {
	if err := w.openFile(); err != nil {
		return err
	}
	if len(p) < parallelHashMin || len(w.hashes) == 0 {
		for _, h := range w.hashes {
			h.Write(p)
		}
		_, err := w.f.Write(p)
		return err
	}
	var wg sync.WaitGroup
	for _, h := range w.hashes {
		wg.Go(func() { h.Write(p) })
	}
	_, err := w.f.Write(p)
	wg.Wait()
	return err
}

// openFile makes the blob's temporary file, once.
func (w *BlobWriter) openFile() error {
	if w.f != nil {
		return nil
	}
	w.tmp = filepath.Join(w.s.dir, blobsDir, tmpDir, w.id)
	f, err := os.OpenFile(w.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	w.f = f
	return nil
}

// stop drains the pipeline (flushing the partial buffer when flush is set) and
// gives the buffers back to the pool.
func (w *BlobWriter) stop(flush bool) {
	if w.full != nil {
		if flush && w.n > 0 {
			w.full <- w.buf[:w.n]
			w.buf, w.n = nil, 0
		}
		close(w.full)
		<-w.flushDone
		close(w.free)
		for b := range w.free {
			putBuf(b)
		}
	} else if flush && w.n > 0 {
		if err := w.process(w.buf[:w.n]); err != nil {
			w.setErr(w.s.noteFull(err))
		}
	}
	if w.buf != nil {
		putBuf(w.buf)
		w.buf, w.n = nil, 0
	}
}

// Commit makes the blob's bytes durable (fsync of the file, rename into place,
// fsync of the directory) and returns its reference. The blob stays pending
// until an Update calls tx.RefBlob(ref.ID); a pending blob is removed by Abort,
// by Close, or at the next Open.
func (w *BlobWriter) Commit() (BlobRef, error) {
	if w.state != writing {
		return BlobRef{}, fmt.Errorf("%w: blob already committed or aborted", ErrInvalid)
	}
	if w.full == nil && (w.buf == nil || len(w.buf) == smallBufSize) && w.size < inlineLimit {
		return w.commitInline()
	}
	w.stop(true)
	err := w.loadErr()
	if err == nil {
		err = w.openFile() // an empty blob has not made its file yet
	}
	if err == nil && !w.s.noSync {
		err = w.f.Sync()
	}
	if w.f != nil {
		if cerr := w.f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil && w.s.isClosed() {
		err = ErrClosed // nothing could reference it now; leave no file behind
	}
	final := w.s.blobFile(w.id)
	if err == nil {
		err = w.s.ensureFanout(filepath.Dir(final))
	}
	if err == nil {
		err = os.Rename(w.tmp, final)
	}
	if err == nil {
		err = w.s.syncDir(filepath.Dir(final))
	}
	if err != nil {
		w.state = done
		if w.tmp != "" { // "" when the file was never made
			w.s.remove(w.tmp)
		}
		w.s.remove(final)
		if errors.Is(err, ErrClosed) {
			return BlobRef{}, err
		}
		return BlobRef{}, fmt.Errorf("store: commit blob: %w", w.s.noteFull(err))
	}
	w.s.spaceBack()
	w.s.blobMu.Lock()
	w.s.pending[w.id] = w.size
	w.s.blobMu.Unlock()
	w.state = committed
	return BlobRef{ID: w.id, Size: w.size, Sums: w.sums()}, nil
}

// commitInline commits a blob that never outgrew its first buffer (under
// InlineMax bytes). Its bytes are kept in memory until a transaction references
// it, and then written inside that transaction: no file, no fsync of its own, no
// rename; the transaction's commit makes them durable together with the record
// that points at them. That is what makes small writes fast.
func (w *BlobWriter) commitInline() (BlobRef, error) {
	// Small blobs take ids in ascending order, so that their records and bytes
	// are appended at the end of their B-trees: a commit of many small writes
	// then dirties a few pages instead of one leaf per blob.
	w.id = w.s.nextInlineID()
	var data []byte
	switch {
	case w.n == 0:
		data = []byte{}
	case w.n <= slabMax:
		data = w.s.slabs.alloc(w.n)
		copy(data, w.buf[:w.n])
	default:
		data = append([]byte(nil), w.buf[:w.n]...)
	}
	for _, h := range w.hashes {
		h.Write(data)
	}
	w.stop(false)
	if w.s.isClosed() {
		w.state = done
		return BlobRef{}, ErrClosed
	}
	w.s.blobMu.Lock()
	w.s.pending[w.id] = w.size
	w.s.pendingInline[w.id] = data
	w.s.blobMu.Unlock()
	w.state = committed
	return BlobRef{ID: w.id, Size: w.size, Sums: w.sums()}, nil
}

// InlineMax is the size under which a blob is kept inside the database rather
// than in a file of its own.
const InlineMax = smallBufSize

// inlineLimit is InlineMax, but tests of the file path set it to 0.
var inlineLimit int64 = InlineMax

// sums reads the digests; only complete once the pipeline has drained (Commit).
func (w *BlobWriter) sums() Sums {
	var s Sums
	for i, k := range w.kinds {
		sum := w.hashes[i].Sum(nil)
		switch k {
		case MD5:
			s.MD5 = sum
		case SHA1:
			s.SHA1 = sum
		case SHA256:
			s.SHA256 = sum
		case CRC32:
			s.CRC32 = sum
		case CRC32C:
			s.CRC32C = sum
		case CRC64NVME:
			s.CRC64NVME = sum
		}
	}
	return s
}

// Abort discards the blob unless a committed transaction references it. It is
// safe to call more than once and after Commit, so `defer w.Abort()` is the way
// to make sure a failed request leaves nothing behind.
func (w *BlobWriter) Abort() error {
	switch w.state {
	case writing:
		w.state = done
		w.stop(false)
		if w.f == nil {
			return nil // never reached the disk
		}
		w.f.Close()
		if err := os.Remove(w.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: %w", err)
		}
	case committed:
		w.state = done
		w.s.blobMu.Lock()
		_, pending := w.s.pending[w.id]
		_, inline := w.s.pendingInline[w.id]
		delete(w.s.pending, w.id)
		delete(w.s.pendingInline, w.id)
		w.s.blobMu.Unlock()
		if pending && !inline {
			w.s.remove(w.s.blobFile(w.id))
		}
	}
	return nil
}

// Blob is a committed blob open for reading: a file, or the bytes of a small blob
// kept inside the database. ReadAt and Seek serve ranges. The caller closes it.
type Blob interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
}

// OpenBlob opens a committed blob for reading. A blob removed while open stays
// readable until it is closed, and a blob held (HoldBlobs) can be opened until
// it is released. Do not call it inside a View or Update (a nested transaction
// can deadlock against a writer): use Tx.OpenBlob there.
func (s *Store) OpenBlob(id string) (Blob, error) {
	if !validBlobID(id) {
		return nil, fmt.Errorf("%w: blob %q", ErrNotFound, id)
	}
	f, err := s.openBlobFile(id)
	if !errors.Is(err, ErrNotFound) {
		return f, err
	}
	var b Blob
	err = s.View(func(tx *Tx) error {
		var err error
		b, err = tx.openInline(id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		if data, ok := s.heldInline(id); ok {
			return inlineBlob{bytes.NewReader(data)}, nil
		}
	}
	return b, err
}

// OpenBlob opens a committed blob for reading as this transaction sees it; the
// blob stays readable after the transaction ends, until it is closed.
func (tx *Tx) OpenBlob(id string) (Blob, error) {
	if !validBlobID(id) {
		return nil, fmt.Errorf("%w: blob %q", ErrNotFound, id)
	}
	if b, err := tx.openInline(id); !errors.Is(err, ErrNotFound) {
		return b, err
	}
	return tx.s.openBlobFile(id)
}

func (tx *Tx) openInline(id string) (Blob, error) {
	v, stable := tx.sysBucket(inlineBucket).get([]byte(id))
	if v == nil {
		return nil, fmt.Errorf("%w: blob %q", ErrNotFound, id)
	}
	if !stable {
		// v lives in the database's memory map only while the transaction is open.
		v = append([]byte(nil), v...)
	}
	return inlineBlob{bytes.NewReader(v)}, nil
}

func (s *Store) openBlobFile(id string) (*os.File, error) {
	f, err := os.Open(s.blobFile(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: blob %q", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return f, nil
}

type inlineBlob struct{ *bytes.Reader }

func (inlineBlob) Close() error { return nil }

// BlobPath is the file of blob id, for readers that open files by name (DuckDB).
// It is "" for a malformed id and for a small blob kept inside the database
// (under InlineMax bytes), which has no file: read those with OpenBlob. Treat the
// file as read-only.
func (s *Store) BlobPath(id string) string {
	if !validBlobID(id) {
		return ""
	}
	p := s.blobFile(id)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// blobRecord is the value under the blob id in the store's blobs bucket:
// size, then reference count, both uint64 big-endian.
func encodeBlobRecord(size int64, refs uint64) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(size))
	return binary.BigEndian.AppendUint64(b, refs)
}

func decodeBlobRecord(v []byte) (size int64, refs uint64, ok bool) {
	if len(v) != 16 {
		return 0, 0, false
	}
	return int64(binary.BigEndian.Uint64(v)), binary.BigEndian.Uint64(v[8:]), true
}

func (tx *Tx) blobRefs() *Bucket { return tx.sysBucket(blobsBucket) }

// RefBlob adds a reference to blob id: a pending blob (just committed by a
// BlobWriter) becomes permanent when this transaction commits, and an already
// referenced one gains a reference (a copy sharing its bytes). ErrNotFound when
// the blob is neither.
func (tx *Tx) RefBlob(id string) error {
	if !tx.writable {
		return ErrReadOnly
	}
	if !validBlobID(id) {
		return fmt.Errorf("%w: blob %q", ErrNotFound, id)
	}
	refs := tx.blobRefs()
	// A pending blob leaves the pending set now (an Update that fails gives it
	// back), so that nothing else can take it for its first reference. It is
	// looked for first: a pending blob has no reference yet (it is pending
	// until its first), so the commonest call, a new object's, needs no
	// lookup of a record that cannot be there.
	tx.s.blobMu.Lock()
	size, pending := tx.s.pending[id]
	data, inline := tx.s.pendingInline[id]
	if pending {
		delete(tx.s.pending, id)
		delete(tx.s.pendingInline, id)
	}
	tx.s.blobMu.Unlock()
	if !pending {
		size, n, err := blobRecord(refs, id)
		if err != nil {
			return err
		}
		return refs.PutOwned([]byte(id), encodeBlobRecord(size, n+1))
	}
	if tx.refPending == nil {
		tx.refPending = tx.refBuf[:0]
	}
	tx.refPending = append(tx.refPending, pendingRef{id: id, size: size, data: data, inline: inline})
	if err := refs.PutOwned([]byte(id), encodeBlobRecord(size, 1)); err != nil {
		return err
	}
	if inline {
		// data is the store's own copy (commitInline), never changed again.
		return tx.sysBucket(inlineBucket).PutOwned([]byte(id), data)
	}
	return nil
}

// blobRecord reads blob id's reference record: its size and how many
// references it has. ErrNotFound when it has none.
func blobRecord(refs *Bucket, id string) (size int64, n uint64, err error) {
	v := refs.Get([]byte(id))
	if v == nil {
		return 0, 0, fmt.Errorf("%w: blob %q", ErrNotFound, id)
	}
	size, n, ok := decodeBlobRecord(v)
	if !ok {
		return 0, 0, fmt.Errorf("store: blob record %q is corrupt", id)
	}
	return size, n, nil
}

// UnrefBlob drops a reference to blob id. When the last one goes, the file is
// removed after the transaction commits. ErrNotFound when id has no references.
func (tx *Tx) UnrefBlob(id string) error {
	if !tx.writable {
		return ErrReadOnly
	}
	if !validBlobID(id) {
		return fmt.Errorf("%w: blob %q", ErrNotFound, id)
	}
	refs := tx.blobRefs()
	size, n, err := blobRecord(refs, id)
	if err != nil {
		return err
	}
	if n > 1 {
		return refs.PutOwned([]byte(id), encodeBlobRecord(size, n-1))
	}
	if err := refs.Delete([]byte(id)); err != nil {
		return err
	}
	if i := slices.IndexFunc(tx.refPending, func(r pendingRef) bool { return r.id == id }); i >= 0 {
		// This fn took the blob from the pending set: it goes back there, as if
		// never referenced (its bytes, if small, leave the database again).
		r := tx.refPending[i]
		tx.refPending = slices.Delete(tx.refPending, i, i+1)
		tx.s.giveBack(r)
		if r.inline {
			return tx.sysBucket(inlineBucket).Delete([]byte(id))
		}
		return nil
	}
	inline := tx.sysBucket(inlineBucket)
	if data, stable := inline.get([]byte(id)); data != nil {
		// A small blob's bytes go with this transaction; there is no file to
		// remove. A reader holding it may still need them (hold.go).
		if !stable {
			data = append([]byte(nil), data...)
		}
		tx.dropInline(id, data)
		return inline.Delete([]byte(id))
	}
	tx.unrefGone = append(tx.unrefGone, id) // its file goes after the commit
	return nil
}

// BlobInfo returns the size and reference count of a referenced blob, as this
// transaction sees them; ErrNotFound when id has no references.
func (tx *Tx) BlobInfo(id string) (size int64, refs uint64, err error) {
	return blobRecord(tx.blobRefs(), id)
}
