// Package cbor is a small CBOR (RFC 8949) encoder and decoder, enough for the
// smithy-rpc-v2-cbor protocol: append-style encoding of heads, integers, floats,
// strings, arrays, maps and tags; decoding of one data item into plain Go values,
// accepting indefinite-length items and half-precision floats.
//
// Decoding is defensive: lengths are checked against the data before anything is
// allocated, nesting is bounded by MaxDepth, and every malformation is an *Error.
//
// Missing: map keys other than text strings are rejected (Smithy never sends
// them); bignums (tags 2, 3) and decimal fractions (tag 4) come back as raw Tags;
// no canonical (sorted-key) encoding.
package cbor
