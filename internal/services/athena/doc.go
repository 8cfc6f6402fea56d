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
// BytesScannedCutoffPerQuery). The rows are written to the output location
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
// names (the engine sums their compressed sizes from the files' footers) and
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
// date_format, from_unixtime, to_unixtime, from_iso8601_timestamp/date,
// to_iso8601, date, date_add, regexp_like, regexp_extract (NULL on no match),
// regexp_replace (every match), json_extract_scalar, json_parse, json_format,
// cardinality (arrays), element_at, approx_distinct, approx_percentile,
// arbitrary, array_join, contains, sequence, transform, filter, day_of_week,
// day_of_year. CROSS JOIN UNNEST, WITH, window functions, intervals, ARRAY[...]
// and ROW(...) are the same in both.
//
// Views: CREATE [OR REPLACE] VIEW, DROP VIEW, SHOW VIEWS; a view is a
// VIRTUAL_VIEW table whose ViewOriginalText is Athena's "/* Presto View: …
// */" (its SQL, the creating session's database, its columns with Trino's
// types), expanded into the query's database when named.
//
// Not yet: DROP DATABASE, Iceberg tables (a clear
// NOT_SUPPORTED), bucketed_by, ORC and Avro tables (neither read nor written),
// result files over 5 GB (one PUT), federated catalogs (only AwsDataCatalog), result reuse,
// encryption of results, Spark sessions and notebooks, capacity reservations,
// tags. The .csv.metadata object holds the column list as JSON, not Athena's
// binary encoding. Trino's cardinality of a MAP, element_at past an array's
// end (NULL in both), regexp_replace's $1 back references (DuckDB writes \1),
// parse_datetime (Joda formats), try(), lambda-taking reduce, url_extract_*,
// approx_set and HyperLogLog types are not bridged.
package athena
