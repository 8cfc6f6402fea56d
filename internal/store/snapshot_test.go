package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// blobsWalker reports the blob ids stored as the values of <root>/files.
func blobsWalker(roots ...string) RefWalker {
	return func(tx *Tx, ref func(string)) error {
		for _, r := range roots {
			if b := tx.Bucket(r, "files"); b != nil {
				b.ForEach(func(_, v []byte) error { ref(string(v)); return nil })
			}
		}
		return nil
	}
}

// putFile stores body as a blob referenced from <root>/files/name.
func putFile(t testing.TB, s *Store, root, name string, body []byte) string {
	t.Helper()
	w, err := s.NewBlob(0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	w.Write(body)
	ref, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket(root, "files")
		if err != nil {
			return err
		}
		if err := tx.RefBlob(ref.ID); err != nil {
			return err
		}
		return b.Put([]byte(name), []byte(ref.ID))
	})
	if err != nil {
		t.Fatal(err)
	}
	return ref.ID
}

// fillRoot gives root nested buckets, keys, a sequence, a small and a large blob.
func fillRoot(t testing.TB, s *Store, root string) {
	t.Helper()
	err := s.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket(root, "000000000000", "us-east-1", "items")
		if err != nil {
			return err
		}
		for i := range 50 {
			if err := b.Put(fmt.Appendf(nil, "k%03d", i), fmt.Appendf(nil, "%s-v%d", root, i)); err != nil {
				return err
			}
		}
		if err := b.Put([]byte("empty"), nil); err != nil {
			return err
		}
		for range 7 {
			if _, err := b.NextSequence(); err != nil {
				return err
			}
		}
		_, err = tx.CreateBucket(root, "000000000000", "us-east-1", "empty-bucket")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	putFile(t, s, root, "small", []byte("small body of "+root))
	putFile(t, s, root, "large", bytes.Repeat([]byte(root), InlineMax))
}

// dump renders everything a View sees (service buckets, sequences, blob
// bytes) as text, to compare two stores.
func dump(t testing.TB, s *Store) string {
	t.Helper()
	var out strings.Builder
	var walk func(b *Bucket, path string)
	walk = func(b *Bucket, path string) {
		fmt.Fprintf(&out, "bucket %s seq=%d\n", path, b.Sequence())
		b.ForEach(func(k, v []byte) error {
			fmt.Fprintf(&out, "  %q=%q\n", k, v)
			if strings.HasSuffix(path, "/files") {
				blob, err := s.OpenBlob(string(v))
				if err != nil {
					t.Errorf("blob %s: %v", v, err)
					return nil
				}
				data, _ := io.ReadAll(blob)
				blob.Close()
				fmt.Fprintf(&out, "    blob of %d bytes, %q...\n", len(data), data[:min(len(data), 20)])
			}
			return nil
		})
		b.ForEachBucket(func(name []byte) error {
			walk(b.Bucket(string(name)), path+"/"+string(name))
			return nil
		})
	}
	s.View(func(tx *Tx) error {
		for _, name := range rootNames(tx) {
			walk(tx.Bucket(name), name)
		}
		return nil
	})
	return out.String()
}

func blobFiles(t testing.TB, s *Store) []string {
	t.Helper()
	var files []string
	root := filepath.Join(s.Dir(), blobsDir)
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if rel, _ := filepath.Rel(root, p); err == nil && !d.IsDir() && !strings.HasPrefix(rel, tmpDir+string(filepath.Separator)) {
			files = append(files, filepath.Base(p))
		}
		return nil
	})
	return files
}

func TestDropAll(t *testing.T) {
	s := newStore(t, blobsWalker("a", "b"))
	fillRoot(t, s, "a")
	fillRoot(t, s, "b")
	if err := s.checkpoint(); err != nil { // some state in bbolt, some in the overlay
		t.Fatal(err)
	}
	putFile(t, s, "b", "later", bytes.Repeat([]byte("x"), InlineMax+1))
	if n := len(blobFiles(t, s)); n != 3 {
		t.Fatalf("%d blob files before, want 3", n)
	}
	if err := s.DropAll(); err != nil {
		t.Fatal(err)
	}
	if d := dump(t, s); d != "" {
		t.Errorf("after DropAll the store holds:\n%s", d)
	}
	if f := blobFiles(t, s); len(f) != 0 {
		t.Errorf("blob files left: %v", f)
	}
	s.View(func(tx *Tx) error {
		if n := countKeys(tx.blobRefs()) + countKeys(tx.sysBucket(inlineBucket)); n != 0 {
			t.Errorf("%d blob records left", n)
		}
		return nil
	})
	// The store works after, and a checkpoint moves the reset into bbolt.
	fillRoot(t, s, "a")
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	if d := dump(t, s); !strings.Contains(d, "a-v49") || strings.Contains(d, "bucket b") {
		t.Errorf("after refilling a:\n%s", d)
	}
}

func countKeys(b *Bucket) int {
	n := 0
	b.ForEach(func(_, _ []byte) error { n++; return nil })
	return n
}

func TestDropOneRoot(t *testing.T) {
	s := newStore(t, blobsWalker("a", "b"))
	fillRoot(t, s, "a")
	fillRoot(t, s, "b")
	before := dump(t, s)
	if err := s.Drop(blobsWalker("a"), "a", "never-made"); err != nil {
		t.Fatal(err)
	}
	after := dump(t, s)
	if strings.Contains(after, "bucket a") || !strings.Contains(after, "bucket b") {
		t.Errorf("after Drop(a):\n%s", after)
	}
	bOnly := before[strings.Index(before, "bucket b"):]
	if after != bOnly {
		t.Errorf("b changed:\n%s\nwant\n%s", after, bOnly)
	}
	if n := len(blobFiles(t, s)); n != 1 {
		t.Errorf("%d blob files, want b's one", n)
	}
	if err := s.Drop(nil, "\x00fogbank"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Drop of the reserved root = %v, want ErrInvalid", err)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	src := newStore(t, blobsWalker("a", "b"))
	fillRoot(t, src, "a")
	if err := src.checkpoint(); err != nil {
		t.Fatal(err)
	}
	fillRoot(t, src, "b") // in the overlay
	var snap bytes.Buffer
	if err := src.WriteSnapshot(&snap); err != nil {
		t.Fatal(err)
	}
	want := dump(t, src)
	if err := CheckSnapshot(bytes.NewReader(snap.Bytes())); err != nil {
		t.Fatalf("CheckSnapshot: %v", err)
	}

	// Into a store holding other things: they are gone, the snapshot is there.
	dir := t.TempDir()
	dst, err := Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	fillRoot(t, dst, "c")
	if err := dst.LoadSnapshot(bytes.NewReader(snap.Bytes())); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, dst); got != want {
		t.Errorf("loaded:\n%s\nwant:\n%s", got, want)
	}
	if n := len(blobFiles(t, dst)); n != 2 {
		t.Errorf("%d blob files after load, want 2 (c's is gone)", n)
	}
	// Sequences continue from the snapshot's.
	dst.Update(func(tx *Tx) error {
		b := tx.Bucket("a", "000000000000", "us-east-1", "items")
		if b == nil {
			t.Fatalf("bucket missing in Update; View sees %v", dump(t, dst))
		}
		n, _ := b.NextSequence()
		if n != 8 {
			t.Errorf("NextSequence after load = %d, want 8", n)
		}
		return nil
	})
	// Loaded again over itself (the same blob ids): unchanged.
	if err := src.LoadSnapshot(bytes.NewReader(snap.Bytes())); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, src); got != want {
		t.Errorf("loaded over itself:\n%s\nwant:\n%s", got, want)
	}
	// And after a checkpoint and a reopen.
	checkAndClose(t, dst, blobsWalker("a", "b"))
	re, err := Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer checkAndClose(t, re, blobsWalker("a", "b"))
	got := dump(t, re)
	got = strings.Replace(got, "seq=8", "seq=7", 1)
	if got != want {
		t.Errorf("reopened:\n%s\nwant:\n%s", got, want)
	}
}

func TestSnapshotDamagedChangesNothing(t *testing.T) {
	src := newStore(t, blobsWalker("a"))
	fillRoot(t, src, "a")
	var snap bytes.Buffer
	if err := src.WriteSnapshot(&snap); err != nil {
		t.Fatal(err)
	}
	full := snap.Bytes()
	flipped := bytes.Clone(full)
	flipped[len(flipped)/2] ^= 1
	dst := newStore(t, blobsWalker("c"))
	fillRoot(t, dst, "c")
	want := dump(t, dst)
	for name, data := range map[string][]byte{
		"cut short":    full[:len(full)-3],
		"no end":       full[:len(full)-5],
		"half":         full[:len(full)/2],
		"flipped byte": flipped,
		"trailing":     append(bytes.Clone(full), 0),
		"not one":      []byte("PK\x03\x04 a zip file"),
		"empty":        nil,
	} {
		err := dst.LoadSnapshot(bytes.NewReader(data))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: LoadSnapshot = %v, want ErrInvalid", name, err)
		}
		if got := dump(t, dst); got != want {
			t.Errorf("%s: state changed:\n%s", name, got)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(dst.Dir(), blobsDir, tmpDir)); len(ents) != 0 {
		t.Errorf("temporary files left: %v", ents)
	}
}

// A length that claims more than the stream holds allocates nothing big.
func TestSnapshotHugeLengthClaim(t *testing.T) {
	s := newStore(t)
	data := []byte(snapshotMagic + "B\x01\x01aK\x01k\xff\xff\xff\xff\x02")
	if err := s.LoadSnapshot(bytes.NewReader(data)); !errors.Is(err, ErrInvalid) {
		t.Errorf("LoadSnapshot = %v, want ErrInvalid", err)
	}
}

// BenchmarkDropAll is DropAll of a store holding 10,000 small blobs referenced
// from one bucket and 10,000 keys in another (what S3 objects and DynamoDB
// items come to), half checkpointed into bbolt and half in the overlay.
func BenchmarkDropAll(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir(), NoSync: true, Logf: b.Logf})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	body := bytes.Repeat([]byte("x"), 1024)
	for range b.N {
		b.StopTimer()
		for part := range 2 {
			for batch := range 50 {
				var ids []string
				for range 100 {
					w, _ := s.NewBlob(0)
					w.Write(body)
					ref, err := w.Commit()
					if err != nil {
						b.Fatal(err)
					}
					ids = append(ids, ref.ID)
				}
				err := s.Update(func(tx *Tx) error {
					objs, _ := tx.CreateBucket("s3", "objects")
					items, _ := tx.CreateBucket("dynamodb", "items")
					for i, id := range ids {
						if err := tx.RefBlob(id); err != nil {
							return err
						}
						key := fmt.Appendf(nil, "k%d-%03d-%03d", part, batch, i)
						objs.Put(key, []byte(id))
						items.Put(key, body[:200])
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			if part == 0 {
				if err := s.checkpoint(); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StartTimer()
		if err := s.DropAll(); err != nil {
			b.Fatal(err)
		}
	}
}

// A reader holding blobs (HoldBlobs, as a multipart GET does) reads them to
// the end across a DropAll; the file goes at its release.
func TestDropAllKeepsHeldBlobs(t *testing.T) {
	s := newStore(t)
	big := bytes.Repeat([]byte("b"), InlineMax+10)
	large := putFile(t, s, "a", "large", big)
	small := putFile(t, s, "a", "small", []byte("small"))
	release, err := s.HoldBlobs([]string{large, small})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DropAll(); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][]byte{large: big, small: []byte("small")} {
		b, err := s.OpenBlob(id)
		if err != nil {
			t.Fatalf("held blob after DropAll: %v", err)
		}
		got, _ := io.ReadAll(b)
		b.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("held blob: %d bytes, want %d", len(got), len(want))
		}
	}
	release()
	if f := blobFiles(t, s); len(f) != 0 {
		t.Errorf("files after the release: %v", f)
	}
}
