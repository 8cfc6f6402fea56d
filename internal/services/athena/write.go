package athena

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/sqlengine/wire"
)

// output is where and how CREATE TABLE AS, INSERT INTO and UNLOAD write rows.
type output struct {
	format      string // PARQUET, JSON or TEXTFILE
	compression string // "" for the format's default
	delim       string // TEXTFILE's field delimiter
	location    string // s3://bucket/prefix/
	partitionBy []string
}

// written is what a write left in S3.
type written struct {
	columns []wire.Column
	rows    int64
	files   []string            // s3:// URIs
	parts   map[string][]string // partition folder (k=v/...) → values
}

func (o *output) copyOptions() (string, string, error) {
	var opts []string
	ext := ""
	switch o.format {
	case "PARQUET":
		c := strings.ToLower(firstNonEmpty(o.compression, "snappy"))
		if c == "none" {
			c = "uncompressed"
		}
		opts, ext = append(opts, "FORMAT parquet", "COMPRESSION "+c), ".parquet"
	case "JSON":
		opts, ext = append(opts, "FORMAT json"), ".json"
		if c := strings.ToLower(firstNonEmpty(o.compression, "gzip")); c == "gzip" {
			opts, ext = append(opts, "COMPRESSION gzip"), ".json.gz"
		}
	case "TEXTFILE":
		// Hive's LazySimpleSerDe: no quotes, \N for NULL.
		opts, ext = append(opts, "FORMAT csv", "HEADER false", "QUOTE ''", "ESCAPE ''", "NULLSTR '\\N'", "DELIMITER "+quoteLit(firstNonEmpty(o.delim, "\x01"))), ".csv"
		if c := strings.ToLower(firstNonEmpty(o.compression, "gzip")); c == "gzip" {
			opts, ext = append(opts, "COMPRESSION gzip"), ".csv.gz"
		}
	default:
		return "", "", userError("NOT_SUPPORTED: fogbank writes PARQUET, JSON and TEXTFILE, not %s", o.format)
	}
	if len(o.partitionBy) > 0 {
		var q []string
		for _, p := range o.partitionBy {
			q = append(q, quoteIdent(p))
		}
		opts = append(opts, "PARTITION_BY ("+strings.Join(q, ", ")+")")
	}
	return strings.Join(opts, ", "), ext, nil
}

// write runs the query text body (the user's, at offset start of the
// statement), wrapped by wrap when set, and puts what the engine wrote under
// o.location.
func (x *stmt) write(body string, start int, o *output, wrap func(string) string) (*written, error) {
	opts, ext, err := o.copyOptions()
	if err != nil {
		return nil, err
	}
	toks := lex(body)
	b := &binder{s: x.s, account: x.e.Account, region: x.e.Region, dir: x.res.dir, seen: map[string]bool{}}
	defer b.close()
	if err := b.bind(toks, x.db, pruning(toks)); err != nil {
		return nil, err
	}
	x.paths = b.paths
	if err := x.checkCutoff(b.bytes); err != nil {
		return nil, err
	}
	rw, err := rewrite(toks, x.e.Params)
	if err != nil {
		return nil, err
	}
	sqlText := rw.sql
	if wrap != nil {
		sqlText = wrap(sqlText)
	}
	out := filepath.Join(x.res.dir, "out")
	target := out
	if len(o.partitionBy) == 0 {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return nil, err
		}
		target = filepath.Join(out, "data"+ext)
	}
	req := &wire.Request{Op: "query", Setup: setupFor(sqlText, b.setup), SQL: sqlText,
		CopyTo: target, Copy: opts, TempDir: filepath.Join(x.res.dir, "spill"), Probes: b.probes, MaxProbed: x.probeLimit(b)}
	resp, err := x.s.engine.Run(x.ctx, req)
	if err != nil {
		return nil, err
	}
	x.e.EngineMillis += resp.Millis
	if resp.Cancelled {
		return nil, context.Canceled
	}
	if resp.OverLimit {
		return nil, x.scanned(b, resp)
	}
	if resp.Error != "" {
		return nil, x.engineError(resp.Error, &rewritten{sql: sqlText, spans: shift(rw.spans, start)})
	}
	if err := x.scanned(b, resp); err != nil {
		return nil, err
	}
	w := &written{columns: resp.Columns, rows: resp.Rows, parts: map[string][]string{}}
	bucket, prefix, err := parseS3(o.location)
	if err != nil {
		return nil, err
	}
	ctxS3 := api.WithCaller(context.Background(), &x.e.Caller)
	n := 0
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if resp.Rows == 0 {
			// Athena writes no file for no rows (an empty manifest; clients
			// such as awswrangler then read the columns from the table).
			return nil
		}
		rel, _ := filepath.Rel(out, p)
		dir := filepath.ToSlash(filepath.Dir(rel))
		if dir == "." {
			dir = ""
		} else {
			var vals []string
			for _, el := range strings.Split(dir, "/") {
				_, v, _ := strings.Cut(el, "=")
				vals = append(vals, v)
			}
			w.parts[dir] = vals
			dir += "/"
		}
		key := fmt.Sprintf("%s%s%s_%05d%s", prefix, dir, x.e.ID, n, ext)
		n++
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		if err := x.s.putFile(ctxS3, bucket, key, f, info.Size(), ""); err != nil {
			return &queryError{cat: 2, typ: 1000, msg: fmt.Sprintf("HIVE_WRITER_OPEN_ERROR: Unable to write to %s: %v", o.location, err)}
		}
		w.files = append(w.files, "s3://"+bucket+"/"+key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w, x.manifest(w.files)
}

// manifest writes <output>/<id>-manifest.csv, the list of the files the
// statement wrote, as Athena does for CTAS, INSERT INTO and UNLOAD.
func (x *stmt) manifest(files []string) error {
	bucket, prefix, _ := parseS3(x.e.Output)
	body := strings.Join(files, "\n")
	if body != "" {
		body += "\n"
	}
	key := prefix + x.e.ID + "-manifest.csv"
	_, err := x.s.s3.PutObject(api.WithCaller(context.Background(), &x.e.Caller), &s3api.PutObjectRequest{Bucket: api.String(bucket),
		Key: api.String(key), Body: strings.NewReader(body), ContentLength: api.Int64(int64(len(body)))})
	if err == nil {
		x.e.Manifest = "s3://" + bucket + "/" + key
	}
	return err
}

// arrayProp reads a property written ARRAY['a', 'b'] (properties keeps it
// as "a,b").
func arrayProp(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// queryBody is the statement's text after the token at i (AS, or the table
// name of INSERT INTO), without a trailing WITH [NO] DATA or surrounding
// parentheses, and its offset in the statement.
func (x *stmt) queryBody(i int) (string, int, bool) {
	st := x.st
	start := st[i].pos + len(st[i].text)
	end := len(x.q)
	noData := false
	if n := len(st); n >= 3 && words(st[n-3:], "WITH", "NO", "DATA") {
		end, noData = st[n-3].pos, true
	} else if n >= 2 && words(st[n-2:], "WITH", "DATA") {
		end = st[n-2].pos
	}
	body := x.q[start:end]
	trimmed := strings.TrimSpace(body)
	start += strings.Index(body, trimmed)
	if strings.HasPrefix(trimmed, "(") && strings.HasSuffix(trimmed, ")") && balanced(trimmed[1:len(trimmed)-1]) {
		trimmed, start = trimmed[1:len(trimmed)-1], start+1
	}
	return trimmed, start, noData
}

func balanced(s string) bool {
	depth := 0
	for _, t := range lex(s) {
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// ctas runs CREATE TABLE name [WITH (...)] AS query [WITH [NO] DATA]: the
// engine writes the rows (Parquet unless format says otherwise) into the
// table's location in S3, and the table lands in the Glue catalogue.
func (x *stmt) ctas() error {
	st := x.st
	i := 2
	ifNot := false
	if words(st[i:], "IF", "NOT", "EXISTS") {
		ifNot, i = true, i+3
	}
	db, name, i, err := x.tableName(i)
	if err != nil {
		return err
	}
	props := map[string]string{}
	if words(st[i:], "WITH") && i+1 < len(st) && st[i+1].text == "(" {
		if props, i, err = x.properties(i + 1); err != nil {
			return err
		}
	}
	if !words(st[i:], "AS") {
		return x.mismatch(i)
	}
	body, start, noData := x.queryBody(i)
	if existing, err := x.s.lookup(x.e.Account, x.e.Region, db, name); err != nil {
		return err
	} else if existing != nil {
		if ifNot {
			return x.rowsResult(nil, nil)
		}
		return userError("TABLE_ALREADY_EXISTS: line 1:1: Destination table 'awsdatacatalog.%s.%s' already exists", db, name)
	}
	o := &output{format: strings.ToUpper(firstNonEmpty(props["format"], "PARQUET")), delim: props["field_delimiter"],
		compression: firstNonEmpty(props["write_compression"], props["parquet_compression"]), partitionBy: arrayProp(props["partitioned_by"])}
	if props["table_type"] != "" && !strings.EqualFold(props["table_type"], "HIVE") {
		return icebergError(db, name)
	}
	// Bucketing is recorded in the catalogue (BucketColumns, NumberOfBuckets)
	// but the files are not split by bucket: fogbank's engine never prunes
	// by bucket, so every query answers the same rows.
	buckets := arrayProp(props["bucketed_by"])
	nbuckets := 0
	if len(buckets) > 0 || props["bucket_count"] != "" {
		n, err := strconv.Atoi(props["bucket_count"])
		if err != nil || n < 1 || len(buckets) == 0 {
			return userError("INVALID_TABLE_PROPERTY: bucketed_by and bucket_count must be set together, bucket_count a positive integer")
		}
		nbuckets = n
	}
	loc := props["external_location"]
	if loc == "" {
		loc = x.e.Output + "tables/" + x.e.ID + "/" // Athena's default
	}
	if !strings.HasSuffix(loc, "/") {
		loc += "/"
	}
	o.location = loc
	if _, _, err := parseS3(loc); err != nil {
		return userError("INVALID_TABLE_PROPERTY: %s is not an S3 location", loc)
	}
	var wrap func(string) string
	if noData {
		wrap = func(s string) string { return "SELECT * FROM (" + s + ") LIMIT 0" }
	}
	w, err := x.write(body, start, o, wrap)
	if err != nil {
		return err
	}
	t := &glueTable{Name: name, TableType: "EXTERNAL_TABLE", Parameters: map[string]string{"EXTERNAL": "TRUE", "has_encrypted_data": "false"},
		PartitionKeys: []glueColumn{}, StorageDescriptor: &glueSD{Location: strings.TrimSuffix(loc, "/"), Columns: []glueColumn{}}}
	sd := t.StorageDescriptor
	if nbuckets > 0 {
		sd.BucketColumns, sd.NumberOfBuckets = buckets, nbuckets
	}
	switch o.format {
	case "PARQUET":
		t.Parameters["classification"] = "parquet"
		sd.InputFormat, sd.OutputFormat = inParquet, outParquet
		sd.SerdeInfo = &glueSerde{SerializationLibrary: serdeParquet, Parameters: map[string]string{"serialization.format": "1"}}
	case "JSON":
		t.Parameters["classification"] = "json"
		sd.InputFormat, sd.OutputFormat = inText, outText
		sd.SerdeInfo = &glueSerde{SerializationLibrary: "org.apache.hive.hcatalog.data.JsonSerDe", Parameters: map[string]string{}}
	case "TEXTFILE":
		t.Parameters["classification"] = "csv"
		d := firstNonEmpty(o.delim, "\x01")
		sd.InputFormat, sd.OutputFormat = inText, outText
		sd.SerdeInfo = &glueSerde{SerializationLibrary: serdeLazy, Parameters: map[string]string{"field.delim": d, "serialization.format": d}}
	}
	parted := map[string]bool{}
	for _, p := range o.partitionBy {
		parted[p] = true
	}
	for _, c := range w.columns {
		col := glueColumn{Name: strings.ToLower(c.Name), Type: glueType(c.Type)}
		if parted[col.Name] {
			t.PartitionKeys = append(t.PartitionKeys, col)
		} else {
			sd.Columns = append(sd.Columns, col)
		}
	}
	if len(t.PartitionKeys) != len(o.partitionBy) {
		return userError("COLUMN_NOT_FOUND: line 1:1: Column '%s' is not present in the query's columns (partitioned_by)", strings.Join(o.partitionBy, ", "))
	}
	// partition keys in partitioned_by's order
	sort.SliceStable(t.PartitionKeys, func(a, b int) bool {
		return indexOf(o.partitionBy, t.PartitionKeys[a].Name) < indexOf(o.partitionBy, t.PartitionKeys[b].Name)
	})
	if err := x.putTable(db, t); err != nil {
		return err
	}
	if err := x.addWrittenPartitions(db, t, loc, w); err != nil {
		return err
	}
	n := w.rows
	return x.updateResult(n)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return len(list)
}

func (x *stmt) addWrittenPartitions(db string, t *glueTable, loc string, w *written) error {
	if len(t.PartitionKeys) == 0 || len(w.parts) == 0 {
		return nil
	}
	var adds [][]byte
	for dir, vals := range w.parts {
		adds = append(adds, partitionInput(t, vals, loc+dir+"/"))
	}
	return x.s.catalog.CatalogAddPartitionsJSON(x.e.Account, x.e.Region, db, t.Name, adds)
}

// insert runs INSERT INTO table [(columns)] query: new files in the table's
// location (and partition folders, which become partitions), in its format.
func (x *stmt) insert() error {
	db, name, i, err := x.tableName(2)
	if err != nil {
		return err
	}
	t, err := x.table(db, name)
	if err != nil {
		return err
	}
	if isIceberg(t) {
		return icebergError(db, name)
	}
	all := append(append([]glueColumn{}, t.columns()...), t.PartitionKeys...)
	target := all
	if i < len(x.st) && x.st[i].text == "(" {
		cols, next, err := x.identList(i)
		if err != nil {
			return err
		}
		target, i = nil, next
		for _, c := range cols {
			found := false
			for _, tc := range all {
				if tc.Name == c {
					target, found = append(target, tc), true
				}
			}
			if !found {
				return userError("COLUMN_NOT_FOUND: line 1:1: Insert column name does not exist in target table: %s", c)
			}
		}
	}
	if i >= len(x.st) {
		return x.mismatch(i)
	}
	body, start, _ := x.queryBody(i - 1)
	o := &output{location: strings.TrimSuffix(t.StorageDescriptor.Location, "/") + "/"}
	switch t.format() {
	case "parquet":
		o.format = "PARQUET"
	case "json":
		o.format, o.compression = "JSON", "none"
	case "csv":
		o.format, o.compression = "TEXTFILE", "none"
		o.delim = "\x01"
		if v, ok := t.serdeParam("field.delim"); ok && v != "" {
			o.delim = v
		} else if v, ok := t.serdeParam("separatorChar"); ok && v != "" {
			o.delim = v
		}
	default:
		return userError("NOT_SUPPORTED: fogbank cannot write %s tables", t.format())
	}
	for _, k := range t.PartitionKeys {
		o.partitionBy = append(o.partitionBy, k.Name)
	}
	// Hive maps the query's columns to the table's by position; columns
	// not named are NULL.
	wrap := func(s string) string {
		var alias, sel []string
		for n := range target {
			alias = append(alias, fmt.Sprintf("c%d", n))
		}
		for _, c := range all {
			expr := "NULL"
			for n, tc := range target {
				if tc.Name == c.Name {
					expr = fmt.Sprintf("c%d", n)
				}
			}
			sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", expr, duckType(c.Type), quoteIdent(c.Name)))
		}
		return fmt.Sprintf("SELECT %s FROM (%s) AS fb_insert(%s)", strings.Join(sel, ", "), s, strings.Join(alias, ", "))
	}
	w, err := x.write(body, start, o, wrap)
	if err != nil {
		return err
	}
	if err := x.addWrittenPartitions(db, t, o.location, w); err != nil {
		return err
	}
	n := w.rows
	return x.updateResult(n)
}

// identList reads ( a, b, ... ) at st[i].
func (x *stmt) identList(i int) ([]string, int, error) {
	st := x.st
	i++
	var out []string
	for i < len(st) && st[i].isIdent() {
		out = append(out, st[i].ident())
		i++
		if i < len(st) && st[i].text == "," {
			i++
		}
	}
	if i >= len(st) || st[i].text != ")" {
		return nil, i, x.mismatch(i)
	}
	return out, i + 1, nil
}

// unload runs UNLOAD (query) TO 's3://...' WITH (format = ...): the rows in
// the given format, in a location that must be empty, and no table.
func (x *stmt) unload() error {
	st := x.st
	if len(st) < 2 || st[1].text != "(" {
		return x.mismatch(1)
	}
	depth, end := 0, -1
	for k := 1; k < len(st) && end < 0; k++ {
		switch st[k].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				end = k
			}
		}
	}
	if end < 0 || !words(st[end+1:], "TO") || end+2 >= len(st) || st[end+2].kind != 's' {
		return x.mismatch(max(end+1, 1))
	}
	body := x.q[st[1].pos+1 : st[end].pos]
	start := st[1].pos + 1
	loc := st[end+2].val()
	if !strings.HasSuffix(loc, "/") {
		loc += "/"
	}
	props := map[string]string{}
	i := end + 3
	if words(st[i:], "WITH") {
		var err error
		if props, i, err = x.properties(i + 1); err != nil {
			return err
		}
	}
	if i < len(st) {
		return x.mismatch(i)
	}
	if props["format"] == "" {
		return userError("SYNTAX_ERROR: line 1:1: UNLOAD needs the format property")
	}
	bucket, prefix, err := parseS3(loc)
	if err != nil {
		return userError("INVALID_TABLE_PROPERTY: %s is not an S3 location", loc)
	}
	list, err := x.s.s3.ListObjectsV2(api.WithCaller(context.Background(), &x.e.Caller), &s3api.ListObjectsV2Request{
		Bucket: api.String(bucket), Prefix: api.String(prefix), MaxKeys: api.Int64(1)})
	if err != nil {
		return userError("HIVE_PATH_ALREADY_EXISTS: %v", err)
	}
	if len(list.Contents) > 0 {
		return userError("HIVE_PATH_ALREADY_EXISTS: Target directory for table '%s' already exists: %s. You may need to manually clean the data at location '%s' before retrying. Athena will not delete data in your account.", x.e.ID, loc, loc)
	}
	o := &output{format: strings.ToUpper(props["format"]), compression: props["compression"], delim: props["field_delimiter"],
		location: loc, partitionBy: arrayProp(props["partitioned_by"])}
	w, err := x.write(body, start, o, nil)
	if err != nil {
		return err
	}
	n := w.rows
	return x.updateResult(n)
}

// updateResult is the answer of CTAS, INSERT and UNLOAD as Athena gives it: no
// rows, one bigint column "rows", and the count in UpdateCount.
func (x *stmt) updateResult(n int64) error {
	x.res.update = &n
	x.res.columns = []column{{Name: "rows", Type: "bigint", Precision: 19}}
	return nil
}
