package std

import (
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"

	// Not used: importing the server makes this test binary change with
	// fogbank's code, so that go test's cache never reports a stale result.
	_ "github.com/fogbank/fogbank/internal/services/all"
)

// TestE2EWithStdHTTP runs go test on the e2e package with FOGBANK_HTTP=std: every
// end-to-end test, against fogbank behind net/http's Server.
func TestE2EWithStdHTTP(t *testing.T) {
	if h := os.Getenv("FOGBANK_HTTP"); h != "" {
		t.Skipf("FOGBANK_HTTP=%s: the e2e package itself runs on that server", h)
	}
	// The suite gets the time this test was given.
	args := []string{"test", "-count=1"}
	if f := flag.Lookup("test.timeout"); f != nil && f.Value.String() != "0s" {
		args = append(args, "-timeout", f.Value.String())
	}
	if testing.Verbose() {
		args = append(args, "-v")
	}
	cmd := exec.Command("go", append(args, "..")...)
	cmd.Env = append(os.Environ(), "FOGBANK_HTTP=std")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the e2e suite with --http=std failed (%v):\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	t.Log(lines[len(lines)-1])
}
