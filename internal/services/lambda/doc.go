// Package lambda implements AWS Lambda's function management, first slice.
//
// Covered: CreateFunction from a zip uploaded in the request (ZipFile, the CLI's
// --zip-file fileb://...), GetFunction, GetFunctionConfiguration, ListFunctions
// (with Marker/MaxItems), DeleteFunction, UpdateFunctionCode (ZipFile) and
// UpdateFunctionConfiguration. A function answers State Active and
// LastUpdateStatus Successful at once (there is nothing to provision), so the SDK
// waiters function_active_v2 and function_updated_v2 pass on the first poll.
// Role is checked in form as AWS does (ValidationException naming the pattern),
// CodeSha256 is the base64 SHA-256 of the zip, and a zip is checked before it is
// accepted: an entry with an absolute path or a ".." element, an unreadable zip
// or more than 250 MB unzipped is refused with InvalidParameterValueException, so
// nothing extracted later can land outside the function's directory. A runtime
// whose interpreter is not on PATH (python3 for python3.x, node for nodejs*.x) is
// refused at create time. Functions and their code live in the store (root bucket
// "lambda"), so they survive a restart; the service starts no goroutine and no
// process.
//
// Not yet: Invoke (the local Runtime API and the python/node bootstraps are the
// next slice; until then Invoke answers 501 NotImplemented), code from S3
// (S3Bucket/S3Key answer InvalidParameterValueException), container images,
// versions and aliases, layers, function URLs, event source mappings, S3
// triggers, CloudWatch Logs, tags, concurrency and permissions.
package lambda
