package outbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/bus"
	"github.com/fogbank/fogbank/internal/store"
)

// Topic names one log: the bucket path that holds it, and how long it keeps events.
type Topic struct {
	Path []string
	// Retention is 0 for a queue (events go once every consumer acknowledged
	// them) or how long a stream keeps them (Trim removes older ones).
	Retention time.Duration
}

func (t Topic) key() string { return strings.Join(t.Path, "\x00") }

// Bucket names inside a topic's path.
const (
	eventsBucket    = "events"
	consumersBucket = "consumers"
)

// Event is one entry of a topic. Payload is the producer's bytes; in Read's
// callback it is valid only during the call, in a Subscribe handler it is the
// handler's.
type Event struct {
	Seq     uint64
	Time    time.Time
	Payload []byte
}

// MaxBatch is the most events a Subscribe handler is given at once.
const MaxBatch = 100

// poll is how often an idle deliverer looks for events it was not woken for
// (a variable for tests).
var poll = 2 * time.Second

func events(tx *store.Tx, t Topic) *store.Bucket {
	return tx.Bucket(append(t.Path[:len(t.Path):len(t.Path)], eventsBucket)...)
}

func consumers(tx *store.Tx, t Topic) *store.Bucket {
	return tx.Bucket(append(t.Path[:len(t.Path):len(t.Path)], consumersBucket)...)
}

// Append adds an event to t in tx, which must be writable, and returns its
// sequence number. It is durable, and deliverable, when tx commits; call Wake
// after the Update returns.
func Append(tx *store.Tx, t Topic, at time.Time, payload []byte) (uint64, error) {
	b := events(tx, t)
	if b == nil {
		var err error
		if b, err = tx.CreateBucket(append(t.Path[:len(t.Path):len(t.Path)], eventsBucket)...); err != nil {
			return 0, err
		}
	}
	seq, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	v := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint64(v, uint64(at.UnixNano()))
	copy(v[8:], payload)
	return seq, b.Put(store.Uint64Key(seq), v)
}

func decode(k, v []byte) (Event, error) {
	if len(k) != 8 || len(v) < 8 {
		return Event{}, fmt.Errorf("outbox: malformed event %x", k)
	}
	return Event{Seq: store.ParseUint64Key(k), Time: time.Unix(0, int64(binary.BigEndian.Uint64(v))), Payload: v[8:]}, nil
}

// Last is the sequence number of the last event ever appended to t (0 if none),
// trimmed or not.
func Last(tx *store.Tx, t Topic) uint64 {
	if b := events(tx, t); b != nil {
		return b.Sequence()
	}
	return 0
}

// First is the sequence number of the oldest event t still holds, or Last+1
// when it holds none.
func First(tx *store.Tx, t Topic) uint64 {
	b := events(tx, t)
	if b == nil {
		return 1
	}
	if k, _ := b.Cursor().First(); k != nil {
		return store.ParseUint64Key(k)
	}
	return b.Sequence() + 1
}

// Read calls fn for each event of t from sequence number from on, in order,
// until fn returns ErrStop (Read then returns nil) or another error.
func Read(tx *store.Tx, t Topic, from uint64, fn func(Event) error) error {
	b := events(tx, t)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.Seek(store.Uint64Key(from)); k != nil; k, v = c.Next() {
		ev, err := decode(k, v)
		if err != nil {
			return err
		}
		if err := fn(ev); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// ErrStop ends a Read early without an error.
var ErrStop = errors.New("outbox: stop")

// Trim deletes, in tx, up to max events of a stream older than its Retention
// before now, oldest first, and tells how many it deleted.
func Trim(tx *store.Tx, t Topic, now time.Time, max int) (int, error) {
	b := events(tx, t)
	if b == nil || t.Retention <= 0 {
		return 0, nil
	}
	cutoff := now.Add(-t.Retention)
	n := 0
	c := b.Cursor()
	for k, v := c.First(); k != nil && n < max; k, v = c.First() {
		ev, err := decode(k, v)
		if err == nil && !ev.Time.Before(cutoff) {
			break
		}
		if err := b.Delete(k); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// HasConsumers tells whether t has a registered consumer: a queue's producer
// appends only then.
func HasConsumers(tx *store.Tx, t Topic) bool {
	b := consumers(tx, t)
	if b == nil {
		return false
	}
	k, _ := b.Cursor().First()
	return k != nil
}

// Register makes name a durable consumer of t, positioned at the current end
// of the log: it will be given every event appended after this transaction. A
// consumer already registered keeps its position.
func Register(tx *store.Tx, t Topic, name string) error {
	b := consumers(tx, t)
	if b == nil {
		var err error
		if b, err = tx.CreateBucket(append(t.Path[:len(t.Path):len(t.Path)], consumersBucket)...); err != nil {
			return err
		}
	}
	if b.Get([]byte(name)) != nil {
		return nil
	}
	return b.Put([]byte(name), store.Uint64Key(Last(tx, t)))
}

// Unregister removes the consumer name; a queue's events it alone held back are
// deleted by the next acknowledgement of another consumer.
func Unregister(tx *store.Tx, t Topic, name string) error {
	b := consumers(tx, t)
	if b == nil {
		return nil
	}
	return b.Delete([]byte(name))
}

// Acked is the last sequence number the consumer name acknowledged, and whether
// it is registered.
func Acked(tx *store.Tx, t Topic, name string) (uint64, bool) {
	b := consumers(tx, t)
	if b == nil {
		return 0, false
	}
	v := b.Get([]byte(name))
	if len(v) != 8 {
		return 0, false
	}
	return store.ParseUint64Key(v), true
}

// Ack records, in tx, that the consumer name has handled every event of t up to
// seq. For a queue, the events every consumer has acknowledged are deleted.
func Ack(tx *store.Tx, t Topic, name string, seq uint64) error {
	b := consumers(tx, t)
	if b == nil || b.Get([]byte(name)) == nil {
		return fmt.Errorf("outbox: %q is not a consumer of %s: %w", name, strings.Join(t.Path, "/"), store.ErrNotFound)
	}
	if cur := store.ParseUint64Key(b.Get([]byte(name))); cur >= seq {
		return nil
	}
	if err := b.Put([]byte(name), store.Uint64Key(seq)); err != nil {
		return err
	}
	if t.Retention > 0 {
		return nil
	}
	low := seq
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) == 8 {
			low = min(low, store.ParseUint64Key(v))
		}
	}
	eb := events(tx, t)
	if eb == nil {
		return nil
	}
	ec := eb.Cursor()
	for k, _ := ec.First(); k != nil && store.ParseUint64Key(k) <= low; k, _ = ec.First() {
		if err := eb.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Outbox is one server's delivery side: it runs the Subscribe deliverers and
// carries wake-ups on its own bus. The zero value is not usable; call New.
type Outbox struct {
	st  *store.Store
	bus *bus.Bus
	log *slog.Logger

	mu     sync.Mutex // guards subs and closed
	subs   map[*Subscription]bool
	closed bool
}

// New returns the outbox of the server whose state is st.
func New(st *store.Store, log *slog.Logger) *Outbox {
	if log == nil {
		log = slog.Default()
	}
	return &Outbox{st: st, bus: bus.New(), log: log, subs: map[*Subscription]bool{}}
}

// appended is the wake-up published on the bus: events were committed to topic.
type appended struct{ topic string }

// Wake tells t's deliverers that events were committed, and those of every
// topic whose path begins with t's (Wake(Topic{Path: []string{"dynamodb"}})
// wakes every stream of DynamoDB). It costs a map lookup when nobody subscribed.
func (o *Outbox) Wake(t Topic) {
	if o == nil {
		return
	}
	bus.Publish(o.bus, appended{t.key()})
}

// Subscription is one running deliverer.
type Subscription struct {
	o     *Outbox
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	unsub func()
}

// Subscribe registers name as a durable consumer of t (at the current end of the
// log, unless it already is one) and starts delivering to fn, in order, batches
// of at most MaxBatch events after the consumer's cursor: those appended since,
// and those not acknowledged before a restart. fn returning nil acknowledges the
// batch; an error offers it again after a backoff (50 ms doubling to 5 s). fn
// runs on the deliverer's goroutine, one batch at a time.
func (o *Outbox) Subscribe(t Topic, name string, fn func([]Event) error) (*Subscription, error) {
	o.mu.Lock()
	closed := o.closed
	o.mu.Unlock()
	if closed {
		return nil, errors.New("outbox: closed")
	}
	if err := o.st.Update(func(tx *store.Tx) error { return Register(tx, t, name) }); err != nil {
		return nil, err
	}
	s := &Subscription{o: o, stop: make(chan struct{}), done: make(chan struct{})}
	wake := make(chan struct{}, 1)
	key := t.key()
	s.unsub = bus.Subscribe(o.bus, func(a appended) {
		if a.topic == key || strings.HasPrefix(key, a.topic+"\x00") {
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	})
	o.mu.Lock()
	o.subs[s] = true
	o.mu.Unlock()
	go s.run(t, name, fn, wake)
	return s, nil
}

func (s *Subscription) run(t Topic, name string, fn func([]Event) error, wake chan struct{}) {
	defer close(s.done)
	backoff := time.Duration(0)
	for {
		var batch []Event
		err := s.o.st.View(func(tx *store.Tx) error {
			cur, ok := Acked(tx, t, name)
			if !ok {
				return fmt.Errorf("outbox: consumer %q of %s is not registered", name, strings.Join(t.Path, "/"))
			}
			return Read(tx, t, cur+1, func(ev Event) error {
				ev.Payload = append([]byte(nil), ev.Payload...)
				batch = append(batch, ev)
				if len(batch) == MaxBatch {
					return ErrStop
				}
				return nil
			})
		})
		if err == nil && len(batch) > 0 {
			if err = fn(batch); err == nil {
				last := batch[len(batch)-1].Seq
				err = s.o.st.Update(func(tx *store.Tx) error { return Ack(tx, t, name, last) })
			}
		}
		// With nothing to do, wait for a wake-up, or look again after poll in
		// case a producer appended without waking (a producer that forgets
		// Wake delays delivery; it loses nothing).
		wait := poll
		switch {
		case err != nil:
			backoff = min(max(2*backoff, 50*time.Millisecond), 5*time.Second)
			s.o.log.Warn("outbox: delivery failed, retrying", "topic", strings.Join(t.Path, "/"), "consumer", name, "in", backoff, "err", err)
			wait = backoff
		case len(batch) == MaxBatch:
			backoff = 0
			continue // more may be waiting
		default:
			backoff = 0
		}
		timer := time.NewTimer(wait)
		select {
		case <-s.stop:
			timer.Stop()
			return
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// Stop ends the deliverer and waits for a handler call in progress to return.
// What was not acknowledged is offered again to the next Subscribe of the name.
func (s *Subscription) Stop() {
	s.once.Do(func() {
		s.unsub()
		close(s.stop)
		s.o.mu.Lock()
		delete(s.o.subs, s)
		s.o.mu.Unlock()
	})
	<-s.done
}

// Close stops every deliverer; call it before closing the store.
func (o *Outbox) Close() {
	o.mu.Lock()
	o.closed = true
	var subs []*Subscription
	for s := range o.subs {
		subs = append(subs, s)
	}
	o.mu.Unlock()
	for _, s := range subs {
		s.Stop()
	}
}
