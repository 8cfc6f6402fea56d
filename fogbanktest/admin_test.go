package fogbanktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbt "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	s3svc "github.com/fogbank/fogbank/internal/services/s3"
)

// clients are the SDK clients of one server.
type clients struct {
	s3  *s3.Client
	ddb *dynamodb.Client
}

func clientsOf(srv *Server) clients {
	return clients{
		s3:  s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true }),
		ddb: dynamodb.NewFromConfig(srv.Config),
	}
}

// seed makes bucket b with a small and a large object, and table tb with items.
func seed(t testing.TB, c clients, b, tb string, items int) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &b}); err != nil {
		t.Fatal(err)
	}
	for key, size := range map[string]int{"small": 10, "large": 200 << 10} {
		if _, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String(key), Body: bytes.NewReader(bytes.Repeat([]byte("x"), size))}); err != nil {
			t.Fatal(err)
		}
	}
	createTable(t, c, tb)
	for i := range items {
		if _, err := c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: &tb,
			Item: map[string]ddbt.AttributeValue{"pk": &ddbt.AttributeValueMemberS{Value: fmt.Sprint(i)}}}); err != nil {
			t.Fatal(err)
		}
	}
}

func createTable(t testing.TB, c clients, tb string) {
	t.Helper()
	_, err := c.ddb.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: &tb,
		AttributeDefinitions: []ddbt.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbt.ScalarAttributeTypeS}},
		KeySchema:            []ddbt.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbt.KeyTypeHash}},
		BillingMode:          ddbt.BillingModePayPerRequest})
	if err != nil {
		t.Fatal(err)
	}
}

func bucketNames(t testing.TB, c clients) []string {
	t.Helper()
	out, err := c.s3.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	return names
}

func tableNames(t testing.TB, c clients) []string {
	t.Helper()
	out, err := c.ddb.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.TableNames
}

// check runs the store's invariant check (blob files and reference counts).
func check(t testing.TB, srv *Server) {
	t.Helper()
	if err := srv.srv.Store.Check(s3svc.RefWalker); err != nil {
		t.Error(err)
	}
}

func post(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestResetAll(t *testing.T) {
	srv := Start(t)
	c := clientsOf(srv)
	ctx := context.Background()
	seed(t, c, "bucket-1", "table-1", 20)
	seed(t, c, "bucket-2", "table-2", 5)
	srv.Reset()
	if got := bucketNames(t, c); len(got) != 0 {
		t.Errorf("buckets after reset: %v", got)
	}
	if got := tableNames(t, c); len(got) != 0 {
		t.Errorf("tables after reset: %v", got)
	}
	_, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket-1"), Key: aws.String("small")})
	if ae := smithy.APIError(nil); !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchBucket" {
		t.Errorf("GetObject after reset: %v, want NoSuchBucket", err)
	}
	_, err = c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("table-1"),
		Key: map[string]ddbt.AttributeValue{"pk": &ddbt.AttributeValueMemberS{Value: "1"}}})
	if nf := (*ddbt.ResourceNotFoundException)(nil); !errors.As(err, &nf) {
		t.Errorf("GetItem after reset: %v, want ResourceNotFoundException", err)
	}
	check(t, srv)
	// The same names work again, empty.
	seed(t, c, "bucket-1", "table-1", 1)
	scan, err := c.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("table-1")})
	if err != nil || scan.Count != 1 {
		t.Errorf("Scan after reset and one PutItem: %v items, %v", scan.Count, err)
	}
	check(t, srv)
}

func TestResetServiceOverHTTP(t *testing.T) {
	srv := Start(t)
	c := clientsOf(srv)
	seed(t, c, "bucket-1", "table-1", 3)

	// One service: S3 goes, DynamoDB stays.
	if code, body := post(t, srv.URL+"/_fogbank/reset?service=s3"); code != 200 || !strings.Contains(body, `"reset":"s3"`) {
		t.Fatalf("reset s3: %d %s", code, body)
	}
	if got := bucketNames(t, c); len(got) != 0 {
		t.Errorf("buckets after reset of s3: %v", got)
	}
	if got := tableNames(t, c); len(got) != 1 {
		t.Errorf("tables after reset of s3: %v, want table-1", got)
	}
	check(t, srv)
	// LocalStack's per-service path.
	if code, body := post(t, srv.URL+"/_localstack/state/dynamodb/reset"); code != 200 {
		t.Fatalf("localstack reset dynamodb: %d %s", code, body)
	}
	if got := tableNames(t, c); len(got) != 0 {
		t.Errorf("tables after reset of dynamodb: %v", got)
	}
	// LocalStack's and moto's reset-all paths.
	for _, path := range []string{"/_localstack/state/reset", "/moto-api/reset", "/_fogbank/reset"} {
		seed(t, c, "bucket-1", "table-1", 1)
		if code, body := post(t, srv.URL+path); code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		if b, tb := bucketNames(t, c), tableNames(t, c); len(b)+len(tb) != 0 {
			t.Errorf("after %s: buckets %v, tables %v", path, b, tb)
		}
	}
	// Mistakes are refused, and change nothing.
	seed(t, c, "bucket-1", "table-1", 1)
	if code, body := post(t, srv.URL+"/_fogbank/reset?service=s4"); code != 400 || !strings.Contains(body, "unknown service") {
		t.Errorf("reset of an unknown service: %d %s, want 400", code, body)
	}
	if resp, err := http.Get(srv.URL + "/_fogbank/reset"); err != nil || resp.StatusCode != 405 {
		t.Errorf("GET reset: %v %v, want 405", resp.StatusCode, err)
	}
	if got := bucketNames(t, c); len(got) != 1 {
		t.Errorf("buckets after refused resets: %v", got)
	}
	// moto's path only when it cannot be S3's: a bucket named moto-api keeps its
	// objects, GET of its key "reset" still reaches S3.
	ctx := context.Background()
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("moto-api")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("moto-api"), Key: aws.String("reset"), Body: strings.NewReader("hi")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("moto-api"), Key: aws.String("reset")}); err != nil {
		t.Errorf("GetObject moto-api/reset: %v", err)
	}
	check(t, srv)
}

// fixedBody is the content of writer w's n-th object: every 4th is large
// enough to be a blob file rather than bytes inside the database.
func fixedBody(w, n int) []byte {
	size := 100
	if n%4 == 3 {
		size = 70 << 10
	}
	return bytes.Repeat([]byte(fmt.Sprintf("%d/%d;", w, n)), size/6+1)
}

// A snapshot taken while writers run holds, per writer, exactly a prefix of its
// writes (each writer waits for one write's answer before the next), at least
// every write acknowledged before the snapshot was asked for and none begun
// after its answer began; loaded into a fresh server it reads back the same.
func TestSnapshotUnderLoad(t *testing.T) {
	src := Start(t)
	c := clientsOf(src)
	ctx := context.Background()
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("snap-bucket")}); err != nil {
		t.Fatal(err)
	}
	createTable(t, c, "snap-table")

	const s3Writers, ddbWriters = 3, 3
	var started, acked [s3Writers + ddbWriters]atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range s3Writers + ddbWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				started[w].Store(int64(n + 1))
				key := fmt.Sprintf("w%d-%06d", w, n)
				var err error
				if w < s3Writers {
					_, err = c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("snap-bucket"), Key: &key, Body: bytes.NewReader(fixedBody(w, n))})
				} else {
					_, err = c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("snap-table"), Item: map[string]ddbt.AttributeValue{
						"pk": &ddbt.AttributeValueMemberS{Value: key}, "n": &ddbt.AttributeValueMemberN{Value: fmt.Sprint(n)}}})
				}
				if err != nil {
					t.Error(err)
					return
				}
				acked[w].Store(int64(n + 1))
			}
		}()
	}
	// Let every writer get going.
	for w := range acked {
		for acked[w].Load() < 40 && !t.Failed() {
			time.Sleep(5 * time.Millisecond)
		}
	}
	var lo, hi [len(acked)]int64
	for w := range acked {
		lo[w] = acked[w].Load()
	}
	resp, err := http.Get(src.URL + "/_fogbank/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	for w := range started {
		hi[w] = started[w].Load()
	}
	snap, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("snapshot: %d, %v", resp.StatusCode, err)
	}
	// Writes go on a little after the snapshot, then stop.
	for w := range acked {
		for acked[w].Load() < hi[w]+3 && !t.Failed() {
			time.Sleep(5 * time.Millisecond)
		}
	}
	close(stop)
	wg.Wait()
	check(t, src)

	dst := Start(t)
	d := clientsOf(dst)
	seed(t, d, "other-bucket", "other-table", 2) // replaced by the snapshot
	resp, err = http.Post(dst.URL+"/_fogbank/snapshot", "application/octet-stream", bytes.NewReader(snap))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("load: %d %s", resp.StatusCode, body)
	}
	if got := bucketNames(t, d); len(got) != 1 || got[0] != "snap-bucket" {
		t.Errorf("buckets after load: %v, want [snap-bucket]", got)
	}
	if got := tableNames(t, d); len(got) != 1 || got[0] != "snap-table" {
		t.Errorf("tables after load: %v, want [snap-table]", got)
	}

	// What each writer has in the loaded server.
	have := make([]map[int]bool, len(acked))
	for w := range have {
		have[w] = map[int]bool{}
	}
	p := s3.NewListObjectsV2Paginator(d.s3, &s3.ListObjectsV2Input{Bucket: aws.String("snap-bucket")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			var w, n int
			fmt.Sscanf(aws.ToString(o.Key), "w%d-%d", &w, &n)
			have[w][n] = true
			if aws.ToInt64(o.Size) != int64(len(fixedBody(w, n))) {
				t.Errorf("%s: %d bytes, want %d", aws.ToString(o.Key), aws.ToInt64(o.Size), len(fixedBody(w, n)))
			}
		}
	}
	var last map[string]ddbt.AttributeValue
	for {
		out, err := d.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("snap-table"), ExclusiveStartKey: last})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			var w, n int
			fmt.Sscanf(it["pk"].(*ddbt.AttributeValueMemberS).Value, "w%d-%d", &w, &n)
			have[w][n] = true
		}
		if last = out.LastEvaluatedKey; last == nil {
			break
		}
	}
	for w := range have {
		k := len(have[w])
		for n := range k {
			if !have[w][n] {
				t.Errorf("writer %d: %d writes in the snapshot but not its write %d: not a prefix", w, k, n)
				break
			}
		}
		if int64(k) < lo[w] || int64(k) > hi[w] {
			t.Errorf("writer %d: %d writes in the snapshot; %d were acknowledged before it, %d begun before its answer", w, k, lo[w], hi[w])
		}
		t.Logf("writer %d: %d writes in the snapshot (acknowledged before: %d, begun before its answer: %d)", w, k, lo[w], hi[w])
	}
	// Bodies, small and blob files, read back whole.
	for n := range len(have[0]) {
		key := fmt.Sprintf("w0-%06d", n)
		out, err := d.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("snap-bucket"), Key: &key})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, fixedBody(0, n)) {
			t.Errorf("%s: body differs", key)
		}
	}
	// The loaded server works on: writes, and a snapshot of it equals its source's view.
	if _, err := d.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("snap-bucket"), Key: aws.String("after"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	check(t, dst)
}

// The health endpoint reports ready (200) with no init scripts.
func TestHealthReady(t *testing.T) {
	srv := Start(t)
	resp, err := http.Get(srv.URL + "/_localstack/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct {
		Ready    bool              `json:"ready"`
		Services map[string]string `json:"services"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || resp.StatusCode != 200 || !h.Ready || h.Services["s3"] != "running" {
		t.Errorf("health: %d %+v %v", resp.StatusCode, h, err)
	}
}
