package store

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// A full disk is a state the store passes through, not a failure it keeps: a
// write that finds no space fails with ErrFull and leaves nothing behind, and
// the next write tries again. Where the space ran out decides what "nothing
// behind" takes:
//
//   - a blob: its temporary file is removed by Abort (the caller's, always);
//   - the log: the records of the failed write, and every record appended after
//     them (their Updates read the failed ones), are undone: their Updates fail,
//     the overlay goes back to the last durable state, the log's write offset
//     goes back to where the failed write began, and the header of the first
//     failed record is zeroed and synced, so that no replay can find records a
//     caller was told failed (undoLog);
//   - a checkpoint: bbolt rolls its transaction back; the frozen overlay stays
//     where Views read it, its log generation stays on disk, and the checkpoint
//     is retried (at most once a second) before any other, since the log file
//     of that generation may be reused only once bbolt holds it (absorb).
//
// Only ENOSPC and EDQUOT from writing data are handled so: an fdatasync that
// fails, whatever its error, leaves the page cache in a state nobody can know,
// and the store stops acknowledging writes until it is reopened (broken).

// isNoSpace tells whether err says the file system is full (or the quota used).
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, errQuota)
}

// fullLogEvery bounds how often the ERROR line is repeated while free space
// comes and goes (small writes succeeding between big ones that fail).
const fullLogEvery = time.Minute

// noteFull turns a no-space error from writing the data directory into
// ErrFull (other errors are returned as they are), and logs the first one at
// ERROR, with the directory.
func (s *Store) noteFull(err error) error {
	if err == nil || !isNoSpace(err) || errors.Is(err, ErrFull) {
		return err
	}
	if !s.full.Swap(true) {
		s.fullMu.Lock()
		s.fullTold = time.Since(s.fullLogged) >= fullLogEvery
		if s.fullTold {
			s.fullLogged = time.Now()
		}
		told := s.fullTold
		s.fullMu.Unlock()
		if told {
			s.errorf("store: the file system holding %s is full: writes fail (a retryable error to clients) until space is freed there; reads go on: %v", s.dir, err)
		}
	}
	return fmt.Errorf("%w: %s: %w", ErrFull, s.dir, err)
}

// spaceBack notes a write that found space, after ErrFull.
func (s *Store) spaceBack() {
	if s.full.Load() && s.full.Swap(false) {
		s.fullMu.Lock()
		told := s.fullTold
		s.fullMu.Unlock()
		if told {
			s.logf("store: %s has space again: writes resumed", s.dir)
		}
	}
}

// undoLog is called, holding the sync role and neither wmu nor syncMu, when
// writing the log's records from offset off failed with werr. When werr is a
// full disk, the records are undone (see above), every Update waiting for one
// of them is told ErrFull, and undoLog returns once they all have been (self is
// 1 when the caller is one of them, the syncer); later Updates start from the
// last durable state. Any other error, or a failure to undo, breaks the store.
// It returns what the failed records' Updates are told.
func (s *Store) undoLog(werr error, off int64, self int64) error {
	err := s.noteFull(werr)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if !errors.Is(err, ErrFull) || s.log == nil {
		s.breakStore(err)
		return err
	}
	w := s.log
	if ierr := w.invalidate(off); ierr != nil {
		err = fmt.Errorf("store: log: undoing a write that found the disk full: %w", ierr)
		s.breakStore(err)
		return err
	}
	w.buf, w.off, w.size = w.buf[:0], off, off
	s.latest = s.state.Load().top
	s.syncMu.Lock()
	s.undoing, s.undoneTo, s.undoneErr = true, w.lsn, err
	s.syncCond.Broadcast()
	// Wait for the failed Updates to take their error (they cannot mistake it
	// for success: durable stays below them until then), then spend their
	// record numbers. wmu stays held: nothing new is appended meanwhile.
	for s.inflight.Load() > self {
		s.syncCond.Wait()
	}
	s.durable = w.lsn
	s.undoing, s.undoneTo, s.undoneErr = false, 0, nil
	s.syncMu.Unlock()
	return err
}

// invalidate makes sure no replay finds a record at off or after it: records
// of a failed write may have reached the file in part. The header at off is
// zeroed (a record of generation 0 ends a replay) and synced. The space there
// exists already (the file only grows), so this needs no new space.
func (w *walWriter) invalidate(off int64) error {
	if w.f == nil || off+walHeader > w.fileSize {
		// Nothing was written at off: the file was not open, or growing it
		// failed before any record was written.
		return nil
	}
	if _, err := w.f.WriteAt(zeros()[:walHeader], off); err != nil {
		return err
	}
	if w.noSync {
		return nil
	}
	return fdatasync(w.f)
}
