package athena

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
)

// createTable runs CREATE [EXTERNAL] TABLE in Hive's DDL: the table lands in
// the Glue catalogue (nothing is kept in the engine).
func (x *stmt) createTable() error {
	st := x.st
	i := 2
	if words(st, "CREATE", "EXTERNAL", "TABLE") {
		i = 3
	}
	ifNot := false
	if words(st[i:], "IF", "NOT", "EXISTS") {
		ifNot, i = true, i+3
	}
	db, name, i, err := x.tableName(i)
	if err != nil {
		return err
	}
	t := &glueTable{Name: name, TableType: "EXTERNAL_TABLE", Parameters: map[string]string{"EXTERNAL": "TRUE"},
		PartitionKeys: []glueColumn{}, StorageDescriptor: &glueSD{Columns: []glueColumn{},
			InputFormat: inText, OutputFormat: outText,
			SerdeInfo: &glueSerde{SerializationLibrary: serdeLazy, Parameters: map[string]string{}}}}
	if i < len(st) && st[i].text == "(" {
		cols, next, err := x.columnList(i)
		if err != nil {
			return err
		}
		t.StorageDescriptor.Columns, i = cols, next
	}
	delimited := false
	for i < len(st) {
		switch {
		case words(st[i:], "COMMENT") && i+1 < len(st):
			t.Description, i = st[i+1].val(), i+2
		case words(st[i:], "PARTITIONED", "BY"):
			cols, next, err := x.columnList(i + 2)
			if err != nil {
				return err
			}
			t.PartitionKeys, i = cols, next
		case words(st[i:], "CLUSTERED", "BY"), words(st[i:], "SORTED", "BY"):
			// recorded by Hive, ignored by Athena's reads: skip to INTO n BUCKETS
			for i < len(st) && !(st[i].kind == 'w' && st[i].val() == "BUCKETS") {
				i++
			}
			i++
		case words(st[i:], "ROW", "FORMAT", "DELIMITED"):
			delimited, i = true, i+3
			for i < len(st) {
				key := ""
				switch {
				case words(st[i:], "FIELDS", "TERMINATED", "BY"):
					key, i = "field.delim", i+3
				case words(st[i:], "COLLECTION", "ITEMS", "TERMINATED", "BY"):
					key, i = "collection.delim", i+4
				case words(st[i:], "MAP", "KEYS", "TERMINATED", "BY"):
					key, i = "mapkey.delim", i+4
				case words(st[i:], "LINES", "TERMINATED", "BY"):
					key, i = "line.delim", i+3
				case words(st[i:], "ESCAPED", "BY"):
					key, i = "escape.delim", i+2
				case words(st[i:], "NULL", "DEFINED", "AS"):
					key, i = "serialization.null.format", i+3
				}
				if key == "" {
					break
				}
				if i >= len(st) || st[i].kind != 's' {
					return x.mismatch(i)
				}
				v := unescapeHive(st[i].val())
				t.StorageDescriptor.SerdeInfo.Parameters[key] = v
				if key == "field.delim" {
					t.StorageDescriptor.SerdeInfo.Parameters["serialization.format"] = v
				}
				i++
			}
		case words(st[i:], "ROW", "FORMAT", "SERDE"):
			if i+3 >= len(st) || st[i+3].kind != 's' {
				return x.mismatch(i + 3)
			}
			t.StorageDescriptor.SerdeInfo.SerializationLibrary, i = st[i+3].val(), i+4
			if words(st[i:], "WITH", "SERDEPROPERTIES") {
				props, next, err := x.properties(i + 2)
				if err != nil {
					return err
				}
				for k, v := range props {
					t.StorageDescriptor.SerdeInfo.Parameters[k] = v
				}
				i = next
			}
		case words(st[i:], "WITH", "SERDEPROPERTIES"):
			props, next, err := x.properties(i + 2)
			if err != nil {
				return err
			}
			for k, v := range props {
				t.StorageDescriptor.SerdeInfo.Parameters[k] = v
			}
			i = next
		case words(st[i:], "STORED", "AS", "INPUTFORMAT"):
			if i+5 >= len(st) || st[i+3].kind != 's' || st[i+5].kind != 's' {
				return x.mismatch(i + 3)
			}
			t.StorageDescriptor.InputFormat, t.StorageDescriptor.OutputFormat = st[i+3].val(), st[i+5].val()
			i += 6
		case words(st[i:], "STORED", "AS") && i+2 < len(st):
			switch st[i+2].val() {
			case "PARQUET":
				t.StorageDescriptor.InputFormat, t.StorageDescriptor.OutputFormat = inParquet, outParquet
				if !delimited && t.StorageDescriptor.SerdeInfo.SerializationLibrary == serdeLazy {
					t.StorageDescriptor.SerdeInfo.SerializationLibrary = serdeParquet
				}
			case "ORC":
				t.StorageDescriptor.InputFormat, t.StorageDescriptor.OutputFormat = inORC, outORC
				t.StorageDescriptor.SerdeInfo.SerializationLibrary = serdeORC
			case "TEXTFILE":
			case "JSON":
				t.StorageDescriptor.SerdeInfo.SerializationLibrary = serdeJSON
			default:
				return userError("FAILED: SemanticException Unrecognized file format in STORED AS clause: '%s'", st[i+2].text)
			}
			i += 3
		case words(st[i:], "LOCATION"):
			if i+1 >= len(st) || st[i+1].kind != 's' {
				return x.mismatch(i + 1)
			}
			loc := st[i+1].val()
			if _, _, err := parseS3(loc); err != nil {
				return &queryError{cat: 2, typ: 1003, msg: "FAILED: IllegalArgumentException: " + loc + " is not a valid S3 location"}
			}
			t.StorageDescriptor.Location, i = loc, i+2
		case words(st[i:], "TBLPROPERTIES"):
			props, next, err := x.properties(i + 1)
			if err != nil {
				return err
			}
			for k, v := range props {
				t.Parameters[k] = v
			}
			i = next
		default:
			return x.mismatch(i)
		}
	}
	if len(t.StorageDescriptor.Columns) == 0 {
		return x.mismatch(len(st))
	}
	if isIceberg(t) {
		return icebergError(db, name)
	}
	if t.StorageDescriptor.Location == "" {
		return userError("FAILED: SemanticException: fogbank needs a LOCATION for an external table (%s.%s)", db, name)
	}
	lib := strings.ToLower(t.StorageDescriptor.SerdeInfo.SerializationLibrary)
	if _, ok := t.Parameters["classification"]; !ok {
		switch {
		case strings.Contains(lib, "parquet"):
			t.Parameters["classification"] = "parquet"
		case strings.Contains(lib, "json"):
			t.Parameters["classification"] = "json"
		case strings.Contains(lib, "orc"):
			t.Parameters["classification"] = "orc"
		default:
			t.Parameters["classification"] = "csv"
		}
	}
	if lib == strings.ToLower(serdeLazy) {
		if _, ok := t.StorageDescriptor.SerdeInfo.Parameters["serialization.format"]; !ok {
			t.StorageDescriptor.SerdeInfo.Parameters["serialization.format"] = "1"
		}
	}
	existing, err := x.s.lookup(x.e.Account, x.e.Region, db, name)
	if err != nil {
		return err
	}
	if existing != nil {
		if ifNot {
			return x.rowsResult(nil, nil)
		}
		return &queryError{cat: 2, typ: 1003, msg: fmt.Sprintf("FAILED: AlreadyExistsException: Table %s.%s already exists", db, name)}
	}
	if err := x.putTable(db, t); err != nil {
		return err
	}
	return x.rowsResult(nil, nil)
}

func (x *stmt) putTable(db string, t *glueTable) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	err = x.s.catalog.CatalogPutTableJSON(x.e.Account, x.e.Region, db, raw)
	if notExist(err) {
		return userError("SCHEMA_NOT_FOUND: line 1:1: Schema '%s' does not exist", db)
	}
	if err != nil {
		return &queryError{cat: 2, typ: 1003, msg: "FAILED: " + err.Error()}
	}
	return nil
}

// unescapeHive reads Hive's escapes in delimiters ('\t', '\001').
func unescapeHive(s string) string {
	switch {
	case s == `\t`:
		return "\t"
	case s == `\n`:
		return "\n"
	case len(s) == 4 && s[0] == '\\' && s[1] >= '0' && s[1] <= '3':
		var n int
		fmt.Sscanf(s[1:], "%o", &n)
		return string(rune(n))
	case len(s) > 1 && s[0] == '\\':
		return s[1:]
	}
	return s
}

// columnList reads ( name type [COMMENT 'x'], ... ) at st[i].
func (x *stmt) columnList(i int) ([]glueColumn, int, error) {
	st := x.st
	if i >= len(st) || st[i].text != "(" {
		return nil, i, x.mismatch(i)
	}
	i++
	var cols []glueColumn
	for {
		if i >= len(st) || !st[i].isIdent() {
			return nil, i, x.mismatch(i)
		}
		c := glueColumn{Name: st[i].ident()}
		i++
		// the type: tokens up to a comma or the closing parenthesis at depth 0
		depth := 0
		var typ strings.Builder
		for i < len(st) {
			t := st[i]
			if depth == 0 && (t.text == "," || t.text == ")" || (t.kind == 'w' && t.val() == "COMMENT")) {
				break
			}
			switch t.text {
			case "<", "(":
				depth++
			case ">", ")":
				depth--
			}
			if t.kind == 'b' || t.kind == 'q' {
				typ.WriteString(t.val())
			} else {
				typ.WriteString(strings.ToLower(t.text))
			}
			i++
		}
		c.Type = typ.String()
		if c.Type == "" {
			return nil, i, x.mismatch(i)
		}
		if words(st[i:], "COMMENT") && i+1 < len(st) && st[i+1].kind == 's' {
			c.Comment, i = st[i+1].val(), i+2
		}
		cols = append(cols, c)
		if i >= len(st) {
			return nil, i, x.mismatch(i)
		}
		if st[i].text == ")" {
			return cols, i + 1, nil
		}
		if st[i].text != "," {
			return nil, i, x.mismatch(i)
		}
		i++
	}
}

// properties reads ('k'='v', ...) at st[i].
func (x *stmt) properties(i int) (map[string]string, int, error) {
	st := x.st
	if i >= len(st) || st[i].text != "(" {
		return nil, i, x.mismatch(i)
	}
	i++
	out := map[string]string{}
	for i < len(st) && st[i].text != ")" {
		if i+2 >= len(st) || (st[i].kind != 's' && !st[i].isIdent()) || st[i+1].text != "=" {
			return nil, i, x.mismatch(i)
		}
		k := st[i].val()
		if st[i].kind == 'w' {
			k = st[i].ident()
		}
		v := st[i+2].val()
		if st[i+2].kind == 'w' {
			v = st[i+2].text
		}
		i += 3
		if st[i-1].kind == 'w' && st[i-1].val() == "ARRAY" && i < len(st) && st[i].text == "[" {
			// ARRAY['a', 'b'], kept as "a,b"
			var items []string
			for i++; i < len(st) && st[i].text != "]"; i++ {
				if st[i].kind == 's' {
					items = append(items, st[i].val())
				}
			}
			i++
			v = strings.Join(items, ",")
		}
		out[k] = v
		if i < len(st) && st[i].text == "," {
			i++
		}
	}
	if i >= len(st) {
		return nil, i, x.mismatch(i)
	}
	return out, i + 1, nil
}

func shift(spans []span, by int) []span {
	out := make([]span, len(spans))
	for i, s := range spans {
		out[i] = span{s.out, s.orig + by}
	}
	return out
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

// repair runs MSCK REPAIR TABLE: every k1=v1/k2=v2/ folder below the table's
// location that has objects and is not a partition yet becomes one.
func (x *stmt) repair() error {
	db, name, _, err := x.tableName(3)
	if err != nil {
		return err
	}
	t, err := x.table(db, name)
	if err != nil {
		return err
	}
	if len(t.PartitionKeys) == 0 {
		return x.rowsResult(nil, nil)
	}
	loc := strings.TrimSuffix(t.StorageDescriptor.Location, "/") + "/"
	bucket, prefix, err := parseS3(loc)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	raws, err := x.s.catalog.CatalogPartitionsJSON(x.e.Account, x.e.Region, db, name, "")
	if err != nil {
		return err
	}
	for _, raw := range raws {
		var p gluePartition
		if json.Unmarshal(raw, &p) == nil {
			have[strings.Join(p.Values, "\x00")] = true
		}
	}
	found := map[string][]string{}
	ctx := api.WithCaller(context.Background(), &x.e.Caller)
	var token *string
	for {
		out, err := x.s.s3.ListObjectsV2(ctx, &s3api.ListObjectsV2Request{Bucket: api.String(bucket), Prefix: api.String(prefix), ContinuationToken: token})
		if err != nil {
			return &queryError{cat: 2, typ: 1003, msg: "FAILED: " + err.Error()}
		}
		for _, o := range out.Contents {
			rest := strings.TrimPrefix(api.ToString(o.Key), prefix)
			parts := strings.Split(rest, "/")
			if len(parts) <= len(t.PartitionKeys) {
				continue
			}
			var vals []string
			for j, k := range t.PartitionKeys {
				kk, v, ok := strings.Cut(parts[j], "=")
				if !ok || !strings.EqualFold(kk, k.Name) {
					vals = nil
					break
				}
				vals = append(vals, v)
			}
			if vals != nil {
				found[strings.Join(parts[:len(t.PartitionKeys)], "/")] = vals
			}
		}
		if !api.ToBool(out.IsTruncated) {
			break
		}
		token = out.NextContinuationToken
	}
	var dirs []string
	for d, vals := range found {
		if !have[strings.Join(vals, "\x00")] {
			dirs = append(dirs, d)
		}
	}
	sort.Strings(dirs)
	var rows [][]string
	var adds [][]byte
	for _, d := range dirs {
		adds = append(adds, partitionInput(t, found[d], loc+d+"/"))
		rows = append(rows, []string{"Partitions not in metastore:\t" + name + ":" + d})
	}
	if len(adds) > 0 {
		if err := x.s.catalog.CatalogAddPartitionsJSON(x.e.Account, x.e.Region, db, name, adds); err != nil {
			return err
		}
		for _, d := range dirs {
			rows = append(rows, []string{"Repair: Added partition to metastore " + name + ":" + d})
		}
	}
	return x.rowsResult([]string{"result"}, rows)
}

// partitionInput is a PartitionInput for values at loc, with the table's
// storage descriptor.
func partitionInput(t *glueTable, values []string, loc string) []byte {
	sd := *t.StorageDescriptor
	sd.Location = loc
	raw, _ := json.Marshal(map[string]any{"Values": values, "StorageDescriptor": sd})
	return raw
}

// alterTable runs ALTER TABLE t ADD [IF NOT EXISTS] PARTITION (k='v', ...)
// [LOCATION '...'] ... and ALTER TABLE t DROP [IF EXISTS] PARTITION (...), ...
func (x *stmt) alterTable() error {
	db, name, i, err := x.tableName(2)
	if err != nil {
		return err
	}
	t, err := x.table(db, name)
	if err != nil {
		return err
	}
	st := x.st
	switch {
	case words(st[i:], "ADD"):
		i++
		if words(st[i:], "IF", "NOT", "EXISTS") {
			i += 3
		}
		var adds [][]byte
		for words(st[i:], "PARTITION") {
			vals, next, err := x.partitionSpec(t, i+1)
			if err != nil {
				return err
			}
			i = next
			loc := strings.TrimSuffix(t.StorageDescriptor.Location, "/") + "/"
			for j, k := range t.PartitionKeys {
				loc += k.Name + "=" + vals[j] + "/"
			}
			if words(st[i:], "LOCATION") && i+1 < len(st) && st[i+1].kind == 's' {
				loc, i = st[i+1].val(), i+2
			}
			adds = append(adds, partitionInput(t, vals, loc))
		}
		if i < len(st) || len(adds) == 0 {
			return x.mismatch(i)
		}
		if err := x.s.catalog.CatalogAddPartitionsJSON(x.e.Account, x.e.Region, db, name, adds); err != nil {
			return err
		}
		return x.rowsResult(nil, nil)
	case words(st[i:], "DROP"):
		i++
		if words(st[i:], "IF", "EXISTS") {
			i += 2
		}
		var drops [][]string
		for words(st[i:], "PARTITION") {
			vals, next, err := x.partitionSpec(t, i+1)
			if err != nil {
				return err
			}
			drops, i = append(drops, vals), next
			if i < len(st) && st[i].text == "," {
				i++
			}
		}
		if i < len(st) || len(drops) == 0 {
			return x.mismatch(i)
		}
		type dropper interface {
			CatalogDeletePartitions(account, region, database, table string, values [][]string) error
		}
		d, ok := x.s.catalog.(dropper)
		if !ok {
			return userError("NOT_SUPPORTED: this Glue catalogue cannot drop partitions")
		}
		if err := d.CatalogDeletePartitions(x.e.Account, x.e.Region, db, name, drops); err != nil {
			return err
		}
		return x.rowsResult(nil, nil)
	case words(st[i:], "SET", "TBLPROPERTIES"):
		props, next, err := x.properties(i + 2)
		if err != nil {
			return err
		}
		if next < len(st) {
			return x.mismatch(next)
		}
		// Change the table as Glue keeps it, every field kept (column
		// comments, owner...), not as this package reads it.
		raw, err := x.s.catalog.CatalogTableJSON(x.e.Account, x.e.Region, db, name)
		if err != nil {
			return err
		}
		var all map[string]any
		if err := json.Unmarshal(raw, &all); err != nil {
			return err
		}
		in := map[string]any{}
		for _, k := range []string{"Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime", "Retention", "StorageDescriptor",
			"PartitionKeys", "ViewOriginalText", "ViewExpandedText", "TableType", "Parameters", "TargetTable", "ViewDefinition"} {
			if v, ok := all[k]; ok {
				in[k] = v
			}
		}
		params, _ := in["Parameters"].(map[string]any)
		if params == nil {
			params = map[string]any{}
		}
		for k, v := range props {
			params[k] = v
		}
		in["Parameters"] = params
		if raw, err = json.Marshal(in); err != nil {
			return err
		}
		if err := x.s.catalog.CatalogPutTableJSON(x.e.Account, x.e.Region, db, raw); err != nil {
			return &queryError{cat: 2, typ: 1003, msg: "FAILED: " + err.Error()}
		}
		return x.rowsResult(nil, nil)
	}
	return userError("NOT_SUPPORTED: fogbank runs ALTER TABLE ADD PARTITION, DROP PARTITION and SET TBLPROPERTIES only")
}

// partitionSpec reads (k='v', ...) naming every partition key of t.
func (x *stmt) partitionSpec(t *glueTable, i int) ([]string, int, error) {
	props, next, err := x.properties(i)
	if err != nil {
		return nil, i, err
	}
	vals := make([]string, len(t.PartitionKeys))
	for j, k := range t.PartitionKeys {
		v, ok := props[strings.ToLower(k.Name)]
		if !ok {
			return nil, i, userError("FAILED: SemanticException [Error 10006]: Partition not found: partition spec %v does not name %s", props, k.Name)
		}
		vals[j] = v
	}
	return vals, next, nil
}

// showCreate writes a table's DDL back, as SHOW CREATE TABLE does.
func showCreate(db string, t *glueTable) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE `%s`.`%s`(\n", db, t.Name)
	for i, c := range t.columns() {
		sep := ","
		if i == len(t.columns())-1 {
			sep = ")"
		}
		fmt.Fprintf(&b, "  `%s` %s%s\n", c.Name, c.Type, sep)
	}
	if len(t.PartitionKeys) > 0 {
		b.WriteString("PARTITIONED BY ( \n")
		for i, c := range t.PartitionKeys {
			sep := ", "
			if i == len(t.PartitionKeys)-1 {
				sep = ")"
			}
			fmt.Fprintf(&b, "  `%s` %s%s\n", c.Name, c.Type, sep)
		}
	}
	if sd := t.StorageDescriptor; sd != nil {
		if sd.SerdeInfo != nil {
			fmt.Fprintf(&b, "ROW FORMAT SERDE \n  '%s' \n", sd.SerdeInfo.SerializationLibrary)
			if len(sd.SerdeInfo.Parameters) > 0 {
				b.WriteString("WITH SERDEPROPERTIES ( \n")
				keys := sortedKeys(sd.SerdeInfo.Parameters)
				for i, k := range keys {
					sep := ", "
					if i == len(keys)-1 {
						sep = ") "
					}
					fmt.Fprintf(&b, "  '%s'='%s'%s\n", k, sd.SerdeInfo.Parameters[k], sep)
				}
			}
		}
		fmt.Fprintf(&b, "STORED AS INPUTFORMAT \n  '%s' \nOUTPUTFORMAT \n  '%s'\n", sd.InputFormat, sd.OutputFormat)
		fmt.Fprintf(&b, "LOCATION\n  '%s'\n", sd.Location)
	}
	if len(t.Parameters) > 0 {
		b.WriteString("TBLPROPERTIES (\n")
		keys := sortedKeys(t.Parameters)
		for i, k := range keys {
			sep := ", "
			if i == len(keys)-1 {
				sep = ")"
			}
			fmt.Fprintf(&b, "  '%s'='%s'%s\n", k, t.Parameters[k], sep)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isIceberg tells an Iceberg table (Athena's and Glue's mark: the
// table_type parameter), whose files only its metadata can name.
func isIceberg(t *glueTable) bool { return strings.EqualFold(t.Parameters["table_type"], "ICEBERG") }

// icebergError is the refusal of Iceberg tables: fogbank's engine (DuckDB
// without its iceberg extension, which is neither linked nor fetched) can
// neither read their metadata nor commit snapshots, and reading the files
// under the location as a Hive table would answer deleted and duplicate rows.
func icebergError(db, name string) error {
	return &queryError{cat: 2, typ: 1000, msg: fmt.Sprintf("NOT_SUPPORTED: Iceberg tables are not supported by fogbank's engine (%s.%s has table_type 'ICEBERG'); use a Hive table: STORED AS PARQUET, or CTAS with format = 'PARQUET'", db, name)}
}
