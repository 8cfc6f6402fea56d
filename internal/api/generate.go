package api

// The service packages under internal/api and the protocol test vectors are both
// written by internal/gen from the models; fix the generator, never its output.
//go:generate go run ../gen -out . -vectors ../protocol/vectors
