//go:build !unix

package sqlengine

// lockFile is a no-op where flock is missing: concurrent builds then each
// link, and the last one's binary wins.
func lockFile(path string) (unlock func(), err error) { return func() {}, nil }
