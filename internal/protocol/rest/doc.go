// Package rest is what the rest-xml and rest-json codecs share: finding the
// operation from the method and URI template, and binding the members that live
// outside the body (uri labels, querystring, headers, header-prefix maps, the
// status code) in both directions, plus raw (blob, string, streaming) payloads.
//
// The API the codecs call:
//
//	Match(svc *api.Service, r *http.Request) (*api.Operation, map[string]string, error)
//	DecodeNonBody(labels map[string]string, r *http.Request, in any) error
//	DecodeRawPayload(r *http.Request, in any) (handled bool, err error)
//	EncodeNonBody(h http.Header, op *api.Operation, out any) (status int)
//	WriteRawPayload(w http.ResponseWriter, status int, out any) (handled bool, err error)
//	PayloadField(s *shape.Struct) *shape.Field
//	BodyFields(s *shape.Struct) []*shape.Field
//	IsRawPayload(f *shape.Field) bool
//
// and the helpers the XML and query codecs reuse: SetText, Text, ParseTime,
// FormatTime, FormatFloat, TypeOf (a member's model type) and ModelType (the
// model type of an untagged list or map element, from its Go type).
//
// Binding details: header timestamps default to rfc822 and querystring ones to
// iso8601; list headers are comma-separated; jsonvalue headers are base64 JSON;
// a querystring map takes every key no named member claims; header-prefix maps
// (S3's x-amz-meta-) are read with lower-cased keys and written as is, never
// canonicalized, because botocore keeps the case of what follows the prefix. An
// unparsable Expires header is ignored, as S3 does.
//
// Routing works on r.URL.EscapedPath(), never a cleaned path, so that `//`, `./`,
// `../` and `%2F` inside S3 keys survive; labels are unescaped after splitting.
// When several templates match, the most specific wins: more literal path
// segments, then more literal query keys (`?uploads`, `?list-type=2`), then an
// `x-id` query value naming the operation (sent by aws-sdk-go-v2), then the
// operation whose required querystring and header members are all present (S3's
// PutObject vs UploadPart vs CopyObject share one template), then the longer name
// (S3's deprecated GetBucketLifecycle vs GetBucketLifecycleConfiguration).
//
// Errors: Match returns *api.Err (MethodNotAllowed 405 when the path matched but
// the method did not, UnknownOperationException 404 otherwise); codecs may reword
// them. DecodeNonBody returns *BindError for values that do not parse; each codec
// turns it into its protocol's error (S3: InvalidArgument; rest-json:
// SerializationException).
//
// Missing: host-label binding (hostLabel members are read from the URI only);
// header list values containing quoted commas are split naively.
package rest
