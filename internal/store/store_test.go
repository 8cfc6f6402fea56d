package store

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
)

func TestPutGet(t *testing.T) {
	s := newStore(t)
	err := s.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket("sqs", "000000000000", "us-east-1", "queues")
		if err != nil {
			return err
		}
		if err := b.Put([]byte("a"), []byte("1")); err != nil {
			return err
		}
		return b.Put([]byte("empty"), nil)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	err = s.View(func(tx *Tx) error {
		b := tx.Bucket("sqs", "000000000000", "us-east-1", "queues")
		if b == nil {
			t.Fatalf("Bucket = nil, want the bucket")
		}
		if got, want := string(b.Get([]byte("a"))), "1"; got != want {
			t.Errorf("Get(a) = %q, want %q", got, want)
		}
		if got := b.Get([]byte("empty")); got == nil || len(got) != 0 {
			t.Errorf("Get(empty) = %#v, want empty non-nil", got)
		}
		if got := b.Get([]byte("missing")); got != nil {
			t.Errorf("Get(missing) = %q, want nil", got)
		}
		if got := tx.Bucket("sqs", "000000000000", "eu-west-1"); got != nil {
			t.Errorf("Bucket(other region) = %v, want nil", got)
		}
		if err := b.Put([]byte("x"), []byte("y")); !errors.Is(err, ErrReadOnly) {
			t.Errorf("Put in View = %v, want ErrReadOnly", err)
		}
		if _, err := tx.CreateBucket("new"); !errors.Is(err, ErrReadOnly) {
			t.Errorf("CreateBucket in View = %v, want ErrReadOnly", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
}

func TestReservedAndInvalidNames(t *testing.T) {
	s := newStore(t)
	s.Update(func(tx *Tx) error {
		for _, path := range [][]string{{}, {""}, {"\x00fogbank"}, {"s3", ""}} {
			if _, err := tx.CreateBucket(path...); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateBucket(%q) = %v, want ErrInvalid", path, err)
			}
		}
		if got := tx.Bucket("\x00fogbank"); got != nil {
			t.Errorf("Bucket(reserved) = %v, want nil", got)
		}
		b, _ := tx.CreateBucket("s3")
		if err := b.Put(nil, []byte("v")); !errors.Is(err, ErrInvalid) {
			t.Errorf("Put(empty key) = %v, want ErrInvalid", err)
		}
		b.CreateBucket("sub")
		if err := b.Put([]byte("sub"), []byte("v")); !errors.Is(err, ErrInvalid) {
			t.Errorf("Put over a bucket = %v, want ErrInvalid", err)
		}
		if err := tx.DeleteBucket("nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("DeleteBucket(missing) = %v, want ErrNotFound", err)
		}
		if err := tx.DeleteBucket("s3", "nope", "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("DeleteBucket(missing parent) = %v, want ErrNotFound", err)
		}
		if err := tx.DeleteBucket("s3", "sub"); err != nil {
			t.Errorf("DeleteBucket(s3/sub) = %v, want nil", err)
		}
		return nil
	})
}

func TestJSONAndSequence(t *testing.T) {
	s := newStore(t)
	type queue struct {
		Name  string
		Delay int
	}
	var ids []uint64
	for i := 0; i < 3; i++ {
		err := s.Update(func(tx *Tx) error {
			b, err := tx.CreateBucket("sqs")
			if err != nil {
				return err
			}
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			ids = append(ids, id)
			return b.PutJSON(Uint64Key(id), queue{Name: fmt.Sprint("q", id), Delay: int(id)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := fmt.Sprint(ids), "[1 2 3]"; got != want {
		t.Errorf("sequence ids = %s, want %s", got, want)
	}
	s.View(func(tx *Tx) error {
		b := tx.Bucket("sqs")
		var q queue
		if err := b.GetJSON(Uint64Key(2), &q); err != nil {
			t.Fatalf("GetJSON: %v", err)
		}
		if got, want := q, (queue{Name: "q2", Delay: 2}); got != want {
			t.Errorf("GetJSON = %+v, want %+v", got, want)
		}
		if err := b.GetJSON(Uint64Key(9), &q); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetJSON(missing) = %v, want ErrNotFound", err)
		}
		if got, want := b.Sequence(), uint64(3); got != want {
			t.Errorf("Sequence = %d, want %d", got, want)
		}
		if got, want := ParseUint64Key(Uint64Key(1<<40+5)), uint64(1<<40+5); got != want {
			t.Errorf("ParseUint64Key = %d, want %d", got, want)
		}
		return nil
	})
}

func TestCursorSkipsBucketsAndRanges(t *testing.T) {
	s := newStore(t)
	keys := []string{"a", "a/1", "a/2", "b", "c/x", "d"}
	err := s.Update(func(tx *Tx) error {
		b, _ := tx.CreateBucket("t")
		for _, k := range keys {
			if err := b.Put([]byte(k), []byte("v"+k)); err != nil {
				return err
			}
		}
		_, err := b.CreateBucket("bb") // between "b" and "c/x": must be skipped
		if err != nil {
			return err
		}
		_, err = b.CreateBucket("0first")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	walk := func(tx *Tx) (fwd, back, prefix []string) {
		b := tx.Bucket("t")
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			fwd = append(fwd, string(k))
		}
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			back = append(back, string(k))
		}
		b.ForEachPrefix([]byte("a/"), func(k, v []byte) error {
			prefix = append(prefix, string(k)+"="+string(v))
			return nil
		})
		return
	}
	check := func(tx *Tx) error {
		fwd, back, prefix := walk(tx)
		if got, want := fmt.Sprint(fwd), fmt.Sprint(keys); got != want {
			t.Errorf("forward = %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(back), "[d c/x b a/2 a/1 a]"; got != want {
			t.Errorf("backward = %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(prefix), "[a/1=va/1 a/2=va/2]"; got != want {
			t.Errorf("prefix a/ = %s, want %s", got, want)
		}
		c := tx.Bucket("t").Cursor()
		if k, _ := c.Seek([]byte("bb")); string(k) != "c/x" {
			t.Errorf("Seek(bb) = %q, want c/x", k)
		}
		if k, _ := c.SeekLast([]byte("c")); string(k) != "b" {
			t.Errorf("SeekLast(c) = %q, want b", k)
		}
		if k, _ := c.SeekLast([]byte("zzz")); string(k) != "d" {
			t.Errorf("SeekLast(zzz) = %q, want d", k)
		}
		if k, _ := c.SeekLast([]byte("a")); k != nil {
			t.Errorf("SeekLast(a) = %q, want nil", k)
		}
		var names []string
		tx.Bucket("t").ForEachBucket(func(n []byte) error { names = append(names, string(n)); return nil })
		if got, want := fmt.Sprint(names), "[0first bb]"; got != want {
			t.Errorf("ForEachBucket = %s, want %s", got, want)
		}
		return nil
	}
	s.View(check)
	// Inside a write transaction, uncommitted values come back nil from bbolt's
	// cursor in some states; the cursor must still tell them from buckets.
	s.Update(func(tx *Tx) error {
		b := tx.Bucket("t")
		b.Put([]byte("a/3"), nil)
		var got []string
		b.ForEachPrefix([]byte("a/"), func(k, v []byte) error { got = append(got, string(k)); return nil })
		if want := "[a/1 a/2 a/3]"; fmt.Sprint(got) != want {
			t.Errorf("prefix in write tx = %v, want %s", got, want)
		}
		return nil
	})
}

func TestCursorDeleteWhileWalking(t *testing.T) {
	s := newStore(t)
	s.Update(func(tx *Tx) error {
		b, _ := tx.CreateBucket("t")
		for i := 0; i < 10; i++ {
			b.Put(Uint64Key(uint64(i)), []byte("v"))
		}
		return nil
	})
	s.Update(func(tx *Tx) error {
		c := tx.Bucket("t").Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if ParseUint64Key(k)%2 == 0 {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	var got []uint64
	s.View(func(tx *Tx) error {
		return tx.Bucket("t").ForEach(func(k, v []byte) error { got = append(got, ParseUint64Key(k)); return nil })
	})
	if want := "[1 3 5 7 9]"; fmt.Sprint(got) != want {
		t.Errorf("after deleting evens = %v, want %s", got, want)
	}
	// Deleting every key in one walk must visit every key (no skipping after
	// consecutive deletes).
	visited := 0
	s.Update(func(tx *Tx) error {
		c := tx.Bucket("t").Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			visited++
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	left := 0
	s.View(func(tx *Tx) error {
		return tx.Bucket("t").ForEach(func(k, v []byte) error { left++; return nil })
	})
	if visited != 5 || left != 0 {
		t.Errorf("delete-all walk visited %d keys and left %d, want 5 and 0", visited, left)
	}
}

func TestUpdateErrorDiscardsWrites(t *testing.T) {
	s := newStore(t)
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		b, _ := tx.CreateBucket("t")
		b.Put([]byte("k"), []byte("v"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	s.View(func(tx *Tx) error {
		if b := tx.Bucket("t"); b != nil {
			t.Errorf("bucket t exists after a failed Update")
		}
		return nil
	})
}

// TestBatchIsolation runs many concurrent Updates, some failing before writing,
// some after, some panicking, and checks that exactly the successful ones landed.
func TestBatchIsolation(t *testing.T) {
	s := newStore(t)
	s.Update(func(tx *Tx) error { _, err := tx.CreateBucket("t"); return err })
	const n = 400
	errEarly, errLate := errors.New("early"), errors.New("late")
	var wg sync.WaitGroup
	results := make([]error, n)
	panics := make([]any, n)
	for i := 0; i < n; i++ {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			results[i] = s.Update(func(tx *Tx) error {
				b := tx.Bucket("t")
				switch i % 4 {
				case 1:
					return errEarly
				case 2:
					b.Put([]byte(fmt.Sprint(i)), []byte("x"))
					return errLate
				case 3:
					if i%8 == 3 {
						b.Put([]byte(fmt.Sprint(i)), []byte("x"))
						panic(fmt.Sprint("panic ", i))
					}
				}
				n, err := b.NextSequence()
				if err != nil {
					return err
				}
				return b.Put([]byte(fmt.Sprint(i)), Uint64Key(n))
			})
		})
	}
	wg.Wait()
	seen := map[uint64]bool{}
	s.View(func(tx *Tx) error {
		b := tx.Bucket("t")
		for i := 0; i < n; i++ {
			v := b.Get([]byte(fmt.Sprint(i)))
			wantOK := i%4 == 0 || (i%4 == 3 && i%8 != 3)
			switch {
			case i%4 == 1 && results[i] != errEarly, i%4 == 2 && results[i] != errLate:
				t.Errorf("Update %d = %v, want its own error", i, results[i])
			case i%8 == 3 && panics[i] != fmt.Sprint("panic ", i):
				t.Errorf("Update %d panic = %v, want re-raised panic", i, panics[i])
			case wantOK && results[i] != nil:
				t.Errorf("Update %d = %v, want nil", i, results[i])
			}
			if got := v != nil; got != wantOK {
				t.Errorf("key %d present = %v, want %v", i, got, wantOK)
			}
			if v != nil {
				if seen[ParseUint64Key(v)] {
					t.Errorf("sequence %d handed out twice", ParseUint64Key(v))
				}
				seen[ParseUint64Key(v)] = true
			}
		}
		return nil
	})
}

func TestClosedAndLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(testOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(testOptions(t, dir)); !errors.Is(err, ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
	checkAndClose(t, s)
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if err := s.Update(func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close = %v, want ErrClosed", err)
	}
	if err := s.View(func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("View after Close = %v, want ErrClosed", err)
	}
	if _, err := s.NewBlob(0); !errors.Is(err, ErrClosed) {
		t.Errorf("NewBlob after Close = %v, want ErrClosed", err)
	}
	s2, err := Open(testOptions(t, dir))
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	checkAndClose(t, s2)
	if _, err := Open(Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Open without Dir = %v, want ErrInvalid", err)
	}
}

func TestPersistsAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Memory: testMemory, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	s.Update(func(tx *Tx) error {
		b, _ := tx.CreateBucket("dynamodb", "1", "r", "t")
		return b.Put([]byte("k"), []byte("v"))
	})
	checkAndClose(t, s)
	s, err = Open(Options{Dir: dir, Memory: testMemory, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer checkAndClose(t, s)
	s.View(func(tx *Tx) error {
		if got := string(tx.Bucket("dynamodb", "1", "r", "t").Get([]byte("k"))); got != "v" {
			t.Errorf("after reopen Get = %q, want v", got)
		}
		return nil
	})
}

// TestMemoryModeWritesNoLog: in memory mode an Update is visible as soon as it
// returns, no log file is made, small blobs make no file either, and a big one
// goes to a file; Close still moves everything into bbolt.
func TestMemoryModeWritesNoLog(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Memory: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string, body []byte) {
		t.Helper()
		w, err := s.NewBlob(MD5)
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
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		put(fmt.Sprint("small", i), randomBytes(uint64(i), 4<<10))
	}
	put("big", randomBytes(1, InlineMax+1))
	if m, _ := filepath.Glob(filepath.Join(dir, "wal-*")); len(m) != 0 {
		t.Errorf("memory mode wrote log files %v", m)
	}
	var files []string
	filepath.WalkDir(filepath.Join(dir, blobsDir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if len(files) != 1 {
		t.Errorf("blob files %v, want one (the big blob's)", files)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Options{Dir: dir, Memory: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer checkAndClose(t, s)
	s.View(func(tx *Tx) error {
		b := tx.Bucket("objects")
		for _, k := range []string{"small0", "small99", "big"} {
			id := string(b.Get([]byte(k)))
			blob, err := tx.OpenBlob(id)
			if err != nil {
				t.Errorf("%s after Close and Open: %v", k, err)
				continue
			}
			blob.Close()
		}
		return nil
	})
}
