package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// mountTmpfs mounts a tmpfs of size bytes on a fresh directory and unmounts it
// at the end of the test. Where it cannot (not root, not Linux) the test skips,
// except under CI=true, where it fails: CI must run it.
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.FormatInt(size, 10), "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount tmpfs: %v: %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs (needs root on Linux): %v", err)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() }) // runs before TempDir's removal
	return dir
}

// fill writes a file in dir until the disk is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return name
		}
	}
}

// errCounter counts the store's ERROR lines.
type errCounter struct {
	t     testing.TB
	mu    sync.Mutex
	lines []string
}

func (c *errCounter) errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, fmt.Sprintf(format, args...))
	c.t.Logf("ERROR "+format, args...)
}

func (c *errCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines)
}

// A disk that fills up: blob writes and then log writes fail with ErrFull,
// nothing of them stays, one ERROR line names the directory; once space is
// freed, writes succeed again on the same Store, and everything acknowledged
// is there, before and after a reopen.
func TestDiskFullHeals(t *testing.T) {
	dir := mountTmpfs(t, 8<<20)
	data := filepath.Join(dir, "data")
	errs := &errCounter{t: t}
	s, err := Open(Options{Dir: data, Logf: t.Logf, Errorf: errs.errorf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // before the unmount
	acked := map[string][]byte{}    // key → value, or blob id for "blob/" keys
	put := func(key string, val []byte, blob string) error {
		return s.Update(func(tx *Tx) error {
			b, err := tx.CreateBucket("t")
			if err != nil {
				return err
			}
			if blob != "" {
				if err := tx.RefBlob(blob); err != nil {
					return err
				}
				val = []byte(blob)
			}
			return b.Put([]byte(key), val)
		})
	}
	// Blobs of 256 KiB until one finds the disk full.
	body := bytes.Repeat([]byte("0123456789abcdef"), 16<<10)
	var blobErr error
	for i := 0; blobErr == nil; i++ {
		if i > 100 {
			t.Fatal("8 MiB took 100 blobs of 256 KiB")
		}
		w, err := s.NewBlob(MD5)
		if err != nil {
			t.Fatal(err)
		}
		_, blobErr = w.Write(body)
		var ref BlobRef
		if blobErr == nil {
			ref, blobErr = w.Commit()
		}
		if blobErr == nil {
			key := fmt.Sprintf("blob/%03d", i)
			if err := put(key, nil, ref.ID); err != nil {
				t.Fatalf("Update referencing blob %d: %v", i, err)
			}
			acked[key] = []byte(ref.ID)
		}
		w.Abort()
	}
	if !errors.Is(blobErr, ErrFull) || !errors.Is(blobErr, syscall.ENOSPC) {
		t.Fatalf("blob write on a full disk: %v, want ErrFull and ENOSPC", blobErr)
	}
	if ents, _ := os.ReadDir(filepath.Join(data, blobsDir, tmpDir)); len(ents) != 0 {
		t.Errorf("blobs/tmp holds %d files after the failed blob was aborted", len(ents))
	}

	// Whatever the log had grown ahead goes too: then Updates fail.
	filler := fill(t, dir)
	val := bytes.Repeat([]byte("v"), 100<<10)
	var logErr error
	failed := ""
	for i := 0; logErr == nil; i++ {
		if i > 100 {
			t.Fatal("100 Updates of 100 KiB fit on a full disk")
		}
		key := fmt.Sprintf("item/%03d", i)
		if logErr = put(key, val, ""); logErr == nil {
			acked[key] = val
		} else {
			failed = key
		}
	}
	if !errors.Is(logErr, ErrFull) || !errors.Is(logErr, syscall.ENOSPC) {
		t.Fatalf("Update on a full disk: %v, want ErrFull and ENOSPC", logErr)
	}
	if err := put(failed, val, ""); !errors.Is(err, ErrFull) {
		t.Fatalf("Update again on the full disk: %v, want ErrFull", err)
	}
	verify := func(s *Store, when string) {
		t.Helper()
		err := s.View(func(tx *Tx) error {
			b := tx.Bucket("t")
			for k, v := range acked {
				if got := b.Get([]byte(k)); !bytes.Equal(got, v) {
					t.Errorf("%s: %s holds %d bytes, want the %d acknowledged", when, k, len(got), len(v))
				}
			}
			if got := b.Get([]byte(failed)); got != nil {
				t.Errorf("%s: the failed Update's %s is there", when, failed)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	verify(s, "disk full")
	// A checkpoint finds no room in bbolt's file either: it is kept for a retry,
	// and what it holds stays readable.
	if err := s.checkpoint(); !errors.Is(err, ErrFull) {
		t.Fatalf("checkpoint on a full disk: %v, want ErrFull", err)
	}
	if !s.stuck.Load() {
		t.Errorf("the failed checkpoint is not kept for a retry")
	}
	verify(s, "checkpoint failed")
	if n := errs.count(); n != 1 {
		t.Errorf("%d ERROR lines, want 1", n)
	} else if !bytes.Contains([]byte(errs.lines[0]), []byte(data)) {
		t.Errorf("ERROR line %q does not name %s", errs.lines[0], data)
	}

	// Free the space: the same Store writes again, blobs and Updates. Deleting
	// needs a little log space, which the log keeps grown ahead (logReserve).
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := put(failed, val, ""); err != nil {
		t.Fatalf("Update after space was freed: %v", err)
	}
	acked[failed], failed = val, "never"
	err = s.Update(func(tx *Tx) error {
		b := tx.Bucket("t")
		for i := 2; b.Get([]byte(fmt.Sprintf("blob/%03d", i))) != nil; i++ {
			key := fmt.Sprintf("blob/%03d", i)
			if err := tx.UnrefBlob(string(b.Get([]byte(key)))); err != nil {
				return err
			}
			if err := b.Delete([]byte(key)); err != nil {
				return err
			}
			delete(acked, key)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("deleting blobs: %v", err)
	}
	w, _ := s.NewBlob(0)
	w.Write(body[:100<<10])
	ref, err := w.Commit()
	if err == nil {
		err = put("blob/after", nil, ref.ID)
	}
	w.Abort()
	if err != nil {
		t.Fatalf("blob after space was freed: %v", err)
	}
	acked["blob/after"] = []byte(ref.ID)
	verify(s, "space freed")
	if err := s.checkpoint(); err != nil || s.stuck.Load() {
		t.Errorf("checkpoint after space was freed: %v (stuck: %v)", err, s.stuck.Load())
	}
	walk := func(tx *Tx, ref func(string)) error {
		return tx.Bucket("t").ForEachPrefix([]byte("blob/"), func(k, v []byte) error { ref(string(v)); return nil })
	}
	if err := s.Check(walk); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Options{Dir: data, Logf: t.Logf, Errorf: errs.errorf})
	if err != nil {
		t.Fatal(err)
	}
	verify(s, "reopened")
	checkAndClose(t, s, walk)
}

// enospc is the error a write on a full disk returns.
func enospc(f *os.File) error { return &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC} }

// Log writes that fail after their records reached the file (as on a file
// system where overwriting needs new blocks), among concurrent Updates that
// each read and increment a counter: the Updates of a failed write, and those
// that read them, fail; the counter always equals the number of acknowledged
// Updates, in the running store and after a crash, whose replay finds none of
// the failed records; blobs the failed Updates referenced are left to their
// writers' Abort.
func TestLogFullUndone(t *testing.T) {
	dir := t.TempDir()
	errs := &errCounter{t: t}
	s, err := Open(Options{Dir: dir, NoSync: true, Logf: t.Logf, Errorf: errs.errorf})
	if err != nil {
		t.Fatal(err)
	}
	var writes atomic.Int64
	testHookLogWrite = func(f *os.File, buf []byte, off int64) (int, error) {
		n, err := f.WriteAt(buf, off)
		if err == nil && writes.Add(1)%4 == 3 {
			return n, enospc(f) // the records are in the file, and failed
		}
		return n, err
	}
	defer func() { testHookLogWrite = nil }()

	var mu sync.Mutex
	acked, failed := map[string]string{}, map[string]bool{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 60; i++ {
				key := fmt.Sprintf("g%d/%02d", g, i)
				size := 100
				if i%7 == 0 {
					size = 70 << 10 // a blob file, not inline
				}
				w, err := s.NewBlob(0)
				if err != nil {
					t.Error(err)
					return
				}
				w.Write(bytes.Repeat([]byte{byte(i)}, size))
				ref, err := w.Commit()
				if err != nil {
					t.Error(err)
					return
				}
				err = s.Update(func(tx *Tx) error {
					b, err := tx.CreateBucket("t")
					if err != nil {
						return err
					}
					n, _ := strconv.Atoi(string(b.Get([]byte("count"))))
					if err := tx.RefBlob(ref.ID); err != nil {
						return err
					}
					if err := b.Put([]byte(key), []byte(ref.ID)); err != nil {
						return err
					}
					return b.Put([]byte("count"), []byte(strconv.Itoa(n+1)))
				})
				w.Abort()
				mu.Lock()
				switch {
				case err == nil:
					acked[key] = ref.ID
				case errors.Is(err, ErrFull):
					failed[key] = true
				default:
					t.Errorf("Update %s: %v", key, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(failed) == 0 || len(acked) == 0 {
		t.Fatalf("%d acknowledged, %d failed: the hook did not do its job", len(acked), len(failed))
	}
	// The last write fails too, and nothing overwrites its records before the crash.
	testHookLogWrite = func(f *os.File, buf []byte, off int64) (int, error) {
		n, _ := f.WriteAt(buf, off)
		return n, enospc(f)
	}
	err = s.Update(func(tx *Tx) error { return tx.Bucket("t").Put([]byte("last"), []byte("x")) })
	if !errors.Is(err, ErrFull) {
		t.Fatalf("last Update: %v, want ErrFull", err)
	}
	failed["last"] = true
	testHookLogWrite = nil

	verify := func(s *Store, when string) {
		t.Helper()
		s.View(func(tx *Tx) error {
			b := tx.Bucket("t")
			if got := string(b.Get([]byte("count"))); got != strconv.Itoa(len(acked)) {
				t.Errorf("%s: count = %s, want %d (the acknowledged Updates)", when, got, len(acked))
			}
			for k, id := range acked {
				if got := string(b.Get([]byte(k))); got != id {
					t.Errorf("%s: %s = %q, want %q", when, k, got, id)
				}
			}
			for k := range failed {
				if b.Get([]byte(k)) != nil {
					t.Errorf("%s: failed %s is there", when, k)
				}
			}
			return nil
		})
	}
	walk := func(tx *Tx, ref func(string)) error {
		return tx.Bucket("t").ForEach(func(k, v []byte) error {
			if string(k) != "count" {
				ref(string(v))
			}
			return nil
		})
	}
	verify(s, "running")
	if n := errs.count(); n != 1 {
		t.Errorf("%d ERROR lines for %d failed writes, want 1", n, len(failed))
	}
	if err := s.Check(walk); err != nil {
		t.Errorf("Check: %v", err)
	}
	// Once more with a failed write last, then crash: the replay must stop
	// before the failed records.
	testHookLogWrite = func(f *os.File, buf []byte, off int64) (int, error) {
		n, _ := f.WriteAt(buf, off)
		return n, enospc(f)
	}
	err = s.Update(func(tx *Tx) error { return tx.Bucket("t").Put([]byte("last"), []byte("x")) })
	testHookLogWrite = nil
	if !errors.Is(err, ErrFull) {
		t.Fatalf("Update before the crash: %v, want ErrFull", err)
	}
	s.stopForTest()
	s, err = Open(Options{Dir: dir, NoSync: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	verify(s, "after a crash")
	checkAndClose(t, s, walk)
}
