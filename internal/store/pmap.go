package store

import (
	"hash/maphash"
	"strings"
)

// pmap is a persistent ordered map from string keys to V: a treap whose every
// change copies the nodes on the path it touches and returns a new root, so an
// older root stays a valid, unchanging snapshot. That is what lets readers see
// the overlay without locks (they load a root and keep it) while the writer
// builds the next one, and lets a failed Update roll back by dropping its root.
//
// A node's priority is a hash of its key, so the tree's shape depends only on
// its keys: replacing a value copies one path and rotates nothing.
type pmap[V any] struct{ root *pnode[V] }

type pnode[V any] struct {
	key  string
	val  V
	prio uint64
	l, r *pnode[V]
}

var pmapSeed = maphash.MakeSeed()

func prioOf(k string) uint64 { return maphash.String(pmapSeed, k) }

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
	return pmap[V]{pinsert(m.root, k, v, prioOf(k))}
}

func pinsert[V any](n *pnode[V], k string, v V, prio uint64) *pnode[V] {
	if n == nil {
		return &pnode[V]{key: k, val: v, prio: prio}
	}
	c := *n
	switch cmp := strings.Compare(k, n.key); {
	case cmp < 0:
		c.l = pinsert(n.l, k, v, prio)
		if c.l.prio > c.prio { // rotate right; c.l is a fresh copy, safe to change
			l := c.l
			c.l, l.r = l.r, &c
			return l
		}
	case cmp > 0:
		c.r = pinsert(n.r, k, v, prio)
		if c.r.prio > c.prio { // rotate left
			r := c.r
			c.r, r.l = r.l, &c
			return r
		}
	default:
		c.val = v
	}
	return &c
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
	case a.prio > b.prio:
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
