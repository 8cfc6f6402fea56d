#!/usr/bin/env bash
# Start-up time (process start → first answered S3 ListBuckets) and idle RSS, fogbank
# beside kumo and moto_server in the same run, measured with the common loadgen
# instrument (../shared/loadgen). One warm-up, then ROUNDS rounds, a fresh server each
# time, peers taking turns; prints each measurement and the medians, then checks the
# goals and exits 1 when one is missed: fogbank starts faster than kumo, and idles in
# at most 15 MiB.
#
#   bench/startup.sh [ROUNDS]        (default 5)
#   PEERS="fogbank kumo moto" selects servers; KUMO_BIN locates kumo (built by
#   bench/kumo-build.sh when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
PEERS=${PEERS:-fogbank kumo moto}
. bench/lib.sh
need_kumo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Built as the README runs it: without cgo (the server needs none; with it, libc
# and ld.so add ~1.5 MiB of resident pages).
CGO_ENABLED=0 go build -o "$work/fogbank" ./cmd/fogbank
(cd "$LOADGEN_SRC" && go build -o "$work/loadgen" .)

run() { # tag port cmd...
  local tag=$1 port=$2; shift 2
  "$work/loadgen" start -endpoint "http://127.0.0.1:$port" -tag "$tag" -- "$@"
}
start() { # name
  case $1 in
    fogbank) run fogbank 4601 "$work/fogbank" serve --addr 127.0.0.1:4601 --data-dir "$work/data-$RANDOM" --log-level warn ;;
    moto)    run moto 4602 moto_server -H 127.0.0.1 -p 4602 ;;
    kumo)    run kumo 4603 env KUMO_PORT=4603 "$KUMO_BIN" ;;  # a patched kumo: see bench/kumo-build.sh
  esac
}

for name in $PEERS; do start "$name" >/dev/null; done # warm-up: page cache, Python bytecode
for i in $(seq "$ROUNDS"); do
  for name in $PEERS; do start "$name" | tee -a "$work/results.jsonl"; done
done

# What package initialisation allocates before main (GODEBUG=inittrace=1): maps,
# tables and regexps built at start whether or not a request ever needs them.
# Every service should build its tables on first use; this figure shows one that
# does not.
GODEBUG=inittrace=1 "$work/fogbank" version 2>"$work/inittrace" >/dev/null || true
awk '/^init/ {b += $8; n += $10; if ($8 > 8192) big = big sprintf(" %s %.0f KiB;", $2, $8/1024)}
  END {printf "package init: %.0f KiB allocated in %d allocations; over 8 KiB:%s\n", b/1024, n, big}' "$work/inittrace"

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
f = med.get("fogbank")
for peer in ("kumo", "moto"):
    if f and peer in med:
        m = med[peer]
        print(f"fogbank starts {m[0]/f[0]:.1f}x faster than {peer} and idles in {f[1]/m[1]:.2f}x its memory")
ok = True
if f and "kumo" in med:
    if f[0] < med["kumo"][0] and min(r["startup_ms"] for r in by["fogbank"]) > 0:
        print(f"check: start-up faster than kumo's: met ({f[0]:.1f} < {med['kumo'][0]:.1f} ms)")
    else:
        print(f"check: start-up faster than kumo's: MISSED ({f[0]:.1f} against {med['kumo'][0]:.1f} ms)")
        ok = False
if f:
    if f[1] <= 15:
        print(f"check: idle RSS at most 15 MiB: met ({f[1]:.1f} MiB)")
    else:
        print(f"check: idle RSS at most 15 MiB: MISSED ({f[1]:.1f} MiB)")
        ok = False
sys.exit(0 if ok else 1)
PY
