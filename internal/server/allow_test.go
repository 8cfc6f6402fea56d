package server

import (
	"slices"
	"testing"
)

// The host of --addr is a configured name: fogbank answers to it, unless it
// is "every address".
func TestAllowHostsAddsTheListenHost(t *testing.T) {
	for addr, want := range map[string][]string{
		"127.0.0.1:4566":   {"x", "127.0.0.1"},
		"myhost:4566":      {"x", "myhost"},
		"192.168.1.5:4566": {"x", "192.168.1.5"},
		"0.0.0.0:4566":     {"x"},
		"[::]:4566":        {"x"},
		":4566":            {"x"},
		"fogbank.lan:0":    {"x", "fogbank.lan"},
	} {
		opts := Options{Addr: addr, AllowHosts: []string{"x"}}
		if got := allowHosts(opts); !slices.Equal(got, want) {
			t.Errorf("allowHosts(%s) = %v, want %v", addr, got, want)
		}
		if len(opts.AllowHosts) != 1 {
			t.Errorf("allowHosts(%s) changed its input: %v", addr, opts.AllowHosts)
		}
	}
}
