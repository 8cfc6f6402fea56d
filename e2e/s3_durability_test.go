package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func s3Client(f *fogbank) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(f.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      oneAttempt(),
	})
}

// kill -9 during parallel PUTs (aws-sdk-go-v2: aws-chunked bodies with CRC32
// trailers), restart on the same data directory: every PUT answered 200 is there
// byte for byte, and every object that is there is whole (one of the bodies
// sent for its key, never a prefix of one).
func TestS3Kill9Durability(t *testing.T) {
	dir := t.TempDir()
	f := start(t, dir)
	c := s3Client(f)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("durable")}); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var (
		mu    sync.Mutex                // guards acked and sent
		acked = map[string][32]byte{}   // key → hash of the body answered 200
		sent  = map[string][][32]byte{} // key → hashes of every body sent
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// Keys are rewritten (i%50) so overwrites race the kill too.
				key := fmt.Sprintf("w%d/k%03d", w, i%50)
				body := make([]byte, 1+(i*7919)%(256<<10))
				rand.Read(body)
				h := sha256.Sum256(body)
				mu.Lock()
				sent[key] = append(sent[key], h)
				mu.Unlock()
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("durable"), Key: aws.String(key), Body: bytes.NewReader(body)})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[key] = h
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	f.cmd.Process.Kill() // SIGKILL: no shutdown, no flush
	f.cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no PUT was acknowledged before the kill")
	}

	f2 := start(t, dir)
	c2 := s3Client(f2)
	listed := 0
	p := s3.NewListObjectsV2Paginator(c2, &s3.ListObjectsV2Input{Bucket: aws.String("durable")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			listed++
			key := aws.ToString(o.Key)
			out, err := c2.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("durable"), Key: o.Key})
			if err != nil {
				t.Errorf("GET %s after restart: %v", key, err)
				continue
			}
			b, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil {
				t.Errorf("reading %s: %v", key, err)
				continue
			}
			h := sha256.Sum256(b)
			whole := false
			for _, s := range sent[key] {
				whole = whole || s == h
			}
			if !whole {
				t.Errorf("%s: %d bytes that are no body ever sent (a partial object?)", key, len(b))
			}
			if int64(len(b)) != aws.ToInt64(o.Size) {
				t.Errorf("%s: listed size %d, body %d bytes", key, aws.ToInt64(o.Size), len(b))
			}
		}
	}
	for key, h := range acked {
		out, err := c2.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("durable"), Key: aws.String(key)})
		if err != nil {
			t.Errorf("acknowledged %s missing after restart: %v", key, err)
			continue
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		got := sha256.Sum256(b)
		// The newest acknowledged body, or a later one whose PUT was in flight.
		ok := got == h
		if !ok {
			bodies := sent[key]
			for i := len(bodies) - 1; i >= 0 && bodies[i] != h; i-- {
				ok = ok || bodies[i] == got
			}
		}
		if !ok {
			t.Errorf("%s: body after restart is neither the acknowledged one nor a later one", key)
		}
	}
	t.Logf("%d PUTs' keys acknowledged before kill -9, %d objects listed after restart, all whole", len(acked), listed)
}
