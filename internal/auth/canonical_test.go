package auth

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// headerValues canonicalizes on the stack exactly as http.Header.Values does.
func TestHeaderValuesAsValues(t *testing.T) {
	h := http.Header{}
	for _, k := range []string{"X-Amz-Date", "Content-Type", "X-Amz-Meta-A1", "Amz-Sdk-Invocation-Id", "X-Amz-Target", "Www-Authenticate"} {
		h[k] = []string{"v-" + k}
	}
	h["x_odd"] = []string{"kept as sent"}
	for _, name := range []string{"x-amz-date", "X-AMZ-DATE", "content-type", "x-amz-meta-a1", "amz-sdk-invocation-id",
		"x-amz-target", "www-authenticate", "x_odd", "", "x amz", "-x-amz-date", "x--amz", strings.Repeat("a", 70)} {
		if got, want := headerValues(h, name), h.Values(name); !reflect.DeepEqual(got, want) {
			t.Errorf("headerValues(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestNormalPathShortcut(t *testing.T) {
	for _, p := range []string{"/", "", "/a", "/a/", "/a/b", "//", "/a//b", "/./a", "/a/.", "/a/..", "/a/../b", "a/b", "/.a/b.", "/a/.../b", "/a/b/"} {
		slow := func() string { // normalizePath without its shortcut
			var segs []string
			for _, s := range strings.Split(p, "/") {
				switch s {
				case "", ".":
				case "..":
					if len(segs) > 0 {
						segs = segs[:len(segs)-1]
					}
				default:
					segs = append(segs, s)
				}
			}
			out := "/" + strings.Join(segs, "/")
			if strings.HasSuffix(p, "/") && out != "/" {
				out += "/"
			}
			return out
		}()
		if got := normalizePath(p); got != slow {
			t.Errorf("normalizePath(%q) = %q, want %q", p, got, slow)
		}
	}
}
