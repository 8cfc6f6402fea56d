// Package query is the AWS query protocol (STS, IAM, SNS, CloudWatch, and SQS
// as older clients speak it): Codec routes by the Action parameter, decodes
// form bodies and GET query strings into input structs, and writes XML
// responses and errors.
//
// Requests: Action and Version, nested members as A.B.C, lists as
// Name.member.N (or the list's memberName) and flattened Name.N, maps as
// Name.entry.N.key/value (keyName/valueName) and flattened Name.N.key, empty
// lists as "Name=", booleans, numbers, iso8601 timestamps (others accepted),
// base64 blobs. Unknown actions answer InvalidAction "Could not find operation X
// for version Y"; values that do not parse answer InvalidParameterValue; model
// violations answer ValidationError in Coral's words (STS, IAM, SNS), or
// MissingParameter / InvalidParameterValue (SQS, CloudWatch).
//
// Responses: <XResponse xmlns="svc ns"><XResult>…</XResult><ResponseMetadata>
// <RequestId>…</RequestId></ResponseMetadata></XResponse>, the Result element
// named by the model's resultWrapper and left out when the output has no
// members; errors as <ErrorResponse><Error><Type>Sender|Receiver</Type><Code/>
// <Message/></Error><RequestId/></ErrorResponse> using the awsQueryError code;
// header x-amzn-RequestId on both.
//
// Missing: the ec2 protocol's variant (queryName, no member wrapper) is not
// handled here; SQS's old <Detail/> element in errors is not written.
package query
