// Package dynamodb implements Amazon DynamoDB over the embedded store.
//
// Covered: CreateTable/DescribeTable/UpdateTable/DeleteTable/ListTables (key schema,
// attribute definition, billing and index validation in AWS's words; GSIs added and
// removed by UpdateTable, filled at once), PutItem/GetItem/UpdateItem/DeleteItem
// with the whole expression language (package expr) and the legacy parameters
// (Expected, AttributeUpdates, AttributesToGet, KeyConditions, QueryFilter,
// ScanFilter), every ReturnValues, ReturnValuesOnConditionCheckFailure,
// ReturnConsumedCapacity (estimated units), ReturnItemCollectionMetrics; Query and
// Scan on tables, LSIs and GSIs (Limit, ExclusiveStartKey, ScanIndexForward,
// Select, parallel Segment/TotalSegments, the 1 MB page); BatchGetItem,
// BatchWriteItem, TransactWriteItems (ClientRequestToken idempotency for 10
// minutes, CancellationReasons), TransactGetItems; TTL, tags, DescribeLimits,
// DescribeEndpoints, deletion protection.
//
// Storage: table metadata is JSON under dynamodb/<account>/<region>/tables; each
// table's items are in dynamodb/<account>/<region>/data/<table>/items keyed by an
// order-preserving encoding of the key (4-byte partition hash, partition key, sort
// key), so a Query is one cursor range and a Scan segment one hash range. Indexes
// hold a copy of each item under index key + table key. Items are stored in a
// compact binary form. Every write is one store Update (durable, group-committed),
// conditions are checked inside it, so conditional writes and transactions are
// atomic with respect to each other.
//
// Differs from AWS: tables and indexes are ACTIVE at once (the Create answer says
// CREATING); throughput is stored, never enforced; BatchGet/BatchWrite never leave
// unprocessed items; consumed capacity is estimated from item sizes; Scan order is
// by partition hash but not AWS's hash; index ItemCount/IndexSizeBytes are 0;
// backups, global tables, imports/exports, Kinesis destinations and resource
// policies are not implemented.
package dynamodb
