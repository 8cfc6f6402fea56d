#!/usr/bin/env bash
# ceph/s3-tests against a fresh, ephemeral fogbank, with the identities
# docs/s3-tests-failures.md describes: main user = fogbank's test/test key (account
# 000000000000), alt user = key 222222222222 (a second account), user ids set to the
# canonical ids fogbank reports. Extra arguments go to pytest (e.g. -k multipart).
#
#   bench/s3-tests.sh [PORT] [pytest args...]     (PORT default 5731)
# The suite's source must be unpacked as ../shared/peers/README.md says.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-5731}
shift || true
. bench/lib.sh
work=$(mktemp -d)
go build -o "$work/fogbank" ./cmd/fogbank
# The CORS tests send foreign Origins ("http://www.example.com"), which fogbank
# refuses by default; S3 then answers them from the bucket's CORS rules.
"$work/fogbank" serve --ephemeral --addr "127.0.0.1:$PORT" --log-level warn --cors-origins '*' >"$work/fogbank.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 1
export S3T_MAIN_AK=test S3T_MAIN_SK=test \
  S3T_MAIN_USER_ID=e945370314d470bd6e67741b66bce78db87bdc648448ebc6b0c614e953152ad4 S3T_MAIN_DISPLAY_NAME=fogbank-000000000000 \
  S3T_ALT_AK=222222222222 S3T_ALT_SK=altsecretaltsecretaltsecretaltsecret0000 \
  S3T_ALT_USER_ID=eea85a7cad8e5e4c1dad289fa0b59b54f295c45ed073945118d69ec2903ce787 S3T_ALT_DISPLAY_NAME=fogbank-222222222222
"$SHARED/peers/run-s3-tests.sh" "http://127.0.0.1:$PORT" "$@"
