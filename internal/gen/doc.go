// Command gen writes the generated packages of fogbank from the AWS models:
// internal/api/<svc> (one per service in the services list of main.go, from
// botocore's service-2.json, the newest version directory) and the types and case
// table of internal/protocol/vectors (from AWS's protocol test JSON). Both go
// through the same generator (gen.go), so the vectors exercise the very types and
// struct tags the services use. Run it with `go generate ./internal/api`.
//
// Flags: -models (botocore's data directory; default asks python3), -out (the
// internal/api directory), -vectors (the vectors package directory), -gen (this
// directory, for models/), -only (a comma-separated list of model names).
//
// models/ holds older models laid over current ones (overlay.go): SQS's 2012-11-05
// query model (from botocore 1.29, documentation stripped), with the awsQueryError
// codes of the error shapes added since, taken from SQS's Smithy model.
//
// Missing: event streams are typed any; waiters, paginators and endpoint rules are
// not read; the ec2 protocol vectors are not copied.
package main
