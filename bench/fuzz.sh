#!/usr/bin/env bash
# Runs every decoder's fuzz target, one after the other, each for SECONDS
# (default 60) on one worker (-parallel 1: the machine is shared), and prints
# one line per target: its name, the executions, and new corpus entries.
# Findings land in the package's testdata/fuzz/<Target>/, where go test replays
# them from then on: check them in with their fix. With CORPUS=1 the inputs the
# fuzzer found interesting (kept in go's cache) are copied there too, to be
# checked in as the corpus that the next run and every go test start from.
#
# Minimisation is bounded to MINIMIZE (default 5s) per input. Go minimises
# every new interesting input in the worker, by trying to remove each byte and
# then each span of bytes: O(n^2) calls of the target for an input of n bytes,
# reported only when done. With the default bound (60s) and one worker, one
# 1.5 KB input of the JSON parser (a string of 0xAE bytes) stopped all fuzzing
# for the rest of a 60 s run, which then showed 0 execs/s: the parser took
# ~250 us a call, the minimiser wanted ~10^6 calls.
#
#   bench/fuzz.sh [SECONDS] [TARGET_REGEXP]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
MINIMIZE=${MINIMIZE:-5s}
ONLY=${2:-.}
targets=(
  "./internal/protocol/xmlbody FuzzDecodeXML"
  "./internal/protocol/restxml FuzzDecodeRestXML"
  "./internal/protocol/jsonbody FuzzParse"
  "./internal/protocol/jsonbody FuzzDecodeJSONBody"
  "./internal/protocol/jsonrpc FuzzDecodeJSON"
  "./internal/protocol/restjson FuzzDecodeRESTJSON"
  "./internal/protocol/cbor FuzzDecodeCBOR"
  "./internal/protocol/rpcv2cbor FuzzDecodeRPCv2CBOR"
  "./internal/protocol/query FuzzDecodeQuery"
  "./internal/services/dynamodb/expr FuzzExpressions"
  "./internal/auth FuzzChunkedReader"
)
status=0
for t in "${targets[@]}"; do
  set -- $t
  pkg=$1 name=$2
  [[ "$name" =~ $ONLY ]] || continue
  log=$(mktemp)
  if go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "${SECS}s" -fuzzminimizetime "$MINIMIZE" -parallel 1 >"$log" 2>&1; then
    result=ok
  else
    result=FAIL
    status=1
  fi
  # The last progress line: "fuzz: elapsed: 1m0s, execs: 123456 (2057/sec), new interesting: 12 (total: 40)".
  last=$(grep -E '^fuzz: elapsed' "$log" | tail -1 | sed 's/^fuzz: //')
  printf '%-22s %-34s %s  %s\n' "$name" "$pkg" "$result" "$last"
  if [ "$result" = FAIL ]; then sed -n '1,60p' "$log"; fi
  if [ "${CORPUS:-0}" = 1 ]; then
    cache="$(go env GOCACHE)/fuzz/github.com/fogbank/fogbank/${pkg#./}/$name"
    if [ -d "$cache" ]; then
      mkdir -p "$pkg/testdata/fuzz/$name"
      cp -n "$cache"/* "$pkg/testdata/fuzz/$name/" 2>/dev/null || true
    fi
  fi
  rm -f "$log"
done
exit $status
