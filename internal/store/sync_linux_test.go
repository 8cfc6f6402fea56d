package store

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The log's AIO sync (sync_linux.go) is what a durable store on Linux uses,
// it syncs a file, and an error from the kernel reaches the caller.
func TestLogSyncerAIO(t *testing.T) {
	l := newLogSyncer()
	if l == nil {
		t.Skip("no Linux AIO here (io_setup failed); the log uses fdatasync")
	}
	defer l.close()
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := 0; i < 3; i++ { // one context, used again and again
		if _, err := f.WriteAt([]byte("record"), int64(i*6)); err != nil {
			t.Fatal(err)
		}
		if err := l.fdatasync(f); err != nil {
			t.Fatalf("sync %d: %v", i, err)
		}
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if err := l.fdatasync(null); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("sync of %s: %v, want EINVAL as fdatasync(2) says", os.DevNull, err)
	}

	durableOnly(t)
	s, err := Open(Options{Dir: t.TempDir(), Logf: t.Logf}) // real syncs
	if err != nil {
		t.Fatal(err)
	}
	defer checkAndClose(t, s)
	if s.log.syncer == nil {
		t.Fatal("a durable store on Linux syncs its log with fdatasync, not AIO")
	}
	if err := s.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket("t")
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}); err != nil {
		t.Fatal(err)
	}
}
