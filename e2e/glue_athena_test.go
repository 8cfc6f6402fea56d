package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 14's walk with a crawler instead of DDL, through both boto3
// generations: CSV files under year=/month=/day=, a crawler makes the table,
// Athena answers the GROUP BY from it; CTAS writes the result as Parquet, a
// second crawler catalogues that folder, and the same rows come back from it.
const boto3GlueAthenaScript = `
import boto3, botocore, os, sys, time, json
from botocore.config import Config
url = os.environ["FOGBANK_URL"]
cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", config=cfg)
glue = boto3.client("glue", endpoint_url=url, region_name="us-east-1", config=cfg)
athena = boto3.client("athena", endpoint_url=url, region_name="us-east-1", config=cfg)
tag, want, root = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
bucket, db = "crawl-" + tag, "crawled_" + tag.replace("-", "_")
s3.create_bucket(Bucket=bucket)
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        s3.upload_file(p, bucket, os.path.relpath(p, root).replace(os.sep, "/"))

def crawl(name, path):
    glue.create_crawler(Name=name, Role="arn:aws:iam::000000000000:role/glue", DatabaseName=db,
                        Targets={"S3Targets": [{"Path": path}]})
    glue.start_crawler(Name=name)
    for _ in range(3000):
        c = glue.get_crawler(Name=name)["Crawler"]
        if c["State"] == "READY" and "LastCrawl" in c:
            break
        time.sleep(0.05)
    assert c["LastCrawl"]["Status"] == "SUCCEEDED", c["LastCrawl"]

def query(sql):
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": db},
        ResultConfiguration={"OutputLocation": "s3://%s/results/" % bucket})["QueryExecutionId"]
    for _ in range(3000):
        st = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if st["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.1)
    assert st["State"] == "SUCCEEDED", st
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    return [[c.get("VarCharValue") for c in r["Data"]] for r in rows]

def same(got, what):
    assert len(got) == len(want), (what, got, want)
    for g, w in zip(got, want):
        assert g[0] == w[0] and g[1] == w[1] and abs(float(g[2]) - float(w[2])) < 1e-9, (what, got, want)

crawl("raw-" + tag, "s3://%s/raw/" % bucket)
t = glue.get_table(DatabaseName=db, Name="raw")["Table"]
assert [k["Name"] for k in t["PartitionKeys"]] == ["year", "month", "day"], t["PartitionKeys"]
rows = query("SELECT day, count(*), avg(latency) FROM raw WHERE month = '11' GROUP BY day ORDER BY day")
assert rows[0] == ["day", "_col1", "_col2"], rows[0]
same(rows[1:], "crawled CSV")
query("CREATE TABLE daily_ctas WITH (format = 'PARQUET', external_location = 's3://%s/ctas/daily/') AS "
      "SELECT day, count(*) AS n, avg(latency) AS avg_latency FROM raw WHERE month = '11' GROUP BY day" % bucket)
crawl("ctas-" + tag, "s3://%s/ctas/daily/" % bucket)
t = glue.get_table(DatabaseName=db, Name="daily")["Table"]
assert t["Parameters"]["classification"] == "parquet", t["Parameters"]
assert [(c["Name"], c["Type"]) for c in t["StorageDescriptor"]["Columns"]] == [("day", "string"), ("n", "bigint"), ("avg_latency", "double")], t
same(query("SELECT day, n, avg_latency FROM daily ORDER BY day")[1:], "crawled Parquet")
print("OK")
`

func TestGlueCrawlerAthenaBoto3(t *testing.T) {
	f := start(t, "")
	dir := t.TempDir()
	want := logsData(t, dir, false)
	wantJSON, _ := json.Marshal(want)
	for _, p := range pythons {
		t.Run(p.name, func(t *testing.T) {
			needBoto3(t, p.bin)
			out, errOut, code := f.run(t, nil, p.bin, "-c", boto3GlueAthenaScript, strings.ReplaceAll(p.name, ".", "-"), string(wantJSON), filepath.Join(dir))
			if code != 0 || strings.TrimSpace(out) != "OK" {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
		})
	}
}
