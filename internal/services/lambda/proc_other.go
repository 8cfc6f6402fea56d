//go:build !linux

package lambda

import (
	"os"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }

// killTree kills the process group only: finding processes that left it
// needs Linux's /proc.
func killTree(pid int, mark string, exited bool) { killGroup(pid) }

func pipeBuffered(f *os.File) (int, bool) { return 0, false }

func maxRSSMB(e *environment) int64 { return 0 }

// killOrphans needs Linux's /proc: nothing is done elsewhere.
func killOrphans() {}
