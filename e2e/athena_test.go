package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// logsData writes the files under dir/raw/year=2026/month=MM/day=DD/
// (CSV with a header line, or JSON lines) and returns the rows the query
// "SELECT day, count(*), avg(latency) ... WHERE month = '11' GROUP BY day
// ORDER BY day" must answer, as Athena prints them.
func logsData(t *testing.T, dir string, jsonLines bool) [][]string {
	var want [][]string
	for _, m := range []string{"10", "11"} {
		for d := 1; d <= 3; d++ {
			day := fmt.Sprintf("%02d", d)
			var b strings.Builder
			name := "part-0.csv"
			if jsonLines {
				name = "part-0.json"
			} else {
				b.WriteString("ts,path,latency\n")
			}
			n, sum := 0, 0.0
			for i := 0; i < 4+d; i++ {
				lat := float64(i*7+d) + 0.25
				if jsonLines {
					fmt.Fprintf(&b, `{"ts":"2026-%s-%sT10:%02d:00Z","path":"/p%d","latency":%g}`+"\n", m, day, i, i, lat)
				} else {
					fmt.Fprintf(&b, "2026-%s-%sT10:%02d:00Z,/p%d,%g\n", m, day, i, i, lat)
				}
				n++
				sum += lat
			}
			p := filepath.Join(dir, "raw", "year=2026", "month="+m, "day="+day)
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(p, name), []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			if m == "11" {
				want = append(want, []string{day, strconv.Itoa(n), strconv.FormatFloat(sum/float64(n), 'f', -1, 64)})
			}
		}
	}
	return want
}

// sameRows compares query rows with want, averages to 1e-9.
func sameRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows %v, want %v", what, len(got), got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if len(g) != 3 || g[0] != w[0] || g[1] != w[1] {
			t.Errorf("%s: row %d = %v, want %v", what, i, g, w)
			continue
		}
		a, _ := strconv.ParseFloat(g[2], 64)
		b, _ := strconv.ParseFloat(w[2], 64)
		if math.Abs(a-b) > 1e-9 {
			t.Errorf("%s: row %d avg = %s, want %s", what, i, g[2], w[2])
		}
	}
}

// The walk through both AWS CLIs, as a new user types it: files in
// S3, a database and a partitioned table made by DDL, MSCK REPAIR TABLE, the
// GROUP BY through start-query-execution / get-query-results, the CSV in the
// output location, CTAS to Parquet and the same query over the Parquet table.
func TestAthenaCLI(t *testing.T) {
	f := start(t, "")
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			need(t, "g++") // the SQL engine is built on the first query
			sfx := strings.ReplaceAll(c.name, "-", "")
			logs, results, db := "logs-"+sfx, "results-"+sfx, "logs_"+sfx
			aws := func(args ...string) string {
				t.Helper()
				out, errOut, code := f.run(t, nil, c.bin, append([]string{"--endpoint-url", f.URL, "--output", "json"}, args...)...)
				if code != 0 {
					t.Fatalf("aws %s: exit %d: %s", strings.Join(args, " "), code, errOut)
				}
				return out
			}
			dir := t.TempDir()
			want := logsData(t, dir, false)
			aws("s3", "mb", "s3://"+logs)
			aws("s3", "mb", "s3://"+results)
			aws("s3", "cp", "--recursive", "--quiet", filepath.Join(dir, "raw"), "s3://"+logs+"/raw/")

			type execution struct {
				QueryExecution struct {
					QueryExecutionId    string
					ResultConfiguration struct{ OutputLocation string }
					Status              struct {
						State, StateChangeReason string
						AthenaError              struct{ ErrorCategory, ErrorType int }
					}
					Statistics struct{ DataScannedInBytes int64 }
				}
			}
			query := func(sql string) execution {
				t.Helper()
				var started struct{ QueryExecutionId string }
				json.Unmarshal([]byte(aws("athena", "start-query-execution", "--query-string", sql,
					"--result-configuration", "OutputLocation=s3://"+results+"/athena/")), &started)
				deadline := time.Now().Add(5 * time.Minute) // the first query may build the engine
				for {
					var e execution
					json.Unmarshal([]byte(aws("athena", "get-query-execution", "--query-execution-id", started.QueryExecutionId)), &e)
					switch e.QueryExecution.Status.State {
					case "SUCCEEDED", "FAILED", "CANCELLED":
						return e
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s: still %s", sql, e.QueryExecution.Status.State)
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
			ok := func(sql string) execution {
				t.Helper()
				e := query(sql)
				if e.QueryExecution.Status.State != "SUCCEEDED" {
					t.Fatalf("%s: %s: %s", sql, e.QueryExecution.Status.State, e.QueryExecution.Status.StateChangeReason)
				}
				return e
			}
			resultRows := func(id string) [][]string {
				t.Helper()
				var out struct {
					ResultSet struct {
						Rows []struct {
							Data []struct{ VarCharValue *string }
						}
					}
				}
				// the CLI pages through get-query-results itself
				json.Unmarshal([]byte(aws("athena", "get-query-results", "--query-execution-id", id, "--page-size", "2")), &out)
				var rows [][]string
				for _, r := range out.ResultSet.Rows {
					var row []string
					for _, d := range r.Data {
						if d.VarCharValue == nil {
							row = append(row, "<null>")
						} else {
							row = append(row, *d.VarCharValue)
						}
					}
					rows = append(rows, row)
				}
				return rows
			}

			ok("CREATE DATABASE " + db)
			ok("CREATE EXTERNAL TABLE " + db + `.raw (ts string, path string, latency double)
PARTITIONED BY (year string, month string, day string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
LOCATION 's3://` + logs + `/raw/'
TBLPROPERTIES ('skip.header.line.count'='1')`)
			ok("MSCK REPAIR TABLE " + db + ".raw")

			q := "SELECT day, count(*), avg(latency) FROM " + db + ".%s WHERE month = '11' GROUP BY day ORDER BY day"
			e := ok(fmt.Sprintf(q, "raw"))
			rows := resultRows(e.QueryExecution.QueryExecutionId)
			if len(rows) == 0 || strings.Join(rows[0], ",") != "day,_col1,_col2" {
				t.Fatalf("header row = %v, want day,_col1,_col2", rows)
			}
			sameRows(t, "csv table", rows[1:], want)

			// The result object is where OutputLocation says, as Athena writes it.
			loc := e.QueryExecution.ResultConfiguration.OutputLocation
			if loc != "s3://"+results+"/athena/"+e.QueryExecution.QueryExecutionId+".csv" {
				t.Errorf("OutputLocation = %s", loc)
			}
			out, errOut, code := f.run(t, nil, c.bin, "--endpoint-url", f.URL, "s3", "cp", loc, "-")
			if code != 0 {
				t.Fatalf("s3 cp %s: %s", loc, errOut)
			}
			var csvWant strings.Builder
			csvWant.WriteString(`"day","_col1","_col2"` + "\n")
			for _, r := range rows[1:] {
				fmt.Fprintf(&csvWant, "%q,%q,%q\n", r[0], r[1], r[2])
			}
			if out != csvWant.String() {
				t.Errorf("result CSV:\n%s\nwant\n%s", out, csvWant.String())
			}

			// CTAS to Parquet, then the same query over the Parquet table.
			ok("CREATE TABLE " + db + ".daily WITH (format = 'PARQUET', external_location = 's3://" + results + "/daily/') AS SELECT ts, path, latency, year, month, day FROM " + db + ".raw")
			sameRows(t, "parquet table", resultRows(ok(fmt.Sprintf(q, "daily")).QueryExecution.QueryExecutionId)[1:], want)

			// Athena's error words.
			bad := query("SELECT nocol FROM " + db + ".raw")
			st := bad.QueryExecution.Status
			if st.State != "FAILED" || !strings.HasPrefix(st.StateChangeReason, "COLUMN_NOT_FOUND: line 1:8: Column 'nocol' cannot be resolved") || st.AthenaError.ErrorCategory != 2 {
				t.Errorf("bad column: %+v", st)
			}
		})
	}
}

// boto3 (both generations): a JSON-lines table, paging with the paginator,
// work groups, named queries, prepared statements with execution parameters,
// StopQueryExecution, and the catalogue API BI tools read.
const boto3AthenaScript = `
import boto3, botocore, os, sys, time, json
url = os.environ["FOGBANK_URL"]
sfx = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
a = boto3.client("athena", endpoint_url=url, region_name="us-east-1")
want = json.loads(sys.argv[2])
logs, res, db = "jlogs-" + sfx, "jres-" + sfx, "jlogs_" + sfx.replace("-", "_")
s3.create_bucket(Bucket=logs)
s3.create_bucket(Bucket=res)
root = sys.argv[3]
for dirpath, _, files in os.walk(root):
    for fn in files:
        p = os.path.join(dirpath, fn)
        s3.upload_file(p, logs, os.path.relpath(p, root))
a.create_work_group(Name="wg-" + sfx, Configuration={"ResultConfiguration": {"OutputLocation": "s3://%s/wg/" % res}})
def run(sql, **kw):
    qid = a.start_query_execution(QueryString=sql, WorkGroup="wg-" + sfx, **kw)["QueryExecutionId"]
    for _ in range(3000):
        e = a.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if e["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return e
        time.sleep(0.1)
    raise Exception("query did not end: " + sql)
def ok(sql, **kw):
    e = run(sql, **kw)
    assert e["Status"]["State"] == "SUCCEEDED", (sql, e["Status"])
    return e
def rows(qid):
    out = []
    for page in a.get_paginator("get_query_results").paginate(QueryExecutionId=qid, PaginationConfig={"PageSize": 2}):
        for r in page["ResultSet"]["Rows"]:
            out.append([d.get("VarCharValue") for d in r["Data"]])
    return out
def same(got, what):
    assert len(got) == len(want), (what, got, want)
    for g, w in zip(got, want):
        assert g[0] == w[0] and g[1] == w[1] and abs(float(g[2]) - float(w[2])) < 1e-9, (what, g, w)
ok("CREATE DATABASE " + db)
ok("""CREATE EXTERNAL TABLE %s.events (ts string, path string, latency double)
PARTITIONED BY (year string, month string, day string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION 's3://%s/raw/'""" % (db, logs))
ok("MSCK REPAIR TABLE " + db + ".events")
q = "SELECT day, count(*), avg(latency) FROM events WHERE month = '11' GROUP BY day ORDER BY day"
e = ok(q, QueryExecutionContext={"Database": db})
got = rows(e["QueryExecutionId"])
assert got[0] == ["day", "_col1", "_col2"], got[0]
same(got[1:], "json table")
assert e["Statistics"]["DataScannedInBytes"] > 0, e["Statistics"]
assert e["ResultConfiguration"]["OutputLocation"] == "s3://%s/wg/%s.csv" % (res, e["QueryExecutionId"]), e["ResultConfiguration"]
# Types and functions people write daily.
e = ok("""SELECT date_parse('2026-11-01 10:11:12', '%Y-%m-%d %H:%i:%s') AS t, from_iso8601_timestamp(min(ts)) AS first,
  approx_distinct(path) AS paths, cardinality(array_agg(path)) AS n, element_at(array_agg(latency), 1) IS NOT NULL AS has,
  regexp_like('abc', 'b') AS rl, json_extract_scalar('{"a": {"b": "x"}}', '$.a.b') AS j, CAST(NULL AS varchar) AS nothing
FROM """ + db + ".events WHERE day = '01' AND month = '11'")
r = a.get_query_results(QueryExecutionId=e["QueryExecutionId"])
types = [c["Type"] for c in r["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
assert types == ["timestamp", "timestamp with time zone", "bigint", "bigint", "boolean", "boolean", "varchar", "varchar"], types
vals = [d.get("VarCharValue") for d in r["ResultSet"]["Rows"][1]["Data"]]
assert vals[0] == "2026-11-01 10:11:12.000" and vals[1] == "2026-11-01 10:00:00.000 UTC" and vals[2] == "5" and vals[3] == "5", vals
assert vals[4] == "true" and vals[5] == "true" and vals[6] == "x" and vals[7] is None, vals
# CROSS JOIN UNNEST
e = ok("SELECT x FROM (SELECT ARRAY[1, 2, 3] AS xs) CROSS JOIN UNNEST(xs) AS t(x) ORDER BY x")
assert rows(e["QueryExecutionId"]) == [["x"], ["1"], ["2"], ["3"]]
# Catalogue API.
tm = a.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=db, TableName="events")["TableMetadata"]
assert [c["Name"] for c in tm["Columns"]] == ["ts", "path", "latency"], tm
assert [c["Name"] for c in tm["PartitionKeys"]] == ["year", "month", "day"], tm
assert db in [d["Name"] for d in a.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]]
assert "events" in [t["Name"] for t in a.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=db)["TableMetadataList"]]
# Named queries.
nq = a.create_named_query(Name="daily", Database=db, QueryString=q, WorkGroup="wg-" + sfx)["NamedQueryId"]
assert a.get_named_query(NamedQueryId=nq)["NamedQuery"]["QueryString"] == q
assert nq in a.list_named_queries(WorkGroup="wg-" + sfx)["NamedQueryIds"]
# Prepared statements and execution parameters.
a.create_prepared_statement(StatementName="byday", WorkGroup="wg-" + sfx,
    QueryStatement="SELECT count(*) FROM %s.events WHERE month = ? AND day = ?" % db)
params = "ExecutionParameters" in a.meta.service_model.operation_model("StartQueryExecution").input_shape.members
if params:
    e = ok("EXECUTE byday", ExecutionParameters=["'11'", "'02'"])
    assert rows(e["QueryExecutionId"])[1] == [want[1][1]], rows(e["QueryExecutionId"])
e = ok("EXECUTE byday USING '11', '03'")
assert rows(e["QueryExecutionId"])[1] == [want[2][1]]
# Errors: Athena's words and InvalidRequestException for bad input.
e = run("SELECT * FROM " + db + ".nope")
assert e["Status"]["State"] == "FAILED" and e["Status"]["StateChangeReason"].startswith("TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.%s.nope' does not exist" % db), e["Status"]
assert e["Status"]["AthenaError"]["ErrorCategory"] == 2
e = run("SELEC 1")
assert e["Status"]["StateChangeReason"].startswith("SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'"), e["Status"]
try:
    a.get_query_execution(QueryExecutionId="nope")
    raise Exception("no error")
except botocore.exceptions.ClientError as err:
    assert err.response["Error"]["Code"] == "InvalidRequestException", err.response
# StopQueryExecution ends a runaway query.
qid = a.start_query_execution(QueryString="SELECT count(*) FROM range(100000000000) a, range(10) b WHERE a.range % 7 = b.range", WorkGroup="wg-" + sfx)["QueryExecutionId"]
while a.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"] == "QUEUED":
    time.sleep(0.02)
a.stop_query_execution(QueryExecutionId=qid)
for _ in range(300):
    st = a.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"]
    if st != "RUNNING":
        break
    time.sleep(0.1)
assert st == "CANCELLED", st
print("OK")
`

func TestAthenaBoto3(t *testing.T) {
	f := start(t, "")
	dir := t.TempDir()
	want := logsData(t, dir, true)
	wantJSON, _ := json.Marshal(want)
	for _, p := range pythons {
		t.Run(p.name, func(t *testing.T) {
			needBoto3(t, p.bin)
			need(t, "g++")
			out, errOut, code := f.run(t, nil, p.bin, "-c", boto3AthenaScript, strings.ReplaceAll(p.name, ".", "-"), string(wantJSON), filepath.Join(dir))
			if code != 0 || strings.TrimSpace(out) != "OK" {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
		})
	}
}

// The walk with a crawler, through both AWS CLIs: a crawl of
// s3://…/raw/ makes the table (columns, types, three partition keys, a
// partition per folder), Athena answers the GROUP BY, CTAS writes Parquet, a
// crawl of the Parquet folder makes a second table, and the same query over
// it answers the same rows.
func TestAthenaCrawlerCLI(t *testing.T) {
	f := start(t, "")
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			need(t, "g++")
			sfx := strings.ReplaceAll(c.name, "-", "")
			logs, results, db, cur := "clogs-"+sfx, "cres-"+sfx, "clogs_"+sfx, "ccur_"+sfx
			aws := func(args ...string) string {
				t.Helper()
				out, errOut, code := f.run(t, nil, c.bin, append([]string{"--endpoint-url", f.URL, "--output", "json"}, args...)...)
				if code != 0 {
					t.Fatalf("aws %s: exit %d: %s", strings.Join(args, " "), code, errOut)
				}
				return out
			}
			dir := t.TempDir()
			want := logsData(t, dir, false)
			aws("s3", "mb", "s3://"+logs)
			aws("s3", "mb", "s3://"+results)
			aws("s3", "cp", "--recursive", "--quiet", filepath.Join(dir, "raw"), "s3://"+logs+"/raw/")
			crawl := func(name, db, path string) {
				t.Helper()
				aws("glue", "create-database", "--database-input", `{"Name":"`+db+`"}`)
				aws("glue", "create-crawler", "--name", name, "--role", "arn:aws:iam::000000000000:role/crawler",
					"--database-name", db, "--targets", `{"S3Targets":[{"Path":"`+path+`"}]}`)
				aws("glue", "start-crawler", "--name", name)
				deadline := time.Now().Add(2 * time.Minute)
				for {
					var g struct {
						Crawler struct {
							State     string
							LastCrawl *struct{ Status, ErrorMessage string }
						}
					}
					json.Unmarshal([]byte(aws("glue", "get-crawler", "--name", name)), &g)
					if g.Crawler.State == "READY" && g.Crawler.LastCrawl != nil {
						if g.Crawler.LastCrawl.Status != "SUCCEEDED" {
							t.Fatalf("crawl %s: %+v", name, g.Crawler.LastCrawl)
						}
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("crawler %s still %s", name, g.Crawler.State)
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
			query := func(sql string) string {
				t.Helper()
				var started struct{ QueryExecutionId string }
				json.Unmarshal([]byte(aws("athena", "start-query-execution", "--query-string", sql,
					"--result-configuration", "OutputLocation=s3://"+results+"/athena/")), &started)
				deadline := time.Now().Add(5 * time.Minute)
				for {
					var e struct {
						QueryExecution struct {
							Status struct{ State, StateChangeReason string }
						}
					}
					json.Unmarshal([]byte(aws("athena", "get-query-execution", "--query-execution-id", started.QueryExecutionId)), &e)
					switch e.QueryExecution.Status.State {
					case "SUCCEEDED":
						return started.QueryExecutionId
					case "FAILED", "CANCELLED":
						t.Fatalf("%s: %+v", sql, e.QueryExecution.Status)
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s: still running", sql)
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
			rows := func(id string) [][]string {
				var out struct {
					ResultSet struct {
						Rows []struct {
							Data []struct{ VarCharValue string }
						}
					}
				}
				json.Unmarshal([]byte(aws("athena", "get-query-results", "--query-execution-id", id)), &out)
				var rows [][]string
				for _, r := range out.ResultSet.Rows[1:] {
					var row []string
					for _, d := range r.Data {
						row = append(row, d.VarCharValue)
					}
					rows = append(rows, row)
				}
				return rows
			}

			crawl("raw-"+sfx, db, "s3://"+logs+"/raw/")
			var tbl struct {
				Table struct {
					StorageDescriptor struct{ Columns []struct{ Name, Type string } }
					PartitionKeys     []struct{ Name, Type string }
				}
			}
			json.Unmarshal([]byte(aws("glue", "get-table", "--database-name", db, "--name", "raw")), &tbl)
			if got := fmt.Sprint(tbl.Table.StorageDescriptor.Columns, tbl.Table.PartitionKeys); got != "[{ts string} {path string} {latency double}] [{year string} {month string} {day string}]" {
				t.Errorf("crawled table: %s", got)
			}
			var parts struct{ Partitions []struct{ Values []string } }
			json.Unmarshal([]byte(aws("glue", "get-partitions", "--database-name", db, "--table-name", "raw")), &parts)
			if len(parts.Partitions) != 6 {
				t.Errorf("partitions: %+v, want one per folder (6)", parts.Partitions)
			}
			q := "SELECT day, count(*), avg(latency) FROM %s WHERE month = '11' GROUP BY day ORDER BY day"
			sameRows(t, "crawled csv", rows(query(fmt.Sprintf(q, db+".raw"))), want)

			query("CREATE TABLE " + db + ".daily_ctas WITH (format = 'PARQUET', external_location = 's3://" + results + "/daily/', partitioned_by = ARRAY['year', 'month', 'day']) AS SELECT ts, path, latency, year, month, day FROM " + db + ".raw")
			crawl("daily-"+sfx, cur, "s3://"+results+"/daily/")
			sameRows(t, "crawled parquet", rows(query(fmt.Sprintf(q, cur+".daily"))), want)
		})
	}
}
