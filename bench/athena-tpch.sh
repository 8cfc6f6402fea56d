#!/usr/bin/env bash
# TPC-H through Athena against DuckDB alone on the same Parquet files.
#
# Generates TPC-H at scale factor SF (default 1) with bench/tpchgen (go-tpc's
# port of TPC's dbgen), converts it to Parquet with fogbank's SQL engine,
# PUTs the files into a fogbank, declares the tables with Athena DDL, and runs
# the 22 queries of bench/tpch/ (Athena's dialect) through the Athena API
# (boto3: start, poll, every page of get-query-results), then the same query
# texts on the same files in the engine program alone (DuckDB, no fogbank).
# Prints a Markdown table: per query, both times, the ratio, whether the rows
# agree, DataScannedInBytes against the compressed bytes of the columns the
# query names, and the peak RSS of fogbank and of the engine.
#
# WORK (default ~/.cache/fogbank-tpch) keeps the generated files between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SF=${SF:-1}
WORK=${WORK:-$HOME/.cache/fogbank-tpch}/sf$SF
mkdir -p "$WORK/tbl" "$WORK/parquet"
go build -o "$WORK/fogbank" ./cmd/fogbank
go build -tags fogbank_engine -o "$WORK/fogbank-sql" ./internal/sqlengine/engine
if [ ! -s "$WORK/tbl/lineitem.tbl" ]; then
  (cd bench/tpchgen && go run . -sf "$SF" -dir "$WORK/tbl")
fi
exec python3 bench/athena_tpch.py "$WORK" bench/tpch
