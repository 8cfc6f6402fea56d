package main

import "runtime"

// shareCPUs gives Go's scheduler half of the CPUs it would use (at least one),
// unless GOMAXPROCS is set.
//
// A local emulator shares its machine with its clients: the test suite, the
// SDKs, Lambda runtimes (DuckDB's threads are its own, not Go's). With as many
// Ps as CPUs, each request that readies a goroutine while a P is idle wakes
// another thread, which spins for work, finds the client holding the CPU and
// sleeps again; blocking syscalls add the monitor thread's hand-offs. On the
// 2-core VMs we measure on, where a context switch costs several µs of CPU,
// one P served 8 clients on the same machine faster than two: durable
// PutItem ~+20%, S3 PUT ~+10%, with less CPU per request, GETs level
// (bench/RESULTS.md, 2026-12-06). Go's other servers gain from it too (kumo
// did, when measured with GOMAXPROCS=1): it is a property of sharing the
// cores, which is what a local AWS does.
func shareCPUs() {
	if n := runtime.GOMAXPROCS(0); n > 1 {
		runtime.GOMAXPROCS((n + 1) / 2)
	}
}
