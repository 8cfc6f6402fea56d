package fogbanktest_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
