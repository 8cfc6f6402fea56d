//go:build unix

package fogbanktest

import (
	"syscall"
	"time"
)

// cpuTime is the process's CPU time so far (user and system, all threads) and
// its minor page faults.
func cpuTime() (time.Duration, int64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), int64(ru.Minflt)
}
