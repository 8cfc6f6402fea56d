// Package api is what every generated service package (internal/api/<svc>) shares:
// the description of a service and its operations, and the AWS error type.
//
// The generated packages are written by internal/gen from the official AWS API models
// (botocore's service-2.json). Each one holds:
//
//   - a Go type for every structure shape (input, output, nested, error);
//   - `var Service = &api.Service{...}` with one *api.Operation per operation;
//   - `type API interface` with one method per operation:
//     `PutObject(ctx context.Context, in *PutObjectInput) (*PutObjectOutput, error)`;
//   - `type Unimplemented struct{}`, which a service embeds so that every operation it
//     does not write yet answers 501 NotImplemented naming itself;
//   - the enum value lists, for validation.
//
// # Go types
//
// Scalars are pointers so that "absent" and "zero" differ, as on the wire:
// string, enum and character → *string; integer and long → *int64; float and
// double → *float64; boolean → *bool; timestamp → *time.Time; blob → []byte (a
// streaming blob → io.Reader in inputs, io.ReadCloser in outputs); document and
// jsonvalue → any (decoded JSON). Structures are *T; lists are []E and maps are
// map[string]E where E is the element's Go type without the scalar pointer
// (string, int64, ..., *T for structures). Union shapes are ordinary structures
// with at most one member set.
//
// # Struct tags: the wire details, read by the codecs in internal/protocol
//
// Each generated struct starts with a blank field `_ struct{}` whose tags describe
// the shape as a whole:
//
//	type:"structure"          always
//	payload:"Body"            rest protocols: the member that is the whole HTTP body
//	locationName:"X"          rest-xml: the root element name of the body
//	xmlURI:"ns"               the xmlns of that root element
//	error:"true"              the shape is an error; errCode/httpStatus/fault follow
//	errCode:"AWS.Simple..."   awsQueryError code when it differs from the shape name
//	httpStatus:"404"          the error's HTTP status (from the model, default 400)
//	fault:"server"            the error is a server fault (5xx)
//	union:"true"              at most one member may be set
//	resultWrapper:"XResult"   query: the element wrapping an operation's output
//	                          (on output structs; absent in json models, where a
//	                          query codec uses "<Op>Result")
//
// Every member field carries:
//
//	name:"Bucket"             the member name in the model (used for validation
//	                          messages, json keys when no locationName, and tests)
//	location:"uri|querystring|header|headers|statusCode"   rest protocols only; absent = body
//	locationName:"x-amz-acl"  the wire name (header, query key, URI label, XML element,
//	                          query-protocol key, JSON key); absent = the member name
//	xmlName:"Attribute"       query and XML only: the wire name there when it differs
//	                          from the json one (SQS: its json model lost its query
//	                          names; internal/gen lays the old query model over it).
//	                          Query/XML codecs read xmlName, then locationName, then name
//	queryName:"X"             ec2 only
//	type:"string|character|integer|long|float|double|boolean|timestamp|blob|
//	      structure|list|map|document|jsonvalue|eventstream"
//	                          (eventstream: the Go type is any; an output payload is
//	                          written raw: the service sets an io.Reader of frames
//	                          encoded with internal/eventstream; inputs not carried)
//	enum:"BucketCannedACL"    the enum shape; its values are in the package's Enums function
//	required:"true"           the member is in the shape's required list
//	min:"1" max:"1024"        length (string, blob, list, map) or range (numbers) limits
//	timestampFormat:"iso8601|rfc822|unixTimestamp"   only when the model states one
//	flattened:"true"          XML list/map without a wrapper element
//	xmlAttribute:"true"       XML attribute rather than element
//	xmlURI:"ns" xmlPrefix:"xsi"   namespace declared on this element
//	streaming:"true"          the payload blob is a stream
//	jsonvalue:"true"          a header holding base64-encoded JSON
//	hostLabel:"true"          the member also appears in the host
//	idempotencyToken:"true"
//
// Lists and maps also carry the names of their parts:
//
//	memberName:"member"       a list element's locationName (default "member";
//	                          for a flattened list, the member's own locationName)
//	keyName:"key" valueName:"value"   a map's entry names (defaults "key"/"value")
//	memberEnum:"QueueAttributeName"   a list of enum strings: the element's enum shape
//	memberTimestampFormat:"rfc822"    a list of timestamps: the element's stated format
//	memberFlattened, memberType... are not needed: the element's Go type and its own
//	struct tags say the rest.
//
// Strings for enum values, limits and names are exactly as in the model.
//
// Every error shape has a Message *string field (name:"Message"), even when the
// model lists no message member (S3's NoSuchBucket): AWS sends one anyway. Its
// Error() is "<Code>: <Message>".
package api
