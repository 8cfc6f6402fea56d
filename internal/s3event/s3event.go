package s3event

import (
	"encoding/json"
	"time"

	"github.com/fogbank/fogbank/internal/outbox"
)

// Topic is the outbox queue S3 appends its events to, in the transaction of the
// change, when it has a registered consumer and the bucket's configuration
// matches (see package outbox). Its payloads are Events as JSON.
var Topic = outbox.Topic{Path: []string{"s3", "events"}}

// Decode reads an Event from an outbox payload.
func Decode(payload []byte) (*Event, error) {
	ev := new(Event)
	if err := json.Unmarshal(payload, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// Event is one S3 event notification: the record AWS would deliver, and the
// destinations of the bucket's notification configuration whose event and
// prefix/suffix filters it matched (never none: an event that matches no
// destination is not written). Lambda consumes Topic (as "lambda") and invokes
// its targets with Record wrapped as {"Records":[Record]}; SQS and SNS are
// meant to do the same for theirs.
type Event struct {
	Account string // the bucket owner's account
	Region  string
	Targets []Target
	Record  Record
}

// Target is one destination of a bucket's notification configuration.
type Target struct {
	Kind            string // "queue", "topic", "lambda" or "eventbridge"
	ARN             string // the queue, topic or function ARN ("" for eventbridge)
	ConfigurationID string // the configuration's Id, the record's s3.configurationId
}

// Record is an S3 event record exactly as AWS writes it (event version 2.1).
// See https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
type Record struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      UserIdentity      `json:"userIdentity"`
	RequestParameters RequestParameters `json:"requestParameters"`
	ResponseElements  map[string]string `json:"responseElements"`
	S3                Entity            `json:"s3"`
	GlacierEventData  *GlacierEventData `json:"glacierEventData,omitempty"`
}

// UserIdentity is the principal that caused the event.
type UserIdentity struct {
	PrincipalID string `json:"principalId"`
}

// RequestParameters holds the caller's address.
type RequestParameters struct {
	SourceIPAddress string `json:"sourceIPAddress"`
}

// Entity is the record's "s3" member.
type Entity struct {
	S3SchemaVersion string       `json:"s3SchemaVersion"`
	ConfigurationID string       `json:"configurationId"`
	Bucket          BucketEntity `json:"bucket"`
	Object          ObjectEntity `json:"object"`
}

// BucketEntity names the bucket.
type BucketEntity struct {
	Name          string       `json:"name"`
	OwnerIdentity UserIdentity `json:"ownerIdentity"`
	ARN           string       `json:"arn"`
}

// ObjectEntity describes the object. Size and ETag are absent on removals, as
// on AWS; VersionID only in versioning-enabled or suspended buckets.
type ObjectEntity struct {
	Key       string `json:"key"` // URL-encoded, as AWS sends it (space → "+")
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"` // without quotes
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// GlacierEventData is present on ObjectRestore:Completed events.
type GlacierEventData struct {
	RestoreEventData RestoreEventData `json:"restoreEventData"`
}

// RestoreEventData says until when a restored copy lives.
type RestoreEventData struct {
	LifecycleRestorationExpiryTime string `json:"lifecycleRestorationExpiryTime"`
	LifecycleRestoreStorageClass   string `json:"lifecycleRestoreStorageClass"`
}

// EventTimeFormat is how S3 writes eventTime: ISO 8601 with milliseconds, UTC.
const EventTimeFormat = "2006-01-02T15:04:05.000Z"

// FormatEventTime formats t as S3 event records do.
func FormatEventTime(t time.Time) string { return t.UTC().Format(EventTimeFormat) }
