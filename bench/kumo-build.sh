#!/usr/bin/env bash
# Builds kumo (github.com/sivchari/kumo, the repository sivchari/awsim), the in-memory
# Go peer of the benchmarks, from its source in $PEERS_WORK/src/kumo into
# $PEERS_WORK/bin/kumo (default PEERS_WORK: ~/.cache/fogbank-peers). Upstream listens
# on 0.0.0.0:4566 whatever its flags say; the build patches a copy of the source to
# listen on 127.0.0.1 and read the port from KUMO_PORT, so that the benchmarks can
# start one per measurement on a port of their choosing. None of kumo's code is kept
# in this repository. Does nothing when the binary exists (-f rebuilds).
#
#   bench/kumo-build.sh [-f]
set -euo pipefail
P=${PEERS_WORK:-$HOME/.cache/fogbank-peers}
SRC=${KUMO_SRC:-$P/src/kumo}
OUT=${KUMO_BIN:-$P/bin/kumo}
if [ -x "$OUT" ] && [ "${1:-}" != -f ]; then exit 0; fi
if [ ! -f "$SRC/internal/server/server.go" ]; then
  echo "kumo-build: no kumo source in $SRC; fetch github sivchari/awsim and unpack it there (see ../shared/peers/README.md)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$SRC/." "$tmp/"
srv=$tmp/internal/server/server.go
sed -i -E -e 's/^(\s*Host:\s*)"0\.0\.0\.0",/\1"127.0.0.1",/' -e 's/^(\s*Port:\s*)4566,/\1kumoPort(),/' "$srv"
cat >>"$srv" <<'GO'

// kumoPort is KUMO_PORT, or 4566 (added by fogbank's bench/kumo-build.sh).
func kumoPort() int {
	p := 4566
	fmt.Sscan(os.Getenv("KUMO_PORT"), &p)
	return p
}
GO
if ! grep -q '"127.0.0.1",' "$srv" || ! grep -q 'Port: *kumoPort(),' "$srv"; then
  echo "kumo-build: the patch no longer applies to $SRC/internal/server/server.go (DefaultConfig changed?)" >&2
  exit 1
fi
mkdir -p "$(dirname "$OUT")"
echo "kumo-build: building $OUT from $SRC" >&2
(cd "$tmp" && GOFLAGS=-mod=mod go build -trimpath -o "$OUT" ./cmd/kumo)
