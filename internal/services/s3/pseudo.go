package s3

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/gateway"
)

// S3 answers two kinds of request its model does not describe: browser POST
// uploads and CORS preflights. They are pseudo-operations, with input and output
// types tagged as generated ones are, so that the rest-xml codec decodes and
// encodes them and the gateway's interceptor chain sees them as it sees any
// operation.

// PostObjectInput is a browser-based upload: POST /<bucket> with a
// multipart/form-data body of fields, a signed policy, then the file.
type PostObjectInput struct {
	_           struct{}  `type:"structure" payload:"Body"`
	Bucket      *string   `name:"Bucket" location:"uri" locationName:"Bucket" type:"string" required:"true"`
	ContentType *string   `name:"ContentType" location:"header" locationName:"Content-Type" type:"string"`
	Body        io.Reader `name:"Body" type:"blob" streaming:"true"`
}

// PostObjectOutput is the answer to an upload: 204 by default, 200, 201 with a
// PostResponse document, or a 303 redirect, as the form asks.
type PostObjectOutput struct {
	_             struct{}      `type:"structure" payload:"Body"`
	Status        *int64        `name:"Status" location:"statusCode" type:"integer"`
	ETag          *string       `name:"ETag" location:"header" locationName:"ETag" type:"string"`
	Location      *string       `name:"Location" location:"header" locationName:"Location" type:"string"`
	VersionId     *string       `name:"VersionId" location:"header" locationName:"x-amz-version-id" type:"string"`
	ContentType   *string       `name:"ContentType" location:"header" locationName:"Content-Type" type:"string"`
	ContentLength *int64        `name:"ContentLength" location:"header" locationName:"Content-Length" type:"long"`
	Body          io.ReadCloser `name:"Body" type:"blob" streaming:"true"`
}

// PreflightRequestInput is a browser's CORS preflight: OPTIONS on a bucket or
// an object, naming the origin, method and headers of the request to come.
type PreflightRequestInput struct {
	_              struct{} `type:"structure"`
	Bucket         *string  `name:"Bucket" location:"uri" locationName:"Bucket" type:"string"`
	Key            *string  `name:"Key" location:"uri" locationName:"Key" type:"string"`
	Origin         *string  `name:"Origin" location:"header" locationName:"Origin" type:"string"`
	RequestMethod  *string  `name:"RequestMethod" location:"header" locationName:"Access-Control-Request-Method" type:"string"`
	RequestHeaders *string  `name:"RequestHeaders" location:"header" locationName:"Access-Control-Request-Headers" type:"string"`
}

// PreflightRequestOutput is what the bucket's CORS rules allow.
type PreflightRequestOutput struct {
	_                struct{} `type:"structure"`
	AllowOrigin      *string  `name:"AllowOrigin" location:"header" locationName:"Access-Control-Allow-Origin" type:"string"`
	AllowMethods     *string  `name:"AllowMethods" location:"header" locationName:"Access-Control-Allow-Methods" type:"string"`
	AllowHeaders     *string  `name:"AllowHeaders" location:"header" locationName:"Access-Control-Allow-Headers" type:"string"`
	ExposeHeaders    *string  `name:"ExposeHeaders" location:"header" locationName:"Access-Control-Expose-Headers" type:"string"`
	MaxAge           *string  `name:"MaxAge" location:"header" locationName:"Access-Control-Max-Age" type:"string"`
	AllowCredentials *string  `name:"AllowCredentials" location:"header" locationName:"Access-Control-Allow-Credentials" type:"string"`
	Vary             *string  `name:"Vary" location:"header" locationName:"Vary" type:"string"`
}

// S3's requests without a model operation, routed after the model's (the
// dialect's PseudoOperations): browser POST uploads and CORS preflights.
var (
	postObjectOp = api.Operation{Name: "PostObject", HTTPMethod: http.MethodPost, RequestURI: "/{Bucket}", AuthType: "none",
		NewInput:  func() any { return &PostObjectInput{} },
		NewOutput: func() any { return &PostObjectOutput{} },
		Call: func(ctx context.Context, impl any, in any) (any, error) {
			return impl.(*Service).PostObject(ctx, in.(*PostObjectInput))
		}}
	preflightObjectOp = api.Operation{Name: "PreflightRequest", HTTPMethod: http.MethodOptions, RequestURI: "/{Bucket}/{Key+}", AuthType: "none",
		NewInput: newPreflightInput, NewOutput: newPreflightOutput, Call: callPreflight}
	preflightBucketOp = api.Operation{Name: "PreflightRequest", HTTPMethod: http.MethodOptions, RequestURI: "/{Bucket}", AuthType: "none",
		NewInput: newPreflightInput, NewOutput: newPreflightOutput, Call: callPreflight}
	preflightRootOp = api.Operation{Name: "PreflightRequest", HTTPMethod: http.MethodOptions, RequestURI: "/", AuthType: "none",
		NewInput: newPreflightInput, NewOutput: newPreflightOutput, Call: callPreflight}
)

func newPreflightInput() any  { return &PreflightRequestInput{} }
func newPreflightOutput() any { return &PreflightRequestOutput{} }
func callPreflight(ctx context.Context, impl any, in any) (any, error) {
	return impl.(*Service).PreflightRequest(ctx, in.(*PreflightRequestInput))
}

var _ gateway.Intercepting = (*Service)(nil)

// Intercept is S3's own step for every request, inside the gateway's chain: the
// bucket's CORS headers on any request from a browser (S3 sends them on errors
// too), the refusal of encryption headers on reads, and the customer key's
// algorithm and MD5 echoed by CompleteMultipartUpload (its model has no members
// for them).
func (s *Service) Intercept(ctx context.Context, inv *gateway.Invocation, next gateway.Handler) (any, error) {
	h := inv.Header
	if origin := h.Get("Origin"); origin != "" && inv.Operation != "PreflightRequest" {
		s.corsActual(inv.ResponseHeader, bucketOf(inv.Input), origin, h.Get("Access-Control-Request-Method"), inv.Op.HTTPMethod)
	}
	switch inv.Op.HTTPMethod {
	case http.MethodGet, http.MethodHead:
		if v := h.Get("X-Amz-Server-Side-Encryption"); v != "" && strings.Contains(inv.Op.RequestURI, "{Key+}") {
			// S3 refuses SSE headers on reads: the object says how it is encrypted.
			return nil, errInvalidArgument("x-amz-server-side-encryption header is not supported for this operation.", "x-amz-server-side-encryption", v)
		}
	}
	if inv.Operation == "CompleteMultipartUpload" {
		if a := h.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm"); a != "" {
			inv.ResponseHeader.Set("X-Amz-Server-Side-Encryption-Customer-Algorithm", a)
			inv.ResponseHeader.Set("X-Amz-Server-Side-Encryption-Customer-Key-Md5", h.Get("X-Amz-Server-Side-Encryption-Customer-Key-Md5"))
		}
	}
	return next(ctx, inv)
}

// bucketOf is the Bucket member of an S3 input, or "".
func bucketOf(in any) string {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	f := v.Elem().FieldByName("Bucket")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.String {
		return ""
	}
	return f.Elem().String()
}
