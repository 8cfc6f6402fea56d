package store

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashChildEnv names the data directory when the test binary runs as the child
// of TestCrashDurability.
const crashChildEnv = "FOGBANK_STORE_CRASH_CHILD"

// crashContent is the blob a key must hold: its size and bytes follow from the key.
func crashContent(key string) []byte {
	h := fnv.New64a()
	io.WriteString(h, key)
	seed := h.Sum64()
	size := int(seed % (256 << 10))
	switch seed % 16 {
	case 0:
		size = 0
	case 1:
		size = 3<<20 + 17 // goes through the write pipeline
	}
	var s [32]byte
	copy(s[:], key)
	b := make([]byte, size)
	rand.NewChaCha8(s).Read(b)
	return b
}

// crashChild writes until it is killed: 8 goroutines, each putting keys that
// reference a new blob, and deleting (unreferencing) some earlier ones. It prints
// "put <key> <blob id>" or "del <key>" after each Update returns, and
// "deleting <key>" before a delete starts.
func crashChild(dir, round string) {
	s, err := Open(Options{Dir: dir, Logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	var outMu sync.Mutex // guards stdout, so lines never interleave
	ack := func(format string, args ...any) {
		outMu.Lock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
		outMu.Unlock()
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	for g := 0; g < 8; g++ {
		go func() {
			var mine []string
			for i := 0; ; i++ {
				if i%4 == 3 && len(mine) > 2 {
					key := mine[0]
					mine = mine[1:]
					ack("deleting %s", key) // in flight: may or may not be gone after a kill
					err := s.Update(func(tx *Tx) error {
						b := tx.Bucket("objects")
						id := string(b.Get([]byte(key)))
						if err := b.Delete([]byte(key)); err != nil {
							return err
						}
						return tx.UnrefBlob(id)
					})
					if err != nil {
						fail(err)
					}
					ack("del %s", key)
					continue
				}
				key := fmt.Sprintf("%s-g%d-%06d", round, g, i)
				w, err := s.NewBlob(MD5)
				if err != nil {
					fail(err)
				}
				if _, err := w.Write(crashContent(key)); err != nil {
					fail(err)
				}
				ref, err := w.Commit()
				if err != nil {
					fail(err)
				}
				err = s.Update(func(tx *Tx) error {
					b, err := tx.CreateBucket("objects")
					if err != nil {
						return err
					}
					if err := tx.RefBlob(ref.ID); err != nil {
						return err
					}
					return b.Put([]byte(key), []byte(ref.ID))
				})
				if err != nil {
					fail(err)
				}
				w.Abort()
				mine = append(mine, key)
				ack("put %s %s", key, ref.ID)
			}
		}()
	}
	select {}
}

// TestCrashDurability kills (SIGKILL) a child process in the middle of parallel
// Updates and blob writes, three times on the same directory, and checks after
// each that every acknowledged write is there, byte for byte, every acknowledged
// delete is gone, and Check passes.
func TestCrashDurability(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir, os.Getenv(crashChildEnv+"_ROUND"))
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	durableOnly(t)
	dir := t.TempDir()
	live := map[string]string{}   // acknowledged key → blob id
	deleting := map[string]bool{} // keys whose delete was in flight at the kill
	for round, killAfter := range []int{40, 150, 400} {
		name := fmt.Sprint("r", round)
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDurability$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashChildEnv+"_ROUND="+name)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(out)
		acks, killed := 0, false
		deadline := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				break // EOF after the kill; a line cut short by it was never acknowledged
			}
			f := strings.Fields(line)
			switch {
			case len(f) == 3 && f[0] == "put":
				live[f[1]] = f[2]
			case len(f) == 2 && f[0] == "deleting":
				deleting[f[1]] = true
			case len(f) == 2 && f[0] == "del":
				delete(live, f[1])
				delete(deleting, f[1])
			default:
				t.Fatalf("child printed %q", line)
			}
			if acks++; acks == killAfter && !killed {
				cmd.Process.Kill() // SIGKILL: no deferred code, no Close
				killed = true
			}
		}
		deadline.Stop()
		werr := cmd.Wait()
		if !killed {
			t.Fatalf("round %d: child exited after %d acks: %v\n%s", round, acks, werr, stderr.String())
		}
		t.Logf("round %d: killed after %d acknowledged writes; %d keys live", round, acks, len(live))
		verifyAfterCrash(t, dir, live, deleting)
		clear(deleting)
	}
}

func verifyAfterCrash(t *testing.T, dir string, live map[string]string, deleting map[string]bool) {
	t.Helper()
	s, err := Open(Options{Dir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer checkAndClose(t, s, objectsWalker)
	err = s.View(func(tx *Tx) error {
		b := tx.Bucket("objects")
		if b == nil {
			return errors.New("bucket objects missing")
		}
		for key, id := range live {
			got := string(b.Get([]byte(key)))
			if got == "" && deleting[key] {
				delete(live, key) // the delete committed; only its acknowledgment was lost
				continue
			}
			if got != id {
				t.Errorf("acknowledged key %s = %q, want %q", key, got, id)
				continue
			}
			f, err := tx.OpenBlob(id)
			if err != nil {
				t.Errorf("blob of %s: %v", key, err)
				continue
			}
			h := md5.New()
			n, err := io.Copy(h, f)
			f.Close()
			want := md5.Sum(crashContent(key))
			if err != nil || hex.EncodeToString(h.Sum(nil)) != hex.EncodeToString(want[:]) {
				t.Errorf("blob of %s: %d bytes, md5 %x, err %v; want md5 %x", key, n, h.Sum(nil), err, want)
			}
		}
		// Keys not acknowledged may or may not be there (in flight at the kill);
		// the ones there must be intact too. Deleted keys must be gone: every key
		// present either is live or was never acknowledged at all.
		return b.ForEach(func(k, v []byte) error {
			if _, ok := live[string(k)]; ok {
				return nil
			}
			f, err := tx.OpenBlob(string(v))
			var size int64
			if err == nil {
				size, err = f.Seek(0, io.SeekEnd)
				f.Close()
			}
			if err != nil || size != int64(len(crashContent(string(k)))) {
				t.Errorf("unacknowledged key %s: blob of %d bytes, %v", k, size, err)
			}
			live[string(k)] = string(v) // it is committed now, so later rounds must keep it
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
