package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
)

// Service describes one AWS service as its model states it.
type Service struct {
	Name            string   // the package name under internal/api: "s3", "dynamodbstreams", "cloudwatch"
	ServiceID       string   // the model's serviceId: "S3", "CloudWatch"
	EndpointPrefix  string   // "s3", "monitoring", "streams.dynamodb"
	SigningName     string   // the SigV4 credential-scope service: "s3", "monitoring", "dynamodb"
	APIVersion      string   // "2006-03-01"
	Protocols       []string // in the model's order: "rest-xml", "rest-json", "json", "query", "ec2", "smithy-rpc-v2-cbor"
	JSONVersion     string   // "1.0" or "1.1" for the json protocol
	TargetPrefix    string   // the X-Amz-Target prefix of the json protocol: "DynamoDB_20120810"
	XMLNamespace    string   // the xmlns of query and rest-xml responses
	QueryCompatible bool     // the model has awsQueryCompatible: json errors also carry the query code
	// Dialect is how the service departs from its protocols' plain behaviour;
	// set by the service's package (see Dialect).
	Dialect Dialect

	Operations []*Operation // sorted by Name
	// Enums returns an enum shape's values (nil for other shapes), for
	// validation; generated as a function so that nothing is built at start.
	Enums func(shape string) []string
	// NewError returns a new, empty value of the named error shape, or nil. Codecs
	// use it nowhere on the server side except tests; services return typed errors.
	NewError func(code string) error
}

// Operation describes one operation and binds it to the service's implementation.
type Operation struct {
	Name             string
	HTTPMethod       string   // "PUT"
	RequestURI       string   // "/{Bucket}/{Key+}?uploads"
	ResponseCode     int      // the model's http.responseCode; 0 means 200
	AuthType         string   // "none", "v4-unsigned-body", or "" (SigV4)
	ChecksumRequired bool     // httpChecksumRequired or httpChecksum.requestChecksumRequired
	Errors           []string // the error shapes the model lists

	// NewInput and NewOutput return a pointer to a new zero input or output struct.
	// An operation without an input or output in the model still gets an empty struct.
	NewInput  func() any
	NewOutput func() any
	// Call invokes the operation on impl, which implements the package's API
	// interface. in is what NewInput returned, decoded.
	Call func(ctx context.Context, impl any, in any) (any, error)
}

// Op finds an operation by name; nil when the service has none by that name.
func (s *Service) Op(name string) *Operation {
	i := sort.Search(len(s.Operations), func(i int) bool { return s.Operations[i].Name >= name })
	if i < len(s.Operations) && s.Operations[i].Name == name {
		return s.Operations[i]
	}
	return nil
}

// HasProtocol tells whether clients may speak protocol p to the service.
func (s *Service) HasProtocol(p string) bool {
	for _, q := range s.Protocols {
		if q == p {
			return true
		}
	}
	return false
}

// Error is an error with an AWS error code and HTTP status. Generated error shapes
// implement it, and so does *Err. Codecs write any Error in the protocol's format;
// any other error becomes a 500 InternalError (its text goes to the log, not the client).
type Error interface {
	error
	ErrorCode() string // the code clients match on: "NoSuchBucket", "ValidationException"
	HTTPStatus() int
}

// QueryCoder is implemented by errors whose query-protocol code differs from their
// shape name (the awsQueryError trait, e.g. SQS's "AWS.SimpleQueueService.NonExistentQueue").
type QueryCoder interface {
	QueryErrorCode() string
}

// Faulter is implemented by errors that say who is at fault: "client" or "server".
type Faulter interface {
	Fault() string
}

// Err is an AWS error that has no shape of its own in the model: validation,
// authentication, throttling, NotImplemented. Extra holds further fields some
// protocols carry beside Code and Message (S3's <BucketName>, <Key>, <Resource>...),
// written in order.
type Err struct {
	Code    string
	Message string
	Status  int
	Extra   []Field
}

// Field is one extra named value in an error body.
type Field struct{ Name, Value string }

func (e *Err) Error() string     { return e.Code + ": " + e.Message }
func (e *Err) ErrorCode() string { return e.Code }
func (e *Err) HTTPStatus() int   { return e.Status }
func (e *Err) Fault() string {
	if e.Status >= 500 {
		return "server"
	}
	return "client"
}

// With returns e with one more extra field.
func (e *Err) With(name, value string) *Err {
	e.Extra = append(e.Extra, Field{name, value})
	return e
}

// Errorf makes an *Err.
func Errorf(status int, code, format string, args ...any) *Err {
	return &Err{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

// NotImplemented is what an operation fogbank does not implement answers.
func NotImplemented(service, operation string) *Err {
	return &Err{
		Code:    "NotImplemented",
		Status:  http.StatusNotImplemented,
		Message: fmt.Sprintf("fogbank does not implement %s:%s yet", service, operation),
	}
}

// InternalError is the error a client sees for a failure that is fogbank's fault.
// The cause goes to the log, never to the client.
func InternalError() *Err {
	return &Err{Code: "InternalError", Status: http.StatusInternalServerError,
		Message: "We encountered an internal error. Please try again."}
}

// Pointer helpers for building generated values.

func String(s string) *string    { return &s }
func Int64(n int64) *int64       { return &n }
func Float64(f float64) *float64 { return &f }
func Bool(b bool) *bool          { return &b }
func ToString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
func ToInt64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
func ToBool(p *bool) bool { return p != nil && *p }
