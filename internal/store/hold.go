package store

import (
	"fmt"
	"sync"
)

// A reader that opens a blob only when it gets to it (an S3 GET of a multipart
// object opens one part at a time) must still find it if, meanwhile, an Update
// drops its last reference: it read the object that pointed at it, and serves
// it to the end. HoldBlobs makes that so. A held blob's storage is freed at the
// last release instead of after the Update: its file stays in place, and a
// small blob's bytes, which the Update deletes from the database, are kept in
// memory for OpenBlob.
//
// Why the check in HoldBlobs suffices: the storage of a blob whose last
// reference an Update drops is freed only after that Update is published (in
// afterDurable), and the freeing looks at the holds under holdMu. HoldBlobs
// registers its holds first and then looks, in a View begun after that, whether
// every blob is still referenced. If one is, the Update that unreferences it
// is published after the look, so it frees nothing held; if one is not, it may
// be gone already, and HoldBlobs says so. A small blob's bytes are copied aside
// by the UnrefBlob that deletes them, before that Update is published, so a
// holder finds them whenever its View no longer does.

// holds is the store's record of held blobs.
type holds struct {
	mu sync.Mutex // guards the maps
	// n counts the holds on each held blob.
	n map[string]int
	// doomed lists held blob files whose last reference is gone: the last
	// release removes them.
	doomed map[string]bool
	// dying keeps the bytes of small blobs whose last reference an Update
	// dropped, from its UnrefBlob until it is published and nobody holds them.
	dying map[string]*dyingBlob
}

type dyingBlob struct {
	id      string
	data    []byte
	settled bool // the Update that dropped it is published (or failed)
}

// HoldBlobs keeps the blobs ids readable through OpenBlob until release is
// called, whatever Updates do to their references meanwhile. Call it outside
// any transaction, after the one that found the ids. It fails with ErrNotFound,
// holding nothing, when one of them is no longer referenced: look again (the
// object that named it has changed). release may be called more than once.
func (s *Store) HoldBlobs(ids []string) (release func(), err error) {
	if len(ids) == 0 {
		return func() {}, nil
	}
	h := &s.holds
	h.mu.Lock()
	if h.n == nil {
		h.n, h.doomed, h.dying = map[string]int{}, map[string]bool{}, map[string]*dyingBlob{}
	}
	for _, id := range ids {
		h.n[id]++
	}
	h.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { s.release(ids) }) }
	missing := ""
	err = s.View(func(tx *Tx) error {
		refs := tx.blobRefs()
		for _, id := range ids {
			if refs.Get([]byte(id)) == nil {
				missing = id
				return nil
			}
		}
		return nil
	})
	if err == nil && missing != "" {
		err = fmt.Errorf("%w: blob %q is no longer referenced", ErrNotFound, missing)
	}
	if err != nil {
		release()
		return nil, err
	}
	return release, nil
}

func (s *Store) release(ids []string) {
	h := &s.holds
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		if h.n[id]--; h.n[id] > 0 {
			continue
		}
		delete(h.n, id)
		if h.doomed[id] {
			delete(h.doomed, id)
			s.remove(s.blobFile(id))
		}
		if d := h.dying[id]; d != nil && d.settled {
			delete(h.dying, id)
		}
	}
}

// dropInline keeps aside the bytes of a small blob whose last reference tx
// drops (see above). data must stay unchanged: a copy, or a value of the overlay.
func (tx *Tx) dropInline(id string, data []byte) {
	h := &tx.s.holds
	h.mu.Lock()
	if h.dying == nil {
		h.n, h.doomed, h.dying = map[string]int{}, map[string]bool{}, map[string]*dyingBlob{}
	}
	d := &dyingBlob{id: id, data: data}
	h.dying[id] = d
	h.mu.Unlock()
	tx.unrefInline = append(tx.unrefInline, d)
}

// settleDropped runs once tx's Update is published (durable true) or has
// failed: the files of blobs whose last reference it dropped are removed
// unless held (then the last release does it), and the bytes kept aside for
// small ones are forgotten unless held.
func (tx *Tx) settleDropped(durable bool) {
	if len(tx.unrefGone) == 0 && len(tx.unrefInline) == 0 {
		return
	}
	h := &tx.s.holds
	h.mu.Lock()
	defer h.mu.Unlock()
	if durable {
		for _, id := range tx.unrefGone {
			if h.n[id] > 0 {
				h.doomed[id] = true
			} else {
				tx.s.remove(tx.s.blobFile(id))
			}
		}
	}
	for _, d := range tx.unrefInline {
		d.settled = true
		if h.dying[d.id] == d && (!durable || h.n[d.id] == 0) {
			delete(h.dying, d.id)
		}
	}
}

// heldInline returns the bytes kept aside for a held small blob.
func (s *Store) heldInline(id string) ([]byte, bool) {
	h := &s.holds
	h.mu.Lock()
	defer h.mu.Unlock()
	if d := h.dying[id]; d != nil {
		return d.data, true
	}
	return nil, false
}

// doomedFiles lists the held files whose blobs are no longer referenced.
func (s *Store) doomedFiles() map[string]bool {
	h := &s.holds
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]bool, len(h.doomed))
	for id := range h.doomed {
		out[id] = true
	}
	return out
}
