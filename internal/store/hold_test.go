package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

// putBlob writes data as a blob and points key (in bucket "t") at it, dropping
// the reference of the blob key pointed at before.
func putBlob(t testing.TB, s *Store, key string, data []byte) string {
	t.Helper()
	w, err := s.NewBlob(0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	w.Write(data)
	ref, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket("t")
		if err != nil {
			return err
		}
		if old := b.Get([]byte(key)); old != nil {
			if err := tx.UnrefBlob(string(old)); err != nil {
				return err
			}
		}
		if err := tx.RefBlob(ref.ID); err != nil {
			return err
		}
		return b.Put([]byte(key), []byte(ref.ID))
	})
	if err != nil {
		t.Fatal(err)
	}
	return ref.ID
}

func readBlob(s *Store, id string) ([]byte, error) {
	b, err := s.OpenBlob(id)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return io.ReadAll(b)
}

func blobWalker(tx *Tx, ref func(string)) error {
	b := tx.Bucket("t")
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error { ref(string(v)); return nil })
}

// Held blobs, a file and a small one in the database, stay readable after
// their last reference is dropped (and checkpointed away), until released;
// then their storage is freed.
func TestHoldBlobs(t *testing.T) {
	s := newStore(t, blobWalker)
	big := bytes.Repeat([]byte("big "), 40<<10) // 160 KiB: a file
	small := []byte("small blob")
	a := putBlob(t, s, "a", big)
	b := putBlob(t, s, "b", small)
	if err := s.checkpoint(); err != nil { // b's bytes now come from bbolt
		t.Fatal(err)
	}
	release, err := s.HoldBlobs([]string{a, b})
	if err != nil {
		t.Fatalf("HoldBlobs: %v", err)
	}
	err = s.Update(func(tx *Tx) error {
		for _, k := range []string{"a", "b"} {
			if err := tx.UnrefBlob(string(tx.Bucket("t").Get([]byte(k)))); err != nil {
				return err
			}
			tx.Bucket("t").Delete([]byte(k))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.checkpoint()
	for _, c := range []struct {
		id   string
		want []byte
	}{{a, big}, {b, small}} {
		if got, err := readBlob(s, c.id); err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("held blob %s after its last reference went: %d bytes, %v; want %d bytes", c.id, len(got), err, len(c.want))
		}
	}
	if err := s.Check(blobWalker); err != nil {
		t.Errorf("Check with held blobs: %v", err)
	}
	if _, err := s.HoldBlobs([]string{a}); !errors.Is(err, ErrNotFound) {
		t.Errorf("HoldBlobs of an unreferenced blob: %v, want ErrNotFound", err)
	}
	release()
	release() // twice is harmless
	for _, id := range []string{a, b} {
		if _, err := readBlob(s, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("blob %s after the release: %v, want ErrNotFound", id, err)
		}
	}
	if _, err := os.Stat(s.blobFile(a)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file of %s after the release: %v, want it gone", a, err)
	}
	if len(s.holds.n) != 0 || len(s.holds.doomed) != 0 || len(s.holds.dying) != 0 {
		t.Errorf("holds left: %v %v %v", s.holds.n, s.holds.doomed, s.holds.dying)
	}
}

// Readers hold and read the blob a key points at while writers keep pointing
// it at new blobs (files and small ones): every read that got its hold reads
// the whole blob it found; at the end only the current blobs are stored.
func TestHoldBlobsConcurrent(t *testing.T) {
	s := newStore(t, blobWalker)
	content := func(i int) []byte {
		n := 100 + i%3*50<<10 // small, 50 KiB (small), 100 KiB (file)
		return bytes.Repeat([]byte{byte(i)}, n)
	}
	var mu sync.Mutex
	version := map[string]int{} // blob id → i
	put := func(key string, i int) {
		id := putBlob(t, s, key, content(i))
		mu.Lock()
		version[id] = i
		mu.Unlock()
	}
	for k := 0; k < 2; k++ {
		put(fmt.Sprint(k), 0)
	}
	var reads, retries atomic.Int64
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var id string
				s.View(func(tx *Tx) error { id = string(tx.Bucket("t").Get([]byte(fmt.Sprint(r % 2)))); return nil })
				release, err := s.HoldBlobs([]string{id})
				if errors.Is(err, ErrNotFound) {
					retries.Add(1)
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				got, err := readBlob(s, id)
				release()
				i := -1 // the version the blob's bytes say it is (version is set after the Update)
				if len(got) > 0 {
					i = int(got[0])
				}
				mu.Lock()
				v, known := version[id]
				mu.Unlock()
				if err != nil || i < 0 || !bytes.Equal(got, content(i)) || known && v != i {
					t.Errorf("read of held blob %s (version %d): %d bytes, %v", id, i, len(got), err)
					return
				}
				reads.Add(1)
			}
		})
	}
	for i := 1; i <= 150; i++ {
		put(fmt.Sprint(i%2), i)
		if i%50 == 0 {
			s.checkpoint()
		}
	}
	close(stop)
	readers.Wait()
	t.Logf("%d reads, %d holds refused", reads.Load(), retries.Load())
	if reads.Load() == 0 {
		t.Error("no read got a hold")
	}
}
