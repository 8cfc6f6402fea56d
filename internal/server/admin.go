package server

import (
	"errors"
	"fmt"
	"io"

	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

// What test suites ask of a local AWS besides the services: a reset of all
// state or of one service, and snapshots. The gateway serves them over HTTP
// (internal/gateway/introspect.go); fogbanktest calls them directly.

// ErrUnknownService is returned by Reset for a name no model has.
var ErrUnknownService = errors.New("unknown service")

// Reset deletes the state of every service (service "") or of the one named by
// its endpoint prefix ("s3", "dynamodb"), with what the services keep in memory
// about it. It is one store Update: requests running meanwhile see the state
// before or after it, nothing in between. DynamoDB Streams' state belongs to
// DynamoDB's tables: reset "dynamodb" to drop it.
func (s *Server) Reset(service string) error {
	if service == "" {
		if err := s.Store.DropAll(); err != nil {
			return err
		}
		s.resetCaches("")
		return nil
	}
	if !s.models[service] {
		return fmt.Errorf("%w %q", ErrUnknownService, service)
	}
	var walk store.RefWalker
	if h, ok := s.host.Impl(service).(host.BlobHolder); ok {
		walk = h.BlobRefs
	}
	if err := s.Store.Drop(walk, service); err != nil {
		return err
	}
	s.resetCaches(service)
	return nil
}

// resetCaches lets the services forget what they derived from the state they
// had (all of them when service is "").
func (s *Server) resetCaches(service string) {
	for name := range s.models {
		if r, ok := s.host.Impl(name).(host.Resetter); ok && (service == "" || service == name) {
			r.Reset()
		}
	}
}

// WriteSnapshot writes the whole state, consistent as of its start, to w (see
// store.WriteSnapshot for the format).
func (s *Server) WriteSnapshot(w io.Writer) error { return s.Store.WriteSnapshot(w) }

// LoadSnapshot replaces the whole state with a snapshot; a damaged one changes
// nothing and fails with an error matching store.ErrInvalid.
func (s *Server) LoadSnapshot(r io.Reader) error {
	if err := s.Store.LoadSnapshot(r); err != nil {
		return err
	}
	s.resetCaches("")
	// Services that had nothing and now have state may have work to resume.
	return s.host.Ensure(stateful(s.Store, s.regs))
}
