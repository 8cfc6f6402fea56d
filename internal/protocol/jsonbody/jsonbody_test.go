package jsonbody

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
)

type attr struct {
	_ struct{}         `type:"structure"`
	S *string          `name:"S" type:"string"`
	N *string          `name:"N" type:"string"`
	B []byte           `name:"B" type:"blob"`
	L []*attr          `name:"L" type:"list"`
	M map[string]*attr `name:"M" type:"map"`
}

type item struct {
	_        struct{}         `type:"structure"`
	Name     *string          `name:"Name" type:"string"`
	Renamed  *string          `name:"Renamed" locationName:"renamed" type:"string"`
	Count    *int64           `name:"Count" type:"integer"`
	Ratio    *float64         `name:"Ratio" type:"double"`
	Ok       *bool            `name:"Ok" type:"boolean"`
	When     *time.Time       `name:"When" type:"timestamp"`
	WhenISO  *time.Time       `name:"WhenISO" type:"timestamp" timestampFormat:"iso8601"`
	Data     []byte           `name:"Data" type:"blob"`
	Tags     []string         `name:"Tags" type:"list"`
	Attrs    map[string]*attr `name:"Attrs" type:"map"`
	Doc      any              `name:"Doc" type:"document"`
	Header   *string          `name:"Header" location:"header" locationName:"x-h" type:"string"`
	Numbers  map[string]int64 `name:"Numbers" type:"map"`
	Children []*item          `name:"Children" type:"list"`
	Empty    []string         `name:"Empty" type:"list"`
}

func TestRoundTrip(t *testing.T) {
	when := time.Unix(1398796238, 123e6).UTC()
	in := &item{
		Name: api.String("a\"b\n<"), Renamed: api.String("r"), Count: api.Int64(-3), Ratio: api.Float64(1.5),
		Ok: api.Bool(true), When: &when, WhenISO: &when, Data: []byte("hi"), Tags: []string{"x", "y"},
		Attrs:    map[string]*attr{"k": {S: api.String("v"), L: []*attr{{N: api.String("1")}}}},
		Doc:      map[string]any{"a": []any{1.0, "two", nil, true}},
		Header:   api.String("not in body"),
		Numbers:  map[string]int64{"one": 1},
		Children: []*item{{Name: api.String("c")}},
		Empty:    []string{},
	}
	b, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{`"Name":"a\"b\n<"`, `"renamed":"r"`, `"Count":-3`, `"Ratio":1.5`, `"When":1398796238.123`,
		`"WhenISO":"2014-04-29T18:30:38.123Z"`, `"Data":"aGk="`, `"Empty":[]`, `"Doc":{"a":[1,"two",null,true]}`} {
		if !strings.Contains(got, want) {
			t.Errorf("Marshal() = %s, want it to contain %s", got, want)
		}
	}
	if strings.Contains(got, "not in body") {
		t.Errorf("Marshal() = %s, want header member left out", got)
	}
	out := &item{}
	if err := Unmarshal(b, out); err != nil {
		t.Fatalf("Unmarshal(%s) = %v", b, err)
	}
	in.Header = nil
	if !reflect.DeepEqual(out, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
}

func TestMarshalNil(t *testing.T) {
	for _, v := range []any{nil, (*item)(nil), &item{}} {
		b, _ := Marshal(v)
		if string(b) != "{}" {
			t.Errorf("Marshal(%#v) = %s, want {}", v, b)
		}
	}
}

func TestFloats(t *testing.T) {
	in := &item{Ratio: api.Float64(math.Inf(-1))}
	b, _ := Marshal(in)
	if got, want := string(b), `{"Ratio":"-Infinity"}`; got != want {
		t.Errorf("Marshal() = %s, want %s", got, want)
	}
	out := &item{}
	if err := Unmarshal([]byte(`{"Ratio":"NaN"}`), out); err != nil || !math.IsNaN(*out.Ratio) {
		t.Errorf("Unmarshal NaN = %v, %v", out.Ratio, err)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"Name":1}`, "NUMBER_VALUE cannot be converted to String"},
		{`{"Count":"1"}`, "STRING_VALUE cannot be converted to Integer"},
		{`{"Name":{}}`, "Start of structure or map found where not expected."},
		{`{"Name":[]}`, "Start of list found where not expected."},
		{`{"Tags":"x"}`, "STRING_VALUE cannot be converted to List"},
		{`{"Attrs":{"k":"v"}}`, "STRING_VALUE cannot be converted to Structure"},
		{`{"Ok":"true"}`, "STRING_VALUE cannot be converted to Boolean"},
		{`{"Count":1e30}`, "Numeric value (1e30) out of range of Integer"},
		{`{"Data":"!!"}`, "Base64 encoded value is invalid"},
		{`{"When":true}`, "BOOLEAN_VALUE cannot be converted to Date"},
		{`{`, "Malformed JSON"},
		{`{} x`, "Malformed JSON"},
		{`[1]`, "Start of list found where not expected."},
	}
	for _, tt := range tests {
		err := Unmarshal([]byte(tt.body), &item{})
		e, ok := err.(*api.Err)
		if !ok || e.Code != "SerializationException" || !strings.HasPrefix(e.Message, tt.want) {
			t.Errorf("Unmarshal(%s) = %v, want SerializationException %q", tt.body, err, tt.want)
		}
	}
}

func TestUnmarshalLenient(t *testing.T) {
	out := &item{}
	body := `{"Count":2.7,"When":"2014-04-29T18:30:38Z","Unknown":{"deep":[1]},"Name":null,"Data":"aGk"}`
	if err := Unmarshal([]byte(body), out); err != nil {
		t.Fatal(err)
	}
	if got, want := *out.Count, int64(2); got != want {
		t.Errorf("Count = %d, want %d", got, want)
	}
	if got, want := out.When.Unix(), int64(1398796238); got != want {
		t.Errorf("When = %d, want %d", got, want)
	}
	if out.Name != nil {
		t.Errorf("Name = %q, want nil for JSON null", *out.Name)
	}
	if got, want := string(out.Data), "hi"; got != want {
		t.Errorf("Data = %q, want %q", got, want)
	}
	if err := Unmarshal([]byte("  "), out); err != nil {
		t.Errorf("Unmarshal(blank) = %v, want nil", err)
	}
}

func TestEpoch(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"0", time.Unix(0, 0)},
		{"1.5", time.Unix(1, 5e8)},
		{"1398796238.123", time.Unix(1398796238, 123e6)},
		{"1.398796238123E9", time.Unix(1398796238, 123e6)},
		{"-1.5", time.Unix(-1, -5e8)},
	}
	for _, tt := range tests {
		got, ok := ParseEpoch(tt.in)
		if !ok || !got.Equal(tt.want) {
			t.Errorf("ParseEpoch(%q) = %v, %v, want %v", tt.in, got, ok, tt.want)
		}
	}
	if got := string(AppendEpoch(nil, time.Unix(5, 120e6))); got != "5.12" {
		t.Errorf("AppendEpoch = %s, want 5.12", got)
	}
}
