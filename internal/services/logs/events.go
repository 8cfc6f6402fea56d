package logs

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/fogbank/fogbank/internal/api"
	logsapi "github.com/fogbank/fogbank/internal/api/logs"
	"github.com/fogbank/fogbank/internal/store"
)

// PutLogEvents' limits, as AWS states them.
const (
	maxBatchBytes = 1048576 // the messages' UTF-8 bytes plus 26 per event
	eventOverhead = 26
	maxFuture     = 2 * 3600 * 1000       // ms: newer events are rejected
	maxPast       = 14 * 24 * 3600 * 1000 // ms: older events are rejected
	maxSpan       = 24 * 3600 * 1000      // ms: one batch's accepted events
	dayMs         = 24 * 3600 * 1000

	// What one GetLogEvents or FilterLogEvents answers at most.
	maxPageEvents = 10000
	maxPageBytes  = 1048576
	// maxScan bounds the events one FilterLogEvents call reads: past it the
	// call answers what it found with a nextToken, as AWS does for long
	// searches.
	maxScan = 200000
)

// eventKey orders a stream's events by timestamp, then arrival.
func eventKey(ts int64, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(ts)^(1<<63)) // signed order
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

func keyTime(k []byte) int64 { return int64(binary.BigEndian.Uint64(k) ^ (1 << 63)) }
func keySeq(k []byte) uint64 { return binary.BigEndian.Uint64(k[8:]) }

func eventValue(ingest int64, msg string) []byte {
	v := make([]byte, 8, 8+len(msg))
	binary.BigEndian.PutUint64(v, uint64(ingest))
	return append(v, msg...)
}

func valueIngest(v []byte) int64 { return int64(binary.BigEndian.Uint64(v)) }
func valueMsg(v []byte) string   { return string(v[8:]) }

// appendEvents writes events (chronological or not) to a stream, updating the
// stream's and group's records; the caller stores g.
func appendEvents(tx *store.Tx, account, region string, g *group, st *stream, ts []int64, msgs []string, now int64) error {
	b, err := tx.CreateBucket(root, account, region, eventsB, g.Name, st.Name)
	if err != nil {
		return err
	}
	for i, m := range msgs {
		st.LastSeq++
		if err := b.PutOwned(eventKey(ts[i], st.LastSeq), eventValue(now, m)); err != nil {
			return err
		}
		if st.Events == 0 || ts[i] < st.First {
			st.First = ts[i]
		}
		if st.Events == 0 || ts[i] > st.Last {
			st.Last = ts[i]
		}
		st.Events++
		st.StoredBytes += int64(len(m))
		g.StoredBytes += int64(len(m))
	}
	st.LastIngestion = now
	return putStream(tx, account, region, g.Name, st)
}

// AppendLogEvents writes events to a stream, creating the group and the
// stream when missing; it is how Lambda (and later other services) log. It
// checks none of PutLogEvents' limits (the caller batches) and skips empty
// messages, which CloudWatch Logs cannot hold.
func (s *Service) AppendLogEvents(account, region, grp, strm string, timestampsMs []int64, messages []string) error {
	if len(timestampsMs) != len(messages) {
		return fmt.Errorf("logs: %d timestamps for %d messages", len(timestampsMs), len(messages))
	}
	var ts []int64
	var msgs []string
	for i, m := range messages {
		if m != "" {
			ts, msgs = append(ts, timestampsMs[i]), append(msgs, m)
		}
	}
	now := s.nowMs()
	return s.st.Update(func(tx *store.Tx) error {
		g, err := getGroup(tx, account, region, grp)
		if err != nil {
			g = s.newGroup(grp)
		}
		st, err := getStream(tx, account, region, grp, strm)
		if err != nil {
			st = s.newStream(g, strm)
		}
		if len(msgs) > 0 {
			if err := appendEvents(tx, account, region, g, st, ts, msgs, now); err != nil {
				return err
			}
		} else if err := putStream(tx, account, region, grp, st); err != nil {
			return err
		}
		return putGroup(tx, account, region, g)
	})
}

// PutLogEvents appends a batch: events too far in the future or past (or
// before the group's retention) are left out and reported, the rest stored.
func (s *Service) PutLogEvents(ctx context.Context, in *logsapi.PutLogEventsRequest) (*logsapi.PutLogEventsResponse, error) {
	account, region := scope(ctx)
	grp, strm := api.ToString(in.LogGroupName), api.ToString(in.LogStreamName)
	size := 0
	for i, e := range in.LogEvents {
		if e == nil || e.Timestamp == nil || e.Message == nil {
			return nil, invalid("1 validation error detected: Value null at 'logEvents.%d.member' failed to satisfy constraint: Member must not be null", i+1)
		}
		size += len(*e.Message) + eventOverhead
		if i > 0 && *e.Timestamp < *in.LogEvents[i-1].Timestamp {
			return nil, invalid("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if size > maxBatchBytes {
		return nil, invalid("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	now := s.nowMs()
	out := &logsapi.PutLogEventsResponse{}
	err := s.st.Update(func(tx *store.Tx) error {
		g, err := getGroup(tx, account, region, grp)
		if err != nil {
			return err
		}
		st, err := getStream(tx, account, region, grp, strm)
		if err != nil {
			return err
		}
		var rej logsapi.RejectedLogEventsInfo
		rejected := false
		var ts []int64
		var msgs []string
		for i, e := range in.LogEvents {
			t := *e.Timestamp
			switch {
			case t > now+maxFuture:
				if rej.TooNewLogEventStartIndex == nil {
					rej.TooNewLogEventStartIndex = api.Int64(int64(i))
				}
				rejected = true
				continue
			case t < now-maxPast:
				rej.TooOldLogEventEndIndex = api.Int64(int64(i))
				rejected = true
				continue
			case g.Retention > 0 && t < now-g.Retention*dayMs:
				rej.ExpiredLogEventEndIndex = api.Int64(int64(i))
				rejected = true
				continue
			}
			ts, msgs = append(ts, t), append(msgs, *e.Message)
		}
		if len(ts) > 1 && ts[len(ts)-1]-ts[0] > maxSpan {
			return invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
		}
		if rejected {
			out.RejectedLogEventsInfo = &rej
		}
		if len(ts) == 0 {
			return nil
		}
		if err := appendEvents(tx, account, region, g, st, ts, msgs, now); err != nil {
			return err
		}
		out.NextSequenceToken = api.String(fmt.Sprintf("%056d", st.LastSeq))
		return putGroup(tx, account, region, g)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetLogEvents' tokens are positions between a stream's events: "f/<p>/s"
// reads the events at p and after, "b/<p>/s" those before p, where p is the
// key of an event written as 40 decimal digits (20 for the timestamp, offset
// to be positive, 20 for the event's number). A page ending with event e
// answers f/ just after e; a page beginning with e answers b/ at e, so
// paging back and forth never skips nor repeats an event, and a token at
// the end of the stream comes back unchanged, which is how clients know they
// have read everything.
func encodePos(dir byte, k []byte) *string {
	return api.String(fmt.Sprintf("%c/%020d%020d/s", dir, binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:])))
}

func decodePos(tok string) (dir byte, k []byte, err error) {
	bad := invalid("The specified nextToken is invalid.")
	if len(tok) != 44 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' || tok[42:] != "/s" {
		return 0, nil, bad
	}
	hi, err1 := strconv.ParseUint(tok[2:22], 10, 64)
	lo, err2 := strconv.ParseUint(tok[22:42], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, nil, bad
	}
	k = make([]byte, 16)
	binary.BigEndian.PutUint64(k, hi)
	binary.BigEndian.PutUint64(k[8:], lo)
	return tok[0], k, nil
}

// after is the position just after key k.
func after(k []byte) []byte {
	n := append([]byte(nil), k...)
	for i := len(n) - 1; i >= 0; i-- {
		n[i]++
		if n[i] != 0 {
			break
		}
	}
	return n
}

// GetLogEvents reads one stream: from its start (startFromHead) or its end
// (by default), or from a token of a previous answer.
func (s *Service) GetLogEvents(ctx context.Context, in *logsapi.GetLogEventsRequest) (*logsapi.GetLogEventsResponse, error) {
	account, region, grp, err := groupIdent(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	strm := api.ToString(in.LogStreamName)
	limit := maxPageEvents
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	lo := eventKey(math.MinInt64, 0) // the range: lo <= key < hi
	hi := []byte(nil)
	if in.StartTime != nil {
		lo = eventKey(*in.StartTime, 0)
	}
	if in.EndTime != nil {
		hi = eventKey(*in.EndTime, 0)
	}
	forward := api.ToBool(in.StartFromHead)
	var pos []byte // where reading starts (forward) or ends (backward)
	if in.NextToken != nil {
		dir, k, err := decodePos(*in.NextToken)
		if err != nil {
			return nil, err
		}
		forward, pos = dir == 'f', k
	}
	out := &logsapi.GetLogEventsResponse{Events: []*logsapi.OutputLogEvent{}}
	err = s.st.View(func(tx *store.Tx) error {
		if _, err := getGroup(tx, account, region, grp); err != nil {
			return err
		}
		if _, err := getStream(tx, account, region, grp, strm); err != nil {
			return err
		}
		b := tx.Bucket(root, account, region, eventsB, grp, strm)
		var keys [][]byte
		var evs []*logsapi.OutputLogEvent
		bytesUsed := 0
		take := func(k, v []byte) bool {
			m := valueMsg(v)
			if len(evs) == limit || (len(evs) > 0 && bytesUsed+len(m)+eventOverhead > maxPageBytes) {
				return false
			}
			bytesUsed += len(m) + eventOverhead
			keys = append(keys, append([]byte(nil), k...))
			evs = append(evs, &logsapi.OutputLogEvent{Timestamp: api.Int64(keyTime(k)), Message: api.String(m), IngestionTime: api.Int64(valueIngest(v))})
			return true
		}
		if forward {
			start := lo
			if pos != nil && bytes.Compare(pos, start) > 0 {
				start = pos
			}
			if b != nil {
				c := b.Cursor()
				for k, v := c.Seek(start); k != nil && (hi == nil || bytes.Compare(k, hi) < 0); k, v = c.Next() {
					if !take(k, v) {
						break
					}
				}
			}
			if pos == nil {
				pos = start
			}
			if len(evs) == 0 {
				out.NextForwardToken, out.NextBackwardToken = encodePos('f', pos), encodePos('b', pos)
				return nil
			}
		} else {
			end := hi
			if pos != nil && (end == nil || bytes.Compare(pos, end) < 0) {
				end = pos
			}
			if b != nil {
				c := b.Cursor()
				var k, v []byte
				if end == nil {
					k, v = c.Last()
				} else {
					k, v = c.SeekLast(end)
				}
				for ; k != nil && bytes.Compare(k, lo) >= 0; k, v = c.Prev() {
					if !take(k, v) {
						break
					}
				}
			}
			// Read backwards; answer in time order.
			for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
				evs[i], evs[j] = evs[j], evs[i]
				keys[i], keys[j] = keys[j], keys[i]
			}
			if len(evs) == 0 {
				p := pos
				if p == nil {
					p = lo
					if end != nil {
						p = end
					}
				}
				out.NextForwardToken, out.NextBackwardToken = encodePos('f', p), encodePos('b', p)
				return nil
			}
		}
		out.Events = evs
		out.NextForwardToken = encodePos('f', after(keys[len(keys)-1]))
		out.NextBackwardToken = encodePos('b', keys[0])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// filterToken is FilterLogEvents' nextToken: the last event read (not
// necessarily answered), in the order events are merged.
type filterToken struct {
	Time   int64  `json:"t"`
	Stream string `json:"s"`
	Seq    uint64 `json:"q"`
}

// cursorItem is one stream's next event in FilterLogEvents' merge.
type cursorItem struct {
	st  *stream
	c   *store.Cursor
	k   []byte
	v   []byte
	end []byte // stop before this key (nil: no end)
}

// mergeHeap orders streams' next events by time, then stream name, then
// arrival: the order FilterLogEvents answers in.
type mergeHeap []*cursorItem

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	ti, tj := keyTime(h[i].k), keyTime(h[j].k)
	if ti != tj {
		return ti < tj
	}
	if h[i].st.Name != h[j].st.Name {
		return h[i].st.Name < h[j].st.Name
	}
	return keySeq(h[i].k) < keySeq(h[j].k)
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(*cursorItem)) }
func (h *mergeHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// eventID is unique in a group: 20 digits of time, 16 of the stream's
// number, 20 of the event's; 56 digits, as AWS's ids have.
func eventID(ts int64, streamID, seq uint64) string {
	return fmt.Sprintf("%020d%016d%020d", uint64(ts)^(1<<63), streamID, seq)
}

// FilterLogEvents searches a group's streams (all, those named, or those
// with a prefix) for events matching a filter pattern, in time order.
func (s *Service) FilterLogEvents(ctx context.Context, in *logsapi.FilterLogEventsRequest) (*logsapi.FilterLogEventsResponse, error) {
	account, region, grp, err := groupIdent(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != nil {
		return nil, invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	pat, err := compilePattern(api.ToString(in.FilterPattern))
	if err != nil {
		return nil, invalid("Invalid filter pattern: %s", api.ToString(in.FilterPattern))
	}
	limit := maxPageEvents
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	var tok *filterToken
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		tok = new(filterToken)
		if err != nil || json.Unmarshal(b, tok) != nil {
			return nil, invalid("The specified nextToken is invalid.")
		}
	}
	start := eventKey(math.MinInt64, 0)
	if in.StartTime != nil {
		start = eventKey(*in.StartTime, 0)
	}
	var end []byte // FilterLogEvents' endTime is inclusive
	if in.EndTime != nil && *in.EndTime < math.MaxInt64 {
		end = eventKey(*in.EndTime+1, 0)
	}
	names := map[string]bool{}
	for _, n := range in.LogStreamNames {
		names[n] = true
	}
	prefix := api.ToString(in.LogStreamNamePrefix)
	out := &logsapi.FilterLogEventsResponse{Events: []*logsapi.FilteredLogEvent{}, SearchedLogStreams: []*logsapi.SearchedLogStream{}}
	err = s.st.View(func(tx *store.Tx) error {
		if _, err := getGroup(tx, account, region, grp); err != nil {
			return err
		}
		sb := tx.Bucket(root, account, region, streamsB, grp)
		eb := tx.Bucket(root, account, region, eventsB, grp)
		if sb == nil || eb == nil {
			return nil
		}
		h := &mergeHeap{}
		err := sb.ForEachPrefix([]byte(prefix), func(k, v []byte) error {
			if len(names) > 0 && !names[string(k)] {
				return nil
			}
			st := new(stream)
			if err := json.Unmarshal(v, st); err != nil {
				return err
			}
			b := eb.Bucket(st.Name)
			if b == nil {
				return nil
			}
			seek := start
			if tok != nil {
				// Resume after the token's event: at its time, past it in
				// the merge order.
				t := eventKey(tok.Time, 0)
				switch {
				case st.Name < tok.Stream:
					t = eventKey(tok.Time+1, 0)
				case st.Name == tok.Stream:
					t = eventKey(tok.Time, tok.Seq+1)
				}
				if bytes.Compare(t, seek) > 0 {
					seek = t
				}
			}
			it := &cursorItem{st: st, c: b.Cursor(), end: end}
			it.k, it.v = it.c.Seek(seek)
			if it.k != nil && (end == nil || bytes.Compare(it.k, end) < 0) {
				heap.Push(h, it)
			}
			return nil
		})
		if err != nil {
			return err
		}
		scanned, used := 0, 0
		for h.Len() > 0 {
			it := (*h)[0]
			if len(out.Events) == limit || scanned == maxScan {
				out.NextToken = lastToken(tok)
				return nil
			}
			msg := valueMsg(it.v)
			if pat.match(msg) {
				if len(out.Events) > 0 && used+len(msg)+eventOverhead > maxPageBytes {
					out.NextToken = lastToken(tok)
					return nil
				}
				used += len(msg) + eventOverhead
				ts := keyTime(it.k)
				out.Events = append(out.Events, &logsapi.FilteredLogEvent{
					LogStreamName: api.String(it.st.Name),
					Timestamp:     api.Int64(ts),
					Message:       api.String(msg),
					IngestionTime: api.Int64(valueIngest(it.v)),
					EventId:       api.String(eventID(ts, it.st.ID, keySeq(it.k))),
				})
			}
			scanned++
			tok = &filterToken{Time: keyTime(it.k), Stream: it.st.Name, Seq: keySeq(it.k)}
			it.k, it.v = it.c.Next()
			if it.k == nil || (it.end != nil && bytes.Compare(it.k, it.end) >= 0) {
				heap.Pop(h)
			} else {
				heap.Fix(h, 0)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lastToken encodes the last event read as a nextToken.
func lastToken(t *filterToken) *string {
	if t == nil {
		return nil
	}
	b, _ := json.Marshal(t)
	return api.String(base64.RawURLEncoding.EncodeToString(b))
}
