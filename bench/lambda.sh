#!/bin/sh
# bench/lambda.sh [N] — fogbank's Lambda: warm invoke round trips beside a plain
# HTTP echo, cold starts of Python and Node, 50 concurrent invokes of a 100 ms
# handler (bench/lambda/main.go). Starts its own fogbank --ephemeral on a free
# port (its log to $LAMBDA_BENCH_LOG if set); builds the aws-lambda-go echo
# bootstrap of bench/lambda/goecho too. First, the first invoke a new user
# sees: on fogbanks the bench starts itself, right after create-function and
# right after a restart with the functions stored.
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000}
[ $# -gt 0 ] && shift
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/fogbank" ./cmd/fogbank
(cd bench/lambda/goecho && GOOS=linux CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off go build -o "$work/bootstrap" .)
(cd "$work" && zip -q go.zip bootstrap)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/fogbank" serve --ephemeral --addr 127.0.0.1:$port --log-level warn 2>"${LAMBDA_BENCH_LOG:-$work/log}" &
pid=$!
for i in $(seq 100); do curl -fs http://127.0.0.1:$port/_fogbank/health >/dev/null && break; sleep 0.05; done
go run ./bench/lambda -endpoint http://127.0.0.1:$port -n "$N" -gobootstrap "$work/go.zip" -fogbank "$work/fogbank" "$@"
