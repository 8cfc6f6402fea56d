package store

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestLogSyncKeepsPUntilSlow checks when the log's sync may keep its P: with
// two Ps or more, and while syncs take less than keepPSlow on average.
func TestLogSyncKeepsPUntilSlow(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var w walWriter
	if !w.mayKeepP() {
		t.Fatal("a first sync with two Ps does not keep its P")
	}
	for range 20 {
		w.synced(300 * time.Microsecond)
	}
	w.synced(4 * keepPSlow) // one slow sync among fast ones
	if !w.mayKeepP() {
		t.Fatalf("one slow sync stopped the next from keeping its P (average %v)", w.syncAvg)
	}
	slow := 0
	for w.mayKeepP() {
		w.synced(20 * time.Millisecond)
		if slow++; slow > 8 {
			t.Fatalf("syncs of 20 ms still keep their P (average %v)", w.syncAvg)
		}
	}
	fast := 0
	for !w.mayKeepP() {
		w.synced(300 * time.Microsecond)
		if fast++; fast > 30 {
			t.Fatalf("fast syncs never keep their P again (average %v)", w.syncAvg)
		}
	}
	runtime.GOMAXPROCS(1)
	if w.mayKeepP() {
		t.Fatal("with one P, a sync keeps it")
	}
}

// TestLogSyncErrors checks that the log's sync reports a failure, either way.
func TestLogSyncErrors(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("record")); err != nil {
		t.Fatal(err)
	}
	w := walWriter{f: f}
	if err := w.sync(); err != nil {
		t.Fatalf("sync: %v", err)
	}
	f.Close()
	if err := w.sync(); err == nil {
		t.Fatal("a sync of a closed file kept its P and said nothing")
	}
	w.syncAvg = time.Hour
	if err := w.sync(); err == nil {
		t.Fatal("a sync of a closed file said nothing")
	}
}
