package store

import (
	"hash/maphash"
	"strings"
	"unsafe"
)

// pmap is a persistent ordered map from string keys to V: a treap whose every
// change copies the nodes on the path it touches and returns a new root, so an
// older root stays a valid, unchanging snapshot. That is what lets readers see
// the overlay without locks (they load a root and keep it) while the writer
// builds the next one, and lets a failed Update roll back by dropping its root.
//
// A node's priority is a hash of its key, so the tree's shape depends only on
// its keys: replacing a value copies one path and rotates nothing. It is not
// kept in the node but hashed again when an insert or a merge needs it (a
// couple of times per insert): nodes are what every write copies, a path of
// them, and without it a node with a byte value (bval) is 48 bytes, not 64.
type pmap[V any] struct{ root *pnode[V] }

type pnode[V any] struct {
	key  string
	val  V
	l, r *pnode[V]
}

var pmapSeed = maphash.MakeSeed()

func prioOf(k string) uint64 { return maphash.String(pmapSeed, k) }

// bval is a byte value as a layer keeps it: a []byte without its capacity
// (values never grow), so that its node is 48 bytes. A nil p is a deleted key
// (nil value); an empty value has a non-nil p.
type bval struct {
	p *byte
	n int
}

func mkval(v []byte) bval {
	if v == nil {
		return bval{}
	}
	return bval{unsafe.SliceData(v), len(v)} // non-nil for an empty, non-nil v
}

// bytes returns the value, nil for a deleted key.
func (v bval) bytes() []byte {
	if v.p == nil {
		return nil
	}
	return unsafe.Slice(v.p, v.n)
}

func (m pmap[V]) empty() bool { return m.root == nil }

// get returns the value at k.
func (m pmap[V]) get(k string) (v V, ok bool) {
	if n := m.node(k); n != nil {
		return n.val, true
	}
	return v, false
}

// node returns the node of k, nil when k is missing.
func (m pmap[V]) node(k string) *pnode[V] {
	for n := m.root; n != nil; {
		// One three-way comparison per node, not a "<" and then a ">": keys
		// share long prefixes (a bucket's, the ordered ids of small blobs),
		// and comparing them is a good part of a walk down the tree.
		switch c := strings.Compare(k, n.key); {
		case c < 0:
			n = n.l
		case c > 0:
			n = n.r
		default:
			return n
		}
	}
	return nil
}

// set returns a map with k set to v.
func (m pmap[V]) set(k string, v V) pmap[V] {
	root, _ := pinsert(m.root, k, v, prioOf(k))
	return pmap[V]{root}
}

// pinsert returns n's subtree with k set to v (prio is k's priority), and
// whether its root is k's new node, which may have to rise further: only then
// is a parent's priority needed (every other child already ranks below its
// parent).
func pinsert[V any](n *pnode[V], k string, v V, prio uint64) (*pnode[V], bool) {
	if n == nil {
		return &pnode[V]{key: k, val: v}, true
	}
	c := *n
	switch cmp := strings.Compare(k, n.key); {
	case cmp < 0:
		l, rising := pinsert(n.l, k, v, prio)
		c.l = l
		if rising && prio > prioOf(c.key) { // rotate right; l is a fresh copy, safe to change
			c.l, l.r = l.r, &c
			return l, true
		}
	case cmp > 0:
		r, rising := pinsert(n.r, k, v, prio)
		c.r = r
		if rising && prio > prioOf(c.key) { // rotate left
			c.r, r.l = r.l, &c
			return r, true
		}
	default:
		c.val = v
	}
	return &c, false
}

// remove returns a map without k.
func (m pmap[V]) remove(k string) pmap[V] {
	if _, ok := m.get(k); !ok {
		return m
	}
	return pmap[V]{premove(m.root, k)}
}

func premove[V any](n *pnode[V], k string) *pnode[V] {
	switch cmp := strings.Compare(k, n.key); {
	case cmp < 0:
		c := *n
		c.l = premove(n.l, k)
		return &c
	case cmp > 0:
		c := *n
		c.r = premove(n.r, k)
		return &c
	}
	return pmerge(n.l, n.r)
}

// pmerge joins two treaps whose keys are all smaller in a than in b.
func pmerge[V any](a, b *pnode[V]) *pnode[V] {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case prioOf(a.key) > prioOf(b.key):
		c := *a
		c.r = pmerge(a.r, b)
		return &c
	default:
		c := *b
		c.l = pmerge(a, b.l)
		return &c
	}
}

// ceil returns the node with the smallest key >= k (> k when strict), or nil.
func (m pmap[V]) ceil(k string, strict bool) *pnode[V] {
	var best *pnode[V]
	for n := m.root; n != nil; {
		if c := strings.Compare(n.key, k); c > 0 || (!strict && c == 0) {
			best, n = n, n.l
		} else {
			n = n.r
		}
	}
	return best
}

// floor returns the node with the largest key <= k (< k when strict), or nil.
func (m pmap[V]) floor(k string, strict bool) *pnode[V] {
	var best *pnode[V]
	for n := m.root; n != nil; {
		if c := strings.Compare(n.key, k); c < 0 || (!strict && c == 0) {
			best, n = n, n.r
		} else {
			n = n.l
		}
	}
	return best
}

func (m pmap[V]) first() *pnode[V] {
	n := m.root
	for n != nil && n.l != nil {
		n = n.l
	}
	return n
}

func (m pmap[V]) last() *pnode[V] {
	n := m.root
	for n != nil && n.r != nil {
		n = n.r
	}
	return n
}

// each calls fn for every key >= from in order until fn returns false.
func (m pmap[V]) each(from string, fn func(k string, v V) bool) {
	for n := m.ceil(from, false); n != nil; n = m.ceil(n.key, true) {
		if !fn(n.key, n.val) {
			return
		}
	}
}

// len counts the entries (for tests and statistics; it walks the whole tree).
func (m pmap[V]) len() int {
	var count func(*pnode[V]) int
	count = func(n *pnode[V]) int {
		if n == nil {
			return 0
		}
		return 1 + count(n.l) + count(n.r)
	}
	return count(m.root)
}
