package lazy

import (
	"errors"
	"sync"
	"testing"
)

var (
	digits = Regexp{Expr: `^[0-9]+$`}
	built  int
	table        = Value[map[string]int]{New: func() map[string]int { built++; return map[string]int{"a": 1} }}
	errX   error = Error("x failed")
)

func TestRegexpCompiledOnceAndShared(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); digits.Get() }()
	}
	wg.Wait()
	if !digits.Get().MatchString("123") || digits.Get().MatchString("12a") {
		t.Fatal("wrong matches")
	}
	if digits.Get() != digits.Get() {
		t.Fatal("compiled more than once")
	}
}

func TestValueBuiltOnce(t *testing.T) {
	if built != 0 {
		t.Fatal("built before first use")
	}
	if table.Get()["a"] != 1 || table.Get()["b"] != 0 || built != 1 {
		t.Fatalf("built %d times", built)
	}
}

func TestError(t *testing.T) {
	wrapped := errors.Join(errors.New("outer"), errX)
	if !errors.Is(wrapped, errX) || errX.Error() != "x failed" {
		t.Fatal("sentinel not found")
	}
}
