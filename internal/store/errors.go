package store

import "errors"

// The sentinel errors of the store. Functions wrap them with detail
// (fmt.Errorf("%w: ...")), so match them with errors.Is. Services map them to AWS
// error codes at their boundary; none of them is an AWS error itself.
var (
	// ErrNotFound is returned when a key, bucket or blob asked for does not exist:
	// GetJSON of a missing key, DeleteBucket of a missing bucket, RefBlob, UnrefBlob
	// and OpenBlob of an unknown blob id.
	ErrNotFound = errors.New("store: not found")

	// ErrLocked is returned by Open when another Store (in this process or another)
	// holds the data directory.
	ErrLocked = errors.New("store: data directory is locked")

	// ErrClosed is returned when a Store is used after Close.
	ErrClosed = errors.New("store: closed")

	// ErrReadOnly is returned when a write is attempted inside View.
	ErrReadOnly = errors.New("store: read-only transaction")

	// ErrInvalid is returned for a malformed argument: an empty or reserved bucket
	// name, an empty key, a key that names a nested bucket (or the reverse), a
	// BlobWriter used after Commit or Abort.
	ErrInvalid = errors.New("store: invalid argument")

	// ErrFull is returned when a write found the file system holding the data
	// directory full (ENOSPC, or EDQUOT): a blob's bytes, an Update's log record.
	// Nothing of the failed write remains, and the next write tries again, so it
	// is a retryable server error to clients. The error also wraps the system's.
	ErrFull = errors.New("store: no space left in the data directory")
)
