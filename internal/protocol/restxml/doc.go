// Package restxml is the rest-xml protocol (S3, and Route 53-style services):
// Codec routes by method and URI template (package rest), binds labels,
// querystring and headers, reads the XML body or raw payload, validates, and
// writes outputs and errors as those services do.
//
// Outputs: located members become headers and the status; a blob/string/stream
// payload is the raw body (streams copied, never buffered, then closed); a
// structure payload is the XML root named by its locationName; otherwise the body
// members are wrapped in the output's root element (for S3, the names S3 uses:
// ListBucketResult, ListAllMyBucketsResult, ...). Bodies start with the XML
// declaration and carry the service namespace (S3:
// http://s3.amazonaws.com/doc/2006-03-01/) on the root; S3 timestamps always have
// milliseconds.
//
// Errors: S3 writes <Error><Code/><Message/>extra fields<RequestId/><HostId/></Error>
// with x-amz-request-id and x-amz-id-2; other rest-xml services write
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
// HEAD requests get status and headers only. Unparsable bodies are MalformedXML;
// unparsable headers or query values are S3's InvalidArgument.
//
// Missing: S3's checks on the root element name of request bodies (any root is
// accepted); aws-chunked payload decoding belongs to internal/auth; event-stream
// outputs (SelectObjectContent) are not encoded.
package restxml
