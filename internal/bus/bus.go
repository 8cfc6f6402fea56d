package bus

import (
	"reflect"
	"sync"
)

// Bus is a set of subscriptions keyed by event type. The zero value is not usable;
// call New. A Bus is safe for concurrent use.
type Bus struct {
	mu   sync.RWMutex // guards subs and next
	subs map[reflect.Type][]sub
	next int
}

type sub struct {
	id int
	fn func(any)
}

// New returns an empty Bus.
func New() *Bus { return &Bus{subs: map[reflect.Type][]sub{}} }

// Subscribe calls fn with every event of type T published on b from now on, until
// the returned cancel function is called.
func Subscribe[T any](b *Bus, fn func(T)) (cancel func()) {
	t := reflect.TypeFor[T]()
	b.mu.Lock()
	b.next++
	id := b.next
	b.subs[t] = append(b.subs[t], sub{id: id, fn: func(v any) { fn(v.(T)) }})
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			list := b.subs[t]
			for i, s := range list {
				if s.id == id {
					// Copy rather than shift in place: a Publish running now may be
					// walking the old slice.
					n := make([]sub, 0, len(list)-1)
					n = append(n, list[:i]...)
					b.subs[t] = append(n, list[i+1:]...)
					break
				}
			}
		})
	}
}

// Publish hands ev to every subscriber of type T, in subscription order, and
// returns when all have returned. A nil b drops the event.
func Publish[T any](b *Bus, ev T) {
	if b == nil {
		return
	}
	b.mu.RLock()
	list := b.subs[reflect.TypeFor[T]()]
	b.mu.RUnlock()
	for _, s := range list {
		s.fn(ev)
	}
}

// Subscribed tells whether anyone listens for events of type T, so a publisher can
// skip building an event nobody will read.
func Subscribed[T any](b *Bus) bool {
	if b == nil {
		return false
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs[reflect.TypeFor[T]()]) > 0
}
