package vectors

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
)

// fakeJSON is just enough of a json protocol codec to drive the harness: member
// names are the JSON keys and values are what Generic makes of them, which is the
// wire form for strings, numbers, booleans, lists and maps.
type fakeJSON struct{}

func (fakeJSON) Name() string { return protocol.JSON }

func (fakeJSON) Route(c *protocol.Call, r *http.Request) error {
	target := r.Header.Get("X-Amz-Target")
	i := strings.LastIndexByte(target, '.')
	if i < 0 || target[:i] != c.Service.TargetPrefix {
		return api.Errorf(400, "UnknownOperationException", "bad target %q", target)
	}
	if c.Op = c.Service.Op(target[i+1:]); c.Op == nil {
		return api.Errorf(400, "UnknownOperationException", "no operation %q", target)
	}
	return nil
}

func (fakeJSON) DecodeInput(c *protocol.Call, r *http.Request, in any) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	var v any = map[string]any{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &v); err != nil {
			return api.Errorf(400, "SerializationException", "%v", err)
		}
	}
	return FromGeneric(in, v)
}

func (fakeJSON) EncodeOutput(c *protocol.Call, w http.ResponseWriter, out any) error {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	return json.NewEncoder(w).Encode(Generic(out))
}

func (fakeJSON) EncodeError(c *protocol.Call, w http.ResponseWriter, err error) {
	w.WriteHeader(500)
}

// TestHarnessFakeJSON runs the harness with the fake codec over the cases it can
// pass and skips the rest, to show that routing, decoding, building outputs and
// comparing bodies work end to end.
func TestHarnessFakeJSON(t *testing.T) {
	// The fake knows no base64, epoch timestamps or locationName.
	skip := map[string]string{
		"input/json.json suite 1":  "timestamps: the fake has no epoch conversion",
		"input/json.json suite 2":  "blobs: the fake has no base64",
		"input/json.json suite 3":  "blobs: the fake has no base64",
		"input/json.json suite 7":  "empty maps: fake keeps them",
		"output/json.json suite 0": "blobs and timestamps: the fake has no conversions",
		"output/json.json suite 1": "blobs: the fake has no base64",
		"output/json.json suite 2": "timestamps: the fake has no conversions",
		"output/json.json suite 7": "timestamp formats: the fake has no conversions",
	}
	t.Run("input", func(t *testing.T) { RunInput(t, fakeJSON{}, protocol.JSON, skip) })
	t.Run("output", func(t *testing.T) { RunOutput(t, fakeJSON{}, protocol.JSON, skip) })
}

// TestRoundTrip checks FromGeneric and Generic are inverses over every case's params
// and result, which both harness directions rely on.
func TestRoundTrip(t *testing.T) {
	for i := range Cases {
		c := &Cases[i]
		if _, ok := skipReason(ClientOnly, c.Name); ok {
			continue
		}
		rc, err := c.raw()
		if err != nil {
			t.Fatal(err)
		}
		raw, v := rc.Result, c.Op.NewOutput()
		if c.Input {
			raw, v = rc.Params, c.Op.NewInput()
		}
		var want any = map[string]any{}
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
		}
		if err := FromGeneric(v, want); err != nil {
			t.Errorf("%s: FromGeneric: %v", c.Name, err)
			continue
		}
		if got := Generic(v); !equivalent(got, want) {
			t.Errorf("%s: Generic(FromGeneric(x)) = %s, want %s", c.Name, js(got), js(want))
		}
	}
}

func TestCases(t *testing.T) {
	count := map[string]int{}
	for _, c := range Cases {
		if c.Service.Op(c.Op.Name) != c.Op {
			t.Errorf("%s: the service does not hold the case's operation", c.Name)
		}
		if c.Op.NewInput() == nil || c.Op.NewOutput() == nil {
			t.Errorf("%s: no input or output type", c.Name)
		}
		count[c.File()]++
	}
	// The case counts of the aws-sdk-go v1.55.8 files.
	want := map[string]int{
		"input/json.json": 18, "input/query.json": 29, "input/rest-json.json": 51, "input/rest-xml.json": 44,
		"output/json.json": 11, "output/query.json": 17, "output/rest-json.json": 16, "output/rest-xml.json": 17,
	}
	for f, n := range want {
		if count[f] != n {
			t.Errorf("%s: %d cases, want %d", f, count[f], n)
		}
	}
}

func TestBodiesEquivalent(t *testing.T) {
	tests := []struct {
		kind, got, want string
		same            bool
	}{
		{"xml", `<A xmlns="x"><B>1</B><C>2</C></A>`, `<Other><C>2</C><B>1</B></Other>`, true},
		{"xml", `<A><L><m>1</m><m>2</m></L></A>`, `<A><L><m>2</m><m>1</m></L></A>`, false},
		{"xml", "<A>\n  <B>1.50</B>\n</A>", `<A><B>1.5</B></A>`, true},
		{"xml", `<A><T>2015-01-25T08:00:00.000Z</T></A>`, `<A><T>2015-01-25T08:00:00Z</T></A>`, true},
		{"xml", `<A><B></B></A>`, `<A></A>`, false},
		{"xml", `<A><B/></A>`, `<A><B></B></A>`, true},
		{"xml", `<A><G xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="C">x</G></A>`,
			`<A><G xsi:type="C" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">x</G></A>`, true},
		{"xml", `<A><G a="1">x</G></A>`, `<A><G a="2">x</G></A>`, false},
		{"xml", ``, `<OperationNameResponse></OperationNameResponse>`, true},
		{"json", `{"a":1.0,"b":null}`, `{"a":1}`, true},
		{"json", `{}`, ``, true},
		{"json", `{"a":[1,2]}`, `{"a":[2,1]}`, false},
		{"raw", `abc`, `abc`, true},
		{"raw", `abc`, `abd`, false},
	}
	for _, tt := range tests {
		if got, why := BodiesEquivalent(tt.kind, tt.got, tt.want); got != tt.same {
			t.Errorf("BodiesEquivalent(%s, %q, %q) = %v (%s), want %v", tt.kind, tt.got, tt.want, got, why, tt.same)
		}
	}
}

func TestMapEntriesUnordered(t *testing.T) {
	got := `<R><Map><entry><key>b</key><value>2</value></entry><entry><key>a</key><value>1</value></entry></Map></R>`
	want := `<R><Map><entry><key>a</key><value>1</value></entry><entry><key>b</key><value>2</value></entry></Map>` +
		`<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></R>`
	if ok, why := bodiesEquivalent("xml", got, want, map[string]bool{"entry": true}); !ok {
		t.Errorf("reordered map entries: %s", why)
	}
	if ok, _ := bodiesEquivalent("xml", got, want, nil); ok {
		t.Errorf("reordered list members compare equal")
	}
	if got := mapEntryNames(reflect.TypeOf(QueryOut11_OutputShape{})); !got["Map"] {
		t.Errorf("mapEntryNames(flattened map) = %v, want Map in it", got)
	}
}

func TestSkipReason(t *testing.T) {
	skip := map[string]string{"input/json.json suite 1": "why"}
	for name, want := range map[string]bool{
		"input/json.json suite 1 case 0: x":  true,
		"input/json.json suite 10 case 0: x": false,
		"input/json.json suite 2 case 0: x":  false,
	} {
		if _, got := skipReason(skip, name); got != want {
			t.Errorf("skipReason(%q) = %v, want %v", name, got, want)
		}
	}
}
