package lambda

import "testing"

// Taking an idle environment leaves every other one listed once, in order.
func TestFindIdleKeepsTheOthers(t *testing.T) {
	f := &function{RevisionID: "r"}
	mk := func() *environment {
		return &environment{fn: *f, exited: make(chan struct{}), gone: make(chan struct{})}
	}
	a, b, c, d := mk(), mk(), mk(), mk()
	other := mk()
	other.fn.Version = "1" // another version's: kept, not taken
	p := &pool{idle: []*environment{a, other, b, c, d}, all: map[*environment]struct{}{}}
	got, stale := p.findIdle(f, "")
	if got != d || len(stale) != 0 {
		t.Fatalf("took %p (want the most recent, %p), stale %d", got, d, len(stale))
	}
	want := []*environment{a, other, b, c}
	if len(p.idle) != len(want) {
		t.Fatalf("%d idle left, want %d", len(p.idle), len(want))
	}
	for i := range want {
		if p.idle[i] != want[i] {
			t.Fatalf("idle[%d] is not what it was: environments lost or listed twice", i)
		}
	}
}
