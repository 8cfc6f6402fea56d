package dynamodb

import (
	"encoding/json"
	"time"

	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/ddbstream"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
	"github.com/fogbank/fogbank/internal/store"
)

func streamBucket(tx *store.Tx, acct, region, arn string) *store.Bucket {
	return tx.Bucket(ddbstream.Root, acct, region, ddbstream.Streams, arn)
}

// syncStream makes the stored stream metadata match the table's: a new stream
// is created when one is enabled, and a disabled one is closed.
func (s *Service) syncStream(tx *store.Tx, t *tableMeta) error {
	if t.Stream == nil {
		return nil
	}
	arn := t.streamARN()
	b := streamBucket(tx, t.Account, t.Region, arn)
	if b == nil {
		if !t.Stream.Enabled {
			return nil
		}
		b, err := tx.CreateBucket(ddbstream.Root, t.Account, t.Region, ddbstream.Streams, arn)
		if err != nil {
			return err
		}
		m := &ddbstream.Meta{ARN: arn, Table: t.Name, Label: t.Stream.Label, ViewType: t.Stream.ViewType,
			Hash: t.Hash, Range: t.Range, Created: s.now().UTC(), Enabled: true}
		return b.PutJSON([]byte(ddbstream.MetaKey), m)
	}
	var m ddbstream.Meta
	if err := b.GetJSON([]byte(ddbstream.MetaKey), &m); err != nil {
		return err
	}
	if m.Enabled == t.Stream.Enabled {
		return nil
	}
	m.Enabled = t.Stream.Enabled
	if !m.Enabled {
		m.Closed = true
		m.ClosedSeq = outbox.Last(tx, ddbstream.Topic(t.Account, t.Region, arn))
	}
	return b.PutJSON([]byte(ddbstream.MetaKey), &m)
}

// archiveStream closes the stream of a table being deleted; its records stay
// readable for the retention period.
func (s *Service) archiveStream(tx *store.Tx, t *tableMeta) error {
	if t.Stream == nil || !t.Stream.Enabled {
		return nil
	}
	c := t.clone()
	c.Stream.Enabled = false
	return s.syncStream(tx, c)
}

// recordStream appends a change record to the table's stream.
func (s *Service) recordStream(tx *store.Tx, t *tableMeta, db *store.Bucket, old, nu expr.Item, ttl bool) error {
	if old != nil && nu != nil && expr.Equal(&expr.AV{M: old}, &expr.AV{M: nu}) {
		// Writing an identical item changes nothing, and DynamoDB records nothing.
		return nil
	}
	arn := t.streamARN()
	if streamBucket(tx, t.Account, t.Region, arn) == nil {
		return nil
	}
	r := &ddbstream.Record{ViewType: t.Stream.ViewType, TTL: ttl}
	var err error
	src := nu
	switch {
	case old == nil:
		r.EventName = "INSERT"
	case nu == nil:
		r.EventName = "REMOVE"
		src = old
	default:
		r.EventName = "MODIFY"
	}
	keys := t.keyItem(src)
	if r.Keys, err = json.Marshal(keys); err != nil {
		return err
	}
	r.Size = int64(expr.ItemSize(keys))
	vt := t.Stream.ViewType
	if nu != nil && (vt == ddb.StreamViewTypeNewImage || vt == ddb.StreamViewTypeNewAndOldImages) {
		if r.NewImage, err = json.Marshal(nu); err != nil {
			return err
		}
		r.Size += int64(expr.ItemSize(nu))
	}
	if old != nil && (vt == ddb.StreamViewTypeOldImage || vt == ddb.StreamViewTypeNewAndOldImages) {
		if r.OldImage, err = json.Marshal(old); err != nil {
			return err
		}
		r.Size += int64(expr.ItemSize(old))
	}
	payload, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = outbox.Append(tx, ddbstream.Topic(t.Account, t.Region, arn), s.now(), payload)
	return err
}

// trimStreams removes records older than the retention period, and streams
// that are closed and empty.
func (s *Service) trimStreams(now time.Time) {
	type target struct{ acct, region, arn string }
	var targets []target
	s.st.View(func(tx *store.Tx) error {
		rootB := tx.Bucket(ddbstream.Root)
		if rootB == nil {
			return nil
		}
		return rootB.ForEachBucket(func(acct []byte) error {
			ab := rootB.Bucket(string(acct))
			return ab.ForEachBucket(func(region []byte) error {
				sb := ab.Bucket(string(region), ddbstream.Streams)
				if sb == nil {
					return nil
				}
				return sb.ForEachBucket(func(arn []byte) error {
					targets = append(targets, target{string(acct), string(region), string(arn)})
					return nil
				})
			})
		})
	})
	cutoff := now.Add(-ddbstream.Retention)
	for _, tg := range targets {
		s.st.Update(func(tx *store.Tx) error {
			b := streamBucket(tx, tg.acct, tg.region, tg.arn)
			if b == nil {
				return nil
			}
			topic := ddbstream.Topic(tg.acct, tg.region, tg.arn)
			if _, err := outbox.Trim(tx, topic, now, 10000); err != nil {
				return err
			}
			var m ddbstream.Meta
			if b.GetJSON([]byte(ddbstream.MetaKey), &m) == nil && m.Closed && m.Created.Before(cutoff) {
				if outbox.First(tx, topic) > outbox.Last(tx, topic) {
					return tx.DeleteBucket(ddbstream.Root, tg.acct, tg.region, ddbstream.Streams, tg.arn)
				}
			}
			return nil
		})
	}
}
