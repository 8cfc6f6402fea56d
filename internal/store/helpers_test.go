package store

import (
	"testing"
)

// newStore opens a store in a fresh directory (no fsync: these tests are about
// logic; the crash test uses real syncs) and, at the end of the test, checks its
// invariants and closes it.
func newStore(t testing.TB, walkers ...RefWalker) *Store {
	t.Helper()
	s, err := Open(Options{Dir: t.TempDir(), NoSync: true, Logf: t.Logf})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { checkAndClose(t, s, walkers...) })
	return s
}

func checkAndClose(t testing.TB, s *Store, walkers ...RefWalker) {
	t.Helper()
	if err := s.Check(walkers...); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// stopForTest abandons the store as a crash would: no checkpoint, the log left
// as it is, bbolt closed (which releases the directory's lock).
func (s *Store) stopForTest() {
	s.closeMu.Lock()
	s.closed = true
	s.closeMu.Unlock()
	close(s.stop)
	<-s.ckptDone
	s.wmu.Lock()
	s.log.close()
	s.log = nil
	s.wmu.Unlock()
	s.retireViewBase()
	s.db.Close()
}
