package dynamodb

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func rawRequest(target, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810."+target)
	return r
}

// A wrongly typed value is answered in DynamoDB's words; a good body is left,
// whole, to the codec.
func TestServeRaw(t *testing.T) {
	s := &Service{}
	cases := []struct {
		target, body string
		handled      bool
		want         string
	}{
		{"GetItem", `{"TableName": true, "Key": {"a": {"S": "x"}}}`, true, `"Message":"TRUE_VALUE cannot be converted to String"`},
		{"GetItem", `{"TableName": "abc", "Key": "x"}`, true, `"Message":"Unexpected field type"`},
		{"PutItem", `{"TableName": "abc", "Item": {"a": 5}}`, true, `"Message":"Unexpected value type in payload"`},
		{"GetItem", `{"TableName": "a;", "Key": {"a": {"S": "x"}}}`, true, `Member must satisfy regular expression pattern`},
		{"GetItem", `{"TableName": "abc", "Key": {"a": {"S": "x"}}}`, false, ""},
		{"PutItem", `{"TableName": "abc", "Item": {"a": {"NULL": "no"}}}`, false, ""},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		r := rawRequest(c.target, c.body)
		got := s.ServeRaw(context.Background(), w, r)
		if got != c.handled {
			t.Errorf("ServeRaw(%s) = %v, want %v (body %s)", c.body, got, c.handled, w.Body.String())
			continue
		}
		if c.handled && !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("ServeRaw(%s) body = %s, want it to contain %s", c.body, w.Body.String(), c.want)
		}
	}
}

func BenchmarkServeRawPutItem(b *testing.B) {
	s := &Service{}
	body := `{"TableName":"loadtbl","Item":{"pk":{"S":"put-1-2"},"name":{"S":"some-small-string-value-0123456789"},"n":{"N":"42"}}}`
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		if s.ServeRaw(context.Background(), w, rawRequest("PutItem", body)) {
			b.Fatal("handled a good request")
		}
	}
}
