package glue_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fogbank/fogbank/fogbanktest"
)

// BenchmarkCrawl times one crawl of 1,000 small CSV files in 100 partition
// folders (each file read and classified, the table and 100 partitions
// written; the crawl is polled every 20 ms, so a crawl's time is rounded up
// to that), beside a client listing and reading the same objects through
// S3's API: go test -run '^$' -bench Crawl ./internal/services/glue/
func BenchmarkCrawl(b *testing.B) {
	srv := fogbanktest.Start(b)
	ctx := context.Background()
	sc := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	gc := glue.NewFromConfig(srv.Config)
	sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")})
	for i := 0; i < 1000; i++ {
		put(b, sc, "bench", fmt.Sprintf("t/day=%03d/part-%d.csv", i/10, i%10), []byte(fmt.Sprintf("id,name,v\n%d,n%d,%d.5\n%d,m,1\n", i, i, i, i+1)))
	}
	if _, err := gc.CreateCrawler(ctx, &glue.CreateCrawlerInput{Name: aws.String("bench"), Role: aws.String("r"),
		DatabaseName: aws.String("d"), Targets: s3Target("s3://bench/t/")}); err != nil {
		b.Fatal(err)
	}
	b.Run("crawl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			cr := crawl(b, gc, "bench")
			if cr.LastCrawl.Status != "SUCCEEDED" {
				b.Fatalf("crawl: %s", aws.ToString(cr.LastCrawl.ErrorMessage))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/file")
	})
	// The peer: what a client pays to list and GET the same 1,000 objects.
	b.Run("list+get", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			pg := s3.NewListObjectsV2Paginator(sc, &s3.ListObjectsV2Input{Bucket: aws.String("bench"), Prefix: aws.String("t/")})
			for pg.HasMorePages() {
				page, err := pg.NextPage(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for _, o := range page.Contents {
					out, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: o.Key})
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, out.Body)
					out.Body.Close()
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/file")
	})
}
