#!/usr/bin/env bash
# DynamoDB throughput, fogbank beside its peers in one run: moto_server, dynalite and
# kumo (both in memory, no durability). Measured with the common loadgen instrument
# (../shared/loadgen: PutItem and GetItem at 1 and 8 clients) and with
# bench/dynamodb-query (a 1,000-item Query page). "fogbank" runs durable: its own
# data directory, every acknowledged write fsynced; "fogbank-mem" is fogbank
# --ephemeral (in memory, no fsync). "floor" is bench/httpfloor: net/http
# answering with canned responses and doing nothing else (no Query), the ceiling for
# any server built on net/http on this machine. One warm-up round, then ROUNDS
# rounds, a fresh server for each measurement, peers taking turns; prints JSON lines
# and the medians.
#
#   bench/dynamodb.sh [ROUNDS] [SECONDS]     (defaults 3 and 5)
#   PEERS="fogbank fogbank-mem moto dynalite kumo floor" selects servers; KUMO_BIN (built by
#   bench/kumo-build.sh when missing) and DYNALITE_DIR locate them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
DUR=${2:-5}s
PEERS=${PEERS:-fogbank fogbank-mem moto dynalite kumo floor}
. bench/lib.sh
DYNALITE_DIR=${DYNALITE_DIR:-$P/src/dynalite}
need_kumo
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/fogbank" ./cmd/fogbank
go build -o "$work/httpfloor" ./bench/httpfloor
go build -o "$work/ddbquery" ./bench/dynamodb-query
(cd "$LOADGEN_SRC" && go build -o "$work/loadgen" .)

port=4740
serve() { # name -> starts it on $port, sets $pid
  case $1 in
    fogbank)  "$work/fogbank" serve --addr 127.0.0.1:$port --data-dir "$work/data-$RANDOM" --log-level error >/dev/null 2>&1 & ;;
    fogbank-mem) TMPDIR=$work "$work/fogbank" serve --addr 127.0.0.1:$port --ephemeral --log-level error >/dev/null 2>&1 & ;;
    moto)     moto_server -H 127.0.0.1 -p $port >/dev/null 2>&1 & ;;
    dynalite) node "$DYNALITE_DIR/cli.js" --host 127.0.0.1 --port $port >/dev/null 2>&1 & ;;
    floor)    "$work/httpfloor" 127.0.0.1:$port >/dev/null 2>&1 & ;;  # net/http answering, nothing else
    kumo)     KUMO_PORT=$port "$KUMO_BIN" >/dev/null 2>&1 & ;;  # a patched kumo: see bench/RESULTS.md
  esac
  pid=$!
  wait_up "$1"
}

measure() { # name
  local name=$1
  for w in 1 8; do
    serve "$name"
    "$work/loadgen" load -endpoint "http://127.0.0.1:$port" -ops ddbput,ddbget -workers $w -dur "$DUR" -pid "$pid" -tag "$name/w$w" 2>/dev/null
    stopit
  done
  [ "$name" = floor ] && return 0 # it stores nothing to query
  serve "$name"
  "$work/ddbquery" -endpoint "http://127.0.0.1:$port" -workers 1 -dur "$DUR" -tag "$name/w1" 2>/dev/null
  stopit
}

for name in $PEERS; do measure "$name" >/dev/null; done # warm-up
for r in $(seq "$ROUNDS"); do
  for name in $PEERS; do measure "$name" | tee -a "$work/results.jsonl"; done
done

echo
echo "medians over $ROUNDS rounds (ops/s; fogbank durable, fogbank-mem and peers in memory):"
python3 - "$work/results.jsonl" <<'PY'
import json, sys, statistics, collections
v = collections.defaultdict(list)
cpu = collections.defaultdict(list)  # server CPU per op, µs: steadier than ops/s on a shared machine
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    d = json.loads(line); r = d["r"]
    name, w = d["tag"].split("/")
    op = r.get("op")
    v[(name, op, w)].append(r.get("ops_per_s", 0) if r.get("errors", 0) == 0 or r.get("ops", 0) > 0 else 0)
    if r.get("ops") and "server_cpu_s" in r:
        cpu[(name, op, w)].append(r["server_cpu_s"] * 1e6 / r["ops"])
names = []
for (n, _, _) in v:
    if n not in names: names.append(n)
cols = [("ddbput", "w1"), ("ddbget", "w1"), ("ddbput", "w8"), ("ddbget", "w8"), ("ddbquery1000", "w1")]
print("| server | Put 1 client | Get 1 client | Put 8 clients | Get 8 clients | Query 1,000 items (pages/s) |")
print("|---|---|---|---|---|---|")
for n in names:
    cells = []
    for op, w in cols:
        xs = v.get((n, op, w), [])
        cells.append(f"{statistics.median(xs):,.0f}" if xs else "-")
    print(f"| {n} | " + " | ".join(cells) + " |")
print()
print("server CPU per op (µs), medians:")
for n in names:
    cells = []
    for op, w in cols[:4]:
        xs = cpu.get((n, op, w), [])
        cells.append(f"{op} {w}: {statistics.median(xs):.0f}" if xs else f"{op} {w}: -")
    print(f"  {n}: " + ", ".join(cells))
# Ratios to kumo round by round (the peers take turns, so round i of each ran
# close together in time), then their median: steadier than a ratio of medians.
if "kumo" in names:
    print()
    print("ratio to kumo, per round (median):")
    for n in names:
        if n == "kumo":
            continue
        cells = []
        for op, w in cols[:4]:
            rs = [a / b for a, b in zip(v.get((n, op, w), []), v.get(("kumo", op, w), [])) if b]
            if rs:
                cells.append(f"{op} {w} {statistics.median(rs):.2f}x (" + " ".join(f"{x:.2f}" for x in rs) + ")")
        print(f"  {n}: " + ", ".join(cells))
PY
