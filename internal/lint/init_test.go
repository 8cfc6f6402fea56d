package lint

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestServicesDoNothingAtStart keeps a service that nobody calls free: its
// package must have no initialisation (no init function, no package-level
// variable whose value is computed: map literals, errors.New, regexps,
// sync.OnceValue), because every start would page that code and data in, and
// idle memory grows with each service added (issue 9: ≤ 15 MiB with all of
// them). Use internal/lazy for tables, patterns and sentinel errors, and let
// internal/services/all register the service.
//
// The test binary links every service (through package all); run again with
// GODEBUG=inittrace=1, the runtime names each package whose initialisation did
// any work.
func TestServicesDoNothingAtStart(t *testing.T) {
	if os.Getenv("FOGBANK_INITTRACE_CHILD") != "" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServicesDoNothingAtStart$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "FOGBANK_INITTRACE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	checked := 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "init" {
			continue
		}
		checked++
		pkg := f[1]
		for _, prefix := range []string{module + "/internal/services/", module + "/internal/iam/", module + "/internal/lazy"} {
			if strings.HasPrefix(pkg, prefix) {
				t.Errorf("package %s does work at start: %s", strings.TrimPrefix(pkg, module+"/"), line)
			}
		}
	}
	if checked == 0 {
		t.Fatalf("no inittrace lines in the child's output: %s", out)
	}
}
