package store

import (
	"os"
	"syscall"
	"time"
)

// fdatasync flushes a file's data (and the size, when it changed) but not its
// other metadata: cheaper than fsync for the log.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// fdatasyncKeepP is fdatasync made without telling Go's scheduler that the
// thread is in a system call, so the calling goroutine keeps its P (see
// walWriter.sync for why, and for when it may).
func fdatasyncKeepP(f *os.File) error {
	if _, _, e := syscall.RawSyscall(syscall.SYS_FDATASYNC, f.Fd(), 0, 0); e != 0 {
		return e
	}
	return nil
}

// errQuota is the error of a write over the user's disk quota.
var errQuota error = syscall.EDQUOT

// processCPU is the CPU time the process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
