package lambda

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// sysProcAttr puts a runtime in a process group of its own, so that it and
// the children it forks are killed together, and has the kernel kill it if
// fogbank dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the process group whose leader is pid.
func killGroup(pid int) {
	syscall.Kill(-pid, syscall.SIGKILL)
}

// pipeBuffered is how many bytes wait unread in the pipe f (FIONREAD).
func pipeBuffered(f *os.File) (int, bool) {
	sc, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	var n int32
	var errno syscall.Errno
	if err := sc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	}); err != nil || errno != 0 {
		return 0, false
	}
	return int(n), true
}

// maxRSSMB is the runtime process's peak resident memory (VmHWM), in MB.
func maxRSSMB(e *environment) int64 {
	if e.cmd == nil || e.cmd.Process == nil {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(e.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return (kb + 1023) / 1024
		}
	}
	return 0
}
