// Package athena implements Amazon Athena: SQL over the objects in fogbank's
// S3, with the Glue Data Catalog (the glue service, found with host.Lookup by
// the Catalog interface) as its metastore and DuckDB, in a process of its own
// (internal/sqlengine), as its engine.
//
// A query runs as Athena runs one: StartQueryExecution answers an id at once
// (QUEUED: at most four queries run at once, the others wait their turn), a
// goroutine runs it (RUNNING) and records SUCCEEDED, FAILED (with
// AthenaError's category and type and Athena's wording: "SYNTAX_ERROR: line
// 1:8: ...", "TABLE_NOT_FOUND", "COLUMN_NOT_FOUND", "HIVE_BAD_DATA") or
// CANCELLED (StopQueryExecution, or the work group's
// BytesScannedCutoffPerQuery: "Bytes scanned limit was exceeded", with the
// cutoff as DataScannedInBytes, as Athena reports it). A statement running
// past Athena's "DML query timeout" quota (30 minutes;
// FOGBANK_ATHENA_QUERY_TIMEOUT, a Go duration, changes it) FAILS with "Query
// timeout" (category 1, type 206, not retryable); DDL's quota is 600
// minutes. The rows are written to the output location
// as Athena writes them: <id>.csv (every value quoted, NULL empty) and
// <id>.csv.metadata for SELECT and CTAS, <id>.txt for DDL and SHOW; and
// GetQueryResults pages through that object in S3 (NextToken is an offset in
// it), with the header row first for SELECT and Athena's type names.
//
// For a SELECT, every identifier that names a table of the catalogue (db.t,
// or t in the query's database) becomes a view in the query's own DuckDB
// database over its objects: S3's ObjectFiles gives each object's own blob
// file (held until the query ends; small and multipart objects are written to
// the query's scratch directory), linked under a Hive-style tree
// (k=v/k2=v2/...) built from the catalogue's partitions, so nothing is copied
// and the engine prunes partitions. Equalities and IN lists on partition keys
// in a WHERE with no OR or NOT prune partitions before any file is listed.
// DataScannedInBytes counts, as Athena does, the Parquet columns the query
// names (their compressed sizes, summed from the files' footers, which
// fogbank reads itself; the engine only when a footer cannot be read) and
// CSV and JSON objects whole. CSV
// tables (LazySimpleSerDe with field.delim, OpenCSVSerde, skip.header.line.count)
// read every column as text and TRY_CAST it to the declared type, as Hive
// gives NULL for what does not parse; JSON-lines tables read with the declared
// types; Parquet tables by column name.
//
// DDL lands in the Glue catalogue, never in the engine: CREATE
// DATABASE/SCHEMA, CREATE EXTERNAL TABLE (columns, PARTITIONED BY, ROW FORMAT
// DELIMITED/SERDE, WITH SERDEPROPERTIES, STORED AS, LOCATION, TBLPROPERTIES),
// DROP TABLE, MSCK REPAIR TABLE, ALTER TABLE ADD/DROP PARTITION, CREATE TABLE
// AS SELECT (format PARQUET, JSON or TEXTFILE, partitioned_by, written to
// external_location or <output>/tables/<id>/), INSERT INTO (new files in the
// table's format, new partitions for partitioned tables), UNLOAD (to an empty
// location, as Athena demands), each with its <id>-manifest.csv of the files
// written; SHOW DATABASES/TABLES/PARTITIONS/COLUMNS/CREATE TABLE, DESCRIBE. PREPARE/EXECUTE/DEALLOCATE and the prepared-statement API
// share the work group's statements; ExecutionParameters replace the ?s.
//
// Trino functions are bridged by renaming and macros (trino.go): date_parse,
// date_format, parse_datetime and format_datetime (Joda patterns, when the
// pattern is a literal), from_unixtime (a timestamp with time zone), to_unixtime, from_iso8601_timestamp/date,
// to_iso8601, date, date_add, regexp_like, regexp_extract (NULL on no match),
// regexp_replace (every match, $1 back references), json_extract_scalar,
// json_parse, json_format, cardinality (arrays), element_at, approx_distinct,
// approx_percentile, arbitrary, array_join, array_distinct, slice, contains,
// sequence, transform, filter, map_agg, day_of_week, day_of_year, millisecond,
// url_extract_*, format, levenshtein_distance, to_utf8/from_utf8, is_nan;
// integers divide as integers. CROSS JOIN UNNEST, WITH, window functions,
// intervals, try, ARRAY[...] and ROW(...) are the same in both. Values print
// as Trino prints them (timestamps with milliseconds, "... UTC" for time zones,
// varbinary as spaced hex, [..] and {k=v} for nested values).
//
// Rows stream: the engine writes them with COPY (see internal/sqlengine), so a
// result of any size costs neither process memory; one over 5 GiB goes up in
// parts and lands as one object, as Athena's does. ResultReuseByAgeConfiguration
// answers a repeated SELECT with the earlier result.
//
// Parquet tables are read by column name against each file's footer, as Hive
// reads them: a column no file has is NULL, a narrower integer or float is
// widened, a type that does not fit is HIVE_BAD_DATA naming the file.
//
// Views: CREATE [OR REPLACE] VIEW, DROP VIEW, SHOW VIEWS; a view is a
// VIRTUAL_VIEW table whose ViewOriginalText is Athena's "/* Presto View: …
// */" (its SQL, the creating session's database, its columns with Trino's
// types), expanded into the query's database when named. DROP DATABASE and
// DROP SCHEMA [IF EXISTS] [RESTRICT|CASCADE]; ALTER TABLE SET TBLPROPERTIES.
//
// Not supported, refused in Athena's words (NOT_SUPPORTED): Iceberg tables
// (CTAS with table_type = 'ICEBERG', CREATE TABLE with that property, or a
// Glue table another tool registered with it: DuckDB's iceberg extension is
// neither linked into the engine nor fetched), ORC and Avro tables (no reader
// in the engine). CTAS bucketed_by/bucket_count is recorded in the catalogue
// (BucketColumns, NumberOfBuckets) but the files are not split by bucket
// (nothing here prunes by bucket, so answers are the same). Data catalogs besides AwsDataCatalog are
// recorded, listed and tagged (as are work groups), but queries name
// AwsDataCatalog only. Not yet: encryption of results, Spark sessions and
// notebooks, capacity reservations, a time limit on running queries (Athena stops a
// DML query after 30 minutes; fogbank lets it run until StopQueryExecution).
// The .csv.metadata object holds the column list as JSON, not Athena's binary
// encoding. Trino's cardinality of a MAP, zip, any_match/all_match, reduce,
// approx_set and HyperLogLog, crc32/xxhash64, json_size and
// json_array_contains, a ROW without field names, VALUES 1, 2 without
// parentheses, UNNEST of a MAP into (key, value) columns or of an array of
// ROWs into their fields, and dates inside arrays made by sequence (printed
// as timestamps) are not bridged; date_add on a DATE answers a timestamp;
// md5 and sha256 answer hex text, not varbinary; from_iso8601_timestamp
// answers the instant in UTC ("... UTC"), not in the string's own offset;
// CAST(x AS varchar) of a timestamp or double is DuckDB's text
// ("2026-11-01 10:00:00", "10000000.0"), not Trino's (".000", "1.0E7").
package athena
