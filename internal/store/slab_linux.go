package store

import "syscall"

// adviseHuge asks the kernel to back b with huge pages where it can
// (MADV_HUGEPAGE: honoured when transparent huge pages are "madvise" or
// "always", ignored when "never"). b is 2 MiB-aligned and its length a
// multiple of 2 MiB.
func adviseHuge(b []byte) {
	_ = syscall.Madvise(b, 14) // MADV_HUGEPAGE; a refusal leaves ordinary pages
}
