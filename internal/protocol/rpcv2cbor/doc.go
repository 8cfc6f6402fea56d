// Package rpcv2cbor is the smithy-rpc-v2-cbor protocol, which current AWS SDKs
// speak to CloudWatch.
//
// Requests are POST {prefix?}/service/{ServiceName}/operation/{Operation} with
// Smithy-Protocol: rpc-v2-cbor and a CBOR map body keyed by member names
// (timestamps as tag 1 epoch seconds, blobs as byte strings); bodies sent with
// Content-Encoding: gzip (requestCompression, which the Go SDK applies to
// PutMetricData) are inflated. Responses carry Smithy-Protocol, Content-Type:
// application/cbor and a CBOR map; errors are a map with __type (the absolute
// shape ID, "com.amazonaws.cloudwatch#ResourceNotFound") and the error's members,
// plus x-amzn-query-error for awsQueryCompatible services. Unknown services or
// operations answer 404 UnknownOperationException.
//
// Missing: operations without output answer an empty map rather than an empty
// body (the generated tables do not tell no-output from empty output; SDKs read
// both); event streams; documents (the protocol has none); bignum tags.
package rpcv2cbor
