package http1

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkServe compares http1 with net/http's Server on the same handler (a
// 4 KiB body with its Content-Length, as an S3 GET answers) and the same
// keep-alive client: one raw TCP connection writing a request and reading the
// answer, so that the client costs as little as it can. ns/op is a round
// trip on loopback, both ends on this machine's cores; compare the two rows
// of one run (go test -bench Serve -benchmem ./internal/http1).
func BenchmarkServe(b *testing.B) {
	body := []byte(strings.Repeat("x", 4096))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4096")
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		w.Write(body)
	})
	for _, kind := range []string{"net/http", "http1"} {
		b.Run(strings.ReplaceAll(kind, "/", "-"), func(b *testing.B) {
			ts := startServer(b, kind, h, serverConfig{})
			c, err := net.Dial("tcp", ts.addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			br := bufio.NewReader(c)
			req := []byte("GET /bucket/key HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\nX-Amz-Date: 20261126T000000Z\r\n\r\n")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.Write(req); err != nil {
					b.Fatal(err)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					b.Fatal(err)
				}
				if n, _ := io.Copy(io.Discard, resp.Body); n != 4096 {
					b.Fatalf("body %d bytes", n)
				}
				resp.Body.Close()
			}
		})
	}
}
