package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The collector's target. A request allocates much that dies with it and the
// live heap is often small, so Go's default (collect when the heap doubles)
// collects thousands of times a second under load: a 4× target (400%) cut CPU
// per small PUT by about a third. But a proportional target also makes the
// heap's headroom grow with what it holds: with 100 MiB of small objects and
// items alive (--ephemeral keeps them in the heap, the durable store until a
// checkpoint), 400% lets the heap grow by 400 MiB of garbage before a
// collection, and every allocation meanwhile lands on memory the process has
// never touched. Each new page costs a page fault, ~16 µs of CPU on the VMs we
// measure on (bench/RESULTS.md): 2.9 faults per 4 KiB S3 PUT and 1.4 per GET
// at 400%. So the target keeps the headroom near gcHeadroom: 400% while the
// live heap is under 8 MiB, less above it, never under 25%.
const (
	gcHeadroom   = 32 << 20
	gcPercentMax = 400
	gcPercentMin = 25
)

// tuneGC sets the collector's target and retunes it after every collection.
func tuneGC() {
	debug.SetGCPercent(gcPercentMax)
	t := &gcTuner{pct: gcPercentMax, live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.arm()
}

type gcTuner struct {
	pct  int
	live []metrics.Sample
}

// gcSentinel is garbage from birth: its finalizer runs after the next
// collection, retunes, and arms a new one.
type gcSentinel struct{ t *gcTuner }

func (t *gcTuner) arm() {
	runtime.SetFinalizer(&gcSentinel{t: t}, func(s *gcSentinel) {
		s.t.retune()
		s.t.arm()
	})
}

func (t *gcTuner) retune() {
	metrics.Read(t.live)
	pct := gcPercentMax
	if live := t.live[0].Value.Uint64(); live > 0 {
		pct = int(min(100*gcHeadroom/live, gcPercentMax))
	}
	pct = max(pct, gcPercentMin)
	if pct*10 < t.pct*9 || pct*10 > t.pct*11 { // changes under 10% are not worth the call
		t.pct = pct
		debug.SetGCPercent(pct)
	}
}
