package http1

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawIO reads and writes a connection's socket with raw system calls, which
// the Go scheduler does not see. A socket's read or write is non-blocking and
// short, but on our 2-core VMs a thread is often descheduled in the middle of
// one; Go's monitor thread (sysmon) then finds the P "in a syscall" twice in a
// row, hands it to another thread (waking one), and keeps polling every 20 µs
// because it found work to do. With net.Conn's calls, sysmon's wake-ups alone
// were 7% of the server's CPU under 8 clients of 4 KiB S3 PUTs (~12 µs per
// PUT), nearly all of it the context switches of its usleep. A raw call holds
// the P for the few microseconds the kernel takes, like any other work; when
// the socket has nothing to read or no room to write, the RawConn parks the
// goroutine in the poller as net.Conn would, with the same deadlines.
type rawIO struct {
	rc   syscall.RawConn
	conn net.Conn // for the addresses in errors
}

// newRawIO returns nil when nc has no file descriptor to use.
func newRawIO(nc net.Conn) *rawIO {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &rawIO{rc: rc, conn: nc}
}

func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			m, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
			if e == syscall.EINTR {
				continue
			}
			if e == syscall.EAGAIN {
				return false // wait in the poller
			}
			n, errno = int(m), e
			return true
		}
	})
	switch {
	case err != nil:
		return 0, r.opError("read", err)
	case errno != 0:
		return 0, r.opError("read", os.NewSyscallError("read", errno))
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (r *rawIO) Write(p []byte) (int, error) {
	var done int
	var errno syscall.Errno
	err := r.rc.Write(func(fd uintptr) bool {
		for done < len(p) {
			rest := p[done:]
			m, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(rest))), uintptr(len(rest)))
			if e == syscall.EINTR {
				continue
			}
			if e == syscall.EAGAIN {
				return false // wait until the socket takes more
			}
			if e != 0 {
				errno = e
				return true
			}
			done += int(m)
		}
		return true
	})
	switch {
	case err != nil:
		return done, r.opError("write", err)
	case errno != 0:
		return done, r.opError("write", os.NewSyscallError("write", errno))
	}
	return done, nil
}

// opError wraps err as net.Conn's methods do, so that callers see the same
// errors (net.Error with Timeout, *net.OpError with Op "read").
func (r *rawIO) opError(op string, err error) error {
	la := r.conn.LocalAddr()
	return &net.OpError{Op: op, Net: la.Network(), Source: la, Addr: r.conn.RemoteAddr(), Err: err}
}
