package fogbanktest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbt "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fogbank/fogbank/fogbanktest"
)

// BenchmarkS3PutObject4KiB is the S3 small-object write path end to end through
// aws-sdk-go-v2 (SigV4, routing, decoding, a durable PUT); run it with
// -cpu 8 -cpuprofile to see where a PUT's time goes.
func BenchmarkS3PutObject4KiB(b *testing.B) {
	srv := fogbanktest.Start(b, fogbanktest.WithDataDir(b.TempDir()))
	c := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 4096)
	var n atomic.Int64
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("k%d", n.Add(1)%256)
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: &key, Body: bytes.NewReader(body)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkReset is POST /_fogbank/reset of a server holding 10,000 S3 objects
// (1 KiB each) and 10,000 DynamoDB items, from the request to the answer: each
// iteration fills the server through aws-sdk-go-v2 (not timed), then resets it
// (timed) and checks that nothing is left. Run with -benchtime 5x: a fill takes
// seconds.
func BenchmarkReset(b *testing.B) {
	srv := fogbanktest.Start(b)
	c := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	d := dynamodb.NewFromConfig(srv.Config)
	ctx := context.Background()
	body := bytes.Repeat([]byte("x"), 1024)
	const objects, items, workers = 10_000, 10_000, 8
	fill := func() {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
			b.Fatal(err)
		}
		_, err := d.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("bench"),
			AttributeDefinitions: []ddbt.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbt.ScalarAttributeTypeS}},
			KeySchema:            []ddbt.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbt.KeyTypeHash}},
			BillingMode:          ddbt.BillingModePayPerRequest})
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < objects; i += workers {
					if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("k%05d", i)), Body: bytes.NewReader(body)}); err != nil {
						b.Error(err)
						return
					}
				}
				for i := w * 25; i < items; i += workers * 25 {
					var reqs []ddbt.WriteRequest
					for j := i; j < i+25; j++ {
						reqs = append(reqs, ddbt.WriteRequest{PutRequest: &ddbt.PutRequest{Item: map[string]ddbt.AttributeValue{
							"pk": &ddbt.AttributeValueMemberS{Value: fmt.Sprintf("k%05d", j)}, "v": &ddbt.AttributeValueMemberS{Value: "value"}}}})
					}
					out, err := d.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbt.WriteRequest{"bench": reqs}})
					if err != nil || len(out.UnprocessedItems) != 0 {
						b.Error(err, out.UnprocessedItems)
						return
					}
				}
			}()
		}
		wg.Wait()
		n, err := d.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("bench"), Select: ddbt.SelectCount})
		if err != nil || n.Count != items {
			b.Fatalf("filled %v items, %v", n.Count, err)
		}
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		fill()
		b.StartTimer()
		resp, err := http.Post(srv.URL+"/_fogbank/reset", "", nil)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode, err)
		}
		resp.Body.Close()
		b.StopTimer()
		out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil || len(out.Buckets) != 0 {
			b.Fatalf("after reset: %d buckets, %v", len(out.Buckets), err)
		}
		b.StartTimer()
	}
}
