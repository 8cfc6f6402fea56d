// Command gen writes the generated packages of fogbank from the AWS models:
// internal/api/<svc> (one per service in the services list of main.go) and the
// types and case table of internal/protocol/vectors (from AWS's protocol test
// JSON). Both go through the same generator (gen.go), so the vectors exercise the
// very types and struct tags the services use. Run it with
// `go generate ./internal/api`.
//
// The models are pinned: models/botocore holds the service-2.json.gz of each
// service, copied from botocore (the version is named in models/botocore/SHA256SUMS),
// so the output never depends on the machine. gen refuses to run, and
// TestUpToDate fails, when a pinned file differs from its SHA256SUMS line. To move
// to newer models: `go run ./internal/gen -gen internal/gen -out internal/api
// -vectors internal/protocol/vectors -update python3` (or -update <botocore data
// directory>), then review the diff of internal/api.
//
// Each service package has types.go (one struct per structure shape, with the
// model's documentation trimmed to its first paragraph on types and first sentence
// on fields), ops.go (the API interface, each method with its operation's
// documentation, the Unimplemented stubs and the operation table), enums.go (per
// enum shape a string alias type and one constant per value, e.g.
// s3.StorageClassStandard: constants cost nothing at run time) and doc.go.
//
// Flags: -models (read another botocore-layout directory instead of the pinned
// one), -update, -out (the internal/api directory), -vectors (the vectors package
// directory), -gen (this directory, for models/), -only (a comma-separated list of
// model names).
//
// models/ also holds older models laid over current ones (overlay.go): SQS's
// 2012-11-05 query model (from botocore 1.29, documentation stripped), with the
// awsQueryError codes of the error shapes added since, taken from SQS's Smithy
// model.
//
// Missing: event streams are typed any; waiters, paginators and endpoint rules are
// not read; the ec2 protocol vectors are not copied; enum values are not typed on
// the fields (they stay *string, so the constants are untyped-string aliases).
package main
