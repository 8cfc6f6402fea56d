// Package auth authenticates requests: AWS Signature Version 4 (header and
// presigned query), aws-chunked payloads, and who the caller is.
package auth
