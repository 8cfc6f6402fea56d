//go:build pprof

package main

// Built with -tags pprof, fogbank serves net/http/pprof on FOGBANK_PPROF
// (e.g. 127.0.0.1:6060) for profiling under load; the default build has none.

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("FOGBANK_PPROF"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
