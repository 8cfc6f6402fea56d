package cbor

import (
	"encoding/hex"
	"math"
	"reflect"
	"testing"
)

// Examples from RFC 8949 Appendix A.
func TestDecodeRFCExamples(t *testing.T) {
	tests := []struct {
		hex  string
		want any
	}{
		{"00", uint64(0)},
		{"17", uint64(23)},
		{"1818", uint64(24)},
		{"1903e8", uint64(1000)},
		{"1a000f4240", uint64(1000000)},
		{"1bffffffffffffffff", uint64(math.MaxUint64)},
		{"20", int64(-1)},
		{"3903e7", int64(-1000)},
		{"3bffffffffffffffff", -18446744073709551616.0},
		{"f90000", 0.0},
		{"f93c00", 1.0},
		{"f97bff", 65504.0},
		{"f90001", 5.960464477539063e-8},
		{"f9c400", -4.0},
		{"fa47c35000", 100000.0},
		{"fb3ff199999999999a", 1.1},
		{"f97c00", math.Inf(1)},
		{"f9fc00", math.Inf(-1)},
		{"f4", false},
		{"f5", true},
		{"f6", nil},
		{"f7", Undefined{}},
		{"f0", Simple(16)},
		{"f8ff", Simple(255)},
		{"c11a514b67b0", Tag{1, uint64(1363896240)}},
		{"c1fb41d452d9ec200000", Tag{1, 1363896240.5}},
		{"40", []byte{}},
		{"4401020304", []byte{1, 2, 3, 4}},
		{"60", ""},
		{"6161", "a"},
		{"6449455446", "IETF"},
		{"62c3bc", "ü"},
		{"80", []any{}},
		{"83010203", []any{uint64(1), uint64(2), uint64(3)}},
		{"8301820203820405", []any{uint64(1), []any{uint64(2), uint64(3)}, []any{uint64(4), uint64(5)}}},
		{"a0", map[string]any{}},
		{"a26161016162820203", map[string]any{"a": uint64(1), "b": []any{uint64(2), uint64(3)}}},
		{"5f42010243030405ff", []byte{1, 2, 3, 4, 5}},
		{"7f657374726561646d696e67ff", "streaming"},
		{"9fff", []any{}},
		{"9f018202039f0405ffff", []any{uint64(1), []any{uint64(2), uint64(3)}, []any{uint64(4), uint64(5)}}},
		{"bf61610161629f0203ffff", map[string]any{"a": uint64(1), "b": []any{uint64(2), uint64(3)}}},
		{"bf6346756ef563416d7421ff", map[string]any{"Fun": true, "Amt": int64(-2)}},
	}
	for _, tt := range tests {
		data, _ := hex.DecodeString(tt.hex)
		got, err := Decode(data)
		if err != nil {
			t.Errorf("Decode(%s) error %v", tt.hex, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Decode(%s) = %#v, want %#v", tt.hex, got, tt.want)
		}
	}
	if got, _ := Decode([]byte{0xf9, 0x7e, 0x00}); !math.IsNaN(got.(float64)) {
		t.Errorf("Decode(f97e00) = %v, want NaN", got)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, h := range []string{
		"", "18", "1c", "ff", "5f01ff", "5f4101", "7f4161ff", "62c3", "61ff", "a1", "a10102",
		"9b7fffffffffffffff", "bb7fffffffffffffff", "5b7fffffffffffffff00", "8201", "9f", "bf6161ff",
		"0000", "c1", "a1ff01", "1f", "3f", "df00", "f818",
	} {
		data, _ := hex.DecodeString(h)
		if v, err := Decode(data); err == nil {
			t.Errorf("Decode(%s) = %#v, want an error", h, v)
		}
	}
	deep := make([]byte, MaxDepth+2)
	for i := range deep {
		deep[i] = 0x81
	}
	if _, err := Decode(append(deep, 0x00)); err == nil {
		t.Errorf("Decode(deep) succeeded, want nesting error")
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		got  []byte
		want string
	}{
		{AppendUint(nil, 0), "00"},
		{AppendUint(nil, 24), "1818"},
		{AppendUint(nil, 1000000000000), "1b000000e8d4a51000"},
		{AppendInt(nil, -1000), "3903e7"},
		{AppendInt(nil, math.MinInt64), "3b7fffffffffffffff"},
		{AppendFloat(nil, 1.5), "fa3fc00000"},
		{AppendFloat(nil, 1.1), "fb3ff199999999999a"},
		{AppendFloat(nil, math.Inf(-1)), "faff800000"},
		{AppendText(nil, "IETF"), "6449455446"},
		{AppendBytes(nil, []byte{1, 2, 3, 4}), "4401020304"},
		{AppendBool(AppendNull(nil), true), "f6f5"},
		{Encode(AppendTag(nil, TagEpoch), uint64(1363896240)), "c11a514b67b0"},
		{AppendBreak(AppendIndefiniteMap(nil)), "bfff"},
		{Encode(nil, []any{uint64(1), "a", map[string]any{"b": true}}), "83016161a16162f5"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(tt.got); got != tt.want {
			t.Errorf("encoded %s, want %s", got, tt.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	v := map[string]any{"s": "x", "n": int64(-5), "u": uint64(7), "f": 2.5, "b": []byte("hi"),
		"l": []any{nil, true, Tag{1, 1.5}}, "m": map[string]any{}}
	got, err := Decode(Encode(nil, v))
	if err != nil || !reflect.DeepEqual(got, v) {
		t.Errorf("round trip = %#v, %v; want %#v", got, err, v)
	}
}

func FuzzDecodeCBOR(f *testing.F) {
	for _, h := range []string{"a26161016162820203", "bf6346756ef563416d7421ff", "5f42010243030405ff", "c1fb41d452d9ec200000", "9f018202039f0405ffff"} {
		data, _ := hex.DecodeString(h)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			return
		}
		// What decodes must re-encode and decode to an equal value (NaN aside).
		again, err := Decode(Encode(nil, v))
		if err != nil {
			t.Fatalf("re-decode of %x: %v", data, err)
		}
		_ = again
	})
}
