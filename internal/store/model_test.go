package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCursorAgainstModel applies random puts, deletes and bucket creations and
// compares every kind of walk with a sorted map, inside write transactions
// (uncommitted state) and in Views.
func TestCursorAgainstModel(t *testing.T) {
	s := newStore(t)
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{0x00, 'a', 'b', 0xff}
	randKey := func() []byte {
		k := make([]byte, 1+r.IntN(3))
		for i := range k {
			k[i] = alphabet[r.IntN(len(alphabet))]
		}
		return k
	}
	model := map[string]string{}
	buckets := map[string]bool{}
	compare := func(tx *Tx, when string) {
		b := tx.Bucket("m")
		var want []string
		for k := range model {
			want = append(want, k)
		}
		slices.Sort(want)
		var got []string
		b.ForEach(func(k, v []byte) error {
			if model[string(k)] != string(v) {
				t.Errorf("%s: value of %x = %x, want %x", when, k, v, model[string(k)])
			}
			got = append(got, string(k))
			return nil
		})
		if fmt.Sprintf("%x", got) != fmt.Sprintf("%x", want) {
			t.Fatalf("%s: ForEach = %x, want %x", when, got, want)
		}
		var back []string
		c := b.Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			back = append(back, string(k))
		}
		slices.Reverse(back)
		if fmt.Sprintf("%x", back) != fmt.Sprintf("%x", want) {
			t.Fatalf("%s: backward = %x, want %x", when, back, want)
		}
		for i := 0; i < 20; i++ {
			seek := randKey()
			i := sortSearch(want, func(k string) bool { return bytes.Compare([]byte(k), seek) >= 0 })
			wantSeek, wantLast := "", ""
			if i < len(want) {
				wantSeek = want[i]
			}
			if i > 0 {
				wantLast = want[i-1]
			}
			if k, _ := c.Seek(seek); string(k) != wantSeek {
				t.Fatalf("%s: Seek(%x) = %x, want %x", when, seek, k, wantSeek)
			}
			if k, _ := c.SeekLast(seek); string(k) != wantLast {
				t.Fatalf("%s: SeekLast(%x) = %x, want %x", when, seek, k, wantLast)
			}
		}
	}
	for round := 0; round < 30; round++ {
		err := s.Update(func(tx *Tx) error {
			b, err := tx.CreateBucket("m")
			if err != nil {
				return err
			}
			for i := 0; i < 20; i++ {
				k := randKey()
				switch op := r.IntN(10); {
				case buckets[string(k)]:
					// leave buckets alone
				case op < 5:
					v := fmt.Sprint(r.IntN(100))
					if r.IntN(5) == 0 {
						v = ""
					}
					if err := b.Put(k, []byte(v)); err != nil {
						return err
					}
					model[string(k)] = v
				case op < 9:
					if err := b.Delete(k); err != nil {
						return err
					}
					delete(model, string(k))
				default:
					if _, ok := model[string(k)]; ok {
						continue
					}
					if _, err := b.CreateBucket(string(k)); err != nil {
						return err
					}
					buckets[string(k)] = true
				}
			}
			compare(tx, fmt.Sprint("round ", round, " in Update"))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s.View(func(tx *Tx) error { compare(tx, fmt.Sprint("round ", round, " in View")); return nil })
	}
}

func sortSearch(keys []string, f func(string) bool) int {
	for i, k := range keys {
		if f(k) {
			return i
		}
	}
	return len(keys)
}
