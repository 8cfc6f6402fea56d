package store

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
)

// TestViewsSeeConsistentSnapshots moves units between accounts in concurrent
// Updates while concurrent Views check that the total never changes: a View never
// sees half of a batch, nor half of one Update.
func TestViewsSeeConsistentSnapshots(t *testing.T) {
	s := newStore(t)
	const accounts, total = 10, 1000
	s.Update(func(tx *Tx) error {
		b, _ := tx.CreateBucket("bank")
		for i := 0; i < accounts; i++ {
			b.Put(Uint64Key(uint64(i)), Uint64Key(total/accounts))
		}
		return nil
	})
	var stop atomic.Bool
	var wg, readers sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 200; i++ {
				from, to := uint64((g+i)%accounts), uint64((g*3+i*7+1)%accounts)
				err := s.Update(func(tx *Tx) error {
					b := tx.Bucket("bank")
					f := ParseUint64Key(b.Get(Uint64Key(from)))
					if f == 0 || from == to {
						return nil
					}
					if err := b.Put(Uint64Key(from), Uint64Key(f-1)); err != nil {
						return err
					}
					return b.Put(Uint64Key(to), Uint64Key(ParseUint64Key(b.Get(Uint64Key(to)))+1))
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	// Checkpoints run all along, so Views meet every stage of one: a frozen
	// overlay over bbolt before and after its commit, shared bases retired.
	readers.Go(func() {
		for !stop.Load() {
			if err := s.checkpoint(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var views atomic.Int64
	for r := 0; r < 2; r++ {
		readers.Go(func() {
			for !stop.Load() {
				s.View(func(tx *Tx) error {
					sum := uint64(0)
					tx.Bucket("bank").ForEach(func(k, v []byte) error { sum += ParseUint64Key(v); return nil })
					if sum != total {
						t.Errorf("View saw a total of %d, want %d", sum, total)
					}
					views.Add(1)
					return nil
				})
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	readers.Wait()
	if views.Load() == 0 {
		t.Errorf("no View ran")
	}
}

// TestParallelBlobs writes blobs from many goroutines, some shared by two keys,
// some replaced, and checks reference counts with a walker at the end.
func TestParallelBlobs(t *testing.T) {
	s := newStore(t, objectsWalker)
	s.Update(func(tx *Tx) error { _, err := tx.CreateBucket("objects"); return err })
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 30; i++ {
				data := randomBytes(uint64(g*1000+i), (g*7919+i*104729)%(200<<10))
				w, err := s.NewBlob(MD5 | CRC32C)
				if err != nil {
					t.Error(err)
					return
				}
				w.Write(data)
				ref, err := w.Commit()
				if err != nil {
					t.Error(err)
					return
				}
				key := []byte(fmt.Sprintf("g%d-%d", g, i%10)) // keys 0-9 get replaced
				copyKey := []byte(fmt.Sprintf("g%d-copy", g))
				err = s.Update(func(tx *Tx) error {
					b := tx.Bucket("objects")
					for _, k := range [][]byte{key, copyKey} {
						if i%3 != 0 && bytes.Equal(k, copyKey) {
							continue
						}
						if old := b.Get(k); old != nil {
							if err := tx.UnrefBlob(string(old)); err != nil {
								return err
							}
						}
						if err := tx.RefBlob(ref.ID); err != nil {
							return err
						}
						if err := b.Put(k, []byte(ref.ID)); err != nil {
							return err
						}
					}
					return nil
				})
				w.Abort()
				if err != nil {
					t.Error(err)
					return
				}
				f, err := s.OpenBlob(ref.ID)
				if err != nil {
					// Another goroutine cannot drop this one's blob: keys are per goroutine.
					t.Errorf("OpenBlob right after referencing: %v", err)
					return
				}
				got, _ := io.ReadAll(f)
				f.Close()
				if !bytes.Equal(got, data) {
					t.Errorf("blob %s read back different", ref.ID)
				}
			}
		})
	}
	wg.Wait()
}

// TestBatchReruns pins the documented re-run rule: in one batch, a fn that fails
// before writing costs the others nothing; one that fails after writing makes the
// fns before it run again.
// TestFailedUpdateDiscardsOnlyItsWrites runs Updates that succeed, fail before
// writing and fail after writing, concurrently: each fn runs exactly once, and
// only the failed ones' writes are gone.
func TestFailedUpdateDiscardsOnlyItsWrites(t *testing.T) {
	s := newStore(t)
	s.Update(func(tx *Tx) error { _, err := tx.CreateBucket("t"); return err })
	var runs [4]atomic.Int32
	errs := make([]error, 4)
	fns := []func(tx *Tx) error{
		func(tx *Tx) error { runs[0].Add(1); return tx.Bucket("t").Put([]byte("b"), []byte("1")) },
		func(tx *Tx) error { runs[1].Add(1); return fmt.Errorf("C fails before writing") },
		func(tx *Tx) error {
			runs[2].Add(1)
			tx.Bucket("t").Put([]byte("d"), []byte("1"))
			return fmt.Errorf("D fails after writing")
		},
		func(tx *Tx) error { runs[3].Add(1); return tx.Bucket("t").Put([]byte("e"), []byte("1")) },
	}
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = s.Update(fn) })
	}
	wg.Wait()
	got := fmt.Sprint(runs[0].Load(), runs[1].Load(), runs[2].Load(), runs[3].Load())
	if want := "1 1 1 1"; got != want {
		t.Errorf("runs of B C D E = %s, want %s", got, want)
	}
	if errs[0] != nil || errs[1] == nil || errs[2] == nil || errs[3] != nil {
		t.Errorf("errors = %v, want [nil C D nil]", errs)
	}
	s.View(func(tx *Tx) error {
		b := tx.Bucket("t")
		if b.Get([]byte("b")) == nil || b.Get([]byte("e")) == nil || b.Get([]byte("d")) != nil {
			t.Errorf("after the batch: b=%q d=%q e=%q, want b and e only", b.Get([]byte("b")), b.Get([]byte("d")), b.Get([]byte("e")))
		}
		return nil
	})
}
