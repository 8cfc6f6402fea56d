// Package dynamodbstreams implements DynamoDB Streams: ListStreams, DescribeStream,
// GetShardIterator (TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER,
// AFTER_SEQUENCE_NUMBER) and GetRecords, over the records the dynamodb service
// writes to the store (the layout is internal/ddbstream's). Records carry the
// images their StreamViewType asks for; TTL deletions carry the service identity.
//
// Differs from AWS: each stream has a single shard for its whole life (closed when
// the stream is disabled or the table deleted), so there are no shard splits or
// parent shards; iterators are self-describing strings valid for 15 minutes;
// ShardFilter is ignored.
package dynamodbstreams
