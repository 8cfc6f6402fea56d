// Package std runs the end-to-end suite (package e2e) a second time with
// fogbank serving through net/http's Server (--http=std) instead of its own
// internal/http1, so that the flag stays a working way to bisect a suspected
// HTTP bug. It is a package of its own so that go test runs it beside the first
// pass, each under its own timeout.
package std
