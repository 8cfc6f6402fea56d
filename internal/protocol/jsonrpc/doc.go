// Package jsonrpc is the json protocol (awsJson1_0 and awsJson1_1): DynamoDB,
// Kinesis, CloudWatch Logs, Glue, Athena, SQS (current clients), CloudWatch.
//
// Requests are POST / with X-Amz-Target "<TargetPrefix>.<Operation>" and a JSON
// body (see jsonbody). A missing or unknown target answers Coral's bare
// UnknownOperationException. Responses carry the model's JSON version as
// Content-Type, x-amzn-RequestId, and for DynamoDB x-amz-crc32. Errors are
// {"__type": ..., "message": ...} plus the error shape's members, with
// x-amzn-ErrorType, and x-amzn-query-error for awsQueryCompatible services (SQS).
// DynamoDB and SQS qualify __type with their namespace (Coral's own errors with
// Coral's); the others send the bare name.
//
// Missing: the response Content-Type is the model's JSON version rather than the
// one the request used (the same for every conforming client); request bodies of
// services other than DynamoDB are bounded at 64 MiB rather than each service's
// own limit.
package jsonrpc
