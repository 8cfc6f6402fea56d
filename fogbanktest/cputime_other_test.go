//go:build !unix

package fogbanktest

import "time"

// cpuTime is not measured here: cpu-ns/op and faults/op read 0.
func cpuTime() (time.Duration, int64) { return 0, 0 }
