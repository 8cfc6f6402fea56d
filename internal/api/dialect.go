package api

import "io"

// Dialect is how one service departs from what its protocol does by default:
// the places where AWS's services, speaking the same protocol, still answer
// differently. Codecs and the gateway read it from Service.Dialect and never
// test a service's name, so a new service states its own ways here instead of
// adding a branch to shared code. The zero value is the protocol's plain
// behaviour. A service package declares its Dialect as static data and
// internal/services/all sets it on the model before the first server starts.
type Dialect struct {
	// RequestID is the shape of the request ids the service's clients see.
	RequestID RequestIDStyle

	// Routing (gateway).

	// Unsigned marks the service that answers requests carrying no clue of
	// their service at all (no signature, target or Action): S3's anonymous
	// reads and browser POST uploads.
	Unsigned bool
	// BareJSON marks the JSON service that answers an unsigned POST / of JSON
	// (or of nothing) without X-Amz-Target, and a browser's CORS preflight of /.
	BareJSON bool
	// VirtualHosts: requests to <bucket>.<EndpointPrefix>.<host> and
	// <bucket>.localhost are rewritten to path style (/<bucket>/...).
	VirtualHosts bool
	// EarlyContinue: a signed request with Expect: 100-continue and no body gets
	// its interim 100 Continue before any answer (S3 does; botocore leaves the
	// connection out of step without it, boto/botocore#3755).
	EarlyContinue bool
	// CORS says who answers browsers' cross-origin requests.
	CORS CORSStyle
	// PseudoOperations are requests the model does not describe, which the
	// service still answers (S3's browser POST upload, its CORS preflight):
	// operations of the service's own, with input and output types carrying
	// the same struct tags as generated ones. Rest protocols route them after
	// the model's operations.
	PseudoOperations []*Operation

	// Bodies and answers (json protocol).

	// CheckJSON, when set, judges a json request's body before the codec
	// decodes it (DynamoDB words type errors, and some validation, its own
	// way): it returns an error to answer, or a body to decode in place of the
	// one sent (nil: the one sent). parsed is the body already parsed (numbers
	// as json.Number) when isParsed. value is the body as it parsed it for
	// the operation's input (nil: not parsed), which the codec then assigns
	// rather than parse the body again. Compressed bodies are not shown to it.
	CheckJSON func(op *Operation, account string, body []byte, parsed any, isParsed bool) (replace []byte, value any, err error)
	// MaxBody is the largest request body the service accepts (0: 64 MiB, well
	// above the stated payload limits of the services that state none).
	MaxBody int64
	// CRC32 adds X-Amz-Crc32, the CRC32 of the body as sent, which the SDKs
	// check (and retry on a mismatch).
	CRC32 bool
	// Compress gzips or deflates large answers for clients that accept it.
	Compress bool
	// Server is the Server header of every answer ("" for none).
	Server string

	// XML (rest-xml and query).

	// XMLNamespace is the xmlns of response roots when the model states none.
	XMLNamespace string
	// TimestampMillis writes XML timestamps with milliseconds.
	TimestampMillis bool
	// ResponseRoot names the root element of an operation's output when the
	// model names none ("": the default "<Operation>Result").
	ResponseRoot func(op string) string
	// NoContent are operations that answer 204 although the model states no
	// response code.
	NoContent []string

	// Errors.

	// Validation is how violations of the model are worded.
	Validation ValidationStyle
	// MissingParameter is the message of a missing required member under
	// ValidationParameter, with %s for the member's name.
	MissingParameter string
	// ErrorNamespace qualifies the __type of json and CBOR errors
	// ("com.amazonaws.dynamodb.v20120810#"); "" sends the bare code.
	ErrorNamespace string
	// ErrorMessageKey is the JSON key of a rest-json error's message ("" for
	// "message").
	ErrorMessageKey string
	// ErrorType adds "Type": "User" or "Service" to rest-json error bodies.
	ErrorType bool
}

// RequestIDStyle is the shape of a service's request ids.
type RequestIDStyle int

const (
	// RequestIDUUID is a lower-case UUID in x-amzn-RequestId, as AWS's JSON
	// and query services send.
	RequestIDUUID RequestIDStyle = iota
	// RequestIDHex is 16 upper-case hex digits in x-amz-request-id, with an
	// x-amz-id-2 host id derived from it, and errors as a bare <Error>
	// document carrying both.
	RequestIDHex
	// RequestIDAlnum is 52 upper-case letters and digits.
	RequestIDAlnum
)

// CORSStyle says how a service answers browsers' cross-origin requests.
type CORSStyle int

const (
	// CORSAnyOrigin lets any origin read every answer, and the gateway answers
	// preflights itself, as AWS's JSON and query services do.
	CORSAnyOrigin CORSStyle = iota
	// CORSService leaves both to the service (S3 answers from each bucket's
	// CORS configuration), through its pseudo-operations.
	CORSService
)

// ValidationStyle is how a service words violations of its model.
type ValidationStyle int

const (
	// ValidationCoral lists the violations in one error, as AWS's Coral
	// validator does (ValidationException, ValidationError, InvalidInput by
	// protocol).
	ValidationCoral ValidationStyle = iota
	// ValidationArgument is a service without Coral's validator: a violation in
	// the body is MalformedXML, a bad header or query value an InvalidArgument
	// naming it (ArgumentName, ArgumentValue).
	ValidationArgument
	// ValidationParameter names the first missing member (MissingParameter,
	// worded by MissingParameter) or bad value (InvalidParameterValue).
	ValidationParameter
)

// Trailing is what a streaming input body offers when its request announced
// trailing headers (x-amz-trailer, as SDKs send flexible checksums of
// aws-chunked bodies): the rest codecs hand the operation such a body, so that
// it can learn which trailer will come before it reads, and its value after.
type Trailing interface {
	io.Reader
	// Announced is the request's x-amz-trailer value: the trailer's name.
	Announced() string
	// Trailer is the named trailing header's value, once the body has been
	// read to its end ("" before, or when none came).
	Trailer(name string) string
}

// MessageKeyer is implemented by errors whose JSON body names the message
// otherwise than the protocol's "message" (DynamoDB's front end writes
// "Message" for the type errors it finds).
type MessageKeyer interface {
	MessageKey() string
}
