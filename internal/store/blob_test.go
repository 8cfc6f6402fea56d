package store

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const allHashes = MD5 | SHA1 | SHA256 | CRC32 | CRC32C | CRC64NVME

// onlyReader hides every method but Read, so io.Copy cannot take shortcuts.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// onlyWriter hides ReadFrom, so io.Copy goes through Write.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func wantSums(data []byte) Sums {
	m := md5.Sum(data)
	s1 := sha1.Sum(data)
	s256 := sha256.Sum256(data)
	return Sums{
		MD5:       m[:],
		SHA1:      s1[:],
		SHA256:    s256[:],
		CRC32:     binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data)),
		CRC32C:    binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli))),
		CRC64NVME: nil, // checked against a fixed vector in TestCRC64NVME
	}
}

// refBlob references a committed blob under key in bucket "objects".
func refBlob(t *testing.T, s *Store, key string, ref BlobRef) {
	t.Helper()
	err := s.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket("objects")
		if err != nil {
			return err
		}
		if err := tx.RefBlob(ref.ID); err != nil {
			return err
		}
		return b.Put([]byte(key), []byte(ref.ID))
	})
	if err != nil {
		t.Fatalf("Update ref %s: %v", key, err)
	}
}

// objectsWalker reports the blob ids held in bucket "objects".
func objectsWalker(tx *Tx, ref func(string)) error {
	b := tx.Bucket("objects")
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error { ref(string(v)); return nil })
}

func TestCRC64NVME(t *testing.T) {
	s := newStore(t)
	w, err := s.NewBlob(CRC64NVME | CRC32 | CRC32C)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	io.WriteString(w, "123456789")
	ref, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	got := ref.Sums
	// The CRC catalogue's check values for "123456789".
	for _, c := range []struct{ name, got, want string }{
		{"CRC64NVME", hex.EncodeToString(got.CRC64NVME), "ae8b14860a799888"},
		{"CRC32", hex.EncodeToString(got.CRC32), "cbf43926"},
		{"CRC32C", hex.EncodeToString(got.CRC32C), "e3069283"},
	} {
		if c.got != c.want {
			t.Errorf("%s(123456789) = %s, want %s", c.name, c.got, c.want)
		}
	}
	if got.MD5 != nil || got.SHA256 != nil {
		t.Errorf("Sums has digests not asked for: %+v", got)
	}
}

func TestBlobRoundTrip(t *testing.T) {
	s := newStore(t, objectsWalker)
	sizes := []int{0, 1, parallelHashMin - 1, parallelHashMin, blobBufSize - 1, blobBufSize, blobBufSize + 1, 3*blobBufSize + 12345}
	for i, size := range sizes {
		for _, via := range []string{"Write", "ReadFrom"} {
			data := randomBytes(uint64(i), size)
			w, err := s.NewBlob(allHashes)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			if via == "Write" {
				n, err = io.Copy(onlyWriter{w}, onlyReader{bytes.NewReader(data)})
			} else {
				n, err = io.Copy(w, onlyReader{bytes.NewReader(data)})
			}
			if err != nil || n != int64(size) {
				t.Fatalf("%s %d bytes: copied %d, %v", via, size, n, err)
			}
			ref, err := w.Commit()
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			w.Abort() // must not remove a referenced blob: it runs after refBlob below in real code
			if ref.Size != int64(size) {
				t.Errorf("%s %d: Size = %d", via, size, ref.Size)
			}
			want := wantSums(data)
			for _, c := range []struct {
				name      string
				got, want []byte
			}{{"MD5", ref.Sums.MD5, want.MD5}, {"SHA1", ref.Sums.SHA1, want.SHA1}, {"SHA256", ref.Sums.SHA256, want.SHA256},
				{"CRC32", ref.Sums.CRC32, want.CRC32}, {"CRC32C", ref.Sums.CRC32C, want.CRC32C}} {
				if !bytes.Equal(c.got, c.want) {
					t.Errorf("%s %d bytes: %s = %x, want %x", via, size, c.name, c.got, c.want)
				}
			}
			if len(ref.Sums.CRC64NVME) != 8 {
				t.Errorf("CRC64NVME = %x, want 8 bytes", ref.Sums.CRC64NVME)
			}
			// Aborted before being referenced: gone.
			if _, err := s.OpenBlob(ref.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("OpenBlob after Abort of an unreferenced blob = %v, want ErrNotFound", err)
			}
		}
	}
	// And referenced ones survive Abort and read back.
	for i, size := range sizes {
		data := randomBytes(uint64(100+i), size)
		w, _ := s.NewBlob(MD5)
		w.Write(data)
		ref, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		refBlob(t, s, string(rune('a'+i)), ref)
		w.Abort()
		f, err := s.OpenBlob(ref.ID)
		if err != nil {
			t.Fatalf("OpenBlob: %v", err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(got, data) {
			t.Errorf("blob of %d bytes read back %d bytes, different", size, len(got))
		}
		if size > 10 {
			f, _ = s.OpenBlob(ref.ID)
			part := make([]byte, 5)
			f.ReadAt(part, int64(size-7))
			f.Close()
			if !bytes.Equal(part, data[size-7:size-2]) {
				t.Errorf("ReadAt = %x, want %x", part, data[size-7:size-2])
			}
		}
	}
}

func TestBlobAbortBeforeCommit(t *testing.T) {
	s := newStore(t)
	w, _ := s.NewBlob(MD5)
	w.Write(make([]byte, 3*blobBufSize))
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(s.Dir(), blobsDir, tmpDir))
	if len(ents) != 0 {
		t.Errorf("tmp holds %d files after Abort, want 0", len(ents))
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, ErrInvalid) {
		t.Errorf("Write after Abort = %v, want ErrInvalid", err)
	}
	if _, err := w.Commit(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Commit after Abort = %v, want ErrInvalid", err)
	}
}

func TestBlobRefcounts(t *testing.T) {
	filesOnly(t)
	s := newStore(t, objectsWalker)
	w, _ := s.NewBlob(0)
	io.WriteString(w, "hello")
	ref, _ := w.Commit()
	defer w.Abort()
	refBlob(t, s, "a", ref)
	refBlob(t, s, "b", ref) // a copy sharing the bytes
	s.View(func(tx *Tx) error {
		size, n, err := tx.BlobInfo(ref.ID)
		if size != 5 || n != 2 || err != nil {
			t.Errorf("BlobInfo = %d, %d, %v; want 5, 2, nil", size, n, err)
		}
		if err := tx.RefBlob(ref.ID); !errors.Is(err, ErrReadOnly) {
			t.Errorf("RefBlob in View = %v, want ErrReadOnly", err)
		}
		return nil
	})
	drop := func(key string) {
		t.Helper()
		err := s.Update(func(tx *Tx) error {
			b := tx.Bucket("objects")
			id := string(b.Get([]byte(key)))
			if err := b.Delete([]byte(key)); err != nil {
				return err
			}
			return tx.UnrefBlob(id)
		})
		if err != nil {
			t.Fatalf("drop %s: %v", key, err)
		}
	}
	drop("a")
	if _, err := os.Stat(s.BlobPath(ref.ID)); err != nil {
		t.Errorf("blob file after dropping one of two references: %v", err)
	}
	drop("b")
	if _, err := os.Stat(s.BlobPath(ref.ID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("blob file after dropping the last reference: %v, want it gone", err)
	}
	err := s.Update(func(tx *Tx) error { return tx.UnrefBlob(ref.ID) })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("UnrefBlob of a gone blob = %v, want ErrNotFound", err)
	}
	err = s.Update(func(tx *Tx) error { return tx.RefBlob(ref.ID) })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("RefBlob of a gone blob = %v, want ErrNotFound", err)
	}
}

// TestBlobRefUnrefRefInOneTx: the last reference goes and a new one comes in the
// same transaction; the file must stay.
func TestBlobRefUnrefRefInOneTx(t *testing.T) {
	filesOnly(t)
	s := newStore(t, objectsWalker)
	w, _ := s.NewBlob(0)
	io.WriteString(w, "x")
	ref, _ := w.Commit()
	defer w.Abort()
	err := s.Update(func(tx *Tx) error {
		if err := tx.RefBlob(ref.ID); err != nil {
			return err
		}
		if err := tx.UnrefBlob(ref.ID); err != nil {
			return err
		}
		if err := tx.RefBlob(ref.ID); err != nil {
			return err
		}
		b, _ := tx.CreateBucket("objects")
		return b.Put([]byte("k"), []byte(ref.ID))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.BlobPath(ref.ID)); err != nil {
		t.Errorf("blob file: %v, want present", err)
	}
}

func TestBlobRefRolledBack(t *testing.T) {
	s := newStore(t)
	w, _ := s.NewBlob(0)
	io.WriteString(w, "x")
	ref, _ := w.Commit()
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		tx.RefBlob(ref.ID)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	// Still pending: Abort removes it.
	w.Abort()
	if _, err := os.Stat(s.BlobPath(ref.ID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("blob after rolled-back ref and Abort: %v, want gone", err)
	}
}

func TestBlobIDsNeverPaths(t *testing.T) {
	s := newStore(t)
	for _, id := range []string{"", "../../etc/passwd", "0123456789abcdef0123456789abcdeg", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef/"} {
		if got := s.BlobPath(id); got != "" {
			t.Errorf("BlobPath(%q) = %q, want empty", id, got)
		}
		if _, err := s.OpenBlob(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("OpenBlob(%q) = %v, want ErrNotFound", id, err)
		}
		err := s.Update(func(tx *Tx) error { return tx.RefBlob(id) })
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("RefBlob(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

func TestOpenSweepsOrphans(t *testing.T) {
	filesOnly(t)
	dir := t.TempDir()
	s, err := Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := s.NewBlob(0)
	io.WriteString(w, "kept")
	kept, _ := w.Commit()
	refBlob(t, s, "k", kept)
	checkAndClose(t, s, objectsWalker)

	// What a crash leaves: a temp file, and a committed blob never referenced.
	orphan := "ab" + strings.Repeat("0", 30)
	os.WriteFile(filepath.Join(dir, blobsDir, "ab", orphan), []byte("orphan"), 0o644)
	os.WriteFile(filepath.Join(dir, blobsDir, tmpDir, "partial"), []byte("half"), 0o644)

	s, err = Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer checkAndClose(t, s, objectsWalker)
	if _, err := os.Stat(filepath.Join(dir, blobsDir, "ab", orphan)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("orphan blob after Open: %v, want removed", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, blobsDir, tmpDir)); len(ents) != 0 {
		t.Errorf("tmp after Open has %d files, want 0", len(ents))
	}
	if _, err := os.Stat(s.BlobPath(kept.ID)); err != nil {
		t.Errorf("referenced blob after Open: %v", err)
	}
}

func TestCloseRemovesPending(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(testOptions(t, dir))
	w, _ := s.NewBlob(0)
	io.WriteString(w, "x")
	ref, _ := w.Commit()
	path := s.BlobPath(ref.ID)
	checkAndClose(t, s)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pending blob after Close: %v, want removed", err)
	}
}

func TestCheckFindsProblems(t *testing.T) {
	filesOnly(t)
	s, err := Open(testOptions(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var refs []BlobRef
	for i := 0; i < 3; i++ {
		w, _ := s.NewBlob(0)
		io.WriteString(w, "blob")
		ref, _ := w.Commit()
		refBlob(t, s, string(rune('a'+i)), ref)
		refs = append(refs, ref)
	}
	if err := s.Check(objectsWalker); err != nil {
		t.Fatalf("Check of a sound store: %v", err)
	}
	os.Remove(s.BlobPath(refs[0].ID))
	os.WriteFile(s.BlobPath(refs[1].ID), []byte("longer than before"), 0o644)
	stray := "cd" + strings.Repeat("1", 30)
	os.MkdirAll(filepath.Join(s.Dir(), blobsDir, "cd"), 0o755) // fan-out directories are made on demand
	os.WriteFile(filepath.Join(s.Dir(), blobsDir, "cd", stray), nil, 0o644)
	os.WriteFile(filepath.Join(s.Dir(), blobsDir, "junk"), nil, 0o644)
	s.Update(func(tx *Tx) error { return tx.Bucket("objects").Delete([]byte("c")) }) // a reference lost

	err = s.Check(objectsWalker)
	if err == nil {
		t.Fatal("Check = nil, want problems")
	}
	for _, want := range []string{
		refs[0].ID + ": referenced 1 times but its file is missing",
		refs[1].ID + ": file has 18 bytes, record says 4",
		stray + ": file with no reference",
		"stray entry blobs/junk",
		refs[2].ID + ": store counts 1 references, none found",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check error lacks %q:\n%v", want, err)
		}
	}
}

func TestBlobCommitAfterClose(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(testOptions(t, dir))
	w, _ := s.NewBlob(0)
	io.WriteString(w, "late")
	checkAndClose(t, s)
	if _, err := w.Commit(); !errors.Is(err, ErrClosed) {
		t.Errorf("Commit after Close = %v, want ErrClosed", err)
	}
	w.Abort()
	s, _ = Open(testOptions(t, dir))
	checkAndClose(t, s)
}

// filesOnly makes every blob of the test a file, for tests of the file path.
func filesOnly(t *testing.T) {
	old := inlineLimit
	inlineLimit = 0
	t.Cleanup(func() { inlineLimit = old })
}

// Small blobs live inside the database: no file, readable through both OpenBlobs,
// counted like files, gone with their last reference, and durable across a reopen.
func TestInlineBlobs(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{0, 1, 4096, InlineMax - 1} {
		data := bytes.Repeat([]byte{'i'}, size)
		w, _ := s.NewBlob(MD5)
		w.Write(data)
		ref, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hex.EncodeToString(ref.Sums.MD5), fmt.Sprintf("%x", md5.Sum(data)); got != want {
			t.Errorf("size %d: MD5 = %s, want %s", size, got, want)
		}
		refBlob(t, s, fmt.Sprint(size), ref)
		w.Abort() // a no-op once referenced
		if p := s.BlobPath(ref.ID); p != "" {
			t.Errorf("size %d: BlobPath = %q, want no file", size, p)
		}
		b, err := s.OpenBlob(ref.ID)
		if err != nil {
			t.Fatalf("size %d: OpenBlob: %v", size, err)
		}
		got, _ := io.ReadAll(b)
		b.Close()
		if !bytes.Equal(got, data) {
			t.Errorf("size %d: read %d bytes, want %d", size, len(got), size)
		}
		s.View(func(tx *Tx) error {
			b, err := tx.OpenBlob(ref.ID)
			if err != nil {
				t.Errorf("size %d: Tx.OpenBlob: %v", size, err)
				return nil
			}
			defer b.Close()
			if n, _ := b.Seek(0, io.SeekEnd); n != int64(size) {
				t.Errorf("size %d: Seek end = %d", size, n)
			}
			return nil
		})
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, blobsDir)); len(ents) != 1 {
		t.Errorf("blobs/ has %d entries, want only tmp: small blobs make no files", len(ents))
	}
	checkAndClose(t, s, objectsWalker)

	s, err = Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	var id string
	s.View(func(tx *Tx) error { id = string(tx.Bucket("objects").Get([]byte("4096"))); return nil })
	err = s.Update(func(tx *Tx) error {
		if err := tx.Bucket("objects").Delete([]byte("4096")); err != nil {
			return err
		}
		return tx.UnrefBlob(id)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenBlob(id); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenBlob after the last reference went = %v, want ErrNotFound", err)
	}
	checkAndClose(t, s, objectsWalker)
}
