package athena

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// glueTable is the part of a Glue table (GetTable's "Table", TableInput) that
// Athena reads and writes.
type glueTable struct {
	Name              string            `json:"Name"`
	DatabaseName      string            `json:"DatabaseName,omitempty"`
	Description       string            `json:"Description,omitempty"`
	TableType         string            `json:"TableType,omitempty"`
	Parameters        map[string]string `json:"Parameters,omitempty"`
	PartitionKeys     []glueColumn      `json:"PartitionKeys"`
	StorageDescriptor *glueSD           `json:"StorageDescriptor,omitempty"`
	ViewOriginalText  string            `json:"ViewOriginalText,omitempty"`
	ViewExpandedText  string            `json:"ViewExpandedText,omitempty"`
	CreateTime        any               `json:"CreateTime,omitempty"`
}

type glueColumn struct {
	Name    string `json:"Name"`
	Type    string `json:"Type"`
	Comment string `json:"Comment,omitempty"`
}

type glueSD struct {
	Columns      []glueColumn      `json:"Columns"`
	Location     string            `json:"Location,omitempty"`
	InputFormat  string            `json:"InputFormat,omitempty"`
	OutputFormat string            `json:"OutputFormat,omitempty"`
	Compressed   bool              `json:"Compressed,omitempty"`
	SerdeInfo    *glueSerde        `json:"SerdeInfo,omitempty"`
	Parameters   map[string]string `json:"Parameters,omitempty"`
	// Hive bucketing, recorded (CTAS bucketed_by/bucket_count); fogbank
	// neither splits files by bucket nor prunes by it.
	BucketColumns   []string `json:"BucketColumns,omitempty"`
	NumberOfBuckets int      `json:"NumberOfBuckets,omitempty"`
}

type glueSerde struct {
	SerializationLibrary string            `json:"SerializationLibrary,omitempty"`
	Parameters           map[string]string `json:"Parameters,omitempty"`
}

type gluePartition struct {
	Values            []string `json:"Values"`
	StorageDescriptor *glueSD  `json:"StorageDescriptor,omitempty"`
}

// The formats Athena's DDL names, as Hive classes.
const (
	serdeLazy    = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
	serdeOpenCSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
	serdeJSON    = "org.openx.data.jsonserde.JsonSerDe"
	serdeParquet = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
	inText       = "org.apache.hadoop.mapred.TextInputFormat"
	outText      = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	inParquet    = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
	outParquet   = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
	inORC        = "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat"
	outORC       = "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat"
	serdeORC     = "org.apache.hadoop.hive.ql.io.orc.OrcSerde"
)

// format is how the engine reads a table's files: "csv", "json", "parquet",
// or "" for one it cannot.
func (t *glueTable) format() string {
	sd := t.StorageDescriptor
	if sd == nil {
		return ""
	}
	lib := ""
	if sd.SerdeInfo != nil {
		lib = strings.ToLower(sd.SerdeInfo.SerializationLibrary)
	}
	in := strings.ToLower(sd.InputFormat)
	class := strings.ToLower(t.Parameters["classification"])
	switch {
	case strings.Contains(lib, "parquet") || strings.Contains(in, "parquet") || class == "parquet":
		return "parquet"
	case strings.Contains(lib, "json") || class == "json":
		return "json"
	case strings.Contains(lib, "orc") || strings.Contains(in, "orc") || class == "orc":
		return "orc"
	case strings.Contains(lib, "avro") || class == "avro":
		return "avro"
	}
	return "csv"
}

func (t *glueTable) serdeParam(k string) (string, bool) {
	if t.StorageDescriptor == nil || t.StorageDescriptor.SerdeInfo == nil {
		return "", false
	}
	v, ok := t.StorageDescriptor.SerdeInfo.Parameters[k]
	return v, ok
}

func (t *glueTable) columns() []glueColumn {
	if t.StorageDescriptor == nil {
		return nil
	}
	return t.StorageDescriptor.Columns
}

// parseS3 splits s3://bucket/prefix.
func parseS3(loc string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(loc, "s3://")
	if !ok {
		rest, ok = strings.CutPrefix(loc, "s3a://")
	}
	if !ok || rest == "" || strings.HasPrefix(rest, "/") {
		return "", "", invalid("%s is not a valid S3 path.", loc)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	return bucket, prefix, nil
}

// duckType turns a Hive/Glue type into DuckDB's.
func duckType(t string) string {
	t = strings.TrimSpace(t)
	low := strings.ToLower(t)
	open := strings.IndexAny(low, "<(")
	base := low
	if open >= 0 {
		base = strings.TrimSpace(low[:open])
	}
	switch base {
	case "string", "varchar", "char":
		return "VARCHAR"
	case "int", "integer":
		return "INTEGER"
	case "bigint":
		return "BIGINT"
	case "smallint":
		return "SMALLINT"
	case "tinyint":
		return "TINYINT"
	case "double":
		return "DOUBLE"
	case "float", "real":
		return "FLOAT"
	case "boolean":
		return "BOOLEAN"
	case "date":
		return "DATE"
	case "timestamp":
		return "TIMESTAMP"
	case "binary":
		return "BLOB"
	case "decimal":
		if open >= 0 {
			return "DECIMAL" + strings.ReplaceAll(t[open:], " ", "")
		}
		return "DECIMAL(10,0)"
	case "array":
		return duckType(inner(t)) + "[]"
	case "map":
		parts := splitTop(inner(t), ',')
		if len(parts) == 2 {
			return "MAP(" + duckType(parts[0]) + ", " + duckType(parts[1]) + ")"
		}
	case "struct":
		var fields []string
		for _, f := range splitTop(inner(t), ',') {
			name, typ, ok := strings.Cut(f, ":")
			if !ok {
				continue
			}
			fields = append(fields, quoteIdent(strings.TrimSpace(name))+" "+duckType(typ))
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")"
	}
	return "VARCHAR"
}

func inner(t string) string {
	i := strings.IndexAny(t, "<(")
	j := strings.LastIndexAny(t, ">)")
	if i < 0 || j <= i {
		return ""
	}
	return t[i+1 : j]
}

// splitTop splits s at sep outside <> and ().
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '(':
			depth++
		case '>', ')':
			depth--
		case sep:
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// glueType turns a DuckDB result type into the Glue type CTAS records.
func glueType(t string) string {
	if strings.HasSuffix(t, "[]") {
		return "array<" + glueType(strings.TrimSuffix(t, "[]")) + ">"
	}
	up := strings.ToUpper(t)
	switch {
	case up == "VARCHAR" || up == "UUID" || up == "JSON":
		return "string"
	case up == "INTEGER":
		return "int"
	case up == "BIGINT" || up == "UBIGINT" || up == "UINTEGER":
		return "bigint"
	case up == "HUGEINT":
		return "decimal(38,0)"
	case up == "SMALLINT" || up == "USMALLINT":
		return "smallint"
	case up == "TINYINT" || up == "UTINYINT":
		return "tinyint"
	case up == "DOUBLE":
		return "double"
	case up == "FLOAT":
		return "float"
	case up == "BOOLEAN":
		return "boolean"
	case up == "DATE":
		return "date"
	case strings.HasPrefix(up, "TIMESTAMP"):
		return "timestamp"
	case strings.HasPrefix(up, "DECIMAL"):
		return strings.ToLower(t)
	case up == "BLOB":
		return "binary"
	case strings.HasPrefix(up, "MAP("):
		parts := splitTop(inner(t), ',')
		if len(parts) == 2 {
			return "map<" + glueType(parts[0]) + "," + glueType(parts[1]) + ">"
		}
	case strings.HasPrefix(up, "STRUCT("):
		var fields []string
		for _, f := range splitTop(inner(t), ',') {
			name, typ := splitNameType(f)
			fields = append(fields, name+":"+glueType(typ))
		}
		return "struct<" + strings.Join(fields, ",") + ">"
	}
	return "string"
}

func splitNameType(f string) (string, string) {
	f = strings.TrimSpace(f)
	if strings.HasPrefix(f, `"`) {
		if j := strings.Index(f[1:], `"`); j >= 0 {
			return f[1 : j+1], strings.TrimSpace(f[j+2:])
		}
	}
	name, typ, _ := strings.Cut(f, " ")
	return name, typ
}

// athenaType is the type name Athena's ResultSetMetadata gives a DuckDB type.
func athenaType(t string) (name string, precision, scale int64) {
	up := strings.ToUpper(t)
	switch {
	case strings.HasSuffix(up, "[]"):
		return "array", 0, 0
	case strings.HasPrefix(up, "MAP("):
		return "map", 0, 0
	case strings.HasPrefix(up, "STRUCT("):
		return "row", 0, 0
	case strings.HasPrefix(up, "DECIMAL"):
		p, s := int64(18), int64(3)
		if in := inner(t); in != "" {
			a, b, _ := strings.Cut(in, ",")
			p, _ = strconv.ParseInt(strings.TrimSpace(a), 10, 64)
			s, _ = strconv.ParseInt(strings.TrimSpace(b), 10, 64)
		}
		return "decimal", p, s
	case up == "TIMESTAMPTZ" || up == "TIMESTAMP WITH TIME ZONE":
		return "timestamp with time zone", 3, 0
	case strings.HasPrefix(up, "TIMESTAMP"):
		return "timestamp", 3, 0
	}
	switch up {
	case "VARCHAR", "UUID":
		return "varchar", 2147483647, 0
	case "BIGINT", "UBIGINT", "UINTEGER":
		return "bigint", 19, 0
	case "HUGEINT":
		return "decimal", 38, 0
	case "INTEGER", "USMALLINT":
		return "integer", 10, 0
	case "SMALLINT", "UTINYINT":
		return "smallint", 5, 0
	case "TINYINT":
		return "tinyint", 3, 0
	case "DOUBLE":
		return "double", 17, 0
	case "FLOAT":
		return "float", 17, 0
	case "BOOLEAN":
		return "boolean", 0, 0
	case "DATE":
		return "date", 0, 0
	case "TIME":
		return "time", 3, 0
	case "BLOB":
		return "varbinary", 1073741824, 0
	case "JSON":
		return "json", 0, 0
	case "INTERVAL":
		return "interval day to second", 0, 0
	}
	return "varchar", 2147483647, 0
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// tableRef is a table a query reads, and what the engine is given for it.
type tableRef struct {
	db, name string
	table    *glueTable
	files    int
	bytes    int64
}

// boundTables lists the files of the tables q reads and writes the engine's
// views over them: a tree of links under dir named as Hive partitions
// (k=v/...), so the engine reads the objects where fogbank stores them and
// prunes partitions itself. release ends the holds on the objects.
type binder struct {
	s       *Service
	account string
	region  string
	dir     string
	setup   []string
	bytes   int64    // the objects of CSV and JSON tables, read whole
	probes  []string // what the engine answers the bytes of Parquet columns read with
	refs    map[string]bool
	paths   map[string]string // the engine's file names → s3:// URIs, for error messages
	blobs   map[string]string // the engine's file names → the files they link to
	star    bool              // the query reads every column (a * other than count(*))
	release []func()
	n       int
	seen    map[string]bool
}

func (b *binder) close() {
	for _, r := range b.release {
		r()
	}
}

// lookup reads a table from the catalogue; nil, nil when it does not exist.
func (s *Service) lookup(account, region, db, name string) (*glueTable, error) {
	raw, err := s.catalog.CatalogTableJSON(account, region, db, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t := new(glueTable)
	if err := json.Unmarshal(raw, t); err != nil {
		return nil, err
	}
	if t.Name == "" {
		t.Name = name
	}
	return t, nil
}

// bind finds the tables the statement names (identifiers, qualified or not,
// that are tables of the catalogue) and makes views for them.
func (b *binder) bind(toks []token, defaultDB string, prune map[string][]string) error {
	st := sig(toks)
	b.refs = map[string]bool{}
	for i, t := range st {
		if t.isIdent() {
			b.refs[t.ident()] = true
		}
		if t.text == "*" && i > 0 && st[i-1].text != "(" && (st[i-1].text == "," || st[i-1].text == "." || st[i-1].kind == 'w' && (st[i-1].val() == "SELECT" || st[i-1].val() == "DISTINCT")) {
			// EXISTS (SELECT * ...) reads no column for its *
			exists := i >= 3 && st[i-2].text == "(" && st[i-3].kind == 'w' && st[i-3].val() == "EXISTS"
			b.star = b.star || !exists
		}
	}
	b.setup = append(b.setup, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(defaultDB))
	// A view's query names its tables relative to its own schema: set the
	// search path while its definition is bound, then back to ours.
	b.setup = append(b.setup, "SET schema = "+quoteLit(defaultDB))
	defer func() { b.setup = append(b.setup, "SET schema = "+quoteLit(defaultDB)) }()
	for i := 0; i < len(st); i++ {
		t := st[i]
		if !t.isIdent() || t.ident() == "awsdatacatalog" {
			continue
		}
		if i+1 < len(st) && st[i+1].text == "(" {
			continue // a function
		}
		if i > 0 && st[i-1].text == "." && !(i > 1 && st[i-2].isIdent() && st[i-2].ident() == "awsdatacatalog") {
			continue // handled with its qualifier (awsdatacatalog.db.t is db.t)
		}
		db, name := defaultDB, t.ident()
		if i+2 < len(st) && st[i+1].text == "." && st[i+2].isIdent() {
			db, name = t.ident(), st[i+2].ident()
			if i+4 < len(st) && st[i+3].text == "." && st[i+4].isIdent() {
				continue // db.table.column: the table is bound by its own mention
			}
		}
		if b.seen[db+"."+name] {
			continue
		}
		b.seen[db+"."+name] = true
		tbl, err := b.s.lookup(b.account, b.region, db, name)
		if err != nil {
			return err
		}
		if tbl == nil {
			continue
		}
		if err := b.view(db, name, tbl, prune); err != nil {
			return err
		}
	}
	return nil
}

// view writes the view over one table.
func (b *binder) view(db, name string, t *glueTable, want map[string][]string) error {
	if t.TableType == "VIRTUAL_VIEW" {
		return b.viewDef(db, name, t)
	}
	if isIceberg(t) {
		return icebergError(db, name)
	}
	format := t.format()
	if format == "orc" || format == "avro" {
		return &queryError{cat: 2, typ: 1000, msg: fmt.Sprintf("NOT_SUPPORTED: fogbank's engine cannot read %s tables (%s.%s)", strings.ToUpper(format), db, name)}
	}
	b.n++
	tdir := filepath.Join(b.dir, "t"+strconv.Itoa(b.n))
	var files []string
	var size int64
	addFiles := func(loc string, dir string) error {
		bucket, prefix, err := parseS3(loc)
		if err != nil {
			return err
		}
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		rel, err := b.s.objects.ObjectFiles(bucket, prefix, b.dir, func(key string, n int64, p string) error {
			base := path.Base(key)
			if strings.HasSuffix(key, "/") || strings.HasPrefix(base, "_") || strings.HasPrefix(base, ".") || strings.HasSuffix(key, "_$folder$") {
				return nil
			}
			// Athena reads every object below the location, sub-folders too.
			link := filepath.Join(dir, strconv.Itoa(len(files))+"_"+sanitize(base))
			if err := os.Symlink(p, link); err != nil {
				return err
			}
			if b.paths == nil {
				b.paths = map[string]string{}
			}
			b.paths[link] = "s3://" + bucket + "/" + key
			if b.blobs == nil {
				b.blobs = map[string]string{}
			}
			b.blobs[link] = p
			files = append(files, link)
			size += n
			return nil
		})
		if err != nil {
			var nb interface{ ErrorCode() string }
			if errors.As(err, &nb) && nb.ErrorCode() == "NoSuchBucket" {
				return &queryError{cat: 2, typ: 1000, msg: fmt.Sprintf("HIVE_PATH_ALREADY_EXISTS: The specified bucket does not exist (%s)", loc)}
			}
			return err
		}
		b.release = append(b.release, rel)
		return nil
	}
	if t.StorageDescriptor == nil {
		return &queryError{cat: 2, typ: 1000, msg: fmt.Sprintf("HIVE_METASTORE_ERROR: Table %s.%s has no storage descriptor", db, name)}
	}
	if len(t.PartitionKeys) == 0 {
		if err := addFiles(t.StorageDescriptor.Location, tdir); err != nil {
			return err
		}
	} else {
		raws, err := b.s.catalog.CatalogPartitionsJSON(b.account, b.region, db, name, "")
		if err != nil {
			return err
		}
		for _, raw := range raws {
			var p gluePartition
			if err := json.Unmarshal(raw, &p); err != nil {
				return err
			}
			if len(p.Values) != len(t.PartitionKeys) || !partitionWanted(t.PartitionKeys, p.Values, want) {
				continue
			}
			dir := tdir
			for i, k := range t.PartitionKeys {
				dir = filepath.Join(dir, sanitize(k.Name)+"="+url.PathEscape(p.Values[i]))
			}
			loc := ""
			if p.StorageDescriptor != nil {
				loc = p.StorageDescriptor.Location
			}
			if loc == "" {
				continue
			}
			if err := addFiles(loc, dir); err != nil {
				return err
			}
		}
	}
	cols := t.columns()
	// A Parquet table's columns are matched to its files by name, as Hive
	// does: a column no file has reads as NULL, a narrower type in the file
	// (int for bigint, float for double) is widened, and a type that does
	// not fit fails the query, naming the file.
	var fileTypes map[string]string
	var scanned int64 // the bytes of the columns the query reads, when every footer could be read
	if format == "parquet" && len(files) > 0 {
		var err error
		if fileTypes, scanned, err = b.parquetColumns(cols, files); err != nil {
			return err
		}
	}
	var sel []string
	for i, c := range cols {
		switch {
		case format == "csv":
			sel = append(sel, fmt.Sprintf("TRY_CAST(column%d AS %s) AS %s", i, duckType(c.Type), quoteIdent(c.Name)))
		case fileTypes != nil:
			ft, ok := fileTypes[strings.ToLower(c.Name)]
			switch {
			case !ok:
				sel = append(sel, fmt.Sprintf("CAST(NULL AS %s) AS %s", duckType(c.Type), quoteIdent(c.Name)))
			case normType(ft) != normType(c.Type):
				sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", quoteIdent(c.Name), duckType(c.Type), quoteIdent(c.Name)))
			default:
				sel = append(sel, quoteIdent(c.Name))
			}
		default:
			sel = append(sel, quoteIdent(c.Name))
		}
	}
	var hiveTypes []string
	for _, k := range t.PartitionKeys {
		sel = append(sel, fmt.Sprintf("TRY_CAST(%s AS %s) AS %s", quoteIdent(k.Name), duckType(k.Type), quoteIdent(k.Name)))
		hiveTypes = append(hiveTypes, quoteLit(k.Name)+": 'VARCHAR'")
	}
	var from string
	if len(files) == 0 {
		// No files: an empty relation of the table's shape.
		var empty []string
		for _, c := range append(append([]glueColumn{}, cols...), t.PartitionKeys...) {
			empty = append(empty, fmt.Sprintf("CAST(NULL AS %s) AS %s", duckType(c.Type), quoteIdent(c.Name)))
		}
		b.setup = append(b.setup, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(db),
			fmt.Sprintf("CREATE OR REPLACE VIEW %s.%s AS SELECT %s WHERE false", quoteIdent(db), quoteIdent(name), strings.Join(empty, ", ")))
		return nil
	}
	list := make([]string, len(files))
	for i, f := range files {
		list[i] = quoteLit(f)
	}
	hive := ""
	if len(t.PartitionKeys) > 0 {
		hive = ", hive_partitioning = true, hive_types = {" + strings.Join(hiveTypes, ", ") + "}"
	} else {
		hive = ", hive_partitioning = false"
	}
	if format == "parquet" && scanned >= 0 && fileTypes != nil {
		b.bytes += scanned
	} else if format == "parquet" {
		// Athena counts the Parquet columns it reads, not the files: the
		// engine sums the compressed sizes of the columns the query names.
		var named []string
		for _, c := range cols {
			if b.refs[strings.ToLower(c.Name)] {
				named = append(named, quoteLit(strings.ToLower(c.Name)))
			}
		}
		where := ""
		if !b.star {
			where = " WHERE lower(split_part(path_in_schema, '.', 1)) IN (" + strings.Join(named, ", ") + ")"
		}
		if b.star || len(named) > 0 {
			b.probes = append(b.probes, fmt.Sprintf("SELECT CAST(coalesce(sum(total_compressed_size), 0) AS BIGINT) FROM parquet_metadata([%s])%s", strings.Join(list, ", "), where))
		}
	} else {
		b.bytes += size
	}
	switch format {
	case "parquet":
		from = fmt.Sprintf("read_parquet([%s], union_by_name = true%s)", strings.Join(list, ", "), hive)
	case "json":
		var spec []string
		for _, c := range cols {
			spec = append(spec, quoteLit(c.Name)+": "+quoteLit(duckType(c.Type)))
		}
		from = fmt.Sprintf("read_json([%s], format = 'newline_delimited', columns = {%s}%s)", strings.Join(list, ", "), strings.Join(spec, ", "), hive)
	default:
		delim, quote, escape := "\x01", "", ""
		lib := ""
		if t.StorageDescriptor.SerdeInfo != nil {
			lib = t.StorageDescriptor.SerdeInfo.SerializationLibrary
		}
		if strings.Contains(lib, "OpenCSVSerde") {
			delim, quote, escape = ",", `"`, `"`
			if v, ok := t.serdeParam("separatorChar"); ok && v != "" {
				delim = v
			}
			if v, ok := t.serdeParam("quoteChar"); ok && v != "" {
				quote = v
			}
			if v, ok := t.serdeParam("escapeChar"); ok && v != "" {
				escape = v
			}
		} else if v, ok := t.serdeParam("field.delim"); ok && v != "" {
			delim = v
		} else if v, ok := t.serdeParam("serialization.format"); ok && v != "" && v != "1" {
			delim = v
		}
		skip := 0
		if v := t.Parameters["skip.header.line.count"]; v != "" {
			skip, _ = strconv.Atoi(v)
		}
		var spec []string
		for i := range cols {
			spec = append(spec, fmt.Sprintf("'column%d': 'VARCHAR'", i))
		}
		from = fmt.Sprintf("read_csv([%s], delim = %s, quote = %s, escape = %s, header = false, skip = %d, columns = {%s}, null_padding = true, auto_detect = false, strict_mode = false, nullstr = '\\N'%s)",
			strings.Join(list, ", "), quoteLit(delim), quoteLit(quote), quoteLit(escape), skip, strings.Join(spec, ", "), hive)
	}
	b.setup = append(b.setup, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(db),
		fmt.Sprintf("CREATE OR REPLACE VIEW %s.%s AS SELECT %s FROM %s", quoteIdent(db), quoteIdent(name), strings.Join(sel, ", "), from))
	return nil
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == 0 || r == '=' {
			return '_'
		}
		return r
	}, s)
}

// partitionWanted tells whether a partition's values pass the equalities the
// query's WHERE clause puts on partition keys (want: key → allowed values).
func partitionWanted(keys []glueColumn, values []string, want map[string][]string) bool {
	for i, k := range keys {
		allowed, ok := want[strings.ToLower(k.Name)]
		if !ok {
			continue
		}
		hit := false
		for _, a := range allowed {
			if a == values[i] {
				hit = true
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// pruning finds, in a statement with no OR or NOT, the equalities and IN lists
// of string literals on identifiers: name → allowed values. An identifier may
// be a partition key of any table the query reads; bind applies them to
// every table with such a key, which is right when the condition is a
// conjunct of the query's WHERE (the only place such simple queries put it).
func pruning(toks []token) map[string][]string {
	st := sig(toks)
	for _, t := range st {
		if t.kind == 'w' && (t.val() == "OR" || t.val() == "NOT" || t.val() == "UNION" || t.val() == "JOIN" || t.val() == "EXCEPT") {
			return nil
		}
	}
	inWhere := false
	out := map[string][]string{}
	add := func(k string, vals []string) {
		if prev, ok := out[k]; ok {
			var both []string
			for _, v := range vals {
				for _, p := range prev {
					if p == v {
						both = append(both, v)
					}
				}
			}
			vals = both
		}
		out[k] = vals
	}
	for i := 0; i < len(st); i++ {
		t := st[i]
		if t.kind == 'w' && t.val() == "WHERE" {
			inWhere = true
			continue
		}
		if !inWhere || !t.isIdent() {
			continue
		}
		if t.kind == 'w' && (t.val() == "GROUP" || t.val() == "ORDER" || t.val() == "LIMIT" || t.val() == "HAVING") {
			inWhere = false
			continue
		}
		if i+1 < len(st) && st[i+1].text == "." {
			continue // the qualifier; the column comes next
		}
		name := t.ident()
		if i+2 < len(st) && st[i+1].text == "=" && st[i+2].kind == 's' {
			add(name, []string{st[i+2].val()})
		} else if i+2 < len(st) && st[i+1].kind == 'w' && st[i+1].val() == "IN" && st[i+2].text == "(" {
			var vals []string
			j := i + 3
			for ; j < len(st) && st[j].text != ")"; j++ {
				if st[j].kind == 's' {
					vals = append(vals, st[j].val())
				} else if st[j].text != "," {
					vals = nil
					break
				}
			}
			if vals != nil {
				add(name, vals)
			}
		}
	}
	return out
}

// parquetColumns reads the footers of a Parquet table's files and answers the
// type each column has in the files (the first file that has it) and the
// compressed bytes of the columns the query reads (-1 when a footer could
// not be read: the engine then counts them), or a
// HIVE_BAD_DATA error when a file holds a column the query reads in a type
// its declared type cannot take. It answers nil when the catalogue cannot
// read footers; a file whose footer cannot be read is left to the engine,
// which reports it as it opens it.
func (b *binder) parquetColumns(cols []glueColumn, files []string) (map[string]string, int64, error) {
	type footers interface {
		CatalogParquetColumns(path string) (names, types []string, bytes []int64, err error)
	}
	pr, ok := b.s.catalog.(footers)
	if !ok {
		return nil, -1, nil
	}
	declared := map[string]string{}
	for _, c := range cols {
		declared[strings.ToLower(c.Name)] = c.Type
	}
	found := map[string]string{}
	read := false
	var scanned int64
	for _, f := range files {
		names, types, sizes, err := b.s.footers.columns(pr.CatalogParquetColumns, firstNonEmpty(b.blobs[f], f))
		if err != nil {
			scanned = -1 // the engine counts (and reports the file)
			continue
		}
		read = true
		for i, n := range names {
			n = strings.ToLower(n)
			decl, ok := declared[n]
			if scanned >= 0 && (b.star || ok && b.refs[n]) {
				scanned += sizes[i]
			}
			if !ok {
				continue
			}
			if (b.star || b.refs[n]) && !parquetFits(types[i], decl) {
				return nil, 0, &queryError{cat: 2, typ: 1001, msg: fmt.Sprintf("HIVE_BAD_DATA: Field %s's type %s in parquet file %s is incompatible with type %s defined in table schema",
					n, parquetPhysical(types[i]), b.paths[f], trinoName(decl))}
			}
			if _, ok := found[n]; !ok {
				found[n] = types[i]
			}
		}
	}
	if !read {
		return nil, -1, nil
	}
	return found, scanned, nil
}

// footerCache keeps what the footers of Parquet files said (their columns,
// types and compressed sizes), by file, size and modification time: a query
// over a large table otherwise parses the same footer every time (~5 ms for
// TPC-H SF1's lineitem). An object's blob file never changes once written, so
// an entry is only ever dropped to bound the cache.
type footerCache struct {
	mu sync.Mutex
	m  map[footerKey]*footerCols
}

type footerKey struct {
	path  string
	size  int64
	mtime int64
}

type footerCols struct {
	names, types []string
	sizes        []int64
}

const maxFooters = 4096

func (c *footerCache) columns(read func(string) ([]string, []string, []int64, error), path string) ([]string, []string, []int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return read(path) // its error, as the reader words it
	}
	k := footerKey{path, st.Size(), st.ModTime().UnixNano()}
	c.mu.Lock()
	f := c.m[k]
	c.mu.Unlock()
	if f != nil {
		return f.names, f.types, f.sizes, nil
	}
	names, types, sizes, err := read(path)
	if err != nil {
		return nil, nil, nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxFooters {
		c.m = map[footerKey]*footerCols{}
	}
	c.m[k] = &footerCols{names, types, sizes}
	c.mu.Unlock()
	return names, types, sizes, nil
}

// normType is a Glue type with Hive's synonyms made one (varchar(n), char(n)
// and string; integer and int) and no spaces.
func normType(t string) string {
	t = strings.ToLower(strings.ReplaceAll(t, " ", ""))
	switch {
	case t == "string", strings.HasPrefix(t, "varchar"), strings.HasPrefix(t, "char"):
		return "string"
	case t == "integer":
		return "int"
	}
	return t
}

// parquetFits tells whether a file's column type can be read as the declared
// type: the same type, a wider integer or floating type, any decimal as a
// decimal; nested types are compared by kind only.
func parquetFits(file, decl string) bool {
	f, d := normType(file), normType(decl)
	if f == d {
		return true
	}
	ints := map[string]int{"tinyint": 1, "smallint": 2, "int": 3, "bigint": 4}
	if ints[f] > 0 && ints[d] > 0 {
		return ints[f] <= ints[d]
	}
	switch {
	case f == "float" && d == "double":
		return true
	case strings.HasPrefix(f, "decimal") && strings.HasPrefix(d, "decimal"):
		return true
	}
	for _, k := range []string{"array<", "map<", "struct<"} {
		if strings.HasPrefix(f, k) && strings.HasPrefix(d, k) {
			return true
		}
	}
	return false
}

// parquetPhysical names a Glue type by the Parquet physical type that holds
// it, as Hive's error does.
func parquetPhysical(t string) string {
	switch n := normType(t); {
	case n == "string", n == "binary":
		return "BINARY"
	case n == "int", n == "smallint", n == "tinyint", n == "date":
		return "INT32"
	case n == "bigint", n == "timestamp":
		return "INT64"
	case n == "double", n == "float", n == "boolean":
		return strings.ToUpper(n)
	case strings.HasPrefix(n, "decimal"):
		return "FIXED_LEN_BYTE_ARRAY"
	}
	return strings.ToUpper(t)
}

// trinoName is a declared Glue type as Trino names it in errors.
func trinoName(t string) string {
	switch n := normType(t); n {
	case "string":
		return "varchar"
	case "int":
		return "integer"
	default:
		return n
	}
}
