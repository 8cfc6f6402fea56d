package dynamodb

import (
	"errors"
	"strings"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
)

// A wrongly typed value is answered in DynamoDB's words (with "Message" for its
// type errors); a good body is left, whole, to the codec.
func TestCheckJSON(t *testing.T) {
	cases := []struct {
		op, body string
		code     string // "" when the body passes
		want     string // in the message
		key      string // the message's JSON key
	}{
		{"GetItem", `{"TableName": true, "Key": {"a": {"S": "x"}}}`, "SerializationException", "TRUE_VALUE cannot be converted to String", "Message"},
		{"GetItem", `{"TableName": "abc", "Key": "x"}`, "SerializationException", "Unexpected field type", "Message"},
		{"PutItem", `{"TableName": "abc", "Item": {"a": 5}}`, "SerializationException", "Unexpected value type in payload", "Message"},
		{"GetItem", `{"TableName": "a;", "Key": {"a": {"S": "x"}}}`, "ValidationException", "Member must satisfy regular expression pattern", "message"},
		{"GetItem", `{"TableName": "abc", "Key": {"a": {"S": "x"}}}`, "", "", ""},
		{"PutItem", `{"TableName": "abc", "Item": {"a": {"NULL": "no"}}}`, "", "", ""},
	}
	for _, c := range cases {
		_, _, err := checkJSON(ddb.Service.Op(c.op), "000000000000", []byte(c.body), nil, false)
		if c.code == "" {
			if err != nil {
				t.Errorf("checkJSON(%s) = %v, want it passed to the codec", c.body, err)
			}
			continue
		}
		var ae *api.Err
		if !errors.As(err, &ae) || ae.Code != c.code || !strings.Contains(ae.Message, c.want) {
			t.Errorf("checkJSON(%s) = %v, want %s: ...%s...", c.body, err, c.code, c.want)
			continue
		}
		key := "message"
		if mk, ok := err.(api.MessageKeyer); ok {
			key = mk.MessageKey()
		}
		if key != c.key {
			t.Errorf("checkJSON(%s): message key %q, want %q", c.body, key, c.key)
		}
	}
	// NULL given as a string is rewritten to the boolean DynamoDB reads it as.
	got, _, err := checkJSON(ddb.Service.Op("PutItem"), "000000000000", []byte(`{"TableName":"abc","Item":{"a":{"NULL":"no"}}}`), nil, false)
	if err != nil || !strings.Contains(string(got), `"NULL":false`) {
		t.Errorf("NULL as a string: %s, %v; want it rewritten to false", got, err)
	}
}

func BenchmarkCheckJSONPutItem(b *testing.B) {
	body := []byte(`{"TableName":"loadtbl","Item":{"pk":{"S":"put-1-2"},"name":{"S":"some-small-string-value-0123456789"},"n":{"N":"42"}}}`)
	op := ddb.Service.Op("PutItem")
	for i := 0; i < b.N; i++ {
		if _, _, err := checkJSON(op, "000000000000", body, nil, false); err != nil {
			b.Fatal(err)
		}
	}
}
