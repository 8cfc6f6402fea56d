// Package jsonbody reads and writes JSON bodies of the json (awsJson1_0/1_1) and
// rest-json protocols, walking the shape plans of internal/protocol/shape.
//
// Keys are each member's locationName (the member name when the model states none).
// Timestamps are epoch seconds by default (a millisecond fraction when there is one),
// or the member's timestampFormat; on input every common form is accepted. Blobs
// are base64. Non-finite floats are the strings "NaN", "Infinity", "-Infinity".
// Documents decode to plain Go values (float64, string, bool, nil, []any,
// map[string]any). Decoding errors are SerializationExceptions worded like
// Coral's ("NUMBER_VALUE cannot be converted to String").
//
// Parsing is strict where encoding/json is lenient, as AWS's Jackson is: invalid
// UTF-8, unescaped control characters and lone surrogate escapes are
// SerializationExceptions, never U+FFFD (two different keys must not become
// one). Nesting is limited to MaxDepth and kept values to a memory budget (a
// small multiple of the body, MinBudget at least); members a
// target structure does not have are checked but not kept (ParseFor), so memory
// follows what the operation can hold, not what the body holds. Check judges a
// body as it streams by, keeping nothing, for the gateway to answer before the
// signature is known.
//
// Missing: JSON null inside lists of scalars becomes the zero value rather than an
// error; duplicate keys keep the last value; big integers in documents lose
// precision beyond float64.
package jsonbody
