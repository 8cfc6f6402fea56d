package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// sumsFile lists, in the pinned model directory, the SHA-256 of every model
// file (as sha256sum writes it), after a first line naming where they came from.
const sumsFile = "SHA256SUMS"

// checkPinned verifies that the pinned model files are exactly those listed in
// dir/SHA256SUMS, with those contents: the generated code follows from them.
func checkPinned(dir string) error {
	want := map[string]string{}
	f, err := os.Open(filepath.Join(dir, sumsFile))
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, path, ok := strings.Cut(line, "  ")
		if !ok {
			return fmt.Errorf("%s: malformed line %q", sumsFile, line)
		}
		want[path] = sum
	}
	if err := sc.Err(); err != nil {
		return err
	}
	got, err := sums(dir)
	if err != nil {
		return err
	}
	var bad []string
	for path, sum := range want {
		if got[path] != sum {
			bad = append(bad, path+" (changed or missing)")
		}
	}
	for path := range got {
		if _, ok := want[path]; !ok {
			bad = append(bad, path+" (not listed)")
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("pinned models in %s do not match %s: %s (update them with -update, never by hand)", dir, sumsFile, strings.Join(bad, ", "))
	}
	return nil
}

// sums hashes every model file under dir, by slash path relative to dir.
func sums(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == sumsFile {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		h := sha256.Sum256(b)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(h[:])
		return nil
	})
	return out, err
}

// updatePinned replaces the pinned models with the newest version of each
// service's model in src (a botocore data directory), gzipped, and rewrites
// SHA256SUMS.
func updatePinned(src, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for _, svc := range services {
		versions, err := os.ReadDir(filepath.Join(src, svc.model))
		if err != nil {
			return err
		}
		var newest string
		for _, v := range versions {
			if v.IsDir() && v.Name() > newest {
				newest = v.Name()
			}
		}
		if newest == "" {
			return fmt.Errorf("%s: no model versions in %s", svc.model, src)
		}
		from := filepath.Join(src, svc.model, newest)
		var data []byte
		if b, err := os.ReadFile(filepath.Join(from, "service-2.json.gz")); err == nil {
			data = b
		} else if b, err := os.ReadFile(filepath.Join(from, "service-2.json")); err == nil {
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			data = z.Bytes()
		} else {
			return err
		}
		to := filepath.Join(dir, svc.model, newest)
		if err := os.MkdirAll(to, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, "service-2.json.gz"), data, 0o644); err != nil {
			return err
		}
	}
	got, err := sums(dir)
	if err != nil {
		return err
	}
	var paths []string
	for p := range got {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	fmt.Fprintf(&b, "# the newest model of each service in %s, copied by internal/gen -update\n", botocoreVersion(src))
	for _, p := range paths {
		fmt.Fprintf(&b, "%s  %s\n", got[p], p)
	}
	return os.WriteFile(filepath.Join(dir, sumsFile), []byte(b.String()), 0o644)
}

// botocoreVersion names the botocore a data directory belongs to, from the
// __init__.py beside it ("botocore" when it cannot tell).
func botocoreVersion(data string) string {
	f, err := os.Open(filepath.Join(data, "..", "__init__.py"))
	if err != nil {
		return "botocore"
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 64<<10))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "__version__ = "); ok {
			return "botocore " + strings.Trim(v, `'"`)
		}
	}
	return "botocore"
}
