// Package store is fogbank's embedded storage: every service keeps its state here,
// and nothing else in fogbank writes files. Metadata, items and records are
// ordered keys in nested buckets, kept in a write-ahead log and memory until a
// checkpoint moves them into one bbolt database; object bodies live in plain
// files ("blobs") that a transaction references by id.
//
// There are a few types: Store (one open data directory), Tx (a transaction),
// Bucket (ordered keys and nested buckets), Cursor (a walk over a bucket) and
// BlobWriter (one blob being written).
//
// # Transactions
//
// Services touch state only inside closures:
//
//	err := s.Update(func(tx *store.Tx) error {
//		b, err := tx.CreateBucket("sqs", account, region, "queues")
//		if err != nil {
//			return err
//		}
//		if b.Get([]byte(name)) != nil {
//			return errQueueExists // returned before writing: cheap, see below
//		}
//		return b.PutJSON([]byte(name), q)
//	})
//
// View runs a read-only snapshot, concurrently with everything. Update is durable
// when it returns nil: its writes are in the fsynced write-ahead log. Updates run
// one at a time on their callers' goroutines, and concurrent ones are group
// committed: whoever finds the log idle writes and fdatasyncs everything appended
// so far, once, for all of them, so parallel writers share the cost of a sync and
// a lone writer waits for nothing but its own. When the last sync saw several
// writers (carried or appended while it ran), the next syncer first waits for as
// many to join, at most as long as that sync took (150 µs to 1 ms).
//
// # How it is stored
//
// bbolt holds the state as of the last checkpoint; what Updates wrote since is in
// the log (wal.go) and in memory, in an overlay of persistent ordered maps
// (overlay.go, pmap.go) that reads see over bbolt. An Update costs one log append
// and a share of one fdatasync, where a bbolt commit writes every dirty B-tree
// page in place and fdatasyncs twice. A checkpoint (checkpoint.go) moves the
// overlay into bbolt in one big transaction when the log reaches 16 MiB or writes
// pause for a second, while reads and writes go on; Open replays what the log
// holds beyond bbolt's last checkpoint, and Close checkpoints everything.
//
// # Layout of keys
//
// Bucket paths are strings, keys and values are bytes, ordered bytewise. Each
// service starts its paths with its name, the account and the region, as AWS
// scopes state: tx.Bucket("dynamodb", account, region, "tables", table). Helpers:
// Bucket.PutJSON/GetJSON for Go values, Bucket.NextSequence for ids,
// Uint64Key for numbers that sort, Cursor and ForEachPrefix for sorted ranges
// (S3 listings, DynamoDB Query). Root names beginning with a NUL byte are the
// store's own.
//
// # Blobs
//
// A blob is written streaming, outside any transaction, then referenced in one:
//
//	w, err := s.NewBlob(store.MD5 | store.CRC64NVME) // only the digests you need
//	if err != nil {
//		return err
//	}
//	defer w.Abort() // no-op once a committed transaction references the blob
//	if _, err := io.Copy(w, body); err != nil {
//		return err
//	}
//	ref, err := w.Commit() // file fsynced and renamed into place: durable, but pending
//	if err != nil {
//		return err
//	}
//	err = s.Update(func(tx *store.Tx) error {
//		if err := tx.RefBlob(ref.ID); err != nil { // now permanent
//			return err
//		}
//		if old != "" {
//			tx.UnrefBlob(old) // file removed after the commit, when no reference is left
//		}
//		return b.PutJSON(key, object{Blob: ref.ID, Size: ref.Size, ETag: ref.Sums.MD5})
//	})
//
// A small blob's bytes (16 KiB or less) are carved from slabs of up to 8 MiB
// (from 256 KiB again after each checkpoint), backed by huge pages where the
// kernel allows (slab.go): a slab's memory goes back only
// when none of its blobs is referenced any more, so the bytes of small blobs
// deleted since the last checkpoint may be kept until the next.
//
// Blob files are named by a random 128-bit id, never by anything a user chose,
// so no key can reach a path outside the store. They sit in Dir/blobs/<2 hex>/<id>,
// plain files that OpenBlob serves (ReadAt and Seek for ranges) and that DuckDB
// reads in place through BlobPath. The store counts references per blob (two S3
// objects may share one after a copy): RefBlob adds one, UnrefBlob drops one.
//
// A reader that opens blobs one after another (an S3 GET of a multipart
// object opens one part at a time) holds them first, with HoldBlobs after the
// View that found them: until it releases them, OpenBlob finds them even if
// an Update drops their last reference meanwhile. Their storage is freed at the
// last release instead (a file stays in place; a small blob's bytes, which the
// Update deletes from the database, are kept aside in memory); see hold.go for
// why the hold cannot miss an Update. A blob opened (OpenBlob) needs no hold:
// an open file stays readable after it is removed.
//
// # Durability and crashes
//
// An Update that returned nil survives kill -9 and power loss: its log record
// was fdatasynced before it returned (each record carries a CRC, so a torn tail
// is recognised and dropped), and a blob's file and directory are fsynced by
// Commit, before any transaction can reference it. bbolt itself is only ever
// written by checkpoints, in ordinary synced transactions that also record which
// log generation they absorbed. What a crash can leave behind, temp files and
// blob files no committed transaction references, is removed by the next Open.
// The test that proves it kills a child process writing in parallel and checks
// every acknowledged write after reopening; TestOverlayAgainstModel compares the
// overlay, checkpoints and replays with a model.
//
// # A full disk
//
// A write that finds the file system full (ENOSPC, EDQUOT) fails with ErrFull
// and leaves nothing behind, and the store heals by itself once space is freed:
// nothing waits for a restart. A blob's temporary file goes with its Abort. A
// log write that fails is undone (full.go): its Updates, and those appended
// after it (which read its writes), fail; the overlay returns to the last
// durable state; the log's next write goes where the failed one began, and the
// header there is zeroed and synced first, so that no replay finds records a
// caller was told failed. A checkpoint whose bbolt commit fails (bbolt rolls
// back) keeps its frozen overlay readable and its log generation on disk, and
// is retried once a second before anything else is frozen; Updates are still
// acknowledged meanwhile, from the log. The log keeps a quarter MiB grown ahead
// of its records, so small writes (deletes, which free space) still go through
// on a full disk. The first ErrFull is logged through Options.Errorf with the
// directory (again at most once a minute), and the first write that succeeds
// after it through Logf. Services answer ErrFull with a retryable 5xx. Only a
// failed fdatasync, whatever its errno, still stops the store for good (the
// kernel may have dropped the pages it failed to write): Updates then fail until
// it is reopened.
//
// # Performance
//
// Measured with `go test -run '^$' -bench 'Update|SmallObject|Checkpoint'
// -benchtime 4000x` on the shared 2-core machine (2026-11-26, another engineer's
// benchmarks running): 8 goroutines doing one small Update each make about
// 31,000 durable Updates/s (bbolt's own Update with an fsync each: 3,900; its
// Batch: 730); one writer alone about 8,500/s (0.12 ms each: one log write and
// one fdatasync); small objects (4 KiB inline blob + Update, 8 writers) about
// 17,000/s. A checkpoint costs about 13 µs of CPU per small object (four keys
// and 4 KiB) in the background. On this VM an fdatasync costs ~50 µs of CPU
// whatever it writes, so the group commit's batch size sets most of a durable
// write's cost. A 1 GiB blob with no digest writes at about 90% of a plain
// io.Copy into a file plus fsync; with digests the hash is the bound: MD5 runs
// at about 400-600 MB/s on one core and cannot be split, CRC32C is nearly free,
// SHA256 (with SHA-NI) about 700 MB/s.
//
// # Memory mode
//
// Options.Memory is the same store at a lower durability level, for state
// nobody keeps (fogbank --ephemeral): an Update is acknowledged, and visible to
// Views, as soon as its fn returns. Nothing is encoded for the log nor written
// to it, nothing is fsynced, and no goroutine waits for a sync. Everything else
// runs the durable store's code: the overlay, checkpoints into bbolt (here only
// to bound the heap, so they wait for much more: 256 MiB or 200,000 writes, or
// half a minute without writes), small blobs inside the database, big ones
// streamed to files (never a big body in memory). A crash loses what came after the last checkpoint; Close
// still checkpoints everything. The package's tests run twice, the second time
// in memory mode (TestMain), skipping only those about the log.
//
// # Reset and snapshots
//
// DropAll empties the store and Drop deletes one service's roots, each in one
// small Update whatever the store holds (snapshot.go). WriteSnapshot streams the
// whole state as one View sees it, blob bytes included, ending with a CRC;
// LoadSnapshot checks a whole stream before one Update replaces the state.
//
// # Checking
//
// Check verifies the invariants (bbolt's own check, every referenced blob file
// present with its size, no unreferenced files, reference counts equal to what
// the services' RefWalkers report) and lists every violation. Every test of this
// package ends with it; service tests should end with it too.
//
// # Caveats
//
//   - fn passed to Update runs once, under the store's write lock: it must not
//     call Update (deadlock), and a slow fn delays every writer. Do slow work
//     (streaming a body, calling out) before the Update. When fn fails, none of
//     its writes happened. Nor may fn passed to View call Update.
//   - Slices from Get and cursors are valid only inside the transaction; copy them
//     to keep them. Values handed to Put must not change until the Update returns.
//     The Tx itself, and every Bucket and Cursor it gave out, is recycled for
//     another transaction once fn (for an Update, Update) returns: never keep one.
//   - Deleting a bucket does not unreference blobs recorded inside it; the service
//     must UnrefBlob them (it knows which values hold blob ids).
//   - One Store per directory: Open takes an exclusive flock and fails with
//     ErrLocked rather than wait.
//   - A committed but unreferenced blob counts against nothing but disk until
//     Abort, Close or the next Open removes it.
//   - Check reads a snapshot but lists the directory outside it; run it while
//     nothing writes.
//   - A held blob whose last reference is gone counts against disk (a file) or
//     memory (a small blob's bytes) until released; a reader that never
//     releases keeps it until Close (files) or the process ends. Check counts
//     such files as held, not stray.
//   - A checkpoint that failed on a full disk leaves the pages it wrote in
//     bbolt's file: the space stays taken by the file (bbolt reuses it).
//   - Missing: compaction of the bbolt file (bbolt reuses freed pages but never
//     shrinks the file), quotas, encryption at rest.
package store
