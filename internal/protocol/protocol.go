// Package protocol is the contract between the gateway and the five AWS wire
// protocols. Each protocol lives in its own subpackage (restxml, restjson, jsonrpc,
// query, rpcv2cbor) and implements Codec over the generated types of internal/api,
// reading their struct tags (see internal/api's package doc for the tag vocabulary).
//
// A codec does the client SDK's job in reverse: it decodes an HTTP request into an
// input struct, and encodes an output struct or an error as the HTTP response an SDK
// expects. Validation the model states (required members, enums, lengths, ranges) is
// done once, here, by Validate, for every service.
package protocol

import (
	"net/http"

	"github.com/fogbank/fogbank/internal/api"
)

// Call is what the gateway knows about one request when it hands it to a codec.
type Call struct {
	Service   *api.Service
	Op        *api.Operation // nil until Route found it (and when it could not)
	Protocol  string         // the protocol this request was sent in
	RequestID string
	Account   string
	Region    string
	// Labels are the URI template labels of a rest operation, unescaped:
	// {"Bucket": "b", "Key": "a/b c"}.
	Labels map[string]string
	// ContentType is the media type of the request ("application/json"), without
	// parameters: JSON services answer in the type they were asked in.
	ContentType string
	// AcceptEncoding is the request's first Accept-Encoding line (DynamoDB
	// reads no other): it compresses large answers for clients that accept it.
	AcceptEncoding string
}

// Codec is one AWS protocol.
type Codec interface {
	// Name is the protocol's name in the models: "rest-xml", "json", ...
	Name() string
	// Route finds the operation a request is for: from X-Amz-Target, the Action
	// field, the CBOR path, or the method and URI templates. It fills c.Op and,
	// for rest protocols, c.Labels. An error is an api.Error to send back
	// (e.g. UnknownOperationException), written with EncodeError.
	Route(c *Call, r *http.Request) error
	// DecodeInput fills in, a pointer to the operation's input struct, from r,
	// then validates it. Errors are api.Errors in the service's own words
	// (SerializationException, ValidationException, MalformedXML, ...).
	DecodeInput(c *Call, r *http.Request, in any) error
	// EncodeOutput writes out (a pointer to the output struct; may be a nil pointer)
	// as the whole response, status included.
	EncodeOutput(c *Call, w http.ResponseWriter, out any) error
	// EncodeError writes err as the protocol's error response. Errors that are not
	// api.Errors are written as 500 InternalError.
	EncodeError(c *Call, w http.ResponseWriter, err error)
}

// Protocols names, as the models spell them.
const (
	RestXML   = "rest-xml"
	RestJSON  = "rest-json"
	JSON      = "json"
	Query     = "query"
	EC2       = "ec2"
	RPCv2CBOR = "smithy-rpc-v2-cbor"
)
