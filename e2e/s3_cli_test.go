package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// awsCLI runs one AWS CLI command against f and fails the test on a non-zero exit.
func awsCLI(t *testing.T, f *fogbank, bin string, args ...string) string {
	t.Helper()
	if args[0] == "s3" && (args[1] == "cp" || args[1] == "sync" || args[1] == "rm") {
		args = append(args, "--only-show-errors")
	}
	out, errOut, code := f.run(t, nil, bin, append([]string{"--endpoint-url", f.URL}, args...)...)
	if code != 0 {
		t.Fatalf("%s %s: exit %d: %s\n%s", bin, strings.Join(args, " "), code, errOut, out)
	}
	return out
}

// writeTree makes n files of varied sizes and names (spaces, plus signs,
// unicode, nested folders) under dir and returns their contents by relative path.
func writeTree(t *testing.T, dir string, n int) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for i := 0; i < n; i++ {
		var rel string
		switch i % 5 {
		case 0:
			rel = fmt.Sprintf("plain/file-%04d.txt", i)
		case 1:
			rel = fmt.Sprintf("with space/and+plus %04d.bin", i)
		case 2:
			rel = fmt.Sprintf("unicodé/ファイル-%04d", i)
		case 3:
			rel = fmt.Sprintf("deep/a/b/c/%04d.json", i)
		default:
			rel = fmt.Sprintf("top-%04d", i)
		}
		b := make([]byte, (i*37)%4096)
		rand.Read(b)
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files[rel] = b
	}
	return files
}

func compareTree(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	got := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, _ := os.ReadFile(p)
		w, ok := want[rel]
		if !ok {
			t.Errorf("unexpected file %s", rel)
		} else if !bytes.Equal(b, w) {
			t.Errorf("%s: %d bytes differ from the %d uploaded", rel, len(b), len(w))
		}
		got++
		return nil
	})
	if got != len(want) {
		t.Errorf("downloaded %d files, want %d", got, len(want))
	}
}

// The first week of a user: mb, cp, sync up and down (1,000 files, byte
// identical), ls, presign, rm, rb, with both CLI generations.
func TestS3HighLevelCommands(t *testing.T) {
	f := start(t, "")
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			bucket := "e2e-" + strings.ReplaceAll(c.name, ".", "-")
			awsCLI(t, f, c.bin, "s3", "mb", "s3://"+bucket)
			if out := awsCLI(t, f, c.bin, "s3", "ls"); !strings.Contains(out, bucket) {
				t.Errorf("s3 ls = %q, want it to list %s", out, bucket)
			}
			src, dst := t.TempDir(), t.TempDir()
			files := writeTree(t, src, 1000)
			awsCLI(t, f, c.bin, "s3", "sync", src, "s3://"+bucket+"/tree/")
			awsCLI(t, f, c.bin, "s3", "sync", "s3://"+bucket+"/tree/", dst)
			compareTree(t, dst, files)

			// A second sync uploads nothing.
			if out := awsCLI(t, f, c.bin, "s3", "sync", src, "s3://"+bucket+"/tree/", "--dryrun"); strings.Contains(out, "upload") {
				t.Errorf("second sync would upload: %s", out)
			}

			// A multipart upload (the CLI splits at 8 MiB) round-trips.
			big := make([]byte, 20<<20+123)
			rand.Read(big)
			bp := filepath.Join(t.TempDir(), "big.bin")
			os.WriteFile(bp, big, 0o644)
			awsCLI(t, f, c.bin, "s3", "cp", bp, "s3://"+bucket+"/big.bin")
			back := filepath.Join(t.TempDir(), "back.bin")
			awsCLI(t, f, c.bin, "s3", "cp", "s3://"+bucket+"/big.bin", back)
			if b, _ := os.ReadFile(back); !bytes.Equal(b, big) {
				t.Errorf("multipart object came back different (%d bytes, want %d)", len(b), len(big))
			}

			ls := awsCLI(t, f, c.bin, "s3", "ls", "s3://"+bucket+"/tree/deep/a/b/c/")
			if n := strings.Count(ls, "\n"); n != 200 {
				t.Errorf("ls of a folder: %d lines, want 200", n)
			}
			url := strings.TrimSpace(awsCLI(t, f, c.bin, "s3", "presign", "s3://"+bucket+"/tree/plain/file-0005.txt", "--expires-in", "300"))
			resp, err := http.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Equal(body, files["plain/file-0005.txt"]) {
				t.Errorf("presigned GET: status %d, %d bytes; want 200 and the file", resp.StatusCode, len(body))
			}
			awsCLI(t, f, c.bin, "s3", "rm", "s3://"+bucket, "--recursive")
			awsCLI(t, f, c.bin, "s3", "rb", "s3://"+bucket)
			if out := awsCLI(t, f, c.bin, "s3", "ls"); strings.Contains(out, bucket) {
				t.Errorf("bucket still listed after rb: %s", out)
			}
		})
	}
}

// The first check: create a bucket in eu-west-1 and read its location.
func TestS3CreateBucketRegion(t *testing.T) {
	f := start(t, "")
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			bucket := "loc-" + strings.ReplaceAll(c.name, ".", "-")
			out := awsCLI(t, f, c.bin, "s3api", "create-bucket", "--bucket", bucket, "--region", "eu-west-1",
				"--create-bucket-configuration", "LocationConstraint=eu-west-1", "--output", "json")
			var created struct{ Location string }
			json.Unmarshal([]byte(out), &created)
			if want := "http://" + bucket + ".s3.amazonaws.com/"; created.Location != want {
				t.Errorf("Location = %q, want %q", created.Location, want)
			}
			out = awsCLI(t, f, c.bin, "s3api", "get-bucket-location", "--bucket", bucket, "--output", "json")
			var loc struct{ LocationConstraint string }
			json.Unmarshal([]byte(out), &loc)
			if loc.LocationConstraint != "eu-west-1" {
				t.Errorf("LocationConstraint = %q, want eu-west-1", loc.LocationConstraint)
			}
			// Again from the same account: BucketAlreadyOwnedByYou outside us-east-1.
			_, errOut, code := f.run(t, nil, c.bin, "--endpoint-url", f.URL, "s3api", "create-bucket", "--bucket", bucket,
				"--region", "eu-west-1", "--create-bucket-configuration", "LocationConstraint=eu-west-1")
			if code == 0 || !strings.Contains(errOut, "BucketAlreadyOwnedByYou") {
				t.Errorf("re-create: exit %d, %s; want BucketAlreadyOwnedByYou", code, errOut)
			}
			// A regional endpoint without a constraint is refused as on AWS.
			_, errOut, code = f.run(t, nil, c.bin, "--endpoint-url", f.URL, "s3api", "create-bucket", "--bucket", bucket+"-x", "--region", "eu-west-1")
			if code == 0 || !strings.Contains(errOut, "IllegalLocationConstraintException") {
				t.Errorf("no constraint in eu-west-1: exit %d, %s; want IllegalLocationConstraintException", code, errOut)
			}
		})
	}
}
