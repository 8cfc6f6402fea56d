//go:build !linux

package store

import (
	"errors"
	"os"
	"time"
)

func fdatasync(f *os.File) error { return f.Sync() }

func fdatasyncKeepP(f *os.File) error { return f.Sync() }

func processCPU() time.Duration { return 0 }

// errQuota stands for EDQUOT where the store does not look for it.
var errQuota = errors.New("store: disk quota exceeded")
