// Package outbox is fogbank's one way to make events durable: an event is written
// in the same store transaction as the change that causes it, and delivered at
// least once to every consumer, after a restart or a kill -9 too. S3 event
// notifications, DynamoDB stream records and Lambda's async queue use it today;
// SQS, Kinesis and event source mappings are meant to.
//
// # Topics
//
// A Topic is a log kept under a bucket path its owner chooses (so it lives and is
// deleted with the owner's state): Path/"events" maps a sequence number (8 bytes,
// big-endian, from 1) to the event (8 bytes of Unix nanoseconds, then the payload,
// opaque to this package); Path/"consumers" maps a consumer's name to the last
// sequence number it acknowledged. A topic is either
//
//   - a queue (Retention 0): an event is deleted once every registered consumer
//     has acknowledged it; with no consumer registered, owners should not append
//     (HasConsumers), as AWS drops an event that has no destination;
//   - a stream (Retention > 0): events stay for that long whatever consumers do,
//     and readers keep their own positions (DynamoDB Streams' shard iterators);
//     the owner calls Trim.
//
// # API
//
// Producers call Append inside their store.Update, then Outbox.Wake once Update
// has returned (the commit is what makes the event deliverable; Wake only saves
// the deliverers a wait):
//
//	var appended bool
//	err := st.Update(func(tx *store.Tx) error {
//		// ... the change ...
//		if outbox.HasConsumers(tx, topic) {
//			if _, err := outbox.Append(tx, topic, now, payload); err != nil {
//				return err
//			}
//			appended = true
//		}
//		return nil
//	})
//	if err == nil && appended {
//		ob.Wake(topic)
//	}
//
// Consumers either read a stream with Read/First/Last at positions of their own,
// or call Outbox.Subscribe with a durable name: the consumer is registered (at the
// current end of the log, the first time), and one goroutine hands it batches of
// the events after its cursor, in order. When the handler returns nil the cursor
// moves past the batch (one Update); when it fails, the batch is offered again
// after a backoff. Events a consumer had not acknowledged when the process died
// are offered again after restart, so a handler may see an event twice (at least
// once) and must be idempotent or de-duplicate by sequence number.
//
// The in-process bus (internal/bus) only carries the wake-ups: Wake publishes on
// the Outbox's own bus, never a process-global one, so two servers in one process
// (tests) never wake each other.
//
// # Cost
//
// Nothing runs for a topic nobody subscribed to: no goroutine, no timer. An
// append is two keys in the producer's transaction (the event and the bucket's
// sequence); an acknowledgement is one Update per batch.
//
// Missing: consumers that start at the oldest event (Kinesis TRIM_HORIZON for a
// new durable consumer), a dead-letter limit on redeliveries, parallel delivery
// within one consumer (the order of a topic is kept, as a shard's is), and a
// bound on a queue whose registered consumer never comes back: its events stay
// until it is Unregistered.
package outbox
