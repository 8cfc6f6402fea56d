package protocol

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fogbank/fogbank/internal/api"
)

type vKeySchemaElement struct {
	_             struct{} `type:"structure"`
	AttributeName *string  `name:"AttributeName" type:"string" required:"true" min:"1" max:"255"`
	KeyType       *string  `name:"KeyType" type:"string" required:"true" enum:"KeyType"`
}

type vCreateTableInput struct {
	_           struct{}                      `type:"structure"`
	TableName   *string                       `name:"TableName" type:"string" required:"true" min:"3" max:"255"`
	KeySchema   []*vKeySchemaElement          `name:"KeySchema" type:"list" required:"true" min:"1" max:"2"`
	BillingMode *string                       `name:"BillingMode" type:"string" enum:"BillingMode"`
	Limit       *int64                        `name:"Limit" type:"integer" min:"1"`
	Ratio       *float64                      `name:"Ratio" type:"double" max:"1"`
	Blob        []byte                        `name:"Blob" type:"blob" max:"2"`
	Items       map[string]*vKeySchemaElement `name:"Items" type:"map"`
	Modes       []string                      `name:"Modes" type:"list" memberEnum:"BillingMode"`
}

var vSvc = &api.Service{Enums: func(shape string) []string {
	return map[string][]string{
		"KeyType":     {"HASH", "RANGE"},
		"BillingMode": {"PROVISIONED", "PAY_PER_REQUEST"},
	}[shape]
}}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string // "" = valid
	}{
		{"valid", &vCreateTableInput{TableName: api.String("abc"),
			KeySchema: []*vKeySchemaElement{{AttributeName: api.String("id"), KeyType: api.String("HASH")}}}, ""},
		{"nil input", (*vCreateTableInput)(nil), ""},
		{"missing one", &vCreateTableInput{KeySchema: []*vKeySchemaElement{{AttributeName: api.String("id"), KeyType: api.String("HASH")}}},
			"1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"},
		{"missing two", &vCreateTableInput{},
			"2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'keySchema' failed to satisfy constraint: Member must not be null"},
		{"nested", &vCreateTableInput{TableName: api.String("abc"), KeySchema: []*vKeySchemaElement{{KeyType: api.String("HASH")}}},
			"1 validation error detected: Value null at 'keySchema.1.member.attributeName' failed to satisfy constraint: Member must not be null"},
		{"length and enum", &vCreateTableInput{TableName: api.String("ab"), KeySchema: []*vKeySchemaElement{}, BillingMode: api.String("FREE")},
			"3 validation errors detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"},
		{"ranges", &vCreateTableInput{TableName: api.String("abc"), KeySchema: []*vKeySchemaElement{{AttributeName: api.String("a"), KeyType: api.String("RANGE")}},
			Limit: api.Int64(0), Ratio: api.Float64(2), Blob: []byte("abc")},
			"3 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '2.0' at 'ratio' failed to satisfy constraint: Member must have value less than or equal to 1; " +
				"Value 'java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]' at 'blob' failed to satisfy constraint: Member must have length less than or equal to 2"},
		{"map", &vCreateTableInput{TableName: api.String("abc"), KeySchema: []*vKeySchemaElement{{AttributeName: api.String("a"), KeyType: api.String("HASH")}},
			Items: map[string]*vKeySchemaElement{"t1": {AttributeName: api.String("")}}},
			"2 validation errors detected: Value '' at 'items.t1.member.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value null at 'items.t1.member.keyType' failed to satisfy constraint: Member must not be null"},
		{"enum list", &vCreateTableInput{TableName: api.String("abc"), KeySchema: []*vKeySchemaElement{{AttributeName: api.String("a"), KeyType: api.String("HASH")}},
			Modes: []string{"PROVISIONED", "X"}},
			"1 validation error detected: Value '[PROVISIONED, X]' at 'modes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]]"},
		{"utf16 length", &vCreateTableInput{TableName: api.String("😀a"), KeySchema: []*vKeySchemaElement{{AttributeName: api.String("a"), KeyType: api.String("HASH")}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.in, vSvc)
			got := ""
			if err != nil {
				e := err.(*api.Err)
				if e.Code != "ValidationException" || e.Status != 400 {
					t.Errorf("code, status = %q, %d, want ValidationException, 400", e.Code, e.Status)
				}
				got = e.Message
			}
			if got != tt.want {
				t.Errorf("Validate() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// A value of a few KB comes back whole, as AWS repeats it (dynalite's
// BatchGetItem test expects all 101 keys, ~2.6 KB); megabytes do not.
func TestShownCutsOnlyHugeValues(t *testing.T) {
	list := "[" + strings.Repeat("{a=AttributeValue(s=100)}, ", 101) + "]"
	if got := Shown(list); got != list {
		t.Fatalf("a %d-byte value was cut to %d bytes", len(list), len(got))
	}
	huge := strings.Repeat("é", 8<<20)
	got := Shown(huge)
	if len(got) > maxShown+3 || !strings.HasSuffix(got, "...") || !utf8.ValidString(got) {
		t.Fatalf("a %d-byte value came back as %d bytes (valid UTF-8: %v)", len(huge), len(got), utf8.ValidString(got))
	}
}
