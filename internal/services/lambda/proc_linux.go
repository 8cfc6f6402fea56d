package lambda

import (
	"bytes"
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

// killTree kills a runtime and every process it left: its process group, its
// descendants that moved to a group or session of their own (setpgid,
// setsid), and those re-parented away from it (a daemon's double fork), found
// by the mark in their environment (markEnv). They are stopped first, so that
// none forks while the tree is walked, then killed. Only a process that both
// escaped the tree and cleared its environment is not found. exited says the
// runtime itself has exited and been waited for: its pid may be another
// process's by now, so only its group (whose id is not reused while it has
// members) and its mark are followed.
func killTree(pid int, mark string, exited bool) {
	needle := []byte("\x00" + markEnv + "=" + mark + "\x00")
	stopped := map[int]bool{}
	for round := 0; round < 50; round++ {
		added := false
		for _, p := range treeOf(pid, needle, exited) {
			if !stopped[p] {
				stopped[p] = true
				added = true
				syscall.Kill(p, syscall.SIGSTOP)
			}
		}
		if !added {
			break
		}
	}
	killGroup(pid)
	for p := range stopped {
		syscall.Kill(p, syscall.SIGKILL)
	}
}

// treeOf lists, from /proc, pid (unless it exited), the members of its process group, the
// processes whose environment holds needle, and all their descendants.
func treeOf(pid int, needle []byte, exited bool) []int {
	d, err := os.Open("/proc")
	if err != nil {
		return []int{pid}
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	self := os.Getpid()
	children := map[int][]int{}
	var roots []int
	if !exited {
		roots = append(roots, pid)
	}
	for _, name := range names {
		p, err := strconv.Atoi(name)
		if err != nil || p == self || p == pid {
			continue
		}
		b, err := os.ReadFile("/proc/" + name + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:])) // state, ppid, pgrp, ...
		if len(f) < 3 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		pgrp, _ := strconv.Atoi(f[2])
		children[ppid] = append(children[ppid], p)
		if pgrp == pid {
			roots = append(roots, p)
			continue
		}
		if env, err := os.ReadFile("/proc/" + name + "/environ"); err == nil &&
			(bytes.Contains(env, needle) || bytes.HasPrefix(env, needle[1:])) {
			roots = append(roots, p)
		}
	}
	seen := map[int]bool{}
	var out []int
	for len(roots) > 0 {
		p := roots[len(roots)-1]
		roots = roots[:len(roots)-1]
		if seen[p] || p == self {
			continue
		}
		seen[p] = true
		out = append(out, p)
		roots = append(roots, children[p]...)
	}
	return out
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

// killOrphans kills the runtimes' processes a fogbank that is gone left
// running (killed with -9, its runtimes died with it but not their children):
// those whose mark names a pid that no longer runs.
func killOrphans() {
	d, err := os.Open("/proc")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	prefix := []byte(markEnv + "=")
	alive := map[string]bool{strconv.Itoa(os.Getpid()): true}
	for _, name := range names {
		p, err := strconv.Atoi(name)
		if err != nil || p == os.Getpid() {
			continue
		}
		env, err := os.ReadFile("/proc/" + name + "/environ")
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			v, ok := bytes.CutPrefix(kv, prefix)
			if !ok {
				continue
			}
			owner, _, _ := strings.Cut(string(v), "-")
			ok, known := alive[owner]
			if !known {
				// Any process of that pid counts as its fogbank: another fogbank
				// (another binary, too) running is never touched; a pid reused
				// meanwhile only spares the orphans.
				_, err := os.Stat("/proc/" + owner)
				ok = err == nil
				alive[owner] = ok
			}
			if !ok {
				syscall.Kill(p, syscall.SIGKILL)
			}
			break
		}
	}
}
