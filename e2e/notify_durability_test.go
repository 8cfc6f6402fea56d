package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/s3event"
	"github.com/fogbank/fogbank/internal/server"
	"github.com/fogbank/fogbank/internal/services/all"
)

// notifyChildEnv names the data directory when this test binary runs as the
// fogbank child of TestS3NotificationsKill9 (see TestMain).
const notifyChildEnv = "FOGBANK_E2E_NOTIFY_CHILD"

// notifyChild runs fogbank on dir with a consumer of S3's event outbox, as the
// SQS or Lambda service will consume it: it prints "event <key> <etag>" for each
// event it is handed, then acknowledges the batch. It prints "ready <url>" once
// it answers, and runs until it is killed.
func notifyChild(dir string) {
	srv, err := server.Start(server.Options{Addr: "127.0.0.1:0", DataDir: dir, Models: all.Models(), Version: "e2e",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	var mu sync.Mutex // guards stdout
	_, err = srv.Outbox.Subscribe(s3event.Topic, "e2e", func(evs []outbox.Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range evs {
			e, err := s3event.Decode(ev.Payload)
			if err != nil {
				return err
			}
			fmt.Printf("event %s %s %s\n", e.Record.EventName, e.Record.S3.Object.Key, e.Record.S3.Object.ETag)
		}
		// A slow consumer (5 ms an event), so that the kill finds most events
		// written but not yet delivered.
		time.Sleep(time.Duration(len(evs)) * 5 * time.Millisecond)
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child subscribe:", err)
		os.Exit(2)
	}
	mu.Lock()
	fmt.Printf("ready %s\n", srv.URL)
	mu.Unlock()
	select {}
}

// notifyProc is one run of notifyChild.
type notifyProc struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex          // guards events
	events map[string][]string // key → the ETags of the events received for it
	more   chan struct{}
}

func startNotifyChild(t *testing.T, dir string) *notifyProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), notifyChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &notifyProc{cmd: cmd, events: map[string][]string{}, more: make(chan struct{}, 1)}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 2 && f[0] == "ready":
				ready <- f[1]
			case len(f) == 4 && f[0] == "event" && f[1] == "ObjectCreated:Put":
				p.mu.Lock()
				p.events[f[2]] = append(p.events[f[2]], f[3])
				p.mu.Unlock()
				select {
				case p.more <- struct{}{}:
				default:
				}
			}
		}
		io.Copy(io.Discard, out)
		close(p.more)
	}()
	select {
	case p.url = <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("the fogbank child did not start")
	}
	return p
}

// received copies what p's consumer was handed so far.
func (p *notifyProc) received() map[string][]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string][]string, len(p.events))
	for k, v := range p.events {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// kill -9 right after 200 acknowledged PUTs to a bucket with a notification
// configuration: after restart, the consumer has received an event for every one
// of them, before the kill or after the restart (at least once: an event
// delivered but not yet acknowledged at the kill comes again).
func TestS3NotificationsKill9(t *testing.T) {
	dir := t.TempDir()
	p1 := startNotifyChild(t, dir)
	c := s3Client(&fogbank{URL: p1.url})
	ctx := context.Background()
	bucket := aws.String("notified")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: bucket,
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
			Id: aws.String("all-puts"), QueueArn: aws.String("arn:aws:sqs:us-east-1:000000000000:uploads"),
			Events: []types.Event{types.EventS3ObjectCreatedPut}}}}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	acked := map[string]string{} // key → ETag answered
	var mu sync.Mutex            // guards acked
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				key := fmt.Sprintf("obj-%03d", i)
				out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: strings.NewReader("body of " + key)})
				if err != nil {
					t.Errorf("PUT %s: %v", key, err)
					return
				}
				mu.Lock()
				acked[key] = strings.Trim(aws.ToString(out.ETag), `"`)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	p1.cmd.Process.Kill() // SIGKILL at once: no shutdown, no flush
	p1.cmd.Wait()
	if len(acked) != n {
		t.Fatalf("%d PUTs acknowledged, want %d", len(acked), n)
	}
	before := p1.received()

	p2 := startNotifyChild(t, dir)
	missing := func() []string {
		after := p2.received()
		var miss []string
		for key, etag := range acked {
			found := false
			for _, e := range append(before[key], after[key]...) {
				found = found || e == etag
			}
			if !found {
				miss = append(miss, key)
			}
		}
		return miss
	}
	deadline := time.After(2 * time.Minute) // a failure's bound, not a speed requirement
	for len(missing()) > 0 {
		select {
		case _, ok := <-p2.more:
			if !ok {
				t.Fatalf("the restarted child exited; %d acknowledged PUTs have no event", len(missing()))
			}
		case <-deadline:
			t.Fatalf("%d acknowledged PUTs have no event after restart, e.g. %v", len(missing()), missing()[:min(5, len(missing()))])
		}
	}
	after := p2.received()
	dups := 0
	for key := range acked {
		dups += len(before[key]) + len(after[key]) - 1
	}
	t.Logf("%d PUTs acknowledged; %d events delivered before kill -9, %d after restart (%d duplicates)", n, len(before), len(after), dups)
	if len(before) == n {
		t.Logf("note: every event was delivered before the kill; the restart redelivered %d", len(after))
	}
}

// Stream records are outbox events written with the item: kill -9 right after
// 60 acknowledged writes (aws-sdk-go-v2), restart, and boto3 reads a record for
// each of them from TRIM_HORIZON, in order, and the sequence goes on after them.
func TestDynamoDBStreamKill9(t *testing.T) {
	need(t, "python3")
	dir := t.TempDir()
	f := start(t, dir)
	c := ddbClient(f)
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("streamed"),
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	for i := 0; i < n; i++ {
		item := map[string]ddbtypes.AttributeValue{"pk": ddbS(fmt.Sprintf("k%02d", i%40)), "v": ddbN(i)}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("streamed"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	f.cmd.Process.Kill()
	f.cmd.Wait()

	f2 := start(t, dir)
	script := `
import boto3, os, json
kw = dict(endpoint_url=os.environ["FOGBANK_URL"], region_name="us-east-1")
s = boto3.client("dynamodbstreams", **kw)
arn = s.list_streams(TableName="streamed")["Streams"][0]["StreamArn"]
shard = s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
def read(it):
    out = []
    while it:
        r = s.get_records(ShardIterator=it, Limit=25)
        out += r["Records"]
        if not r["Records"]:
            break
        it = r.get("NextShardIterator")
    return out
recs = read(s.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"])
last = recs[-1]["dynamodb"]["SequenceNumber"]
boto3.client("dynamodb", **kw).put_item(TableName="streamed", Item={"pk": {"S": "after"}, "v": {"N": "-1"}})
more = read(s.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=last)["ShardIterator"])
print(json.dumps({"values": [int(r["dynamodb"]["NewImage"]["v"]["N"]) for r in recs],
    "names": sorted(set(r["eventName"] for r in recs)),
    "ordered": [r["dynamodb"]["SequenceNumber"] for r in recs] == sorted(r["dynamodb"]["SequenceNumber"] for r in recs),
    "more": [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"], r["dynamodb"]["SequenceNumber"] > last) for r in more]}))
`
	out, errOut, code := f2.run(t, nil, "python3", "-c", script)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var vals []string
	for i := 0; i < n; i++ {
		vals = append(vals, strconv.Itoa(i))
	}
	want := `{"values": [` + strings.Join(vals, ", ") + `], "names": ["INSERT", "MODIFY"], "ordered": true, "more": [["INSERT", "after", true]]}`
	if strings.TrimSpace(out) != want {
		t.Errorf("after restart got\n%s\nwant\n%s", out, want)
	}
}
