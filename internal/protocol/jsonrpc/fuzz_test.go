package jsonrpc

import (
	"testing"

	"github.com/fogbank/fogbank/internal/protocol"
)

type fuzzAttr struct {
	_ struct{}             `type:"structure"`
	S *string              `name:"S" type:"string"`
	N *string              `name:"N" type:"string"`
	B []byte               `name:"B" type:"blob"`
	L []*fuzzAttr          `name:"L" type:"list"`
	M map[string]*fuzzAttr `name:"M" type:"map" min:"1"`
}

type fuzzInput struct {
	_         struct{}             `type:"structure"`
	TableName *string              `name:"TableName" type:"string" required:"true" min:"3"`
	Item      map[string]*fuzzAttr `name:"Item" type:"map"`
	Limit     *int64               `name:"Limit" type:"integer" min:"1" max:"100"`
	Ratio     *float64             `name:"Ratio" type:"double"`
	When      *string              `name:"When" type:"string" enum:"Mode"`
	Doc       any                  `name:"Doc" type:"document"`
	Tags      []string             `name:"Tags" type:"list" max:"3"`
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"TableName":"abc","Item":{"a":{"S":"x"},"b":{"L":[{"N":"1"},{"M":{"c":{"B":"aGk="}}}]}}}`,
		`{"Limit":1e400,"Ratio":"NaN","Doc":{"x":[1,2,{"y":null}]},"Tags":["a","b","c","d"]}`,
		`{"TableName":7}`, `[]`, `null`, `{"Item":{"a":null}}`, `{"Limit":-0.5}`,
	} {
		f.Add([]byte(s))
	}
	svc := *dynamo
	svc.Enums = func(shape string) []string {
		if shape == "Mode" {
			return []string{"A", "B"}
		}
		return nil
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &protocol.Call{Service: &svc}
		in := &fuzzInput{}
		_ = Codec{}.DecodeInput(c, request("DynamoDB_20120810.DescribeTable", string(body)), in)
	})
}
