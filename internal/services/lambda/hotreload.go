package lambda

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path/filepath"
)

// maxFingerprintFiles bounds the walk of a hot-reload folder per invocation.
const maxFingerprintFiles = 20000

// fingerprint sums the names, sizes and modification times of a hot-reload
// folder's files: an environment started with another sum is replaced, so
// the next invocation runs the edited code.
func fingerprint(dir string) string {
	h := sha256.New()
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(h, "%s!\n", p)
			return nil
		}
		if d.IsDir() && (d.Name() == "__pycache__" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		n++
		if n > maxFingerprintFiles {
			return filepath.SkipAll
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		fmt.Fprintf(h, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}
