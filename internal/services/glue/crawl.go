package glue

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/store"
)

// objectStore is what a crawler needs of S3 (fogbank's own, found with
// host.Lookup): a listing and ranged reads.
type objectStore interface {
	WalkObjects(bucket, prefix string, each func(key string, size int64, modified time.Time) error) error
	OpenObject(bucket, key string, off, n int64) (io.ReadCloser, int64, error)
}

// crawlConfig is the crawler's Configuration JSON, the parts fogbank reads.
type crawlConfig struct {
	Version       float64 `json:"Version"`
	CrawlerOutput struct {
		Partitions struct {
			AddOrUpdateBehavior string `json:"AddOrUpdateBehavior"` // InheritFromTable
		} `json:"Partitions"`
		Tables struct {
			AddOrUpdateBehavior string `json:"AddOrUpdateBehavior"` // MergeNewColumns
			TableThreshold      int    `json:"TableThreshold"`
		} `json:"Tables"`
	} `json:"CrawlerOutput"`
	Grouping struct {
		TableGroupingPolicy     string `json:"TableGroupingPolicy"` // CombineCompatibleSchemas
		TableLevelConfiguration int    `json:"TableLevelConfiguration"`
	} `json:"Grouping"`
}

func parseConfig(s string) (*crawlConfig, error) {
	c := new(crawlConfig)
	if strings.TrimSpace(s) == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), c); err != nil {
		return nil, invalidInput("Crawler configuration not valid: %v", err)
	}
	if b := c.CrawlerOutput.Tables.AddOrUpdateBehavior; b != "" && b != "MergeNewColumns" {
		return nil, invalidInput("Crawler configuration not valid: Tables.AddOrUpdateBehavior must be MergeNewColumns")
	}
	if b := c.CrawlerOutput.Partitions.AddOrUpdateBehavior; b != "" && b != "InheritFromTable" {
		return nil, invalidInput("Crawler configuration not valid: Partitions.AddOrUpdateBehavior must be InheritFromTable")
	}
	if g := c.Grouping.TableGroupingPolicy; g != "" && g != "CombineCompatibleSchemas" {
		return nil, invalidInput("Crawler configuration not valid: Grouping.TableGroupingPolicy must be CombineCompatibleSchemas")
	}
	return c, nil
}

// fileHook, when set (by tests), runs before each file a crawl reads.
var fileHook func()

// cfile is one object a crawl found.
type cfile struct {
	bucket, key string
	rel         []string // folders between the include path and the object
	size        int64
	mod         time.Time
	fs          *fileSchema // nil when not sampled (or not recognised)
}

// dirNode is a folder below the include path.
type dirNode struct {
	name  string
	rel   []string
	files []*cfile
	kids  map[string]*dirNode
	order []string
}

func (d *dirNode) child(name string) *dirNode {
	if c, ok := d.kids[name]; ok {
		return c
	}
	c := &dirNode{name: name, rel: append(append([]string(nil), d.rel...), name), kids: map[string]*dirNode{}}
	d.kids[name] = c
	d.order = append(d.order, name)
	return c
}

func (d *dirNode) all(out []*cfile) []*cfile {
	out = append(out, d.files...)
	for _, k := range d.order {
		out = d.kids[k].all(out)
	}
	return out
}

// tableGroup is one table a crawl will write: its files, where it is rooted
// and its merged schema.
type tableGroup struct {
	bucket   string
	prefix   string   // the include path's key prefix ("raw/")
	root     []string // folders from the include path to the table's folder
	file     string   // a table of one file: that file's key
	name     string
	files    []*cfile
	schema   *fileSchema // the first sampled file's, with the merged columns
	partKeys []string
	parts    map[string][]*cfile // partition key (values joined by NUL) → its files
}

// crawler is one run of a crawler.
type crawler struct {
	s          *Service
	ctx        context.Context
	objs       objectStore
	c          *glueapi.Crawler
	cfg        *crawlConfig
	classifier []*glueapi.Classifier
	logs       []string // the run's log lines, "[MessagePrefix] LEVEL : text" as Glue writes them
	logTimes   []int64  // each line's time, ms
	prefix     string   // the run's MessagePrefix
	newOnly    bool
	seen       map[string]bool // folders crawled before (CRAWL_NEW_FOLDERS_ONLY)
	found      map[string]bool // folders crawled now
	created    int64
	updated    int64
	deleted    int64
	partsAdded int64
	partsGone  int64
	now        time.Time
}

func (cr *crawler) logf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if level, rest, ok := strings.Cut(msg, " "); ok {
		msg = level + " : " + rest
	}
	cr.logs = append(cr.logs, "["+cr.prefix+"] "+msg)
	cr.logTimes = append(cr.logTimes, time.Now().UnixMilli())
}

// splitS3 splits "s3://bucket/some/prefix" into bucket and a folder prefix ("some/prefix/").
func splitS3(p string) (bucket, prefix string, err error) {
	if !strings.HasPrefix(p, "s3://") {
		return "", "", fmt.Errorf("S3 target path %q does not begin with s3://", p)
	}
	rest := strings.TrimPrefix(p, "s3://")
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("S3 target path %q names no bucket", p)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// skipped reports objects crawlers pass over: folder markers, empty objects,
// and names Hadoop and Spark keep for themselves (_SUCCESS, _temporary/,
// .hive-staging…).
func skipped(rel []string, name string, size int64) bool {
	if size == 0 || name == "" || strings.HasSuffix(name, "_$folder$") {
		return true
	}
	for _, p := range append(rel, name) {
		if strings.HasPrefix(p, "_") || strings.HasPrefix(p, ".") {
			return true
		}
	}
	return false
}

// run crawls every S3 target and writes the catalogue.
func (cr *crawler) run(account, region string) error {
	db := api.ToString(cr.c.DatabaseName)
	if db == "" {
		return errors.New("the crawler has no DatabaseName")
	}
	if err := cr.s.CatalogPutDatabase(account, region, db); err != nil {
		return err
	}
	var groups []*tableGroup
	for _, tg := range cr.c.Targets.S3Targets {
		gs, err := cr.target(tg)
		if err != nil {
			return err
		}
		groups = append(groups, gs...)
	}
	// Two groups may want one name: Glue then suffixes a hash of the path.
	byName := map[string]int{}
	for _, g := range groups {
		byName[g.name]++
	}
	for _, g := range groups {
		if byName[g.name] > 1 {
			h := fnv.New32a()
			h.Write([]byte(g.bucket + "/" + g.prefix + strings.Join(g.root, "/") + g.file))
			g.name = fmt.Sprintf("%s_%08x", g.name, h.Sum32())
		}
	}
	if max := cr.cfg.CrawlerOutput.Tables.TableThreshold; max > 0 && len(groups) > max {
		return fmt.Errorf("The number of tables detected by crawler: %d is greater than the table threshold value provided: %d", len(groups), max)
	}
	for _, g := range groups {
		if err := cr.ctx.Err(); err != nil {
			return err
		}
		if err := cr.write(account, region, db, g); err != nil {
			return err
		}
	}
	return cr.deleteGone(account, region, db, groups)
}

// target lists, classifies and groups one S3 target.
func (cr *crawler) target(tg *glueapi.S3Target) ([]*tableGroup, error) {
	bucket, prefix, err := splitS3(api.ToString(tg.Path))
	if err != nil {
		return nil, err
	}
	root := &dirNode{kids: map[string]*dirNode{}}
	var files []*cfile
	err = cr.objs.WalkObjects(bucket, prefix, func(key string, size int64, mod time.Time) error {
		rest := strings.TrimPrefix(key, prefix)
		parts := strings.Split(rest, "/")
		name, rel := parts[len(parts)-1], parts[:len(parts)-1]
		if skipped(rel, name, size) {
			return nil
		}
		for _, ex := range tg.Exclusions {
			if globMatch(ex, rest) {
				return nil
			}
		}
		folder := "s3://" + bucket + "/" + prefix + strings.Join(rel, "/")
		cr.found[folder] = true
		if cr.newOnly && cr.seen[folder] {
			return nil
		}
		f := &cfile{bucket: bucket, key: key, rel: rel, size: size, mod: mod}
		d := root
		for _, p := range rel {
			d = d.child(p)
		}
		d.files = append(d.files, f)
		files = append(files, f)
		return nil
	})
	if err != nil {
		var ae *api.Err
		if errors.As(err, &ae) && ae.Code == "NoSuchBucket" {
			cr.logf("WARN The S3 bucket %s of target %s does not exist", bucket, api.ToString(tg.Path))
			return nil, nil
		}
		return nil, err
	}
	cr.logf("INFO Crawling %s: %d objects", api.ToString(tg.Path), len(files))
	// Sample: SampleSize files of each folder (all when not set).
	sample := int(api.ToInt64(tg.SampleSize))
	perDir := map[string]int{}
	for _, f := range files {
		if fileHook != nil {
			fileHook()
		}
		if err := cr.ctx.Err(); err != nil {
			return nil, err
		}
		dir := strings.Join(f.rel, "/")
		if sample > 0 && perDir[dir] >= sample {
			continue
		}
		perDir[dir]++
		fs, err := cr.classify(f)
		if err != nil {
			cr.logf("WARN %s: %v", "s3://"+f.bucket+"/"+f.key, err)
			continue
		}
		f.fs = fs
	}
	level := 1 + len(strings.Split(strings.TrimSuffix(prefix, "/"), "/"))
	if prefix == "" {
		level = 1
	}
	var out []*tableGroup
	for _, g := range cr.group(root, level) {
		g.bucket, g.prefix = bucket, prefix
		g.name = cr.tableName(g, bucket, prefix)
		if err := g.partition(); err != nil {
			cr.logf("WARN %v", err)
			continue
		}
		out = append(out, g)
	}
	return out, nil
}

// tableName is a table's name: its folder's (or file's) name, lower-cased,
// characters a name cannot hold made "_", after the crawler's TablePrefix.
func (cr *crawler) tableName(g *tableGroup, bucket, prefix string) string {
	var n string
	switch {
	case g.file != "":
		n = path.Base(g.file)
	case len(g.root) > 0:
		n = g.root[len(g.root)-1]
	case prefix != "":
		n = path.Base(strings.TrimSuffix(prefix, "/"))
	default:
		n = bucket
	}
	var b strings.Builder
	for _, r := range strings.ToLower(n) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return strings.ToLower(api.ToString(cr.c.TablePrefix)) + b.String()
}

// group decides the tables under a folder: the whole folder is one table
// when the schemas of the files below it are compatible (partitions are then
// its subfolders); otherwise each subfolder is grouped on its own and each
// file directly in the folder becomes a table of its own. A
// TableLevelConfiguration fixes the level of the tables instead.
func (cr *crawler) group(d *dirNode, level int) []*tableGroup {
	files := d.all(nil)
	var sampled []*cfile
	for _, f := range files {
		if f.fs != nil {
			sampled = append(sampled, f)
		}
	}
	if len(sampled) == 0 {
		return nil
	}
	want := cr.cfg.Grouping.TableLevelConfiguration
	if want == 0 || level >= want {
		if g := cr.compatible(sampled); g != nil && (want == 0 || level == want || len(d.rel) == 0) {
			g.root, g.files = d.rel, files
			return []*tableGroup{g}
		}
	}
	var out []*tableGroup
	for _, f := range d.files {
		if f.fs == nil {
			continue
		}
		g := cr.compatible([]*cfile{f})
		g.root, g.file, g.files = d.rel, f.key, []*cfile{f}
		out = append(out, g)
	}
	for _, k := range d.order {
		out = append(out, cr.group(d.kids[k], level+1)...)
	}
	return out
}

// compatible merges the schemas of files into one table's, or answers nil
// when they cannot be one table: a different format, compression or CSV
// layout, or (unless the crawler combines compatible schemas) columns too
// different: each file must share at least 70% of the columns of the smaller
// of its schema and the first file's (so a file that only adds columns fits).
func (cr *crawler) compatible(files []*cfile) *tableGroup {
	first := files[0].fs
	merged := *first
	merged.cols = append([]gfield(nil), first.cols...)
	combine := cr.cfg.Grouping.TableGroupingPolicy == "CombineCompatibleSchemas"
	for _, f := range files[1:] {
		if f.fs.key() != first.key() {
			return nil
		}
		if !combine {
			shared := 0
			for _, c := range f.fs.cols {
				if fieldIndex(first.cols, c.name) >= 0 {
					shared++
				}
			}
			if shared*10 < min(len(f.fs.cols), len(first.cols))*7 {
				return nil
			}
		}
		for _, c := range f.fs.cols {
			merged.addColumn(c.name, c.t)
		}
	}
	return &tableGroup{schema: &merged}
}

// partition works out a table's partition keys (one per folder level below
// its root: the key of key=value folders, else partition_0, partition_1…)
// and the files of each partition.
func (g *tableGroup) partition() error {
	g.parts = map[string][]*cfile{}
	if g.file != "" {
		return nil
	}
	depth := 0
	for _, f := range g.files {
		if d := len(f.rel) - len(g.root); d > depth {
			depth = d
		}
	}
	for i := 0; i < depth; i++ {
		name := ""
		for _, f := range g.files {
			if len(f.rel)-len(g.root) != depth {
				continue
			}
			k, _, ok := strings.Cut(f.rel[len(g.root)+i], "=")
			switch {
			case !ok || k == "":
				name = "-"
			case name == "":
				name = strings.ToLower(k)
			case name != strings.ToLower(k):
				name = "-"
			}
		}
		if name == "-" || name == "" {
			name = "partition_" + strconv.Itoa(i)
		}
		g.partKeys = append(g.partKeys, name)
	}
	for _, f := range g.files {
		if len(f.rel)-len(g.root) != depth || depth == 0 {
			continue
		}
		var vals []string
		for i := 0; i < depth; i++ {
			p := f.rel[len(g.root)+i]
			if k, v, ok := strings.Cut(p, "="); ok && strings.ToLower(k) == g.partKeys[i] {
				p = v
			}
			vals = append(vals, p)
		}
		k := partKey(vals)
		g.parts[k] = append(g.parts[k], f)
	}
	// A data column named like a partition key would make the table unreadable.
	keep := g.schema.cols[:0:0]
	for _, c := range g.schema.cols {
		clash := false
		for _, k := range g.partKeys {
			clash = clash || c.name == k
		}
		if !clash {
			keep = append(keep, c)
		}
	}
	g.schema.cols = keep
	return nil
}

// classify reads one object and names its format and schema: custom
// classifiers first, in the crawler's order, then the built-in ones.
func (cr *crawler) classify(f *cfile) (*fileSchema, error) {
	rc, _, err := cr.objs.OpenObject(f.bucket, f.key, 0, -1)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	head := peek(br, 16)
	switch {
	case len(head) >= 4 && string(head[:4]) == string(magicParquet):
		return cr.parquet(f)
	case len(head) >= 4 && string(head[:4]) == string(magicAvro):
		return avroSchema(br)
	}
	r, comp, err := decompress(br, head, f.key)
	if err != nil {
		return nil, err
	}
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	b, complete, err := readSample(r)
	if err != nil {
		return nil, fmt.Errorf("reading (%s): %v", comp, err)
	}
	fs, err := cr.classifyText(b, complete)
	if err != nil {
		return nil, err
	}
	fs.compress = comp
	if fs.complete {
		fs.bytes = int64(len(b))
	}
	return fs, nil
}

func (cr *crawler) classifyText(b []byte, complete bool) (*fileSchema, error) {
	for _, c := range cr.classifier {
		if fs, ok := customClassify(c, b, complete); ok {
			return fs, nil
		}
	}
	if fs, ok := classifyJSON(b, complete); ok {
		return fs, nil
	}
	if fs, ok := classifyCSV(b, complete, builtinCSV); ok {
		return fs, nil
	}
	return nil, errUnknown
}

// parquet reads a Parquet object's footer.
func (cr *crawler) parquet(f *cfile) (*fileSchema, error) {
	if f.size < 12 {
		return nil, errors.New("a Parquet file too short to hold a footer")
	}
	tail, err := cr.readRange(f, f.size-8, 8)
	if err != nil {
		return nil, err
	}
	if string(tail[4:]) != "PAR1" {
		return nil, errors.New("a Parquet file without its closing magic number")
	}
	n := int64(binary.LittleEndian.Uint32(tail))
	if n > maxFooter || n > f.size-12 {
		return nil, fmt.Errorf("a Parquet footer of %d bytes in a file of %d", n, f.size)
	}
	footer, err := cr.readRange(f, f.size-8-n, n)
	if err != nil {
		return nil, err
	}
	cols, rows, err := parquetSchema(footer)
	if err != nil {
		return nil, err
	}
	return &fileSchema{class: "parquet", compress: "none", cols: cols, records: rows, bytes: f.size, complete: true}, nil
}

func (cr *crawler) readRange(f *cfile, off, n int64) ([]byte, error) {
	rc, _, err := cr.objs.OpenObject(f.bucket, f.key, off, n)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b := make([]byte, n)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, err
	}
	return b, nil
}

// The catalogue side.

const (
	inText    = "org.apache.hadoop.mapred.TextInputFormat"
	outText   = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	lazySerDe = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
	openCSV   = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
	jsonSerDe = "org.openx.data.jsonserde.JsonSerDe"
)

// storage is the StorageDescriptor and parameters Glue writes for a format.
func (g *tableGroup) storage(location string, params map[string]string) *glueapi.StorageDescriptor {
	s := g.schema
	sd := &glueapi.StorageDescriptor{
		Location: api.String(location), Compressed: api.Bool(s.compress != "none"),
		NumberOfBuckets: api.Int64(-1), BucketColumns: []string{}, SortColumns: []*glueapi.Order{},
		StoredAsSubDirectories: api.Bool(false), Parameters: params,
		InputFormat: api.String(inText), OutputFormat: api.String(outText),
		SerdeInfo: &glueapi.SerDeInfo{SerializationLibrary: api.String(lazySerDe), Parameters: map[string]string{}},
	}
	for _, c := range s.cols {
		sd.Columns = append(sd.Columns, &glueapi.Column{Name: api.String(c.name), Type: api.String(c.t.String())})
	}
	switch s.class {
	case "csv":
		d := string([]byte{s.delim})
		if s.quoted {
			sd.SerdeInfo.SerializationLibrary = api.String(openCSV)
			sd.SerdeInfo.Parameters = map[string]string{"separatorChar": d, "quoteChar": string([]byte{s.quoteChar})}
		} else {
			sd.SerdeInfo.Parameters = map[string]string{"field.delim": d}
		}
	case "json":
		sd.SerdeInfo.SerializationLibrary = api.String(jsonSerDe)
		var names []string
		for _, c := range s.cols {
			names = append(names, c.name)
		}
		sd.SerdeInfo.Parameters = map[string]string{"paths": strings.Join(names, ",")}
	case "parquet":
		sd.InputFormat = api.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
		sd.OutputFormat = api.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat")
		sd.SerdeInfo = &glueapi.SerDeInfo{SerializationLibrary: api.String("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
			Parameters: map[string]string{"serialization.format": "1"}}
	case "avro":
		sd.InputFormat = api.String("org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat")
		sd.OutputFormat = api.String("org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat")
		sd.SerdeInfo = &glueapi.SerDeInfo{SerializationLibrary: api.String("org.apache.hadoop.hive.serde2.avro.AvroSerDe"),
			Parameters: map[string]string{"serialization.format": "1"}}
	}
	if s.serde != "" {
		sd.SerdeInfo = &glueapi.SerDeInfo{SerializationLibrary: api.String(s.serde), Parameters: s.serdeArgs}
	}
	return sd
}

// stats are the size parameters of a set of files: objectCount, sizeKey,
// recordCount (exact for files read whole, else estimated from the sample),
// averageRecordSize.
func stats(files []*cfile) map[string]string {
	var size, sampledSize, records, sampledBytes int64
	for _, f := range files {
		size += f.size
		if f.fs != nil && f.fs.records > 0 {
			sampledSize += f.size
			if f.fs.complete {
				records += f.fs.records
			} else {
				records += f.fs.records * f.size / max(f.fs.bytes, 1)
			}
			sampledBytes += f.fs.bytes
		}
	}
	if sampledSize > 0 && sampledSize < size {
		records = records * size / sampledSize
	}
	avg := int64(0)
	if records > 0 {
		avg = sampledBytes / max(records, 1)
		if avg == 0 {
			avg = size / records
		}
	}
	return map[string]string{
		"objectCount": strconv.Itoa(len(files)), "sizeKey": strconv.FormatInt(size, 10),
		"recordCount": strconv.FormatInt(records, 10), "averageRecordSize": strconv.FormatInt(avg, 10),
	}
}

func (cr *crawler) params(g *tableGroup, files []*cfile) map[string]string {
	s := g.schema
	p := stats(files)
	p["classification"] = s.class
	p["compressionType"] = s.compress
	p["typeOfData"] = "file"
	p["UPDATED_BY_CRAWLER"] = api.ToString(cr.c.Name)
	p["CrawlerSchemaDeserializerVersion"] = "1.0"
	p["CrawlerSchemaSerializerVersion"] = "1.0"
	if s.class == "csv" {
		p["delimiter"] = string([]byte{s.delim})
		p["areColumnsQuoted"] = strconv.FormatBool(s.quoted)
		p["columnsOrdered"] = "true"
		if s.header {
			p["skip.header.line.count"] = "1"
		}
	}
	for k, v := range s.extra {
		p[k] = v
	}
	return p
}

func (g *tableGroup) location() string {
	if g.file != "" {
		return "s3://" + g.bucket + "/" + g.file
	}
	loc := "s3://" + g.bucket + "/" + g.prefix
	if len(g.root) > 0 {
		loc += strings.Join(g.root, "/") + "/"
	}
	return loc
}

func columnsOf(sd *glueapi.StorageDescriptor) []*glueapi.Column {
	if sd == nil {
		return nil
	}
	return sd.Columns
}

func sameColumns(a, b []*glueapi.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(api.ToString(a[i].Name), api.ToString(b[i].Name)) || api.ToString(a[i].Type) != api.ToString(b[i].Type) {
			return false
		}
	}
	return true
}

// write creates or updates one table and its partitions, as the crawler's
// SchemaChangePolicy and Configuration say.
func (cr *crawler) write(account, region, db string, g *tableGroup) error {
	s := cr.s
	params := cr.params(g, g.files)
	sd := g.storage(g.location(), params)
	in := &glueapi.TableInput{
		Name: api.String(g.name), Owner: api.String("owner"), Retention: api.Int64(0),
		TableType: api.String("EXTERNAL_TABLE"), Parameters: params, StorageDescriptor: sd,
		PartitionKeys: []*glueapi.Column{},
	}
	for _, k := range g.partKeys {
		in.PartitionKeys = append(in.PartitionKeys, &glueapi.Column{Name: api.String(k), Type: api.String("string")})
	}
	update := api.ToString(cr.c.SchemaChangePolicy.UpdateBehavior)
	mergeOnly := cr.cfg.CrawlerOutput.Tables.AddOrUpdateBehavior == "MergeNewColumns"
	inherit := cr.cfg.CrawlerOutput.Partitions.AddOrUpdateBehavior == "InheritFromTable"
	return s.st.Update(func(tx *store.Tx) error {
		old, err := getTable(tx, account, region, db, g.name)
		var nf *glueapi.EntityNotFoundException
		switch {
		case errors.As(err, &nf):
			if _, err := s.putTable(tx, account, region, db, in, true, false, false, ""); err != nil {
				return err
			}
			cr.created++
			cr.logf("INFO Created table %s in database %s", g.name, db)
		case err != nil:
			return err
		default:
			oldCols := columnsOf(old.StorageDescriptor)
			if mergeOnly || cr.newOnly {
				cols := append([]*glueapi.Column(nil), oldCols...)
				for _, c := range sd.Columns {
					found := false
					for _, o := range oldCols {
						found = found || strings.EqualFold(api.ToString(o.Name), api.ToString(c.Name))
					}
					if !found {
						cols = append(cols, c)
					}
				}
				sd.Columns = cols
			}
			changed := !sameColumns(oldCols, sd.Columns) || len(old.PartitionKeys) != len(in.PartitionKeys) ||
				old.Parameters["classification"] != params["classification"]
			switch {
			case !changed:
				// Only the statistics moved: refresh them without a new version.
				old.Parameters = params
				if old.StorageDescriptor != nil {
					old.StorageDescriptor.Parameters = params
				}
				old.UpdateTime = &cr.now
				if err := putRec(tx, old, g.name, p(account, region, kTables, db)...); err != nil {
					return err
				}
			case update == "LOG" || cr.newOnly:
				cr.logf("INFO The schema of table %s changed; SchemaChangePolicy LOG leaves the table as it is", g.name)
				sd = old.StorageDescriptor
			default:
				in.Description, in.Owner = old.Description, old.Owner
				if _, err := s.putTable(tx, account, region, db, in, false, true, false, ""); err != nil {
					return err
				}
				cr.updated++
				cr.logf("INFO Updated table %s in database %s: its schema changed", g.name, db)
			}
		}
		t, err := getTable(tx, account, region, db, g.name)
		if err != nil {
			return err
		}
		if len(t.PartitionKeys) != len(g.partKeys) {
			return nil // the table kept (LOG) a different partitioning: nothing to add
		}
		// Partitions: new ones added; existing ones follow the table's schema
		// (InheritFromTable) or their own files'.
		keys := make([]string, 0, len(g.parts))
		for k := range g.parts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		added := 0
		for _, k := range keys {
			files := g.parts[k]
			vals := strings.Split(k, "\x00")
			loc := "s3://" + g.bucket + "/" + g.prefix + strings.Join(files[0].rel, "/") + "/"
			psd := *t.StorageDescriptor
			psd.Location = api.String(loc)
			pparams := cr.params(g, files)
			psd.Parameters = pparams
			if !inherit {
				sub := &tableGroup{schema: g.schema}
				psd.Columns = sub.storage(loc, pparams).Columns
				if len(psd.Columns) == 0 {
					psd.Columns = t.StorageDescriptor.Columns
				}
			}
			pi := &glueapi.PartitionInput{Values: vals, StorageDescriptor: &psd, Parameters: pparams}
			existing, err := getPartition(tx, account, region, t, vals)
			if err != nil {
				if !errors.As(err, &nf) {
					return err
				}
				if err := s.addPartition(tx, account, region, t, pi); err != nil {
					return err
				}
				added++
				continue
			}
			if update != "LOG" && !cr.newOnly && !sameColumns(columnsOf(existing.StorageDescriptor), psd.Columns) {
				if err := updatePartition(tx, account, region, t, vals, pi); err != nil {
					return err
				}
			}
		}
		if added > 0 {
			cr.partsAdded += int64(added)
			cr.logf("INFO Added %d partitions to table %s", added, g.name)
		}
		return nil
	})
}

// deleteGone applies the DeleteBehavior to what this crawler wrote before and
// no longer finds: partitions whose folder is gone, and tables left with no
// files.
func (cr *crawler) deleteGone(account, region, db string, groups []*tableGroup) error {
	if cr.newOnly {
		return nil
	}
	behavior := api.ToString(cr.c.SchemaChangePolicy.DeleteBehavior)
	live := map[string]*tableGroup{}
	for _, g := range groups {
		live[g.name] = g
	}
	var targets []string
	for _, tg := range cr.c.Targets.S3Targets {
		b, pfx, err := splitS3(api.ToString(tg.Path))
		if err == nil {
			targets = append(targets, "s3://"+b+"/"+pfx)
		}
	}
	under := func(loc string) bool {
		for _, t := range targets {
			if strings.HasPrefix(loc, t) {
				return true
			}
		}
		return false
	}
	return cr.s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(p(account, region, kTables, db)...)
		if b == nil {
			return nil
		}
		var tables []*glueapi.Table
		b.ForEach(func(_, v []byte) error {
			t := new(glueapi.Table)
			if unmarshal(v, t) == nil && t.Parameters["UPDATED_BY_CRAWLER"] == api.ToString(cr.c.Name) &&
				t.StorageDescriptor != nil && under(api.ToString(t.StorageDescriptor.Location)) {
				tables = append(tables, t)
			}
			return nil
		})
		for _, t := range tables {
			g, ok := live[*t.Name]
			if !ok {
				switch behavior {
				case "DELETE_FROM_DATABASE":
					if err := deleteTable(tx, account, region, db, *t.Name); err != nil {
						return err
					}
					cr.deleted++
					cr.logf("INFO Deleted table %s: its files are gone", *t.Name)
				case "LOG":
					cr.logf("INFO Table %s has no files left; DeleteBehavior LOG keeps it", *t.Name)
				default: // DEPRECATE_IN_DATABASE
					if t.Parameters["DEPRECATED_BY_CRAWLER"] == "" {
						t.Parameters["DEPRECATED_BY_CRAWLER"] = "1"
						if err := putRec(tx, t, *t.Name, p(account, region, kTables, db)...); err != nil {
							return err
						}
						cr.logf("INFO Deprecated table %s: its files are gone", *t.Name)
					}
				}
				continue
			}
			if behavior != "DELETE_FROM_DATABASE" {
				continue
			}
			keys, _, err := partitions(tx, account, region, t, "", nil)
			if err != nil {
				return err
			}
			for _, k := range keys {
				if _, ok := g.parts[k]; !ok {
					if err := deletePartition(tx, account, region, t, strings.Split(k, "\x00")); err != nil {
						return err
					}
					cr.partsGone++
					cr.logf("INFO Deleted partition %q of table %s: its folder is gone", strings.Split(k, "\x00"), *t.Name)
				}
			}
		}
		return nil
	})
}

// summary is ListCrawls' Summary of a crawl: what it added, updated and
// deleted, as Glue writes it.
func (cr *crawler) summary() string {
	type count struct {
		Count int64 `json:"Count"`
	}
	out := map[string]map[string]count{}
	add := func(kind, op string, n int64) {
		if n == 0 {
			return
		}
		if out[kind] == nil {
			out[kind] = map[string]count{}
		}
		out[kind][op] = count{n}
	}
	add("TABLE", "ADD", cr.created)
	add("TABLE", "UPDATE", cr.updated)
	add("TABLE", "DELETE", cr.deleted)
	add("PARTITION", "ADD", cr.partsAdded)
	add("PARTITION", "DELETE", cr.partsGone)
	b, _ := json.Marshal(out)
	if len(b) > 255 {
		b = b[:255]
	}
	return string(b)
}

// globMatch matches an exclusion pattern as Glue reads them: * is any run of
// characters within a path segment, ** any run across segments, ? one
// character, [...] a class, {a,b} alternatives.
func globMatch(pattern, name string) bool {
	for _, alt := range expandBraces(pattern) {
		if matchGlob(alt, name) {
			return true
		}
	}
	return false
}

func expandBraces(p string) []string {
	i := strings.IndexByte(p, '{')
	if i < 0 {
		return []string{p}
	}
	j := strings.IndexByte(p[i:], '}')
	if j < 0 {
		return []string{p}
	}
	var out []string
	for _, alt := range strings.Split(p[i+1:i+j], ",") {
		out = append(out, expandBraces(p[:i]+alt+p[i+j+1:])...)
	}
	return out
}

func matchGlob(p, s string) bool {
	for len(p) > 0 {
		switch {
		case strings.HasPrefix(p, "**"):
			rest := strings.TrimPrefix(strings.TrimPrefix(p, "**"), "/")
			for i := 0; i <= len(s); i++ {
				if matchGlob(rest, s[i:]) {
					return true
				}
			}
			return false
		case p[0] == '*':
			for i := 0; i <= len(s); i++ {
				if matchGlob(p[1:], s[i:]) {
					return true
				}
				if i < len(s) && s[i] == '/' {
					break
				}
			}
			return false
		case p[0] == '?':
			if len(s) == 0 || s[0] == '/' {
				return false
			}
			p, s = p[1:], s[1:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 || len(s) == 0 {
				return false
			}
			ok, _ := path.Match(p[:end+1], s[:1])
			if !ok {
				return false
			}
			p, s = p[end+1:], s[1:]
		default:
			if len(s) == 0 || p[0] != s[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return len(s) == 0
}
