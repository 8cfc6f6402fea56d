// Package glue implements AWS Glue's Data Catalog, the one catalogue that
// Athena shares (AwsDataCatalog), and its crawlers.
//
// Covered: databases (Create/Get/GetDatabases/Update/Delete, which deletes
// the database's tables with them); tables (Create/Get/GetTables with its name
// Expression/Update/Delete/BatchDelete) kept as AWS's own JSON shapes, with
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
// Everything lives in the store under root bucket "glue", then account,
// region and a kind (service.go lists the kinds), so it survives restarts.
//
// Differences from AWS: a CatalogId is taken as the account to work in, with
// no cross-account permission check; partition indexes speed nothing up;
// Lake Formation, transactions (TransactionId) and QueryAsOfTime are ignored;
// Iceberg tables through OpenTableFormatInput are refused.
package glue
