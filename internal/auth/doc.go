// Package auth authenticates requests: it verifies AWS signatures, decodes
// aws-chunked payloads, and says who the caller is. The gateway calls
// Verifier.Verify before anything else is done with a request; IAM decides
// afterwards what the returned Principal may do.
//
// # Who the caller is
//
// The built-in credentials test/test belong to account 000000000000. An access
// key id that Keys does not know is accepted as the root of its account without
// checking the signature, so that the dummy credentials people put in their
// configuration work; a 12-digit key id is its own account (AccountFor). A key
// that Keys knows must sign correctly. Unsigned requests are anonymous (account
// 000000000000). StaticKeys is a fixed Keys; IAM supplies its access keys and
// STS's temporary credentials through the same interface. A temporary key
// (Principal.Temporary) must come with its session token
// (X-Amz-Security-Token; else InvalidClientTokenId, S3's InvalidToken) and
// before its expiry (ExpiredToken). With Verifier.RefuseUnknown (IAM
// enforcement) an unknown key is refused: InvalidClientTokenId,
// UnrecognizedClientException, S3's InvalidAccessKeyId.
//
// # What is verified
//
//   - SigV4 in the Authorization header and in presigned URLs (X-Amz-Expires up
//     to 604800). The canonical request is rebuilt from the request line as the
//     client sent it: S3 signs the path as sent, other services the path encoded
//     once more. Variants that clients produce (botocore's normalised path, a
//     path escaped less than AWS escapes it) are tried too.
//   - Request time within 15 minutes (also for unknown keys), credential date
//     matching X-Amz-Date, presigned expiry.
//   - Payloads: a hex x-amz-content-sha256 is checked when the body has been read
//     to its end (XAmzContentSHA256Mismatch); STREAMING-AWS4-HMAC-SHA256-PAYLOAD
//     (-TRAILER) chunks are decoded and each chunk and trailer signature checked,
//     chained from the seed signature; STREAMING-UNSIGNED-PAYLOAD-TRAILER is
//     decoded. r.Body then yields the decoded bytes, r.ContentLength and the
//     Content-Length header are x-amz-decoded-content-length, aws-chunked leaves
//     Content-Encoding, and the trailing headers (x-amz-checksum-*) are in
//     r.Trailer once the body has been read to EOF. Memory stays bounded: nothing
//     is buffered beyond one read of the source. A bad chunk fails the read at
//     its end, always before EOF, so a handler that commits only at EOF never
//     stores it.
//   - Services that sign the body without x-amz-content-sha256 (JSON and query
//     services): the body is read (up to MaxBody, default 20 MiB, else 413) and
//     hashed, and r.Body is replaced by the bytes read.
//   - S3 SigV2, header and presigned (boto3 and the AWS CLI still presign S3 URLs
//     with it by default), and query-string SigV2 with SignatureVersion=2.
//
// Errors are *api.Err with the code, message, status and extra fields the
// signing service uses (Style): S3's SignatureDoesNotMatch with StringToSign and
// CanonicalRequest, RequestTimeTooSkewed, AuthorizationHeaderMalformed,
// AuthorizationQueryParametersError, AccessDenied "Request has expired"; the JSON
// services' InvalidSignatureException and IncompleteSignatureException (400, or
// 403 for rest-json services such as Lambda); the query services'
// SignatureDoesNotMatch and IncompleteSignature. The style comes from the
// credential scope's service (DefaultStyle's table, or Verifier.Style) and, when
// there is no scope, is guessed from the request.
//
// # Missing
//
//   - SigV4A (AWS4-ECDSA-P256-SHA256) is not verified: accepted for unknown keys,
//     refused for known ones; its aws-chunked payloads are decoded unchecked.
//   - Query SigV2 parameters sent in a POST form body are not seen: such requests
//     look unsigned (anonymous).
//   - The region in the scope is not compared with the endpoint's region.
//   - S3 POST object (browser form uploads with a signed policy) is the S3
//     service's business, not verified here.
//   - Headers present but not signed are not refused (S3 refuses unsigned x-amz-*
//     headers on presigned URLs).
package auth
