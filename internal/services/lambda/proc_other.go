//go:build !linux

package lambda

import (
	"os"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }

func pipeBuffered(f *os.File) (int, bool) { return 0, false }

func maxRSSMB(e *environment) int64 { return 0 }
