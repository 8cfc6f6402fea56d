package dynamodbstreams

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	sapi "github.com/fogbank/fogbank/internal/api/dynamodbstreams"
	"github.com/fogbank/fogbank/internal/ddbstream"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/store"
)

// Impl is how the server creates this service (internal/services/all).
var Impl = host.Impl{New: New, Proto: (*Service)(nil)}

// Service is fogbank's DynamoDB Streams.
type Service struct {
	sapi.Unimplemented
	st  *store.Store
	now func() time.Time
}

var _ sapi.API = (*Service)(nil)

// New creates the service.
func New(env *host.Env) (any, error) {
	s := &Service{st: env.Store, now: env.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// iteratorTTL is how long a shard iterator stays valid, as on AWS.
const iteratorTTL = 15 * time.Minute

func validation(msg string) error {
	return &api.Err{Code: "ValidationException", Status: 400, Message: msg}
}

func notFound(msg string) error {
	return &sapi.ResourceNotFoundException{Message: api.String(msg)}
}

type scope struct{ acct, region string }

func scopeOf(ctx context.Context) scope {
	c := api.CallerFrom(ctx)
	return scope{c.Account, c.Region}
}

// streamScope reads the account and region out of a stream ARN.
func streamScope(arn string) (scope, bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "dynamodb" || !strings.Contains(p[5], "/stream/") {
		return scope{}, false
	}
	return scope{p[4], p[3]}, true
}

func loadMeta(tx *store.Tx, arn string) (*ddbstream.Meta, *store.Bucket, error) {
	sc, ok := streamScope(arn)
	if !ok {
		return nil, nil, validation("Invalid StreamArn")
	}
	b := tx.Bucket(ddbstream.Root, sc.acct, sc.region, ddbstream.Streams, arn)
	if b == nil {
		return nil, nil, notFound("Requested resource not found: Stream: " + arn + " not found")
	}
	var m ddbstream.Meta
	if err := b.GetJSON([]byte(ddbstream.MetaKey), &m); err != nil {
		return nil, nil, err
	}
	return &m, b, nil
}

// ListStreams lists the account's streams in the region, optionally of one table.
func (s *Service) ListStreams(ctx context.Context, in *sapi.ListStreamsInput) (*sapi.ListStreamsOutput, error) {
	sc := scopeOf(ctx)
	limit := 100
	if in.Limit != nil {
		if *in.Limit > 100 {
			return nil, validation("1 validation error detected: Value '" + strconv.FormatInt(*in.Limit, 10) + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100")
		}
		limit = int(*in.Limit)
	}
	if in.ExclusiveStartStreamArn != nil {
		if _, ok := streamScope(*in.ExclusiveStartStreamArn); !ok {
			return nil, validation("Invalid ExclusiveStartStreamArn: " + *in.ExclusiveStartStreamArn)
		}
	}
	out := &sapi.ListStreamsOutput{Streams: []*sapi.Stream{}}
	start := api.ToString(in.ExclusiveStartStreamArn)
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(ddbstream.Root, sc.acct, sc.region, ddbstream.Streams)
		if b == nil {
			return nil
		}
		return b.ForEachBucket(func(name []byte) error {
			arn := string(name)
			if start != "" && arn <= start {
				return nil
			}
			if out.LastEvaluatedStreamArn != nil {
				return nil
			}
			var m ddbstream.Meta
			if err := b.Bucket(arn).GetJSON([]byte(ddbstream.MetaKey), &m); err != nil {
				return err
			}
			if in.TableName != nil && m.Table != *in.TableName {
				return nil
			}
			if len(out.Streams) == limit {
				out.LastEvaluatedStreamArn = out.Streams[limit-1].StreamArn
				return nil
			}
			out.Streams = append(out.Streams, &sapi.Stream{StreamArn: api.String(arn), TableName: api.String(m.Table), StreamLabel: api.String(m.Label)})
			return nil
		})
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}

func internal(err error) error {
	if _, ok := err.(api.Error); ok {
		return err
	}
	return api.InternalError()
}

// DescribeStream describes a stream and its one shard.
func (s *Service) DescribeStream(ctx context.Context, in *sapi.DescribeStreamInput) (*sapi.DescribeStreamOutput, error) {
	arn := api.ToString(in.StreamArn)
	var d *sapi.StreamDescription
	err := s.st.View(func(tx *store.Tx) error {
		m, _, err := loadMeta(tx, arn)
		if err != nil {
			return err
		}
		status := "ENABLED"
		if !m.Enabled {
			status = "DISABLED"
		}
		ks := []*sapi.KeySchemaElement{{AttributeName: api.String(m.Hash), KeyType: api.String("HASH")}}
		if m.Range != "" {
			ks = append(ks, &sapi.KeySchemaElement{AttributeName: api.String(m.Range), KeyType: api.String("RANGE")})
		}
		created := m.Created
		d = &sapi.StreamDescription{
			StreamArn: api.String(m.ARN), StreamLabel: api.String(m.Label), StreamStatus: api.String(status),
			StreamViewType: api.String(m.ViewType), CreationRequestDateTime: &created, TableName: api.String(m.Table),
			KeySchema: ks, Shards: []*sapi.Shard{},
		}
		shardID := m.ShardID()
		if f := in.ShardFilter; f != nil {
			if f.Type == nil {
				return validation("1 validation error detected: Value null at 'shardFilter.type' failed to satisfy constraint: Member must not be null")
			}
			if *f.Type != "CHILD_SHARDS" {
				return validation("Invalid ShardFilter type: " + *f.Type)
			}
			if f.ShardId == nil {
				return validation("ShardFilter of type CHILD_SHARDS requires a ShardId")
			}
			// One shard per stream: no shard has children.
			return nil
		}
		if in.ExclusiveStartShardId != nil && *in.ExclusiveStartShardId >= shardID {
			return nil
		}
		rng := &sapi.SequenceNumberRange{}
		first := outbox.First(tx, topicOf(m))
		rng.StartingSequenceNumber = api.String(ddbstream.SeqString(first))
		if m.Closed {
			rng.EndingSequenceNumber = api.String(ddbstream.SeqString(m.ClosedSeq))
		}
		d.Shards = append(d.Shards, &sapi.Shard{ShardId: api.String(shardID), SequenceNumberRange: rng})
		return nil
	})
	if err != nil {
		return nil, internal(err)
	}
	return &sapi.DescribeStreamOutput{StreamDescription: d}, nil
}

// topicOf is the outbox stream holding m's records.
func topicOf(m *ddbstream.Meta) outbox.Topic {
	sc, _ := streamScope(m.ARN)
	return ddbstream.Topic(sc.acct, sc.region, m.ARN)
}

// iterator is what a shard iterator string carries.
type iterator struct {
	ARN   string
	Shard string
	Next  uint64 // next sequence number to read
	At    int64  // creation time, Unix nanoseconds
}

func (it iterator) String() string {
	raw := it.ARN + "|" + it.Shard + "|" + strconv.FormatUint(it.Next, 10) + "|" + strconv.FormatInt(it.At, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseIterator(s string) (iterator, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return iterator{}, false
	}
	p := strings.Split(string(raw), "|")
	if len(p) != 4 {
		return iterator{}, false
	}
	next, err1 := strconv.ParseUint(p[2], 10, 64)
	at, err2 := strconv.ParseInt(p[3], 10, 64)
	if err1 != nil || err2 != nil {
		return iterator{}, false
	}
	return iterator{p[0], p[1], next, at}, true
}

// GetShardIterator answers an iterator of any of the four types.
func (s *Service) GetShardIterator(ctx context.Context, in *sapi.GetShardIteratorInput) (*sapi.GetShardIteratorOutput, error) {
	arn := api.ToString(in.StreamArn)
	typ := api.ToString(in.ShardIteratorType)
	var it iterator
	err := s.st.View(func(tx *store.Tx) error {
		m, _, err := loadMeta(tx, arn)
		if err != nil {
			return err
		}
		if api.ToString(in.ShardId) != m.ShardID() {
			return notFound("Requested resource not found: Shard does not exist")
		}
		topic := topicOf(m)
		last := outbox.Last(tx, topic)
		it = iterator{ARN: arn, Shard: m.ShardID(), At: s.now().UnixNano()}
		first := outbox.First(tx, topic)
		switch typ {
		case "TRIM_HORIZON":
			it.Next = first
		case "LATEST":
			it.Next = last + 1
		case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
			if in.SequenceNumber == nil {
				return validation("The SequenceNumber parameter is required when ShardIteratorType is " + typ)
			}
			n, err := ddbstream.ParseSeq(*in.SequenceNumber)
			if err != nil {
				return validation("Invalid SequenceNumber: " + *in.SequenceNumber)
			}
			if n > last+1 || (n == 0) {
				return validation("Invalid SequenceNumber: " + *in.SequenceNumber + " is beyond the end of the shard")
			}
			if n < first && first > 1 {
				return &sapi.TrimmedDataAccessException{Message: api.String("The operation attempted to read past the oldest stream record in a shard.")}
			}
			it.Next = n
			if typ == "AFTER_SEQUENCE_NUMBER" {
				it.Next = n + 1
			}
		default:
			return validation("Invalid ShardIteratorType: " + typ)
		}
		if typ != "AT_SEQUENCE_NUMBER" && typ != "AFTER_SEQUENCE_NUMBER" && in.SequenceNumber != nil {
			return validation("Invalid Request: SequenceNumber is only valid with AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER")
		}
		return nil
	})
	if err != nil {
		return nil, internal(err)
	}
	return &sapi.GetShardIteratorOutput{ShardIterator: api.String(it.String())}, nil
}

// GetRecords reads records from an iterator's position, up to Limit (1000).
func (s *Service) GetRecords(ctx context.Context, in *sapi.GetRecordsInput) (*sapi.GetRecordsOutput, error) {
	it, ok := parseIterator(api.ToString(in.ShardIterator))
	if !ok {
		return nil, validation("Invalid ShardIterator")
	}
	if time.Duration(s.now().UnixNano()-it.At) > iteratorTTL {
		return nil, &sapi.ExpiredIteratorException{Message: api.String("Iterator expired. The iterator was created at time " + time.Unix(0, it.At).UTC().Format(time.RFC1123) + " while right now the time is " + s.now().UTC().Format(time.RFC1123) + " which is further in the future than the tolerated delay of 900000 milliseconds.")}
	}
	limit := 1000
	if in.Limit != nil {
		if *in.Limit > 1000 {
			return nil, validation("1 validation error detected: Value '" + strconv.FormatInt(*in.Limit, 10) + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000")
		}
		limit = int(*in.Limit)
	}
	out := &sapi.GetRecordsOutput{Records: []*sapi.Record{}}
	sc, _ := streamScope(it.ARN)
	err := s.st.View(func(tx *store.Tx) error {
		m, _, err := loadMeta(tx, it.ARN)
		if err != nil {
			return err
		}
		next := it.Next
		cutoff := s.now().Add(-ddbstream.Retention)
		err = outbox.Read(tx, topicOf(m), it.Next, func(ev outbox.Event) error {
			if len(out.Records) == limit {
				return outbox.ErrStop
			}
			next = ev.Seq + 1
			if ev.Time.Before(cutoff) {
				return nil
			}
			r, err := ddbstream.Decode(ev)
			if err != nil {
				return err
			}
			rec, err := toRecord(r, sc.region)
			if err != nil {
				return err
			}
			out.Records = append(out.Records, rec)
			return nil
		})
		if err != nil {
			return err
		}
		if m.Closed && next > m.ClosedSeq {
			// The shard is closed and read to its end: no next iterator.
			return nil
		}
		n := it
		n.Next = next
		n.At = s.now().UnixNano()
		out.NextShardIterator = api.String(n.String())
		return nil
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}

func toRecord(r *ddbstream.Record, region string) (*sapi.Record, error) {
	t := r.Time.Truncate(time.Second)
	sr := &sapi.StreamRecord{
		ApproximateCreationDateTime: &t,
		SequenceNumber:              api.String(ddbstream.SeqString(r.Seq)),
		SizeBytes:                   api.Int64(max(r.Size, 1)),
		StreamViewType:              api.String(r.ViewType),
	}
	if err := json.Unmarshal(r.Keys, &sr.Keys); err != nil {
		return nil, err
	}
	if len(r.NewImage) > 0 {
		if err := json.Unmarshal(r.NewImage, &sr.NewImage); err != nil {
			return nil, err
		}
	}
	if len(r.OldImage) > 0 {
		if err := json.Unmarshal(r.OldImage, &sr.OldImage); err != nil {
			return nil, err
		}
	}
	rec := &sapi.Record{
		EventID: api.String(r.EventID), EventName: api.String(r.EventName), EventVersion: api.String("1.1"),
		EventSource: api.String("aws:dynamodb"), AwsRegion: api.String(region), Dynamodb: sr,
	}
	if r.TTL {
		rec.UserIdentity = &sapi.Identity{PrincipalId: api.String("dynamodb.amazonaws.com"), Type: api.String("Service")}
	}
	return rec, nil
}
