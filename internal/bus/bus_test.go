package bus

import (
	"sync"
	"testing"
)

type ping struct{ N int }
type pong struct{ S string }

func TestPublishSubscribe(t *testing.T) {
	b := New()
	var got []int
	cancel := Subscribe(b, func(p ping) { got = append(got, p.N) })
	var pongs int
	Subscribe(b, func(pong) { pongs++ })

	Publish(b, ping{1})
	Publish(b, ping{2})
	Publish(b, pong{"x"})
	cancel()
	cancel() // twice is harmless
	Publish(b, ping{3})

	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("ping subscriber got %v, want [1 2]", got)
	}
	if pongs != 1 {
		t.Errorf("pong subscriber got %d events, want 1", pongs)
	}
	if Subscribed[ping](b) {
		t.Errorf("Subscribed[ping] = true after cancel, want false")
	}
	if !Subscribed[pong](b) {
		t.Errorf("Subscribed[pong] = false, want true")
	}
}

func TestNilBus(t *testing.T) {
	Publish[ping](nil, ping{1}) // must not panic
	if Subscribed[ping](nil) {
		t.Error("Subscribed on nil bus = true, want false")
	}
}

func TestConcurrent(t *testing.T) {
	b := New()
	var mu sync.Mutex
	n := 0
	Subscribe(b, func(ping) { mu.Lock(); n++; mu.Unlock() })
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			for j := 0; j < 100; j++ {
				Publish(b, ping{j})
				c := Subscribe(b, func(pong) {})
				c()
			}
		})
	}
	wg.Wait()
	if n != 800 {
		t.Errorf("delivered %d, want 800", n)
	}
}
