package store

import (
	"os"
	"syscall"
	"time"
)

// fdatasync flushes a file's data (and the size, when it changed) but not its
// other metadata: cheaper than fsync for the log.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// errQuota is the error of a write over the user's disk quota.
var errQuota error = syscall.EDQUOT

// processCPU is the CPU time the process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
