package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Glue part of issue 14's "must show", through both boto3 generations:
// CSV and JSON-lines files under year=/month=/day= folders, one crawler over
// both prefixes, one table each with the right columns, types and three
// partition keys, a partition per folder; then a folder of Parquet files
// (written by DuckDB) crawled into a Parquet table.
const boto3GlueScript = `
import boto3, botocore, os, sys, time, json
from botocore.config import Config
url = os.environ["FOGBANK_URL"]
cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", config=cfg)
glue = boto3.client("glue", endpoint_url=url, region_name="us-east-1", config=cfg)
tag, parquet = sys.argv[1], sys.argv[2]
bucket, db = "logs-" + tag, "weblogs_" + tag.replace("-", "_")
s3.create_bucket(Bucket=bucket)
days = {"01": [("2026-11-01 10:00:00", "web1", 200, 12.5), ("2026-11-01 10:00:05", "web2", 404, 3.0)],
        "02": [("2026-11-02 09:30:00", "web1", 500, 40.25)],
        "03": [("2026-11-03 23:59:59", "web3", 200, 7.75), ("2026-11-03 00:00:01", "web1", 301, 1.0)]}
for day, rows in days.items():
    csv = "ts,host,status,latency\n" + "".join("%s,%s,%d,%s\n" % r for r in rows)
    s3.put_object(Bucket=bucket, Key="raw/year=2026/month=11/day=%s/part-0.csv" % day, Body=csv.encode())
    lines = "".join(json.dumps({"ts": r[0], "host": r[1], "status": r[2], "latency": r[3],
                                "req": {"path": "/x", "bytes": 10}, "tags": ["a"]}) + "\n" for r in rows)
    s3.put_object(Bucket=bucket, Key="json/year=2026/month=11/day=%s/part-0.json" % day, Body=lines.encode())
with open(parquet, "rb") as f:
    body = f.read()
for i in range(2):
    s3.put_object(Bucket=bucket, Key="ctas/result/part-%d.parquet" % i, Body=body)

def crawl(name, paths):
    glue.create_crawler(Name=name, Role="arn:aws:iam::000000000000:role/glue", DatabaseName=db,
                        Targets={"S3Targets": [{"Path": p} for p in paths]})
    assert glue.get_crawler(Name=name)["Crawler"]["State"] == "READY"
    glue.start_crawler(Name=name)
    for _ in range(3000):
        c = glue.get_crawler(Name=name)["Crawler"]
        if c["State"] == "READY" and "LastCrawl" in c:
            break
        time.sleep(0.02)
    assert c["LastCrawl"]["Status"] == "SUCCEEDED", c["LastCrawl"]
    return c

crawl("logs-" + tag, ["s3://%s/raw/" % bucket, "s3://%s/json/" % bucket])
def cols(t):
    return [(c["Name"], c["Type"]) for c in t["StorageDescriptor"]["Columns"]]
raw = glue.get_table(DatabaseName=db, Name="raw")["Table"]
assert cols(raw) == [("ts", "string"), ("host", "string"), ("status", "bigint"), ("latency", "double")], cols(raw)
assert [(k["Name"], k["Type"]) for k in raw["PartitionKeys"]] == [("year", "string"), ("month", "string"), ("day", "string")], raw["PartitionKeys"]
assert raw["Parameters"]["classification"] == "csv" and raw["Parameters"]["skip.header.line.count"] == "1", raw["Parameters"]
assert raw["StorageDescriptor"]["Location"] == "s3://%s/raw/" % bucket
assert raw["TableType"] == "EXTERNAL_TABLE"
js = glue.get_table(DatabaseName=db, Name="json")["Table"]
assert cols(js) == [("ts", "string"), ("host", "string"), ("status", "int"), ("latency", "double"),
                    ("req", "struct<path:string,bytes:int>"), ("tags", "array<string>")], cols(js)
assert js["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
assert len(js["PartitionKeys"]) == 3
for table in ("raw", "json"):
    parts = []
    for page in glue.get_paginator("get_partitions").paginate(DatabaseName=db, TableName=table, PaginationConfig={"PageSize": 2}):
        parts += page["Partitions"]
    got = sorted((p["Values"], p["StorageDescriptor"]["Location"]) for p in parts)
    want = [(["2026", "11", d], "s3://%s/%s/year=2026/month=11/day=%s/" % (bucket, table, d)) for d in sorted(days)]
    assert got == want, got
    recs = {p["Values"][2]: p["Parameters"]["recordCount"] for p in parts}
    assert recs == {d: str(len(r)) for d, r in days.items()}, recs
late = glue.get_partitions(DatabaseName=db, TableName="raw", Expression="month = '11' AND day BETWEEN '02' AND '03'")["Partitions"]
assert sorted(p["Values"][2] for p in late) == ["02", "03"], late

crawl("ctas-" + tag, ["s3://%s/ctas/result/" % bucket])
pq = glue.get_table(DatabaseName=db, Name="result")["Table"]
assert cols(pq) == [("day", "string"), ("n", "bigint"), ("avg_latency", "double")], cols(pq)
assert pq["Parameters"]["classification"] == "parquet" and pq["Parameters"]["recordCount"] == "4", pq["Parameters"]
assert pq["StorageDescriptor"]["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
assert pq["PartitionKeys"] == []
logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1", config=cfg)
c = glue.get_crawler(Name="logs-" + tag)["Crawler"]
ev = logs.get_log_events(logGroupName=c["LastCrawl"]["LogGroup"], logStreamName=c["LastCrawl"]["LogStream"])["events"]
assert ev and all(e["message"].startswith("[%s] " % c["LastCrawl"]["MessagePrefix"]) for e in ev), ev
assert any("Created table raw" in e["message"] for e in ev), ev
m = glue.get_crawler_metrics(CrawlerNameList=["logs-" + tag])["CrawlerMetricsList"][0]
assert m["TablesCreated"] == 2, m
try:
    glue.get_table(DatabaseName=db, Name="nope")
    raise SystemExit("get_table of a missing table succeeded")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "EntityNotFoundException", e.response
    assert e.response["Error"]["Message"] == "Table nope not found.", e.response
print("OK")
`

func TestGlueCrawlerBoto3(t *testing.T) {
	f := start(t, "")
	parquet, err := filepath.Abs("../internal/services/glue/testdata/result.parquet")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pythons {
		t.Run(p.name, func(t *testing.T) {
			needBoto3(t, p.bin)
			out, errOut, code := f.run(t, nil, p.bin, "-c", boto3GlueScript, strings.ReplaceAll(p.name, ".", "-"), parquet)
			if code != 0 || strings.TrimSpace(out) != "OK" {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
		})
	}
}

// The catalogue through both CLI generations: a table from a --table-input
// file, partitions, GetPartitions' expression, the errors.
func TestGlueCatalogCLI(t *testing.T) {
	f := start(t, "")
	dir := t.TempDir()
	table := `{"Name": "Events", "TableType": "EXTERNAL_TABLE",
	  "Parameters": {"classification": "parquet"},
	  "PartitionKeys": [{"Name": "dt", "Type": "string"}],
	  "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}], "Location": "s3://b/events/",
	    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}}`
	tablePath := filepath.Join(dir, "table.json")
	os.WriteFile(tablePath, []byte(table), 0o644)
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			db := "cli_" + strings.ReplaceAll(c.name, "-", "_")
			aws := func(args ...string) (string, string, int) {
				return f.run(t, nil, c.bin, append([]string{"--endpoint-url", f.URL, "--output", "json", "glue"}, args...)...)
			}
			must := func(args ...string) string {
				out, errOut, code := aws(args...)
				if code != 0 {
					t.Fatalf("glue %s: exit %d: %s", args[0], code, errOut)
				}
				return out
			}
			must("create-database", "--database-input", "Name="+db)
			_, errOut, code := aws("create-database", "--database-input", "Name="+db)
			if code == 0 || !strings.Contains(errOut, "AlreadyExistsException") {
				t.Errorf("second create-database: exit %d, %s", code, errOut)
			}
			must("create-table", "--database-name", db, "--table-input", "file://"+tablePath)
			for _, dt := range []string{"2026-11-01", "2026-11-02", "2026-11-03"} {
				must("create-partition", "--database-name", db, "--table-name", "events",
					"--partition-input", `{"Values":["`+dt+`"],"StorageDescriptor":{"Location":"s3://b/events/dt=`+dt+`/"}}`)
			}
			var parts struct{ Partitions []struct{ Values []string } }
			json.Unmarshal([]byte(must("get-partitions", "--database-name", db, "--table-name", "events", "--expression", "dt >= '2026-11-02'")), &parts)
			if len(parts.Partitions) != 2 {
				t.Errorf("get-partitions dt >= '2026-11-02': %+v", parts)
			}
			var tb struct {
				Table struct{ Name, VersionId string }
			}
			json.Unmarshal([]byte(must("get-table", "--database-name", db, "--name", "EVENTS")), &tb)
			if tb.Table.Name != "events" || tb.Table.VersionId != "0" {
				t.Errorf("get-table: %+v", tb)
			}
			_, errOut, code = aws("get-table", "--database-name", db, "--name", "gone")
			if code == 0 || !strings.Contains(errOut, "EntityNotFoundException") || !strings.Contains(errOut, "Table gone not found.") {
				t.Errorf("get-table of a missing table: exit %d, %s", code, errOut)
			}
			must("delete-database", "--name", db)
			_, errOut, code = aws("get-database", "--name", db)
			if code == 0 || !strings.Contains(errOut, "Database "+db+" not found.") {
				t.Errorf("get-database after delete: exit %d, %s", code, errOut)
			}
		})
	}
}
