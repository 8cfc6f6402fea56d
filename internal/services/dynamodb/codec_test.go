package dynamodb

import (
	"bytes"
	"math/rand"
	"sort"
	"testing"

	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
)

func sv(s string) *expr.AV { return &expr.AV{S: &s} }
func nv(s string) *expr.AV { return &expr.AV{N: &s} }

// Number keys sort by value, whatever their written form.
func TestNumberKeyOrder(t *testing.T) {
	in := []string{"-1e10", "-100", "-10.5", "-10", "-1", "-0.001", "0", "0.001", "0.5", "1", "1.5", "10", "10.01", "99", "100", "1e10", "9.99e125"}
	var keys [][]byte
	for _, s := range in {
		keys = append(keys, appendKeyValue(nil, nv(s)))
	}
	for i := 1; i < len(keys); i++ {
		if bytes.Compare(keys[i-1], keys[i]) >= 0 {
			t.Errorf("key(%s) >= key(%s), want <", in[i-1], in[i])
		}
	}
	if !bytes.Equal(appendKeyValue(nil, nv("1.0")), appendKeyValue(nil, nv("1"))) {
		t.Errorf("key(1.0) != key(1), want equal")
	}
}

// String keys sort bytewise, and a key followed by another stays unambiguous.
func TestStringKeyOrder(t *testing.T) {
	in := []string{"", "\x00", "\x00\x00", "\x00a", "a", "a\x00", "a\x00b", "ab", "b"}
	var keys [][]byte
	for _, s := range in {
		keys = append(keys, appendKeyValue(appendKeyValue(nil, sv(s)), sv("zzz")))
	}
	for i := 1; i < len(keys); i++ {
		if bytes.Compare(keys[i-1], keys[i]) >= 0 {
			t.Errorf("key(%q) >= key(%q), want <", in[i-1], in[i])
		}
	}
}

func TestItemCodecRoundTrip(t *testing.T) {
	tr := true
	it := expr.Item{
		"s": sv("héllo"), "n": nv("-1.5"), "b": {B: []byte{0, 1, 2}}, "t": {BOOL: &tr}, "z": {NULL: &tr},
		"ss": {SS: []string{"a", "b"}}, "ns": {NS: []string{"1", "2"}}, "bs": {BS: [][]byte{{1}, {2}}},
		"l": {L: []*expr.AV{sv("x"), {M: map[string]*expr.AV{"k": nv("1")}}}}, "m": {M: map[string]*expr.AV{}},
	}
	got, err := decodeItem(encodeItem(it))
	if err != nil {
		t.Fatal(err)
	}
	if !expr.Equal(&expr.AV{M: got}, &expr.AV{M: it}) {
		t.Errorf("decodeItem(encodeItem(x)) = %v, want %v", got, it)
	}
	if _, err := decodeItem([]byte{5, 1}); err == nil {
		t.Errorf("decodeItem(garbage) = nil error, want one")
	}
}

// Random numbers: byte order of keys equals numeric order.
func TestNumberKeyOrderRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var ds []expr.Dec
	for i := 0; i < 500; i++ {
		s := []byte{}
		if r.Intn(2) == 0 {
			s = append(s, '-')
		}
		for j := 0; j < 1+r.Intn(8); j++ {
			s = append(s, byte('0'+r.Intn(10)))
		}
		s = append(s, '.')
		for j := 0; j < r.Intn(5); j++ {
			s = append(s, byte('0'+r.Intn(10)))
		}
		d, err := expr.ParseNumber(string(s))
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Cmp(ds[j]) < 0 })
	for i := 1; i < len(ds); i++ {
		a, b := appendNum(nil, ds[i-1]), appendNum(nil, ds[i])
		if c := bytes.Compare(a, b); (c < 0) != (ds[i-1].Cmp(ds[i]) < 0) {
			t.Errorf("order of %s and %s: bytes %d", ds[i-1], ds[i], c)
		}
	}
}
