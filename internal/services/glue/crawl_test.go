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
)

func put(t *testing.T, c *s3.Client, bucket, key string, body []byte) {
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
func crawl(t *testing.T, c *glue.Client, name string) *types.Crawler {
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
