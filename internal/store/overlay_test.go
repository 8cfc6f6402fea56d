package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// tree is a model of a store's contents: nested buckets with keys and sequences.
type tree struct {
	keys    map[string]string
	buckets map[string]*tree
	seq     uint64
}

func newTree() *tree { return &tree{keys: map[string]string{}, buckets: map[string]*tree{}} }

// dump renders a tree, or the store's buckets below b, in one canonical form.
func (t *tree) dump(sb *strings.Builder, indent string) {
	keys := make([]string, 0, len(t.keys))
	for k := range t.keys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(sb, "%s%x=%x\n", indent, k, t.keys[k])
	}
	fmt.Fprintf(sb, "%sseq=%d\n", indent, t.seq)
	names := make([]string, 0, len(t.buckets))
	for n := range t.buckets {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(sb, "%s[%x]\n", indent, n)
		t.buckets[n].dump(sb, indent+"  ")
	}
}

// dumpBucket renders the store's buckets below b in tree.dump's form. child
// finds a nested bucket: by name below b, or by its whole path from the
// transaction's root as services do (tx.Bucket("s3", account, ...)), so that
// both ways of resolving are compared with the model.
func dumpBucket(b *Bucket, path []string, child func(b *Bucket, path []string) *Bucket, sb *strings.Builder, indent string) {
	b.ForEach(func(k, v []byte) error {
		fmt.Fprintf(sb, "%s%x=%x\n", indent, k, v)
		return nil
	})
	fmt.Fprintf(sb, "%sseq=%d\n", indent, b.Sequence())
	b.ForEachBucket(func(n []byte) error {
		fmt.Fprintf(sb, "%s[%x]\n", indent, n)
		p := append(slices.Clip(path), string(n))
		if c := child(b, p); c != nil {
			dumpBucket(c, p, child, sb, indent+"  ")
		} else {
			fmt.Fprintf(sb, "%s  MISSING\n", indent)
		}
		return nil
	})
}

func byName(b *Bucket, path []string) *Bucket { return b.Bucket(path[len(path)-1]) }

// TestOverlayAgainstModel drives random nested-bucket operations (create and
// delete buckets, put and delete keys, sequences) through Updates, with
// checkpoints at random moments (also in the middle of one, while reads and
// writes see the frozen overlay) and reopenings, and compares the whole tree
// with a model after every step, in Updates and Views.
func TestOverlayAgainstModel(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { overlayModel(t, seed) })
	}
}

func overlayModel(t *testing.T, seed uint64) {
	dir := t.TempDir()
	s, err := Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	r := rand.New(rand.NewPCG(seed, 7))
	model := newTree()
	names := []string{"a", "b", "a\x00", "c/d", "\xff"}
	want := func() string {
		var sb strings.Builder
		model.dump(&sb, "")
		return sb.String()
	}
	got := func(tx *Tx) string {
		var sb strings.Builder
		if root := tx.Bucket("root"); root != nil {
			dumpBucket(root, []string{"root"}, byName, &sb, "")
		}
		return sb.String()
	}
	// step applies one random operation to the store (in tx) and the model.
	step := func(tx *Tx) error {
		root, err := tx.CreateBucket("root")
		if err != nil {
			return err
		}
		if len(model.keys) == 0 && len(model.buckets) == 0 && model.seq == 0 {
			// The model's root exists from the first step on.
		}
		// Walk down a random path of existing buckets.
		b, m := root, model
		for r.IntN(3) > 0 && len(m.buckets) > 0 {
			var ns []string
			for n := range m.buckets {
				ns = append(ns, n)
			}
			slices.Sort(ns)
			n := ns[r.IntN(len(ns))]
			b, m = b.Bucket(n), m.buckets[n]
			if b == nil {
				return fmt.Errorf("bucket %q missing in the store", n)
			}
		}
		n := names[r.IntN(len(names))]
		switch op := r.IntN(10); {
		case op < 4:
			if _, isBucket := m.buckets[n]; isBucket {
				return nil
			}
			v := fmt.Sprint(r.IntN(1000))
			if err := b.Put([]byte(n), []byte(v)); err != nil {
				return err
			}
			m.keys[n] = v
		case op < 6:
			if _, isBucket := m.buckets[n]; isBucket {
				return nil
			}
			if err := b.Delete([]byte(n)); err != nil {
				return err
			}
			delete(m.keys, n)
		case op < 8:
			if _, isKey := m.keys[n]; isKey {
				return nil
			}
			if _, err := b.CreateBucket(n); err != nil {
				return err
			}
			if m.buckets[n] == nil {
				m.buckets[n] = newTree()
			}
		case op < 9:
			err := b.DeleteBucket(n)
			if _, ok := m.buckets[n]; !ok {
				if !errors.Is(err, ErrNotFound) {
					return fmt.Errorf("DeleteBucket of a missing bucket: %v", err)
				}
				return nil
			}
			if err != nil {
				return err
			}
			delete(m.buckets, n)
		default:
			got, err := b.NextSequence()
			if err != nil {
				return err
			}
			m.seq++
			if got != m.seq {
				return fmt.Errorf("NextSequence = %d, want %d", got, m.seq)
			}
		}
		return nil
	}
	// mismatch compares the store with the model in a View (by name and by whole
	// paths) and in an Update, and describes the first difference. It never
	// fails the test itself: t.Fatal inside a store callback would leave the
	// store's locks held and hang the test's cleanup.
	mismatch := func(when string) string {
		w := want()
		var diff string
		s.View(func(tx *Tx) error {
			if g := got(tx); g != w {
				diff = fmt.Sprintf("%s, in a View:\n got:\n%s\nwant:\n%s", when, g, w)
				return nil
			}
			var sb strings.Builder
			if root := tx.Bucket("root"); root != nil {
				byPath := func(_ *Bucket, path []string) *Bucket { return tx.Bucket(path...) }
				dumpBucket(root, []string{"root"}, byPath, &sb, "")
			}
			if g := sb.String(); g != w {
				diff = fmt.Sprintf("%s, in a View by whole paths:\n got:\n%s\nwant:\n%s", when, g, w)
			}
			return nil
		})
		if diff != "" {
			return diff
		}
		s.Update(func(tx *Tx) error {
			if g := got(tx); g != w {
				diff = fmt.Sprintf("%s, in an Update:\n got:\n%s\nwant:\n%s", when, g, w)
			}
			return nil
		})
		return diff
	}
	compare := func(when string) {
		t.Helper()
		if d := mismatch(when); d != "" {
			t.Fatal(d)
		}
	}
	for i := 0; i < 400; i++ {
		if err := s.Update(step); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		compare(fmt.Sprint("after step ", i))
		switch r.IntN(20) {
		case 0:
			if err := s.checkpoint(); err != nil {
				t.Fatal(err)
			}
			compare(fmt.Sprint("after a checkpoint at step ", i))
		case 1:
			// Steps while a checkpoint is between freeze and drop.
			var frozenDiff string // reported after the checkpoint (see mismatch)
			testHookFrozen = func() {
				if frozenDiff != "" {
					return
				}
				if frozenDiff = mismatch(fmt.Sprint("frozen at step ", i)); frozenDiff != "" {
					return
				}
				for j := 0; j < 5 && frozenDiff == ""; j++ {
					if err := s.Update(step); err != nil {
						frozenDiff = fmt.Sprintf("step %d.%d: %v", i, j, err)
						return
					}
					frozenDiff = mismatch(fmt.Sprint("frozen, step ", i, ".", j))
				}
			}
			err := s.checkpoint()
			testHookFrozen = nil
			if err != nil {
				t.Fatal(err)
			}
			if frozenDiff != "" {
				t.Fatal(frozenDiff)
			}
			compare(fmt.Sprint("after a checkpoint with writes at step ", i))
		case 2:
			// A crash: reopen without Close, so the log is replayed. (The lock is
			// released by closing bbolt alone.) Memory mode keeps no log: a crash
			// loses what came after the last checkpoint, which the model does not
			// follow.
			if testMemory {
				continue
			}
			s.stopForTest()
			if s, err = Open(testOptions(t, dir)); err != nil {
				t.Fatal(err)
			}
			compare(fmt.Sprint("after a replay at step ", i))
		case 3:
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s, err = Open(testOptions(t, dir)); err != nil {
				t.Fatal(err)
			}
			compare(fmt.Sprint("after a reopen at step ", i))
		}
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// TestLogTornTail: a record cut short at the end of the log is ignored, the
// ones before it replayed.
func TestLogTornTail(t *testing.T) {
	durableOnly(t)
	dir := t.TempDir()
	s, err := Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		err := s.Update(func(tx *Tx) error {
			b, err := tx.CreateBucket("t")
			if err != nil {
				return err
			}
			return b.Put([]byte(fmt.Sprint(i)), []byte("v"))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	gen, end := s.log.gen, s.log.off
	s.stopForTest()
	name := walFile(dir, gen)
	if fi, err := os.Stat(name); err != nil || fi.Size() <= end {
		t.Fatalf("log file: %v, want it grown past the records (%d bytes)", err, end)
	}
	if err := os.Truncate(name, end-3); err != nil {
		t.Fatal(err)
	}
	s, err = Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer checkAndClose(t, s)
	s.View(func(tx *Tx) error {
		var keys []string
		tx.Bucket("t").ForEach(func(k, _ []byte) error { keys = append(keys, string(k)); return nil })
		if got, want := strings.Join(keys, ","), "0,1,2,3,4,5,6,7,8"; got != want {
			t.Errorf("after a torn tail: keys %s, want %s", got, want)
		}
		return nil
	})
	if m, _ := filepath.Glob(filepath.Join(dir, "wal-*")); len(m) == 0 {
		t.Errorf("no log files in %s", dir)
	}
}

// TestLogTornFirstRecord: when the first record of the newest log generation is
// torn, nothing of that generation is replayed, and the records a later run
// writes are never mixed with what follows the torn one.
func TestLogTornFirstRecord(t *testing.T) {
	durableOnly(t)
	dir := t.TempDir()
	open := func() *Store {
		s, err := Open(testOptions(t, dir))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	put := func(s *Store, keys ...string) {
		for _, k := range keys {
			err := s.Update(func(tx *Tx) error {
				b, err := tx.CreateBucket("t")
				if err != nil {
					return err
				}
				return b.Put([]byte(k), []byte(k))
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	keys := func(s *Store) string {
		var got []string
		s.View(func(tx *Tx) error {
			if b := tx.Bucket("t"); b != nil {
				b.ForEach(func(k, _ []byte) error { got = append(got, string(k)); return nil })
			}
			return nil
		})
		return strings.Join(got, ",")
	}
	s := open()
	put(s, "a")
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	put(s, "b1", "b2", "b3")
	gen := s.log.gen
	s.stopForTest()
	f, err := os.OpenFile(walFile(dir, gen), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{0xde, 0xad}, walHeader+2) // inside the first record's payload
	f.Close()

	s = open()
	if got := keys(s); got != "a" {
		t.Errorf("after a torn first record: %s, want a", got)
	}
	put(s, "c")
	s.stopForTest()
	s = open()
	defer checkAndClose(t, s)
	if got := keys(s); got != "a,c" {
		t.Errorf("after a second crash: %s, want a,c", got)
	}
}

// TestLogWriteFailure: when the log cannot be written, the Update that needed it
// fails, later Updates and checkpoints refuse, Views go on, and what was
// acknowledged before is there after reopening.
func TestLogWriteFailure(t *testing.T) {
	durableOnly(t)
	dir := t.TempDir()
	s, err := Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	put := func(k string) error {
		return s.Update(func(tx *Tx) error {
			b, err := tx.CreateBucket("t")
			if err != nil {
				return err
			}
			return b.Put([]byte(k), []byte(k))
		})
	}
	if err := put("acked"); err != nil {
		t.Fatal(err)
	}
	s.wmu.Lock()
	s.log.f.Close() // the next write fails
	s.wmu.Unlock()
	if err := put("lost"); err == nil {
		t.Fatal("Update with a failing log write succeeded")
	}
	if err := put("after"); err == nil {
		t.Error("Update after a failed log write succeeded")
	}
	if err := s.checkpoint(); err == nil {
		t.Error("checkpoint after a failed log write succeeded")
	}
	s.View(func(tx *Tx) error {
		if v := tx.Bucket("t").Get([]byte("acked")); string(v) != "acked" {
			t.Errorf("View after the failure: acked = %q", v)
		}
		return nil
	})
	if err := s.Close(); err == nil {
		t.Error("Close of a broken store returned nil")
	}
	s, err = Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer checkAndClose(t, s)
	s.View(func(tx *Tx) error {
		if v := tx.Bucket("t").Get([]byte("acked")); string(v) != "acked" {
			t.Errorf("after reopening: acked = %q", v)
		}
		return nil
	})
}

// TestCallbackEndsGoroutine: a View or Update function that panics or ends its
// goroutine (runtime.Goexit, as t.FailNow does) leaves no lock or read
// transaction behind: writes, checkpoints and Close still work.
func TestCallbackEndsGoroutine(t *testing.T) {
	s := newStore(t)
	run := func(f func()) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer func() { recover() }()
			f()
		}()
		<-done
	}
	run(func() { s.View(func(tx *Tx) error { runtime.Goexit(); return nil }) })
	run(func() { s.View(func(tx *Tx) error { panic("boom") }) })
	run(func() {
		s.Update(func(tx *Tx) error {
			b, _ := tx.CreateBucket("t")
			b.Put([]byte("lost"), []byte("x"))
			runtime.Goexit()
			return nil
		})
	})
	if err := s.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket("t")
		if err != nil {
			return err
		}
		return b.Put([]byte("kept"), []byte("x"))
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		b := tx.Bucket("t")
		if b.Get([]byte("kept")) == nil || b.Get([]byte("lost")) != nil {
			t.Errorf("kept=%q lost=%q, want kept only", b.Get([]byte("kept")), b.Get([]byte("lost")))
		}
		return nil
	})
}
