// Package ddbstream is the contract between the dynamodb service, which writes
// stream records, and the dynamodbstreams service, which reads them: where they
// live in the store and how they are encoded. Neither service imports the other.
//
// Layout: dynamodb/<account>/<region>/streams/<stream ARN> holds the key "meta"
// (Meta as JSON) and the stream's records: that path is an outbox stream topic
// (Topic; package outbox), whose events are Records as JSON, appended in the
// transaction of the item write that causes them. The outbox's sequence numbers
// are the stream's. Each stream has one shard, ShardID. Records older than
// Retention are trimmed by the dynamodb service (outbox.Trim) and skipped by
// readers. Stream records are thus the same mechanism as S3 notifications: a
// durable consumer (Lambda's event source mapping, later) subscribes to Topic.
//
// Data directories written before the outbox kept records in a "records" bucket
// that is no longer read: their stream records (24 hours' worth at most) are lost.
//
// Missing: shard splits (one shard per stream, closed only when the stream is
// disabled).
package ddbstream
