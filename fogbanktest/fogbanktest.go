// Package fogbanktest starts fogbank inside a Go test, on a free port with
// ephemeral state, and gives an aws.Config for aws-sdk-go-v2 clients:
//
//	srv := fogbanktest.Start(t)
//	client := dynamodb.NewFromConfig(srv.Config)
//
// The server is stopped, and its state removed, by t.Cleanup. For S3, use path-style
// addressing (s3.Options.UsePathStyle = true), as for any endpoint on an IP address.
//
// One server can serve many tests: srv.Reset() forgets all state (or
// srv.ResetService("s3") one service's) in one store transaction, milliseconds
// whatever it holds; srv.Snapshot and srv.LoadSnapshot save and restore the
// whole state, as fogbank snapshot save|load do.
package fogbanktest

import (
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/fogbank/fogbank/internal/server"
	"github.com/fogbank/fogbank/internal/services/all"
)

// Server is a fogbank running for one test.
type Server struct {
	URL    string     // "http://127.0.0.1:PORT"
	Config aws.Config // region us-east-1, credentials test/test, BaseEndpoint URL
	srv    *server.Server
	t      testing.TB
}

// Option changes how Start runs fogbank.
type Option func(*server.Options)

// WithDataDir keeps state in dir instead of a temporary directory, so a test can
// stop and start fogbank over the same state.
func WithDataDir(dir string) Option {
	return func(o *server.Options) { o.DataDir, o.Ephemeral = dir, false }
}

// WithLogger sends fogbank's request log to l (by default it is discarded unless
// FOGBANK_TEST_LOG=1).
func WithLogger(l *slog.Logger) Option { return func(o *server.Options) { o.Logger = l } }

// WithHTTP chooses the HTTP server: "fogbank" (internal/http1, the default) or
// "std" (net/http's Server). Without it, FOGBANK_HTTP chooses, so a whole test
// suite can run on either.
func WithHTTP(name string) Option { return func(o *server.Options) { o.HTTP = name } }

// Start runs fogbank on a free port of 127.0.0.1 until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var out io.Writer = io.Discard
	if os.Getenv("FOGBANK_TEST_LOG") == "1" {
		out = os.Stderr
	}
	o := server.Options{
		Addr:      "127.0.0.1:0",
		Ephemeral: true,
		Logger:    slog.New(slog.NewTextHandler(out, nil)),
		Version:   "test",
		Models:    all.Models(),
		HTTP:      os.Getenv("FOGBANK_HTTP"),
	}
	for _, opt := range opts {
		opt(&o)
	}
	srv, err := server.Start(o)
	if err != nil {
		t.Fatalf("fogbanktest: starting fogbank: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	<-srv.InitDone()
	return &Server{
		URL: srv.URL,
		Config: aws.Config{
			Region:       "us-east-1",
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
			BaseEndpoint: aws.String(srv.URL),
		},
		srv: srv,
		t:   t,
	}
}

// WithInitDir runs the init scripts of dir (see fogbank's --init-dir); Start
// returns once they have run.
func WithInitDir(dir string) Option { return func(o *server.Options) { o.InitDir = dir } }

// Reset deletes the state of every service; the test fails if it cannot.
func (s *Server) Reset() {
	s.t.Helper()
	if err := s.srv.Reset(""); err != nil {
		s.t.Fatalf("fogbanktest: reset: %v", err)
	}
}

// ResetService deletes the state of one service, by its endpoint prefix ("s3",
// "dynamodb"); the others keep theirs.
func (s *Server) ResetService(name string) {
	s.t.Helper()
	if err := s.srv.Reset(name); err != nil {
		s.t.Fatalf("fogbanktest: reset %s: %v", name, err)
	}
}

// Snapshot writes the whole state to w (the format of fogbank snapshot save).
func (s *Server) Snapshot(w io.Writer) error { return s.srv.WriteSnapshot(w) }

// LoadSnapshot replaces the whole state with a snapshot read from r.
func (s *Server) LoadSnapshot(r io.Reader) error { return s.srv.LoadSnapshot(r) }

// Stop stops fogbank before the test ends (the data directory stays when it was
// given with WithDataDir).
func (s *Server) Stop() { s.srv.Close() }
