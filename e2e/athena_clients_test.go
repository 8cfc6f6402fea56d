package e2e

import (
	"strings"
	"testing"
)

// The clients people drive Athena with, replayed call for call through boto3
// (the libraries themselves are not installed here): what each one sends and
// what it reads of the answers, taken from their sources —
// awswrangler 3.x (awswrangler/athena/_read.py, _utils.py, catalog/_delete.py),
// PyAthena 3.x (pyathena/common.py, result_set.py, model.py),
// dbt-athena 1.9 (dbt/adapters/athena/impl.py and its materialisation macros),
// Grafana's Athena source (pkg/athena/api/api.go with grafana/athenadriver's
// rows.go). A step that fails here is one that fails for that client.

// clientsPrelude is shared by every client script: clients, a data set of
// two partitions of CSV under s3://cdata-<sfx>/sales/, and the polling loop
// every client runs (GetQueryExecution until a final state).
const clientsPrelude = `
import boto3, botocore, os, sys, time, json, csv, io, uuid, datetime
url = os.environ["FOGBANK_URL"]
sfx = sys.argv[1]
tag = sfx.replace("-", "").replace(".", "")
def client(name):
    return boto3.client(name, endpoint_url=url, region_name="us-east-1")
s3, a, g, sts = client("s3"), client("athena"), client("glue"), client("sts")
data, res, db = "cdata-" + tag, "cres-" + tag, "cdb_" + tag
# botocore before 1.29.x has no SubstatementType (the answer carries it; old clients drop it)
has_sub = "SubstatementType" in a.meta.service_model.shape_for("QueryExecution").members
def parse(path):
    b, _, k = path[len("s3://"):].partition("/")
    return b, k
def wait(qid):
    for _ in range(2000):
        e = a.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if e["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return e
        time.sleep(0.02)
    raise Exception("query did not end")
def setup():
    for b in (data, res):
        try:
            s3.create_bucket(Bucket=b)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
    rows = {"01": [(1, "ann", "10.50", "2026-11-01 10:00:00"), (2, "bob", "", "2026-11-01 11:30:00")],
            "02": [(3, "cy", "7.25", "2026-11-02 09:15:00"), (4, "di", "1.00", "2026-11-02 12:00:00"), (5, "ed", "2.00", "2026-11-02 13:00:00")]}
    for day, rs in rows.items():
        body = "id,name,amount,ts\n" + "".join("%d,%s,%s,%s\n" % r for r in rs)
        s3.put_object(Bucket=data, Key="sales/day=%s/part-0.csv" % day, Body=body.encode())
    def run(sql):
        qid = a.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": "s3://%s/setup/" % res})["QueryExecutionId"]
        e = wait(qid)
        assert e["Status"]["State"] == "SUCCEEDED", (sql, e["Status"])
    run("CREATE DATABASE IF NOT EXISTS " + db)
    run("""CREATE EXTERNAL TABLE IF NOT EXISTS %s.sales (id int, name string, amount decimal(10,2), ts timestamp)
PARTITIONED BY (day string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
LOCATION 's3://%s/sales/' TBLPROPERTIES ('skip.header.line.count'='1')""" % (db, data))
    run("MSCK REPAIR TABLE %s.sales" % db)
setup()
`

// awswrangler's read_sql_query, with ctas_approach=True (its default) and
// False, with no s3_output and the primary work group (its default bucket).
const wranglerScript = clientsPrelude + `
def workgroup_config(wg):
    # _get_workgroup_config: indexes EnforceWorkGroupConfiguration directly.
    c = a.get_work_group(WorkGroup=wg)["WorkGroup"]["Configuration"]
    rc = c.get("ResultConfiguration")
    managed = c.get("ManagedQueryResultsConfiguration")
    return c["EnforceWorkGroupConfiguration"], rc.get("OutputLocation") if rc else None, bool(managed and managed.get("Enabled", False))
def s3_output(given, enforced, wg_out):
    if enforced and wg_out:
        return wg_out
    if given:
        return given
    if wg_out:
        return wg_out
    # create_athena_bucket
    account = sts.get_caller_identity()["Account"]
    bucket = "aws-athena-query-results-%s-us-east-1" % account
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    s3.get_waiter("bucket_exists").wait(Bucket=bucket)
    s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
    return "s3://%s/" % bucket
def start(sql, out, database, wg="primary"):
    return a.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": out},
        QueryExecutionContext={"Database": database}, WorkGroup=wg)["QueryExecutionId"]
def metadata(qid):
    # _get_query_metadata: wait, then get_query_columns_types.
    e = wait(qid)
    if e["Status"]["State"] != "SUCCEEDED":
        raise Exception("Query error: " + e["Status"]["StateChangeReason"])
    ci = a.get_query_results(QueryExecutionId=qid, MaxResults=1)["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    types = dict((c["Name"], "%s(%s,%s)" % (c["Type"], c["Precision"], c.get("Scale", 0)) if c["Type"] == "decimal" else c["Type"]) for c in ci)
    out = e["ResultConfiguration"].get("OutputLocation") if "ResultConfiguration" in e else None
    return e, types, out, e.get("Statistics", {}).get("DataManifestLocation")

enforced, wg_out, managed = workgroup_config("primary")
assert (enforced, wg_out, managed) == (False, None, False), (enforced, wg_out, managed)
out = s3_output(None, enforced, wg_out)
assert out == "s3://aws-athena-query-results-000000000000-us-east-1/", out
out = out[:-1]  # awswrangler strips the slash

# ctas_approach=True: CREATE TABLE "db"."temp_table_<hex>" WITH(...) AS <sql>
sql = "SELECT day, count(*) AS n, sum(amount) AS total FROM sales GROUP BY day ORDER BY day"
name = "temp_table_" + uuid.uuid4().hex
ctas = 'CREATE TABLE "%s"."%s"\nWITH(\n    external_location = \'%s/%s\',\n    format = \'PARQUET\')\nAS %s' % (db, name, out, name, sql)
try:
    e, types, loc, manifest = metadata(start(ctas, out, db))
    assert types == {"rows": "bigint"}, types
    assert e["StatementType"] == "DDL" and e["Query"].startswith("CREATE TABLE"), e
    assert manifest == "%s/%s-manifest.csv" % (out, e["QueryExecutionId"]), manifest
    mb, mk = parse(manifest)
    paths = [p for p in s3.get_object(Bucket=mb, Key=mk)["Body"].read().decode("utf-8").split("\n") if p]
    assert paths, "empty manifest"
    for p in paths:
        b, k = parse(p)
        assert b == mb and k.startswith(name + "/"), (p, manifest)
        body = s3.get_object(Bucket=b, Key=k)["Body"].read()
        assert body[:4] == b"PAR1" and body[-4:] == b"PAR1", p
    # (not awswrangler: what its pyarrow would read, through Athena)
    q = start('SELECT day, n, total FROM "%s"."%s" ORDER BY day' % (db, name), out, db)
    e2 = wait(q)
    assert e2["Status"]["State"] == "SUCCEEDED", e2["Status"]
    got = [[d.get("VarCharValue") for d in r["Data"]] for r in a.get_query_results(QueryExecutionId=q)["ResultSet"]["Rows"]]
    assert got == [["day", "n", "total"], ["01", "2", "10.50"], ["02", "3", "10.25"]], got
    # keep_files=False: the files, the manifest and <id>.metadata go
    keys = [parse(p)[1] for p in paths] + [mk, mk.replace("-manifest.csv", ".metadata")]
    d = s3.delete_objects(Bucket=mb, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})
    assert not d.get("Errors"), d
finally:
    try:
        g.delete_table(DatabaseName=db, Name=name)
    except g.exceptions.EntityNotFoundException:
        pass
try:
    g.delete_table(DatabaseName=db, Name=name)
    raise Exception("deleted twice")
except g.exceptions.EntityNotFoundException:
    pass

# A CTAS with no rows: an empty manifest, and the types from the Glue table.
name = "temp_table_" + uuid.uuid4().hex
ctas = 'CREATE TABLE "%s"."%s"\nWITH(\n    external_location = \'%s/%s\',\n    format = \'PARQUET\')\nAS %s' % (db, name, out, name, "SELECT id, name, amount, ts FROM sales WHERE id < 0")
try:
    e, types, loc, manifest = metadata(start(ctas, out, db))
    mb, mk = parse(manifest)
    paths = [p for p in s3.get_object(Bucket=mb, Key=mk)["Body"].read().decode("utf-8").split("\n") if p]
    assert paths == [], paths
    t = g.get_table(DatabaseName=db, Name=name)["Table"]
    cols = dict((c["Name"], c["Type"]) for c in t["StorageDescriptor"]["Columns"] + t.get("PartitionKeys", []))
    assert cols == {"id": "int", "name": "string", "amount": "decimal(10,2)", "ts": "timestamp"}, cols
finally:
    g.delete_table(DatabaseName=db, Name=name)

# unload_approach=True: UNLOAD (sql) TO '<path>' WITH (  format='PARQUET'), the files from the manifest.
path = "%s/unload-%s" % (out, uuid.uuid4().hex)
e, types, loc, manifest = metadata(start("UNLOAD (SELECT id, name FROM sales WHERE day = '02') TO '%s' WITH (  format='PARQUET')" % path, out, db))
assert e["StatementType"] == "DML" and e["Query"].startswith("UNLOAD"), e
mb, mk = parse(manifest)
paths = [p for p in s3.get_object(Bucket=mb, Key=mk)["Body"].read().decode("utf-8").split("\n") if p]
assert paths and all(p.startswith(path + "/") for p in paths), (paths, path)
for p in paths:
    b, k = parse(p)
    body = s3.get_object(Bucket=b, Key=k)["Body"].read()
    assert body[:4] == b"PAR1" and body[-4:] == b"PAR1", p

# ctas_approach=False: the CSV at OutputLocation, read with QUOTE_ALL.
e, types, loc, manifest = metadata(start("SELECT id, name, amount, ts, day, amount IS NULL AS missing FROM sales ORDER BY id", out + "/wr", db))
assert types == {"id": "integer", "name": "varchar", "amount": "decimal(10,2)", "ts": "timestamp", "day": "varchar", "missing": "boolean"}, types
assert loc == "%s/wr/%s.csv" % (out, e["QueryExecutionId"]) and loc.endswith(".csv"), loc
b, k = parse(loc)
text = s3.get_object(Bucket=b, Key=k)["Body"].read().decode("utf-8")
rows = list(csv.reader(io.StringIO(text), quoting=csv.QUOTE_ALL))
assert rows[0] == ["id", "name", "amount", "ts", "day", "missing"], rows[0]
assert rows[1] == ["1", "ann", "10.50", "2026-11-01 10:00:00.000", "01", "false"], rows[1]
assert rows[2] == ["2", "bob", "", "2026-11-01 11:30:00.000", "01", "true"], rows[2]
assert len(rows) == 6, rows
assert text.split("\n")[2] == '"2","bob",,"2026-11-01 11:30:00.000","01","true"', text  # NULL: an empty, unquoted field
s3.head_object(Bucket=b, Key=k + ".metadata")
print("OK")
`

// PyAthena's Cursor (no pandas, no arrow): execute, poll, fetch pages of
// arraysize rows, description from ColumnInfo, rowcount from UpdateCount,
// its client-side cache, cancel, and the metadata calls its SQLAlchemy
// dialect makes.
const pyathenaScript = clientsPrelude + `
class DatabaseError(Exception):
    pass
staging = "s3://%s/pyathena/" % res
def execute(sql, schema=db, s3_staging_dir=staging, work_group=None, params=None, reuse_minutes=None):
    # _build_start_query_execution_request: both dicts are always sent.
    req = {"QueryString": sql, "QueryExecutionContext": {}, "ResultConfiguration": {}}
    if schema:
        req["QueryExecutionContext"]["Database"] = schema
    req["QueryExecutionContext"]["Catalog"] = "awsdatacatalog"
    if s3_staging_dir:
        req["ResultConfiguration"]["OutputLocation"] = s3_staging_dir
    if work_group:
        req["WorkGroup"] = work_group
    if params:
        req["ExecutionParameters"] = params
    if reuse_minutes:
        req["ResultReuseConfiguration"] = {"ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": reuse_minutes}}
    qid = a.start_query_execution(**req)["QueryExecutionId"]
    e = wait(qid)
    if e["Status"]["State"] != "SUCCEEDED":
        raise DatabaseError(e["Status"].get("StateChangeReason"), e["Status"].get("AthenaError"))
    return Cursor(e)
class Cursor:
    def __init__(self, e, arraysize=1000):
        self.e, self.arraysize, self.rows, self.rowcount, self.next_token = e, arraysize, [], -1, None
        r = self._fetch(None)
        ci = r["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        self.meta = tuple(ci)
        self.description = [(m["Name"], m["Type"], None, None, m["Precision"], m["Scale"], m["Nullable"]) for m in ci]
        uc = r.get("UpdateCount")
        if uc is not None and (e.get("SubstatementType") or "").upper() in ("INSERT", "UPDATE", "DELETE", "MERGE", "CREATE_TABLE_AS_SELECT"):
            self.rowcount = uc
        self._rows(r)
    def _fetch(self, token):
        req = {"QueryExecutionId": self.e["QueryExecutionId"], "MaxResults": self.arraysize}
        if token:
            req["NextToken"] = token
        return a.get_query_results(**req)
    def _rows(self, r):
        rows = r["ResultSet"]["Rows"]
        if rows:
            offset = 1 if not self.next_token and all(m.get("Name") == d.get("VarCharValue") for m, d in zip(self.meta, rows[0].get("Data", []))) else 0
            self.rows += [tuple(d.get("VarCharValue") for d in row.get("Data", [])) for row in rows[offset:]]
        self.next_token = r.get("NextToken")
    def fetchone(self):
        if not self.rows and self.next_token:
            self._rows(self._fetch(self.next_token))
        return self.rows.pop(0) if self.rows else None
    def fetchall(self):
        out = []
        while True:
            r = self.fetchone()
            if r is None:
                return out
            out.append(r)

c = execute("SELECT 1 AS foobar")
assert c.description == [("foobar", "integer", None, None, 10, 0, "UNKNOWN")], c.description
assert c.fetchone() == ("1",) and c.fetchone() is None and c.rowcount == -1
e = c.e
assert e["StatementType"] == "DML" and e["WorkGroup"] == "primary" and e["QueryExecutionContext"]["Database"] == db, e
assert e["Status"]["SubmissionDateTime"] <= e["Status"]["CompletionDateTime"], e["Status"]
for k in ("DataScannedInBytes", "EngineExecutionTimeInMillis", "QueryQueueTimeInMillis", "TotalExecutionTimeInMillis"):
    assert k in e["Statistics"], (k, e["Statistics"])
assert e["EngineVersion"]["EffectiveEngineVersion"] == "Athena engine version 3", e

# Types as PyAthena's converters expect them (tests/pyathena/test_cursor.py test_complex).
c = execute("""SELECT true AS b, CAST(127 AS tinyint) AS ti, CAST(32767 AS smallint) AS si, 2147483647 AS i,
  9223372036854775807 AS bi, CAST(0.5 AS real) AS f, CAST(0.25 AS double) AS d, 'a string' AS s,
  TIMESTAMP '2017-01-01 00:00:00' AS ts, DATE '2017-01-02' AS dt, ARRAY[1, 2] AS arr, CAST(0.1 AS decimal(10,1)) AS dec,
  MAP(ARRAY['a'], ARRAY[1]) AS m, CAST(NULL AS varchar) AS n,
  CAST(TIMESTAMP '2017-01-01 00:00:00' AS timestamp with time zone) AS tz, CAST('123' AS varbinary) AS vb, TIME '01:02:03' AS t""")
want = [("b", "boolean", 0, 0), ("ti", "tinyint", 3, 0), ("si", "smallint", 5, 0), ("i", "integer", 10, 0),
    ("bi", "bigint", 19, 0), ("f", "float", 17, 0), ("d", "double", 17, 0), ("s", "varchar", 2147483647, 0),
    ("ts", "timestamp", 3, 0), ("dt", "date", 0, 0), ("arr", "array", 0, 0), ("dec", "decimal", 10, 1), ("m", "map", 0, 0), ("n", "varchar", 2147483647, 0),
    ("tz", "timestamp with time zone", 3, 0), ("vb", "varbinary", 1073741824, 0), ("t", "time", 3, 0)]
assert [(x[0], x[1], x[4], x[5]) for x in c.description] == want, c.description
assert c.fetchall() == [("true", "127", "32767", "2147483647", "9223372036854775807", "0.5", "0.25", "a string",
    "2017-01-01 00:00:00.000", "2017-01-02", "[1, 2]", "0.1", "{a=1}", None, "2017-01-01 00:00:00.000 UTC", "31 32 33", "01:02:03.000")], c.rows

# arraysize pages: the header only on the first page.
c = execute("SELECT id FROM sales ORDER BY id")
c.arraysize = 2
c2 = Cursor(c.e, arraysize=2)
assert c2.fetchall() == [("1",), ("2",), ("3",), ("4",), ("5",)], c2.rows

# CTAS and INSERT: rowcount from UpdateCount, no rows (test_description_with_ctas).
loc = "s3://%s/pyathena-tables/ctas/" % res
c = execute("CREATE TABLE %s.pa_ctas WITH (format='PARQUET', external_location='%s') AS SELECT id, name FROM sales WHERE day = '02'" % (db, loc))
assert c.description == [("rows", "bigint", None, None, 19, 0, "UNKNOWN")], c.description
assert not has_sub or c.e["SubstatementType"] == "CREATE_TABLE_AS_SELECT" and c.rowcount == 3, (c.e, c.rowcount)
assert c.fetchone() is None, c.rows
c = execute("INSERT INTO %s.pa_ctas VALUES (10, 'x'), (11, 'y')" % db)
assert not has_sub or c.e["SubstatementType"] == "INSERT" and c.rowcount == 2, (c.e, c.rowcount)
assert c.fetchone() is None, c.rows
assert c.e["Statistics"]["DataManifestLocation"].endswith("-manifest.csv"), c.e["Statistics"]
c = execute("SELECT count(*) FROM pa_ctas")
assert c.fetchall() == [("5",)] and c.rowcount == -1

# qmark parameters (ExecutionParameters) and a DDL statement's result.
c = execute("SELECT name FROM sales WHERE id = ? AND day = ?", params=["3", "'02'"])
assert c.fetchall() == [("cy",)], c.rows
c = execute("ALTER TABLE sales ADD IF NOT EXISTS PARTITION (day='03') LOCATION 's3://%s/sales/day=03/'" % data)
assert c.e["StatementType"] == "DDL" and c.fetchall() == [], c.rows
c = execute("SHOW PARTITIONS sales")
assert sorted(c.fetchall()) == [("day=01",), ("day=02",), ("day=03",)], c.rows

# An integer partition key, its value unquoted (test_show_partition).
execute("CREATE EXTERNAL TABLE %s.pa_part (a string) PARTITIONED BY (b int) STORED AS PARQUET LOCATION 's3://%s/pa_part/'" % (db, res))
for i in range(3):
    execute("ALTER TABLE pa_part ADD PARTITION (b=%d)\nLOCATION 's3://%s/pa_part/'" % (i, res))
assert sorted(execute("SHOW PARTITIONS pa_part").fetchall()) == [("b=0",), ("b=1",), ("b=2",)]

# A failure: DatabaseError with Athena's reason.
try:
    execute("SELECT does_not_exist FROM this_really_does_not_exist")
    raise Exception("no error")
except DatabaseError as err:
    assert err.args[0].startswith("TABLE_NOT_FOUND: line 1:28: Table 'awsdatacatalog.%s.this_really_does_not_exist' does not exist" % db), err.args
    assert err.args[1]["ErrorCategory"] == 2 and err.args[1]["ErrorType"] == 1000, err.args

# A work group's output location with an empty ResultConfiguration.
a.create_work_group(Name="pa-" + tag, Configuration={"ResultConfiguration": {"OutputLocation": "s3://%s/pa-wg/" % res}})
c = execute("SELECT 2 AS two", s3_staging_dir=None, work_group="pa-" + tag)
assert c.e["ResultConfiguration"]["OutputLocation"].startswith("s3://%s/pa-wg/" % res) and c.fetchall() == [("2",)], c.e

# cache_size: _find_previous_query_id lists the work group's executions.
query = "SELECT 2 AS two"
found = None
r = a.list_query_executions(MaxResults=50, WorkGroup="pa-" + tag)
es = a.batch_get_query_execution(QueryExecutionIds=r["QueryExecutionIds"])["QueryExecutions"]
for x in sorted((x for x in es if x["Status"]["State"] == "SUCCEEDED" and x["StatementType"] == "DML"), key=lambda x: x["Status"]["CompletionDateTime"], reverse=True):
    if x["Query"] == query:
        found = x["QueryExecutionId"]
        break
assert found == c.e["QueryExecutionId"], (found, es)

# result_reuse_enable (test_cursor_query_result_reuse): the second run answers with the first's result.
if "ResultReuseConfiguration" in a.meta.service_model.operation_model("StartQueryExecution").input_shape.members:
    q = "SELECT count(*) AS n, max(name) AS m FROM sales"
    c1 = execute(q, reuse_minutes=5)
    assert not c1.e["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"], c1.e
    assert c1.e["ResultReuseConfiguration"]["ResultReuseByAgeConfiguration"] == {"Enabled": True, "MaxAgeInMinutes": 5}, c1.e
    c2 = execute(q, reuse_minutes=5)
    assert c2.e["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"] and c2.e["QueryExecutionId"] != c1.e["QueryExecutionId"], c2.e
    assert c2.e["ResultConfiguration"]["OutputLocation"] == c1.e["ResultConfiguration"]["OutputLocation"], (c1.e, c2.e)
    assert c2.fetchall() == c1.fetchall() == [("5", "ed")], (c1.rows, c2.rows)
    c3 = execute(q)  # without reuse: runs again
    assert not c3.e["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"], c3.e

# cancel(): StopQueryExecution, then the poll sees CANCELLED.
qid = a.start_query_execution(QueryString="SELECT count(*) FROM range(100000000000) a, range(10) b WHERE a.range % 7 = b.range",
    QueryExecutionContext={"Catalog": "awsdatacatalog"}, ResultConfiguration={"OutputLocation": staging})["QueryExecutionId"]
a.stop_query_execution(QueryExecutionId=qid)
assert wait(qid)["Status"]["State"] == "CANCELLED"

# The metadata calls (list_databases, list_table_metadata, get_table_metadata).
dbs = a.list_databases(CatalogName="awsdatacatalog", MaxResults=50)
assert db in [d["Name"] for d in dbs["DatabaseList"]], dbs
tl = a.list_table_metadata(CatalogName="awsdatacatalog", DatabaseName=db, MaxResults=50, Expression="sal*")
assert [t["Name"] for t in tl["TableMetadataList"]] == ["sales"], tl
tm = a.get_table_metadata(CatalogName="awsdatacatalog", DatabaseName=db, TableName="sales")["TableMetadata"]
assert [(x["Name"], x["Type"]) for x in tm["Columns"]] == [("id", "int"), ("name", "string"), ("amount", "decimal(10,2)"), ("ts", "timestamp")], tm
assert tm["TableType"] == "EXTERNAL_TABLE" and tm["PartitionKeys"][0]["Name"] == "day" and "CreateTime" in tm, tm
print("OK")
`

// Grafana's Athena source: the engine version of the work group before every
// query (it dereferences it), StartQueryExecution with ResultReuse, polling,
// GetQueryResults pages without MaxResults, and the pickers' catalogue calls.
const grafanaScript = clientsPrelude + `
a.create_work_group(Name="gf-" + tag, Configuration={"ResultConfiguration": {"OutputLocation": "s3://%s/grafana/" % res}})
def execute(sql, wg):
    v = a.get_work_group(WorkGroup=wg)["WorkGroup"]["Configuration"]["EngineVersion"]["EffectiveEngineVersion"]
    req = {"QueryString": sql, "QueryExecutionContext": {"Catalog": "AwsDataCatalog", "Database": db}, "WorkGroup": wg}
    if v != "Athena engine version 2":
        req["ResultReuseConfiguration"] = {"ResultReuseByAgeConfiguration": {"Enabled": False, "MaxAgeInMinutes": 60}}
    return a.start_query_execution(**req)["QueryExecutionId"]
def rows(qid):
    out, token, page = [], None, 0
    while True:
        kw = {"QueryExecutionId": qid}
        if token:
            kw["NextToken"] = token
        r = a.get_query_results(**kw)
        ci = r["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        rs = r["ResultSet"]["Rows"]
        for c in ci:  # athenaTypeOf: an unknown type name is an error
            assert c["Type"] in ("tinyint", "smallint", "integer", "bigint", "float", "real", "double", "json", "char", "varchar",
                "varbinary", "row", "string", "binary", "struct", "interval year to month", "interval day to second", "decimal",
                "ipaddress", "array", "map", "unknown", "boolean", "date", "time", "time with time zone", "timestamp", "timestamp with time zone"), c
        if page == 0 and rs and len(rs[0]["Data"]) == len(ci) and all(d.get("VarCharValue") == c["Name"] for d, c in zip(rs[0]["Data"], ci)):
            rs = rs[1:]
        out += [[d.get("VarCharValue") for d in x["Data"]] for x in rs]
        page += 1
        token = r.get("NextToken")
        if not token:
            return ci, out
qid = execute("SELECT 1", "gf-" + tag)  # Ping
assert wait(qid)["Status"]["State"] == "SUCCEEDED"
qid = execute("SELECT date_trunc('day', ts) AS time, sum(amount) AS total FROM sales GROUP BY 1 ORDER BY 1", "gf-" + tag)
e = wait(qid)
assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
ci, got = rows(qid)
assert [c["Type"] for c in ci] == ["timestamp", "decimal"], ci
assert got == [["2026-11-01 00:00:00.000", "10.50"], ["2026-11-02 00:00:00.000", "10.25"]], got
for v in got:
    datetime.datetime.strptime(v[0], "%Y-%m-%d %H:%M:%S.%f")  # athenadriver's layout 2006-01-02 15:04:05.000
# The macros' expansions (pkg/athena/macros.go): $__timeGroup(ts, '1d'), $__timeFilter(ts),
# $__timeFilter(col, 'yyyy-MM-dd HH:mm:ss') on a string, $__dateFilter, $__unixEpochGroup.
qid = execute("""SELECT FROM_UNIXTIME(FLOOR(TO_UNIXTIME(ts)/86400)*86400) AS time, sum(amount) AS total FROM sales
WHERE ts BETWEEN TIMESTAMP '2026-11-01 00:00:00' AND TIMESTAMP '2026-11-02 23:59:59'
  AND parse_datetime(format_datetime(ts, 'yyyy-MM-dd HH:mm:ss'),'yyyy-MM-dd HH:mm:ss') BETWEEN TIMESTAMP '2026-11-01 00:00:00' AND TIMESTAMP '2026-11-02 23:59:59'
  AND CAST(ts AS date) BETWEEN date '2026-11-01' AND date '2026-11-02'
GROUP BY 1 ORDER BY 1""", "gf-" + tag)
e = wait(qid)
assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
ci, got = rows(qid)
assert [c["Type"] for c in ci] == ["timestamp with time zone", "decimal"], ci
assert got == [["2026-11-01 00:00:00.000 UTC", "10.50"], ["2026-11-02 00:00:00.000 UTC", "10.25"]], got
qid = execute("SELECT FROM_UNIXTIME(FLOOR(id/2)*2) AS time, count(*) AS n FROM sales WHERE id BETWEEN 1 AND 4 GROUP BY 1 ORDER BY 1", "gf-" + tag)
assert wait(qid)["Status"]["State"] == "SUCCEEDED"
ci, got = rows(qid)
assert got == [["1970-01-01 00:00:00.000 UTC", "1"], ["1970-01-01 00:00:02.000 UTC", "2"], ["1970-01-01 00:00:04.000 UTC", "1"]], got
# The primary work group answers the engine version too.
assert a.get_work_group(WorkGroup="primary")["WorkGroup"]["Configuration"]["EngineVersion"]["EffectiveEngineVersion"].startswith("Athena engine version")
# A failed query: StateChangeReason and the error category (1 internal, 2 user).
qid = execute("SELECT nope FROM sales", "gf-" + tag)
e = wait(qid)
assert e["Status"]["State"] == "FAILED" and e["Status"]["AthenaError"]["ErrorCategory"] == 2, e["Status"]
# The pickers.
cats = [c["CatalogName"] for c in a.list_data_catalogs()["DataCatalogsSummary"]]
assert cats == ["AwsDataCatalog"], cats
assert db in [d["Name"] for d in a.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]]
assert "gf-" + tag in [w["Name"] for w in a.list_work_groups()["WorkGroups"]]
assert "sales" in [t["Name"] for t in a.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=db)["TableMetadataList"]]
tm = a.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=db, TableName="sales")["TableMetadata"]
assert [c["Name"] for c in tm["Columns"]] + [c["Name"] for c in tm["PartitionKeys"]] == ["id", "name", "amount", "ts", "day"], tm
# CancelQuery.
qid = execute("SELECT count(*) FROM range(100000000000) a, range(10) b WHERE a.range % 7 = b.range", "gf-" + tag)
a.stop_query_execution(QueryExecutionId=qid)
assert wait(qid)["Status"]["State"] == "CANCELLED"
print("OK")
`

func TestAthenaClientsBoto3(t *testing.T) {
	f := start(t, "")
	for _, s := range []struct{ name, script string }{
		{"awswrangler", wranglerScript},
		{"pyathena", pyathenaScript},
		{"grafana", grafanaScript},
		{"dbt-athena", dbtScript},
	} {
		t.Run(s.name, func(t *testing.T) {
			for _, p := range pythons {
				t.Run(p.name, func(t *testing.T) {
					needBoto3(t, p.bin)
					need(t, "g++")
					sfx := s.name + "-" + strings.ReplaceAll(p.name, ".", "-")
					out, errOut, code := f.run(t, nil, p.bin, "-c", s.script, sfx)
					if code != 0 || strings.TrimSpace(out) != "OK" {
						t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
					}
				})
			}
		})
	}
}

// dbt-athena: schemas and relations through Glue, a Hive table model (CTAS
// with its WITH properties, then the classification), a seed (OpenCSVSerde
// table of strings, cast by a CTAS using try(date_parse(...))), an
// incremental append and insert_overwrite (a __dbt_tmp table, an INSERT with
// its column list, the partitions cleaned through Glue), the ha swap of
// table versions, persist_docs, a view, an Iceberg model, and the drops.
const dbtScript = clientsPrelude + `
schema = "dbt_" + tag
out = "s3://%s/dbt-results/" % res
catalog_id = sts.get_caller_identity()["Account"]  # _get_data_catalog("awsdatacatalog")
wg = a.get_work_group(WorkGroup="primary")
assert wg.get("WorkGroup", {}).get("Configuration", {}).get("EnforceWorkGroupConfiguration", False) is False
class OperationalError(Exception):
    pass
def run(sql):
    # dbt's cursor is PyAthena's: execute, poll, then rowcount and data scanned.
    qid = a.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": schema, "Catalog": "awsdatacatalog"},
        ResultConfiguration={"OutputLocation": out}, WorkGroup="primary")["QueryExecutionId"]
    e = wait(qid)
    if e["Status"]["State"] != "SUCCEEDED":
        raise OperationalError(e["Status"].get("StateChangeReason"))
    r = a.get_query_results(QueryExecutionId=qid, MaxResults=1000)
    return e, r
def relations():
    try:
        tables = g.get_paginator("get_tables").paginate(DatabaseName=schema, CatalogId=catalog_id).build_full_result().get("TableList")
    except botocore.exceptions.ClientError as err:
        if err.response["Error"]["Code"] == "EntityNotFoundException":
            return None
        raise
    return sorted((t["Name"], t["TableType"], t.get("Parameters", {}).get("table_type", "")) for t in tables)
def glue_table(name):
    try:
        return g.get_table(CatalogId=catalog_id, DatabaseName=schema, Name=name)["Table"]
    except botocore.exceptions.ClientError as err:
        if err.response["Error"]["Code"] == "EntityNotFoundException":
            return None
        raise
def delete_prefix(loc):
    b, k = parse(loc)
    keys = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=b, Prefix=k.rstrip("/") + "/") for o in p.get("Contents", [])]
    if keys:
        s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in keys]})
def drop_relation_glue(name):
    # clean_up_table, then delete_from_glue_catalog
    t = glue_table(name)
    if t and t.get("StorageDescriptor", {}).get("Location"):
        delete_prefix(t["StorageDescriptor"]["Location"])
    try:
        g.delete_table(CatalogId=catalog_id, DatabaseName=schema, Name=name)
    except botocore.exceptions.ClientError as err:
        assert err.response["Error"]["Code"] == "EntityNotFoundException"
def columns(name):
    t = glue_table(name)
    cols = [c for c in t["StorageDescriptor"]["Columns"] if c.get("Parameters", {}).get("iceberg.field.current") != "false"]
    return [(c["Name"], c["Type"]) for c in cols + t.get("PartitionKeys", [])]
def ctas(name, sql, table_type="hive", partitioned_by=None, location=None):
    location = location or "s3://%s/dbt-data/%s/%s/%s" % (res, schema, name, uuid.uuid4())
    delete_prefix(location)
    lp, pp = ("location", "partitioning") if table_type == "iceberg" else ("external_location", "partitioned_by")
    parts = ",\n      %s=ARRAY%s" % (pp, json.dumps(partitioned_by).replace('"', "'")) if partitioned_by else ""
    return run("""
    create table "awsdatacatalog"."%s"."%s"
    with (
      table_type='%s',
      is_external=%s,
      %s='%s'%s,
      format='parquet'
    )
    as
      %s
""" % (schema, name, table_type, "false" if table_type == "iceberg" else "true", lp, location, parts, sql))

# list_schemas, create_schema, list_relations_without_caching
assert relations() is None
run("create schema if not exists ` + "`" + `%s` + "`" + `" % schema)
assert schema in [d["Name"] for p in g.get_paginator("get_databases").paginate() for d in p["DatabaseList"]]
assert relations() == []
assert glue_table("orders") is None

# A table model (hive), then its classification.
src = '"awsdatacatalog"."%s"."sales"' % db
e, r = ctas("orders", "select id, name, amount, day from %s" % src, partitioned_by=["day"])
assert (not has_sub or e["SubstatementType"] == "CREATE_TABLE_AS_SELECT") and r["UpdateCount"] == 5 and r["ResultSet"]["Rows"] == [], r
run("alter table ` + "`" + `%s` + "`" + `.` + "`" + `orders` + "`" + ` set tblproperties ('classification' = 'parquet')" % schema)
t = glue_table("orders")
assert t["Parameters"]["classification"] == "parquet" and t["TableType"] == "EXTERNAL_TABLE", t
assert columns("orders") == [("id", "int"), ("name", "string"), ("amount", "decimal(10,2)"), ("day", "string")], columns("orders")
e, r = run("SELECT '{\"rowcount\":5}';")
assert relations() == [("orders", "EXTERNAL_TABLE", "")], relations()

# A seed: an OpenCSVSerde table of strings, cast into Parquet by CTAS.
loc = "s3://%s/dbt-seeds/%s/people__dbt_tmp" % (res, schema)
b, k = parse(loc)
s3.put_object(Bucket=b, Key=k + "/people.csv", Body=b'"id","seen"\n"1","2026-11-01 10:00:00"\n"2","01/11/2026 10:00:00"\n"3",""\n')
drop_relation_glue("people__dbt_tmp")
run("""create external table ` + "`" + `%s` + "`" + `.` + "`" + `people__dbt_tmp` + "`" + ` (` + "`" + `id` + "`" + ` string, ` + "`" + `seen` + "`" + ` string)
    row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
    location '%s'
    tblproperties (
      'skip.header.line.count'='1'
    )""" % (schema, loc))
fmts = ['%Y-%m-%d %H:%i:%s', '%Y/%m/%d %H:%i:%s', '%d %M %Y %H:%i:%s', '%d/%m/%Y %H:%i:%s']
seen = "coalesce(%s) as \"seen\"" % ", ".join("try(date_parse(\"seen\", '%s'))" % f for f in fmts)
e, r = ctas("people", "select cast(nullif(\"id\", '') as integer) as \"id\", %s from \"awsdatacatalog\".\"%s\".\"people__dbt_tmp\"" % (seen, schema))
drop_relation_glue("people__dbt_tmp")
e, r = run('select id, seen from "awsdatacatalog"."%s"."people" order by id' % schema)
got = [[d.get("VarCharValue") for d in x["Data"]] for x in r["ResultSet"]["Rows"]]
assert got == [["id", "seen"], ["1", "2026-11-01 10:00:00.000"], ["2", "2026-11-01 10:00:00.000"], ["3", None]], got

# Incremental, append: a __dbt_tmp table, an INSERT with the column list.
drop_relation_glue("orders__dbt_tmp")
ctas("orders__dbt_tmp", "select id + 100 as id, name, amount, day from %s where day = '02'" % src)
cols = ", ".join('"%s"' % c for c, _ in columns("orders"))
e, r = run("""insert into "awsdatacatalog"."%s"."orders" (%s)
    (
       select %s
       from "awsdatacatalog"."%s"."orders__dbt_tmp"
    );""" % (schema, cols, cols, schema))
assert (not has_sub or e["SubstatementType"] == "INSERT") and r["UpdateCount"] == 3, (e, r)
drop_relation_glue("orders__dbt_tmp")
e, r = run('select day, count(*) from "awsdatacatalog"."%s"."orders" group by day order by day' % schema)
assert [[d["VarCharValue"] for d in x["Data"]] for x in r["ResultSet"]["Rows"][1:]] == [["01", "2"], ["02", "6"]], r

# insert_overwrite: the partitions the new rows touch are cleaned through Glue first.
ctas("orders__dbt_tmp", "select id, name, amount, day from %s where day = '02'" % src)
e, r = run('select distinct day from "awsdatacatalog"."%s"."orders__dbt_tmp";' % schema)
days = [x["Data"][0]["VarCharValue"] for x in r["ResultSet"]["Rows"][1:]]
assert days == ["02"], days
parts = g.get_paginator("get_partitions").paginate(CatalogId=catalog_id, DatabaseName=schema, TableName="orders",
    Expression="day='02'", ExcludeColumnSchema=True).build_full_result().get("Partitions")
assert [p["Values"] for p in parts] == [["02"]], parts
for p in parts:
    delete_prefix(p["StorageDescriptor"]["Location"])
    g.delete_partition(CatalogId=catalog_id, DatabaseName=schema, TableName="orders", PartitionValues=p["Values"])
run("""insert into "awsdatacatalog"."%s"."orders" (%s)
    (
       select %s
       from "awsdatacatalog"."%s"."orders__dbt_tmp"
    );""" % (schema, cols, cols, schema))
drop_relation_glue("orders__dbt_tmp")
e, r = run('select day, count(*) from "awsdatacatalog"."%s"."orders" group by day order by day' % schema)
assert [[d["VarCharValue"] for d in x["Data"]] for x in r["ResultSet"]["Rows"][1:]] == [["01", "2"], ["02", "3"]], r

# ha: build orders__ha, swap it into orders through Glue, expire old versions.
drop_relation_glue("orders__ha")
ctas("orders__ha", "select id, name, amount, day from %s where id > 1" % src, partitioned_by=["day"])
srct = g.get_table(CatalogId=catalog_id, DatabaseName=schema, Name="orders__ha")["Table"]
srcp = g.get_paginator("get_partitions").paginate(CatalogId=catalog_id, DatabaseName=schema, TableName="orders__ha").build_full_result().get("Partitions")
dstp = g.get_paginator("get_partitions").paginate(CatalogId=catalog_id, DatabaseName=schema, TableName="orders").build_full_result().get("Partitions")
g.update_table(CatalogId=catalog_id, DatabaseName=schema, TableInput={"Name": "orders", "StorageDescriptor": srct["StorageDescriptor"],
    "PartitionKeys": srct["PartitionKeys"], "TableType": srct["TableType"], "Parameters": srct["Parameters"], "Description": srct.get("Description", "")})
g.batch_delete_partition(CatalogId=catalog_id, DatabaseName=schema, TableName="orders", PartitionsToDelete=[{"Values": p["Values"]} for p in dstp])
r = g.batch_create_partition(CatalogId=catalog_id, DatabaseName=schema, TableName="orders",
    PartitionInputList=[{"Values": p["Values"], "StorageDescriptor": p["StorageDescriptor"], "Parameters": p["Parameters"]} for p in srcp])
assert not r.get("Errors"), r
g.delete_table(CatalogId=catalog_id, DatabaseName=schema, Name="orders__ha")
versions = g.get_paginator("get_table_versions").paginate(DatabaseName=schema, TableName="orders").build_full_result().get("TableVersions")
ordered = sorted(versions, key=lambda v: int(v["Table"]["VersionId"]), reverse=True)
assert len(ordered) >= 2, versions
for v in ordered[1:]:
    g.delete_table_version(CatalogId=catalog_id, DatabaseName=schema, TableName="orders", VersionId=str(v["Table"]["VersionId"]))
assert len(g.get_table_versions(DatabaseName=schema, TableName="orders")["TableVersions"]) == 1
e, r = run('select count(*) from "awsdatacatalog"."%s"."orders"' % schema)
assert r["ResultSet"]["Rows"][1]["Data"][0]["VarCharValue"] == "4", r

# persist_docs: get_table, its TableInput keys, update_table with SkipArchive.
t = glue_table("orders")
keys = ("Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime", "Retention", "StorageDescriptor", "PartitionKeys",
    "ViewOriginalText", "ViewExpandedText", "TableType", "Parameters", "TargetTable", "ViewDefinition")
ti = dict((k, v) for k, v in t.items() if k in keys)
ti["Description"] = "Orders."
ti["Parameters"]["comment"] = "Orders."
ti["StorageDescriptor"]["Columns"][0]["Comment"] = "The id."
g.update_table(CatalogId=catalog_id, DatabaseName=schema, TableInput=ti, SkipArchive=True)
t = glue_table("orders")
assert t["Description"] == "Orders." and t["StorageDescriptor"]["Columns"][0]["Comment"] == "The id.", t
tm = a.get_table_metadata(CatalogName="awsdatacatalog", DatabaseName=schema, TableName="orders")["TableMetadata"]
assert tm["Columns"][0].get("Comment") == "The id.", tm

# A view model, and the catalogue dbt docs reads (get_tables, one page of 100).
run("""create or replace view
    "awsdatacatalog"."%s"."big_orders"
  as
    select id, amount from "awsdatacatalog"."%s"."orders" where amount > 5""" % (schema, schema))
e, r = run('select id from "awsdatacatalog"."%s"."big_orders" order by id' % schema)
assert [x["Data"][0]["VarCharValue"] for x in r["ResultSet"]["Rows"][1:]] == ["3"], r
page = next(iter(g.get_paginator("get_tables").paginate(DatabaseName=schema, MaxResults=100, CatalogId=catalog_id)))
assert sorted((t["Name"], t["TableType"]) for t in page["TableList"]) == [("big_orders", "VIRTUAL_VIEW"), ("orders", "EXTERNAL_TABLE"), ("people", "EXTERNAL_TABLE")], page
run('drop view if exists "awsdatacatalog"."%s"."big_orders"' % schema)

# An Iceberg model: Athena-shaped refusal, nothing left in the catalogue.
try:
    ctas("events", "select id, day from %s" % src, table_type="iceberg", partitioned_by=["day"])
    raise Exception("iceberg accepted")
except OperationalError as err:
    assert err.args[0].startswith("NOT_SUPPORTED: "), err.args
assert glue_table("events") is None

# drop_schema: drop schema if exists ` + "`" + `x` + "`" + ` cascade
run("drop schema if exists ` + "`" + `%s` + "`" + ` cascade" % schema)
assert relations() is None
run("drop schema if exists ` + "`" + `%s` + "`" + ` cascade" % schema)
print("OK")
`
