package restjson

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/protocol"
)

func TestLambdaInvoke(t *testing.T) {
	r := httptest.NewRequest("POST", "/2015-03-31/functions/my-fn/invocations?Qualifier=live", strings.NewReader(`{"k":1}`))
	r.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	c := &protocol.Call{Service: lambda.Service, RequestID: "rid"}
	if err := (Codec{}).Route(c, r); err != nil || c.Op.Name != "Invoke" {
		t.Fatalf("Route = %v, %v", c.Op, err)
	}
	in := c.Op.NewInput().(*lambda.InvocationRequest)
	if err := (Codec{}).DecodeInput(c, r, in); err != nil {
		t.Fatal(err)
	}
	if got, want := string(in.Payload), `{"k":1}`; got != want {
		t.Errorf("Payload = %s, want %s", got, want)
	}
	if got, want := api.ToString(in.FunctionName)+" "+api.ToString(in.Qualifier)+" "+api.ToString(in.InvocationType), "my-fn live RequestResponse"; got != want {
		t.Errorf("bound = %q, want %q", got, want)
	}

	w := httptest.NewRecorder()
	out := &lambda.InvocationResponse{StatusCode: api.Int64(200), ExecutedVersion: api.String("$LATEST"), Payload: []byte(`"ok"`)}
	if err := (Codec{}).EncodeOutput(c, w, out); err != nil {
		t.Fatal(err)
	}
	if w.Code != 200 || w.Body.String() != `"ok"` || w.Header().Get("X-Amz-Executed-Version") != "$LATEST" {
		t.Errorf("response = %d %q %v", w.Code, w.Body.String(), w.Header())
	}
}

// A 204 (DeleteFunction's) has no body, not "{}": net/http refuses to
// write one.
func TestNoContentHasNoBody(t *testing.T) {
	r := httptest.NewRequest("DELETE", "/2015-03-31/functions/f", nil)
	c := &protocol.Call{Service: lambda.Service}
	if err := (Codec{}).Route(c, r); err != nil || c.Op.Name != "DeleteFunction" {
		t.Fatalf("Route = %v, %v", c.Op, err)
	}
	w := httptest.NewRecorder()
	if err := (Codec{}).EncodeOutput(c, w, &lambda.DeleteFunctionResponse{StatusCode: api.Int64(204)}); err != nil {
		t.Fatal(err)
	}
	if w.Code != 204 || w.Body.Len() != 0 {
		t.Errorf("response = %d %q, want 204 and no body", w.Code, w.Body.String())
	}
}

func TestLambdaJSONBody(t *testing.T) {
	r := httptest.NewRequest("POST", "/2015-03-31/functions", strings.NewReader(`{"FunctionName":"f","Role":"arn:aws:iam::123456789012:role/r","Runtime":"python3.12","Handler":"h.h","Code":{"ZipFile":"UEsDBA=="},"Timeout":"x"}`))
	c := &protocol.Call{Service: lambda.Service}
	if err := (Codec{}).Route(c, r); err != nil {
		t.Fatal(err)
	}
	err := Codec{}.DecodeInput(c, r, c.Op.NewInput())
	if e, ok := err.(*api.Err); !ok || e.Code != "SerializationException" || e.Message != "STRING_VALUE cannot be converted to Integer" {
		t.Errorf("DecodeInput = %v, want SerializationException", err)
	}
}

func TestLambdaErrors(t *testing.T) {
	tests := []struct {
		err    error
		status int
		body   string
	}{
		{&lambda.ResourceNotFoundException{Type: api.String("User"), Message: api.String("Function not found: arn:aws:lambda:us-east-1:123456789012:function:f")}, 404,
			`{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:f"}`},
		{&lambda.ResourceNotFoundException{Message: api.String("gone")}, 404, `{"Type":"User","Message":"gone"}`},
		{&api.Err{Code: "ValidationException", Status: 400, Message: "bad"}, 400, `{"Type":"User","Message":"bad"}`},
		{api.NotImplemented("lambda", "X"), 501, `{"Type":"Service","Message":"fogbank does not implement lambda:X yet"}`},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		Codec{}.EncodeError(&protocol.Call{Service: lambda.Service}, w, tt.err)
		if w.Code != tt.status || w.Body.String() != tt.body {
			t.Errorf("EncodeError(%v) = %d %s, want %d %s", tt.err, w.Code, w.Body.String(), tt.status, tt.body)
		}
		if got := w.Header().Get("x-amzn-ErrorType"); got != tt.err.(api.Error).ErrorCode() {
			t.Errorf("x-amzn-ErrorType = %q", got)
		}
	}
}

func FuzzDecodeRESTJSON(f *testing.F) {
	for _, s := range []string{
		`{"FunctionName":"f","Role":"r","Code":{"ZipFile":"UEsDBA=="},"Environment":{"Variables":{"A":"b"}},"Timeout":3}`,
		`{"Layers":["a"],"Tags":{"x":"y"},"MemorySize":1e3}`, `[]`, `{"Code":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/2015-03-31/functions", strings.NewReader(string(body)))
		c := &protocol.Call{Service: lambda.Service}
		if err := (Codec{}).Route(c, r); err != nil {
			t.Fatal(err)
		}
		_ = Codec{}.DecodeInput(c, r, c.Op.NewInput())
	})
}
