package store

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// testMemory is set while the package's tests run the second time (TestMain):
// the stores they open with testOptions are then in memory mode
// (Options.Memory), so that both durability levels pass the same tests.
var testMemory bool

func TestMain(m *testing.M) {
	code := m.Run()
	if os.Getenv(crashChildEnv) != "" || code != 0 || flag.Lookup("test.bench").Value.String() != "" {
		os.Exit(code) // benchmarks choose their mode themselves
	}
	fmt.Println("store: the same tests in memory mode (Options.Memory)")
	testMemory = true
	os.Exit(m.Run())
}

// testOptions are the options tests open dir with: no fsync (these tests are
// about logic; the crash test uses real syncs), and memory mode in the second
// run.
func testOptions(t testing.TB, dir string) Options {
	return Options{Dir: dir, NoSync: true, Memory: testMemory, Logf: t.Logf}
}

// durableOnly skips a test about the log in the memory-mode run, which writes
// none.
func durableOnly(t testing.TB) {
	if testMemory {
		t.Skip("about the write-ahead log, which memory mode does not write")
	}
}

// newStore opens a store in a fresh directory (no fsync: these tests are about
// logic; the crash test uses real syncs) and, at the end of the test, checks its
// invariants and closes it.
func newStore(t testing.TB, walkers ...RefWalker) *Store {
	t.Helper()
	s, err := Open(testOptions(t, t.TempDir()))
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
