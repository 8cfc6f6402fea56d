// Package glue implements AWS Glue's Data Catalog, the one catalogue that
// Athena shares (AwsDataCatalog), and its crawlers.
//
// Covered: databases (Create/Get/GetDatabases/Update/Delete, which deletes
// the database's tables with them); tables (Create/Get/GetTables with its name
// Expression and AttributesToGet/Update/Delete/BatchDelete, SearchTables
// across databases) kept as AWS's own JSON shapes, with
// StorageDescriptor, PartitionKeys, Parameters, TableType and view text as
// given; table versions (every UpdateTable archives the version it replaces
// unless SkipArchive: GetTableVersions newest first, GetTableVersion,
// DeleteTableVersion, BatchDeleteTableVersion; the current version cannot be
// deleted); partitions (Create/BatchCreate/Get/BatchGet/Update/BatchUpdate/
// Delete/BatchDelete, GetPartitions with the partition Expression filter of
// expr.go and Segments); partition indexes (recorded ACTIVE; at most 3 a
// table); column statistics of tables and partitions; user-defined functions
// and connections, recorded and answered back; resource tags by ARN. Lists
// page with NextToken and MaxResults. Names of databases, tables and functions
// are lower-cased as Glue keeps them. Errors are Glue's:
// EntityNotFoundException ("Database x not found.", "Table x not found.",
// "Cannot find partition."), AlreadyExistsException, InvalidInputException.
//
// Other services read and change the catalogue through the methods of
// contract.go (CatalogTableJSON…), found with host.Lookup.
//
// # Crawlers
//
// CreateCrawler/Get/GetCrawlers/ListCrawlers (by tags)/BatchGetCrawlers/
// UpdateCrawler/DeleteCrawler, UpdateCrawlerSchedule, Start/StopCrawlerSchedule,
// StartCrawler and StopCrawler, GetCrawlerMetrics, ListCrawls (the last 100
// crawls, with their Summary and filters); custom classifiers
// (Create/Get/GetClassifiers/Update/DeleteClassifier: CSV, JSON path, grok,
// XML). A crawl runs in a goroutine of the server: READY → RUNNING → STOPPING
// → READY, LastCrawl SUCCEEDED, FAILED (with its ErrorMessage) or CANCELLED
// (StopCrawler). A server that stops mid-crawl finds it READY and FAILED
// when it starts again; a reset (or a snapshot loaded) cancels the crawls in
// progress. Schedules are AWS cron expressions (cron.go) that
// fire for real: one goroutine, started by the first schedule, sleeps until
// the next firing.
//
// A crawl reads fogbank's own S3 (the s3 service's WalkObjects and
// OpenObject, looked up by interface) under each S3 target, skipping
// exclusion globs, empty objects and names beginning with _ or .; SampleSize
// limits the files read in each folder. Each file is classified by the
// crawler's custom classifiers in order, then by the built-in ones, as AWS
// documents them (infer.go, parquet.go, avro.go): JSON (objects one after
// another; types int, bigint, double, boolean, string, array<…>, struct<…>,
// members in the order met), CSV (delimiters , | tab ; and Ctrl-A; a header
// when the first line is all strings fit to be names and some column below
// is not all strings, else col0, col1…; bigint, double, boolean, string),
// Parquet (its footer's schema: date, timestamp, decimal(p,s), map<…>, lists
// as array<…>), Avro (the header's schema); gzip, bzip2, zstd and snappy
// (framed or Hadoop's blocks) are read through. Text formats are judged on
// their first MiB. Files of the same format, compression and (for CSV)
// layout whose columns overlap by 70% or more form one table at the highest
// folder that holds only them (the Configuration's
// Grouping.TableGroupingPolicy CombineCompatibleSchemas drops the overlap
// test, TableLevelConfiguration fixes the level); the folders below are
// partitions, named by key=value folders or partition_0, partition_1…; a
// file that fits with nothing is a table of its own. Tables are named after
// their folder (with TablePrefix), written with the SerDe, formats and
// parameters Glue writes (classification, compressionType, recordCount…).
// Later crawls add partitions and apply the SchemaChangePolicy (UPDATE_IN_DATABASE
// replaces the columns and archives a version, LOG keeps the table;
// Configuration's MergeNewColumns only adds) and DeleteBehavior (DELETE_FROM_DATABASE
// drops tables and partitions whose files are gone, DEPRECATE_IN_DATABASE marks
// tables DEPRECATED_BY_CRAWLER). RecrawlPolicy CRAWL_NEW_FOLDERS_ONLY reads only
// folders no earlier crawl saw.
//
// Everything lives in the store under root bucket "glue", then account,
// region and a kind (service.go lists the kinds), so it survives restarts.
//
// Differences from AWS: a CatalogId is taken as the account to work in, with
// no cross-account permission check; partition indexes speed nothing up;
// Lake Formation, transactions (TransactionId) and QueryAsOfTime are ignored;
// Iceberg tables through OpenTableFormatInput are refused. Crawlers crawl S3
// targets only (JDBC, DynamoDB, catalog, Delta, Iceberg and Hudi targets are
// logged and skipped), ORC is not read, the crawl's log lines are kept with
// the crawler (and logged at debug level) rather than sent to CloudWatch Logs,
// which fogbank does not have yet, and the Role is not assumed or checked.
package glue
