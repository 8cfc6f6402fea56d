package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A checkpoint moves the overlay into bbolt: it freezes the current overlay (new
// Updates build a fresh one over it, in a new log generation), writes the frozen
// one into bbolt in one synced transaction that also records the generation, then
// drops it. Views read the frozen overlay over bbolt until then, so they never
// wait for a checkpoint.

// testHookFrozen, when set by a test, runs while a checkpoint's overlay is frozen.
var testHookFrozen func()

// checkpointer runs checkpoints when the log has grown (kick) or writes have
// stopped for ckptIdle (memCkptIdle in memory mode), until Close.
func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	idle := time.NewTicker(ckptIdle)
	defer idle.Stop()
	logged := "" // the last error logged: a broken store fails every second
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
			if s.stuck.Load() {
				continue // retried on the idle tick: each try writes pages until the disk is full
			}
		case <-idle.C:
			idleFor := ckptIdle
			if s.memory {
				idleFor = memCkptIdle
			}
			s.wmu.Lock()
			quiet := !s.latest.empty() && time.Since(s.lastWr) >= idleFor
			s.wmu.Unlock()
			if !quiet && !s.stuck.Load() {
				continue
			}
		}
		// A full disk was logged once, by noteFull; another error stops the
		// store's writes until it is reopened, which someone must know.
		if err := s.checkpoint(); err != nil && !errors.Is(err, ErrFull) && err.Error() != logged {
			logged = err.Error()
			s.errorf("store: checkpoint: %v", err)
		}
	}
}

// frozenOverlay is a checkpoint's frozen overlay and the log generation that
// holds the same writes.
type frozenOverlay struct {
	ov  overlay
	gen uint64
}

// takeSyncRole waits until nobody syncs the log and takes the role, so that no
// log write is in flight while the log is rotated.
func (s *Store) takeSyncRole() {
	s.syncMu.Lock()
	for s.syncing {
		s.syncCond.Wait()
	}
	s.syncing = true
	s.syncMu.Unlock()
}

func (s *Store) giveSyncRole(durable uint64, err error) {
	s.syncMu.Lock()
	s.syncing = false
	if err != nil && s.broken == nil {
		s.broken = err
		s.isBroken.Store(true)
	}
	if durable > s.durable {
		s.durable = durable
	}
	s.syncCond.Broadcast()
	s.syncMu.Unlock()
}

// breakStore records a failure after which no write may be acknowledged, and
// wakes the writers waiting for durability so that they return it.
func (s *Store) breakStore(err error) {
	s.syncMu.Lock()
	if s.broken == nil {
		s.broken = err
		s.isBroken.Store(true)
	}
	s.syncCond.Broadcast()
	s.syncMu.Unlock()
}

// checkpoint moves everything written so far into bbolt.
func (s *Store) checkpoint() error {
	s.ckptMu.Lock()
	defer s.ckptMu.Unlock()
	if s.isBroken.Load() {
		return s.brokenErr()
	}
	if s.retry != nil {
		// The last checkpoint found the disk full. Its generation goes into
		// bbolt first: its log file is the one the next freeze would reuse.
		if err := s.absorb(s.retry.ov, s.retry.gen); err != nil {
			return err
		}
	}

	// Freeze: make the log durable, start the next generation, and let new
	// Updates build over an empty overlay.
	s.takeSyncRole()
	s.wmu.Lock()
	buf, off := s.log.take()
	err := s.log.write(buf, off)
	s.log.giveBack(buf)
	if err != nil {
		s.wmu.Unlock()
		err = s.undoLog(err, off, 0)
		s.giveSyncRole(0, nil)
		return err
	}
	upto := s.log.lsn
	frozen, gen := s.latest, s.log.gen
	if len(buf) > 0 {
		s.spaceBack()
	}
	if frozen.empty() {
		s.publish(s.latest, upto)
		s.wmu.Unlock()
		s.giveSyncRole(upto, nil)
		return nil
	}
	s.under, s.latest = frozen, overlay{}
	s.slabs.reset() // the next writes start small slabs again (slab.go)
	s.log.rotate()
	s.pubMu.Lock()
	cur := s.state.Load()
	s.state.Store(&snapshot{under: frozen, lsn: max(upto, cur.lsn), freezes: cur.freezes + 1})
	s.pubMu.Unlock()
	// The commit below may remap bbolt's file, which waits for every reader:
	// retire the shared base (after the new state, so no new one is begun).
	s.retireViewBase()
	s.wmu.Unlock()
	s.giveSyncRole(upto, nil)
	if testHookFrozen != nil {
		testHookFrozen()
	}

	return s.absorb(frozen, gen)
}

// absorb writes a frozen overlay into bbolt, with the log generation that holds
// the same writes, then drops it. Views and Updates go on meanwhile. Run under
// ckptMu.
func (s *Store) absorb(frozen overlay, gen uint64) error {
	err := s.db.Update(func(btx *bolt.Tx) error {
		if err := applyOverlay(btx, frozen); err != nil {
			return err
		}
		return btx.Bucket(sysBucket).Put(ckptKey, binary.BigEndian.AppendUint64(nil, gen))
	})
	if err != nil {
		err = fmt.Errorf("store: checkpoint of log generation %d: %w", gen, s.noteFull(err))
		if errors.Is(err, ErrFull) {
			// bbolt rolled back; the log still holds it all and the overlay stays
			// visible. Try again later, before anything else is frozen.
			s.retry = &frozenOverlay{ov: frozen, gen: gen}
			s.stuck.Store(true)
			return err
		}
		// Not a full disk: bbolt's state is unknown, and later checkpoints
		// would skip this generation. Stop acknowledging writes.
		s.breakStore(err)
		return err
	}
	if s.retry != nil {
		s.retry = nil
		s.stuck.Store(false)
		s.spaceBack()
	}

	if testHookFrozen != nil {
		testHookFrozen() // again, with bbolt holding what the frozen overlay does
	}
	// Drop the frozen overlay: bbolt has it now.
	s.wmu.Lock()
	s.under = overlay{}
	s.pubMu.Lock()
	cur := s.state.Load()
	s.state.Store(&snapshot{top: cur.top, lsn: cur.lsn, freezes: cur.freezes})
	s.pubMu.Unlock()
	s.wmu.Unlock()
	return nil
}

// recover replays the log generations bbolt has not checkpointed yet, each in
// one synced bbolt transaction. The log files are left as they are (overwriting
// them later costs no size change to sync); what makes that safe is the next
// generation number: the first generation after the last one found holding
// records may have been started by the crashed run (a first record torn, later
// ones maybe not), so it is skipped, and replay steps over one empty generation
// to find the one after it.
func (s *Store) recover() error {
	var done uint64
	s.db.View(func(btx *bolt.Tx) error {
		if v := btx.Bucket(sysBucket).Get(ckptKey); len(v) == 8 {
			done = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	last := done
	for gen, misses := done+1, 0; misses < 2; gen++ {
		recs, err := readRecords(s.dir, gen)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			misses++
			continue
		}
		misses = 0
		err = s.db.Update(func(btx *bolt.Tx) error {
			for _, r := range recs {
				if err := replayOps(btx, r); err != nil {
					return err
				}
			}
			return btx.Bucket(sysBucket).Put(ckptKey, binary.BigEndian.AppendUint64(nil, gen))
		})
		if err != nil {
			return fmt.Errorf("store: replay of log generation %d: %w", gen, err)
		}
		last = gen
	}
	s.log = &walWriter{dir: s.dir, noSync: s.noSync, gen: last + 2}
	return nil
}
