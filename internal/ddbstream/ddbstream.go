package ddbstream

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/fogbank/fogbank/internal/outbox"
)

// Retention is how long records are kept, as on AWS.
const Retention = 24 * time.Hour

// Bucket names and keys.
const (
	Root    = "dynamodb"
	Streams = "streams"
	MetaKey = "meta"
)

// Topic is the outbox stream that holds a stream's records: its sequence numbers
// are the stream's, and it keeps records for Retention.
func Topic(acct, region, arn string) outbox.Topic {
	return outbox.Topic{Path: []string{Root, acct, region, Streams, arn}, Retention: Retention}
}

// Meta describes one stream.
type Meta struct {
	ARN       string    `json:"arn"`
	Table     string    `json:"table"`
	Label     string    `json:"label"`
	ViewType  string    `json:"viewType"`
	Hash      string    `json:"hash"`
	Range     string    `json:"range,omitempty"`
	Created   time.Time `json:"created"`
	Enabled   bool      `json:"enabled"`
	ClosedSeq uint64    `json:"closedSeq,omitempty"` // last sequence number when disabled
	Closed    bool      `json:"closed,omitempty"`
}

// ShardID is the stream's one shard, named from its creation time.
func (m *Meta) ShardID() string {
	return fmt.Sprintf("shardId-%020d-%08x", m.Created.UnixMilli(), uint32(m.Created.UnixNano()))
}

// Record is one change: an outbox event's payload, as JSON. Keys and images are
// JSON objects of DynamoDB attribute values ({"S": "x"}, {"N": "1"}, ...), the
// form both services' generated types marshal to with encoding/json.
type Record struct {
	Seq       uint64          `json:"-"`    // the outbox event's
	EventID   string          `json:"-"`    // from Seq and Time
	Time      time.Time       `json:"-"`    // the outbox event's
	EventName string          `json:"name"` // INSERT, MODIFY, REMOVE
	Keys      json.RawMessage `json:"keys"`
	NewImage  json.RawMessage `json:"new,omitempty"`
	OldImage  json.RawMessage `json:"old,omitempty"`
	Size      int64           `json:"size"`
	ViewType  string          `json:"viewType"`
	TTL       bool            `json:"ttl,omitempty"` // deleted by TTL: userIdentity is the service
}

// SeqString formats a sequence number as AWS does (at least 21 digits).
func SeqString(n uint64) string { return fmt.Sprintf("%021d", n) }

// ParseSeq parses a sequence number.
func ParseSeq(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) }

// Decode reads the record an outbox event holds.
func Decode(ev outbox.Event) (*Record, error) {
	r := new(Record)
	if err := json.Unmarshal(ev.Payload, r); err != nil {
		return nil, err
	}
	r.Seq, r.Time = ev.Seq, ev.Time.UTC()
	r.EventID = fmt.Sprintf("%x%016x", ev.Time.UnixNano(), ev.Seq)
	return r, nil
}
