package s3

import (
	"errors"
	"io"
	"os"
	"sync"

	"github.com/fogbank/fogbank/internal/store"
)

// copyBufs are the buffers GETs copy file bytes through, pooled: io.Copy would
// allocate 32 KiB per request.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// segReader streams bytes [off, off+n) of an object made of segments, opening
// each blob file only when the read reaches it, so a 10,000-part object holds
// one file open at a time.
type segReader struct {
	st    *store.Store
	segs  []seg
	i     int   // current segment
	off   int64 // offset within segs[i] of the next byte
	left  int64 // bytes still to deliver
	f     store.Blob
	first store.Blob // opened early (inside the View) for the first segment
	// release ends the hold on the segments opened later (hold), if any.
	release func()
}

func newSegReader(st *store.Store, segs []seg, off, n int64) *segReader {
	r := &segReader{st: st, segs: segs, left: n}
	for r.i < len(segs) && off >= segs[r.i].Size {
		off -= segs[r.i].Size
		r.i++
	}
	r.off = off
	return r
}

// openFirst opens the first segment now: called inside the transaction that found
// the object, so that a concurrent delete cannot remove the file before we read.
func (r *segReader) openFirst(tx *store.Tx) error {
	if r.left == 0 || r.i >= len(r.segs) {
		return nil
	}
	f, err := tx.OpenBlob(r.segs[r.i].ID)
	if err != nil {
		return err
	}
	r.first = f
	return nil
}

// hold keeps the segments the read covers readable until Close, whatever
// happens to the object meanwhile: a GET serves the object it found to the
// last byte, as S3 does, even when the key is overwritten or deleted while it
// reads, and the storage is freed when it is done (store.HoldBlobs). Call it
// after the View that found the object, not inside it. ErrNotFound means the
// object changed in between: find it again. A read of one segment opened in
// the View needs no hold: the open file (or the copied bytes) keeps it.
func (r *segReader) hold() error {
	var ids []string
	rem := r.off + r.left
	for j := r.i; j < len(r.segs) && rem > 0; j++ {
		ids = append(ids, r.segs[j].ID)
		rem -= r.segs[j].Size
	}
	if len(ids) == 0 || len(ids) == 1 && r.first != nil {
		return nil
	}
	release, err := r.st.HoldBlobs(ids)
	if err != nil {
		return err
	}
	r.release = release
	return nil
}

func (r *segReader) Read(p []byte) (int, error) {
	for {
		if r.left == 0 {
			return 0, io.EOF
		}
		if r.i >= len(r.segs) {
			return 0, io.ErrUnexpectedEOF
		}
		if r.f == nil {
			if r.first != nil {
				r.f, r.first = r.first, nil
			} else {
				f, err := r.st.OpenBlob(r.segs[r.i].ID)
				if err != nil {
					return 0, err
				}
				r.f = f
			}
		}
		remain := r.segs[r.i].Size - r.off
		if remain <= 0 {
			r.f.Close()
			r.f = nil
			r.i++
			r.off = 0
			continue
		}
		want := int64(len(p))
		if want > remain {
			want = remain
		}
		if want > r.left {
			want = r.left
		}
		n, err := r.f.ReadAt(p[:want], r.off)
		r.off += int64(n)
		r.left -= int64(n)
		if n > 0 {
			return n, nil
		}
		if errors.Is(err, io.EOF) {
			return 0, io.ErrUnexpectedEOF
		}
		return 0, err
	}
}

// WriteTo lets io.Copy hand whole segment files to the connection (sendfile on
// Linux when the writer is a TCP connection).
func (r *segReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.left > 0 && r.i < len(r.segs) {
		if r.f == nil {
			if r.first != nil {
				r.f, r.first = r.first, nil
			} else {
				f, err := r.st.OpenBlob(r.segs[r.i].ID)
				if err != nil {
					return total, err
				}
				r.f = f
			}
		}
		n := r.segs[r.i].Size - r.off
		if n > r.left {
			n = r.left
		}
		if n > 0 {
			var m int64
			var err error
			_, isFile := r.f.(*os.File)
			if wt, ok := r.f.(io.WriterTo); ok && !isFile && r.off == 0 && n == r.segs[r.i].Size {
				// A whole small blob held in memory writes itself: no copy buffer.
				m, err = wt.WriteTo(w)
			} else {
				bp := copyBufs.Get().(*[]byte)
				m, err = io.CopyBuffer(w, io.NewSectionReader(r.f, r.off, n), *bp)
				copyBufs.Put(bp)
			}
			total += m
			r.off += m
			r.left -= m
			if err != nil {
				return total, err
			}
			if m < n {
				return total, io.ErrUnexpectedEOF
			}
		}
		r.f.Close()
		r.f = nil
		r.i++
		r.off = 0
	}
	return total, nil
}

func (r *segReader) Close() error {
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
	if r.first != nil {
		r.first.Close()
		r.first = nil
	}
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return nil
}
