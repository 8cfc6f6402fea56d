"""Driven by bench/athena-tpch.sh: TPC-H through Athena against DuckDB alone."""
import json, os, re, socket, subprocess, sys, time, csv, io
import boto3

work, qdir = sys.argv[1], sys.argv[2]
engine = os.path.join(work, "fogbank-sql")

SCHEMA = {
    "region": [("r_regionkey", "INTEGER"), ("r_name", "VARCHAR"), ("r_comment", "VARCHAR")],
    "nation": [("n_nationkey", "INTEGER"), ("n_name", "VARCHAR"), ("n_regionkey", "INTEGER"), ("n_comment", "VARCHAR")],
    "supplier": [("s_suppkey", "BIGINT"), ("s_name", "VARCHAR"), ("s_address", "VARCHAR"), ("s_nationkey", "INTEGER"),
                 ("s_phone", "VARCHAR"), ("s_acctbal", "DECIMAL(15,2)"), ("s_comment", "VARCHAR")],
    "customer": [("c_custkey", "BIGINT"), ("c_name", "VARCHAR"), ("c_address", "VARCHAR"), ("c_nationkey", "INTEGER"),
                 ("c_phone", "VARCHAR"), ("c_acctbal", "DECIMAL(15,2)"), ("c_mktsegment", "VARCHAR"), ("c_comment", "VARCHAR")],
    "part": [("p_partkey", "BIGINT"), ("p_name", "VARCHAR"), ("p_mfgr", "VARCHAR"), ("p_brand", "VARCHAR"), ("p_type", "VARCHAR"),
             ("p_size", "INTEGER"), ("p_container", "VARCHAR"), ("p_retailprice", "DECIMAL(15,2)"), ("p_comment", "VARCHAR")],
    "partsupp": [("ps_partkey", "BIGINT"), ("ps_suppkey", "BIGINT"), ("ps_availqty", "INTEGER"), ("ps_supplycost", "DECIMAL(15,2)"),
                 ("ps_comment", "VARCHAR")],
    "orders": [("o_orderkey", "BIGINT"), ("o_custkey", "BIGINT"), ("o_orderstatus", "VARCHAR"), ("o_totalprice", "DECIMAL(15,2)"),
               ("o_orderdate", "DATE"), ("o_orderpriority", "VARCHAR"), ("o_clerk", "VARCHAR"), ("o_shippriority", "INTEGER"),
               ("o_comment", "VARCHAR")],
    "lineitem": [("l_orderkey", "BIGINT"), ("l_partkey", "BIGINT"), ("l_suppkey", "BIGINT"), ("l_linenumber", "INTEGER"),
                 ("l_quantity", "DECIMAL(15,2)"), ("l_extendedprice", "DECIMAL(15,2)"), ("l_discount", "DECIMAL(15,2)"),
                 ("l_tax", "DECIMAL(15,2)"), ("l_returnflag", "VARCHAR"), ("l_linestatus", "VARCHAR"), ("l_shipdate", "DATE"),
                 ("l_commitdate", "DATE"), ("l_receiptdate", "DATE"), ("l_shipinstruct", "VARCHAR"), ("l_shipmode", "VARCHAR"),
                 ("l_comment", "VARCHAR")],
}
GLUE = {"INTEGER": "int", "BIGINT": "bigint", "VARCHAR": "string", "DATE": "date", "DECIMAL(15,2)": "decimal(15,2)"}


class Engine:
    """The engine program alone, spoken to over its stdin protocol."""
    def __init__(self):
        self.p = subprocess.Popen([engine], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.n = 0

    def run(self, req):
        self.n += 1
        req["id"] = self.n
        self.p.stdin.write(json.dumps(req) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def pq(t):
    return os.path.join(work, "parquet", t + ".parquet")


# Parquet, once.
eng = Engine()
for t, cols in SCHEMA.items():
    if os.path.exists(pq(t)):
        continue
    spec = ", ".join("'%s': '%s'" % c for c in cols)
    r = eng.run({"op": "exec", "sql": "COPY (SELECT * FROM read_csv('%s', delim='|', header=false, quote='', columns={%s})) TO '%s' (FORMAT parquet, COMPRESSION snappy)"
                 % (os.path.join(work, "tbl", t + ".tbl"), spec, pq(t))})
    assert not r.get("error"), r
# Compressed bytes per column, for DataScannedInBytes against the columns read.
colbytes = {}
for t in SCHEMA:
    out = os.path.join(work, "meta-%s.csv" % t)
    r = eng.run({"op": "query", "sql": "SELECT path_in_schema, sum(total_compressed_size) FROM parquet_metadata('%s') GROUP BY 1" % pq(t), "csv": out})
    assert not r.get("error"), r
    for row in list(csv.reader(open(out)))[1:]:
        colbytes[row[0]] = int(row[1])

# fogbank, with the same engine program.
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
url = "http://127.0.0.1:%d" % port
env = dict(os.environ, FOGBANK_SQL_ENGINE=engine, GOGC=os.environ.get("GOGC", ""))
if not env["GOGC"]:
    del env["GOGC"]
fb = subprocess.Popen([os.path.join(work, "fogbank"), "--ephemeral", "--addr", "127.0.0.1:%d" % port, "--log-level", "warn"], env=env,
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port)).close(); break
    except OSError:
        time.sleep(0.05)
s3, athena = boto3.client("s3", **kw), boto3.client("athena", **kw)
s3.create_bucket(Bucket="tpch"); s3.create_bucket(Bucket="results")
for t in SCHEMA:
    with open(pq(t), "rb") as f:  # one PUT each: one blob file, read in place
        s3.put_object(Bucket="tpch", Key="%s/%s.parquet" % (t, t), Body=f)


def run(q, db="tpch"):
    t0 = time.time()
    qid = athena.start_query_execution(QueryString=q, QueryExecutionContext={"Database": db},
                                       ResultConfiguration={"OutputLocation": "s3://results/"})["QueryExecutionId"]
    while True:
        e = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if e["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.005)
    assert e["Status"]["State"] == "SUCCEEDED", (q, e["Status"])
    rows = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        rows += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
    return time.time() - t0, rows[1:], e["Statistics"]


run("CREATE DATABASE tpch", "default")
for t, cols in SCHEMA.items():
    run("CREATE EXTERNAL TABLE %s (%s) STORED AS PARQUET LOCATION 's3://tpch/%s/'"
        % (t, ", ".join("%s %s" % (c, GLUE[ty]) for c, ty in cols), t))
run("SELECT count(*) FROM region")  # the engine is up

views = ["CREATE VIEW %s AS SELECT * FROM read_parquet('%s')" % (t, pq(t)) for t in SCHEMA]


def duck(q):
    out = os.path.join(work, "duck.csv")
    t0 = time.time()
    r = eng.run({"op": "query", "setup": views, "sql": q, "csv": out})
    dt = time.time() - t0
    assert not r.get("error"), (q, r)
    rows = list(csv.reader(open(out)))[1:]
    return dt, rows


def same(a, b):
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b):
        for x, y in zip(ra, rb):
            if x == y:
                continue
            try:
                fx, fy = float(x), float(y)
            except (TypeError, ValueError):
                return False
            if abs(fx - fy) > 1e-9 * max(1, abs(fx), abs(fy)):
                return False
    return True


print("| query | Athena API (ms) | DuckDB alone (ms) | ratio | rows | same rows | DataScannedInBytes | bytes of the columns named |")
print("|---|---:|---:|---:|---:|---|---:|---:|")
tot_a = tot_d = 0.0
scanned_all = named_all = 0
for n in range(1, 23):
    q = open(os.path.join(qdir, "q%02d.sql" % n)).read()
    da, rows_a, st = run(q)
    dd, rows_d = duck(q)
    idents = set(re.findall(r"[a-z_]+", q.lower()))
    named = sum(b for c, b in colbytes.items() if c in idents)
    tot_a += da; tot_d += dd
    scanned_all += st["DataScannedInBytes"]; named_all += named
    print("| Q%d | %.0f | %.0f | %.2f | %d | %s | %d | %d |" % (n, da * 1000, dd * 1000, da / dd, len(rows_a),
          "yes" if same(rows_a, rows_d) else "**no**", st["DataScannedInBytes"], named))
print("| total | %.0f | %.0f | %.2f | | | %d | %d |" % (tot_a * 1000, tot_d * 1000, tot_a / tot_d, scanned_all, named_all))


def hwm(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmHWM"):
                return line.split()[1] + " kB"
    except OSError:
        return "?"


kids = subprocess.run(["ps", "-o", "pid=", "--ppid", str(fb.pid)], capture_output=True, text=True).stdout.split()
print()
print("Peak RSS: fogbank %s, its engine %s; the engine alone %s." % (hwm(fb.pid), ", ".join(hwm(int(k)) for k in kids) or "?", hwm(eng.p.pid)))
fb.terminate(); fb.wait()
eng.close()
