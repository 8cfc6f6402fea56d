package http1

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// rawIO must answer as net.Conn does: the server's error handling (readError,
// the body's timeout, the watch) relies on the same errors.
func TestRawIOErrorsAsNetConn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	r := newRawIO(server)
	if r == nil {
		t.Fatal("a TCP connection has a socket to use")
	}

	// Data both ways, a write larger than the socket's buffer included.
	big := make([]byte, 8<<20)
	for i := range big {
		big[i] = byte(i)
	}
	got := make(chan []byte)
	go func() { b, _ := io.ReadAll(io.LimitReader(client, int64(len(big)))); got <- b }()
	if n, err := r.Write(big); n != len(big) || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if b := <-got; len(b) != len(big) || b[len(b)-1] != big[len(big)-1] {
		t.Fatalf("client read %d bytes", len(b))
	}
	client.Write([]byte("hello"))
	buf := make([]byte, 16)
	if n, err := r.Read(buf); err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}

	// A read past its deadline: a timeout, as net.Conn reports it.
	server.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err = r.Read(buf)
	var ne net.Error
	var oe *net.OpError
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) ||
		!errors.As(err, &oe) || oe.Op != "read" {
		t.Fatalf("Read after its deadline: %v", err)
	}
	server.SetReadDeadline(time.Time{})

	// The client goes away: EOF, then writes fail with a write OpError.
	client.Close()
	if n, err := r.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("Read after the client closed = %d, %v", n, err)
	}
	var werr error
	for i := 0; i < 100 && werr == nil; i++ { // the first writes may still be accepted
		_, werr = r.Write(big[:64<<10])
	}
	if !errors.As(werr, &oe) || oe.Op != "write" {
		t.Fatalf("Write to a closed peer: %v", werr)
	}

	// Our own close: the reads end with net.ErrClosed, as net.Conn's do.
	server.Close()
	if _, err := r.Read(buf); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after Close: %v", err)
	}
}

// A connection without a socket (net.Pipe) is served through net.Conn.
func TestRawIONeedsASocket(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if newRawIO(a) != nil {
		t.Fatal("net.Pipe has no file descriptor")
	}
}
