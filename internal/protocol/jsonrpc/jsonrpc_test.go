package jsonrpc

import (
	"context"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
)

type describeTableInput struct {
	_         struct{} `type:"structure"`
	TableName *string  `name:"TableName" type:"string" required:"true" min:"3" max:"255"`
}

type describeTableOutput struct {
	_         struct{} `type:"structure"`
	TableName *string  `name:"TableName" type:"string"`
	Count     *int64   `name:"ItemCount" type:"long"`
}

type resourceNotFoundException struct {
	_       struct{} `type:"structure" error:"true"`
	Message *string  `name:"message" type:"string"`
}

func (e *resourceNotFoundException) Error() string     { return api.ToString(e.Message) }
func (e *resourceNotFoundException) ErrorCode() string { return "ResourceNotFoundException" }
func (e *resourceNotFoundException) HTTPStatus() int   { return 400 }

type queueDoesNotExist struct {
	_       struct{} `type:"structure" error:"true" errCode:"AWS.SimpleQueueService.NonExistentQueue"`
	Message *string  `name:"message" type:"string"`
}

func (e *queueDoesNotExist) Error() string          { return api.ToString(e.Message) }
func (e *queueDoesNotExist) ErrorCode() string      { return "QueueDoesNotExist" }
func (e *queueDoesNotExist) HTTPStatus() int        { return 400 }
func (e *queueDoesNotExist) QueryErrorCode() string { return "AWS.SimpleQueueService.NonExistentQueue" }

func op(name string) *api.Operation {
	return &api.Operation{Name: name, HTTPMethod: "POST", RequestURI: "/",
		NewInput: func() any { return &describeTableInput{} }, NewOutput: func() any { return &describeTableOutput{} },
		Call: func(ctx context.Context, impl any, in any) (any, error) { return nil, nil }}
}

// dynamo and sqs carry the dialects of their service packages, written out here
// rather than imported: the codec must honour each field.
var dynamo = &api.Service{Name: "dynamodb", Protocols: []string{"json"}, JSONVersion: "1.0",
	TargetPrefix: "DynamoDB_20120810", Operations: []*api.Operation{op("DescribeTable"), op("ListTables")},
	Dialect: api.Dialect{MaxBody: 16 << 20, CRC32: true, Compress: true, Server: "Server",
		ErrorNamespace: "com.amazonaws.dynamodb.v20120810#"}}

var kinesis = &api.Service{Name: "kinesis", Protocols: []string{"json"}, JSONVersion: "1.1",
	TargetPrefix: "Kinesis_20131202", Operations: []*api.Operation{op("DescribeStream")}}

var sqs = &api.Service{Name: "sqs", Protocols: []string{"query", "json"}, JSONVersion: "1.0",
	TargetPrefix: "AmazonSQS", QueryCompatible: true, Operations: []*api.Operation{op("GetQueueUrl")},
	Dialect: api.Dialect{ErrorNamespace: "com.amazonaws.sqs#"}}

func request(target, body string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	return r
}

func TestRoute(t *testing.T) {
	tests := []struct {
		target string
		want   string // operation, or "" for UnknownOperationException
	}{
		{"DynamoDB_20120810.DescribeTable", "DescribeTable"},
		{"DynamoDB_20120810.ListTables", "ListTables"},
		{"DynamoDB_20120810.Nope", ""},
		{"Kinesis_20131202.DescribeTable", ""},
		{"DynamoDB_20120810", ""},
		{"", ""},
	}
	for _, tt := range tests {
		c := &protocol.Call{Service: dynamo}
		err := Codec{}.Route(c, request(tt.target, "{}"))
		got := ""
		if c.Op != nil {
			got = c.Op.Name
		}
		if got != tt.want || (tt.want == "") != IsUnknownOperation(err) {
			t.Errorf("Route(%q) = %q, %v, want %q", tt.target, got, err, tt.want)
		}
	}
}

func TestDecodeInput(t *testing.T) {
	tests := []struct {
		body, code, msg string
	}{
		{`{"TableName":"abc"}`, "", ""},
		{``, "ValidationException", "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"},
		{`{"TableName":"ab"}`, "ValidationException", "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{`{"TableName":5}`, "SerializationException", "NUMBER_VALUE cannot be converted to String"},
		{`not json`, "SerializationException", ""},
	}
	for _, tt := range tests {
		c := &protocol.Call{Service: dynamo}
		in := &describeTableInput{}
		err := Codec{}.DecodeInput(c, request("DynamoDB_20120810.DescribeTable", tt.body), in)
		if tt.code == "" {
			if err != nil {
				t.Errorf("DecodeInput(%s) = %v, want nil", tt.body, err)
			}
			continue
		}
		e, ok := err.(*api.Err)
		if !ok || e.Code != tt.code || (tt.msg != "" && e.Message != tt.msg) {
			t.Errorf("DecodeInput(%s) = %v, want %s: %s", tt.body, err, tt.code, tt.msg)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	c := &protocol.Call{Service: dynamo}
	body := `{"TableName":"` + strings.Repeat("a", 16<<20) + `"}`
	err := Codec{}.DecodeInput(c, request("DynamoDB_20120810.DescribeTable", body), &describeTableInput{})
	if e, ok := err.(*api.Err); !ok || e.Status != 413 {
		t.Errorf("DecodeInput(17 MB) = %v, want 413", err)
	}
}

func TestEncodeOutput(t *testing.T) {
	c := &protocol.Call{Service: dynamo, RequestID: "rid", ContentType: "application/x-amz-json-1.0"}
	w := httptest.NewRecorder()
	if err := (Codec{}).EncodeOutput(c, w, &describeTableOutput{TableName: api.String("t"), Count: api.Int64(3)}); err != nil {
		t.Fatal(err)
	}
	if got, want := w.Body.String(), `{"TableName":"t","ItemCount":3}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
	for k, want := range map[string]string{
		"Content-Type":     "application/x-amz-json-1.0",
		"x-amzn-RequestId": "rid",
		"x-amz-crc32":      strconv.FormatUint(uint64(crc32.ChecksumIEEE(w.Body.Bytes())), 10),
		"Server":           "Server", // DynamoDB's, on every answer
	} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}

	w = httptest.NewRecorder()
	c = &protocol.Call{Service: kinesis, ContentType: "text/plain"} // not a JSON type: the model's version
	Codec{}.EncodeOutput(c, w, (*describeTableOutput)(nil))
	if got, want := w.Body.String(), `{}`; got != want {
		t.Errorf("nil output body = %s, want %s", got, want)
	}
	if got, want := w.Header().Get("Content-Type"), "application/x-amz-json-1.1"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	if got := w.Header().Get("x-amz-crc32"); got != "" {
		t.Errorf("kinesis x-amz-crc32 = %q, want none", got)
	}
	if got := w.Header().Get("Server"); got != "" {
		t.Errorf("kinesis Server = %q, want none", got)
	}
}

func TestEncodeError(t *testing.T) {
	tests := []struct {
		name       string
		svc        *api.Service
		err        error
		status     int
		body       string
		queryError string
	}{
		{"dynamodb modeled", dynamo, &resourceNotFoundException{Message: api.String("Requested resource not found")}, 400,
			`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`, ""},
		{"dynamodb coral validation", dynamo, &api.Err{Code: "ValidationException", Status: 400, Message: "bad"}, 400,
			`{"__type":"com.amazon.coral.validate#ValidationException","message":"bad"}`, ""},
		{"dynamodb unknown op", dynamo, unknownOperation(), 400,
			`{"__type":"com.amazon.coral.service#UnknownOperationException"}`, ""},
		{"kinesis bare", kinesis, &resourceNotFoundException{Message: api.String("Stream s not found")}, 400,
			`{"__type":"ResourceNotFoundException","message":"Stream s not found"}`, ""},
		{"internal", kinesis, errBoom{}, 500,
			`{"__type":"InternalError","message":"We encountered an internal error. Please try again."}`, ""},
		{"sqs query compatible", sqs, &queueDoesNotExist{Message: api.String("The specified queue does not exist.")}, 400,
			`{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`,
			"AWS.SimpleQueueService.NonExistentQueue;Sender"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			Codec{}.EncodeError(&protocol.Call{Service: tt.svc}, w, tt.err)
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			if got := w.Body.String(); got != tt.body {
				t.Errorf("body = %s, want %s", got, tt.body)
			}
			if got := w.Header().Get("x-amzn-query-error"); got != tt.queryError {
				t.Errorf("x-amzn-query-error = %q, want %q", got, tt.queryError)
			}
			if got := w.Header().Get("x-amzn-ErrorType"); got == "" {
				t.Errorf("x-amzn-ErrorType missing")
			}
		})
	}
}

type errBoom struct{}

func (errBoom) Error() string { return "boom" }

// AWS's JSON front end answers in the JSON type it was asked in, and in
// application/json when the request named none.
func TestAnswerContentType(t *testing.T) {
	for _, tc := range []struct{ asked, want string }{
		{"application/json", "application/json"},
		{"application/x-amz-json-1.0", "application/x-amz-json-1.0"},
		{"", "application/json"},
		{"text/plain", "application/x-amz-json-1.0"},
	} {
		w := httptest.NewRecorder()
		Codec{}.EncodeError(&protocol.Call{Service: dynamo, ContentType: tc.asked}, w, unknownOperation())
		if got := w.Header().Get("Content-Type"); got != tc.want {
			t.Errorf("asked %q: Content-Type = %q, want %q", tc.asked, got, tc.want)
		}
	}
}
