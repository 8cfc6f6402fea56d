package dynamodb

import (
	"testing"

	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

// The TTL sweeper costs nothing until a request finds a table: no goroutine,
// no ticker, no reads of the store at start or while idle.
func TestBackgroundStartsWithFirstTable(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir(), Memory: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	impl, err := New(&host.Env{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	s := impl.(*Service)
	defer s.Close()
	sc := scope{acct: "000000000000", region: "us-east-1"}
	if s.bgStarted.Load() {
		t.Fatal("the TTL sweeper started with the service")
	}
	if _, err := s.getTable(sc, "missing"); err == nil {
		t.Fatal("getTable of a missing table succeeded")
	}
	if s.bgStarted.Load() {
		t.Fatal("the TTL sweeper started for a table that does not exist")
	}
	err = st.Update(func(tx *store.Tx) error {
		return saveTable(tx, &tableMeta{Name: "t", Account: sc.acct, Region: sc.region})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.getTable(sc, "t"); err != nil {
		t.Fatal(err)
	}
	if !s.bgStarted.Load() {
		t.Error("the TTL sweeper did not start when a table was used")
	}
}
