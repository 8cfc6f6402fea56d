package dynamodb

import (
	"encoding/binary"
	"time"

	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
	"github.com/fogbank/fogbank/internal/store"
)

// TTL: while TTL is enabled on a table, its data bucket holds a "ttl" bucket
// keyed by expiry (8 bytes, Unix seconds big-endian) + item key, kept up to date
// by every write, so the sweeper finds expired items without reading the table.
// As on AWS, an expired item stays readable until the sweeper removes it, and
// expiry times more than five years in the past are ignored.

const bTTL = "ttl"

// ttlOf is an item's expiry in Unix seconds, or false.
func ttlOf(t *tableMeta, it expr.Item, now time.Time) (uint64, bool) {
	if it == nil || !t.TTLEnabled {
		return 0, false
	}
	v := it[t.TTLAttr]
	if v == nil || v.N == nil {
		return 0, false
	}
	d, err := expr.ParseNumber(*v.N)
	if err != nil || d.Neg || d.IsZero() || d.Exp > 19 {
		return 0, false
	}
	// Integer part only.
	secs := uint64(0)
	for i := 0; i < d.Exp; i++ {
		c := byte('0')
		if i < len(d.Digits) {
			c = d.Digits[i]
		}
		secs = secs*10 + uint64(c-'0')
	}
	if int64(secs) < now.Add(-5*365*24*time.Hour).Unix() {
		return 0, false
	}
	return secs, true
}

func ttlKey(exp uint64, key []byte) []byte {
	return append(binary.BigEndian.AppendUint64(nil, exp), key...)
}

// updateTTL keeps the ttl bucket in step with one write.
func (s *Service) updateTTL(t *tableMeta, db *store.Bucket, key []byte, old, nu expr.Item) error {
	if !t.TTLEnabled {
		return nil
	}
	tb, err := db.CreateBucket(bTTL)
	if err != nil {
		return err
	}
	now := s.now()
	oe, ok1 := ttlOf(t, old, now)
	ne, ok2 := ttlOf(t, nu, now)
	if ok1 && (!ok2 || oe != ne) {
		if err := tb.Delete(ttlKey(oe, key)); err != nil {
			return err
		}
	}
	if ok2 {
		return tb.Put(ttlKey(ne, key), nil)
	}
	return nil
}

// backfillTTL indexes every item of a table whose TTL was just enabled.
func (s *Service) backfillTTL(tx *store.Tx, t *tableMeta) error {
	db := dataBucket(tx, t.Account, t.Region, t.Name)
	if db == nil {
		return nil
	}
	if db.Bucket(bTTL) != nil {
		if err := db.DeleteBucket(bTTL); err != nil {
			return err
		}
	}
	tb, err := db.CreateBucket(bTTL)
	if err != nil {
		return err
	}
	var keys [][]byte
	now := s.now()
	err = db.Bucket(bItems).ForEach(func(k, v []byte) error {
		it, err := decodeItem(v)
		if err != nil {
			return err
		}
		if e, ok := ttlOf(t, it, now); ok {
			keys = append(keys, ttlKey(e, k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tb.Put(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// ttlInterval is how often expired items are looked for.
var ttlInterval = time.Second

func (s *Service) ttlLoop() {
	defer s.wg.Done()
	tick := time.NewTicker(ttlInterval)
	defer tick.Stop()
	lastTrim := time.Time{}
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		now := s.now()
		s.expire(now)
		if now.Sub(lastTrim) > 10*time.Minute {
			s.trimStreams(now)
			lastTrim = now
		}
	}
}

// expire deletes the items whose TTL has passed, up to a bounded number per
// table per round so that one sweep never holds the writer for long.
func (s *Service) expire(now time.Time) {
	type tref struct{ acct, region, name string }
	var tables []tref
	s.st.View(func(tx *store.Tx) error {
		rootB := tx.Bucket(root)
		if rootB == nil {
			return nil
		}
		return rootB.ForEachBucket(func(acct []byte) error {
			ab := rootB.Bucket(string(acct))
			return ab.ForEachBucket(func(region []byte) error {
				db := ab.Bucket(string(region), "data")
				if db == nil {
					return nil
				}
				return db.ForEachBucket(func(name []byte) error {
					if tb := db.Bucket(string(name), bTTL); tb != nil {
						if k, _ := tb.Cursor().First(); k != nil && binary.BigEndian.Uint64(k[:8]) <= uint64(now.Unix()) {
							tables = append(tables, tref{string(acct), string(region), string(name)})
						}
					}
					return nil
				})
			})
		})
	})
	for _, tr := range tables {
		err := s.update(func(tx *store.Tx) error {
			t, err := s.loadTable(tx, tr.acct, tr.region, tr.name)
			if err != nil || t == nil || !t.TTLEnabled {
				return err
			}
			db := dataBucket(tx, tr.acct, tr.region, tr.name)
			tb := db.Bucket(bTTL)
			if tb == nil {
				return nil
			}
			var due [][]byte
			c := tb.Cursor()
			for k, _ := c.First(); k != nil && len(due) < 500; k, _ = c.Next() {
				if binary.BigEndian.Uint64(k[:8]) > uint64(now.Unix()) {
					break
				}
				due = append(due, append([]byte(nil), k...))
			}
			for _, k := range due {
				key := k[8:]
				old, err := readItem(db, key)
				if err != nil {
					return err
				}
				if old != nil {
					if err := s.writeItem(tx, t, db, key, old, nil, true); err != nil {
						return err
					}
				}
				if err := tb.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.log.Error("dynamodb: ttl sweep", "table", tr.name, "err", err)
		}
	}
}
