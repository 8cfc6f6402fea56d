package glue_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fogbank/fogbank/fogbanktest"
	glueimpl "github.com/fogbank/fogbank/internal/services/glue"
)

func put(t testing.TB, c *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
}

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

// crawl starts a crawler and waits for it to be READY again, answering it.
func crawl(t testing.TB, c *glue.Client, name string) *types.Crawler {
	t.Helper()
	ctx := context.Background()
	before, err := c.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String(name)}); err != nil {
		t.Fatalf("StartCrawler: %v", err)
	}
	var prev *time.Time
	if before.Crawler.LastCrawl != nil {
		prev = before.Crawler.LastCrawl.StartTime
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		cr := out.Crawler
		if cr.State == types.CrawlerStateReady && cr.LastCrawl != nil && (prev == nil || !cr.LastCrawl.StartTime.Equal(*prev)) {
			return cr
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("crawler %s did not finish", name)
	return nil
}

func columns(cs []types.Column) string {
	var out []string
	for _, c := range cs {
		out = append(out, aws.ToString(c.Name)+" "+aws.ToString(c.Type))
	}
	return strings.Join(out, ", ")
}

func TestCrawler(t *testing.T) {
	srv := fogbanktest.Start(t)
	ctx := context.Background()
	sc := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	gc := glue.NewFromConfig(srv.Config)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	header := "ts,host,path,status,latency\n"
	put(t, sc, "logs", "raw/year=2026/month=11/day=01/a.csv", []byte(header+"2026-11-01 10:00:00,web1,/a,200,12.5\n2026-11-01 10:00:01,web2,/b,404,3\n"))
	put(t, sc, "logs", "raw/year=2026/month=11/day=02/b.csv", []byte(header+"2026-11-02 09:00:00,web1,/c,500,40.25\n"))
	put(t, sc, "logs", "raw/year=2026/month=11/day=03/c.csv", []byte(header+"2026-11-03 08:00:00,web3,/d,200,7\n"))
	put(t, sc, "logs", "raw/year=2026/month=11/day=03/_SUCCESS", []byte("x"))
	put(t, sc, "logs", "raw/year=2026/month=11/day=03/notes.tmp", []byte("not data at all\n"))

	_, err := gc.CreateCrawler(ctx, &glue.CreateCrawlerInput{
		Name: aws.String("logs"), Role: aws.String("arn:aws:iam::000000000000:role/glue"), DatabaseName: aws.String("weblogs"),
		Targets: &types.CrawlerTargets{S3Targets: []types.S3Target{{Path: aws.String("s3://logs/raw/"), Exclusions: []string{"**.tmp"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = gc.StopCrawler(ctx, &glue.StopCrawlerInput{Name: aws.String("logs")})
	wantCode(t, err, "CrawlerNotRunningException", "")
	cr := crawl(t, gc, "logs")
	if cr.LastCrawl.Status != types.LastCrawlStatusSucceeded || aws.ToString(cr.LastCrawl.LogGroup) != "/aws-glue/crawlers" {
		t.Fatalf("LastCrawl = %+v (%s)", cr.LastCrawl, aws.ToString(cr.LastCrawl.ErrorMessage))
	}
	tb, err := gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("weblogs"), Name: aws.String("raw")})
	if err != nil {
		t.Fatal(err)
	}
	tab := tb.Table
	if got, want := columns(tab.StorageDescriptor.Columns), "ts string, host string, path string, status bigint, latency double"; got != want {
		t.Errorf("columns = %s, want %s", got, want)
	}
	if got, want := columns(tab.PartitionKeys), "year string, month string, day string"; got != want {
		t.Errorf("partition keys = %s, want %s", got, want)
	}
	if p := tab.Parameters; p["classification"] != "csv" || p["skip.header.line.count"] != "1" || p["delimiter"] != "," ||
		p["UPDATED_BY_CRAWLER"] != "logs" || p["objectCount"] != "3" {
		t.Errorf("parameters = %v", p)
	}
	if sd := tab.StorageDescriptor; aws.ToString(sd.Location) != "s3://logs/raw/" || aws.ToString(sd.SerdeInfo.SerializationLibrary) != "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe" ||
		sd.SerdeInfo.Parameters["field.delim"] != "," || aws.ToString(sd.InputFormat) != "org.apache.hadoop.mapred.TextInputFormat" {
		t.Errorf("storage = %+v", sd)
	}
	parts, err := gc.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("weblogs"), TableName: aws.String("raw")})
	if err != nil {
		t.Fatal(err)
	}
	var locs []string
	for _, p := range parts.Partitions {
		locs = append(locs, strings.Join(p.Values, "/")+"@"+aws.ToString(p.StorageDescriptor.Location))
	}
	if got, want := strings.Join(locs, " "), "2026/11/01@s3://logs/raw/year=2026/month=11/day=01/ 2026/11/02@s3://logs/raw/year=2026/month=11/day=02/ 2026/11/03@s3://logs/raw/year=2026/month=11/day=03/"; got != want {
		t.Errorf("partitions = %s\nwant %s", got, want)
	}
	for _, p := range parts.Partitions {
		if p.Values[2] == "01" && (p.Parameters["recordCount"] != "2" || p.Parameters["objectCount"] != "1") {
			t.Errorf("day 01 partition parameters = %v, want 2 records in 1 object", p.Parameters)
		}
	}

	// A new day with a new column: the table gains it (UPDATE_IN_DATABASE), the
	// partition is added, the old version is archived.
	put(t, sc, "logs", "raw/year=2026/month=11/day=04/d.csv", []byte("ts,host,path,status,latency,bytes\n2026-11-04 08:00:00,web1,/e,200,1.5,512\n"))
	crawl(t, gc, "logs")
	tb, _ = gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("weblogs"), Name: aws.String("raw")})
	if got, want := columns(tb.Table.StorageDescriptor.Columns), "ts string, host string, path string, status bigint, latency double, bytes bigint"; got != want {
		t.Errorf("after a new column: %s, want %s", got, want)
	}
	vs, _ := gc.GetTableVersions(ctx, &glue.GetTableVersionsInput{DatabaseName: aws.String("weblogs"), TableName: aws.String("raw")})
	if len(vs.TableVersions) != 2 {
		t.Errorf("%d table versions, want 2", len(vs.TableVersions))
	}
	parts, _ = gc.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("weblogs"), TableName: aws.String("raw"), Expression: aws.String("day = '04'")})
	if len(parts.Partitions) != 1 {
		t.Errorf("partition day=04: %d found", len(parts.Partitions))
	}
	lc, err := gc.ListCrawls(ctx, &glue.ListCrawlsInput{CrawlerName: aws.String("logs")})
	if err != nil || len(lc.Crawls) != 2 || lc.Crawls[0].State != types.CrawlerHistoryStateCompleted ||
		aws.ToString(lc.Crawls[0].Summary) != `{"PARTITION":{"ADD":{"Count":1}},"TABLE":{"UPDATE":{"Count":1}}}` ||
		aws.ToString(lc.Crawls[1].Summary) != `{"PARTITION":{"ADD":{"Count":3}},"TABLE":{"ADD":{"Count":1}}}` {
		t.Fatalf("ListCrawls = %+v, %v", lc, err)
	}
	lc, err = gc.ListCrawls(ctx, &glue.ListCrawlsInput{CrawlerName: aws.String("logs"), Filters: []types.CrawlsFilter{
		{FieldName: types.FieldNameCrawlId, FilterOperator: types.FilterOperatorEq, FieldValue: lc.Crawls[1].CrawlId}}})
	if err != nil || len(lc.Crawls) != 1 {
		t.Fatalf("ListCrawls by id = %+v, %v", lc, err)
	}
	ms, err := gc.GetCrawlerMetrics(ctx, &glue.GetCrawlerMetricsInput{CrawlerNameList: []string{"logs"}})
	if err != nil || len(ms.CrawlerMetricsList) != 1 || ms.CrawlerMetricsList[0].TablesUpdated != 1 || ms.CrawlerMetricsList[0].TablesCreated != 0 {
		t.Fatalf("GetCrawlerMetrics = %+v, %v", ms, err)
	}
}

func TestCrawlerFormats(t *testing.T) {
	srv := fogbanktest.Start(t)
	ctx := context.Background()
	sc := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	gc := glue.NewFromConfig(srv.Config)
	sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")})
	put(t, sc, "data", "events/dt=2026-11-01/part-0.json", []byte(
		`{"id": 1, "user": {"name": "ann", "age": 31}, "tags": ["a", "b"], "score": 1.5, "ok": true}`+"\n"+
			`{"id": 5000000000, "user": {"name": "bob"}, "tags": [], "score": 2, "ok": false}`+"\n"))
	put(t, sc, "data", "events/dt=2026-11-02/part-0.json", []byte(`{"id": 2, "user": {"name": "cy", "age": 40, "city": "Oslo"}, "tags": ["c"], "score": 3.25, "ok": true}`+"\n"))
	pq, err := os.ReadFile("testdata/typed.parquet")
	if err != nil {
		t.Fatal(err)
	}
	put(t, sc, "data", "warehouse/sales/part-0.parquet", pq)
	put(t, sc, "data", "warehouse/sales/part-1.parquet", pq)
	put(t, sc, "data", "tsv/x/one.tsv", []byte("a\tb\tc\n1\t2\tx\n3\t4\ty\n"))
	put(t, sc, "data", "gz/2026/11/one.json.gz", gz(t, `{"a": 1, "b": "y"}`+"\n"))
	put(t, sc, "data", "gz/2026/12/two.json.gz", gz(t, `{"a": 2.5, "b": "x"}`+"\n"))
	put(t, sc, "data", "nohead/x.csv", []byte("alpha,beta\ngamma,delta\n"))

	for name, path := range map[string]string{"ev": "s3://data/events/", "pq": "s3://data/warehouse/", "tsv": "s3://data/tsv/x", "nh": "s3://data/nohead/", "gz": "s3://data/gz/"} {
		if _, err := gc.CreateCrawler(ctx, &glue.CreateCrawlerInput{Name: aws.String(name), Role: aws.String("r"), DatabaseName: aws.String("d"),
			TablePrefix: aws.String(name + "_"), Targets: &types.CrawlerTargets{S3Targets: []types.S3Target{{Path: aws.String(path)}}}}); err != nil {
			t.Fatal(err)
		}
		if cr := crawl(t, gc, name); cr.LastCrawl.Status != types.LastCrawlStatusSucceeded {
			t.Fatalf("crawl %s: %s", name, aws.ToString(cr.LastCrawl.ErrorMessage))
		}
	}
	for _, tc := range []struct{ table, cols, class, parts string }{
		{"ev_events", "id bigint, user struct<name:string,age:int,city:string>, tags array<string>, score double, ok boolean", "json", "dt string"},
		// One folder below the include path: a partition of the include path's table, unnamed.
		{"pq_warehouse", "id bigint, name string, latency double, ok boolean, day date, ts timestamp, price decimal(10,2), small int, tags array<int>, info struct<x:int,y:string>, attrs map<string,int>", "parquet", "partition_0 string"},
		{"gz_gz", "a double, b string", "json", "partition_0 string, partition_1 string"},
		{"tsv_x", "a bigint, b bigint, c string", "csv", ""},
		{"nh_nohead", "col0 string, col1 string", "csv", ""}, // all strings: the first line is data (Glue's rule)
	} {
		out, err := gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("d"), Name: aws.String(tc.table)})
		if err != nil {
			t.Errorf("GetTable %s: %v", tc.table, err)
			continue
		}
		tab := out.Table
		if got := columns(tab.StorageDescriptor.Columns); got != tc.cols {
			t.Errorf("%s columns = %s\nwant %s", tc.table, got, tc.cols)
		}
		if got := columns(tab.PartitionKeys); got != tc.parts {
			t.Errorf("%s partition keys = %q, want %q", tc.table, got, tc.parts)
		}
		if tab.Parameters["classification"] != tc.class {
			t.Errorf("%s classification = %q, want %q", tc.table, tab.Parameters["classification"], tc.class)
		}
	}
	out, _ := gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("d"), Name: aws.String("pq_warehouse")})
	if sd := out.Table.StorageDescriptor; aws.ToString(sd.SerdeInfo.SerializationLibrary) != "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" ||
		out.Table.Parameters["recordCount"] != "6" {
		t.Errorf("parquet table: serde %s, recordCount %s", aws.ToString(sd.SerdeInfo.SerializationLibrary), out.Table.Parameters["recordCount"])
	}
	out, _ = gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("d"), Name: aws.String("tsv_x")})
	if out.Table.Parameters["delimiter"] != "\t" {
		t.Errorf("tsv delimiter = %q", out.Table.Parameters["delimiter"])
	}
	out, _ = gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("d"), Name: aws.String("gz_gz")})
	if out.Table.Parameters["compressionType"] != "gzip" || !out.Table.StorageDescriptor.Compressed {
		t.Errorf("gzip table parameters = %v", out.Table.Parameters)
	}
	parts, _ := gc.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("d"), TableName: aws.String("pq_warehouse")})
	if len(parts.Partitions) != 1 || parts.Partitions[0].Values[0] != "sales" || aws.ToString(parts.Partitions[0].StorageDescriptor.Location) != "s3://data/warehouse/sales/" {
		t.Errorf("parquet partitions = %+v", parts.Partitions)
	}
}

func newCrawler(t *testing.T, gc *glue.Client, in *glue.CreateCrawlerInput) {
	t.Helper()
	if in.Role == nil {
		in.Role = aws.String("arn:aws:iam::000000000000:role/glue")
	}
	if _, err := gc.CreateCrawler(context.Background(), in); err != nil {
		t.Fatalf("CreateCrawler %s: %v", aws.ToString(in.Name), err)
	}
}

func s3Target(paths ...string) *types.CrawlerTargets {
	ts := &types.CrawlerTargets{}
	for _, p := range paths {
		ts.S3Targets = append(ts.S3Targets, types.S3Target{Path: aws.String(p)})
	}
	return ts
}

func state(t *testing.T, gc *glue.Client, name string) types.CrawlerState {
	t.Helper()
	out, err := gc.GetCrawler(context.Background(), &glue.GetCrawlerInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Crawler.State
}

// StartCrawler → RUNNING; a second start, an update or a delete are refused
// while it runs; StopCrawler → STOPPING → READY with LastCrawl CANCELLED.
func TestCrawlerStop(t *testing.T) {
	srv := fogbanktest.Start(t)
	ctx := context.Background()
	sc := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	gc := glue.NewFromConfig(srv.Config)
	sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	put(t, sc, "bkt", "t/a.csv", []byte("x,y\n1,2\n"))
	newCrawler(t, gc, &glue.CreateCrawlerInput{Name: aws.String("slow"), DatabaseName: aws.String("d"), Targets: s3Target("s3://bkt/t/")})

	release := make(chan struct{})
	reached := make(chan struct{}, 1)
	glueimpl.SetFileHook(func() {
		select {
		case reached <- struct{}{}:
		default:
		}
		<-release
	})
	defer glueimpl.SetFileHook(nil)
	if _, err := gc.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String("slow")}); err != nil {
		t.Fatal(err)
	}
	<-reached
	if s := state(t, gc, "slow"); s != types.CrawlerStateRunning {
		t.Fatalf("state while crawling = %s", s)
	}
	lc, err := gc.ListCrawls(ctx, &glue.ListCrawlsInput{CrawlerName: aws.String("slow")})
	if err != nil || len(lc.Crawls) != 1 || lc.Crawls[0].State != types.CrawlerHistoryStateRunning {
		t.Fatalf("ListCrawls while running = %+v, %v", lc, err)
	}
	_, err = gc.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String("slow")})
	wantCode(t, err, "CrawlerRunningException", "already started")
	_, err = gc.DeleteCrawler(ctx, &glue.DeleteCrawlerInput{Name: aws.String("slow")})
	wantCode(t, err, "CrawlerRunningException", "")
	_, err = gc.UpdateCrawler(ctx, &glue.UpdateCrawlerInput{Name: aws.String("slow"), Description: aws.String("x")})
	wantCode(t, err, "CrawlerRunningException", "")
	if _, err := gc.StopCrawler(ctx, &glue.StopCrawlerInput{Name: aws.String("slow")}); err != nil {
		t.Fatal(err)
	}
	if s := state(t, gc, "slow"); s != types.CrawlerStateStopping {
		t.Errorf("state after StopCrawler = %s, want STOPPING", s)
	}
	_, err = gc.StopCrawler(ctx, &glue.StopCrawlerInput{Name: aws.String("slow")})
	wantCode(t, err, "CrawlerStoppingException", "")
	close(release)
	deadline := time.Now().Add(30 * time.Second)
	for state(t, gc, "slow") != types.CrawlerStateReady && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	out, _ := gc.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String("slow")})
	if out.Crawler.State != types.CrawlerStateReady || out.Crawler.LastCrawl == nil || out.Crawler.LastCrawl.Status != types.LastCrawlStatusCancelled {
		t.Fatalf("after the stop: %s %+v", out.Crawler.State, out.Crawler.LastCrawl)
	}
	if _, err := gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("d"), Name: aws.String("t")}); err == nil {
		t.Errorf("a cancelled crawl wrote its table")
	}
	lc, err = gc.ListCrawls(ctx, &glue.ListCrawlsInput{CrawlerName: aws.String("slow")})
	if err != nil || len(lc.Crawls) != 1 || lc.Crawls[0].State != types.CrawlerHistoryStateStopped || lc.Crawls[0].EndTime == nil {
		t.Fatalf("ListCrawls after the stop = %+v, %v", lc, err)
	}
}

// SchemaChangePolicy, DeleteBehavior, RecrawlPolicy and Configuration.
func TestCrawlerPolicies(t *testing.T) {
	srv := fogbanktest.Start(t)
	ctx := context.Background()
	sc := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	gc := glue.NewFromConfig(srv.Config)
	sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	table := func(name string) *types.Table {
		t.Helper()
		out, err := gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("d"), Name: aws.String(name)})
		if err != nil {
			t.Fatalf("GetTable %s: %v", name, err)
		}
		return out.Table
	}
	partValues := func(name string) string {
		t.Helper()
		out, err := gc.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("d"), TableName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		var vs []string
		for _, p := range out.Partitions {
			vs = append(vs, strings.Join(p.Values, "/"))
		}
		return strings.Join(vs, " ")
	}

	// CRAWL_NEW_FOLDERS_ONLY needs LOG for both behaviours, as Glue says.
	_, err := gc.CreateCrawler(ctx, &glue.CreateCrawlerInput{Name: aws.String("bad"), Role: aws.String("r"), DatabaseName: aws.String("d"),
		Targets: s3Target("s3://bkt/x/"), RecrawlPolicy: &types.RecrawlPolicy{RecrawlBehavior: types.RecrawlBehaviorCrawlNewFoldersOnly}})
	wantCode(t, err, "InvalidInputException", "LOG")
	_, err = gc.CreateCrawler(ctx, &glue.CreateCrawlerInput{Name: aws.String("bad"), Role: aws.String("r"), DatabaseName: aws.String("d"),
		Targets: s3Target("s3://bkt/x/"), Schedule: aws.String("cron(0 12 * * *)")})
	wantCode(t, err, "InvalidInputException", "schedule")
	_, err = gc.CreateCrawler(ctx, &glue.CreateCrawlerInput{Name: aws.String("bad"), Role: aws.String("r"), DatabaseName: aws.String("d"),
		Targets: s3Target("s3://bkt/x/"), Configuration: aws.String("{not json")})
	wantCode(t, err, "InvalidInputException", "")

	// LOG keeps the table as it is, but new partitions still come in.
	put(t, sc, "bkt", "logt/k=1/a.csv", []byte("id,v\n1,2.5\n"))
	newCrawler(t, gc, &glue.CreateCrawlerInput{Name: aws.String("logc"), DatabaseName: aws.String("d"), Targets: s3Target("s3://bkt/logt/"),
		SchemaChangePolicy: &types.SchemaChangePolicy{UpdateBehavior: types.UpdateBehaviorLog, DeleteBehavior: types.DeleteBehaviorLog}})
	crawl(t, gc, "logc")
	put(t, sc, "bkt", "logt/k=2/a.csv", []byte("id,v,extra\n1,2.5,9\n"))
	crawl(t, gc, "logc")
	if got := columns(table("logt").StorageDescriptor.Columns); got != "id bigint, v double" {
		t.Errorf("LOG: columns = %s", got)
	}
	if got := partValues("logt"); got != "1 2" {
		t.Errorf("LOG: partitions = %s", got)
	}

	// MergeNewColumns adds, never drops or changes; DELETE_FROM_DATABASE drops
	// the partitions whose folder is gone.
	put(t, sc, "bkt", "mt/k=1/a.json", []byte(`{"a": 1, "b": "x", "c": true}`+"\n"))
	put(t, sc, "bkt", "mt/k=2/a.json", []byte(`{"a": 1, "b": "x", "c": true}`+"\n"))
	newCrawler(t, gc, &glue.CreateCrawlerInput{Name: aws.String("merge"), DatabaseName: aws.String("d"), Targets: s3Target("s3://bkt/mt/"),
		SchemaChangePolicy: &types.SchemaChangePolicy{UpdateBehavior: types.UpdateBehaviorUpdateInDatabase, DeleteBehavior: types.DeleteBehaviorDeleteFromDatabase},
		Configuration:      aws.String(`{"Version":1.0,"CrawlerOutput":{"Tables":{"AddOrUpdateBehavior":"MergeNewColumns"}}}`)})
	crawl(t, gc, "merge")
	sc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("mt/k=2/a.json")})
	put(t, sc, "bkt", "mt/k=1/a.json", []byte(`{"a": 1, "b": "x", "d": 2.5}`+"\n"))
	crawl(t, gc, "merge")
	if got := columns(table("mt").StorageDescriptor.Columns); got != "a int, b string, c boolean, d double" {
		t.Errorf("MergeNewColumns: columns = %s", got)
	}
	if got := partValues("mt"); got != "1" {
		t.Errorf("DELETE_FROM_DATABASE: partitions = %s, want 1", got)
	}
	// Without MergeNewColumns the columns follow the files (a dropped column goes).
	put(t, sc, "bkt", "up/a.json", []byte(`{"a": 1, "b": "x"}`+"\n"))
	newCrawler(t, gc, &glue.CreateCrawlerInput{Name: aws.String("upd"), DatabaseName: aws.String("d"), Targets: s3Target("s3://bkt/up/")})
	crawl(t, gc, "upd")
	put(t, sc, "bkt", "up/a.json", []byte(`{"a": 1.5, "b": "x"}`+"\n"))
	crawl(t, gc, "upd")
	if got := columns(table("up").StorageDescriptor.Columns); got != "a double, b string" {
		t.Errorf("UPDATE_IN_DATABASE: columns = %s", got)
	}
	// Its files gone, DEPRECATE_IN_DATABASE (the default) marks the table.
	sc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("up/a.json")})
	crawl(t, gc, "upd")
	if p := table("up").Parameters; p["DEPRECATED_BY_CRAWLER"] == "" {
		t.Errorf("deprecated table parameters = %v", p)
	}

	// New folders only: a changed file in a crawled folder is not read again,
	// a new folder is.
	put(t, sc, "bkt", "nf/k=1/a.csv", []byte("id,v\n1,2\n"))
	newCrawler(t, gc, &glue.CreateCrawlerInput{Name: aws.String("newonly"), DatabaseName: aws.String("d"), Targets: s3Target("s3://bkt/nf/"),
		RecrawlPolicy:      &types.RecrawlPolicy{RecrawlBehavior: types.RecrawlBehaviorCrawlNewFoldersOnly},
		SchemaChangePolicy: &types.SchemaChangePolicy{UpdateBehavior: types.UpdateBehaviorLog, DeleteBehavior: types.DeleteBehaviorLog}})
	crawl(t, gc, "newonly")
	put(t, sc, "bkt", "nf/k=1/b.csv", []byte("id,v,w\n1,2,3\n"))
	put(t, sc, "bkt", "nf/k=2/a.csv", []byte("id,v\n5,6\n"))
	crawl(t, gc, "newonly")
	if got := partValues("nf"); got != "1 2" {
		t.Errorf("new folders only: partitions = %s", got)
	}
	if got := columns(table("nf").StorageDescriptor.Columns); got != "id bigint, v bigint" {
		t.Errorf("new folders only: columns = %s", got)
	}

	// Different schemas in sibling folders make separate tables, unless the
	// crawler combines compatible schemas; exclusions leave files out.
	put(t, sc, "bkt", "mix/one/a.csv", []byte("id,v\n1,2\n"))
	put(t, sc, "bkt", "mix/two/a.json", []byte(`{"p": "q", "r": 1}`+"\n"))
	put(t, sc, "bkt", "mix/two/skip/b.csv", []byte("zz,yy\n1,2\n"))
	newCrawler(t, gc, &glue.CreateCrawlerInput{Name: aws.String("mix"), DatabaseName: aws.String("d"), TablePrefix: aws.String("m_"),
		Targets: &types.CrawlerTargets{S3Targets: []types.S3Target{{Path: aws.String("s3://bkt/mix/"), Exclusions: []string{"two/skip/**"}}}}})
	crawl(t, gc, "mix")
	if got := columns(table("m_one").StorageDescriptor.Columns); got != "id bigint, v bigint" {
		t.Errorf("m_one: %s", got)
	}
	if got := columns(table("m_two").StorageDescriptor.Columns); got != "p string, r int" {
		t.Errorf("m_two: %s", got)
	}
	put(t, sc, "bkt", "comb/x/a.json", []byte(`{"a": 1}`+"\n"))
	put(t, sc, "bkt", "comb/y/a.json", []byte(`{"b": "z", "c": 1, "d": 2}`+"\n"))
	newCrawler(t, gc, &glue.CreateCrawlerInput{Name: aws.String("comb"), DatabaseName: aws.String("d"), Targets: s3Target("s3://bkt/comb/"),
		Configuration: aws.String(`{"Version":1.0,"Grouping":{"TableGroupingPolicy":"CombineCompatibleSchemas"}}`)})
	crawl(t, gc, "comb")
	if got := columns(table("comb").StorageDescriptor.Columns); got != "a int, b string, c int, d int" {
		t.Errorf("CombineCompatibleSchemas: %s", got)
	}
	// TableLevelConfiguration puts the tables at a level: here level 3, the
	// folders below comb2/.
	put(t, sc, "bkt", "comb2/x/a.json", []byte(`{"a": 1}`+"\n"))
	put(t, sc, "bkt", "comb2/y/a.json", []byte(`{"a": 2}`+"\n"))
	newCrawler(t, gc, &glue.CreateCrawlerInput{Name: aws.String("lvl"), DatabaseName: aws.String("d"), Targets: s3Target("s3://bkt/comb2/"),
		Configuration: aws.String(`{"Version":1.0,"Grouping":{"TableLevelConfiguration":3}}`)})
	crawl(t, gc, "lvl")
	table("x")
	table("y")
}

// A reset forgets catalogue and crawlers, and cancels a crawl in progress.
func TestCrawlerReset(t *testing.T) {
	srv := fogbanktest.Start(t)
	ctx := context.Background()
	sc := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	gc := glue.NewFromConfig(srv.Config)
	sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	put(t, sc, "bkt", "t/a.csv", []byte("x,y\n1,2\n"))
	newCrawler(t, gc, &glue.CreateCrawlerInput{Name: aws.String("r"), DatabaseName: aws.String("d"), Targets: s3Target("s3://bkt/t/")})
	release := make(chan struct{})
	reached := make(chan struct{}, 1)
	glueimpl.SetFileHook(func() {
		select {
		case reached <- struct{}{}:
		default:
		}
		<-release
	})
	defer glueimpl.SetFileHook(nil)
	if _, err := gc.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String("r")}); err != nil {
		t.Fatal(err)
	}
	<-reached
	srv.ResetService("glue")
	close(release)
	_, err := gc.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String("r")})
	wantCode(t, err, "EntityNotFoundException", "")
	// The cancelled crawl writes nothing into the new state.
	time.Sleep(100 * time.Millisecond)
	dbs, err := gc.GetDatabases(ctx, &glue.GetDatabasesInput{})
	if err != nil || len(dbs.DatabaseList) != 0 {
		t.Fatalf("databases after the reset: %+v, %v", dbs, err)
	}
}
