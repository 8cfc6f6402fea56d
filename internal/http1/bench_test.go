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
//
// The "watch" rows run a handler that looks at its context's Done (as one
// that waits on something would): on http1 that starts a watch of the
// connection, which net/http does for every request.
func BenchmarkServe(b *testing.B) {
	body := []byte(strings.Repeat("x", 4096))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4096")
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		w.Write(body)
	})
	watch := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			return
		default:
		}
		h(w, r)
	})
	for _, run := range []struct {
		kind string
		h    http.Handler
		name string
	}{{"net/http", h, "net-http"}, {"http1", h, "http1"}, {"net/http", watch, "net-http-watch"}, {"http1", watch, "http1-watch"}} {
		kind := run.kind
		b.Run(run.name, func(b *testing.B) {
			ts := startServer(b, kind, run.h, serverConfig{})
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
