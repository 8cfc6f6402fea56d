package jsonbody

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
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

// Whatever parseFast accepts is valid JSON, parsed exactly as encoding/json
// parses it.
func TestParseFastAsEncodingJSON(t *testing.T) {
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
		got, ok := parseFast(data)
		if !ok {
			continue
		}
		accepted++
		want, wantOK := decodeStd(data)
		if !wantOK {
			t.Fatalf("parseFast accepted %q, which encoding/json refuses", data)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parseFast(%q) = %#v, encoding/json %#v", data, got, want)
		}
	}
	if accepted < 5000 {
		t.Errorf("only %d documents took the fast path", accepted)
	}
}

func TestParseFastDeclines(t *testing.T) {
	deep := strings.Repeat("[", maxFastDepth+2) + strings.Repeat("]", maxFastDepth+2)
	for _, s := range []string{`"a\nb"`, "\"\xff\"", "\"\x01\"", deep, `{"a":1}x`, `{"a" 1}`, `[1,]`, `01`, "\v1"} {
		if _, ok := parseFast([]byte(s)); ok {
			t.Errorf("parseFast(%q) accepted", s)
		}
	}
	v, err := Parse([]byte(deep)) // encoding/json's turn
	if err != nil || v == nil {
		t.Errorf("Parse of %d nested arrays = %v, %v", maxFastDepth+2, v, err)
	}
}

// FuzzParseFast holds parseFast to encoding/json on arbitrary input.
func FuzzParseFast(f *testing.F) {
	for _, s := range []string{`{"TableName":"t","Item":{"pk":{"S":"a"},"n":{"N":"42"}}}`, `[1,-0.5e3,true,null,"é"]`, `{"a":{}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := parseFast(data)
		if !ok {
			return
		}
		want, wantOK := decodeStd(data)
		if !wantOK || !reflect.DeepEqual(got, want) {
			t.Fatalf("parseFast(%q) = %#v, encoding/json %#v (valid %v)", data, got, want, wantOK)
		}
	})
}
