package cbor

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// 16 MB of one-byte empty maps in one array is refused once what it decodes
// to passes the memory budget, long before it becomes millions of maps.
func TestDecodeBudget(t *testing.T) {
	n := 16 << 20
	data := make([]byte, 0, n+5)
	data = append(data, 0x9a, byte(n>>24), byte(n>>16), byte(n>>8), byte(n)) // array of n items
	for len(data) < cap(data) {
		data = append(data, 0xa0)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Decode(data)
	runtime.ReadMemStats(&after)
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "budget") {
		t.Fatalf("err = %v, want the budget error", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 3*MinBudget {
		t.Errorf("allocated %d MiB before refusing, want < %d", got>>20, 3*MinBudget>>20)
	}
	// An ordinary body well within its budget still decodes.
	ok := []byte{0x82, 0xa1, 0x61, 'k', 0x01, 0xa0}
	if _, err := Decode(ok); err != nil {
		t.Fatal(err)
	}
}
