#!/usr/bin/env bash
# S3 throughput, fogbank beside moto_server and kumo (in memory, no durability) in
# one run, with the common loadgen instrument (../shared/loadgen): 4 KiB PUT and
# GET at 8 clients. Then one 1 GiB PUT and GET per server (bench/s3-big) with the
# server's peak RSS, beside a plain fsynced file copy on the same disk. "fogbank"
# runs durable: its own data directory, every acknowledged PUT fsynced (group
# commit); "fogbank-mem" is fogbank --ephemeral (in memory, no fsync, big bodies in
# temporary files).
# "floor" is bench/httpfloor: net/http answering with canned responses and doing
# nothing else, the ceiling for any server built on net/http on this machine.
# One warm-up round, then ROUNDS rounds, a fresh server for each measurement, peers
# taking turns; prints JSON lines and the medians.
#
#   bench/s3.sh [ROUNDS] [SECONDS]     (defaults 3 and 10)
#   PEERS="fogbank fogbank-mem moto kumo floor" selects servers; KUMO_BIN locates kumo
#   (built by bench/kumo-build.sh when missing); BIG=0 skips 1 GiB.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
DUR=${2:-10}s
PEERS=${PEERS:-fogbank fogbank-mem moto kumo floor}
. bench/lib.sh
need_kumo
BIG=${BIG:-1}
work=$(mktemp -d -p "${BENCH_TMP:-$HOME}")   # on the disk under test, not tmpfs
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/fogbank" ./cmd/fogbank
go build -o "$work/httpfloor" ./bench/httpfloor
go build -o "$work/s3big" ./bench/s3-big
(cd "$LOADGEN_SRC" && go build -o "$work/loadgen" .)

port=4840
serve() { # name -> starts it on $port, sets $pid
  case $1 in
    fogbank) "$work/fogbank" serve --addr 127.0.0.1:$port --data-dir "$work/data-$RANDOM" --log-level error >/dev/null 2>&1 & ;;
    fogbank-mem) TMPDIR=$work "$work/fogbank" serve --addr 127.0.0.1:$port --ephemeral --log-level error >/dev/null 2>&1 & ;;
    moto)    moto_server -H 127.0.0.1 -p $port >/dev/null 2>&1 & ;;
    floor)    "$work/httpfloor" 127.0.0.1:$port >/dev/null 2>&1 & ;;  # net/http answering, nothing else
    kumo)    KUMO_PORT=$port "$KUMO_BIN" >/dev/null 2>&1 & ;;  # a patched kumo: see bench/RESULTS.md
  esac
  pid=$!
  wait_up "$1"
}

measure() { # name
  serve "$1"
  "$work/loadgen" load -endpoint "http://127.0.0.1:$port" -ops s3put,s3get -workers 8 -dur "$DUR" -pid "$pid" -tag "$1/w8" 2>/dev/null
  stopit
}

for name in $PEERS; do measure "$name" >/dev/null; done # warm-up
for r in $(seq "$ROUNDS"); do
  for name in $PEERS; do measure "$name" | tee -a "$work/results.jsonl"; done
done
if [ "$BIG" = 1 ]; then
  for name in $PEERS; do
    [ "$name" = moto ] || [ "$name" = floor ] && continue # moto holds bodies in memory in Python: minutes per GiB
    serve "$name"
    "$work/s3big" -endpoint "http://127.0.0.1:$port" -pid "$pid" -dir "$work" -tag "$name" | tee -a "$work/big.jsonl"
    stopit
  done
fi

echo
echo "medians over $ROUNDS rounds (4 KiB objects, 8 clients, ops/s; fogbank durable, fogbank-mem and peers in memory):"
python3 - "$work/results.jsonl" "$work/big.jsonl" <<'PY'
import json, os, sys, statistics, collections
v = collections.defaultdict(list)
cpu = collections.defaultdict(list)  # server CPU per op, µs: steadier than ops/s on a shared machine
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    d = json.loads(line); r = d.get("r", d)
    name = d["tag"].split("/")[0]
    v[(name, r.get("op"))].append(r.get("ops_per_s", 0))
    if r.get("ops"):
        cpu[(name, r.get("op"))].append(r.get("server_cpu_s", 0) * 1e6 / r["ops"])
names = []
for (n, _) in v:
    if n not in names: names.append(n)
med = lambda xs: statistics.median(xs) if xs else 0
for n in names:
    print("%-11s PUT %8.0f   GET %8.0f   server CPU per op: PUT %4.0f µs  GET %4.0f µs" % (n,
        med(v[(n, "s3put")]), med(v[(n, "s3get")]), med(cpu[(n, "s3put")]), med(cpu[(n, "s3get")])))
# Ratios to kumo round by round (the peers take turns, so round i of each ran
# close together in time), then their median: steadier than a ratio of medians.
if "kumo" in names:
    print("ratio to kumo, per round (median):")
    for n in names:
        if n == "kumo":
            continue
        cells = []
        for op in ("s3put", "s3get"):
            rs = [a / b for a, b in zip(v[(n, op)], v[("kumo", op)]) if b]
            cells.append("%s %s (%s)" % (op[2:].upper(), "%.2fx" % med(rs) if rs else "-", " ".join("%.2f" % x for x in rs)))
        print("  %-11s %s" % (n, "   ".join(cells)))
if os.path.exists(sys.argv[2]):
    print("1 GiB PUT / GET:")
    for line in open(sys.argv[2]):
        d = json.loads(line)
        print("  %-11s PUT %6.0f MB/s  GET %6.0f MB/s  peak RSS %7.1f MiB  (plain fsynced copy %s MB/s)%s" % (d["tag"],
            d.get("put_MBps", 0), d.get("get_MBps", 0), d.get("rss_peak_MiB", 0), "%.0f" % d["copy_MBps"] if "copy_MBps" in d else "-",
            "  ERROR " + d["error"] if "error" in d else ""))
        if d["tag"] == "fogbank-mem":
            print("  --ephemeral peak RSS goal (< 64 MiB): %s" % ("met" if d.get("rss_peak_MiB", 1e9) < 64 and "error" not in d else "MISSED"))
PY
