package dynamodb

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
)

// Stream records store items with only the members that are set, and read back
// (as dynamodbstreams reads them, with encoding/json) to the same values: empty
// strings, binaries, lists and maps included.
func TestMarshalItemRoundTrip(t *testing.T) {
	it := expr.Item{
		"s":     {S: api.String("x")},
		"empty": {S: api.String("")},
		"n":     {N: api.String("1.5")},
		"b":     {B: []byte{}},
		"ss":    {SS: []string{"a", "b"}},
		"null":  {NULL: api.Bool(true)},
		"m":     {M: map[string]*ddb.AttributeValue{"in": {BOOL: api.Bool(false)}, "none": {M: map[string]*ddb.AttributeValue{}}}},
		"l":     {L: []*ddb.AttributeValue{{N: api.String("2")}, {L: []*ddb.AttributeValue{}}}},
	}
	raw, err := marshalItem(it)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"b":{"B":""},"empty":{"S":""},"l":{"L":[{"N":"2"},{"L":[]}]},"m":{"M":{"in":{"BOOL":false},"none":{"M":{}}}},"n":{"N":"1.5"},"null":{"NULL":true},"s":{"S":"x"},"ss":{"SS":["a","b"]}}`; string(raw) != want {
		t.Errorf("marshalItem =\n%s\nwant\n%s", raw, want)
	}
	var back map[string]*ddb.AttributeValue
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(expr.Item(back), it) {
		t.Errorf("read back %v, want %v", back, it)
	}
}
