package store

import (
	"os"
	"syscall"
)

// fdatasync flushes a file's data (and the size, when it changed) but not its
// other metadata: cheaper than fsync for the log.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
