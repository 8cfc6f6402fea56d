package store

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// RefWalker reports every blob reference a service holds, by calling ref once per
// reference (twice for a blob two records share). Check compares the counts with
// the store's reference counts.
type RefWalker func(tx *Tx, ref func(blobID string)) error

// Check verifies the store's invariants and returns an error listing every
// violation, or nil:
//
//   - bbolt's own consistency check (pages, freelist, key order);
//   - every blob record is well formed, has a reference count above zero, and its
//     file (or its inline bytes, for a small blob) exists with the recorded size;
//   - no inline bytes lack a record;
//   - every file under blobs/ (outside tmp/) is a referenced or pending blob,
//     or one a reader holds (HoldBlobs) whose last reference is gone;
//   - with walkers: the reference counts equal the references they report.
//
// Check reads a snapshot but lists files outside it; run it when no Update or
// BlobWriter is in flight (tests run it at the end).
func (s *Store) Check(walkers ...RefWalker) error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	// Move the log into bbolt first, so that bbolt's own check covers everything.
	if err := s.checkpoint(); err != nil {
		bad("checkpoint: %v", err)
	}
	s.blobMu.Lock()
	pending := make(map[string]int64, len(s.pending))
	for id, size := range s.pending {
		pending[id] = size
	}
	s.blobMu.Unlock()

	err := s.View(func(tx *Tx) error {
		for err := range tx.b.Check() {
			bad("bbolt: %v", err)
		}
		records := map[string]uint64{}
		err := tx.blobRefs().ForEach(func(k, v []byte) error {
			id := string(k)
			size, refs, ok := decodeBlobRecord(v)
			switch {
			case !validBlobID(id):
				bad("blob record with malformed id %q", id)
				return nil
			case !ok:
				bad("blob %s: record of %d bytes, want 16", id, len(v))
				return nil
			case refs == 0:
				bad("blob %s: record with zero references", id)
			}
			records[id] = refs
			if _, p := pending[id]; p {
				bad("blob %s: both referenced and pending", id)
			}
			if v := tx.sysBucket(inlineBucket).Get(k); v != nil {
				if int64(len(v)) != size {
					bad("blob %s: inline bytes are %d, record says %d", id, len(v), size)
				}
				return nil
			}
			fi, err := os.Stat(s.blobFile(id))
			switch {
			case err != nil:
				bad("blob %s: referenced %d times but its file is missing: %v", id, refs, err)
			case fi.Size() != size:
				bad("blob %s: file has %d bytes, record says %d", id, fi.Size(), size)
			}
			return nil
		})
		if err != nil {
			return err
		}
		tx.sysBucket(inlineBucket).ForEach(func(k, _ []byte) error {
			if tx.blobRefs().Get(k) == nil {
				bad("blob %s: inline bytes with no record", k)
			}
			return nil
		})
		if len(walkers) > 0 {
			counted := map[string]uint64{}
			for _, w := range walkers {
				if err := w(tx, func(id string) { counted[id]++ }); err != nil {
					return fmt.Errorf("ref walker: %w", err)
				}
			}
			for id, n := range counted {
				if records[id] != n {
					bad("blob %s: %d references found, store counts %d", id, n, records[id])
				}
			}
			for id, n := range records {
				if _, ok := counted[id]; !ok {
					bad("blob %s: store counts %d references, none found", id, n)
				}
			}
		}
		return s.checkFiles(tx, pending, bad)
	})
	if err != nil {
		bad("%v", err)
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return fmt.Errorf("store: check of %s found %d problems:\n\t%s", s.dir, len(problems), strings.Join(problems, "\n\t"))
}

// checkFiles lists the blob directories: nothing but the fan-out directories and
// tmp in blobs/, and nothing but referenced or pending blobs in each fan-out one.
func (s *Store) checkFiles(tx *Tx, pending map[string]int64, bad func(string, ...any)) error {
	refs := tx.blobRefs()
	doomed := s.doomedFiles() // unreferenced, but held by a reader
	root := filepath.Join(s.dir, blobsDir)
	ents, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		if name == tmpDir {
			continue
		}
		if !e.IsDir() || len(name) != 2 || !validBlobID(name+"000000000000000000000000000000") {
			bad("stray entry blobs/%s", name)
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, name))
		if err != nil {
			return err
		}
		for _, f := range files {
			id := f.Name()
			if !validBlobID(id) || id[:2] != name {
				bad("stray file blobs/%s/%s", name, id)
				continue
			}
			if refs.Get([]byte(id)) == nil && !doomed[id] {
				if _, ok := pending[id]; !ok {
					bad("blob %s: file with no reference (not pending either)", id)
				}
			}
		}
	}
	return nil
}
