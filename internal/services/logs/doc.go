// Package logs implements Amazon CloudWatch Logs: log groups and streams, and
// the events in them.
//
// Covered: CreateLogGroup, DeleteLogGroup, DescribeLogGroups (prefix, pattern,
// identifiers, class, paging); CreateLogStream, DeleteLogStream,
// DescribeLogStreams (prefix, orderBy LogStreamName or LastEventTime,
// descending, paging); PutRetentionPolicy and DeleteRetentionPolicy (AWS's
// set of day counts); AssociateKmsKey/DisassociateKmsKey and CreateLogGroup's
// kmsKeyId (recorded and answered, nothing is encrypted); tags, through
// TagResource/UntagResource/ListTagsForResource and the older
// TagLogGroup/UntagLogGroup/ListTagsLogGroup; PutLogEvents without sequence
// tokens (any token is accepted, as AWS does today) with AWS's limits: 10,000
// events, 1,048,576 bytes counting 26 per event, chronological order, events
// more than 2 hours ahead, more than 14 days old or older than the retention
// left out and reported in rejectedLogEventsInfo, the accepted ones spanning
// at most 24 hours; GetLogEvents, from the head or the tail, with forward and
// backward tokens that page as AWS's do (a token at the end comes back
// unchanged); FilterLogEvents over all or some streams, in time order, with
// filter patterns (pattern.go: terms, "quoted phrases", ?optional and
// -excluded terms, %regex%, JSON conditions { $.a = "x" && $.n > 3 } with
// wildcards, IS NULL/TRUE/FALSE, EXISTS/NOT EXISTS, and space-delimited
// [field, ..., status = 4*, bytes > 100]), each event with a stable eventId,
// so `aws logs tail --follow` (which polls FilterLogEvents and drops the ids
// it has seen) works.
//
// For other services: AppendLogEvents(account, region, group, stream,
// timestamps, messages) writes events to a stream, creating the group and
// the stream when missing (Lambda's function logs). Look it up with
// host.Lookup by an interface of that one method.
//
// Stored (root "logs", then account and region): groups by name, each
// group's streams by name, each stream's events keyed by timestamp and
// arrival number, so both reading directions and time ranges are cursor
// seeks. A terms pattern matches whole terms, case-sensitively: ERROR finds
// "[ERROR] x" but not "ERRORS".
//
// Differences from AWS: retention is recorded and enforced on what
// PutLogEvents accepts, but stored events are not deleted when they age
// past it (AWS takes up to 72 hours; here they stay); storedBytes is exact
// and immediate; model violations (a limit above 50...) answer
// ValidationException where CloudWatch Logs answers InvalidParameterException.
// Not yet: metric and subscription filters, Logs Insights queries,
// StartLiveTail, export tasks, destinations, resource and account policies,
// deliveries, anomaly detection, data protection.
package logs
