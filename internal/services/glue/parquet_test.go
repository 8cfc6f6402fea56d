package glue

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

// typed.parquet and result.parquet were written by DuckDB 1.4 (duckdb-go
// v2.10506.0: COPY … TO (FORMAT PARQUET)), the engine Athena runs on here.
func footerOf(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint32(b[len(b)-8:])
	return b[len(b)-8-int(n) : len(b)-8]
}

func TestParquetSchema(t *testing.T) {
	cols, rows, err := parquetSchema(footerOf(t, "typed.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.name+" "+c.t.String())
	}
	want := []string{
		"id bigint", "name string", "latency double", "ok boolean", "day date", "ts timestamp",
		"price decimal(10,2)", "small int", "tags array<int>", "info struct<x:int,y:string>", "attrs map<string,int>",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("columns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rows != 3 {
		t.Errorf("rows = %d, want 3", rows)
	}
	for _, bad := range [][]byte{nil, {0x19}, {0x19, 0xfc}, footerOf(t, "typed.parquet")[:40]} {
		if _, _, err := parquetSchema(bad); err == nil {
			t.Errorf("parquetSchema(% x) = nil error", bad)
		}
	}
}

// Each column's compressed bytes, summed over row groups, add up to what the
// footer's row groups say they hold.
func TestParquetColumnBytes(t *testing.T) {
	footer := footerOf(t, "typed.parquet")
	sizes, err := parquetColumnBytes(footer)
	if err != nil {
		t.Fatal(err)
	}
	cols, _, err := parquetSchema(footer)
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) != len(cols) {
		t.Fatalf("sizes for %d columns, the file has %d: %v", len(sizes), len(cols), sizes)
	}
	for _, c := range cols {
		if sizes[c.name] <= 0 {
			t.Errorf("column %s: %d bytes", c.name, sizes[c.name])
		}
	}
}
