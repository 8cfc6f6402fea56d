package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The benchmarks report ratios' ingredients side by side: the store against
// bbolt used directly (one fsync per Update, and bbolt's own Batch), and blob
// writes against a plain io.Copy to a file on the same disk. Run with
// -benchtime=1x for the 1 GiB ones:
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/store/

const benchWriters = 8

// runWriters spreads b.N operations over benchWriters goroutines.
func runWriters(b *testing.B, op func(g, i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := 0; g < benchWriters; g++ {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > b.N {
					return
				}
				if err := op(g, i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

var benchValue = make([]byte, 100)

// BenchmarkUpdateParallel: 8 goroutines each putting one small item per Update,
// fsync on; and the same in memory mode (Options.Memory).
func BenchmarkUpdateParallel(b *testing.B) {
	for _, memory := range []bool{false, true} {
		name := "store.Update"
		if memory {
			name = "store.Update/memory"
		}
		b.Run(name, func(b *testing.B) {
			s, err := Open(Options{Dir: b.TempDir(), Memory: memory, Logf: b.Logf})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			s.Update(func(tx *Tx) error { _, err := tx.CreateBucket("t"); return err })
			b.ReportAllocs()
			runWriters(b, func(g, i int) error {
				return s.Update(func(tx *Tx) error {
					return tx.Bucket("t").Put([]byte(fmt.Sprintf("k%09d", i)), benchValue)
				})
			})
		})
	}
	for _, mode := range []string{"bbolt.Update", "bbolt.Batch"} {
		b.Run(mode, func(b *testing.B) {
			db, err := bolt.Open(filepath.Join(b.TempDir(), "db"), 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("t")); return err })
			run := db.Update
			if mode == "bbolt.Batch" {
				run = db.Batch
			}
			runWriters(b, func(g, i int) error {
				return run(func(tx *bolt.Tx) error {
					return tx.Bucket([]byte("t")).Put([]byte(fmt.Sprintf("k%09d", i)), benchValue)
				})
			})
		})
	}
}

// BenchmarkUpdateSerial: one writer, one Update at a time: the latency a lone
// client sees (bbolt's Batch would add its 10 ms delay here; the store does not).
func BenchmarkUpdateSerial(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir(), Logf: b.Logf})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.Update(func(tx *Tx) error { _, err := tx.CreateBucket("t"); return err })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Update(func(tx *Tx) error { return tx.Bucket("t").Put([]byte(fmt.Sprintf("k%09d", i)), benchValue) })
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// patternReader yields n bytes cycling through a 1 MiB pattern (so that a small
// read buffer gets no cache advantage from rereading the same bytes), as fast as
// memory copies, and offers only Read (like a request body).
type patternReader struct {
	pattern []byte
	n       int64
	off     int
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	m := 0
	for m < len(p) {
		c := copy(p[m:], r.pattern[r.off:])
		m += c
		r.off = (r.off + c) % len(r.pattern)
	}
	r.n -= int64(m)
	return m, nil
}

const benchBlobSize = 1 << 30

func newPattern() []byte { return randomBytes(7, 1<<20) }

// copyToFile is the peer: a plain io.Copy of the same bytes into a file on the
// same disk, then fsync (BlobWriter.Commit fsyncs too).
func copyToFile(b *testing.B, dir string, pattern []byte) time.Duration {
	start := time.Now()
	path := filepath.Join(dir, "plain")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, &patternReader{pattern: pattern, n: benchBlobSize}); err != nil {
		b.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	d := time.Since(start)
	os.Remove(path)
	return d
}

// BenchmarkBlobWrite writes 1 GiB per op through a BlobWriter, for several digest
// sets, and right before each, 1 GiB through a plain io.Copy into a file (not
// timed as the op). The machine is shared, so the pair is what to compare:
// it reports the blob's MB/s, the copy's, and the blob's speed as a percentage
// of the copy's.
func BenchmarkBlobWrite(b *testing.B) {
	pattern := newPattern()
	for _, c := range []struct {
		name   string
		hashes Hash
	}{
		{"none", 0},
		{"MD5", MD5},
		{"MD5+CRC64NVME", MD5 | CRC64NVME},
		{"CRC32C", CRC32C},
		{"SHA256", SHA256},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, err := Open(Options{Dir: b.TempDir(), Logf: b.Logf})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var blobTime, copyTime time.Duration
			b.SetBytes(benchBlobSize)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				copyTime += copyToFile(b, s.Dir(), pattern)
				b.StartTimer()
				start := time.Now()
				w, err := s.NewBlob(c.hashes)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(w, &patternReader{pattern: pattern, n: benchBlobSize}); err != nil {
					b.Fatal(err)
				}
				if _, err := w.Commit(); err != nil {
					b.Fatal(err)
				}
				blobTime += time.Since(start)
				b.StopTimer()
				w.Abort()
				b.StartTimer()
			}
			mb := float64(b.N) * benchBlobSize / 1e6
			b.ReportMetric(mb/copyTime.Seconds(), "copy-MB/s")
			b.ReportMetric(100*copyTime.Seconds()/blobTime.Seconds(), "%-of-copy")
		})
	}
}

// BenchmarkSmallObjectPut is an S3 PutObject of 4 KiB as a service would do it:
// a blob with MD5, then an Update that references it and records the object,
// from 8 goroutines, fsync on (and in memory mode, "/memory").
func BenchmarkSmallObjectPut(b *testing.B) {
	b.Run("durable", func(b *testing.B) { smallObjectPut(b, false) })
	b.Run("memory", func(b *testing.B) { smallObjectPut(b, true) })
}

func smallObjectPut(b *testing.B, memory bool) {
	s, err := Open(Options{Dir: b.TempDir(), Memory: memory, Logf: b.Logf})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	s.Update(func(tx *Tx) error { _, err := tx.CreateBucket("objects"); return err })
	body := randomBytes(1, 4<<10)
	b.SetBytes(int64(len(body)))
	runWriters(b, func(g, i int) error {
		w, err := s.NewBlob(MD5)
		if err != nil {
			return err
		}
		defer w.Abort()
		w.Write(body)
		ref, err := w.Commit()
		if err != nil {
			return err
		}
		return s.Update(func(tx *Tx) error {
			if err := tx.RefBlob(ref.ID); err != nil {
				return err
			}
			return tx.Bucket("objects").Put([]byte(fmt.Sprintf("k%09d", i)), []byte(ref.ID))
		})
	})
}

// BenchmarkOpenFresh is the store's share of fogbank's start-up on a new data
// directory: directories, the database file, its layout, the sweep.
func BenchmarkOpenFresh(b *testing.B) {
	root := b.TempDir()
	for i := 0; i < b.N; i++ {
		s, err := Open(Options{Dir: filepath.Join(root, strconv.Itoa(i)), Logf: b.Logf})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkCheckpoint: the cost of moving an overlay of small S3-like objects
// (a 4 KiB inline body under an ascending id, a blob reference and two ~400-byte
// records per object) into bbolt, per object, fsync on. Updates pay it in the
// background, so it bounds sustained write throughput.
func BenchmarkCheckpoint(b *testing.B) {
	const objects = 2000
	body := make([]byte, 4096)
	rec := make([]byte, 400)
	s, err := Open(Options{Dir: b.TempDir(), Logf: b.Logf})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for j := 0; j < objects; j++ {
			err := s.Update(func(tx *Tx) error {
				id := s.nextInlineID()
				inline, _ := tx.CreateBucket("s3", "inline")
				refs, _ := tx.CreateBucket("s3", "refs")
				o, _ := tx.CreateBucket("s3", "o")
				v, _ := tx.CreateBucket("s3", "v")
				key := []byte(fmt.Sprintf("put/%d/%d", j%8, i*objects+j))
				if err := inline.Put([]byte(id), body); err != nil {
					return err
				}
				refs.Put([]byte(id), encodeBlobRecord(4096, 1))
				o.Put(key, rec)
				return v.Put(append(key, 0, 0, 0, 0, 0, 0, 0, 0, 0), rec)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		c0 := processCPU()
		b.StartTimer()
		if err := s.checkpoint(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += processCPU() - c0
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*objects), "µs/object")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*objects), "cpu-µs/object")
}
