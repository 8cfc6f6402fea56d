package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The write-ahead log makes an Update durable with one append and one
// fdatasync, shared by every Update of a group, instead of bbolt's commit (dirty
// B-tree pages written in place and two fdatasyncs). Its records are replayed
// into bbolt at Open; a checkpoint moves them into bbolt while the store runs.
//
// The log lives in two files, wal-0 and wal-1: generation g writes file g%2
// from its start. A checkpoint of generation g records g in bbolt (in the same
// bbolt transaction as the data), after which file g%2 is free for generation
// g+2. Every record carries its generation and a CRC, so stale records of an
// older generation, and a torn tail, end the replay of a file.
//
// A record is: payload length (u32), CRC-32C of generation and payload (u32),
// generation (u64), payload. The payload is a sequence of ops:
//
//	op byte, uvarint length + encoded bucket path, then by op:
//	put: uvarint length + key, uvarint length + value
//	delete: uvarint length + key
//	create bucket, delete bucket: nothing more
//	sequence: uvarint
const (
	opPut byte = iota + 1
	opDelete
	opCreateBucket
	opDeleteBucket
	opSequence
)

const walHeader = 16

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ckptKey, inside sysBucket, holds the last log generation a checkpoint moved
// into bbolt (u64).
var ckptKey = []byte("checkpoint")

func appendOp(dst []byte, op byte, path string, key, val []byte, n uint64) []byte {
	dst = append(dst, op)
	dst = binary.AppendUvarint(dst, uint64(len(path)))
	dst = append(dst, path...)
	switch op {
	case opPut:
		dst = binary.AppendUvarint(dst, uint64(len(key)))
		dst = append(dst, key...)
		dst = binary.AppendUvarint(dst, uint64(len(val)))
		dst = append(dst, val...)
	case opDelete:
		dst = binary.AppendUvarint(dst, uint64(len(key)))
		dst = append(dst, key...)
	case opSequence:
		dst = binary.AppendUvarint(dst, n)
	}
	return dst
}

// appendRecord frames payload as one record of generation gen.
func appendRecord(dst []byte, gen uint64, payload []byte) []byte {
	var h [walHeader]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint64(h[8:], gen)
	crc := crc32.Update(0, castagnoli, h[8:16])
	crc = crc32.Update(crc, castagnoli, payload)
	binary.LittleEndian.PutUint32(h[4:], crc)
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

func walFile(dir string, gen uint64) string {
	return filepath.Join(dir, fmt.Sprintf("wal-%d", gen%2))
}

// readRecords returns the payloads of generation gen at the start of its file,
// up to the first record that is torn, corrupt or of another generation.
func readRecords(dir string, gen uint64) ([][]byte, error) {
	f, err := os.Open(walFile(dir, gen))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	var out [][]byte
	var h [walHeader]byte
	for {
		if _, err := io.ReadFull(f, h[:]); err != nil {
			return out, nil
		}
		n := binary.LittleEndian.Uint32(h[0:])
		if binary.LittleEndian.Uint64(h[8:]) != gen || n > 1<<30 {
			return out, nil
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(f, payload); err != nil {
			return out, nil
		}
		crc := crc32.Update(0, castagnoli, h[8:16])
		if crc32.Update(crc, castagnoli, payload) != binary.LittleEndian.Uint32(h[4:]) {
			return out, nil
		}
		out = append(out, payload)
	}
}

// replayOps applies one record's ops to a bbolt transaction. The ops are
// absolute (values, not increments), so applying a record twice is harmless.
func replayOps(btx *bolt.Tx, payload []byte) error {
	bad := fmt.Errorf("store: malformed log record")
	p := payload
	field := func() ([]byte, bool) {
		n, k := binary.Uvarint(p)
		if k <= 0 || uint64(len(p)-k) < n {
			return nil, false
		}
		f := p[k : k+int(n)]
		p = p[k+int(n):]
		return f, true
	}
	for len(p) > 0 {
		op := p[0]
		p = p[1:]
		path, ok := field()
		if !ok {
			return bad
		}
		parts, err := splitPath(string(path))
		if err != nil || len(parts) == 0 {
			return bad
		}
		switch op {
		case opCreateBucket:
			if _, err := boltCreatePath(btx, parts); err != nil {
				return err
			}
		case opDeleteBucket:
			if parent := boltParent(btx, parts); parent != nil && parent.bucket(parts[len(parts)-1]) != nil {
				if err := parent.delete(parts[len(parts)-1]); err != nil {
					return err
				}
			}
		case opPut, opDelete:
			key, ok := field()
			if !ok {
				return bad
			}
			var val []byte
			if op == opPut {
				if val, ok = field(); !ok {
					return bad
				}
			}
			b, err := boltCreatePath(btx, parts)
			if err != nil {
				return err
			}
			if op == opPut {
				err = b.Put(key, val)
			} else {
				err = b.Delete(key)
			}
			if err != nil {
				return err
			}
		case opSequence:
			n, k := binary.Uvarint(p)
			if k <= 0 {
				return bad
			}
			p = p[k:]
			b, err := boltCreatePath(btx, parts)
			if err != nil {
				return err
			}
			if err := b.SetSequence(n); err != nil {
				return err
			}
		default:
			return bad
		}
	}
	return nil
}

func boltCreatePath(btx *bolt.Tx, parts []string) (*bolt.Bucket, error) {
	b, err := btx.CreateBucketIfNotExists([]byte(parts[0]))
	for _, p := range parts[1:] {
		if err != nil {
			break
		}
		b, err = b.CreateBucketIfNotExists([]byte(p))
	}
	return b, err
}

// walWriter is the log's open file. It is used under Store.wmu (appends) and by
// the one goroutine holding the sync role (writes and syncs).
type walWriter struct {
	dir    string
	noSync bool
	gen    uint64
	f      *os.File // nil until the first write of this generation
	// fileSize is f's size; writes within it change no metadata.
	fileSize int64
	off      int64  // where the next write goes
	buf      []byte // records appended, not yet written
	spare    []byte // the other buffer, reused
	lsn      uint64 // records appended so far (all generations)
	size     int64  // bytes of this generation, written or not
	ops      int    // writes in this generation
	syncs    int64  // fdatasyncs so far, for the benchmarks
	// syncAvg is a moving average of the time a sync takes (sync).
	syncAvg time.Duration
}

func (w *walWriter) append(payload []byte) uint64 {
	w.buf = appendRecord(w.buf, w.gen, payload)
	w.size += int64(walHeader + len(payload))
	w.lsn++
	return w.lsn
}

// count stands for append in memory mode (Options.Memory), where records are
// not written: it numbers one and counts its size, as if encoded.
func (w *walWriter) count(size int) uint64 {
	w.size += int64(walHeader + size)
	w.lsn++
	return w.lsn
}

// take hands the appended records to the syncer, with the offset they go to.
func (w *walWriter) take() (buf []byte, off int64) {
	buf, off = w.buf, w.off
	w.off += int64(len(buf))
	w.buf, w.spare = w.spare[:0], nil
	return buf, off
}

// giveBack returns a written buffer for reuse.
func (w *walWriter) giveBack(buf []byte) {
	if cap(buf) <= 4<<20 {
		w.spare = buf[:0]
	}
}

// open opens the file of the current generation, creating it (and making its
// directory entry durable) the first time.
func (w *walWriter) open() error {
	if w.f != nil {
		return nil
	}
	name := walFile(w.dir, w.gen)
	_, statErr := os.Stat(name)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: log: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) && !w.noSync {
		d, err := os.Open(w.dir)
		if err == nil {
			err = d.Sync()
			d.Close()
		}
		if err != nil {
			f.Close()
			return fmt.Errorf("store: log: %w", err)
		}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("store: log: %w", err)
	}
	w.f, w.fileSize = f, fi.Size()
	return nil
}

// growStep is how far the log file is extended, with zeros, when a write would
// pass its end. An fdatasync that changes a file's size must write the inode
// too, a second synchronous I/O; writing into space that exists already is one.
// Zeros end a replay (a record of generation 0 does not match).
const growStep = 1 << 20

// zeros is made on first use: 64 KiB at start-up would be idle memory.
var zeros = sync.OnceValue(func() []byte { return make([]byte, 64<<10) })

// logReserve is how much of the file, beyond what records use, the log keeps
// grown ahead: when the disk fills, writes that fit in it still succeed, so that
// deletes (which free space) go through on a full disk.
const logReserve = growStep / 4

// grow extends the file with zeros from its end to cover end, plus growStep.
// When the disk fills on the way, the zeros written still count.
func (w *walWriter) grow(end int64) error {
	target := (end/growStep + 1) * growStep
	z := zeros()
	for w.fileSize < target {
		n := min(int64(len(z)), target-w.fileSize)
		m, err := w.f.WriteAt(z[:n], w.fileSize)
		w.fileSize += int64(m)
		if err != nil {
			return err
		}
	}
	return nil
}

// testHookLogWrite, when set by a test, writes the log's records in place of
// f.WriteAt: it can fail them, after writing some or all (a full disk where
// overwriting needs new blocks), which a tmpfs cannot show.
var testHookLogWrite func(f *os.File, buf []byte, off int64) (int, error)

// write puts buf at off in the current file and makes it durable. Overwriting an
// old generation's file in place means no size change to sync once the file has
// grown: fdatasync then writes the data alone.
func (w *walWriter) write(buf []byte, off int64) error {
	if len(buf) == 0 {
		return nil
	}
	if err := w.open(); err != nil {
		return err
	}
	if end := off + int64(len(buf)); end+logReserve > w.fileSize {
		// Zeros first, then the records over them: the zeros' pages are dirty in
		// the page cache either way, so the fdatasync below writes them once.
		if err := w.grow(end + logReserve); err != nil && end > w.fileSize {
			return fmt.Errorf("store: log: %w", err)
		}
		// (A failure that leaves room for the records is the reserve at work.)
	}
	writeAt := w.f.WriteAt
	if testHookLogWrite != nil {
		writeAt = func(b []byte, off int64) (int, error) { return testHookLogWrite(w.f, b, off) }
	}
	if _, err := writeAt(buf, off); err != nil {
		return fmt.Errorf("store: log: %w", err)
	}
	if w.noSync {
		return nil
	}
	w.syncs++
	if err := w.sync(); err != nil {
		// %v, not %w: whatever it says (ENOSPC too), a failed fdatasync leaves
		// the file's state unknown; it must never pass for a full disk that heals.
		return fmt.Errorf("store: log: fdatasync: %v", err)
	}
	return nil
}

// keepPSlow is the average log sync (walWriter.sync) above which syncs stop
// keeping their P.
const keepPSlow = 5 * time.Millisecond

// sync fdatasyncs the log. Under load the ordinary system call costs the group
// commit twice: Go's monitor thread takes the P from a thread that stays in a
// system call past its 20 µs tick (and polls at that tick while it keeps
// finding some), starting another thread for it; and when the sync returns,
// the syncer must find a free P before it can wake the writers it synced for,
// which on a busy machine means waiting in the run queue with all of them
// behind it. Made raw, the call keeps the P: the syncer wakes its group the
// moment the disk answers. Measured (durable, 8 clients, 2 cores, interleaved
// pairs, 2026-12-06): see bench/RESULTS.md, "The log's sync keeps its P".
//
// Two limits. With one P, keeping it would stop every other goroutine for the
// whole sync, so GOMAXPROCS 1 uses the ordinary call. And a P held in a system
// call also holds up a stop-the-world (the GC's are short, but wait for every
// P) until the sync returns: when syncs take more than keepPSlow on average (a
// spinning or overloaded disk), they are made the ordinary way until they are
// fast again. Single slow syncs do not count: a VM's disk has them every second.
func (w *walWriter) sync() error {
	start := time.Now()
	var err error
	if w.mayKeepP() {
		err = fdatasyncKeepP(w.f)
	} else {
		err = fdatasync(w.f)
	}
	w.synced(time.Since(start))
	return err
}

// mayKeepP says whether the next sync may keep its P.
func (w *walWriter) mayKeepP() bool {
	return runtime.GOMAXPROCS(0) >= 2 && w.syncAvg <= keepPSlow
}

// synced counts a sync's time into the moving average (of the last ~8).
func (w *walWriter) synced(took time.Duration) {
	w.syncAvg += (took - w.syncAvg) / 8
}

// rotate starts generation gen+1 in the other file. Everything appended must
// have been written.
func (w *walWriter) rotate() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	w.gen++
	w.off, w.size, w.ops = 0, 0, 0
}

func (w *walWriter) close() error {
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
