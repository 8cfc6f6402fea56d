#!/usr/bin/env bash
# Start-up time (process start → first answered S3 ListBuckets) and idle RSS, fogbank
# beside moto_server in the same run, measured with the common loadgen instrument
# (/work/shared/loadgen). One warm-up, then ROUNDS rounds, a fresh server each time,
# peers taking turns; prints each measurement and the medians.
#
#   bench/startup.sh [ROUNDS]        (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
LOADGEN_SRC=${LOADGEN_SRC:-/work/shared/loadgen}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/fogbank" ./cmd/fogbank
(cd "$LOADGEN_SRC" && go build -o "$work/loadgen" .)

run() { # tag port cmd...
  local tag=$1 port=$2; shift 2
  "$work/loadgen" start -endpoint "http://127.0.0.1:$port" -tag "$tag" -- "$@"
}
fog() { run fogbank 4601 "$work/fogbank" serve --addr 127.0.0.1:4601 --data-dir "$work/data-$RANDOM" --log-level warn; }
moto() { run moto 4602 moto_server -H 127.0.0.1 -p 4602; }

fog >/dev/null; moto >/dev/null # warm-up: page cache, Python bytecode
for i in $(seq "$ROUNDS"); do
  fog | tee -a "$work/results.jsonl"
  moto | tee -a "$work/results.jsonl"
done

python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault(r["tag"], []).append(r)
med = {}
for tag, rs in by.items():
    ms = statistics.median(r["startup_ms"] for r in rs)
    rss = statistics.median(r["rss_kb_idle"] for r in rs) / 1024
    med[tag] = (ms, rss)
    print(f"{tag:8s} start→first answer {ms:7.1f} ms   idle RSS {rss:6.1f} MiB   (median of {len(rs)})")
if "fogbank" in med and "moto" in med:
    f, m = med["fogbank"], med["moto"]
    print(f"fogbank starts {m[0]/f[0]:.0f}x faster than moto and idles in {f[1]/m[1]:.2f}x its memory")
PY
