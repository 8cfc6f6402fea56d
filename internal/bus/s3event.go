package bus

import "time"

// S3Event is one S3 event notification: the record AWS would deliver, and the
// destinations of the bucket's notification configuration whose event and
// prefix/suffix filters it matched. The SQS, SNS and Lambda services subscribe to
// it and deliver Record (wrapped as {"Records":[Record]}) to the destinations that
// are theirs. An event that matched no destination is still published with no
// Targets, so that tests and the console can see every event.
type S3Event struct {
	Account string // the bucket owner's account
	Region  string
	Targets []S3Target
	Record  S3EventRecord
}

// S3Target is one destination of a bucket's notification configuration.
type S3Target struct {
	Kind            string // "queue", "topic", "lambda" or "eventbridge"
	ARN             string // the queue, topic or function ARN ("" for eventbridge)
	ConfigurationID string // the configuration's Id, the record's s3.configurationId
}

// S3EventRecord is an S3 event record exactly as AWS writes it (event version 2.1).
// See https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
type S3EventRecord struct {
	EventVersion      string              `json:"eventVersion"`
	EventSource       string              `json:"eventSource"`
	AWSRegion         string              `json:"awsRegion"`
	EventTime         string              `json:"eventTime"`
	EventName         string              `json:"eventName"`
	UserIdentity      S3UserIdentity      `json:"userIdentity"`
	RequestParameters S3RequestParameters `json:"requestParameters"`
	ResponseElements  map[string]string   `json:"responseElements"`
	S3                S3Entity            `json:"s3"`
	GlacierEventData  *S3GlacierEventData `json:"glacierEventData,omitempty"`
}

// S3UserIdentity is the principal that caused the event.
type S3UserIdentity struct {
	PrincipalID string `json:"principalId"`
}

// S3RequestParameters holds the caller's address.
type S3RequestParameters struct {
	SourceIPAddress string `json:"sourceIPAddress"`
}

// S3Entity is the record's "s3" member.
type S3Entity struct {
	S3SchemaVersion string         `json:"s3SchemaVersion"`
	ConfigurationID string         `json:"configurationId"`
	Bucket          S3BucketEntity `json:"bucket"`
	Object          S3ObjectEntity `json:"object"`
}

// S3BucketEntity names the bucket.
type S3BucketEntity struct {
	Name          string         `json:"name"`
	OwnerIdentity S3UserIdentity `json:"ownerIdentity"`
	ARN           string         `json:"arn"`
}

// S3ObjectEntity describes the object. Size and ETag are absent on removals, as
// on AWS; VersionID only in versioning-enabled or suspended buckets.
type S3ObjectEntity struct {
	Key       string `json:"key"` // URL-encoded, as AWS sends it (space → "+")
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"` // without quotes
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// S3GlacierEventData is present on ObjectRestore:Completed events.
type S3GlacierEventData struct {
	RestoreEventData S3RestoreEventData `json:"restoreEventData"`
}

// S3RestoreEventData says until when a restored copy lives.
type S3RestoreEventData struct {
	LifecycleRestorationExpiryTime string `json:"lifecycleRestorationExpiryTime"`
	LifecycleRestoreStorageClass   string `json:"lifecycleRestoreStorageClass"`
}

// EventTimeFormat is how S3 writes eventTime: ISO 8601 with milliseconds, UTC.
const EventTimeFormat = "2006-01-02T15:04:05.000Z"

// FormatEventTime formats t as S3 event records do.
func FormatEventTime(t time.Time) string { return t.UTC().Format(EventTimeFormat) }
