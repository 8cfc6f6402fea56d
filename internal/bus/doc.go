// Package bus carries signals between the parts of one fogbank server: a typed
// value published is handed to whoever subscribed to that Go type. Each server
// has its own Bus (there is no process-global one), so two servers in one process
// (tests) never hear each other.
//
// Delivery is synchronous and in order of subscription: Publish returns once every
// handler has returned, so a handler must only note the signal (a non-blocking
// channel send) and do its work elsewhere. Nothing is persisted: the bus is not
// how events are kept. Events that must not be lost (S3 notifications, stream
// records) go through internal/outbox, written in the store transaction of the
// change that causes them; the outbox uses a bus only to wake its deliverers.
package bus
