#!/usr/bin/env bash
# The throughput cost of --enforce-iam on S3 GetObject at 8 clients (goal ≤ 10%).
# fogbank --ephemeral runs twice per round, without and with --enforce-iam
# (taking turns, a fresh server each time); the caller is the same IAM user
# in both, holding five policies (bench/iam-s3: three AWS managed, one customer
# managed of 10 statements, one inline Deny), GETting 4 KiB objects. Without
# enforcement the user's key is still known and its signature checked, so the
# difference is the policy check alone. One warm-up round, then ROUNDS rounds
# (which of the two goes first alternates);
# the cost is the median over rounds of 1 - enforced/plain ops/s, and of the
# server CPU per GET.
#
#   bench/iam.sh [ROUNDS] [SECONDS]     (defaults 5 and 10)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
DUR=${2:-10}s
. bench/lib.sh
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/fogbank" ./cmd/fogbank
go build -o "$work/iam-s3" ./bench/iam-s3

port=4940
serve() { # name -> starts it on $port, sets $pid
  local flag=--enforce-iam=off
  [ "$1" = enforced ] && flag=--enforce-iam
  TMPDIR=$work "$work/fogbank" serve --addr 127.0.0.1:$port --ephemeral $flag --log-level error >/dev/null 2>&1 &
  pid=$!
  wait_up "$1"
}
measure() { # name
  serve "$1"
  "$work/iam-s3" -endpoint "http://127.0.0.1:$port" -workers 8 -dur "$DUR" -pid "$pid" -tag "$1"
  stopit
}

uptime
for name in plain enforced; do measure "$name" >/dev/null; done # warm-up
for r in $(seq "$ROUNDS"); do
  order="plain enforced"
  [ $((r % 2)) = 0 ] && order="enforced plain" # the second of a pair is not always the same one
  for name in $order; do measure "$name" | tee -a "$work/results.jsonl"; done
done
uptime

echo
echo "medians over $ROUNDS rounds (S3 GetObject of 4 KiB, 8 clients, an IAM user with 5 policies):"
python3 - "$work/results.jsonl" <<'PY'
import json, sys, statistics, collections
ops = collections.defaultdict(list); cpu = collections.defaultdict(list); errs = collections.defaultdict(int)
for line in open(sys.argv[1]):
    d = json.loads(line); r = d["r"]
    ops[d["tag"]].append(r["ops_per_s"])
    cpu[d["tag"]].append(r["server_cpu_s"] * 1e6 / max(r["ops"], 1))
    errs[d["tag"]] += r["errors"]
    if r["put_refused"] != (d["tag"] == "enforced"):
        sys.exit("%s: PutObject by the user %s" % (d["tag"], "allowed: not enforcing" if d["tag"] == "enforced" else "refused"))
med = statistics.median
for n in ("plain", "enforced"):
    print("%-9s GET %7.0f ops/s   server CPU per GET %5.1f µs   errors %d" % (n, med(ops[n]), med(cpu[n]), errs[n]))
cost = [1 - e / p for p, e in zip(ops["plain"], ops["enforced"]) if p]
cpuc = [e / p - 1 for p, e in zip(cpu["plain"], cpu["enforced"]) if p]
print("throughput cost of --enforce-iam, per round: %s; median %.1f%% (goal <= 10%%: %s)" % (
    " ".join("%.1f%%" % (100 * c) for c in cost), 100 * med(cost), "met" if med(cost) <= 0.10 else "MISSED"))
print("server CPU per GET added, per round: %s; median %.1f%%" % (" ".join("%.1f%%" % (100 * c) for c in cpuc), 100 * med(cpuc)))
PY
