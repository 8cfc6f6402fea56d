// Package ddbstream is the contract between the dynamodb service, which writes
// stream records, and the dynamodbstreams service, which reads them: where they
// live in the store and how they are encoded. Neither service imports the other.
//
// Layout: dynamodb/<account>/<region>/streams/<stream ARN> holds the key "meta"
// (Meta as JSON) and the bucket "records" (sequence number, 8 bytes big-endian →
// Record as JSON). Each stream has one shard, ShardID. Records older than
// Retention are trimmed by the dynamodb service and skipped by readers.
//
// Missing: shard splits (one shard per stream, closed only when the stream is
// disabled).
package ddbstream
