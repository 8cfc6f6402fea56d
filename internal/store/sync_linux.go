package store

import (
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// fdatasync flushes a file's data (and the size, when it changed) but not its
// other metadata: cheaper than fsync for the log.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// logSyncer makes the log durable without blocking a thread in fdatasync: it
// submits the sync to the kernel as Linux AIO (IOCB_CMD_FDSYNC, the same
// vfs_fsync as fdatasync, run by a kernel worker) and waits, parked in Go's
// network poller, for an eventfd the completion signals.
//
// Why: a goroutine blocked in fdatasync holds its thread for the whole flush
// (0.15–0.5 ms here). Go's monitor thread must then take its P back to run
// anything else, and it polls every 20 µs for as long as it keeps finding Ps in
// long system calls: on a VM, where a context switch costs several µs of CPU,
// that polling and the hand-offs were the largest part of a durable write's
// extra cost. Measured with loadgen, 8 clients, one P (see bench/RESULTS.md,
// 2026-12-06): durable PutItem and S3 PUT faster with it, and less of the
// process's CPU.
//
// One sync at a time: only the holder of the store's sync role calls it.
// Where AIO is missing (io_setup fails, or aio-max-nr is used up), the log
// falls back to fdatasync.
type logSyncer struct {
	ctx uintptr  // aio_context_t
	efd *os.File // the eventfd, non-blocking, so reads park in the poller
	n   [8]byte
}

// AIO's ABI (include/uapi/linux/aio_abi.h), little-endian 64-bit layout.
type aioIOCB struct {
	data      uint64
	key       uint32
	rwFlags   uint32
	opcode    uint16
	reqprio   int16
	fildes    uint32
	buf       uint64
	nbytes    uint64
	offset    int64
	reserved2 uint64
	flags     uint32
	resfd     uint32
}

type aioEvent struct {
	data, obj uint64
	res, res2 int64
}

const (
	aioCmdFdsync = 3 // IOCB_CMD_FDSYNC
	aioFlagResfd = 1 // IOCB_FLAG_RESFD
)

// newLogSyncer returns nil where the kernel offers no AIO: the caller then
// uses fdatasync.
func newLogSyncer() *logSyncer {
	if unsafe.Sizeof(uintptr(0)) != 8 { // the structs above are the 64-bit layout
		return nil
	}
	var ctx uintptr
	if _, _, e := syscall.Syscall(syscall.SYS_IO_SETUP, 1, uintptr(unsafe.Pointer(&ctx)), 0); e != 0 {
		return nil
	}
	fd, _, e := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if e != 0 {
		syscall.Syscall(syscall.SYS_IO_DESTROY, ctx, 0, 0)
		return nil
	}
	return &logSyncer{ctx: ctx, efd: os.NewFile(fd, "store-log-sync")}
}

// fdatasync makes f's data durable, as fdatasync(2) does.
func (l *logSyncer) fdatasync(f *os.File) error {
	cb := aioIOCB{opcode: aioCmdFdsync, fildes: uint32(f.Fd()), flags: aioFlagResfd, resfd: uint32(l.efd.Fd())}
	cbs := [1]*aioIOCB{&cb}
	// io_submit only queues a sync: a raw call, not one the scheduler must
	// watch. The kernel copies the iocb before it returns.
	if _, _, e := syscall.RawSyscall(syscall.SYS_IO_SUBMIT, l.ctx, 1, uintptr(unsafe.Pointer(&cbs[0]))); e != 0 {
		if e == syscall.EINVAL || e == syscall.ENOSYS || e == syscall.EOPNOTSUPP {
			return fdatasync(f) // a file system without AIO fsync
		}
		return fmt.Errorf("io_submit: %w", e)
	}
	if _, err := l.efd.Read(l.n[:]); err != nil {
		return fmt.Errorf("aio eventfd: %w", err)
	}
	var ev aioEvent
	var zero syscall.Timespec // the event is there: the eventfd said so
	n, _, e := syscall.RawSyscall6(syscall.SYS_IO_GETEVENTS, l.ctx, 1, 1, uintptr(unsafe.Pointer(&ev)), uintptr(unsafe.Pointer(&zero)), 0)
	switch {
	case e != 0:
		return fmt.Errorf("io_getevents: %w", e)
	case n != 1:
		return fmt.Errorf("io_getevents: no completion after its eventfd")
	case ev.res < 0:
		return syscall.Errno(-ev.res)
	}
	return nil
}

// close releases the AIO context and the eventfd. Nothing may be syncing.
func (l *logSyncer) close() {
	syscall.Syscall(syscall.SYS_IO_DESTROY, l.ctx, 0, 0)
	l.efd.Close()
}

// errQuota is the error of a write over the user's disk quota.
var errQuota error = syscall.EDQUOT

// processCPU is the CPU time the process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
