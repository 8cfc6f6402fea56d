package lambda

import (
	"container/heap"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"github.com/fogbank/fogbank/internal/lazy"
	"github.com/fogbank/fogbank/internal/s3event"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/store"
)

// Asynchronous invocation (InvocationType Event, S3 notifications,
// destinations), durable across kill -9:
//
//  1. Accepting: Invoke appends the event to the outbox queue asyncTopic in
//     one store Update, and answers 202 once that is durable. S3 appends its
//     notification events to s3event.Topic with the object (s3trigger.go).
//  2. Scheduling: the consumers of both topics copy each event into the
//     bucket "lambda"/"asyncq" under an id made of its topic and sequence
//     number (so a redelivered event lands on the same key), then let the
//     outbox acknowledge it.
//  3. Running: one scheduler goroutine runs due events (up to asyncWorkers at
//     once) through invoke; a function error is retried twice (AWS's default,
//     MaximumRetryAttempts) after 1 and then 2 minutes, a throttle after a
//     few seconds without counting as an attempt, until the event is older
//     than MaximumEventAgeInSeconds. An event leaves the queue when it
//     succeeded or failed for good, in the Update that records its
//     destination record (destination.go's part, below).
//
// An event whose run was cut by a crash is run again after restart: delivery
// is at least once, as on AWS.

var asyncTopic = outbox.Topic{Path: []string{rootBucket, "async"}}

const (
	asyncConsumer = "async"  // our consumer of asyncTopic
	queueBucket   = "asyncq" // id → asyncEvent
	destBucket    = "destq"  // destination records waiting for SQS/SNS/EventBridge
	asyncWorkers  = 32
)

// asyncEvent is one event waiting to run (and its state between attempts).
type asyncEvent struct {
	ID            string // the request id Invoke answered
	Account       string
	Region        string
	Function      string // the function's name
	Qualifier     string `json:",omitempty"`
	Payload       json.RawMessage
	ClientContext string `json:",omitempty"`
	Accepted      int64  // Unix ms
	Attempts      int    // runs so far
	Due           int64  // Unix ms: when to run next
	Source        string
}

// qualifier is the version or alias the event invokes ("$LATEST" for none).
func (e *asyncEvent) qualifier() string {
	if e.Qualifier == "" {
		return "$LATEST"
	}
	return e.Qualifier
}

// asyncState is the scheduler's memory: the queue's ids by due time. The
// store is the truth; this only saves scanning it.
type asyncState struct {
	mu       sync.Mutex // guards everything below
	due      dueHeap
	queued   map[string]bool // ids in due
	running  map[string]bool // ids being run
	started  bool            // the scheduler goroutine runs
	wake     chan struct{}
	subAsync *outbox.Subscription
	subS3    *outbox.Subscription
	backoff  time.Duration // the first retry's delay (AWS: 1 minute)
	// gen counts resets: a worker started before one leaves running and
	// the queue alone (their ids may be taken by new events by then).
	gen int
}

type dueItem struct {
	at int64
	id string
}

type dueHeap []dueItem

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueItem)) }
func (h *dueHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// async is the service's scheduler state, made on first use.
func (s *Service) async() *asyncState {
	s.aqOnce.Do(func() {
		a := &asyncState{queued: map[string]bool{}, running: map[string]bool{}, wake: make(chan struct{}, 1), backoff: time.Minute}
		// FOGBANK_LAMBDA_RETRY_DELAY shortens AWS's 1-minute first retry (the
		// second waits twice as long), for tests that watch retries happen.
		if d, err := time.ParseDuration(os.Getenv("FOGBANK_LAMBDA_RETRY_DELAY")); err == nil && d > 0 {
			a.backoff = d
		}
		s.aq = a
	})
	return s.aq
}

// startAsync resumes what a previous run left: consumers registered before
// are subscribed again and queued events scheduled. With neither, nothing
// starts (an idle Lambda costs nothing); Invoke and S3's check of a
// destination start them when first needed.
func (s *Service) startAsync() {
	if s.env == nil || s.env.Outbox == nil {
		return
	}
	var asyncReg, s3Reg, queued bool
	s.st.View(func(tx *store.Tx) error {
		_, asyncReg = outbox.Acked(tx, asyncTopic, asyncConsumer)
		_, s3Reg = outbox.Acked(tx, s3event.Topic, s3Consumer)
		if b := tx.Bucket(rootBucket, queueBucket); b != nil {
			k, _ := b.Cursor().First()
			queued = k != nil
		}
		return nil
	})
	if asyncReg {
		s.subscribeAsync()
	}
	if s3Reg {
		s.subscribeS3()
	}
	if queued {
		s.loadQueue()
	}
}

// subscribeAsync starts the consumer of asyncTopic once.
func (s *Service) subscribeAsync() {
	a := s.async()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.subAsync != nil || s.stopping() {
		return
	}
	sub, err := s.env.Outbox.Subscribe(asyncTopic, asyncConsumer, func(evs []outbox.Event) error {
		var items []*asyncEvent
		for _, ev := range evs {
			e := new(asyncEvent)
			if err := json.Unmarshal(ev.Payload, e); err != nil {
				s.warn("lambda: a queued event cannot be read; dropped", err)
				continue
			}
			e.Due = e.Accepted
			items = append(items, e)
		}
		return s.schedule(items, func(i int) string { return "a" + seqID(evs[i].Seq) })
	})
	if err != nil {
		s.warn("lambda: subscribing to the async queue", err)
		return
	}
	a.subAsync = sub
}

func seqID(seq uint64) string {
	return string(binary.BigEndian.AppendUint64(nil, seq))
}

// schedule writes events to the queue (under the ids idOf gives), skipping
// those already there, and hands them to the scheduler.
func (s *Service) schedule(items []*asyncEvent, idOf func(int) string) error {
	ids := make([]string, len(items))
	err := s.st.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket(rootBucket, queueBucket)
		if err != nil {
			return err
		}
		for i, e := range items {
			ids[i] = idOf(i)
			if b.Get([]byte(ids[i])) != nil {
				continue // delivered again after a crash: already queued
			}
			if err := b.PutJSON([]byte(ids[i]), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, e := range items {
		s.enqueueDue(ids[i], e.Due)
	}
	return nil
}

// enqueueDue tells the scheduler that id is due at at (Unix ms).
func (s *Service) enqueueDue(id string, at int64) {
	a := s.async()
	a.mu.Lock()
	if !a.queued[id] && !a.running[id] {
		a.queued[id] = true
		heap.Push(&a.due, dueItem{at, id})
	}
	start := !a.started && !s.stopping()
	a.started = a.started || start
	a.mu.Unlock()
	if start {
		s.bg.Add(1)
		go s.runScheduler()
	}
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// loadQueue schedules every event of the queue (at start).
func (s *Service) loadQueue() {
	type item struct {
		id  string
		due int64
	}
	var items []item
	s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, queueBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var e asyncEvent
			if json.Unmarshal(v, &e) == nil {
				items = append(items, item{string(k), e.Due})
			}
			return nil
		})
	})
	for _, it := range items {
		s.enqueueDue(it.id, it.due)
	}
}

// enqueueAsync accepts an Event invocation: durable when it returns.
func (s *Service) enqueueAsync(f *function, qualifier string, payload []byte, clientContext string) (string, error) {
	e := asyncEvent{ID: newRequestID(), Account: f.Account, Region: f.Region, Function: f.Name, Qualifier: qualifier,
		Payload: payload, ClientContext: clientContext, Accepted: s.now().UnixMilli(), Source: "invoke"}
	err := s.st.Update(func(tx *store.Tx) error { return appendAsync(tx, &e, s.now()) })
	if err != nil {
		return "", err
	}
	s.subscribeAsync()
	s.env.Outbox.Wake(asyncTopic)
	return e.ID, nil
}

// appendAsync appends e to asyncTopic in tx, registering our consumer first
// (after a reset of Lambda's state, too).
func appendAsync(tx *store.Tx, e *asyncEvent, now time.Time) error {
	if _, ok := outbox.Acked(tx, asyncTopic, asyncConsumer); !ok {
		if err := outbox.Register(tx, asyncTopic, asyncConsumer); err != nil {
			return err
		}
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = outbox.Append(tx, asyncTopic, now, b)
	return err
}

// runScheduler runs due events until Stop.
func (s *Service) runScheduler() {
	defer s.bg.Done()
	a := s.async()
	slots := make(chan struct{}, asyncWorkers)
	var workers sync.WaitGroup
	defer workers.Wait()
	for {
		now := s.now().UnixMilli()
		wait := time.Hour
		a.mu.Lock()
		for a.due.Len() > 0 && len(slots) < cap(slots) {
			next := a.due[0]
			if next.at > now {
				wait = time.Duration(next.at-now) * time.Millisecond
				break
			}
			heap.Pop(&a.due)
			delete(a.queued, next.id)
			a.running[next.id] = true
			slots <- struct{}{}
			workers.Add(1)
			go func(id string, gen int) {
				defer workers.Done()
				at, again := s.runEvent(id)
				a.mu.Lock()
				current := a.gen == gen
				if current {
					delete(a.running, id)
				}
				a.mu.Unlock()
				if again && current {
					s.enqueueDue(id, at)
				}
				<-slots
				select {
				case a.wake <- struct{}{}:
				default:
				}
			}(next.id, a.gen)
		}
		a.mu.Unlock()
		timer := time.NewTimer(wait)
		select {
		case <-s.quit:
			timer.Stop()
			return
		case <-a.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// throttleDelay is how long a throttled event waits before its next try.
const throttleDelay = 2 * time.Second

// runEvent makes one attempt at a queued event and records what follows;
// again says the event stays queued, due at at (Unix ms).
func (s *Service) runEvent(id string) (at int64, again bool) {
	var e asyncEvent
	var cfg *eventConfig
	found := false
	s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, queueBucket)
		if b == nil || b.Get([]byte(id)) == nil {
			return nil
		}
		if b.GetJSON([]byte(id), &e) != nil {
			return nil
		}
		found = true
		cfg, _ = readEventConfig(tx, e.Account, e.Region, e.Function, e.qualifier())
		return nil
	})
	if !found {
		return 0, false
	}
	now := s.now()
	if now.Sub(time.UnixMilli(e.Accepted)) > cfg.maxAge() {
		s.finish(id, &e, cfg, "EventAgeExceeded", nil)
		return 0, false
	}
	res, err := s.invoke(context.Background(), invokeRequest{Account: e.Account, Region: e.Region,
		Function: e.Function, Qualifier: e.Qualifier, Payload: e.Payload, ClientContext: e.ClientContext})
	if s.stopping() {
		return 0, false // cut short by Stop: the event stays queued and runs after restart
	}
	var tooMany *lambdaapi.TooManyRequestsException
	var missing *lambdaapi.ResourceNotFoundException
	switch {
	case errors.As(err, &tooMany):
		return s.retryLater(id, &e, throttleDelay)
	case errors.As(err, &missing):
		s.drop(id, &e) // the function was deleted: AWS discards its events
	case err != nil:
		s.warn("lambda: an asynchronous invocation failed", err)
		s.finish(id, &e, cfg, "RetriesExhausted", nil)
	case res.FunctionError != "":
		e.Attempts++
		if int64(e.Attempts) > cfg.retries() {
			s.finish(id, &e, cfg, "RetriesExhausted", res)
			return 0, false
		}
		// AWS waits one minute before the first retry, two before the second.
		return s.retryLater(id, &e, s.async().backoff*time.Duration(1<<(e.Attempts-1)))
	default:
		e.Attempts++
		s.finish(id, &e, cfg, "Success", res)
	}
	return 0, false
}

// retryLater stores e's next due time; the caller schedules it.
func (s *Service) retryLater(id string, e *asyncEvent, after time.Duration) (int64, bool) {
	e.Due = s.now().Add(after).UnixMilli()
	err := s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, queueBucket)
		if !holds(b, id, e.ID) {
			return errGone
		}
		return b.PutJSON([]byte(id), e)
	})
	if err == errGone {
		return 0, false
	}
	if err != nil {
		s.warn("lambda: rescheduling an asynchronous invocation", err)
	}
	return e.Due, true
}

var errGone error = lazy.Error("lambda: the event left the queue")

func (s *Service) drop(id string, e *asyncEvent) {
	s.st.Update(func(tx *store.Tx) error {
		if b := tx.Bucket(rootBucket, queueBucket); holds(b, id, e.ID) {
			return b.Delete([]byte(id))
		}
		return nil
	})
}

// holds tells whether the queue b still holds, under id, the event whose
// request id is reqID: a reset may have emptied it, and a new event taken the
// id, while the event ran.
func holds(b *store.Bucket, id, reqID string) bool {
	if b == nil {
		return false
	}
	var e asyncEvent
	return b.GetJSON([]byte(id), &e) == nil && e.ID == reqID
}

// destinationRecord is what Lambda sends to an on-success or on-failure
// destination, in AWS's shape.
type destinationRecord struct {
	Version        string          `json:"version"`
	Timestamp      string          `json:"timestamp"`
	RequestContext requestContext  `json:"requestContext"`
	RequestPayload json.RawMessage `json:"requestPayload"`
	Response       responseContext `json:"responseContext"`
	ResponsePaylod json.RawMessage `json:"responsePayload,omitempty"`
}

type requestContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

type responseContext struct {
	StatusCode      int    `json:"statusCode,omitempty"`
	ExecutedVersion string `json:"executedVersion,omitempty"`
	FunctionError   string `json:"functionError,omitempty"`
}

// finish takes an event off the queue and, in the same Update, sends its
// destination record: to a Lambda destination by queueing an asynchronous
// invocation of it; to SQS, SNS or EventBridge by keeping it in destBucket
// until fogbank has those services.
func (s *Service) finish(id string, e *asyncEvent, cfg *eventConfig, condition string, res *invokeResult) {
	dest := ""
	if cfg != nil {
		if condition == "Success" {
			dest = cfg.OnSuccess
		} else {
			dest = cfg.OnFailure
		}
	}
	if condition != "Success" && s.env != nil && s.env.Logger != nil {
		s.env.Logger.Warn("lambda: an asynchronous event failed for good", "function", e.Function, "requestId", e.ID, "condition", condition, "attempts", e.Attempts)
	}
	err := s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, queueBucket)
		if !holds(b, id, e.ID) {
			return nil
		}
		if err := b.Delete([]byte(id)); err != nil {
			return err
		}
		if condition != "Success" {
			if err := deadLetter(tx, e, res); err != nil {
				return err
			}
		}
		if dest == "" {
			return nil
		}
		rec := destinationRecord{Version: "1.0", Timestamp: s.now().UTC().Format("2006-01-02T15:04:05.000Z"),
			RequestContext: requestContext{RequestID: e.ID, Condition: condition, ApproximateInvokeCount: e.Attempts,
				FunctionArn: "arn:aws:lambda:" + e.Region + ":" + e.Account + ":function:" + e.Function + ":" + e.qualifier()},
			RequestPayload: e.Payload}
		if len(rec.RequestPayload) == 0 {
			rec.RequestPayload = json.RawMessage("{}")
		}
		if res != nil {
			rec.Response = responseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: res.FunctionError}
			if json.Valid(res.Payload) {
				rec.ResponsePaylod = res.Payload
			}
		}
		body, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if strings.HasPrefix(dest, "arn:aws:lambda:") {
			p := strings.Split(dest, ":")
			if len(p) < 7 {
				return nil
			}
			next := asyncEvent{ID: newRequestID(), Account: p[4], Region: p[3], Function: p[6], Payload: body,
				Accepted: s.now().UnixMilli(), Source: "destination"}
			if len(p) > 7 {
				next.Qualifier = p[7]
			}
			return appendAsync(tx, &next, s.now())
		}
		db, err := tx.CreateBucket(rootBucket, destBucket)
		if err != nil {
			return err
		}
		n, err := db.NextSequence()
		if err != nil {
			return err
		}
		return db.PutJSON(binary.BigEndian.AppendUint64(nil, n), map[string]any{"Destination": dest, "Record": json.RawMessage(body)})
	})
	if err != nil {
		s.warn("lambda: finishing an asynchronous invocation", err)
		return
	}
	if strings.HasPrefix(dest, "arn:aws:lambda:") {
		s.subscribeAsync()
		s.env.Outbox.Wake(asyncTopic)
	}
}

// checkDeadLetter accepts what Lambda accepts as a dead-letter queue: an SQS
// queue or SNS topic ARN ("" removes it).
func checkDeadLetter(d *lambdaapi.DeadLetterConfig) error {
	if d == nil || api.ToString(d.TargetArn) == "" {
		return nil
	}
	arn := *d.TargetArn
	if strings.HasPrefix(arn, "arn:aws:sqs:") || strings.HasPrefix(arn, "arn:aws:sns:") {
		return nil
	}
	return invalid("The provided target arn is invalid: %s. It must be the ARN of an SQS queue or an SNS topic.", arn)
}

// deadLetter keeps, for the function's dead-letter queue, the event that
// failed for good: its payload as the message body and the attributes
// Lambda sets (RequestID, ErrorCode, ErrorMessage), in destBucket until
// fogbank has SQS and SNS to deliver it.
func deadLetter(tx *store.Tx, e *asyncEvent, res *invokeResult) error {
	fb := tx.Bucket(rootBucket, fnBucket)
	if fb == nil {
		return nil
	}
	var f function
	if v := fb.Get(key(e.Account, e.Region, e.Function)); v == nil || json.Unmarshal(v, &f) != nil || f.DeadLetter == "" {
		return nil
	}
	attrs := map[string]string{"RequestID": e.ID, "ErrorCode": "200"}
	if res != nil {
		var doc struct{ ErrorMessage string }
		json.Unmarshal(res.Payload, &doc)
		attrs["ErrorMessage"] = doc.ErrorMessage
	}
	db, err := tx.CreateBucket(rootBucket, destBucket)
	if err != nil {
		return err
	}
	n, err := db.NextSequence()
	if err != nil {
		return err
	}
	return db.PutJSON(binary.BigEndian.AppendUint64(nil, n), map[string]any{"DeadLetter": f.DeadLetter, "Body": e.Payload, "Attributes": attrs})
}

func (s *Service) warn(msg string, err error) {
	if s.env != nil && s.env.Logger != nil {
		s.env.Logger.Warn(msg, "err", err)
	}
}

// Reset forgets what Lambda derived from the state a reset dropped (or a
// snapshot replaced): the consumers stop, the scheduler's queue is emptied
// and every environment ends, with the invocations it runs (as at Stop, their
// results change nothing: an event's record is changed only while it is
// still the one that ran). Then what the new state holds is resumed, as at
// Start; later Invokes start the consumers again as they did the first time.
func (s *Service) Reset() {
	s.stopAsync()
	a := s.async()
	a.mu.Lock()
	a.gen++
	a.due = nil
	a.queued = map[string]bool{}
	a.running = map[string]bool{}
	a.mu.Unlock()
	s.mu.Lock()
	pools := s.pools
	s.pools = map[string]*pool{}
	s.mu.Unlock()
	for _, p := range pools {
		p.reap(0)
	}
	s.startAsync()
}

// stopAsync ends the consumers (the scheduler ends with s.quit).
func (s *Service) stopAsync() {
	a := s.async()
	a.mu.Lock()
	subs := []*outbox.Subscription{a.subAsync, a.subS3}
	a.subAsync, a.subS3 = nil, nil
	a.mu.Unlock()
	for _, sub := range subs {
		if sub != nil {
			sub.Stop()
		}
	}
}
