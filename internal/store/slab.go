package store

import (
	"sync"
	"unsafe"
)

// A small blob's bytes stay in the heap until a checkpoint moves them into
// bbolt (in memory mode, for up to 256 MiB of writes). Allocated one by one,
// each 4 KiB body landed on a page the process had never touched while the
// heap grew, and on the VM we measure on the fault that maps a 4 KiB page costs
// 11–17 µs of CPU, as much as the rest of the store's share of an S3 PUT;
// a 2 MiB page faults once for 512 of them (0.45 µs per 4 KiB, measured with
// a Go loop touching fresh mmapped memory). So the bytes are carved from
// slabs, allocations of up to 8 MiB whose whole huge pages the kernel is asked
// to back as such (slab_linux.go: MADV_HUGEPAGE, honoured when transparent huge pages
// are "madvise" or "always"; elsewhere a slab is only a slab). The collector
// also marks one object per slab instead of one per blob.
//
// A slab lives while any blob carved from it is referenced (by the overlay,
// the pending set, a holder or a reader), so the bytes of blobs deleted or
// overwritten since are given back only once every blob of their slab is gone:
// after the checkpoint that moves the last of them into bbolt, and its readers.
// What that keeps is bounded by the bytes written between checkpoints
// (ckptBytes, memCkptBytes), which the checkpoints count as before.

const (
	slabSize = 8 << 20
	hugePage = 2 << 20
	// slabMax is the largest blob carved from a slab: bigger ones (up to
	// InlineMax) are allocated alone, so that a slab's unused tail stays small.
	slabMax = 16 << 10
)

type slabs struct {
	mu   sync.Mutex
	cur  []byte // what is left of the current slab
	next int    // the size of the next slab
}

// firstSlab is the size of a store's first slab; each next one is twice the
// last, up to slabSize. A slab counts whole in the heap the collector sees
// (gc.go in cmd/fogbank sizes its headroom from it) while only its carved part
// is touched: an 8 MiB first slab holding a test's few objects made a server's
// heap target, and so its resident memory under GETs, ~20 MiB larger. So a
// slab is never much larger than what was carved since the last checkpoint
// (reset), which the overlay holds anyway.
const firstSlab = 256 << 10

// reset starts over with a small slab, at a checkpoint's freeze: the slabs of
// the frozen writes are freed once bbolt holds them, and a server that has
// gone quiet (or writes little between checkpoints, as a durable one) does not
// keep a large slab counted in its heap for the few writes that follow.
func (sl *slabs) reset() {
	sl.mu.Lock()
	sl.cur, sl.next = nil, firstSlab
	sl.mu.Unlock()
}

// alloc returns n bytes (0 < n <= slabMax) of a slab, with no room to grow.
func (sl *slabs) alloc(n int) []byte {
	sl.mu.Lock()
	if len(sl.cur) < n {
		if sl.next == 0 {
			sl.next = firstSlab
		}
		sl.cur = newSlab(sl.next)
		sl.next = min(2*sl.next, slabSize)
	}
	b := sl.cur[:n:n]
	sl.cur = sl.cur[n:]
	sl.mu.Unlock()
	return b
}

// newSlab allocates a slab of size bytes and asks for huge pages on the part
// of it that covers whole ones (three quarters of an 8 MiB slab or more: a
// large allocation is aligned to 8 KiB, not 2 MiB). Its head and tail are
// carved from too, in ordinary pages.
func newSlab(size int) []byte {
	b := make([]byte, size)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := int(-p & (hugePage - 1))
	if lo < size {
		if hi := lo + (size-lo)&^(hugePage-1); hi > lo {
			adviseHuge(b[lo:hi])
		}
	}
	return b
}
