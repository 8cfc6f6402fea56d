// Package lint holds tests of the tree's own rules, which the compiler does not
// check: every package has exactly one package doc comment; generated code is
// marked as such; a service package never imports another service package;
// only internal/sqlengine imports DuckDB; and no service name appears in the
// codecs or the gateway (what differs by service is its api.Dialect).
package lint
