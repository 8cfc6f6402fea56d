package jsonbody

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// decodeStd is what parseFast stands in for.
func decodeStd(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || !json.Valid(data) {
		return nil, false
	}
	return v, true
}

// randJSON writes a random document, mostly valid, with the odd byte that
// takes it outside parseFast's subset or outside JSON.
func randJSON(r *rand.Rand, b *strings.Builder, depth int) {
	pieces := []string{"a", "pk", "é", "\\n", "\\u00e9", "\\ud800", "\x01", "\xff", "\x7f", " ", "\\\"", "😀", "\xed\xa0\x80", "\uFFFD"}
	ws := func() {
		if r.IntN(4) == 0 {
			b.WriteString([]string{" ", "\n", "\t", "\r", "\v", "\u00a0"}[r.IntN(6)])
		}
	}
	ws()
	switch k := r.IntN(9); {
	case k < 2 && depth < 4:
		b.WriteByte('{')
		for i, n := 0, r.IntN(4); i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + pieces[r.IntN(3)] + `"`)
			ws()
			b.WriteByte(':')
			randJSON(r, b, depth+1)
		}
		b.WriteByte('}')
	case k < 4 && depth < 4:
		b.WriteByte('[')
		for i, n := 0, r.IntN(4); i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			randJSON(r, b, depth+1)
		}
		b.WriteByte(']')
	case k < 6:
		b.WriteByte('"')
		for i, n := 0, r.IntN(4); i < n; i++ {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		b.WriteByte('"')
	case k < 7:
		b.WriteString([]string{"0", "-0", "12", "-3.25", "1e9", "2E-3", "0.5e+2", "01", "1.", ".5", "-", "1e", "+1", "123456789012345678901234567890"}[r.IntN(14)])
	default:
		b.WriteString([]string{"true", "false", "null", "tru", "nul", "falsey"}[r.IntN(6)])
	}
	ws()
}

// mayRefuse tells whether encoding/json's acceptance of data may be refused by
// parse: invalid UTF-8 (which encoding/json replaces by U+FFFD), a \u escape
// of a surrogate (lone ones are replaced too), or nesting deeper than MaxDepth.
func mayRefuse(data []byte) bool {
	if !utf8.Valid(data) || bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) > MaxDepth {
		return true
	}
	l := bytes.ToLower(data)
	for _, p := range []string{`\ud8`, `\ud9`, `\uda`, `\udb`, `\udc`, `\udd`, `\ude`, `\udf`} {
		if bytes.Contains(l, []byte(p)) {
			return true
		}
	}
	return false
}

// same checks parse, Valid and Check against encoding/json on data: what parse
// accepts encoding/json accepts, with the same value; what encoding/json
// accepts parse accepts too unless mayRefuse; Valid and Check agree with parse.
func same(t *testing.T, data []byte) (accepted bool) {
	t.Helper()
	got, perr := parse(data, nil)
	ok := perr == ""
	blank := len(bytes.Trim(data, " \t\n\r")) == 0 // JSON's white space only
	if v := Valid(data); v != (ok || blank) {
		t.Fatalf("Valid(%q) = %v, parse ok %v", data, v, ok)
	}
	if c, big := Check(bytes.NewReader(data), int64(len(data))); c != (ok || blank) || big {
		t.Fatalf("Check(%q) = %v, %v; parse ok %v", data, c, big, ok)
	}
	want, wantOK := decodeStd(data)
	if ok {
		if !wantOK || !reflect.DeepEqual(got, want) {
			t.Fatalf("parse(%q) = %#v, encoding/json %#v (valid %v)", data, got, want, wantOK)
		}
	} else if wantOK && !mayRefuse(data) {
		t.Fatalf("parse(%q) refused (%s) what encoding/json accepts", data, perr)
	}
	return ok
}

// parse agrees with encoding/json on random documents, except where it is
// stricter on purpose.
func TestParseAsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for i := 0; i < 50000; i++ {
		var b strings.Builder
		randJSON(r, &b, 0)
		data := []byte(b.String())
		if i%3 == 0 && len(data) > 0 { // and broken ones
			j := r.IntN(len(data))
			switch r.IntN(3) {
			case 0:
				data = data[:j]
			case 1:
				const junk = "{}[],:\"\\x0 "
				data = append(data[:j:j], append([]byte{junk[r.IntN(len(junk))]}, data[j:]...)...)
			default:
				data = append(data[:j:j], data[j+1:]...)
			}
		}
		if same(t, data) {
			accepted++
		}
	}
	if accepted < 5000 {
		t.Errorf("only %d documents accepted", accepted)
	}
}

// What AWS's Jackson refuses, parse refuses, where encoding/json would replace
// the bytes by U+FFFD: two different keys must never become one.
func TestParseRefuses(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	for _, s := range []string{"\"\xff(\"", "\"\xc3(\"", `"\ud800"`, `"\udc00"`, `"\ud800\u0041"`, `"\ud800x"`,
		"\"\xed\xa0\x80\"", "\"\x01\"", deep, `{"a":1}x`, `{"a" 1}`, `[1,]`, `01`, "\v1", `"\x"`, `"\u12"`} {
		if v, err := Parse([]byte(s)); err == nil {
			t.Errorf("Parse(%q) = %#v, want an error", s, v)
		}
		if Valid([]byte(s)) {
			t.Errorf("Valid(%q) = true", s)
		}
		if ok, _ := Check(strings.NewReader(s), 1<<20); ok {
			t.Errorf("Check(%q) = true", s)
		}
	}
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	for _, s := range []string{ok, `"\ud83d\ude00"`, `"\u00e9\n\"\\\/"`, "\"\xf0\x9f\x98\x80\""} {
		if _, err := Parse([]byte(s)); err != nil {
			t.Errorf("Parse(%.40q) = %v", s, err)
		}
	}
	if v, _ := Parse([]byte(`"\ud83d\ude00"`)); v != "\U0001F600" {
		t.Errorf("surrogate pair = %q", v)
	}
}

// Check reads at most max+1 bytes and says so.
func TestCheckTooLarge(t *testing.T) {
	body := `{"a":"` + strings.Repeat("x", 100) + `"}`
	if ok, big := Check(strings.NewReader(body), 50); ok || !big {
		t.Errorf("Check over the limit = %v, %v", ok, big)
	}
	if ok, big := Check(strings.NewReader(body), int64(len(body))); !ok || big {
		t.Errorf("Check at the limit = %v, %v", ok, big)
	}
}

// Members the target type has no place for are checked but not kept, and
// values beyond the memory budget are refused.
func TestParseForPrunes(t *testing.T) {
	v, err := ParseFor([]byte(`{"Name":"n","Other":[{},{},{"x":[1,2]}],"Bad":"\ud800"}`), reflect.TypeOf(bodyIn{}))
	if err == nil {
		t.Fatalf("ParseFor kept going past a lone surrogate in an unknown member: %#v", v)
	}
	v, err = ParseFor([]byte(`{"Name":"n","Other":[{},{},{"x":[1,2]}]}`), reflect.TypeOf(bodyIn{}))
	if err != nil || !reflect.DeepEqual(v, map[string]any{"Name": "n"}) {
		t.Errorf("ParseFor = %#v, %v; want only Name", v, err)
	}
	n := MinBudget / (costMap + 2*costSlot)
	many := "[" + strings.Repeat("{},", n) + "{}]"
	if _, err := Parse([]byte(many)); err == nil {
		t.Errorf("Parse of %d objects: no error", n+1)
	}
	// A 400 KB DynamoDB item of 40,000 tiny values (legal) fits.
	item := `{"Item":{"pk":{"L":[` + strings.Repeat(`{"N":"1"},`, 40000) + `{"N":"1"}]}}}`
	if _, err := Parse([]byte(item)); err != nil {
		t.Errorf("Parse of a 400 KB item of tiny values = %v", err)
	}
	// Ten times the body is beyond the budget of a body over MinBudget too.
	long := `["` + strings.Repeat("x", MinBudget) + `"]`
	if _, err := Parse([]byte(long)); err != nil {
		t.Errorf("Parse of one long string = %v", err)
	}
	if _, err := Parse([]byte("[" + strings.Repeat(`"",`, MinBudget/3) + `""]`)); err == nil {
		t.Errorf("Parse of %d empty strings: no error", MinBudget/3)
	}
	if _, err := ParseFor([]byte(`{"Other":`+many+`}`), reflect.TypeOf(bodyIn{})); err != nil {
		t.Errorf("ParseFor with the values in an unknown member = %v", err)
	}
}

// FuzzParse holds parse, Valid and Check to encoding/json on arbitrary input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"TableName":"t","Item":{"pk":{"S":"a"},"n":{"N":"42"}}}`, `[1,-0.5e3,true,null,"é"]`, `{"a":{}}`,
		`"\ud83d\ude00"`, `"\ud800"`, "\"\xff\"", `{"a":"\n\t\u00e9"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		same(t, data)
	})
}

// BenchmarkParseHostile parses bodies shaped to cost the parser the most per
// byte, at 1 MiB and 8 MiB: MB/s that holds between the two sizes is the
// parser's linear time (a fuzz run that stalls is the fuzzer's minimiser, see
// bench/fuzz.sh, not the parser).
func BenchmarkParseHostile(b *testing.B) {
	shapes := []struct {
		name string
		make func(n int) string
	}{
		{"invalid-utf8", func(n int) string { return `"` + strings.Repeat("\xae", n) + `"` }},
		{"escapes", func(n int) string { return `"` + strings.Repeat(`\u00e9`, n/6) + `"` }},
		{"surrogate-pairs", func(n int) string { return `"` + strings.Repeat(`\ud83d\ude00`, n/12) + `"` }},
		{"escape-at-end", func(n int) string { return `"` + strings.Repeat("é", n/2) + `\n"` }},
		{"deep", func(n int) string {
			u := strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1)
			return "[" + strings.Repeat(u+",", n/len(u)) + "1]"
		}},
		{"deep-then-commas", func(n int) string { return strings.Repeat("[", MaxDepth-1) + "1" + strings.Repeat(",", n) }},
		{"digits", func(n int) string { return "1" + strings.Repeat("2", n) }},
		{"small-objects", func(n int) string { return "[" + strings.Repeat(`{"S":"x"},`, n/10) + "1]" }},
	}
	for _, s := range shapes {
		for _, size := range []int{1 << 20, 8 << 20} {
			data := []byte(s.make(size))
			b.Run(s.name+"/"+strconv.Itoa(size>>20)+"MiB", func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					parse(data, nil)
				}
			})
		}
	}
}
