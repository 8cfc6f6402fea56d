package lambda

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/host"
)

// Where a function's code comes from besides a zip in the request: an object
// of fogbank's own S3 (S3Bucket/S3Key/S3ObjectVersion), or, with LocalStack's
// convention S3Bucket "hot-reload", a local folder (S3Key, an absolute path)
// that is run in place and picked up again after every edit. And where it
// goes: GetFunction's Code.Location, a URL on fogbank's listener that
// downloads the zip for 10 minutes, as AWS's presigned S3 URL does.

// hotReloadBucket is LocalStack's magic bucket name for code in a folder.
const hotReloadBucket = "hot-reload"

// hotReloadHash is the CodeSha256 LocalStack answers for folder code.
const hotReloadHash = "hot-reloading-hash-not-available"

// objectGetter is what Lambda needs of S3: the generated API's GetObject.
type objectGetter interface {
	GetObject(ctx context.Context, in *s3api.GetObjectRequest) (*s3api.GetObjectOutput, error)
}

// codeFrom resolves a code source: the zip (checked), or the hot-reload folder.
func (s *Service) codeFrom(ctx context.Context, zipFile []byte, bucket, key, version *string) (zip []byte, dir string, err error) {
	if bucket == nil && key == nil {
		if len(zipFile) == 0 {
			return nil, "", invalid("Please provide a source for function code.")
		}
		return zipFile, "", checkZip(zipFile, maxZipped)
	}
	if len(zipFile) > 0 {
		return nil, "", invalid("Please do not provide other FunctionCode parameters when providing a ZipFile.")
	}
	if bucket == nil || key == nil {
		return nil, "", invalid("Please provide a source for function code.")
	}
	if *bucket == hotReloadBucket {
		dir := *key
		if !filepath.IsAbs(dir) {
			return nil, "", invalid("Hot reloading needs S3Key to be an absolute path of a folder on fogbank's machine, not %q.", dir)
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, "", invalid("Hot reloading needs S3Key to be a folder on fogbank's machine: %s is not one.", dir)
		}
		return nil, filepath.Clean(dir), nil
	}
	if s.s3 == nil {
		return nil, "", invalid("Error occurred while GetObject. S3 Error Code: ServiceUnavailable. S3 Error Message: fogbank has no S3.")
	}
	out, err := s.s3.GetObject(ctx, &s3api.GetObjectRequest{Bucket: bucket, Key: key, VersionId: version})
	if err != nil {
		code, msg := "InternalError", err.Error()
		var ae api.Error
		if errors.As(err, &ae) {
			code = ae.ErrorCode()
			msg = strings.TrimPrefix(msg, code+": ")
		}
		return nil, "", invalid("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", code, msg)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, maxUnzipped+1))
	if err != nil {
		return nil, "", err
	}
	// Code from S3 may be larger than a direct upload, up to the unzipped limit.
	return b, "", checkZip(b, maxUnzipped)
}

// findS3 looks S3 up, for code from S3.
func (s *Service) findS3() {
	if s.env == nil {
		return
	}
	if g, err := host.Lookup[objectGetter](s.env, "s3"); err == nil {
		s.s3 = g
	}
}

// codeLocation is GetFunction's Code.Location for f: a signed URL that
// downloads the zip until it expires.
func (s *Service) codeLocation(f *function) string {
	base := s.env.URL()
	if base == "" || f.HotReloadDir != "" {
		return ""
	}
	exp := strconv.FormatInt(s.now().Add(10*time.Minute).Unix(), 10)
	name := f.Name
	if f.Version != "" {
		name += ":" + f.Version
	}
	path := host.RoutePrefix + "lambda/code/" + f.Account + "/" + f.Region + "/" + name
	q := url.Values{"expires": {exp}, "sha256": {f.CodeSha256}, "signature": {s.sign(path, exp, f.CodeSha256)}}
	return base + path + "?" + q.Encode()
}

func (s *Service) sign(path, exp, sha string) string {
	m := hmac.New(sha256.New, s.urlKey[:])
	io.WriteString(m, path+"\n"+exp+"\n"+sha)
	return hex.EncodeToString(m.Sum(nil))
}

// serveCode answers a Code.Location URL with the zip.
func (s *Service) serveCode(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	exp, sha, sig := q.Get("expires"), q.Get("sha256"), q.Get("signature")
	if !hmac.Equal([]byte(sig), []byte(s.sign(r.URL.Path, exp, sha))) {
		http.Error(w, "AccessDenied: the signature does not match", http.StatusForbidden)
		return
	}
	if n, err := strconv.ParseInt(exp, 10, 64); err != nil || s.now().Unix() > n {
		http.Error(w, "AccessDenied: Request has expired", http.StatusForbidden)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, host.RoutePrefix+"lambda/code/"), "/")
	if len(parts) != 3 {
		http.NotFound(w, r)
		return
	}
	name, version, _ := strings.Cut(parts[2], ":")
	f, err := s.loadQualified(parts[0], parts[1], name, version, false)
	if err != nil || f.CodeSha256 != sha {
		http.Error(w, "NoSuchKey: The specified key does not exist.", http.StatusNotFound)
		return
	}
	code, err := s.code(f)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.Itoa(len(code)))
	w.Write(code)
}

func newURLKey() (k [32]byte) {
	rand.Read(k[:])
	return k
}
