//go:build !linux

package store

import (
	"os"
	"time"
)

func fdatasync(f *os.File) error { return f.Sync() }

func processCPU() time.Duration { return 0 }
