package e2e

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// kill -9 while a crawler runs, then restart on the same data directory: the
// catalogue writes acknowledged before are there, the crawler is READY again
// with its LastCrawl FAILED (not stuck RUNNING), and it crawls to the end
// when started again.
func TestGlueKill9DuringCrawl(t *testing.T) {
	dir := t.TempDir()
	f := start(t, dir)
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.Retryer = oneAttempt() })
	gc := glue.NewFromConfig(cfg, func(o *glue.Options) { o.Retryer = oneAttempt() })
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("many")}); err != nil {
		t.Fatal(err)
	}
	// Enough folders that a crawl takes a while to read them all.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 1200; i += 8 {
				body := fmt.Sprintf("id,v\n%d,%d.5\n", i, i)
				if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("many"),
					Key: aws.String(fmt.Sprintf("t/k=%04d/a.csv", i)), Body: bytes.NewReader([]byte(body))}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, err := gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("kept")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := gc.CreateCrawler(ctx, &glue.CreateCrawlerInput{Name: aws.String("big"), Role: aws.String("r"), DatabaseName: aws.String("kept"),
		Targets: &types.CrawlerTargets{S3Targets: []types.S3Target{{Path: aws.String("s3://many/t/")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := gc.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	f.cmd.Process.Kill() // SIGKILL: no shutdown, no flush
	f.cmd.Wait()

	f = start(t, dir)
	cfg.BaseEndpoint = aws.String(f.URL)
	gc = glue.NewFromConfig(cfg, func(o *glue.Options) { o.Retryer = oneAttempt() })
	if _, err := gc.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("kept")}); err != nil {
		t.Fatalf("the database acknowledged before the kill: %v", err)
	}
	out, err := gc.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Crawler
	if c.State != types.CrawlerStateReady || c.LastCrawl == nil {
		t.Fatalf("after the restart: state %s, LastCrawl %+v", c.State, c.LastCrawl)
	}
	// The crawl may have finished in the moment before the kill; if not, it
	// is recorded as failed.
	if c.LastCrawl.Status != types.LastCrawlStatusSucceeded &&
		(c.LastCrawl.Status != types.LastCrawlStatusFailed || !strings.Contains(aws.ToString(c.LastCrawl.ErrorMessage), "stopped during the crawl")) {
		t.Errorf("LastCrawl after the restart = %s %q", c.LastCrawl.Status, aws.ToString(c.LastCrawl.ErrorMessage))
	}
	t.Logf("after the restart: LastCrawl %s %q", c.LastCrawl.Status, aws.ToString(c.LastCrawl.ErrorMessage))
	prev := *c.LastCrawl.StartTime
	if _, err := gc.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		out, err = gc.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String("big")})
		if err != nil {
			t.Fatal(err)
		}
		if c = out.Crawler; c.State == types.CrawlerStateReady && c.LastCrawl != nil && !c.LastCrawl.StartTime.Equal(prev) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if c.LastCrawl.Status != types.LastCrawlStatusSucceeded {
		t.Fatalf("the crawl after the restart: %s %q", c.LastCrawl.Status, aws.ToString(c.LastCrawl.ErrorMessage))
	}
	parts, err := gc.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("kept"), TableName: aws.String("t"), MaxResults: aws.Int32(1000)})
	if err != nil || len(parts.Partitions) != 1000 || parts.NextToken == nil {
		t.Fatalf("partitions after the crawl: %d, next %v, %v", len(parts.Partitions), parts.NextToken, err)
	}
}
