//go:build !linux

package http1

import "net"

// rawIO is Linux only (rawio_linux.go); elsewhere connections use net.Conn.
type rawIO struct{ net.Conn }

func newRawIO(net.Conn) *rawIO { return nil }
