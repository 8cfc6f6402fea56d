package glue

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
)

const jsonLines = "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2, \"b\": \"y\"}\n"

// Each compression is recognised by its magic number (or, for Hadoop's
// snappy blocks, the .snappy name) and read through.
func TestDecompress(t *testing.T) {
	var zs bytes.Buffer
	zw, _ := zstd.NewWriter(&zs)
	zw.Write([]byte(jsonLines))
	zw.Close()
	var sf bytes.Buffer
	sw := snappy.NewBufferedWriter(&sf)
	sw.Write([]byte(jsonLines))
	sw.Close()
	// Hadoop's codec: the block's length, then a chunk's length and the chunk.
	block := snappy.Encode(nil, []byte(jsonLines))
	var hs bytes.Buffer
	binary.Write(&hs, binary.BigEndian, uint32(len(jsonLines)))
	binary.Write(&hs, binary.BigEndian, uint32(len(block)))
	hs.Write(block)
	bz, err := os.ReadFile("testdata/lines.json.bz2") // written by bzip2(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, comp string
		data       []byte
	}{
		{"x.json", "none", []byte(jsonLines)},
		{"x.json.zst", "zstd", zs.Bytes()},
		{"x.json.sz", "snappy", sf.Bytes()},
		{"x.json.snappy", "snappy", hs.Bytes()},
		{"x.json.bz2", "bzip2", bz},
	} {
		br := bufio.NewReader(bytes.NewReader(tc.data))
		r, comp, err := decompress(br, peek(br, 16), tc.name)
		if err != nil || comp != tc.comp {
			t.Errorf("%s: %s, %v; want %s", tc.name, comp, err, tc.comp)
			continue
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != jsonLines {
			t.Errorf("%s: read %q, %v", tc.name, got, err)
		}
	}
}

// An Avro container's header: the magic, the metadata map with avro.schema,
// the sync marker (no blocks follow: only the header is read).
func TestAvroSchema(t *testing.T) {
	schema := `{"type":"record","name":"r","fields":[
	  {"name":"id","type":"long"},{"name":"Name","type":["null","string"]},
	  {"name":"day","type":{"type":"int","logicalType":"date"}},
	  {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
	  {"name":"tags","type":{"type":"array","items":"string"}},
	  {"name":"attrs","type":{"type":"map","values":"double"}},
	  {"name":"addr","type":{"type":"record","name":"a","fields":[{"name":"city","type":"string"}]}}]}`
	var b bytes.Buffer
	b.WriteString("Obj\x01")
	varint := func(n int64) { b.Write(binary.AppendVarint(nil, n)) }
	varint(1)
	varint(int64(len("avro.schema")))
	b.WriteString("avro.schema")
	varint(int64(len(schema)))
	b.WriteString(schema)
	varint(0)
	b.Write(make([]byte, 16))
	fs, err := avroSchema(bufio.NewReader(&b))
	if err != nil {
		t.Fatal(err)
	}
	want := "id bigint, name string, day date, price decimal(10,2), tags array<string>, attrs map<string,double>, addr struct<city:string>"
	if got := colsOf(fs); got != want || fs.class != "avro" {
		t.Errorf("avro: %s %s, want %s", fs.class, got, want)
	}
	if _, err := avroSchema(bufio.NewReader(bytes.NewReader([]byte("Obj\x01\x02")))); err == nil {
		t.Errorf("a truncated header was read")
	}
}
