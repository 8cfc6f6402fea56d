package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// This file holds what test suites ask of a local AWS beyond the services: a
// reset that forgets everything (DropAll) or one service's roots (Drop), and
// snapshots of the whole state written to and loaded from a stream
// (WriteSnapshot, LoadSnapshot).

// DropAll deletes every service's state and every blob, in one Update: a reset
// to an empty store. Blobs being written (committed but not yet referenced)
// stay pending, so an upload racing the reset fails or lands cleanly. It costs
// one small Update whatever the store holds (deleting a bucket hides it; the
// checkpoint that follows frees its pages) plus a walk of the blob records and
// the removal of the files of large blobs.
func (s *Store) DropAll() error {
	var files []string
	err := s.Update(func(tx *Tx) error {
		var err error
		files, err = dropEverything(tx)
		return err
	})
	if err != nil {
		return err
	}
	s.removeBlobFiles(files, nil)
	return nil
}

// dropEverything deletes every root bucket and empties the blob tables; it
// returns the ids of the blobs that had files, to remove once it is durable.
func dropEverything(tx *Tx) ([]string, error) {
	root := tx.root()
	for _, r := range rootNames(tx) {
		if err := root.DeleteBucket(r); err != nil {
			return nil, err
		}
	}
	var files []string
	inline := tx.sysBucket(inlineBucket)
	held := tx.s.heldBlobs()
	if err := tx.blobRefs().ForEach(func(k, _ []byte) error {
		v, stable := inline.get(k)
		switch {
		case v == nil:
			files = append(files, string(k))
		case held[string(k)]:
			// A reader holds this small blob: its bytes stay readable (hold.go).
			if !stable {
				v = bytes.Clone(v)
			}
			tx.dropInline(string(k), v)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	sys := root.Bucket(string(sysBucket))
	for _, name := range [][]byte{blobsBucket, inlineBucket} {
		if err := sys.DeleteBucket(string(name)); err != nil {
			return nil, err
		}
		if _, err := sys.CreateBucket(string(name)); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// heldBlobs is the set of blobs readers hold now.
func (s *Store) heldBlobs() map[string]bool {
	h := &s.holds
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]bool, len(h.n))
	for id := range h.n {
		out[id] = true
	}
	return out
}

// rootNames lists the services' root buckets, sorted. (The root pseudo-bucket's
// ForEachBucket sees only the overlays, not bbolt.)
func rootNames(tx *Tx) []string {
	seen := map[string]bool{}
	root := tx.root()
	root.ForEachBucket(func(name []byte) error {
		seen[string(name)] = true
		return nil
	})
	tx.b.ForEach(func(name []byte, _ *bolt.Bucket) error {
		seen[string(name)] = true
		return nil
	})
	var names []string
	for n := range seen {
		if validRoot(n) && root.child(n) != nil {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// removeBlobFiles removes the files of blobs no longer referenced, except those
// named in keep; a file a reader holds (HoldBlobs) goes at its last release.
func (s *Store) removeBlobFiles(ids []string, keep map[string]bool) {
	s.blobRm.RLock()
	defer s.blobRm.RUnlock()
	h := &s.holds
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		switch {
		case keep[id]:
		case h.n[id] > 0:
			h.doomed[id] = true
		default:
			s.remove(s.blobFile(id))
		}
	}
}

// Drop deletes the root buckets named (a missing one is no error) and drops
// the blob references walk reports inside them (nil: they hold none), in one
// Update: the reset of one service.
func (s *Store) Drop(walk RefWalker, roots ...string) error {
	for _, r := range roots {
		if !validRoot(r) {
			return fmt.Errorf("%w: bucket name %q is empty or reserved", ErrInvalid, r)
		}
	}
	return s.Update(func(tx *Tx) error {
		if walk != nil {
			var ids []string
			if err := walk(tx, func(id string) { ids = append(ids, id) }); err != nil {
				return err
			}
			for _, id := range ids {
				if err := tx.UnrefBlob(id); err != nil {
					return err
				}
			}
		}
		for _, r := range roots {
			if err := tx.DeleteBucket(r); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		return nil
	})
}

// A snapshot is a stream of records after a magic line:
//
//	'B' uvarint count of path parts, each uvarint length + bytes; uvarint sequence:
//	    a bucket (parents before children); the 'K' records after it are its keys
//	'K' uvarint length + key, uvarint length + value
//	'F' uvarint length + blob id, uvarint size, the blob's bytes: a blob kept in a file
//	'E' CRC-32C (Castagnoli, little-endian u32) of every byte before it, 'E' included
//
// Every service's buckets come first, then the store's blob records and the
// bytes of small blobs (as buckets below the reserved root), then the files.
// Nothing may follow 'E': a snapshot cut short is refused whole.
const snapshotMagic = "FOGBANK-SNAPSHOT 1\n"

// Bounds on what a snapshot may hold, so that a damaged or hostile stream
// cannot make LoadSnapshot allocate beyond what it actually sent: a key or
// path part is at most bbolt's key size, and every key and value together must
// fit one log record (readRecords refuses payloads over 1 GiB).
const (
	snapMaxName = 32 << 10
	snapMaxKeys = 768 << 20
)

// WriteSnapshot writes the whole state, as one View sees it, to w: every
// service's buckets and keys, and every blob's bytes. Writes that Update
// acknowledged before WriteSnapshot began are in it; writes that begin after it
// began are not.
//
// The View lasts only while the keys are copied to a temporary file and the
// blob files are hard-linked beside it, so a slow reader of w holds up no
// checkpoint; the bytes are streamed from those after the View.
func (s *Store) WriteSnapshot(w io.Writer) error {
	if s.isClosed() {
		return ErrClosed
	}
	tmp := filepath.Join(s.dir, blobsDir, tmpDir)
	keys, err := os.CreateTemp(tmp, "snapshot-keys-*")
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer os.Remove(keys.Name())
	defer keys.Close()
	type file struct {
		id, link string
		size     int64
	}
	var files []file
	defer func() {
		for _, f := range files {
			os.Remove(f.link)
		}
	}()
	linkDir, err := os.MkdirTemp(tmp, "snapshot-files-*")
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	defer os.RemoveAll(linkDir)

	// No blob file may be removed between the View's start and its link: a
	// file's last reference can be dropped by an Update the View does not see.
	s.blobRm.Lock()
	err = s.View(func(tx *Tx) error {
		kw := bufio.NewWriterSize(keys, 64<<10)
		root := tx.root()
		for _, r := range rootNames(tx) {
			if err := writeBucket(kw, root.Bucket(r), []string{r}); err != nil {
				return err
			}
		}
		for _, name := range [][]byte{blobsBucket, inlineBucket} {
			if err := writeBucket(kw, tx.sysBucket(name), []string{string(sysBucket), string(name)}); err != nil {
				return err
			}
		}
		inline := tx.sysBucket(inlineBucket)
		err := tx.blobRefs().ForEach(func(k, v []byte) error {
			if inline.Get(k) != nil {
				return nil
			}
			id := string(k)
			size, _, ok := decodeBlobRecord(v)
			if !ok || !validBlobID(id) {
				return fmt.Errorf("store: snapshot: blob record %q is corrupt", id)
			}
			link := filepath.Join(linkDir, id)
			if err := os.Link(s.blobFile(id), link); err != nil {
				return fmt.Errorf("store: snapshot: blob %s: %w", id, err)
			}
			files = append(files, file{id, link, size})
			return nil
		})
		if err != nil {
			return err
		}
		return kw.Flush()
	})
	s.blobRm.Unlock()
	if err != nil {
		return err
	}

	cw := &crcWriter{w: w, h: crc32.New(castagnoli)}
	if _, err := io.WriteString(cw, snapshotMagic); err != nil {
		return err
	}
	if _, err := keys.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	if _, err := io.Copy(cw, keys); err != nil {
		return err
	}
	for _, f := range files {
		fh, err := os.Open(f.link)
		if err != nil {
			return fmt.Errorf("store: snapshot: %w", err)
		}
		hdr := append([]byte{'F'}, binary.AppendUvarint(nil, uint64(len(f.id)))...)
		hdr = append(hdr, f.id...)
		hdr = binary.AppendUvarint(hdr, uint64(f.size))
		_, err = cw.Write(hdr)
		if err == nil {
			var n int64
			n, err = io.Copy(cw, io.LimitReader(fh, f.size))
			if err == nil && n != f.size {
				err = fmt.Errorf("store: snapshot: blob %s has %d bytes, its record says %d", f.id, n, f.size)
			}
		}
		fh.Close()
		if err != nil {
			return err
		}
	}
	end := binary.LittleEndian.AppendUint32([]byte{'E'}, 0)
	cw.h.Write(end[:1])
	binary.LittleEndian.PutUint32(end[1:], cw.h.Sum32())
	_, err = w.Write(end)
	return err
}

// writeBucket writes b (at path) and everything below it.
func writeBucket(w *bufio.Writer, b *Bucket, path []string) error {
	if b == nil {
		return nil
	}
	rec := []byte{'B'}
	rec = binary.AppendUvarint(rec, uint64(len(path)))
	for _, p := range path {
		rec = binary.AppendUvarint(rec, uint64(len(p)))
		rec = append(rec, p...)
	}
	rec = binary.AppendUvarint(rec, b.Sequence())
	w.Write(rec)
	err := b.ForEach(func(k, v []byte) error {
		rec = append(rec[:0], 'K')
		rec = binary.AppendUvarint(rec, uint64(len(k)))
		rec = append(rec, k...)
		rec = binary.AppendUvarint(rec, uint64(len(v)))
		w.Write(rec)
		_, err := w.Write(v)
		return err
	})
	if err != nil {
		return err
	}
	var names []string
	b.ForEachBucket(func(name []byte) error {
		names = append(names, string(name))
		return nil
	})
	for _, n := range names {
		if err := writeBucket(w, b.Bucket(n), append(slices.Clip(path), n)); err != nil {
			return err
		}
	}
	return nil
}

type crcWriter struct {
	w io.Writer
	h hash.Hash32
}

func (c *crcWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	return n, err
}

// snapBucket is one bucket read from a snapshot.
type snapBucket struct {
	path []string
	seq  uint64
	keys [][2][]byte
}

// snapReader parses a snapshot, keeping the CRC of what it read.
type snapReader struct {
	r     *bufio.Reader
	h     hash.Hash32
	total int64 // bytes of keys and values so far
}

func (r *snapReader) ReadByte() (byte, error) {
	b, err := r.r.ReadByte()
	if err == nil {
		r.h.Write([]byte{b})
	}
	return b, err
}

func (r *snapReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.h.Write(p[:n])
	return n, err
}

func (r *snapReader) uvarint() (uint64, error) { return binary.ReadUvarint(r) }

// bytes reads a length-prefixed string of at most max bytes.
func (r *snapReader) bytes(max uint64) ([]byte, error) {
	n, err := r.uvarint()
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, fmt.Errorf("a field of %d bytes, more than %d", n, max)
	}
	r.total += int64(n)
	if r.total > snapMaxKeys {
		return nil, fmt.Errorf("more than %d bytes of keys and values", snapMaxKeys)
	}
	if n <= 1<<20 {
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return b, err
	}
	// A large field grows as its bytes arrive: a length is only a claim.
	var buf bytes.Buffer
	_, err = io.CopyN(&buf, r, int64(n))
	return buf.Bytes(), err
}

// snapFile is a blob file read from a snapshot, waiting in tmp/ to be placed.
type snapFile struct{ id, tmp string }

// readSnapshot parses a whole snapshot; blob files go to temporary files (in
// dir, which must be on the blobs' file system, or nowhere when dir is "").
// The caller removes the files it returns, also on error.
func readSnapshot(src io.Reader, dir string, sync bool) (buckets []*snapBucket, files []snapFile, err error) {
	r := &snapReader{r: bufio.NewReaderSize(src, 64<<10), h: crc32.New(castagnoli)}
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != snapshotMagic {
		return nil, nil, fmt.Errorf("%w: not a fogbank snapshot", ErrInvalid)
	}
	bad := func(err error) error {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%w: snapshot: %v", ErrInvalid, err)
	}
	var cur *snapBucket
	for {
		tag, err := r.ReadByte()
		if err != nil {
			return buckets, files, bad(err)
		}
		switch tag {
		case 'B':
			n, err := r.uvarint()
			if err != nil {
				return buckets, files, bad(err)
			}
			if n == 0 || n > 64 {
				return buckets, files, bad(fmt.Errorf("a bucket path of %d parts", n))
			}
			b := &snapBucket{}
			for range n {
				p, err := r.bytes(snapMaxName)
				if err != nil {
					return buckets, files, bad(err)
				}
				b.path = append(b.path, string(p))
			}
			if !validRoot(b.path[0]) && !(b.path[0] == string(sysBucket) && len(b.path) == 2 &&
				(b.path[1] == string(blobsBucket) || b.path[1] == string(inlineBucket))) {
				return buckets, files, bad(fmt.Errorf("bucket %q is reserved", b.path))
			}
			if b.seq, err = r.uvarint(); err != nil {
				return buckets, files, bad(err)
			}
			buckets = append(buckets, b)
			cur = b
		case 'K':
			if cur == nil {
				return buckets, files, bad(errors.New("a key before any bucket"))
			}
			k, err := r.bytes(snapMaxName)
			if err != nil {
				return buckets, files, bad(err)
			}
			v, err := r.bytes(snapMaxKeys)
			if err != nil {
				return buckets, files, bad(err)
			}
			cur.keys = append(cur.keys, [2][]byte{k, v})
		case 'F':
			id, err := r.bytes(64)
			if err != nil {
				return buckets, files, bad(err)
			}
			if !validBlobID(string(id)) {
				return buckets, files, bad(fmt.Errorf("blob id %q", id))
			}
			size, err := r.uvarint()
			if err != nil {
				return buckets, files, bad(err)
			}
			var dst io.Writer = io.Discard
			var f *os.File
			if dir != "" {
				if f, err = os.CreateTemp(dir, "snapshot-load-*"); err != nil {
					return buckets, files, fmt.Errorf("store: %w", err)
				}
				files = append(files, snapFile{string(id), f.Name()})
				dst = f
			}
			_, err = io.CopyN(dst, r, int64(size))
			if err == nil && f != nil && sync {
				err = f.Sync()
			}
			if f != nil {
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				return buckets, files, bad(err)
			}
		case 'E':
			want := r.h.Sum32()
			var sum [4]byte
			if _, err := io.ReadFull(r.r, sum[:]); err != nil {
				return buckets, files, bad(err)
			}
			if binary.LittleEndian.Uint32(sum[:]) != want {
				return buckets, files, bad(errors.New("checksum mismatch"))
			}
			if _, err := r.r.ReadByte(); err != io.EOF {
				return buckets, files, bad(errors.New("bytes after the end"))
			}
			return buckets, files, nil
		default:
			return buckets, files, bad(fmt.Errorf("unknown record %q", tag))
		}
	}
}

// CheckSnapshot reads a whole snapshot and tells whether LoadSnapshot would
// accept it (complete, checksum right, well formed), storing nothing.
func CheckSnapshot(r io.Reader) error {
	_, _, err := readSnapshot(r, "", false)
	return err
}

// LoadSnapshot replaces the whole state with the snapshot read from r (made by
// WriteSnapshot, by this store or another): everything is read and checked
// first, the blob files are put in place, then one Update swaps the state. A
// snapshot that is damaged or cut short changes nothing.
//
// Blob ids are kept, so a file may land on the path of a blob this store
// already has: ids are random and blobs never change, so it has the same
// bytes.
func (s *Store) LoadSnapshot(r io.Reader) error {
	if s.isClosed() {
		return ErrClosed
	}
	buckets, files, err := readSnapshot(r, filepath.Join(s.dir, blobsDir, tmpDir), !s.noSync)
	defer func() {
		for _, f := range files {
			os.Remove(f.tmp)
		}
	}()
	if err != nil {
		return err
	}
	// Every file must be a blob the snapshot's records know, and no record may
	// lack its file (or its inline bytes).
	records, inline := map[string]bool{}, map[string]bool{}
	for _, b := range buckets {
		if b.path[0] != string(sysBucket) {
			continue
		}
		for _, kv := range b.keys {
			if b.path[1] == string(blobsBucket) {
				records[string(kv[0])] = true
			} else {
				inline[string(kv[0])] = true
			}
		}
	}
	placed := map[string]bool{}
	for _, f := range files {
		if !records[f.id] {
			return fmt.Errorf("%w: snapshot: blob %s has no record", ErrInvalid, f.id)
		}
		placed[f.id] = true
	}
	for id := range records {
		if !placed[id] && !inline[id] {
			return fmt.Errorf("%w: snapshot: blob %s has neither a file nor inline bytes", ErrInvalid, id)
		}
	}
	for _, f := range files {
		dst := s.blobFile(f.id)
		if err := s.ensureFanout(filepath.Dir(dst)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := os.Rename(f.tmp, dst); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := s.syncDir(filepath.Dir(dst)); err != nil {
			return err
		}
	}
	var old []string
	err = s.Update(func(tx *Tx) error {
		var err error
		if old, err = dropEverything(tx); err != nil {
			return err
		}
		root := tx.root()
		for _, sb := range buckets {
			b, err := root.CreateBucket(sb.path...)
			if err != nil {
				return err
			}
			for _, kv := range sb.keys {
				if err := b.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
			if sb.seq != 0 {
				b.setSequence(sb.seq)
			}
		}
		return nil
	})
	if err != nil {
		// The files placed are referenced by nothing (a file that was already
		// a blob of this store is kept).
		keep := map[string]bool{}
		s.View(func(tx *Tx) error {
			for id := range placed {
				if tx.blobRefs().Get([]byte(id)) != nil {
					keep[id] = true
				}
			}
			return nil
		})
		ids := make([]string, 0, len(placed))
		for id := range placed {
			ids = append(ids, id)
		}
		s.removeBlobFiles(ids, keep)
		return err
	}
	s.removeBlobFiles(old, placed)
	return nil
}

// setSequence sets the bucket's sequence, as NextSequence would have.
func (b *Bucket) setSequence(n uint64) {
	b.edit(func(l *layer) { l.hasSeq, l.seq = true, n })
	b.tx.logOp(opSequence, b.path, nil, nil, n)
}
