// Package vectors holds AWS's protocol test vectors (models/protocol_tests of
// aws-sdk-go v1.55.8, in testdata/) for the json, query, rest-json and rest-xml
// protocols, Go types generated for every suite by internal/gen with the same tags
// as the service packages, and a harness that runs a protocol.Codec against them.
//
// The vectors were written for clients: an input case is a request a client sends,
// an output case a response it receives. The harness turns them around for a
// server codec: RunInput routes and decodes each request and compares the decoded
// struct with the case's params; RunOutput builds the output struct from the
// case's result, encodes it and compares the response with the expected one the
// way a client would read it.
//
// Missing: the ec2 protocol files, error (exception) cases (the v1 vectors have
// none for servers to encode), and the event stream cases.
package vectors
