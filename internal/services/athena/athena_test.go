package athena_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	atypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gtypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fogbank/fogbank/fogbanktest"
	athenasvc "github.com/fogbank/fogbank/internal/services/athena"
	"github.com/fogbank/fogbank/internal/sqlengine"
)

// ---- helpers ----

type harness struct {
	cfg aws.Config
	t   *testing.T
	ctx context.Context
	a   *athena.Client
	s3  *s3.Client
}

func start(t *testing.T) *harness {
	if why := sqlengine.CanBuild(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no SQL engine: %s", why)
		}
		t.Skipf("SKIP: no SQL engine: %s", why)
	}
	srv := fogbanktest.Start(t)
	h := &harness{cfg: srv.Config, t: t, ctx: context.Background(), a: athena.NewFromConfig(srv.Config),
		s3: s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })}
	h.mkBucket("results")
	return h
}

func (h *harness) mkBucket(name string) {
	if _, err := h.s3.CreateBucket(h.ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) put(bucket, key, body string) {
	if _, err := h.s3.PutObject(h.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) get(bucket, key string) string {
	out, err := h.s3.GetObject(h.ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		h.t.Fatalf("get s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

// run starts q and waits for it to end; the engine's first build may take
// a while on a cold cache, so the wait is long.
func (h *harness) run(q string) *atypes.QueryExecution {
	h.t.Helper()
	return h.runIn("", q)
}

// runIn runs q with db as the session's database ("": none).
func (h *harness) runIn(db, q string) *atypes.QueryExecution {
	h.t.Helper()
	in := &athena.StartQueryExecutionInput{QueryString: aws.String(q),
		ResultConfiguration: &atypes.ResultConfiguration{OutputLocation: aws.String("s3://results/athena/")}}
	if db != "" {
		in.QueryExecutionContext = &atypes.QueryExecutionContext{Database: aws.String(db)}
	}
	out, err := h.a.StartQueryExecution(h.ctx, in)
	if err != nil {
		h.t.Fatalf("%s: %v", q, err)
	}
	return h.wait(*out.QueryExecutionId)
}

func (h *harness) wait(id string) *atypes.QueryExecution {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		got, err := h.a.GetQueryExecution(h.ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			h.t.Fatal(err)
		}
		switch got.QueryExecution.Status.State {
		case atypes.QueryExecutionStateSucceeded, atypes.QueryExecutionStateFailed, atypes.QueryExecutionStateCancelled:
			return got.QueryExecution
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("query %s still %s", id, got.QueryExecution.Status.State)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (h *harness) ok(q string) *atypes.QueryExecution {
	h.t.Helper()
	e := h.run(q)
	if e.Status.State != atypes.QueryExecutionStateSucceeded {
		h.t.Fatalf("%s: %s: %s", q, e.Status.State, aws.ToString(e.Status.StateChangeReason))
	}
	return e
}

// rows reads every page of a query's results, NULL as "<null>".
func (h *harness) rows(id string, pageSize int32) [][]string {
	h.t.Helper()
	var out [][]string
	var token *string
	for {
		in := &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), NextToken: token}
		if pageSize > 0 {
			in.MaxResults = aws.Int32(pageSize)
		}
		res, err := h.a.GetQueryResults(h.ctx, in)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, r := range res.ResultSet.Rows {
			var row []string
			for _, d := range r.Data {
				if d.VarCharValue == nil {
					row = append(row, "<null>")
				} else {
					row = append(row, *d.VarCharValue)
				}
			}
			out = append(out, row)
		}
		if res.NextToken == nil {
			return out
		}
		token = res.NextToken
	}
}

// logs writes the data: CSV under s3://logs/raw/year=2026/month=11/day=DD/
// (and a month=10 folder the WHERE must leave out), and returns what the
// query must answer per day: count and average latency.
func (h *harness) logs() map[string][2]float64 {
	h.mkBucket("logs")
	want := map[string][2]float64{}
	for _, m := range []string{"10", "11"} {
		for d := 1; d <= 3; d++ {
			day := fmt.Sprintf("%02d", d)
			var b strings.Builder
			b.WriteString("ts,path,latency\n")
			n, sum := 0, 0.0
			for i := 0; i < 5+d; i++ {
				lat := float64(i*10+d) + 0.5
				fmt.Fprintf(&b, "2026-%s-%sT10:%02d:00Z,/p%d,%g\n", m, day, i, i, lat)
				n++
				sum += lat
			}
			h.put("logs", fmt.Sprintf("raw/year=2026/month=%s/day=%s/part-0.csv", m, day), b.String())
			if m == "11" {
				want[day] = [2]float64{float64(n), sum / float64(n)}
			}
		}
	}
	return want
}

const createRaw = `CREATE EXTERNAL TABLE logsdb.raw (ts string, path string, latency double)
PARTITIONED BY (year string, month string, day string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
LOCATION 's3://logs/raw/'
TBLPROPERTIES ('skip.header.line.count'='1')`

func checkDays(t *testing.T, rows [][]string, want map[string][2]float64) {
	t.Helper()
	if len(rows) != len(want)+1 {
		t.Fatalf("rows = %v, want a header and %d days", rows, len(want))
	}
	if got := strings.Join(rows[0], ","); got != "day,_col1,_col2" {
		t.Errorf("header = %v, want day,_col1,_col2 (Trino's names)", rows[0])
	}
	for i, day := range []string{"01", "02", "03"} {
		r := rows[i+1]
		n, _ := strconv.ParseFloat(r[1], 64)
		avg, _ := strconv.ParseFloat(r[2], 64)
		if r[0] != day || n != want[day][0] || math.Abs(avg-want[day][1]) > 1e-9 {
			t.Errorf("row %d = %v, want %s %v %v", i+1, r, day, want[day][0], want[day][1])
		}
	}
}

// The walk: DDL into the catalogue, MSCK REPAIR, the GROUP BY over
// the partitioned CSV table, the result CSV in S3, CTAS to Parquet and the
// same query over the Parquet table.
func TestLogsCSVToParquet(t *testing.T) {
	h := start(t)
	want := h.logs()
	h.ok("CREATE DATABASE logsdb")
	h.ok(createRaw)
	h.ok("MSCK REPAIR TABLE logsdb.raw")
	parts := h.rows(*h.ok("SHOW PARTITIONS logsdb.raw").QueryExecutionId, 0)
	if len(parts) != 6 || parts[0][0] != "year=2026/month=10/day=01" {
		t.Fatalf("SHOW PARTITIONS = %v", parts)
	}

	q := "SELECT day, count(*), avg(latency) FROM logsdb.raw WHERE month = '11' GROUP BY day ORDER BY day"
	e := h.ok(q)
	rows := h.rows(*e.QueryExecutionId, 2) // pages of two rows
	checkDays(t, rows, want)
	if got := e.StatementType; got != atypes.StatementTypeDml {
		t.Errorf("StatementType = %s", got)
	}
	// Only month=11's objects are read.
	var month11 int64
	for _, d := range []string{"01", "02", "03"} {
		month11 += int64(len(h.get("logs", "raw/year=2026/month=11/day="+d+"/part-0.csv")))
	}
	if got := aws.ToInt64(e.Statistics.DataScannedInBytes); got != month11 {
		t.Errorf("DataScannedInBytes = %d, want %d (month=11's objects)", got, month11)
	}
	// The CSV in the output location holds the same rows.
	loc := aws.ToString(e.ResultConfiguration.OutputLocation)
	if want := "s3://results/athena/" + *e.QueryExecutionId + ".csv"; loc != want {
		t.Fatalf("OutputLocation = %s, want %s", loc, want)
	}
	csv := h.get("results", "athena/"+*e.QueryExecutionId+".csv")
	var fromCSV [][]string
	for _, line := range strings.Split(strings.TrimSuffix(csv, "\n"), "\n") {
		var row []string
		for _, f := range strings.Split(line, ",") {
			row = append(row, strings.Trim(f, `"`))
		}
		fromCSV = append(fromCSV, row)
	}
	checkDays(t, fromCSV, want)
	h.get("results", "athena/"+*e.QueryExecutionId+".csv.metadata")

	res, err := h.a.GetQueryResults(h.ctx, &athena.GetQueryResultsInput{QueryExecutionId: e.QueryExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, c := range res.ResultSet.ResultSetMetadata.ColumnInfo {
		types = append(types, aws.ToString(c.Type))
	}
	if got := strings.Join(types, ","); got != "varchar,bigint,double" {
		t.Errorf("column types = %s, want varchar,bigint,double", got)
	}

	// CTAS to Parquet, then the same query over the Parquet table.
	h.mkBucket("curated")
	h.ok(`CREATE TABLE logsdb.daily WITH (format = 'PARQUET', external_location = 's3://curated/daily/') AS
SELECT ts, path, latency, month, day FROM logsdb.raw`)
	e2 := h.ok("SELECT day, count(*), avg(latency) FROM logsdb.daily WHERE month = '11' GROUP BY day ORDER BY day")
	checkDays(t, h.rows(*e2.QueryExecutionId, 0), want)
	// Athena counts the Parquet columns read (day, latency, month), not the file.
	objs, err := h.s3.ListObjectsV2(h.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("curated"), Prefix: aws.String("daily/")})
	if err != nil || len(objs.Contents) != 1 {
		t.Fatalf("CTAS objects: %v %v", objs, err)
	}
	if got, file := aws.ToInt64(e2.Statistics.DataScannedInBytes), aws.ToInt64(objs.Contents[0].Size); got <= 0 || got >= file {
		t.Errorf("DataScannedInBytes = %d, want the bytes of three of the five columns of the %d-byte file", got, file)
	}

	meta, err := h.a.GetTableMetadata(h.ctx, &athena.GetTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"),
		DatabaseName: aws.String("logsdb"), TableName: aws.String("daily")})
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range meta.TableMetadata.Columns {
		cols = append(cols, aws.ToString(c.Name)+" "+aws.ToString(c.Type))
	}
	if got := strings.Join(cols, ","); got != "ts string,path string,latency double,month string,day string" {
		t.Errorf("CTAS columns = %s", got)
	}
}

// Athena's wording of failures, with AthenaError's category and type.
func TestErrors(t *testing.T) {
	h := start(t)
	h.logs()
	h.ok("CREATE DATABASE logsdb")
	h.ok(createRaw)
	for _, c := range []struct{ q, want string }{
		{"SELEC 1", "SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'"},
		{"SELECT * FROM logsdb.nope", "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.logsdb.nope' does not exist"},
		{"SELECT nocol FROM logsdb.raw", "COLUMN_NOT_FOUND: line 1:8: Column 'nocol' cannot be resolved"},
		{"SELECT day,\n  count(*)\nFROM logsdb.raw\nGROUP BY day ORDER BY nocol", "COLUMN_NOT_FOUND: line 4:23: Column 'nocol' cannot be resolved"},
		{"SELECT 1,\n  2\nFROM", "SYNTAX_ERROR: line 3:5: mismatched input '<EOF>'"},
		{"DROP DATABASE logsdb", "FAILED: InvalidOperationException(message:Database logsdb is not empty. One or more tables exist.)"},
		{"DROP SCHEMA nope", "FAILED: SemanticException [Error 10072]: Database does not exist: nope"},
		{"SELECT * FROM read_avro('x.avro')", "FUNCTION_NOT_FOUND: line 1:15: Function 'read_avro' not registered"},
		{"SELECT st_point(1, 2)", "FUNCTION_NOT_FOUND: line 1:8: Function 'st_point' not registered"},
	} {
		e := h.run(c.q)
		if e.Status.State != atypes.QueryExecutionStateFailed {
			t.Errorf("%s: state %s", c.q, e.Status.State)
			continue
		}
		if got := aws.ToString(e.Status.StateChangeReason); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: reason %q, want %q", c.q, got, c.want)
		}
		if ae := e.Status.AthenaError; ae == nil || aws.ToInt32(ae.ErrorCategory) != 2 {
			t.Errorf("%s: AthenaError = %+v, want category 2 (USER)", c.q, ae)
		}
	}
	// No output location anywhere: InvalidRequestException.
	_, err := h.a.StartQueryExecution(h.ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1")})
	var ire *atypes.InvalidRequestException
	if !errors.As(err, &ire) {
		t.Errorf("no output location: %v, want InvalidRequestException", err)
	}
	// Results of a failed query: InvalidRequestException.
	e := h.run("SELEC 1")
	_, err = h.a.GetQueryResults(h.ctx, &athena.GetQueryResultsInput{QueryExecutionId: e.QueryExecutionId})
	if !errors.As(err, &ire) {
		t.Errorf("results of a failed query: %v, want InvalidRequestException", err)
	}
}

// GetQueryExecution holds a poll of a running query until it ends (up to a
// bound, lengthened here to a minute): one poll answers the final state, at
// the end, not at the bound.
func TestHeldPoll(t *testing.T) {
	old := *athenasvc.PollWait
	*athenasvc.PollWait = time.Minute
	t.Cleanup(func() { *athenasvc.PollWait = old }) // after the server's own cleanup
	h := start(t)
	h.ok("SELECT 1") // the engine is up
	out, err := h.a.StartQueryExecution(h.ctx, &athena.StartQueryExecutionInput{
		QueryString:         aws.String("SELECT count(*) FROM range(300000000) WHERE range % 7 = 3"),
		ResultConfiguration: &atypes.ResultConfiguration{OutputLocation: aws.String("s3://results/x/")}})
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	g, err := h.a.GetQueryExecution(h.ctx, &athena.GetQueryExecutionInput{QueryExecutionId: out.QueryExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	if st := g.QueryExecution.Status.State; st != atypes.QueryExecutionStateSucceeded {
		t.Errorf("one poll answered %s, want the query held to SUCCEEDED", st)
	}
	if d := time.Since(begin); d > 50*time.Second {
		t.Errorf("the poll took %v: it waited for the bound, not for the end", d)
	}
	// a finished query's poll is not held
	begin = time.Now()
	if _, err := h.a.GetQueryExecution(h.ctx, &athena.GetQueryExecutionInput{QueryExecutionId: out.QueryExecutionId}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > 30*time.Second {
		t.Errorf("a finished query's poll took %v", d)
	}
}

// StopQueryExecution ends a runaway query: CANCELLED.
func TestStop(t *testing.T) {
	h := start(t)
	h.ok("SELECT 1") // the engine is up
	out, err := h.a.StartQueryExecution(h.ctx, &athena.StartQueryExecutionInput{
		QueryString:         aws.String("SELECT count(*) FROM range(100000000000) a, range(10) b WHERE a.range % 7 = b.range"),
		ResultConfiguration: &atypes.ResultConfiguration{OutputLocation: aws.String("s3://results/x/")}})
	if err != nil {
		t.Fatal(err)
	}
	for {
		g, _ := h.a.GetQueryExecution(h.ctx, &athena.GetQueryExecutionInput{QueryExecutionId: out.QueryExecutionId})
		if g.QueryExecution.Status.State == atypes.QueryExecutionStateRunning {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := h.a.StopQueryExecution(h.ctx, &athena.StopQueryExecutionInput{QueryExecutionId: out.QueryExecutionId}); err != nil {
		t.Fatal(err)
	}
	if e := h.wait(*out.QueryExecutionId); e.Status.State != atypes.QueryExecutionStateCancelled {
		t.Errorf("state %s, want CANCELLED", e.Status.State)
	}
}

// A query that runs past Athena's "DML query timeout" quota (30 minutes;
// FOGBANK_ATHENA_QUERY_TIMEOUT lowers it here) FAILS as Athena words it, and
// the engine stops it: the next query runs at once.
func TestQueryTimeout(t *testing.T) {
	h := start(t)
	h.ok("SELECT 1")                               // the engine is up (its first build may take long)
	t.Setenv("FOGBANK_ATHENA_QUERY_TIMEOUT", "2s") // read at each query
	begin := time.Now()
	e := h.run("SELECT count(*) FROM range(100000000000) a, range(10) b WHERE a.range % 7 = b.range")
	took := time.Since(begin)
	if e.Status.State != atypes.QueryExecutionStateFailed || aws.ToString(e.Status.StateChangeReason) != "Query timeout" {
		t.Fatalf("%s %q, want FAILED by the timeout", e.Status.State, aws.ToString(e.Status.StateChangeReason))
	}
	if ae := e.Status.AthenaError; ae == nil || aws.ToInt32(ae.ErrorCategory) != 1 || aws.ToInt32(ae.ErrorType) != 206 || ae.Retryable || aws.ToString(ae.ErrorMessage) != "Query timeout" {
		t.Errorf("AthenaError %+v, want category 1 (system), type 206, not retryable", ae)
	}
	if took > 30*time.Second {
		t.Errorf("the 2 s timeout took %v", took)
	}
	// DDL has its own, longer quota; a short statement is unaffected
	h.ok("CREATE DATABASE IF NOT EXISTS t_after")
	begin = time.Now()
	h.ok("SELECT 42")
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("the next query took %v: the timed-out one still runs", d)
	}
}

// Work groups: primary exists; a work group's enforced output location wins.
func TestWorkGroups(t *testing.T) {
	h := start(t)
	wg, err := h.a.GetWorkGroup(h.ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String("primary")})
	if err != nil || aws.ToString(wg.WorkGroup.Name) != "primary" {
		t.Fatalf("primary: %v %v", wg, err)
	}
	_, err = h.a.CreateWorkGroup(h.ctx, &athena.CreateWorkGroupInput{Name: aws.String("etl"),
		Configuration: &atypes.WorkGroupConfiguration{EnforceWorkGroupConfiguration: aws.Bool(true),
			ResultConfiguration: &atypes.ResultConfiguration{OutputLocation: aws.String("s3://results/etl/")}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.a.StartQueryExecution(h.ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 42 AS answer"),
		WorkGroup:           aws.String("etl"),
		ResultConfiguration: &atypes.ResultConfiguration{OutputLocation: aws.String("s3://results/mine/")}})
	if err != nil {
		t.Fatal(err)
	}
	e := h.wait(*out.QueryExecutionId)
	if got, want := aws.ToString(e.ResultConfiguration.OutputLocation), "s3://results/etl/"+*out.QueryExecutionId+".csv"; got != want {
		t.Errorf("OutputLocation = %s, want %s", got, want)
	}
	if got := h.get("results", "etl/"+*out.QueryExecutionId+".csv"); got != "\"answer\"\n\"42\"\n" {
		t.Errorf("result csv = %q", got)
	}
	list, err := h.a.ListQueryExecutions(h.ctx, &athena.ListQueryExecutionsInput{WorkGroup: aws.String("etl")})
	if err != nil || len(list.QueryExecutionIds) != 1 || list.QueryExecutionIds[0] != *out.QueryExecutionId {
		t.Errorf("ListQueryExecutions = %v, %v", list, err)
	}
}

// CTAS with partitioned_by, INSERT INTO (a partitioned Parquet table and a
// delimited text table), UNLOAD and its manifest.
func TestWrites(t *testing.T) {
	h := start(t)
	want := h.logs()
	h.mkBucket("curated")
	h.ok("CREATE DATABASE logsdb")
	h.ok(createRaw)
	h.ok("MSCK REPAIR TABLE logsdb.raw")

	h.ok(`CREATE TABLE logsdb.byday WITH (format = 'PARQUET', external_location = 's3://curated/byday/', partitioned_by = ARRAY['day'])
AS SELECT path, latency, day FROM logsdb.raw WHERE month = '11'`)
	parts := h.rows(*h.ok("SHOW PARTITIONS logsdb.byday").QueryExecutionId, 0)
	if len(parts) != 3 || parts[0][0] != "day=01" {
		t.Fatalf("partitions = %v", parts)
	}
	checkDays(t, h.rows(*h.ok("SELECT day, count(*), avg(latency) FROM logsdb.byday GROUP BY day ORDER BY day").QueryExecutionId, 0), want)

	e := h.ok("INSERT INTO logsdb.byday SELECT path, latency, '04' FROM logsdb.raw WHERE month = '10' AND day = '01'")
	// As Athena answers INSERT (and CTAS): no rows, a bigint column "rows", UpdateCount.
	r, err := h.a.GetQueryResults(h.ctx, &athena.GetQueryResultsInput{QueryExecutionId: e.QueryExecutionId})
	if err != nil || len(r.ResultSet.Rows) != 0 || aws.ToInt64(r.UpdateCount) != 6 || len(r.ResultSet.ResultSetMetadata.ColumnInfo) != 1 ||
		aws.ToString(r.ResultSet.ResultSetMetadata.ColumnInfo[0].Name) != "rows" || aws.ToString(r.ResultSet.ResultSetMetadata.ColumnInfo[0].Type) != "bigint" {
		t.Errorf("INSERT answered %+v %v, want no rows and UpdateCount 6", r, err)
	}
	if m := aws.ToString(e.Statistics.DataManifestLocation); !strings.HasSuffix(m, *e.QueryExecutionId+"-manifest.csv") {
		t.Errorf("DataManifestLocation = %q", m)
	} else if files := h.get("results", "athena/"+*e.QueryExecutionId+"-manifest.csv"); !strings.HasPrefix(files, "s3://curated/byday/day=04/") {
		t.Errorf("manifest = %q", files)
	}
	got := h.rows(*h.ok("SELECT day, count(*) FROM logsdb.byday WHERE day = '04' GROUP BY day").QueryExecutionId, 0)
	if len(got) != 2 || got[1][1] != "6" {
		t.Errorf("after INSERT: %v", got)
	}

	h.ok("CREATE EXTERNAL TABLE logsdb.notes (id bigint, note string) ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' LOCATION 's3://curated/notes/'")
	h.ok("INSERT INTO logsdb.notes VALUES (1, 'hello'), (2, NULL)")
	got = h.rows(*h.ok("SELECT id, note FROM logsdb.notes ORDER BY id").QueryExecutionId, 0)
	if fmt.Sprint(got) != "[[id note] [1 hello] [2 <null>]]" {
		t.Errorf("notes = %v", got)
	}
	list, err := h.s3.ListObjectsV2(h.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("curated"), Prefix: aws.String("notes/")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("notes objects: %v %v", list, err)
	}
	if body := h.get("curated", *list.Contents[0].Key); body != "1|hello\n2|\\N\n" {
		t.Errorf("text file = %q, want Hive's 1|hello, 2|\\N", body)
	}

	q := "UNLOAD (SELECT day, count(*) AS n FROM logsdb.raw WHERE month = '11' GROUP BY day ORDER BY day) TO 's3://curated/unload/' WITH (format = 'JSON', compression = 'none')"
	h.ok(q)
	list, err = h.s3.ListObjectsV2(h.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("curated"), Prefix: aws.String("unload/")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("unload objects: %v %v", list, err)
	}
	if body := h.get("curated", *list.Contents[0].Key); body != "{\"day\":\"01\",\"n\":6}\n{\"day\":\"02\",\"n\":7}\n{\"day\":\"03\",\"n\":8}\n" {
		t.Errorf("unloaded = %q", body)
	}
	// The location is not empty any more: Athena refuses to write there.
	if e := h.run(q); e.Status.State != atypes.QueryExecutionStateFailed || !strings.HasPrefix(aws.ToString(e.Status.StateChangeReason), "HIVE_PATH_ALREADY_EXISTS") {
		t.Errorf("second UNLOAD: %s %s", e.Status.State, aws.ToString(e.Status.StateChangeReason))
	}
}

// The walk with the crawler: a crawl of s3://logs/raw/ makes the
// table and its partitions, Athena answers the GROUP BY, CTAS writes Parquet,
// a crawl of the Parquet folder makes a second table, and the same query over
// it answers the same rows.
func TestCrawlerToAthena(t *testing.T) {
	h := start(t)
	g := glue.NewFromConfig(h.cfg)
	want := h.logs()
	h.mkBucket("curated")
	crawl := func(name, db, path string) {
		t.Helper()
		if _, err := g.CreateDatabase(h.ctx, &glue.CreateDatabaseInput{DatabaseInput: &gtypes.DatabaseInput{Name: aws.String(db)}}); err != nil {
			var ae *gtypes.AlreadyExistsException
			if !errors.As(err, &ae) {
				t.Fatal(err)
			}
		}
		if _, err := g.CreateCrawler(h.ctx, &glue.CreateCrawlerInput{Name: aws.String(name), Role: aws.String("arn:aws:iam::000000000000:role/crawler"),
			DatabaseName: aws.String(db), Targets: &gtypes.CrawlerTargets{S3Targets: []gtypes.S3Target{{Path: aws.String(path)}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := g.StartCrawler(h.ctx, &glue.StartCrawlerInput{Name: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for {
			c, err := g.GetCrawler(h.ctx, &glue.GetCrawlerInput{Name: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			if c.Crawler.State == gtypes.CrawlerStateReady && c.Crawler.LastCrawl != nil {
				if c.Crawler.LastCrawl.Status != gtypes.LastCrawlStatusSucceeded {
					t.Fatalf("crawl %s: %s %s", name, c.Crawler.LastCrawl.Status, aws.ToString(c.Crawler.LastCrawl.ErrorMessage))
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("crawler %s still %s", name, c.Crawler.State)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	crawl("raw", "logsdb", "s3://logs/raw/")
	tbl, err := g.GetTable(h.ctx, &glue.GetTableInput{DatabaseName: aws.String("logsdb"), Name: aws.String("raw")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range tbl.Table.PartitionKeys {
		keys = append(keys, aws.ToString(k.Name))
	}
	if strings.Join(keys, ",") != "year,month,day" {
		t.Fatalf("partition keys = %v", keys)
	}
	q := "SELECT day, count(*), avg(latency) FROM %s WHERE month = '11' GROUP BY day ORDER BY day"
	checkDays(t, h.rows(*h.ok(fmt.Sprintf(q, "logsdb.raw")).QueryExecutionId, 0), want)

	h.ok(`CREATE TABLE logsdb.daily_ctas WITH (format = 'PARQUET', external_location = 's3://curated/daily/', partitioned_by = ARRAY['year', 'month', 'day'])
AS SELECT ts, path, latency, year, month, day FROM logsdb.raw`)
	crawl("daily", "curated", "s3://curated/daily/")
	tbl, err = g.GetTable(h.ctx, &glue.GetTableInput{DatabaseName: aws.String("curated"), Name: aws.String("daily")})
	if err != nil {
		t.Fatal(err)
	}
	if c := tbl.Table.Parameters["classification"]; c != "parquet" {
		t.Errorf("crawled Parquet table's classification = %q", c)
	}
	checkDays(t, h.rows(*h.ok(fmt.Sprintf(q, "curated.daily")).QueryExecutionId, 0), want)
}

// Files that do not match their table: Athena's HIVE_ errors, naming the
// object in S3 (never a local path); ragged CSV rows read as Hive reads them.
func TestBadData(t *testing.T) {
	h := start(t)
	h.mkBucket("bad")
	h.ok("CREATE DATABASE baddb")
	h.put("bad", "json/a.json", "{\"id\": 1, \"v\": 2.5}\n{\"id\": 2, \"v\": \"abc\"}\n")
	h.ok("CREATE EXTERNAL TABLE baddb.j (id bigint, v double) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bad/json/'")
	e := h.run("SELECT sum(v) FROM baddb.j")
	reason := aws.ToString(e.Status.StateChangeReason)
	if e.Status.State != atypes.QueryExecutionStateFailed || !strings.HasPrefix(reason, "HIVE_BAD_DATA: ") || aws.ToInt32(e.Status.AthenaError.ErrorType) != 1001 {
		t.Errorf("JSON of the wrong type: %s %q %+v", e.Status.State, reason, e.Status.AthenaError)
	}
	if strings.Contains(reason, os.TempDir()) {
		t.Errorf("the error names a local file: %q", reason)
	}

	h.put("bad", "pq/a.parquet", "this is not parquet at all")
	h.ok("CREATE EXTERNAL TABLE baddb.p (id bigint) STORED AS PARQUET LOCATION 's3://bad/pq/'")
	e = h.run("SELECT * FROM baddb.p")
	reason = aws.ToString(e.Status.StateChangeReason)
	if e.Status.State != atypes.QueryExecutionStateFailed || !strings.HasPrefix(reason, "HIVE_CANNOT_OPEN_SPLIT: ") || !strings.Contains(reason, "s3://bad/pq/a.parquet") {
		t.Errorf("corrupt Parquet: %s %q", e.Status.State, reason)
	}

	// A truncated Parquet file (its magic number at the start only).
	h.put("bad", "trunc/a.parquet", "PAR1"+strings.Repeat("x", 100))
	h.ok("CREATE EXTERNAL TABLE baddb.tr (id bigint) STORED AS PARQUET LOCATION 's3://bad/trunc/'")
	e = h.run("SELECT * FROM baddb.tr")
	if reason = aws.ToString(e.Status.StateChangeReason); e.Status.State != atypes.QueryExecutionStateFailed || !strings.HasPrefix(reason, "HIVE_CANNOT_OPEN_SPLIT: ") || !strings.Contains(reason, "s3://bad/trunc/a.parquet") {
		t.Errorf("truncated Parquet: %s %q", e.Status.State, reason)
	}

	// A JSON line that is no JSON.
	h.put("bad", "badjson/a.json", "{\"id\": 1}\nnot json at all\n")
	h.ok("CREATE EXTERNAL TABLE baddb.bj (id bigint) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bad/badjson/'")
	e = h.run("SELECT count(*) FROM baddb.bj")
	if reason = aws.ToString(e.Status.StateChangeReason); e.Status.State != atypes.QueryExecutionStateFailed || !strings.HasPrefix(reason, "HIVE_BAD_DATA: ") || !strings.Contains(reason, "s3://bad/badjson/a.json") {
		t.Errorf("malformed JSON: %s %q", e.Status.State, reason)
	}

	// Parquet files whose columns do not match the table: by name, as Hive
	// reads them; a missing column is NULL, an int is widened to bigint, a
	// string where the table says bigint fails naming the file.
	h.ok("CREATE TABLE baddb.src WITH (format = 'PARQUET', external_location = 's3://bad/typed/') AS SELECT 'abc' AS id, CAST(7 AS integer) AS n")
	h.ok("CREATE EXTERNAL TABLE baddb.wide (n bigint, id string, w int) STORED AS PARQUET LOCATION 's3://bad/typed/'")
	if got := h.rows(*h.ok("SELECT id, n, w FROM baddb.wide").QueryExecutionId, 0); fmt.Sprint(got) != "[[id n w] [abc 7 <null>]]" {
		t.Errorf("by name: %v", got)
	}
	h.ok("CREATE EXTERNAL TABLE baddb.wrong (id bigint, n int) STORED AS PARQUET LOCATION 's3://bad/typed/'")
	if got := h.rows(*h.ok("SELECT n FROM baddb.wrong").QueryExecutionId, 0); fmt.Sprint(got) != "[[n] [7]]" {
		t.Errorf("the column that fits: %v", got)
	}
	e = h.run("SELECT id FROM baddb.wrong")
	reason = aws.ToString(e.Status.StateChangeReason)
	if e.Status.State != atypes.QueryExecutionStateFailed || !strings.HasPrefix(reason, "HIVE_BAD_DATA: Field id's type BINARY in parquet file s3://bad/typed/") ||
		!strings.HasSuffix(reason, "is incompatible with type bigint defined in table schema") || aws.ToInt32(e.Status.AthenaError.ErrorType) != 1001 {
		t.Errorf("string read as bigint: %s %q", e.Status.State, reason)
	}

	// Short rows give NULLs, extra fields are dropped, text in a number column is NULL.
	h.put("bad", "csv/a.csv", "1,x,2.5\n2,y\n3,z,4.5,extra\nfour,w,abc\n")
	h.ok("CREATE EXTERNAL TABLE baddb.c (id int, s string, v double) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://bad/csv/'")
	got := h.rows(*h.ok("SELECT id, s, v FROM baddb.c ORDER BY s").QueryExecutionId, 0)
	if fmt.Sprint(got) != "[[id s v] [<null> w <null>] [1 x 2.5] [2 y <null>] [3 z 4.5]]" {
		t.Errorf("ragged CSV = %v", got)
	}
}

// Views land in the catalogue as Athena keeps them (VIRTUAL_VIEW, a Presto
// view text) and are expanded when queried, their tables named relative to
// the view's own database.
func TestViews(t *testing.T) {
	h := start(t)
	want := h.logs()
	h.ok("CREATE DATABASE logsdb")
	h.ok(createRaw)
	h.ok("MSCK REPAIR TABLE logsdb.raw")
	// Unqualified names in a view are the creating session's database's.
	if e := h.run("CREATE VIEW logsdb.nov AS SELECT day, latency FROM raw WHERE month = '11'"); !strings.HasPrefix(aws.ToString(e.Status.StateChangeReason), "TABLE_NOT_FOUND: line 1:35: Table 'awsdatacatalog.default.raw' does not exist") {
		t.Errorf("view over default.raw: %s %s", e.Status.State, aws.ToString(e.Status.StateChangeReason))
	}
	if e := h.runIn("logsdb", "CREATE VIEW nov AS SELECT day, latency FROM raw WHERE month = '11'"); e.Status.State != atypes.QueryExecutionStateSucceeded {
		t.Fatalf("CREATE VIEW: %s", aws.ToString(e.Status.StateChangeReason))
	}
	checkDays(t, h.rows(*h.ok("SELECT day, count(*), avg(latency) FROM logsdb.nov GROUP BY day ORDER BY day").QueryExecutionId, 0), want)
	// a view over a view
	h.ok("CREATE OR REPLACE VIEW logsdb.daily AS SELECT day, count(*) AS n FROM logsdb.nov GROUP BY day")
	got := h.rows(*h.ok("SELECT n FROM logsdb.daily WHERE day = '02'").QueryExecutionId, 0)
	if len(got) != 2 || got[1][0] != "7" {
		t.Errorf("view over a view: %v", got)
	}
	views := h.rows(*h.ok("SHOW VIEWS IN logsdb").QueryExecutionId, 0)
	if fmt.Sprint(views) != "[[daily] [nov]]" {
		t.Errorf("SHOW VIEWS = %v", views)
	}
	meta, err := h.a.GetTableMetadata(h.ctx, &athena.GetTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"),
		DatabaseName: aws.String("logsdb"), TableName: aws.String("nov")})
	if err != nil || aws.ToString(meta.TableMetadata.TableType) != "VIRTUAL_VIEW" {
		t.Errorf("view metadata: %+v %v", meta, err)
	}
	h.ok("DROP VIEW logsdb.daily")
	if e := h.run("SELECT * FROM logsdb.daily"); e.Status.State != atypes.QueryExecutionStateFailed {
		t.Errorf("dropped view still answers: %s", e.Status.State)
	}
}

// Queries beyond the engine's slots wait QUEUED, and a queued query can be
// stopped before it ever runs.
func TestQueue(t *testing.T) {
	h := start(t)
	h.ok("SELECT 1")
	long := "SELECT count(*) FROM range(100000000000) a, range(10) b WHERE a.range % 7 = b.range"
	var ids []*string
	for i := 0; i < 5; i++ {
		out, err := h.a.StartQueryExecution(h.ctx, &athena.StartQueryExecutionInput{QueryString: aws.String(long),
			ResultConfiguration: &atypes.ResultConfiguration{OutputLocation: aws.String("s3://results/q/")}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.QueryExecutionId)
	}
	states := func() map[atypes.QueryExecutionState]int {
		got := map[atypes.QueryExecutionState]int{}
		b, err := h.a.BatchGetQueryExecution(h.ctx, &athena.BatchGetQueryExecutionInput{QueryExecutionIds: aws.ToStringSlice(ids)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range b.QueryExecutions {
			got[e.Status.State]++
		}
		return got
	}
	deadline := time.Now().Add(time.Minute)
	for st := states(); st[atypes.QueryExecutionStateRunning] != 4 || st[atypes.QueryExecutionStateQueued] != 1; st = states() {
		if time.Now().After(deadline) {
			t.Fatalf("states %v, want 4 RUNNING and 1 QUEUED", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, id := range ids {
		if _, err := h.a.StopQueryExecution(h.ctx, &athena.StopQueryExecutionInput{QueryExecutionId: id}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		if e := h.wait(*id); e.Status.State != atypes.QueryExecutionStateCancelled {
			t.Errorf("%s: %s, want CANCELLED", *id, e.Status.State)
		}
	}
}

// A work group's BytesScannedCutoffPerQuery cancels a query that would read
// more: whole CSV objects are counted before the engine starts, the Parquet
// columns a query names by the engine from the footers, before it reads them.
func TestBytesScannedCutoff(t *testing.T) {
	h := start(t)
	h.mkBucket("big")
	h.ok("CREATE DATABASE bigdb")
	const cutoff = 10_000_000 // Athena's smallest
	if _, err := h.a.CreateWorkGroup(h.ctx, &athena.CreateWorkGroupInput{Name: aws.String("capped"),
		Configuration: &atypes.WorkGroupConfiguration{BytesScannedCutoffPerQuery: aws.Int64(cutoff),
			ResultConfiguration: &atypes.ResultConfiguration{OutputLocation: aws.String("s3://results/capped/")}}}); err != nil {
		t.Fatal(err)
	}
	capped := func(q string) *atypes.QueryExecution {
		t.Helper()
		out, err := h.a.StartQueryExecution(h.ctx, &athena.StartQueryExecutionInput{QueryString: aws.String(q), WorkGroup: aws.String("capped")})
		if err != nil {
			t.Fatal(err)
		}
		return h.wait(*out.QueryExecutionId)
	}
	line := strings.Repeat("x", 99) + "\n"
	h.put("big", "csv/a.csv", strings.Repeat(line, cutoff/len(line)+1000))
	h.ok("CREATE EXTERNAL TABLE bigdb.c (s string) LOCATION 's3://big/csv/'")
	h.ok("CREATE TABLE bigdb.p WITH (format = 'PARQUET', external_location = 's3://big/pq/') AS SELECT range AS id, md5(CAST(range AS varchar)) || md5(CAST(range + 1 AS varchar)) AS h FROM range(400000)")
	for _, c := range []struct {
		q      string
		cancel bool
	}{
		{"SELECT count(*) FROM bigdb.c", true},
		{"SELECT count(h) FROM bigdb.p", true},
		{"SELECT count(id) FROM bigdb.p", false}, // only the narrow column is read
		{"SELECT 1", false},
	} {
		e := capped(c.q)
		if !c.cancel {
			if e.Status.State != atypes.QueryExecutionStateSucceeded {
				t.Errorf("%s: %s %s", c.q, e.Status.State, aws.ToString(e.Status.StateChangeReason))
			}
			continue
		}
		// As Athena (engine 3) reports it: CANCELLED, not FAILED, no
		// AthenaError, and the bytes scanned are the cutoff, where it stopped.
		if e.Status.State != atypes.QueryExecutionStateCancelled || aws.ToString(e.Status.StateChangeReason) != "Bytes scanned limit was exceeded" || e.Status.AthenaError != nil {
			t.Errorf("%s: %s %q %+v, want CANCELLED by the cutoff", c.q, e.Status.State, aws.ToString(e.Status.StateChangeReason), e.Status.AthenaError)
		}
		if n := aws.ToInt64(e.Statistics.DataScannedInBytes); n != cutoff {
			t.Errorf("%s: DataScannedInBytes %d, want the cutoff %d", c.q, n, cutoff)
		}
		// the same query in a work group without the cutoff answers
		if e := h.run(c.q); e.Status.State != atypes.QueryExecutionStateSucceeded {
			t.Errorf("%s uncapped: %s %s", c.q, e.Status.State, aws.ToString(e.Status.StateChangeReason))
		}
	}
}

// A result larger than one PUT lands as one object through a multipart
// upload (the line lowered from S3's 5 GiB to megabytes here).
func TestResultInParts(t *testing.T) {
	old1, old2 := *athenasvc.MaxSinglePut, *athenasvc.ResultPart
	*athenasvc.MaxSinglePut, *athenasvc.ResultPart = 6<<20, 5<<20
	defer func() { *athenasvc.MaxSinglePut, *athenasvc.ResultPart = old1, old2 }()
	h := start(t)
	e := h.ok("SELECT range AS id, repeat('x', 90) AS pad FROM range(200000)")
	loc := aws.ToString(e.ResultConfiguration.OutputLocation)
	key := strings.TrimPrefix(loc, "s3://results/")
	g, err := h.s3.GetObject(h.ctx, &s3.GetObjectInput{Bucket: aws.String("results"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Body.Close()
	if etag := aws.ToString(g.ETag); !strings.HasSuffix(etag, `-4"`) {
		t.Errorf("ETag %s, want a 4-part upload's", etag)
	}
	body, err := io.ReadAll(g.Body)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) != 200001 || lines[0] != `"id","pad"` || lines[200000] != `"199999","`+strings.Repeat("x", 90)+`"` {
		t.Errorf("%d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
	// a page that starts in the last part
	var tok *string
	for i := 0; i < 3; i++ {
		r, err := h.a.GetQueryResults(h.ctx, &athena.GetQueryResultsInput{QueryExecutionId: e.QueryExecutionId, NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		tok = r.NextToken
	}
	if tok == nil {
		t.Fatal("no third page")
	}
}

// Iceberg tables, ORC and Avro: what the engine cannot read or write is
// refused in Athena's words, and nothing is left in the catalogue; DROP
// DATABASE CASCADE drops the tables with the database.
func TestUnsupportedTables(t *testing.T) {
	h := start(t)
	g := glue.NewFromConfig(h.cfg)
	h.mkBucket("lake")
	h.ok("CREATE DATABASE lakedb")
	for _, q := range []string{
		"CREATE TABLE lakedb.ice WITH (table_type = 'ICEBERG', is_external = false, location = 's3://lake/ice/', format = 'PARQUET') AS SELECT 1 AS id",
		"CREATE TABLE lakedb.ice (id bigint) LOCATION 's3://lake/ice/' TBLPROPERTIES ('table_type' = 'ICEBERG')",
	} {
		e := h.run(q)
		if e.Status.State != atypes.QueryExecutionStateFailed || !strings.HasPrefix(aws.ToString(e.Status.StateChangeReason), "NOT_SUPPORTED: Iceberg tables are not supported") {
			t.Errorf("%s: %s %s", q, e.Status.State, aws.ToString(e.Status.StateChangeReason))
		}
	}
	if _, err := g.GetTable(h.ctx, &glue.GetTableInput{DatabaseName: aws.String("lakedb"), Name: aws.String("ice")}); err == nil {
		t.Error("a refused Iceberg table is in the catalogue")
	}
	// An Iceberg table another tool registered in Glue.
	if _, err := g.CreateTable(h.ctx, &glue.CreateTableInput{DatabaseName: aws.String("lakedb"), TableInput: &gtypes.TableInput{Name: aws.String("spark_ice"),
		TableType: aws.String("EXTERNAL_TABLE"), Parameters: map[string]string{"table_type": "ICEBERG", "metadata_location": "s3://lake/spark/metadata/00001.metadata.json"},
		StorageDescriptor: &gtypes.StorageDescriptor{Location: aws.String("s3://lake/spark/"), Columns: []gtypes.Column{{Name: aws.String("id"), Type: aws.String("bigint")}}}}}); err != nil {
		t.Fatal(err)
	}
	h.ok("CREATE EXTERNAL TABLE lakedb.o (id bigint) STORED AS ORC LOCATION 's3://lake/orc/'")
	for _, c := range []struct{ q, want string }{
		{"SELECT * FROM lakedb.spark_ice", "NOT_SUPPORTED: Iceberg tables are not supported by fogbank's engine (lakedb.spark_ice"},
		{"INSERT INTO lakedb.spark_ice VALUES (1)", "NOT_SUPPORTED: Iceberg tables are not supported by fogbank's engine (lakedb.spark_ice"},
		{"SELECT * FROM lakedb.o", "NOT_SUPPORTED: fogbank's engine cannot read ORC tables (lakedb.o)"},
	} {
		e := h.run(c.q)
		if e.Status.State != atypes.QueryExecutionStateFailed || !strings.HasPrefix(aws.ToString(e.Status.StateChangeReason), c.want) ||
			aws.ToInt32(e.Status.AthenaError.ErrorCategory) != 2 {
			t.Errorf("%s: %s %s", c.q, e.Status.State, aws.ToString(e.Status.StateChangeReason))
		}
	}
	h.ok("DROP DATABASE lakedb CASCADE")
	if _, err := g.GetTable(h.ctx, &glue.GetTableInput{DatabaseName: aws.String("lakedb"), Name: aws.String("o")}); err == nil {
		t.Error("DROP DATABASE CASCADE left a table")
	}
	h.ok("DROP DATABASE IF EXISTS lakedb")
}

// Trino's functions people write daily, as Athena answers them (values
// checked against Trino's documentation).
func TestTrinoFunctions(t *testing.T) {
	h := start(t)
	for _, c := range []struct{ expr, want string }{
		{"url_extract_host('https://u@a.b.com:8080/p/q?x=1&y=2#f')", "a.b.com"},
		{"url_extract_path('https://a.b.com:8080/p/q?x=1#f')", "/p/q"},
		{"url_extract_port('https://a.b.com:8080/p')", "8080"},
		{"url_extract_protocol('https://a.b.com/p')", "https"},
		{"url_extract_query('https://a.b.com/p?x=1&y=2#z')", "x=1&y=2"},
		{"url_extract_query('https://a.b.com/p')", "<null>"},
		{"url_extract_parameter('https://a.b.com/p?x=1&y=a%20b', 'y')", "a b"},
		{"parse_datetime('2026-11-05 10:00', 'yyyy-MM-dd HH:mm')", "2026-11-05 10:00:00.000"},
		{"format_datetime(TIMESTAMP '2026-11-05 10:00:00', 'yyyy-MM-dd''T''HH:mm EEE')", "2026-11-05T10:00 Thu"},
		{"date_format(TIMESTAMP '2026-11-05 10:11:12', '%Y-%m-%d %H:%i:%s')", "2026-11-05 10:11:12"},
		{"last_day_of_month(DATE '2026-11-05')", "2026-11-30"},
		{"levenshtein_distance('abc', 'abd')", "1"},
		{"format('%s-%d', 'a', 3)", "a-3"},
		{"slice(ARRAY[1, 2, 3, 4], 2, 2)", "[2, 3]"},
		{"array_distinct(ARRAY[3, 1, 3, 2, 1])", "[3, 1, 2]"},
		{"array_max(ARRAY[1, 9, 3])", "9"},
		{"millisecond(TIMESTAMP '2026-11-05 10:11:12.345')", "345"},
		{"regexp_replace('abc', '(b)', '[$1]')", "a[b]c"},
		{"7 / 2", "3"},
		{"7.0 / 2", "3.5"},
		{"is_nan(nan())", "true"},
		{"try(date_parse('nope', '%Y'))", "<null>"},
		{"to_utf8('ab')", "61 62"},
		{"ARRAY[DATE '2026-01-01', NULL]", "[2026-01-01, null]"},
		{"INTERVAL '2' DAY", "2 00:00:00.000"},
		{"CAST(TIMESTAMP '2017-01-01 00:00:00' AS timestamp with time zone)", "2017-01-01 00:00:00.000 UTC"},
		{"element_at(ARRAY[1, 2], 5)", "<null>"},
		{"CAST(ROW(1, 'a') AS ROW(x int, y varchar))", "{x=1, y=a}"},
		{"0.1E0 + 0.2E0", "0.30000000000000004"},
		{"from_iso8601_timestamp('2026-11-05T10:11:12+02:00')", "2026-11-05 08:11:12.000 UTC"},
		{"1.0E7", "1.0E7"},
	} {
		e := h.run("SELECT " + c.expr)
		if e.Status.State != atypes.QueryExecutionStateSucceeded {
			t.Errorf("%s: %s %s", c.expr, e.Status.State, aws.ToString(e.Status.StateChangeReason))
			continue
		}
		if got := h.rows(*e.QueryExecutionId, 0); len(got) != 2 || got[1][0] != c.want {
			t.Errorf("%s = %v, want %s", c.expr, got, c.want)
		}
	}
}

// Data catalogs besides AwsDataCatalog are recorded and listed; work groups
// and data catalogs carry tags; named queries update; prepared statements
// come in batches; the engine versions list.
func TestCatalogsAndTags(t *testing.T) {
	h := start(t)
	if _, err := h.a.CreateDataCatalog(h.ctx, &athena.CreateDataCatalogInput{Name: aws.String("other"), Type: atypes.DataCatalogTypeGlue,
		Parameters: map[string]string{"catalog-id": "111122223333"}, Tags: []atypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}); err != nil {
		t.Fatal(err)
	}
	list, err := h.a.ListDataCatalogs(h.ctx, &athena.ListDataCatalogsInput{})
	if err != nil || len(list.DataCatalogsSummary) != 2 || aws.ToString(list.DataCatalogsSummary[1].CatalogName) != "other" {
		t.Fatalf("ListDataCatalogs = %+v %v", list, err)
	}
	g, err := h.a.GetDataCatalog(h.ctx, &athena.GetDataCatalogInput{Name: aws.String("other")})
	if err != nil || g.DataCatalog.Parameters["catalog-id"] != "111122223333" || g.DataCatalog.Type != atypes.DataCatalogTypeGlue {
		t.Fatalf("GetDataCatalog = %+v %v", g, err)
	}
	arn := "arn:aws:athena:us-east-1:000000000000:datacatalog/other"
	if _, err := h.a.TagResource(h.ctx, &athena.TagResourceInput{ResourceARN: aws.String(arn), Tags: []atypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.a.UntagResource(h.ctx, &athena.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := h.a.ListTagsForResource(h.ctx, &athena.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("tags = %+v %v", tags, err)
	}
	wgArn := "arn:aws:athena:us-east-1:000000000000:workgroup/primary"
	if _, err := h.a.TagResource(h.ctx, &athena.TagResourceInput{ResourceARN: aws.String(wgArn), Tags: []atypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	if tags, err := h.a.ListTagsForResource(h.ctx, &athena.ListTagsForResourceInput{ResourceARN: aws.String(wgArn)}); err != nil || len(tags.Tags) != 1 {
		t.Errorf("work group tags = %+v %v", tags, err)
	}
	var rnf *atypes.ResourceNotFoundException
	if _, err := h.a.ListTagsForResource(h.ctx, &athena.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:athena:us-east-1:000000000000:workgroup/nope")}); !errors.As(err, &rnf) {
		t.Errorf("tags of a missing work group: %v, want ResourceNotFoundException", err)
	}
	if _, err := h.a.DeleteDataCatalog(h.ctx, &athena.DeleteDataCatalogInput{Name: aws.String("other")}); err != nil {
		t.Fatal(err)
	}
	var ire *atypes.InvalidRequestException
	if _, err := h.a.GetDataCatalog(h.ctx, &athena.GetDataCatalogInput{Name: aws.String("other")}); !errors.As(err, &ire) {
		t.Errorf("deleted catalog: %v", err)
	}
	if _, err := h.a.DeleteDataCatalog(h.ctx, &athena.DeleteDataCatalogInput{Name: aws.String("AwsDataCatalog")}); !errors.As(err, &ire) {
		t.Errorf("deleting AwsDataCatalog: %v", err)
	}

	nq, err := h.a.CreateNamedQuery(h.ctx, &athena.CreateNamedQueryInput{Name: aws.String("q"), Database: aws.String("default"), QueryString: aws.String("SELECT 1")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.a.UpdateNamedQuery(h.ctx, &athena.UpdateNamedQueryInput{NamedQueryId: nq.NamedQueryId, Name: aws.String("q2"), QueryString: aws.String("SELECT 2")}); err != nil {
		t.Fatal(err)
	}
	if got, err := h.a.GetNamedQuery(h.ctx, &athena.GetNamedQueryInput{NamedQueryId: nq.NamedQueryId}); err != nil || aws.ToString(got.NamedQuery.QueryString) != "SELECT 2" || aws.ToString(got.NamedQuery.Name) != "q2" {
		t.Errorf("updated named query = %+v %v", got, err)
	}
	if _, err := h.a.CreatePreparedStatement(h.ctx, &athena.CreatePreparedStatementInput{StatementName: aws.String("p"), WorkGroup: aws.String("primary"), QueryStatement: aws.String("SELECT ?")}); err != nil {
		t.Fatal(err)
	}
	b, err := h.a.BatchGetPreparedStatement(h.ctx, &athena.BatchGetPreparedStatementInput{WorkGroup: aws.String("primary"), PreparedStatementNames: []string{"p", "nope"}})
	if err != nil || len(b.PreparedStatements) != 1 || len(b.UnprocessedPreparedStatementNames) != 1 || aws.ToString(b.UnprocessedPreparedStatementNames[0].StatementName) != "nope" {
		t.Errorf("BatchGetPreparedStatement = %+v %v", b, err)
	}
	v, err := h.a.ListEngineVersions(h.ctx, &athena.ListEngineVersionsInput{})
	if err != nil || len(v.EngineVersions) == 0 || aws.ToString(v.EngineVersions[0].EffectiveEngineVersion) != "Athena engine version 3" {
		t.Errorf("ListEngineVersions = %+v %v", v, err)
	}
}

// CTAS with bucketed_by (awswrangler's ctas_bucketing_info, dbt's
// bucketed_by): the bucketing lands in the catalogue, the rows answer.
func TestBucketedCTAS(t *testing.T) {
	h := start(t)
	g := glue.NewFromConfig(h.cfg)
	h.mkBucket("bucketed")
	h.ok("CREATE DATABASE bkdb")
	h.ok("CREATE TABLE bkdb.b WITH (format = 'PARQUET', external_location = 's3://bucketed/b/', bucketed_by = ARRAY['id'], bucket_count = 4) AS SELECT range AS id, range % 3 AS k FROM range(100)")
	tbl, err := g.GetTable(h.ctx, &glue.GetTableInput{DatabaseName: aws.String("bkdb"), Name: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	if sd := tbl.Table.StorageDescriptor; fmt.Sprint(sd.BucketColumns) != "[id]" || sd.NumberOfBuckets != 4 {
		t.Errorf("bucketing = %v %d", sd.BucketColumns, sd.NumberOfBuckets)
	}
	if got := h.rows(*h.ok("SELECT count(*), sum(id) FROM bkdb.b WHERE k = 1").QueryExecutionId, 0); fmt.Sprint(got) != "[[_col0 _col1] [33 1617]]" {
		t.Errorf("rows = %v", got)
	}
	e := h.run("CREATE TABLE bkdb.c WITH (format = 'PARQUET', external_location = 's3://bucketed/c/', bucketed_by = ARRAY['id']) AS SELECT 1 AS id")
	if e.Status.State != atypes.QueryExecutionStateFailed || !strings.HasPrefix(aws.ToString(e.Status.StateChangeReason), "INVALID_TABLE_PROPERTY: ") {
		t.Errorf("bucketed_by without bucket_count: %s %s", e.Status.State, aws.ToString(e.Status.StateChangeReason))
	}
}
