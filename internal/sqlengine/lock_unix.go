//go:build unix

package sqlengine

import (
	"os"
	"syscall"
)

// lockFile holds an exclusive lock on path until unlock: processes that
// build the engine at once (test packages run in parallel, two fogbanks)
// take turns, so one links and the others find it up to date.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
