package s3

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/store"
)

// algos are the flexible checksum algorithms fogbank computes, as the API names
// them, with the store digest that computes each.
var algos = []struct {
	name string
	hash store.Hash
}{
	{"CRC32", store.CRC32}, {"CRC32C", store.CRC32C}, {"CRC64NVME", store.CRC64NVME},
	{"SHA1", store.SHA1}, {"SHA256", store.SHA256},
}

func algoHash(name string) (store.Hash, bool) {
	for _, a := range algos {
		if a.name == name {
			return a.hash, true
		}
	}
	return 0, false
}

func sumOf(s store.Sums, algo string) []byte {
	switch algo {
	case "CRC32":
		return s.CRC32
	case "CRC32C":
		return s.CRC32C
	case "CRC64NVME":
		return s.CRC64NVME
	case "SHA1":
		return s.SHA1
	case "SHA256":
		return s.SHA256
	}
	return nil
}

// checksumField reads the Checksum<ALGO> member of a generated struct.
func checksumField(v any, algo string) string {
	f := checksumMember(reflect.ValueOf(v).Elem(), algo)
	if !f.IsValid() || f.IsNil() {
		return ""
	}
	return f.Elem().String()
}

// setChecksum sets the Checksum<ALGO> member of a generated struct, if it has one.
func setChecksum(v any, algo, value string) {
	if algo == "" || value == "" {
		return
	}
	f := checksumMember(reflect.ValueOf(v).Elem(), algo)
	if f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(&value))
	}
}

// checksumMember is sv's field Checksum<ALGO> (the zero Value when it has
// none). Where each type has it is remembered: FieldByName walks a struct's
// fields comparing names, and every PUT asks for all five algorithms of a
// sixty-field input.
func checksumMember(sv reflect.Value, algo string) reflect.Value {
	k := checksumKey{sv.Type(), algo}
	idx, ok := checksumIndex.Load(k)
	if !ok {
		var index []int // nil: no such field
		if f, found := k.t.FieldByName("Checksum" + algo); found {
			index = f.Index
		}
		idx, _ = checksumIndex.LoadOrStore(k, index)
	}
	if index := idx.([]int); index != nil {
		return sv.FieldByIndex(index)
	}
	return reflect.Value{}
}

type checksumKey struct {
	t    reflect.Type
	algo string
}

var checksumIndex sync.Map // checksumKey -> []int, the field's index (nil: none)

// checksumWanted works out which flexible checksum a write carries: a header
// value, a trailer announced by x-amz-trailer, or only the SDK's algorithm
// header. It returns the algorithm, the value when given in a header, and whether
// it will arrive in the trailer.
func checksumWanted(in any, sdkAlgo *string, tr api.Trailing) (algo, value string, trailer bool, err error) {
	for _, a := range algos {
		if v := checksumField(in, a.name); v != "" {
			if algo != "" {
				return "", "", false, errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			algo, value = a.name, v
		}
	}
	if tr != nil {
		if t := strings.ToLower(strings.TrimSpace(tr.Announced())); strings.HasPrefix(t, "x-amz-checksum-") {
			name := strings.ToUpper(strings.TrimPrefix(t, "x-amz-checksum-"))
			if _, ok := algoHash(name); !ok {
				return "", "", false, errInvalidRequest("The value specified in the x-amz-trailer header is not supported")
			}
			if algo == "" {
				algo, trailer = name, true
			}
		}
	}
	if algo == "" && sdkAlgo != nil && *sdkAlgo != "" {
		name := strings.ToUpper(*sdkAlgo)
		if _, ok := algoHash(name); !ok {
			return "", "", false, errInvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		algo = name
	}
	return algo, value, trailer, nil
}

// ingest is a body streamed into a blob, with what was checked on the way.
type ingest struct {
	w        *store.BlobWriter
	ref      store.BlobRef
	md5hex   string
	algo     string
	checksum string // base64
}

// ingestOpts says what to check of a body.
type ingestOpts struct {
	contentLength *int64
	contentMD5    *string
	algo          string       // flexible checksum to compute ("" for none)
	value         string       // its expected value from a header
	trailer       bool         // the expected value comes in the trailer
	body          api.Trailing // the body that brings it
}

// ingestBody streams body into a new blob and checks length, Content-MD5 and the
// flexible checksum. On success the blob is committed (pending: the caller's
// Update must RefBlob it); the caller must always call in.w.Abort afterwards.
func (s *Service) ingestBody(body io.Reader, o ingestOpts) (*ingest, error) {
	var md5raw []byte
	if o.contentMD5 != nil {
		b, err := base64.StdEncoding.DecodeString(*o.contentMD5)
		if err != nil || len(b) != md5.Size {
			return nil, errInvalidDigest()
		}
		md5raw = b
	}
	hashes := store.MD5
	if o.algo != "" {
		h, _ := algoHash(o.algo)
		hashes |= h
	}
	w, err := s.st.NewBlob(hashes)
	if err != nil {
		return nil, s.internal("new blob", err)
	}
	g := &ingest{w: w, algo: o.algo}
	if body == nil {
		body = http.NoBody
	}
	n, err := io.Copy(w, body)
	if err != nil {
		w.Abort()
		if ae, ok := err.(api.Error); ok {
			return nil, ae
		}
		if errors.Is(err, store.ErrFull) {
			return nil, errDiskFull() // the blob's, not the body's: not IncompleteBody
		}
		if o.contentLength != nil && n < *o.contentLength {
			return nil, errIncompleteBody()
		}
		return nil, s.internal("reading body", err)
	}
	if o.contentLength != nil && *o.contentLength >= 0 && n < *o.contentLength {
		w.Abort()
		return nil, errIncompleteBody()
	}
	// The digests are final only once the blob is committed; a mismatch then
	// aborts it (the deferred Abort of the caller removes the pending file).
	ref, err := w.Commit()
	if err != nil {
		w.Abort()
		return nil, s.internal("commit blob", err)
	}
	sums := ref.Sums
	if md5raw != nil && string(md5raw) != string(sums.MD5) {
		w.Abort()
		return nil, errBadDigest()
	}
	g.md5hex = hex.EncodeToString(sums.MD5)
	if o.algo != "" {
		got := base64.StdEncoding.EncodeToString(sumOf(sums, o.algo))
		want := o.value
		if o.trailer && o.body != nil {
			// An announced trailer that never came leaves nothing to compare.
			want = o.body.Trailer("X-Amz-Checksum-" + o.algo)
		}
		if want != "" && want != got {
			w.Abort()
			return nil, api.Errorf(http.StatusBadRequest, "BadDigest", "The %s you specified did not match the calculated checksum.", o.algo)
		}
		g.checksum = got
	}
	g.ref = ref
	return g, nil
}

func errIncompleteBody() error {
	return api.Errorf(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header")
}

// compositeChecksum is a multipart object's checksum of checksums: the digest of
// the parts' raw digests, suffixed with the part count, as S3 computes it.
func compositeChecksum(algo string, parts []string) (string, error) {
	w := newDigest(algo)
	if w == nil {
		return "", fmt.Errorf("no digest %s", algo)
	}
	for _, p := range parts {
		raw, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return "", err
		}
		w.Write(raw)
	}
	return base64.StdEncoding.EncodeToString(w.Sum(nil)) + fmt.Sprintf("-%d", len(parts)), nil
}

// multipartETag is the ETag of a completed upload: the MD5 of the parts' binary
// MD5s, a dash, the part count.
func multipartETag(etags []string) string {
	h := md5.New()
	for _, e := range etags {
		raw, _ := hex.DecodeString(strings.Trim(e, `"`))
		h.Write(raw)
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(h.Sum(nil)), len(etags))
}

var (
	crc32cTable    = lazy.Value[*crc32.Table]{New: func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }}
	crc64NVMETable = lazy.Value[*crc64.Table]{New: func() *crc64.Table { return crc64.MakeTable(0x9A6C9329AC4BC9B5) }} // CRC-64/NVME, reflected
)

// newDigest returns a fresh hash for a flexible checksum algorithm.
func newDigest(algo string) hash.Hash {
	switch algo {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32cTable.Get())
	case "CRC64NVME":
		return crc64.New(crc64NVMETable.Get())
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}
