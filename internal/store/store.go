package store

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Options configure Open.
type Options struct {
	// Dir is the data directory. Open creates it when missing.
	Dir string
	// NoSync skips every fsync (bbolt commits and blob files). Only for tests:
	// with it, acknowledged writes do not survive a crash of the machine.
	NoSync bool
	// Logf receives the store's few log lines (blobs swept at Open, files that
	// could not be removed). nil means log.Printf.
	Logf func(format string, args ...any)
}

// File and directory names inside Options.Dir.
const (
	dbFile   = "store.db"
	blobsDir = "blobs"
	tmpDir   = "tmp" // inside blobsDir
)

// sysBucket is the root bucket holding the store's own records. Service bucket
// names may not start with a NUL byte, so they can never collide with it.
var (
	sysBucket    = []byte("\x00fogbank")
	blobsBucket  = []byte("blobs")   // inside sysBucket: blob id → blobRecord
	inlineBucket = []byte("inline")  // inside sysBucket: blob id → the bytes of a small blob
	versionKey   = []byte("version") // inside sysBucket: the on-disk layout version
)

// layoutVersion is the on-disk layout. Bump it (and migrate in Open) when the
// meaning of stored bytes changes.
const layoutVersion = "1"

// maxBatch bounds how many Updates share one bbolt transaction, so that one
// commit never grows without bound under a flood of writers.
const maxBatch = 256

// Store is one open data directory. It is safe for concurrent use.
type Store struct {
	dir    string
	noSync bool
	db     *bolt.DB
	logf   func(format string, args ...any)

	// reqs carries Updates to the writer goroutine, the only goroutine that opens
	// read-write bbolt transactions.
	reqs       chan *call
	writerDone chan struct{}

	closeMu sync.RWMutex // guards closed, and sends on reqs (so that Close may close it)
	closed  bool

	fanouts sync.Map // fan-out directory path → true once it exists durably

	inlineSeq atomic.Uint64 // the last ordered id handed to a small blob (nextInlineID)

	blobMu sync.Mutex // guards pending
	// pending holds blobs whose files are committed (BlobWriter.Commit) but that no
	// committed transaction references yet, with their sizes. They are removed by
	// BlobWriter.Abort, by Close, or at the next Open.
	pending map[string]int64
	// pendingInline holds the bytes of pending blobs small enough to live inside
	// the database (see BlobWriter.Commit); RefBlob writes them in its transaction.
	pendingInline map[string][]byte
}

// Open opens (creating when needed) the data directory opts.Dir. Only one Store
// may have a directory open at a time; a second Open, from this process or
// another, fails at once with ErrLocked. Open removes blob files left behind by
// a crash: temporary files, and committed files no transaction references.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("%w: Options.Dir is empty", ErrInvalid)
	}
	s := &Store{
		dir:           opts.Dir,
		noSync:        opts.NoSync,
		logf:          opts.Logf,
		reqs:          make(chan *call, maxBatch),
		writerDone:    make(chan struct{}),
		pending:       make(map[string]int64),
		pendingInline: make(map[string][]byte),
	}
	if s.logf == nil {
		s.logf = log.Printf
	}
	s.inlineSeq.Store(uint64(time.Now().UnixNano()))
	if err := s.makeDirs(); err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(s.dir, dbFile), 0o600, &bolt.Options{
		// Fail fast rather than wait for the other process: a second fogbank on the
		// same directory is a mistake to report, not to queue behind.
		Timeout: time.Millisecond,
		// The freelist is rebuilt at open instead of written at every commit:
		// smaller commits, and the rebuild is quick for the sizes we expect.
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		NoSync:         opts.NoSync,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s is in use by another fogbank (or another Store in this process)", ErrLocked, s.dir)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.dir, err)
	}
	s.db = db
	if err := s.initDB(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.sweep(); err != nil {
		db.Close()
		return nil, err
	}
	go s.writer()
	return s, nil
}

// makeDirs creates Dir, Dir/blobs and the temp directory, then fsyncs the parents so that the directories themselves are
// durable before any blob is renamed into them.
func (s *Store) makeDirs() error {
	blobs := filepath.Join(s.dir, blobsDir)
	if err := os.MkdirAll(filepath.Join(blobs, tmpDir), 0o755); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	// The 256 fan-out directories are made when their first blob lands
	// (ensureFanout): making them all here cost ~250 ms of start-up on disks where
	// mkdir is slow, and start-up is meant to take milliseconds.
	for _, d := range []string{filepath.Dir(filepath.Clean(s.dir)), s.dir, blobs} {
		if err := s.syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) initDB() error {
	// A store opened before needs no write (a commit costs two fsyncs of start-up).
	ready := false
	s.db.View(func(tx *bolt.Tx) error {
		sys := tx.Bucket(sysBucket)
		ready = sys != nil && sys.Bucket(blobsBucket) != nil && sys.Bucket(inlineBucket) != nil &&
			string(sys.Get(versionKey)) == layoutVersion
		return nil
	})
	if ready {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		sys, err := tx.CreateBucketIfNotExists(sysBucket)
		if err != nil {
			return err
		}
		if _, err := sys.CreateBucketIfNotExists(blobsBucket); err != nil {
			return err
		}
		if _, err := sys.CreateBucketIfNotExists(inlineBucket); err != nil {
			return err
		}
		switch v := sys.Get(versionKey); {
		case v == nil:
			return sys.Put(versionKey, []byte(layoutVersion))
		case string(v) != layoutVersion:
			return fmt.Errorf("store: %s has layout version %q, this fogbank reads %q", s.dir, v, layoutVersion)
		}
		return nil
	})
}

// sweep removes what a crash leaves: every temp file, and every blob file that
// no committed transaction references (written and committed by a BlobWriter,
// but the Update that would have referenced it never committed).
func (s *Store) sweep() error {
	tmp := filepath.Join(s.dir, blobsDir, tmpDir)
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for _, e := range ents {
		s.remove(filepath.Join(tmp, e.Name()))
	}
	removed := 0
	err = s.db.View(func(tx *bolt.Tx) error {
		refs := tx.Bucket(sysBucket).Bucket(blobsBucket)
		fanouts, err := os.ReadDir(filepath.Join(s.dir, blobsDir))
		if err != nil {
			return err
		}
		for _, fo := range fanouts {
			if !fo.IsDir() || fo.Name() == tmpDir {
				continue
			}
			dir := filepath.Join(s.dir, blobsDir, fo.Name())
			s.fanouts.Store(dir, true)
			ents, err := os.ReadDir(dir)
			if err != nil {
				return err
			}
			for _, e := range ents {
				if refs.Get([]byte(e.Name())) == nil {
					s.remove(filepath.Join(dir, e.Name()))
					removed++
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: sweep: %w", err)
	}
	if removed > 0 {
		s.logf("store: removed %d unreferenced blob files left by an earlier run", removed)
	}
	return nil
}

func (s *Store) remove(path string) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.logf("store: %v", err)
	}
}

// syncDir fsyncs a directory so that the entries created or renamed in it survive
// a crash.
func (s *Store) syncDir(dir string) error {
	if s.noSync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: fsync %s: %w", dir, err)
	}
	return nil
}

// Dir is the data directory the store was opened on.
func (s *Store) Dir() string { return s.dir }

// Close waits for queued Updates to finish, removes blobs that were committed
// but never referenced, and closes the database. Later calls return ErrClosed;
// closing twice returns nil.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.closeMu.Unlock()
	<-s.writerDone

	s.blobMu.Lock()
	for id := range s.pending {
		if _, inline := s.pendingInline[id]; !inline {
			s.remove(s.blobFile(id))
		}
		delete(s.pending, id)
		delete(s.pendingInline, id)
	}
	s.blobMu.Unlock()
	return s.db.Close()
}

func (s *Store) isClosed() bool {
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	return s.closed
}

// View runs fn in a read-only transaction, concurrently with other Views and with
// the writer. fn sees one consistent snapshot. Byte slices fn gets from Get and
// cursors are valid only until fn returns.
func (s *Store) View(fn func(*Tx) error) error {
	if s.isClosed() {
		return ErrClosed
	}
	err := s.db.View(func(b *bolt.Tx) error {
		return fn(&Tx{s: s, b: b})
	})
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// Update runs fn in a read-write transaction and returns once the transaction is
// durable (fsynced), or failed. fn's error, if any, is returned and its writes
// are discarded.
//
// Concurrent Updates are group-committed: one writer goroutine runs every fn
// queued while the previous commit was being fsynced, one after another, in one
// bbolt transaction, and commits them with one fsync. So fn runs on another
// goroutine than the caller's, must not call Update itself (that deadlocks), and
// should be quick: it holds up every writer behind it. When fn returns an error
// after writing, the shared transaction is rolled back and the other fns of the
// batch are run again, so fn may run more than once: it must have no effects
// outside tx apart from ones that are safe to repeat. A fn that returns an
// error before writing anything (the usual condition check) costs the others
// nothing. A panic in fn is re-raised in the caller of Update.
func (s *Store) Update(fn func(*Tx) error) error {
	c := &call{fn: fn, done: make(chan struct{})}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return ErrClosed
	}
	s.reqs <- c
	s.closeMu.RUnlock()
	<-c.done
	if c.panicked {
		panic(c.panicVal)
	}
	return c.err
}

// call is one Update waiting for the writer.
type call struct {
	fn       func(*Tx) error
	err      error
	panicked bool
	panicVal any
	done     chan struct{}
}

// writer is the one goroutine that writes. Batching needs no timer: whatever
// queued up while the last commit was fsyncing goes into the next one, so a lone
// writer pays no delay and many writers share each fsync.
func (s *Store) writer() {
	defer close(s.writerDone)
	batch := make([]*call, 0, maxBatch)
	for c := range s.reqs {
		batch = append(batch[:0], c)
	fill:
		for len(batch) < maxBatch {
			select {
			case c, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, c)
			default:
				break fill
			}
		}
		s.runBatch(batch)
		clear(batch)
	}
}

// runBatch runs calls in one transaction and commits it. A call that fails
// without writing is answered with its error once the batch is done. A call that
// fails (or panics) after writing poisons the transaction: it is rolled back, the
// failed call is answered, and the rest run again in a new transaction.
func (s *Store) runBatch(calls []*call) {
	var failed []*call // failed without writing: answered at the end
	defer func() {
		for _, c := range failed {
			close(c.done)
		}
	}()
	for len(calls) > 0 {
		btx, err := s.db.Begin(true)
		if err != nil {
			if errors.Is(err, bolt.ErrDatabaseNotOpen) {
				err = ErrClosed
			}
			for _, c := range calls {
				c.err = err
				close(c.done)
			}
			return
		}
		var ok []*call
		var txs []*Tx
		poisoned := -1
		for i, c := range calls {
			tx := &Tx{s: s, b: btx, writable: true}
			c.panicked, c.panicVal, c.err = tx.run(c.fn)
			if c.err == nil && !c.panicked {
				ok = append(ok, c)
				txs = append(txs, tx)
				continue
			}
			if !tx.dirty && !c.panicked {
				failed = append(failed, c)
				continue
			}
			poisoned = i
			break
		}
		if poisoned >= 0 {
			btx.Rollback()
			close(calls[poisoned].done)
			rest := append(ok, calls[poisoned+1:]...)
			calls = rest
			continue
		}
		err = btx.Commit()
		if err == nil {
			s.afterCommit(txs)
		} else {
			err = fmt.Errorf("store: commit: %w", err)
		}
		for _, c := range ok {
			c.err = err
			close(c.done)
		}
		return
	}
}

// afterCommit settles the blob side of a committed batch: referenced blobs stop
// being pending, and the files of blobs that lost their last reference are
// removed (after the commit, so a crash in between leaves only an orphan file,
// which the next Open sweeps).
func (s *Store) afterCommit(txs []*Tx) {
	var gone []string
	s.blobMu.Lock()
	for _, tx := range txs {
		for _, id := range tx.refPending {
			delete(s.pending, id)
			delete(s.pendingInline, id)
		}
		gone = append(gone, tx.unrefGone...)
	}
	s.blobMu.Unlock()
	if len(gone) == 0 {
		return
	}
	// A later fn of the same batch may have referenced the blob again (from the
	// pending set); only the committed state says whether the file is garbage.
	s.db.View(func(b *bolt.Tx) error {
		refs := b.Bucket(sysBucket).Bucket(blobsBucket)
		for _, id := range gone {
			if refs.Get([]byte(id)) == nil {
				s.remove(s.blobFile(id))
			}
		}
		return nil
	})
}

// ensureFanout makes a blob fan-out directory the first time a blob goes in it,
// and fsyncs blobs/ so that the directory entry survives a crash before the blob
// rename that follows is made durable.
func (s *Store) ensureFanout(dir string) error {
	if _, ok := s.fanouts.Load(dir); ok {
		return nil
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if err := s.syncDir(filepath.Dir(dir)); err != nil {
		return err
	}
	s.fanouts.Store(dir, true)
	return nil
}
