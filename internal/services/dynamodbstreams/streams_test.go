package dynamodbstreams

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/ddbstream"
)

func TestIteratorRoundTrip(t *testing.T) {
	in := iterator{ARN: "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-11-26T00:00:00.000", Shard: "shardId-1", Next: 42, At: 1234567890}
	got, ok := parseIterator(in.String())
	if !ok || got != in {
		t.Errorf("parseIterator(String()) = %+v, %v; want %+v", got, ok, in)
	}
	if _, ok := parseIterator("not an iterator"); ok {
		t.Errorf("parseIterator(garbage) ok, want not ok")
	}
}

func TestStreamScope(t *testing.T) {
	sc, ok := streamScope("arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/label")
	if !ok || sc.acct != "123456789012" || sc.region != "eu-west-1" {
		t.Errorf("streamScope = %+v, %v", sc, ok)
	}
	if _, ok := streamScope("arn:aws:dynamodb:eu-west-1:123456789012:table/t"); ok {
		t.Errorf("streamScope of a table ARN ok, want not ok")
	}
}

func TestToRecord(t *testing.T) {
	keys, _ := json.Marshal(map[string]map[string]string{"pk": {"S": "a"}})
	r := &ddbstream.Record{Seq: 7, EventID: "e", EventName: "REMOVE", Time: time.Unix(1700000000, 5e8), Keys: keys, Size: 3, ViewType: "KEYS_ONLY", TTL: true}
	rec, err := toRecord(r, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := *rec.Dynamodb.SequenceNumber; got != "000000000000000000007" {
		t.Errorf("SequenceNumber = %s, want 000000000000000000007", got)
	}
	if got := *rec.Dynamodb.Keys["pk"].S; got != "a" {
		t.Errorf("Keys.pk = %s, want a", got)
	}
	if rec.UserIdentity == nil || *rec.UserIdentity.PrincipalId != "dynamodb.amazonaws.com" {
		t.Errorf("UserIdentity = %+v, want the DynamoDB service (TTL deletion)", rec.UserIdentity)
	}
	if rec.Dynamodb.ApproximateCreationDateTime.Nanosecond() != 0 {
		t.Errorf("ApproximateCreationDateTime keeps sub-second part, want whole seconds")
	}
}
