package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/s3event"
	"github.com/fogbank/fogbank/internal/store"
)

// validEvents are the event types a notification configuration may name.
var validEvents = lazy.Value[map[string]bool]{New: func() map[string]bool {
	valid := map[string]bool{}
	for _, e := range []string{
		"s3:ReducedRedundancyLostObject", "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
		"s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*",
		"s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*",
		"s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete", "s3:Replication:*",
		"s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
		"s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
		"s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
		"s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectTagging:*", "s3:ObjectTagging:Put",
		"s3:ObjectTagging:Delete", "s3:ObjectAcl:Put",
	} {
		valid[e] = true
	}
	return valid
}}

func errNotifyArg(msg, name, value string) error {
	return errInvalidArgument(msg, name, value)
}

func checkFilter(f *s3api.NotificationConfigurationFilter) error {
	if f == nil || f.Key == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, r := range f.Key.FilterRules {
		n := strings.ToLower(api.ToString(r.Name))
		if n != "prefix" && n != "suffix" {
			return errNotifyArg("filter rule name must be either prefix or suffix", "FilterRule", api.ToString(r.Name))
		}
		if seen[n] {
			return errNotifyArg("Cannot specify more than one "+n+" rule in a filter.", "FilterRule", n)
		}
		seen[n] = true
	}
	return nil
}

func checkEvents(events []string) error {
	if len(events) == 0 {
		return errMalformedXML()
	}
	for _, e := range events {
		if !validEvents.Get()[e] {
			return errNotifyArg("The event is not supported for notifications", "Event", e)
		}
	}
	return nil
}

// PutBucketNotificationConfiguration stores the configuration. Lambda functions
// are checked for existence (lambdacheck.go); queues and topics are not (that
// needs SQS and SNS to answer).
func (s *Service) PutBucketNotificationConfiguration(ctx context.Context, in *s3api.PutBucketNotificationConfigurationRequest) (*s3api.PutBucketNotificationConfigurationOutput, error) {
	cfg := in.NotificationConfiguration
	if cfg == nil {
		cfg = &s3api.NotificationConfiguration{}
	}
	n := 0
	for _, q := range cfg.QueueConfigurations {
		if err := checkEvents(q.Events); err != nil {
			return nil, err
		}
		if err := checkFilter(q.Filter); err != nil {
			return nil, err
		}
		if q.Id == nil {
			q.Id = api.String(fmt.Sprintf("notification-%d", n))
		}
		n++
	}
	for _, t := range cfg.TopicConfigurations {
		if err := checkEvents(t.Events); err != nil {
			return nil, err
		}
		if err := checkFilter(t.Filter); err != nil {
			return nil, err
		}
		if t.Id == nil {
			t.Id = api.String(fmt.Sprintf("notification-%d", n))
		}
		n++
	}
	for _, l := range cfg.LambdaFunctionConfigurations {
		if err := checkEvents(l.Events); err != nil {
			return nil, err
		}
		if err := checkFilter(l.Filter); err != nil {
			return nil, err
		}
		if l.Id == nil {
			l.Id = api.String(fmt.Sprintf("notification-%d", n))
		}
		n++
	}
	if err := s.checkLambdaTargets(cfg); err != nil { // lambdacheck.go
		return nil, err
	}
	if err := s.setConfig(ctx, "PutBucketNotificationConfiguration", api.ToString(in.Bucket), cfgNotification, cfg, nil); err != nil {
		return nil, err
	}
	return &s3api.PutBucketNotificationConfigurationOutput{}, nil
}

// GetBucketNotificationConfiguration answers the configuration (empty when unset).
func (s *Service) GetBucketNotificationConfiguration(ctx context.Context, in *s3api.GetBucketNotificationConfigurationRequest) (*s3api.NotificationConfiguration, error) {
	var cfg s3api.NotificationConfiguration
	if err := s.readConfig(ctx, "GetBucketNotificationConfiguration", api.ToString(in.Bucket), cfgNotification, &cfg, nil); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// eventMatches tells whether a configured event pattern covers an event name
// ("ObjectCreated:Put" is covered by "s3:ObjectCreated:*").
func eventMatches(patterns []string, name string) bool {
	for _, p := range patterns {
		p = strings.TrimPrefix(p, "s3:")
		if p == name {
			return true
		}
		if strings.HasSuffix(p, ":*") && strings.HasPrefix(name, strings.TrimSuffix(p, "*")) {
			return true
		}
	}
	return false
}

func filterMatches(f *s3api.NotificationConfigurationFilter, key string) bool {
	if f == nil || f.Key == nil {
		return true
	}
	for _, r := range f.Key.FilterRules {
		v := api.ToString(r.Value)
		switch strings.ToLower(api.ToString(r.Name)) {
		case "prefix":
			if !strings.HasPrefix(key, v) {
				return false
			}
		case "suffix":
			if !strings.HasSuffix(key, v) {
				return false
			}
		}
	}
	return true
}

// matchTargets lists the destinations of cfg that an event on key reaches.
func matchTargets(cfg *s3api.NotificationConfiguration, event, key string) []s3event.Target {
	var out []s3event.Target
	for _, q := range cfg.QueueConfigurations {
		if eventMatches(q.Events, event) && filterMatches(q.Filter, key) {
			out = append(out, s3event.Target{Kind: "queue", ARN: api.ToString(q.QueueArn), ConfigurationID: api.ToString(q.Id)})
		}
	}
	for _, t := range cfg.TopicConfigurations {
		if eventMatches(t.Events, event) && filterMatches(t.Filter, key) {
			out = append(out, s3event.Target{Kind: "topic", ARN: api.ToString(t.TopicArn), ConfigurationID: api.ToString(t.Id)})
		}
	}
	for _, l := range cfg.LambdaFunctionConfigurations {
		if eventMatches(l.Events, event) && filterMatches(l.Filter, key) {
			out = append(out, s3event.Target{Kind: "lambda", ARN: api.ToString(l.LambdaFunctionArn), ConfigurationID: api.ToString(l.Id)})
		}
	}
	if cfg.EventBridgeConfiguration != nil {
		out = append(out, s3event.Target{Kind: "eventbridge"})
	}
	return out
}

// eventKey URL-encodes a key as S3 event records do: form encoding, slashes kept.
func eventKey(k string) string {
	return strings.ReplaceAll(url.QueryEscape(k), "%2F", "/")
}

var sequencer atomic.Uint64

// notify appends, in tx, the event record of rec to the outbox (s3event.Topic),
// when the topic has a consumer and the bucket's notification configuration has
// a destination for it: the event commits with the change, so an acknowledged
// write owes its notification even across kill -9. The caller calls wake once
// its Update has returned. Nothing is read or built when nobody consumes.
func (s *Service) notify(ctx context.Context, tx *store.Tx, b *bucketRec, event string, rec *objRec) error {
	if b == nil || rec == nil || !outbox.HasConsumers(tx, s3event.Topic) {
		return nil
	}
	var cfg s3api.NotificationConfiguration
	if ok, err := getConfig(tx, b.Name, cfgNotification, &cfg); !ok || err != nil {
		return err
	}
	targets := matchTargets(&cfg, event, rec.Key)
	if len(targets) == 0 {
		return nil
	}
	c := caller(ctx)
	now := s.now()
	seq := uint64(now.UnixNano())
	for {
		old := sequencer.Load()
		if seq <= old {
			seq = old + 1
		}
		if sequencer.CompareAndSwap(old, seq) {
			break
		}
	}
	obj := s3event.ObjectEntity{Key: eventKey(rec.Key), Sequencer: fmt.Sprintf("%016X", seq)}
	if strings.HasPrefix(event, "ObjectCreated") || strings.HasPrefix(event, "ObjectRestore") || strings.HasPrefix(event, "ObjectTagging") {
		size := rec.Size
		obj.Size = &size
		obj.ETag = strings.Trim(rec.ETag, `"`)
	}
	if b.versioned() {
		obj.VersionID = rec.VersionID
	}
	principal := "AWS:" + c.Account
	if c.Anonymous {
		principal = "anonymous"
	}
	rid := c.RequestID
	record := s3event.Record{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: b.Region,
		EventTime: s3event.FormatEventTime(now), EventName: event,
		UserIdentity:      s3event.UserIdentity{PrincipalID: principal},
		RequestParameters: s3event.RequestParameters{SourceIPAddress: "127.0.0.1"},
		ResponseElements:  map[string]string{"x-amz-request-id": rid, "x-amz-id-2": hostID(rid)},
		S3: s3event.Entity{S3SchemaVersion: "1.0", ConfigurationID: targets[0].ConfigurationID,
			Bucket: s3event.BucketEntity{Name: b.Name, OwnerIdentity: s3event.UserIdentity{PrincipalID: b.Account}, ARN: b.arn()},
			Object: obj},
	}
	if event == "ObjectRestore:Completed" {
		record.GlacierEventData = restoredData(rec)
	}
	payload, err := json.Marshal(s3event.Event{Account: b.Account, Region: b.Region, Targets: targets, Record: record})
	if err != nil {
		return err
	}
	_, err = outbox.Append(tx, s3event.Topic, now, payload)
	return err
}

// wake tells the outbox's deliverers that events may have committed; call it
// after an Update whose function called notify returned nil.
func (s *Service) wake() { s.events.Wake(s3event.Topic) }

// hostID fakes x-amz-id-2 from the request id (AWS's is an opaque base64 string).
func hostID(rid string) string {
	return strings.ReplaceAll(rid, "-", "") + "/fogbank"
}
