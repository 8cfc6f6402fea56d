package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fogbank/fogbank/fogbanktest"
)

// BenchmarkGetObject4KiB is the small-object read path end to end through
// aws-sdk-go-v2; run with -cpu 8 -cpuprofile to see where a GET's time goes.
func BenchmarkGetObject4KiB(b *testing.B) {
	srv := fogbanktest.Start(b, fogbanktest.WithDataDir(b.TempDir()))
	c := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 4096)
	for i := 0; i < 256; i++ {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("k%d", i)), Body: bytes.NewReader(body)}); err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("k%d", n.Add(1)%256)
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: &key})
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
	})
}
