// Package bus carries events between services inside one fogbank process: S3
// notifications now; DynamoDB and Kinesis stream records, SQS messages for event
// source mappings, log lines and ledger entries later. A service publishes a typed
// value; whoever subscribed to that Go type gets it. No service imports another:
// they share only the event types, which live here.
//
// Delivery is synchronous and in order of subscription: Publish returns once every
// handler has returned, so a subscriber that does slow work (invoking a Lambda,
// writing to a queue) must hand it to its own goroutine. Nothing is persisted: an
// event published while nobody listens is gone, as an S3 notification to a
// destination that does not exist yet is on AWS.
//
// Missing: persistence and retries for subscribers that fail, and back-pressure.
package bus
