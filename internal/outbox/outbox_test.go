package outbox

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/store"
)

func open(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dir, NoSync: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func appendN(t *testing.T, st *store.Store, o *Outbox, topic Topic, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		err := st.Update(func(tx *store.Tx) error {
			_, err := Append(tx, topic, time.Unix(int64(i), 0), []byte(fmt.Sprint(i)))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		o.Wake(topic)
	}
}

// collector is a Subscribe handler that records payloads and can be told to fail.
type collector struct {
	mu   sync.Mutex // guards got and fail
	got  []string
	fail int // fail this many calls before accepting
	more chan struct{}
}

func newCollector() *collector { return &collector{more: make(chan struct{}, 1000)} }

func (c *collector) handle(evs []Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail > 0 {
		c.fail--
		return errors.New("not now")
	}
	for _, ev := range evs {
		c.got = append(c.got, string(ev.Payload))
	}
	c.more <- struct{}{}
	return nil
}

// waitFor waits until n payloads arrived (no deadline of its own: go test's
// timeout ends a test that never gets them).
func (c *collector) waitFor(n int) []string {
	for {
		c.mu.Lock()
		if len(c.got) >= n {
			got := append([]string(nil), c.got...)
			c.mu.Unlock()
			return got
		}
		c.mu.Unlock()
		<-c.more
	}
}

func TestQueueDeliversAcksAndDeletes(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	o := New(st, nil)
	q := Topic{Path: []string{"svc", "events"}}
	appendN(t, st, o, q, 0, 3) // before any consumer: never delivered
	c := newCollector()
	c.fail = 2 // the first batches are refused and must come again
	sub, err := o.Subscribe(q, "c1", c.handle)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, st, o, q, 3, 250)
	got := c.waitFor(250)
	for i, p := range got {
		if want := fmt.Sprint(3 + i); p != want {
			t.Fatalf("event %d = %s, want %s (in order, each once)", i, p, want)
		}
	}
	sub.Stop()
	st.View(func(tx *store.Tx) error {
		if n, ok := Acked(tx, q, "c1"); !ok || n != 253 {
			t.Errorf("Acked = %d %v, want 253", n, ok)
		}
		if f, l := First(tx, q), Last(tx, q); f != 254 || l != 253 {
			t.Errorf("First, Last = %d, %d; want 254, 253 (all acknowledged events deleted)", f, l)
		}
		return nil
	})
	o.Close()
	if err := st.Check(); err != nil {
		t.Error(err)
	}
	st.Close()
}

func TestRedeliveryAfterRestart(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	o := New(st, nil)
	q := Topic{Path: []string{"svc", "events"}}
	st.Update(func(tx *store.Tx) error { return Register(tx, q, "slow") })
	st.Update(func(tx *store.Tx) error { return Register(tx, q, "fast") })
	appendN(t, st, o, q, 0, 10)
	// "fast" takes everything; "slow" is not running: nothing may be deleted.
	fast := newCollector()
	sub, _ := o.Subscribe(q, "fast", fast.handle)
	fast.waitFor(10)
	sub.Stop()
	o.Close()
	st.Close()

	st = open(t, dir)
	defer st.Close()
	o = New(st, nil)
	defer o.Close()
	slow := newCollector()
	if _, err := o.Subscribe(q, "slow", slow.handle); err != nil {
		t.Fatal(err)
	}
	if got := slow.waitFor(10); len(got) != 10 || got[0] != "0" || got[9] != "9" {
		t.Errorf("after restart slow got %v, want 0..9", got)
	}
	again := newCollector()
	sub, _ = o.Subscribe(q, "fast", again.handle)
	appendN(t, st, o, q, 10, 1)
	if got := again.waitFor(1); len(got) != 1 || got[0] != "10" {
		t.Errorf("fast after restart got %v, want only the new event 10", got)
	}
	sub.Stop()
}

func TestStreamTrimByAge(t *testing.T) {
	st := open(t, t.TempDir())
	defer st.Close()
	s := Topic{Path: []string{"svc", "stream"}, Retention: time.Hour}
	st.Update(func(tx *store.Tx) error {
		for i, at := range []time.Time{time.Unix(0, 0), time.Unix(1000, 0), time.Unix(5000, 0)} {
			if n, err := Append(tx, s, at, []byte{byte(i)}); err != nil || n != uint64(i+1) {
				t.Fatalf("Append = %d, %v", n, err)
			}
		}
		return nil
	})
	st.Update(func(tx *store.Tx) error {
		n, err := Trim(tx, s, time.Unix(5000, 0), 10)
		if n != 2 || err != nil {
			t.Errorf("Trim = %d, %v; want 2", n, err)
		}
		return nil
	})
	st.View(func(tx *store.Tx) error {
		if f, l := First(tx, s), Last(tx, s); f != 3 || l != 3 {
			t.Errorf("First, Last = %d, %d; want 3, 3", f, l)
		}
		var seen []uint64
		Read(tx, s, 1, func(ev Event) error { seen = append(seen, ev.Seq); return nil })
		if len(seen) != 1 || seen[0] != 3 {
			t.Errorf("Read = %v, want [3]", seen)
		}
		return nil
	})
}

// Wake on a path prefix wakes the deliverers of every topic under it (the
// dynamodb service wakes all its streams at once); without a wake-up an idle
// deliverer waits for its poll, which this test makes longer than any run.
func TestWakeByPrefix(t *testing.T) {
	defer func(p time.Duration) { poll = p }(poll)
	poll = time.Hour
	st := open(t, t.TempDir())
	defer st.Close()
	o := New(st, nil)
	defer o.Close()
	s := Topic{Path: []string{"svc", "acct", "streams", "arn:1"}, Retention: time.Hour}
	c := newCollector()
	if _, err := o.Subscribe(s, "esm", c.handle); err != nil {
		t.Fatal(err)
	}
	st.Update(func(tx *store.Tx) error { _, err := Append(tx, s, time.Now(), []byte("x")); return err })
	o.Wake(Topic{Path: []string{"svc", "other"}}) // another branch
	o.Wake(Topic{Path: []string{"sv"}})           // a prefix of a name, not of the path
	o.Wake(Topic{Path: []string{"svc"}})
	if got := c.waitFor(1); got[0] != "x" {
		t.Errorf("got %v", got)
	}
}
