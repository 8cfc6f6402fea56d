package lambda

import (
	"encoding/binary"
	"encoding/json"
	"strings"

	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/s3event"
	"github.com/fogbank/fogbank/internal/store"
)

// S3 → Lambda: a bucket's LambdaFunctionConfigurations. S3 writes each
// matching event to s3event.Topic with the object (the outbox); Lambda
// consumes the topic as "lambda" and queues, for each Lambda target of an
// event, an asynchronous invocation whose payload is {"Records": [record]},
// the exact record S3 wrote. S3 asks NotificationTargetExists when a
// configuration is put, which also starts the consumer: before a bucket
// names a function, nothing runs.

const s3Consumer = "lambda"

// NotificationTargetExists tells S3 whether arn names an existing function
// (PutBucketNotificationConfiguration refuses a configuration naming one
// that does not), and makes sure S3's events for functions are consumed from
// then on.
func (s *Service) NotificationTargetExists(arn string) bool {
	account, region, name, qual, ok := parseFunctionARN(arn)
	if !ok {
		return false
	}
	if _, err := s.loadQualified(account, region, name, qual, false); err != nil {
		return false
	}
	if s.env != nil && s.env.Outbox != nil {
		// Registered in the caller's stead now, so that S3 writes the events
		// of the configuration about to be stored even before our deliverer
		// reads its first batch.
		s.st.Update(func(tx *store.Tx) error {
			if _, ok := outbox.Acked(tx, s3event.Topic, s3Consumer); ok {
				return nil
			}
			return outbox.Register(tx, s3event.Topic, s3Consumer)
		})
		s.subscribeS3()
	}
	return true
}

// parseFunctionARN reads arn:aws:lambda:region:account:function:name[:qualifier].
func parseFunctionARN(arn string) (account, region, name, qual string, ok bool) {
	p := strings.Split(arn, ":")
	if len(p) < 7 || len(p) > 8 || p[0] != "arn" || p[2] != "lambda" || p[5] != "function" {
		return "", "", "", "", false
	}
	if len(p) == 8 {
		qual = p[7]
	}
	return p[4], p[3], p[6], qual, true
}

// subscribeS3 starts the consumer of S3's events once.
func (s *Service) subscribeS3() {
	a := s.async()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.subS3 != nil || s.stopping() {
		return
	}
	sub, err := s.env.Outbox.Subscribe(s3event.Topic, s3Consumer, s.s3Events)
	if err != nil {
		s.warn("lambda: subscribing to S3's events", err)
		return
	}
	a.subS3 = sub
}

// s3Events queues an invocation for each Lambda target of each event.
func (s *Service) s3Events(evs []outbox.Event) error {
	var items []*asyncEvent
	var ids []string
	for _, ev := range evs {
		e, err := s3event.Decode(ev.Payload)
		if err != nil {
			s.warn("lambda: an S3 event cannot be read; dropped", err)
			continue
		}
		for i, t := range e.Targets {
			if t.Kind != "lambda" {
				continue
			}
			account, region, name, qual, ok := parseFunctionARN(t.ARN)
			if !ok {
				continue
			}
			payload, err := json.Marshal(map[string][]s3event.Record{"Records": {e.Record}})
			if err != nil {
				return err
			}
			at := ev.Time.UnixMilli()
			items = append(items, &asyncEvent{ID: newRequestID(), Account: account, Region: region, Function: name,
				Qualifier: qual, Payload: payload, Accepted: at, Due: at, Source: "s3"})
			ids = append(ids, "s"+string(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, ev.Seq), uint64(i))))
		}
	}
	return s.schedule(items, func(i int) string { return ids[i] })
}
