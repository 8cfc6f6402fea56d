package glue

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
)

// sampleBytes is how much of a text file (after decompression) a classifier
// reads: Glue's classifiers look at the beginning of a file, not all of it.
const sampleBytes = 1 << 20

// fileSchema is what classifying one file found.
type fileSchema struct {
	class    string // "csv", "json", "parquet", "avro", "xml", or a grok classifier's classification
	compress string // "none", "gzip", "bzip2", "zstd", "snappy"
	cols     []gfield
	records  int64 // records read
	bytes    int64 // bytes those records took (uncompressed)
	complete bool  // the whole file was read, so records is its count

	// Text formats.
	delim     byte // CSV
	header    bool // CSV: the first line names the columns
	quoted    bool // CSV: some values are quoted ("...")
	quoteChar byte

	classifier string            // the custom classifier that matched, if any
	serde      string            // a SerDe a custom classifier chose
	serdeArgs  map[string]string // its parameters
	extra      map[string]string // table parameters the classifier adds (jsonPath, rowTag, grokPattern…)
}

// key is what files must share to be one table: the format, and for CSV how
// it is laid out.
func (f *fileSchema) key() string {
	k := f.class + "/" + f.classifier + "/" + f.compress
	if f.class == "csv" {
		k += fmt.Sprintf("/%q/%v", f.delim, f.header)
	}
	return k
}

// errUnknown is a file no classifier recognised (Glue's UNKNOWN classification).
var errUnknown error = lazy.Error("no classifier recognised the file")

// magic numbers of the formats recognised by their first bytes.
var (
	magicGzip    = []byte{0x1f, 0x8b}
	magicBzip2   = []byte("BZh")
	magicZstd    = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicSnappyF = []byte{0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y'}
	magicParquet = []byte("PAR1")
	magicAvro    = []byte{'O', 'b', 'j', 1}
)

// decompress wraps r (whose first bytes are head) in the decompressor its
// magic number or its name asks for.
func decompress(r io.Reader, head []byte, name string) (io.Reader, string, error) {
	switch {
	case bytes.HasPrefix(head, magicGzip):
		zr, err := gzip.NewReader(r)
		return zr, "gzip", err
	case bytes.HasPrefix(head, magicBzip2):
		return bzip2.NewReader(r), "bzip2", nil
	case bytes.HasPrefix(head, magicZstd):
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(256<<20))
		if err != nil {
			return nil, "", err
		}
		return zr.IOReadCloser(), "zstd", nil
	case bytes.HasPrefix(head, magicSnappyF):
		return snappy.NewReader(r), "snappy", nil
	case strings.HasSuffix(name, ".snappy"):
		return &hadoopSnappy{r: r}, "snappy", nil
	}
	return r, "none", nil
}

// hadoopSnappy reads Hadoop's snappy codec framing: blocks of a 4-byte
// uncompressed length, then chunks of a 4-byte length and a snappy block.
type hadoopSnappy struct {
	r    io.Reader
	left uint32 // uncompressed bytes of the current block still to come
	buf  []byte
}

func (h *hadoopSnappy) Read(p []byte) (int, error) {
	for len(h.buf) == 0 {
		var n [4]byte
		if h.left == 0 {
			if _, err := io.ReadFull(h.r, n[:]); err != nil {
				return 0, err
			}
			h.left = binary.BigEndian.Uint32(n[:])
			continue
		}
		if _, err := io.ReadFull(h.r, n[:]); err != nil {
			return 0, io.ErrUnexpectedEOF
		}
		clen := binary.BigEndian.Uint32(n[:])
		if clen > 64<<20 {
			return 0, errors.New("snappy: chunk too large")
		}
		chunk := make([]byte, clen)
		if _, err := io.ReadFull(h.r, chunk); err != nil {
			return 0, io.ErrUnexpectedEOF
		}
		out, err := snappy.Decode(nil, chunk)
		if err != nil {
			return 0, err
		}
		if uint32(len(out)) > h.left {
			return 0, errors.New("snappy: block longer than announced")
		}
		h.left -= uint32(len(out))
		h.buf = out
	}
	n := copy(p, h.buf)
	h.buf = h.buf[n:]
	return n, nil
}

// readSample reads up to sampleBytes of r, and reports whether that was all.
func readSample(r io.Reader) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, sampleBytes+1))
	if err != nil {
		return nil, false, err
	}
	if len(b) > sampleBytes {
		return b[:sampleBytes], false, nil
	}
	return b, true, nil
}

// wholeLines cuts a truncated sample back to its last complete line.
func wholeLines(b []byte, complete bool) []byte {
	if complete {
		return b
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[:i+1]
	}
	return nil
}

// CSV, as Glue's built-in classifier reads it.

var csvDelims = []byte{',', '|', '\t', ';', 0x01}

// splitCSV parses the lines of b with delimiter d and quote q.
func splitCSV(b []byte, d, q byte) ([][]string, bool) {
	quoted := false
	if q == '"' {
		cr := csv.NewReader(bytes.NewReader(b))
		cr.Comma = rune(d)
		cr.LazyQuotes = true
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = false
		var rows [][]string
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, false
			}
			if len(rec) == 1 && rec[0] == "" {
				continue
			}
			rows = append(rows, rec)
		}
		quoted = bytes.Contains(b, []byte{d, '"'}) || bytes.HasPrefix(b, []byte{'"'}) || bytes.Contains(b, []byte{'\n', '"'})
		return rows, quoted
	}
	// Another quote character: split by hand, honouring q around whole values.
	var rows [][]string
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		if line == "" {
			continue
		}
		var rec []string
		var cur strings.Builder
		in := false
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch {
			case c == q:
				quoted = true
				if in && i+1 < len(line) && line[i+1] == q {
					cur.WriteByte(q)
					i++
				} else {
					in = !in
				}
			case c == d && !in:
				rec = append(rec, cur.String())
				cur.Reset()
			default:
				cur.WriteByte(c)
			}
		}
		rows = append(rows, append(rec, cur.String()))
	}
	return rows, quoted
}

// csvValueType is the type a single CSV value suggests: boolean, bigint,
// double or string; an empty value suggests nothing. Glue's CSV classifier
// leaves dates and timestamps as strings.
func csvValueType(v string, trim bool) *gtype {
	if trim {
		v = strings.TrimSpace(v)
	}
	if v == "" {
		return tNull
	}
	if strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
		return tBoolean
	}
	if intRE.Get().MatchString(v) {
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return tBigint
		}
		return tString
	}
	if floatRE.Get().MatchString(v) {
		if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) {
			return tDouble
		}
	}
	return tString
}

var (
	intRE   = lazy.Regexp{Expr: `^[+-]?[0-9]+$`}
	floatRE = lazy.Regexp{Expr: `^[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?$`}
	// colNameRE is what Glue accepts as a column name found in a header.
	colNameRE = lazy.Regexp{Expr: `^[^\x00-\x1f]{1,149}$`}
)

// csvOptions are what a custom CSV classifier sets (the built-in one tries
// every common delimiter and judges the header itself).
type csvOptions struct {
	delims       []byte
	quote        byte
	header       string // "UNKNOWN", "PRESENT", "ABSENT"
	names        []string
	singleColumn bool
	trim         bool
}

var builtinCSV = csvOptions{delims: csvDelims, quote: '"', header: "UNKNOWN", trim: true}

// classifyCSV reads b as delimited text: the delimiter that splits every
// line into the same number (at least two) of fields wins; the first line is
// a header when each of its values is a string fit for a column name and the
// lines below hold at least one column that is not all strings (Glue's rule:
// when every column is a string the first line cannot be told from data).
func classifyCSV(b []byte, complete bool, o csvOptions) (*fileSchema, bool) {
	b = wholeLines(b, complete)
	if len(bytes.TrimSpace(b)) == 0 || bytes.IndexByte(b, 0) >= 0 {
		return nil, false
	}
	var best [][]string
	var bestD byte
	var bestQ bool
	for _, d := range o.delims {
		if bytes.IndexByte(b, d) < 0 && !o.singleColumn {
			continue
		}
		rows, quoted := splitCSV(b, d, o.quote)
		if len(rows) == 0 {
			continue
		}
		n := len(rows[0])
		ok := n >= 2 || o.singleColumn
		for _, r := range rows {
			if len(r) != n {
				ok = false
				break
			}
		}
		if ok && (best == nil || n > len(best[0])) {
			best, bestD, bestQ = rows, d, quoted
		}
	}
	if best == nil {
		return nil, false
	}
	n := len(best[0])
	types := func(rows [][]string) []*gtype {
		ts := make([]*gtype, n)
		for i := range ts {
			ts[i] = tNull
		}
		for _, r := range rows {
			for i, v := range r {
				ts[i] = merge(ts[i], csvValueType(v, o.trim))
			}
		}
		return ts
	}
	header := false
	switch o.header {
	case "PRESENT":
		header = true
	case "ABSENT":
	default:
		if len(best) > 1 {
			header = true
			seen := map[string]bool{}
			for _, v := range best[0] {
				name := strings.ToLower(strings.TrimSpace(v))
				if csvValueType(v, true) != tString || !colNameRE.Get().MatchString(name) || seen[name] {
					header = false
					break
				}
				seen[name] = true
			}
			if header {
				nonString := false
				for _, t := range types(best[1:]) {
					nonString = nonString || (t != tString && t != tNull)
				}
				header = nonString
			}
		}
	}
	data := best
	if header {
		data = best[1:]
	}
	ts := types(data)
	fs := &fileSchema{class: "csv", delim: bestD, header: header, quoted: bestQ, quoteChar: o.quote,
		records: int64(len(data)), bytes: int64(len(b)), complete: complete}
	for i, t := range ts {
		name := fmt.Sprintf("col%d", i)
		if i < len(o.names) {
			name = strings.ToLower(o.names[i])
		} else if header {
			name = strings.ToLower(strings.TrimSpace(best[0][i]))
		}
		if t.name == "null" {
			t = tString
		}
		fs.cols = append(fs.cols, gfield{name, t})
	}
	return fs, true
}

// JSON, as Glue's built-in classifier reads it: one object per record
// (JSON lines, or objects one after another); a file that is one JSON array
// is one record with a single column named "array".

func jsonType(v any) *gtype {
	switch x := v.(type) {
	case nil:
		return tNull
	case bool:
		return tBoolean
	case string:
		return tString
	case json.Number:
		s := x.String()
		if intRE.Get().MatchString(s) {
			n, err := strconv.ParseInt(s, 10, 64)
			switch {
			case err != nil:
				return tDouble
			case n >= math.MinInt32 && n <= math.MaxInt32:
				return tInt
			default:
				return tBigint
			}
		}
		return tDouble
	case []any:
		t := &gtype{name: "array", elem: tNull}
		for _, e := range x {
			t.elem = merge(t.elem, jsonType(e))
		}
		return t
	case map[string]any:
		return jsonObject(x, nil)
	}
	return tString
}

// jsonObject types an object, keeping the members in the order they came
// (order, when not nil, is that order as read from the text).
func jsonObject(m map[string]any, order []string) *gtype {
	t := &gtype{name: "struct"}
	if order == nil {
		order = sortedKeys(m)
	}
	for _, k := range order {
		t.fields = append(t.fields, gfield{k, jsonType(m[k])})
	}
	return t
}

// typeJSON types the next JSON value of d, keeping object members in the
// order they come (Glue lists a struct's members as it first met them).
func typeJSON(d *json.Decoder, depth int) (*gtype, error) {
	if depth > 100 {
		return nil, errors.New("JSON nested too deep")
	}
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			st := &gtype{name: "struct"}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string)
				ft, err := typeJSON(d, depth+1)
				if err != nil {
					return nil, err
				}
				if i := fieldIndex(st.fields, key); i >= 0 {
					st.fields[i].t = merge(st.fields[i].t, ft)
				} else {
					st.fields = append(st.fields, gfield{key, ft})
				}
			}
			_, err := d.Token()
			return st, err
		case '[':
			at := &gtype{name: "array", elem: tNull}
			for d.More() {
				et, err := typeJSON(d, depth+1)
				if err != nil {
					return nil, err
				}
				at.elem = merge(at.elem, et)
			}
			_, err := d.Token()
			return at, err
		}
		return nil, errors.New("unexpected JSON delimiter")
	default:
		return jsonType(t), nil
	}
}

func classifyJSON(b []byte, complete bool) (*fileSchema, bool) {
	trimmed := bytes.TrimLeft(b, " \t\r\n\ufeff")
	if len(trimmed) == 0 || trimmed[0] != '{' && trimmed[0] != '[' {
		return nil, false
	}
	fs := &fileSchema{class: "json", complete: complete}
	var row *gtype
	d := json.NewDecoder(bytes.NewReader(trimmed))
	d.UseNumber()
	for d.More() {
		start := d.InputOffset()
		t, err := typeJSON(d, 0)
		if err != nil {
			if !complete && fs.records > 0 {
				break // the sample cut a record short
			}
			return nil, false
		}
		switch t.name {
		case "struct":
		case "array":
			t = &gtype{name: "struct", fields: []gfield{{"array", t}}}
		default:
			return nil, false
		}
		row = merge(row, t)
		fs.records++
		fs.bytes += d.InputOffset() - start
	}
	if row == nil || len(row.fields) == 0 {
		return nil, false
	}
	for _, f := range row.fields {
		fs.addColumn(strings.ToLower(f.name), f.t)
	}
	return fs, true
}

// addColumn adds a column, merging it into one of the same name.
func (f *fileSchema) addColumn(name string, t *gtype) {
	if i := fieldIndex(f.cols, name); i >= 0 {
		f.cols[i].t = merge(f.cols[i].t, t)
		return
	}
	f.cols = append(f.cols, gfield{name, t})
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return ks
}

// peek returns the first n bytes of a buffered reader without consuming them.
func peek(r *bufio.Reader, n int) []byte {
	b, _ := r.Peek(n)
	return b
}
