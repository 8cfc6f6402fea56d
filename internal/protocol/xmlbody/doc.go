// Package xmlbody reads and writes XML bodies of the rest-xml and query
// protocols, driven by the shape plans of generated types (internal/protocol/shape).
//
// Parse turns a body into a small element tree as it streams in (bounded in
// size, depth and node count, so that hostile input cannot exhaust memory or
// the stack; invalid UTF-8 is refused); Decode fills a struct's body members
// from it. EscapeText writes characters XML cannot carry literally (control
// characters) as numeric references, as S3 does, never as U+FFFD. Encode writes a struct as one element with its namespace
// declaration; EncodeMembers writes only the member elements (query's <XResult>).
//
// Member names: WireName, the xmlName tag when the generator wrote one (the
// names a service's older query model used, e.g. SQS's "Attribute"), else the
// locationName. The query codec uses the same names for its form keys.
//
// Covered: elements and attributes (xmlAttribute, e.g. S3's xsi:type on Grantee,
// with the member's xmlPrefix/xmlURI declared on its element), wrapped and
// flattened lists (memberName), wrapped (<entry>) and flattened maps
// (keyName/valueName), nested structures, timestamps (iso8601 by default, with
// milliseconds always for S3 via Options.Millis), base64 blobs, booleans, numbers
// (NaN/Infinity spelled as AWS does), empty vs absent (nil is omitted, an empty
// string or list is written empty).
//
// Missing: document types are skipped (no XML service uses them); element names
// are matched on their local part only, ignoring namespaces, which is as lenient
// as AWS's own parsers; a structure's own xmlURI is used only on the root element.
package xmlbody
