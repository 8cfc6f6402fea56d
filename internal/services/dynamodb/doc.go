// Package dynamodb implements Amazon DynamoDB over the embedded store.
//
// Covered: CreateTable/DescribeTable/UpdateTable/DeleteTable/ListTables (key schema,
// attribute definition, billing and index validation in AWS's words and order; LSIs;
// GSIs with single or multi-attribute keys, added and removed by UpdateTable and
// filled at once), PutItem/GetItem/UpdateItem/DeleteItem with the whole expression
// language (package expr) and the legacy parameters (Expected, AttributeUpdates,
// AttributesToGet, KeyConditions, QueryFilter, ScanFilter), every ReturnValues,
// ReturnValuesOnConditionCheckFailure, ReturnConsumedCapacity (estimated units),
// ReturnItemCollectionMetrics; Query and Scan on tables, LSIs and GSIs (Limit,
// ExclusiveStartKey, ScanIndexForward, Select, parallel Segment/TotalSegments, the
// 1 MB page); BatchGetItem (keys past ~1.4 MB of answer come back unprocessed),
// BatchWriteItem, TransactWriteItems (ClientRequestToken idempotency for 10
// minutes, CancellationReasons), TransactGetItems; PartiQL ExecuteStatement,
// BatchExecuteStatement and ExecuteTransaction (package partiql, run as the item
// operations); TTL (a background sweeper deletes expired items, writing stream
// records with the service identity); streams (records written here, read by the
// dynamodbstreams service through internal/ddbstream); tags; DescribeLimits,
// DescribeEndpoints, DescribeContinuousBackups; deletion protection.
//
// Errors: DynamoDB words type errors in a request body, and its model validation,
// unlike the other json services; its dialect's CheckJSON (serial.go) checks the raw
// body before the codec decodes it and answers those in DynamoDB's words (capitalised "Message" for
// SerializationException, table-name rules of 3 to 255 characters, enum lists in
// DynamoDB's order), leaving well-formed requests to the codec untouched. A write
// that finds the disk full answers 500 InternalServerError (the model's server
// fault, which SDKs retry) and leaves nothing of itself (store.ErrFull).
//
// Storage: table metadata is JSON under dynamodb/<account>/<region>/tables; each
// table's items are in dynamodb/<account>/<region>/data/<table>/items keyed by an
// order-preserving encoding of the key (4-byte partition hash, partition key, sort
// key), so a Query is one cursor range and a Scan segment one hash range; nothing
// reads a whole table to answer a Query. Indexes hold a copy of each item under
// index key + table-key hash + table key. Items are stored in a compact binary form.
// Every write is one store Update (durable, group-committed) with its condition
// checked inside it, so conditional writes and transactions are atomic with respect
// to each other and survive kill -9 once acknowledged.
//
// Differs from AWS: tables and indexes are ACTIVE at once (the Create answer says
// CREATING); throughput is stored, never enforced; BatchWriteItem never leaves
// unprocessed items; consumed capacity is estimated from item sizes and has no
// per-index breakdown; Scan order follows MD5 of the partition key (DynamoDB Local's
// order), not necessarily AWS's; index ItemCount/IndexSizeBytes are 0; responses are
// never compressed. Missing: backups and restores, global tables, imports/exports,
// Kinesis streaming destinations, resource policies, contributor insights. See
// docs/alternator-failures.md for the conformance suites' remaining failures.
package dynamodb
