// Package lazy holds values built the first time they are used, declared so that
// they cost nothing when the program starts.
//
// A package-level `var x = sync.OnceValue(…)`, `errors.New(…)`, map literal or
// regexp.MustCompile runs code in its package's initialisation, and that code, with
// the data it reads, is paged into memory at every start even when the package is
// never used. A lazy.Regexp, lazy.Value or lazy.Error declared with a literal is
// static data instead: the linker lays it out and nothing runs until Get. fogbank's
// services hold their tables, patterns and sentinel errors this way, so that a
// service nobody calls touches no page (internal/lint checks that service packages
// have no initialisation at all).
package lazy

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use:
//
//	var nameRE = lazy.Regexp{Expr: `^[a-z]+$`}
//	… nameRE.Get().MatchString(s)
type Regexp struct {
	Expr string
	once sync.Once
	re   *regexp.Regexp
}

// Get compiles the expression the first time (panicking, as regexp.MustCompile
// does, if it is invalid) and returns it.
func (r *Regexp) Get() *regexp.Regexp {
	r.once.Do(func() { r.re = regexp.MustCompile(r.Expr) })
	return r.re
}

// Value is a value built by New on first use: tables and maps.
//
//	var months = lazy.Value[map[string]int]{New: func() map[string]int { return map[string]int{…} }}
//
// New must be a function literal that captures nothing (it is then static data).
type Value[T any] struct {
	New  func() T
	once sync.Once
	v    T
}

// Get builds the value the first time and returns it.
func (v *Value[T]) Get() T {
	v.once.Do(func() { v.v = v.New() })
	return v.v
}

// Error is a sentinel error whose message is its value. Declared as
// `var errX error = lazy.Error("…")` it is static data, where errors.New runs at
// start; two Errors are the same error when their messages are.
type Error string

func (e Error) Error() string { return string(e) }
