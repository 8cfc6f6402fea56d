package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// maxKeyLen is S3's limit on key length, in UTF-8 bytes.
const maxKeyLen = 1024

// maxPutSize is the largest single PUT (and part) S3 accepts: 5 GiB.
const maxPutSize = 5 << 30

func checkKey(key string) error {
	if !utf8.ValidString(key) {
		return errInvalidURI()
	}
	if len(key) > maxKeyLen {
		return api.Errorf(http.StatusBadRequest, "KeyTooLongError", "Your key is too long").
			With("MaxSizeAllowed", strconv.Itoa(maxKeyLen)).With("Size", strconv.Itoa(len(key)))
	}
	if key == "" {
		return errInvalidArgument("Key cannot be empty", "Key", "")
	}
	return nil
}

func errInvalidURI() error {
	return api.Errorf(http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI.")
}

// stdHeaders are the standard HTTP headers an object keeps and returns.
type stdHeaders struct {
	CacheControl, ContentDisposition, ContentEncoding, ContentLanguage, ContentType, Expires *string
}

func (h stdHeaders) toMap() map[string]string {
	m := map[string]string{}
	set := func(k string, v *string) {
		if v != nil {
			m[k] = *v
		}
	}
	set("Cache-Control", h.CacheControl)
	set("Content-Disposition", h.ContentDisposition)
	set("Content-Encoding", h.ContentEncoding)
	set("Content-Language", h.ContentLanguage)
	set("Content-Type", h.ContentType)
	set("Expires", h.Expires)
	if ce, ok := m["Content-Encoding"]; ok {
		// aws-chunked is transport framing, never part of the object.
		parts := []string{}
		for _, p := range strings.Split(ce, ",") {
			if p = strings.TrimSpace(p); p != "" && p != "aws-chunked" {
				parts = append(parts, p)
			}
		}
		if len(parts) == 0 {
			delete(m, "Content-Encoding")
		} else {
			m["Content-Encoding"] = strings.Join(parts, ", ")
		}
	}
	if _, ok := m["Content-Type"]; !ok {
		m["Content-Type"] = "binary/octet-stream"
	}
	return m
}

// lowerMeta returns user metadata with lower-cased keys, as S3 keeps them.
func lowerMeta(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// metaSize is what S3 counts against its 2 KB user metadata limit.
func checkMetaSize(m map[string]string) error {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	if n > 2048 {
		return api.Errorf(http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size").
			With("Size", strconv.Itoa(n)).With("MaxSizeAllowed", "2048")
	}
	return nil
}

// sse describes the encryption asked for on a write.
type sseSpec struct {
	SSE, KMSKeyID, KMSContext string
	BucketKey                 bool
	SSECAlgo, SSECKeyMD5      string
}

// sseFromRequest validates the SSE headers of a write. fogbank stores bytes
// unencrypted; it keeps and echoes the settings, and demands the same customer key
// back on reads, as S3 does.
func sseFromRequest(sse, kmsKey, kmsCtx *string, bucketKey *bool, cAlgo, cKey, cKeyMD5 *string) (sseSpec, error) {
	var sp sseSpec
	if sse != nil {
		switch *sse {
		case "AES256", "aws:kms", "aws:kms:dsse":
			sp.SSE = *sse
		default:
			return sp, errInvalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", *sse)
		}
	}
	if kmsKey != nil {
		if sp.SSE != "aws:kms" && sp.SSE != "aws:kms:dsse" {
			return sp, errInvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms", "x-amz-server-side-encryption-aws-kms-key-id", *kmsKey)
		}
		sp.KMSKeyID = *kmsKey
	}
	if kmsCtx != nil {
		sp.KMSContext = *kmsCtx
	}
	sp.BucketKey = api.ToBool(bucketKey)
	if cAlgo != nil || cKey != nil || cKeyMD5 != nil {
		md5s, err := checkSSEC(cAlgo, cKey, cKeyMD5)
		if err != nil {
			return sp, err
		}
		if sp.SSE != "" {
			return sp, errInvalidArgument("Server Side Encryption with Customer provided key is incompatible with the encryption method specified", "x-amz-server-side-encryption", sp.SSE)
		}
		sp.SSECAlgo, sp.SSECKeyMD5 = *cAlgo, md5s
	}
	return sp, nil
}

// checkSSEC validates a customer-provided key triple and returns the key's MD5.
func checkSSEC(cAlgo, cKey, cKeyMD5 *string) (string, error) {
	if cAlgo == nil {
		return "", errInvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.", "x-amz-server-side-encryption", "null")
	}
	if *cAlgo != "AES256" {
		return "", errInvalidArgument("The requested encryption algorithm is not valid, must be AES256.", "x-amz-server-side-encryption", *cAlgo)
	}
	if cKey == nil {
		return "", errInvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.", "x-amz-server-side-encryption", "null")
	}
	key, err := base64.StdEncoding.DecodeString(*cKey)
	if err != nil || len(key) != 32 {
		return "", errInvalidArgument("The secret key was invalid for the specified algorithm.", "x-amz-server-side-encryption", "null")
	}
	sum := md5.Sum(key)
	got := base64.StdEncoding.EncodeToString(sum[:])
	if cKeyMD5 == nil {
		return "", errInvalidArgument("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.", "x-amz-server-side-encryption", "null")
	}
	if *cKeyMD5 != got {
		return "", errInvalidArgument("The calculated MD5 hash of the key did not match the hash that was provided.", "x-amz-server-side-encryption", "null")
	}
	return got, nil
}

// checkSSECRead demands, for an object written with a customer key, that the
// reader presents the same key.
func checkSSECRead(r *objRec, cAlgo, cKey, cKeyMD5 *string) error {
	if r.SSECAlgo == "" {
		if cAlgo != nil || cKey != nil {
			return errInvalidRequest("The encryption parameters are not applicable to this object.")
		}
		return nil
	}
	if cAlgo == nil && cKey == nil {
		return errInvalidRequest("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	}
	md5s, err := checkSSEC(cAlgo, cKey, cKeyMD5)
	if err != nil {
		return err
	}
	if md5s != r.SSECKeyMD5 {
		return errInvalidRequest("The provided encryption parameters did not match the ones used originally.")
	}
	return nil
}

// applyBucketEncryption fills in the bucket's default encryption, or SSE-S3, which
// AWS applies to every new object since 2023.
func applyBucketEncryption(tx *store.Tx, bucket string, sp *sseSpec) error {
	if sp.SSE != "" || sp.SSECAlgo != "" {
		return nil
	}
	var cfg s3api.ServerSideEncryptionConfiguration
	ok, err := getConfig(tx, bucket, cfgEncryption, &cfg)
	if err != nil {
		return err
	}
	sp.SSE = "AES256"
	if ok && len(cfg.Rules) > 0 && cfg.Rules[0].ApplyServerSideEncryptionByDefault != nil {
		d := cfg.Rules[0].ApplyServerSideEncryptionByDefault
		sp.SSE = api.ToString(d.SSEAlgorithm)
		sp.KMSKeyID = api.ToString(d.KMSMasterKeyID)
		sp.BucketKey = api.ToBool(cfg.Rules[0].BucketKeyEnabled)
	}
	return nil
}

func (sp sseSpec) apply(r *objRec) {
	r.SSE, r.KMSKeyID, r.KMSContext, r.BucketKey = sp.SSE, sp.KMSKeyID, sp.KMSContext, sp.BucketKey
	r.SSECAlgo, r.SSECKeyMD5 = sp.SSECAlgo, sp.SSECKeyMD5
}

// checkWriteConditions applies If-Match / If-None-Match of a write to the
// current object (nil when there is none).
func checkWriteConditions(cur *objRec, key string, ifMatch, ifNoneMatch *string) error {
	if ifNoneMatch != nil && cur != nil && etagMatches(*ifNoneMatch, cur.ETag) {
		return errPrecondition("If-None-Match")
	}
	if ifMatch != nil {
		if cur == nil {
			return errNoSuchKey(key)
		}
		if !etagMatches(*ifMatch, cur.ETag) {
			return errPrecondition("If-Match")
		}
	}
	return nil
}

// etagMatches compares an If-Match style list with an ETag, quotes optional.
func etagMatches(header, etag string) bool {
	for _, e := range strings.Split(header, ",") {
		e = strings.TrimSpace(e)
		if e == "*" || strings.Trim(e, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

// PutObject streams the body to disk, checks it, and makes it the newest version.
func (s *Service) PutObject(ctx context.Context, in *s3api.PutObjectRequest) (*s3api.PutObjectOutput, error) {
	return s.putObject(ctx, in, "ObjectCreated:Put")
}

func (s *Service) putObject(ctx context.Context, in *s3api.PutObjectRequest, event string) (*s3api.PutObjectOutput, error) {
	c := caller(ctx)
	bucket, key := api.ToString(in.Bucket), api.ToString(in.Key)
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if in.WriteOffsetBytes != nil {
		return nil, errNotImplementedHeader("x-amz-write-offset-bytes")
	}
	if in.ContentLength != nil && *in.ContentLength > maxPutSize {
		return nil, api.Errorf(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size").
			With("ProposedSize", strconv.FormatInt(*in.ContentLength, 10)).With("MaxSizeAllowed", strconv.FormatInt(maxPutSize, 10))
	}
	meta := lowerMeta(in.Metadata)
	if err := checkMetaSize(meta); err != nil {
		return nil, err
	}
	wk := writeKeys(in.ServerSideEncryption, in.SSEKMSKeyId, in.ACL, in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWriteACP,
		in.Tagging, in.SSECustomerAlgorithm, in.StorageClass)
	// Refuse before reading the body: a client waiting for 100 Continue gets
	// the error instead.
	var b *bucketRec
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		if b, err = getBucket(tx, bucket); err != nil {
			return err
		}
		if err := checkOwner(b, in.ExpectedBucketOwner); err != nil {
			return err
		}
		return authorize(tx, c, b, nil, key, "s3:PutObject", permWrite, wk)
	})
	if err != nil {
		return nil, s.internal("PutObject", err)
	}
	sp, err := sseFromRequest(in.ServerSideEncryption, in.SSEKMSKeyId, in.SSEKMSEncryptionContext, in.BucketKeyEnabled,
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5)
	if err != nil {
		return nil, err
	}
	tags, err := parseTagHeader(in.Tagging)
	if err != nil {
		return nil, err
	}
	acl, err := aclFromRequest(c.Account, in.ACL, grantHeaders{in.GrantFullControl, in.GrantRead, in.GrantReadACP, nil, in.GrantWriteACP}, false)
	if err != nil {
		return nil, err
	}
	lock, err := lockFromRequest(b, in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus)
	if err != nil {
		return nil, err
	}
	sc, err := storageClass(in.StorageClass)
	if err != nil {
		return nil, err
	}
	tr, _ := in.Body.(api.Trailing)
	algo, value, trailer, err := checksumWanted(in, in.ChecksumAlgorithm, tr)
	if err != nil {
		return nil, err
	}
	g, err := s.ingestBody(in.Body, ingestOpts{contentLength: in.ContentLength, contentMD5: in.ContentMD5,
		algo: algo, value: value, trailer: trailer, body: tr})
	if err != nil {
		return nil, err
	}
	defer g.w.Abort()

	rec := &objRec{
		Key: key, Segs: []seg{{ID: g.ref.ID, Size: g.ref.Size}}, Size: g.ref.Size,
		ETag: `"` + g.md5hex + `"`, Owner: c.Account,
		Headers: stdHeaders{in.CacheControl, in.ContentDisposition, in.ContentEncoding, in.ContentLanguage, in.ContentType, in.Expires}.toMap(),
		Meta:    meta, StorageClass: sc, Tags: tags, ACL: acl, Redirect: api.ToString(in.WebsiteRedirectLocation),
	}
	if algo != "" {
		rec.ChecksumAlgo, rec.Checksum, rec.ChecksumType = algo, g.checksum, "FULL_OBJECT"
	}
	lock.apply(rec)
	vid := newVersionID()
	var versioning string
	err = s.st.Update(func(tx *store.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		versioning = b.Versioning
		if err := authorize(tx, c, b, nil, key, "s3:PutObject", permWrite, wk); err != nil {
			return err
		}
		obs, err := openObjectsFor(tx, b)
		if err != nil {
			return err
		}
		if in.IfMatch != nil || in.IfNoneMatch != nil {
			cur, err := obs.current(key)
			if err != nil {
				return err
			}
			if err := checkWriteConditions(cur, key, in.IfMatch, in.IfNoneMatch); err != nil {
				return err
			}
		}
		if err := applyDefaultRetention(tx, b, rec); err != nil {
			return err
		}
		spc := sp
		if err := applyBucketEncryption(tx, bucket, &spc); err != nil {
			return err
		}
		spc.apply(rec)
		rec.ACL.bindBucketOwner(b.Account)
		if err := checkPublicACL(tx, bucket, rec.ACL); err != nil {
			return err
		}
		if err := applyOwnership(tx, b, rec, in.ACL, in.GrantFullControl != nil || in.GrantRead != nil || in.GrantReadACP != nil || in.GrantWriteACP != nil); err != nil {
			return err
		}
		rec.Modified = s.nowSec()
		rec.VersionID = "null"
		if b.Versioning == "Enabled" {
			rec.VersionID = vid
		}
		if err := tx.RefBlob(g.ref.ID); err != nil {
			return err
		}
		if err := obs.put(rec); err != nil {
			return err
		}
		return s.notify(ctx, tx, b, event, rec)
	})
	if err != nil {
		return nil, s.internal("PutObject", err)
	}
	s.wake()
	out := &s3api.PutObjectOutput{ETag: api.String(rec.ETag)}
	if versioning == "Enabled" {
		out.VersionId = api.String(rec.VersionID)
	}
	if rec.Checksum != "" {
		setChecksum(out, rec.ChecksumAlgo, rec.Checksum)
		out.ChecksumType = api.String(rec.ChecksumType)
	}
	sseOut(rec, &out.ServerSideEncryption, &out.SSEKMSKeyId, &out.BucketKeyEnabled, &out.SSECustomerAlgorithm, &out.SSECustomerKeyMD5)
	return out, nil
}

func sseOut(r *objRec, sse, kms **string, bk **bool, calgo, cmd5 **string) {
	if r.SSE != "" {
		*sse = api.String(r.SSE)
	}
	if r.KMSKeyID != "" {
		*kms = api.String(r.KMSKeyID)
	}
	if r.BucketKey {
		*bk = api.Bool(true)
	}
	if r.SSECAlgo != "" {
		*calgo = api.String(r.SSECAlgo)
		*cmd5 = api.String(r.SSECKeyMD5)
	}
}

var storageClasses = lazy.Value[map[string]bool]{New: func() map[string]bool {
	return map[string]bool{
		"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
		"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "OUTPOSTS": true,
		"GLACIER_IR": true, "SNOW": true, "EXPRESS_ONEZONE": true, "FSX_OPENZFS": true, "FSX_ONTAP": true,
	}
}}

func storageClass(p *string) (string, error) {
	if p == nil || *p == "" || *p == "STANDARD" {
		return "", nil
	}
	if !storageClasses.Get()[*p] {
		return "", api.Errorf(http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid").With("StorageClassRequested", *p)
	}
	return *p, nil
}

// readSpec is what GetObject and HeadObject share.
type readSpec struct {
	bucket, key, versionID string
	ifMatch, ifNoneMatch   *string
	ifModSince, ifUnmod    *time.Time
	rng                    *string
	partNumber             *int64
	cAlgo, cKey, cKeyMD5   *string
	checksumMode           *string
	expectedOwner          *string
	method                 string
	resp                   stdHeaders // response-* overrides
	caller                 *api.Caller
}

// findObject resolves a read to one version (GET/HEAD semantics: a delete marker
// is 404 without a version id, 405 with one).
func findObject(tx *store.Tx, bucket, key, versionID, method string) (*bucketRec, *objRec, error) {
	b, r, _, err := findShared(tx, bucket, key, versionID, method)
	return b.clone(), r.clone(), err
}

// findShared is findObject for a caller that only reads the records: they may
// be the cached ones (recCache.shared). It also gives the bucket's tables.
func findShared(tx *store.Tx, bucket, key, versionID, method string) (*bucketRec, *objRec, *objStore, error) {
	if !utf8.ValidString(key) {
		return nil, nil, nil, errInvalidURI()
	}
	b, err := sharedBucket(tx, bucket)
	if err != nil {
		return nil, nil, nil, err
	}
	obs, err := openObjects(tx, bucket)
	if err != nil {
		return nil, nil, nil, err
	}
	if versionID == "" {
		r, err := obs.sharedCurrent(key)
		if err != nil {
			return nil, nil, nil, err
		}
		if r == nil {
			latest, err := obs.latest(key)
			if err != nil {
				return nil, nil, nil, err
			}
			if latest != nil && latest.DeleteMarker {
				return b, nil, obs, withHeaders(errNoSuchKey(key), "x-amz-delete-marker", "true", "x-amz-version-id", latest.VersionID)
			}
			return b, nil, obs, withHeaders(errNoSuchKey(key), "x-amz-delete-marker", "false")
		}
		return b, r, obs, nil
	}
	_, r, err := obs.version(key, versionID)
	if err != nil {
		return nil, nil, nil, err
	}
	if r == nil {
		if versionID != "null" && !validVersionID(versionID) {
			return b, nil, obs, errInvalidArgument("Invalid version id specified", "versionId", versionID)
		}
		return b, nil, obs, errNoSuchVersion(key, versionID)
	}
	if r.DeleteMarker {
		return b, r, obs, withHeaders(errMethodNotAllowed(method, "DeleteMarker"), "x-amz-delete-marker", "true",
			"x-amz-version-id", r.VersionID, "Last-Modified", r.Modified.UTC().Format(http.TimeFormat))
	}
	return b, r, obs, nil
}

// errInvalidPartNumber answers a partNumber beyond the object's parts as S3 does
// (ceph/s3-tests checks the 400 InvalidPart form).
func errInvalidPartNumber(pn int64, count int) error {
	return api.Errorf(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.").
		With("PartNumber", strconv.FormatInt(pn, 10)).With("ActualPartCount", strconv.Itoa(count))
}

func validVersionID(v string) bool { return len(v) == 32 }

// hideMissing turns "no such key" into AccessDenied for callers who may not
// list the bucket, as S3 does, so that they learn nothing of what is there.
func hideMissing(tx *store.Tx, c *api.Caller, b *bucketRec, key string, err error) error {
	var ae *api.Err
	if b == nil || c == nil || !errors.As(err, &ae) || (ae.Code != "NoSuchKey" && ae.Code != "NoSuchVersion") {
		return err
	}
	if authorize(tx, c, b, nil, "", "s3:ListBucket", permRead, condKeys{"s3:prefix": {key}}) != nil {
		return errAccessDenied()
	}
	return err
}

// readConditions applies RFC 7232 as S3 does: If-Match beats If-Unmodified-Since,
// If-None-Match beats If-Modified-Since.
func readConditions(r *objRec, sp *readSpec) error {
	if sp.ifMatch != nil {
		if !etagMatches(*sp.ifMatch, r.ETag) {
			return errPrecondition("If-Match")
		}
	} else if sp.ifUnmod != nil && r.Modified.After(*sp.ifUnmod) {
		return errPrecondition("If-Unmodified-Since")
	}
	if sp.ifNoneMatch != nil {
		if etagMatches(*sp.ifNoneMatch, r.ETag) {
			return errNotModified()
		}
	} else if sp.ifModSince != nil && !r.Modified.After(*sp.ifModSince) {
		return errNotModified()
	}
	return nil
}

// parseRange reads a single "bytes=a-b" range. ok is false for a header S3
// ignores (malformed, multiple ranges); an unsatisfiable range is an error.
func parseRange(h string, size int64) (start, n int64, ok bool, err error) {
	h = strings.TrimSpace(h)
	if !strings.HasPrefix(h, "bytes=") {
		return 0, 0, false, nil
	}
	spec := strings.TrimPrefix(h, "bytes=")
	if strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, nil
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	invalid := func() error {
		return api.Errorf(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable").
			With("RangeRequested", h).With("ActualObjectSize", strconv.FormatInt(size, 10))
	}
	switch {
	case a == "" && b == "":
		return 0, 0, false, nil
	case a == "":
		suf, err := strconv.ParseInt(b, 10, 64)
		if err != nil {
			return 0, 0, false, nil
		}
		if suf == 0 {
			return 0, 0, false, invalid()
		}
		if suf > size {
			suf = size
		}
		if size == 0 {
			return 0, 0, false, invalid()
		}
		return size - suf, suf, true, nil
	default:
		first, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return 0, 0, false, nil
		}
		last := size - 1
		if b != "" {
			l, err := strconv.ParseInt(b, 10, 64)
			if err != nil {
				return 0, 0, false, nil
			}
			if l < first {
				return 0, 0, false, nil
			}
			if l < last {
				last = l
			}
		}
		if first >= size {
			return 0, 0, false, invalid()
		}
		return first, last - first + 1, true, nil
	}
}

// read resolves a GET or HEAD to headers and, for GET, an open reader that
// holds the object's bytes until it is closed (segReader.hold).
func (s *Service) read(sp *readSpec, body bool) (*s3api.HeadObjectOutput, *segReader, error) {
	for attempt := 1; ; attempt++ {
		out, rd, err := s.readOnce(sp, body)
		if err != nil || rd == nil {
			return out, rd, err
		}
		err = rd.hold()
		if err == nil {
			return out, rd, nil
		}
		rd.Close()
		// The object changed between the View and the hold: look again (each
		// time means another write to the key finished; a few are plenty).
		if !errors.Is(err, store.ErrNotFound) || attempt == 8 {
			return nil, nil, s.internal("GetObject", err)
		}
	}
}

func (s *Service) readOnce(sp *readSpec, body bool) (*s3api.HeadObjectOutput, *segReader, error) {
	var (
		b   *bucketRec
		r   *objRec
		rd  *segReader
		out = &s3api.HeadObjectOutput{}
	)
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		// b and r are only read, here and in fillObjectHeaders: the shared
		// records save a deep copy of each (r.Meta and r.Segs go on into the
		// answer and the reader, read-only too).
		var obs *objStore
		b, r, obs, err = findShared(tx, sp.bucket, sp.key, sp.versionID, sp.method)
		if err != nil {
			return hideMissing(tx, sp.caller, b, sp.key, err)
		}
		if err := checkOwner(b, sp.expectedOwner); err != nil {
			return err
		}
		if err := authorizeIn(tx, obs.dir.Bucket("c"), sp.caller, b, r, sp.key, "s3:GetObject", permRead); err != nil {
			return err
		}
		if pn := sp.partNumber; pn != nil && (*pn < 1 || int(*pn) > max(len(r.Parts), 1)) {
			if *pn < 1 || *pn > 10000 {
				return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", strconv.FormatInt(*pn, 10))
			}
			return errInvalidPartNumber(*pn, max(len(r.Parts), 1))
		}
		if err := checkSSECRead(r, sp.cAlgo, sp.cKey, sp.cKeyMD5); err != nil {
			return err
		}
		if err := readConditions(r, sp); err != nil {
			return withHeaders(err, "ETag", r.ETag, "Last-Modified", r.Modified.UTC().Format(http.TimeFormat))
		}
		start, n := int64(0), r.Size
		if sp.partNumber != nil {
			pn := *sp.partNumber
			if pn < 1 || pn > 10000 {
				return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", strconv.FormatInt(pn, 10))
			}
			if len(r.Parts) == 0 {
				if pn != 1 {
					return errInvalidPartNumber(pn, 1)
				}
			} else {
				if int(pn) > len(r.Parts) {
					return errInvalidPartNumber(pn, len(r.Parts))
				}
				for i := 0; i < int(pn)-1; i++ {
					start += r.Parts[i].Size
				}
				n = r.Parts[pn-1].Size
				out.PartsCount = api.Int64(int64(len(r.Parts)))
				out.ContentRange = api.String(fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, r.Size))
			}
		} else if sp.rng != nil {
			st, cnt, ok, err := parseRange(*sp.rng, r.Size)
			if err != nil {
				return err
			}
			if ok {
				start, n = st, cnt
				out.ContentRange = api.String(fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, r.Size))
			}
		}
		out.ContentLength = api.Int64(n)
		if body {
			rd = newSegReader(s.st, r.Segs, start, n)
			if err := rd.openFirst(tx); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return errNoSuchKey(sp.key)
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		if r != nil && r.DeleteMarker {
			// S3 flags a delete marker in the error answer's headers; the codec
			// writes only the error, so the flag is lost (see doc.go).
		}
		return nil, nil, s.internal("GetObject", err)
	}
	fillObjectHeaders(out, b, r, sp)
	return out, rd, nil
}

func fillObjectHeaders(out *s3api.HeadObjectOutput, b *bucketRec, r *objRec, sp *readSpec) {
	out.ETag = api.String(r.ETag)
	out.LastModified = timePtr(r.Modified)
	out.AcceptRanges = api.String("bytes")
	if b.versioned() || r.VersionID != "null" {
		out.VersionId = api.String(r.VersionID)
	}
	h := func(name string, o *string) *string {
		if o != nil {
			return o
		}
		if v, ok := r.Headers[name]; ok {
			return api.String(v)
		}
		return nil
	}
	out.CacheControl = h("Cache-Control", sp.resp.CacheControl)
	out.ContentDisposition = h("Content-Disposition", sp.resp.ContentDisposition)
	out.ContentEncoding = h("Content-Encoding", sp.resp.ContentEncoding)
	out.ContentLanguage = h("Content-Language", sp.resp.ContentLanguage)
	out.ContentType = h("Content-Type", sp.resp.ContentType)
	out.Expires = h("Expires", sp.resp.Expires)
	if len(r.Meta) > 0 {
		out.Metadata = r.Meta
	}
	if r.StorageClass != "" {
		out.StorageClass = api.String(r.StorageClass)
	}
	if r.Redirect != "" {
		out.WebsiteRedirectLocation = api.String(r.Redirect)
	}
	if len(r.Tags) > 0 {
		out.TagCount = api.Int64(int64(len(r.Tags)))
	}
	if len(r.Parts) > 0 && out.PartsCount == nil && sp.partNumber != nil {
		out.PartsCount = api.Int64(int64(len(r.Parts)))
	}
	sseOut(r, &out.ServerSideEncryption, &out.SSEKMSKeyId, &out.BucketKeyEnabled, &out.SSECustomerAlgorithm, &out.SSECustomerKeyMD5)
	if r.LockMode != "" {
		out.ObjectLockMode = api.String(r.LockMode)
	}
	if r.LockUntil != nil {
		out.ObjectLockRetainUntilDate = timePtr(*r.LockUntil)
	}
	if r.LegalHold != "" {
		out.ObjectLockLegalHoldStatus = api.String(r.LegalHold)
	}
	if r.Restore != "" {
		out.Restore = api.String(r.Restore)
	}
	// A checksum describes the whole object (or, for a composite one, the
	// whole object only); S3 sends it only when asked and never for a range.
	if sp.partNumber != nil && len(r.Parts) > 0 && r.ChecksumAlgo != "" {
		// A part of a multipart object carries that part's checksum.
		if pn := *sp.partNumber; pn >= 1 && int(pn) <= len(r.Parts) {
			setChecksum(out, r.ChecksumAlgo, r.Parts[pn-1].Checksum)
			out.ChecksumType = api.String(r.ChecksumType)
		}
	} else if sp.checksumMode != nil && strings.EqualFold(*sp.checksumMode, "ENABLED") && r.Checksum != "" && out.ContentRange == nil {
		setChecksum(out, r.ChecksumAlgo, r.Checksum)
		out.ChecksumType = api.String(r.ChecksumType)
	}
}

func respOverrides(cc, cd, ce, cl, ct *string, exp *time.Time) stdHeaders {
	h := stdHeaders{CacheControl: cc, ContentDisposition: cd, ContentEncoding: ce, ContentLanguage: cl, ContentType: ct}
	if exp != nil {
		h.Expires = api.String(exp.UTC().Format(http.TimeFormat))
	}
	return h
}

// GetObject streams an object (or a range or part of it) from disk.
func (s *Service) GetObject(ctx context.Context, in *s3api.GetObjectRequest) (*s3api.GetObjectOutput, error) {
	sp := &readSpec{bucket: api.ToString(in.Bucket), key: api.ToString(in.Key), versionID: api.ToString(in.VersionId),
		ifMatch: in.IfMatch, ifNoneMatch: in.IfNoneMatch, ifModSince: in.IfModifiedSince, ifUnmod: in.IfUnmodifiedSince,
		rng: in.Range, partNumber: in.PartNumber, cAlgo: in.SSECustomerAlgorithm, cKey: in.SSECustomerKey, cKeyMD5: in.SSECustomerKeyMD5,
		checksumMode: in.ChecksumMode, expectedOwner: in.ExpectedBucketOwner, method: "GET", caller: caller(ctx),
		resp: respOverrides(in.ResponseCacheControl, in.ResponseContentDisposition, in.ResponseContentEncoding,
			in.ResponseContentLanguage, in.ResponseContentType, in.ResponseExpires)}
	if in.VersionId != nil && *in.VersionId == "" {
		return nil, errInvalidArgument("Version id cannot be the empty string", "versionId", "")
	}
	h, rd, err := s.read(sp, true)
	if err != nil {
		return nil, err
	}
	out := getOutput(h)
	out.Body = rd
	return out, nil
}

// getOutput is copyFields(&GetObjectOutput{}, h) written out: GetObject answers
// every request with it, and the reflective copy of 42 members was a visible
// share of a small GET. TestGetOutputAsCopyFields keeps it complete.
func getOutput(h *s3api.HeadObjectOutput) *s3api.GetObjectOutput {
	return &s3api.GetObjectOutput{
		AcceptRanges:              h.AcceptRanges,
		BucketKeyEnabled:          h.BucketKeyEnabled,
		CacheControl:              h.CacheControl,
		ChecksumCRC32:             h.ChecksumCRC32,
		ChecksumCRC32C:            h.ChecksumCRC32C,
		ChecksumCRC64NVME:         h.ChecksumCRC64NVME,
		ChecksumMD5:               h.ChecksumMD5,
		ChecksumSHA1:              h.ChecksumSHA1,
		ChecksumSHA256:            h.ChecksumSHA256,
		ChecksumSHA512:            h.ChecksumSHA512,
		ChecksumType:              h.ChecksumType,
		ChecksumXXHASH128:         h.ChecksumXXHASH128,
		ChecksumXXHASH3:           h.ChecksumXXHASH3,
		ChecksumXXHASH64:          h.ChecksumXXHASH64,
		ContentDisposition:        h.ContentDisposition,
		ContentEncoding:           h.ContentEncoding,
		ContentLanguage:           h.ContentLanguage,
		ContentLength:             h.ContentLength,
		ContentRange:              h.ContentRange,
		ContentType:               h.ContentType,
		DeleteMarker:              h.DeleteMarker,
		ETag:                      h.ETag,
		Expiration:                h.Expiration,
		Expires:                   h.Expires,
		LastModified:              h.LastModified,
		Metadata:                  h.Metadata,
		MissingMeta:               h.MissingMeta,
		ObjectLockLegalHoldStatus: h.ObjectLockLegalHoldStatus,
		ObjectLockMode:            h.ObjectLockMode,
		ObjectLockRetainUntilDate: h.ObjectLockRetainUntilDate,
		PartsCount:                h.PartsCount,
		ReplicationStatus:         h.ReplicationStatus,
		RequestCharged:            h.RequestCharged,
		Restore:                   h.Restore,
		SSECustomerAlgorithm:      h.SSECustomerAlgorithm,
		SSECustomerKeyMD5:         h.SSECustomerKeyMD5,
		SSEKMSKeyId:               h.SSEKMSKeyId,
		ServerSideEncryption:      h.ServerSideEncryption,
		StorageClass:              h.StorageClass,
		TagCount:                  h.TagCount,
		VersionId:                 h.VersionId,
		WebsiteRedirectLocation:   h.WebsiteRedirectLocation,
	}
}

// HeadObject is GetObject without the body.
func (s *Service) HeadObject(ctx context.Context, in *s3api.HeadObjectRequest) (*s3api.HeadObjectOutput, error) {
	sp := &readSpec{bucket: api.ToString(in.Bucket), key: api.ToString(in.Key), versionID: api.ToString(in.VersionId),
		ifMatch: in.IfMatch, ifNoneMatch: in.IfNoneMatch, ifModSince: in.IfModifiedSince, ifUnmod: in.IfUnmodifiedSince,
		rng: in.Range, partNumber: in.PartNumber, cAlgo: in.SSECustomerAlgorithm, cKey: in.SSECustomerKey, cKeyMD5: in.SSECustomerKeyMD5,
		checksumMode: in.ChecksumMode, expectedOwner: in.ExpectedBucketOwner, method: "HEAD", caller: caller(ctx),
		resp: respOverrides(in.ResponseCacheControl, in.ResponseContentDisposition, in.ResponseContentEncoding,
			in.ResponseContentLanguage, in.ResponseContentType, in.ResponseExpires)}
	h, _, err := s.read(sp, false)
	return h, err
}

// deleteResult is what deleting one key did.
type deleteResult struct {
	versionID    string // the version removed, or the delete marker's id
	deleteMarker bool   // a delete marker was created or removed
	removed      *objRec
	created      *objRec
}

// deleteOne deletes key (or one version of it) inside tx, with S3's versioning
// rules and object lock checks.
func (s *Service) deleteOne(tx *store.Tx, c *api.Caller, b *bucketRec, key, versionID string, bypass bool, ifMatch *string) (*deleteResult, error) {
	account := c.Account
	action := "s3:DeleteObject"
	if versionID != "" {
		action = "s3:DeleteObjectVersion"
	}
	if err := authorize(tx, c, b, nil, key, action, permWrite); err != nil {
		return nil, err
	}
	obs, err := openObjects(tx, b.Name)
	if err != nil {
		return nil, err
	}
	res := &deleteResult{}
	if ifMatch != nil {
		cur, err := obs.current(key)
		if err != nil {
			return nil, err
		}
		if cur == nil {
			return nil, errNoSuchKey(key)
		}
		if !etagMatches(*ifMatch, cur.ETag) {
			return nil, errPrecondition("If-Match")
		}
	}
	if versionID != "" {
		_, r, err := obs.version(key, versionID)
		if err != nil {
			return nil, err
		}
		if r == nil {
			if versionID != "null" && !validVersionID(versionID) {
				return nil, errInvalidArgument("Invalid version id specified", "versionId", versionID)
			}
			res.versionID = versionID
			return res, nil
		}
		if err := checkLockDelete(r, bypass, s.now()); err != nil {
			return nil, err
		}
		if _, err := obs.remove(key, versionID); err != nil {
			return nil, err
		}
		res.versionID, res.deleteMarker, res.removed = versionID, r.DeleteMarker, r
		return res, nil
	}
	switch b.Versioning {
	case "":
		r, err := obs.current(key)
		if err != nil || r == nil {
			return res, err
		}
		if _, err := obs.remove(key, "null"); err != nil {
			return nil, err
		}
		res.removed = r
		return res, nil
	default:
		dm := &objRec{Key: key, DeleteMarker: true, Modified: s.nowSec(), Owner: account, VersionID: "null"}
		if b.Versioning == "Enabled" {
			dm.VersionID = newVersionID()
		}
		if err := obs.put(dm); err != nil {
			return nil, err
		}
		res.versionID, res.deleteMarker, res.created = dm.VersionID, true, dm
		return res, nil
	}
}

// DeleteObject deletes an object, adds a delete marker, or removes one version.
func (s *Service) DeleteObject(ctx context.Context, in *s3api.DeleteObjectRequest) (*s3api.DeleteObjectOutput, error) {
	c := caller(ctx)
	bucket, key := api.ToString(in.Bucket), api.ToString(in.Key)
	if in.VersionId != nil && *in.VersionId == "" {
		return nil, errInvalidArgument("Version id cannot be the empty string", "versionId", "")
	}
	var (
		b   *bucketRec
		res *deleteResult
	)
	err := s.st.Update(func(tx *store.Tx) error {
		var err error
		if b, err = getBucket(tx, bucket); err != nil {
			return err
		}
		if err := checkOwner(b, in.ExpectedBucketOwner); err != nil {
			return err
		}
		res, err = s.deleteOne(tx, c, b, key, api.ToString(in.VersionId), api.ToBool(in.BypassGovernanceRetention), in.IfMatch)
		if err != nil {
			return err
		}
		return s.notifyDelete(ctx, tx, b, res)
	})
	if err != nil {
		return nil, s.internal("DeleteObject", err)
	}
	s.wake()
	out := &s3api.DeleteObjectOutput{}
	if res.versionID != "" && (b.versioned() || in.VersionId != nil) {
		out.VersionId = api.String(res.versionID)
	}
	if res.deleteMarker {
		out.DeleteMarker = api.Bool(true)
	}
	return out, nil
}

func (s *Service) notifyDelete(ctx context.Context, tx *store.Tx, b *bucketRec, res *deleteResult) error {
	switch {
	case res.created != nil:
		return s.notify(ctx, tx, b, "ObjectRemoved:DeleteMarkerCreated", res.created)
	case res.removed != nil:
		return s.notify(ctx, tx, b, "ObjectRemoved:Delete", res.removed)
	}
	return nil
}

// DeleteObjects deletes up to 1,000 keys in one request, answering per key.
func (s *Service) DeleteObjects(ctx context.Context, in *s3api.DeleteObjectsRequest) (*s3api.DeleteObjectsOutput, error) {
	c := caller(ctx)
	bucket := api.ToString(in.Bucket)
	if in.Delete == nil {
		return nil, errMalformedXML()
	}
	if len(in.Delete.Objects) > 1000 {
		return nil, errMalformedXML()
	}
	quiet := api.ToBool(in.Delete.Quiet)
	out := &s3api.DeleteObjectsOutput{}
	err := s.st.Update(func(tx *store.Tx) error {
		out.Deleted, out.Errors = nil, nil
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		if err := checkOwner(b, in.ExpectedBucketOwner); err != nil {
			return err
		}
		for _, o := range in.Delete.Objects {
			key, vid := api.ToString(o.Key), api.ToString(o.VersionId)
			res, err := s.deleteOne(tx, c, b, key, vid, api.ToBool(in.BypassGovernanceRetention), o.ETag)
			if err != nil {
				var ae *api.Err
				if errors.As(err, &ae) {
					e := &s3api.Error{Key: api.String(key), Code: api.String(ae.Code), Message: api.String(ae.Message)}
					if vid != "" {
						e.VersionId = api.String(vid)
					}
					out.Errors = append(out.Errors, e)
					continue
				}
				return err
			}
			if err := s.notifyDelete(ctx, tx, b, res); err != nil {
				return err
			}
			if quiet {
				continue
			}
			d := &s3api.DeletedObject{Key: api.String(key)}
			if vid != "" {
				d.VersionId = api.String(vid)
				if res.deleteMarker {
					d.DeleteMarker = api.Bool(true)
					d.DeleteMarkerVersionId = api.String(vid)
				}
			} else if res.deleteMarker {
				d.DeleteMarker = api.Bool(true)
				d.DeleteMarkerVersionId = api.String(res.versionID)
			}
			out.Deleted = append(out.Deleted, d)
		}
		return nil
	})
	if err != nil {
		return nil, s.internal("DeleteObjects", err)
	}
	s.wake()
	return out, nil
}

// parseCopySource splits x-amz-copy-source: "bucket/key[?versionId=v]",
// URL-encoded, with or without a leading slash.
func parseCopySource(src string) (bucket, key, versionID string, err error) {
	bad := errInvalidArgument("Invalid copy source object key", "x-amz-copy-source", src)
	path, query, _ := strings.Cut(src, "?")
	if query != "" {
		q, perr := url.ParseQuery(query)
		if perr != nil {
			return "", "", "", bad
		}
		versionID = q.Get("versionId")
	}
	p, perr := url.PathUnescape(path)
	if perr != nil {
		return "", "", "", bad
	}
	p = strings.TrimPrefix(p, "/")
	bucket, key, ok := strings.Cut(p, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", "", errInvalidArgument("Invalid copy source object key", "x-amz-copy-source", src)
	}
	return bucket, key, versionID, nil
}

// copyConditions applies the x-amz-copy-source-if-* headers.
func copyConditions(r *objRec, ifMatch, ifNoneMatch *string, ifMod, ifUnmod *time.Time) error {
	if ifMatch != nil {
		if !etagMatches(*ifMatch, r.ETag) {
			return errPrecondition("x-amz-copy-source-If-Match")
		}
	} else if ifUnmod != nil && r.Modified.After(*ifUnmod) {
		return errPrecondition("x-amz-copy-source-If-Unmodified-Since")
	}
	if ifNoneMatch != nil {
		if etagMatches(*ifNoneMatch, r.ETag) {
			return errPrecondition("x-amz-copy-source-If-None-Match")
		}
	} else if ifMod != nil && !r.Modified.After(*ifMod) {
		return errPrecondition("x-amz-copy-source-If-Modified-Since")
	}
	return nil
}

// CopyObject copies an object server-side. The copy shares the source's bytes
// (a second reference to the same blobs), so it costs no I/O whatever its size.
func (s *Service) CopyObject(ctx context.Context, in *s3api.CopyObjectRequest) (*s3api.CopyObjectOutput, error) {
	c := caller(ctx)
	bucket, key := api.ToString(in.Bucket), api.ToString(in.Key)
	if err := checkKey(key); err != nil {
		return nil, err
	}
	sb, sk, svid, err := parseCopySource(api.ToString(in.CopySource))
	if err != nil {
		return nil, err
	}
	directive := api.ToString(in.MetadataDirective)
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return nil, errInvalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", directive)
	}
	tagDirective := api.ToString(in.TaggingDirective)
	if tagDirective != "" && tagDirective != "COPY" && tagDirective != "REPLACE" {
		return nil, errInvalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", tagDirective)
	}
	sp, err := sseFromRequest(in.ServerSideEncryption, in.SSEKMSKeyId, in.SSEKMSEncryptionContext, in.BucketKeyEnabled,
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5)
	if err != nil {
		return nil, err
	}
	sc, err := storageClass(in.StorageClass)
	if err != nil {
		return nil, err
	}
	newTags, err := parseTagHeader(in.Tagging)
	if err != nil {
		return nil, err
	}
	acl, err := aclFromRequest(c.Account, in.ACL, grantHeaders{in.GrantFullControl, in.GrantRead, in.GrantReadACP, nil, in.GrantWriteACP}, false)
	if err != nil {
		return nil, err
	}
	meta := lowerMeta(in.Metadata)
	if err := checkMetaSize(meta); err != nil {
		return nil, err
	}
	vid := newVersionID()
	var (
		b       *bucketRec
		src     *objRec
		rec     *objRec
		srcVers bool
	)
	err = s.st.Update(func(tx *store.Tx) error {
		var err error
		sbr, err := getBucket(tx, sb)
		if err != nil {
			return err
		}
		srcVers = sbr.versioned()
		sobs, err := openObjects(tx, sb)
		if err != nil {
			return err
		}
		if svid == "" {
			src, err = sobs.current(sk)
			if err != nil {
				return err
			}
			if src == nil {
				return errNoSuchKey(sk)
			}
		} else {
			_, src, err = sobs.version(sk, svid)
			if err != nil {
				return err
			}
			if src == nil {
				if svid != "null" && !validVersionID(svid) {
					return errInvalidArgument("Invalid version id specified", "x-amz-copy-source", api.ToString(in.CopySource))
				}
				return errNoSuchVersion(sk, svid)
			}
			if src.DeleteMarker {
				return errInvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.")
			}
		}
		if src.SSECAlgo != "" || in.CopySourceSSECustomerAlgorithm != nil {
			if err := checkSSECRead(src, in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5); err != nil {
				return err
			}
		}
		if err := authorize(tx, c, sbr, src, sk, "s3:GetObject", permRead); err != nil {
			return err
		}
		if err := copyConditions(src, in.CopySourceIfMatch, in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince); err != nil {
			return err
		}
		if b, err = getBucket(tx, bucket); err != nil {
			return err
		}
		if err := checkOwner(b, in.ExpectedBucketOwner); err != nil {
			return err
		}
		ck := writeKeys(in.ServerSideEncryption, in.SSEKMSKeyId, in.ACL, in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWriteACP,
			in.Tagging, in.SSECustomerAlgorithm, in.StorageClass)
		ck["s3:x-amz-copy-source"] = []string{api.ToString(in.CopySource)}
		if in.MetadataDirective != nil {
			ck["s3:x-amz-metadata-directive"] = []string{*in.MetadataDirective}
		}
		if err := authorize(tx, c, b, nil, key, "s3:PutObject", permWrite, ck); err != nil {
			return err
		}
		if sb == bucket && sk == key && svid == "" && directive != "REPLACE" && sc == "" && in.WebsiteRedirectLocation == nil &&
			sp.SSE == "" && sp.SSECAlgo == "" {
			return errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
		}
		obs, err := openObjectsFor(tx, b)
		if err != nil {
			return err
		}
		if in.IfMatch != nil || in.IfNoneMatch != nil {
			cur, err := obs.current(key)
			if err != nil {
				return err
			}
			if err := checkWriteConditions(cur, key, in.IfMatch, in.IfNoneMatch); err != nil {
				return err
			}
		}
		cp := *src
		rec = &cp
		rec.Key, rec.Owner, rec.Modified = key, c.Account, s.nowSec()
		rec.StorageClass = sc
		rec.Restore = ""
		rec.LockMode, rec.LockUntil, rec.LegalHold = "", nil, ""
		rec.ACL = acl
		rec.ACL.bindBucketOwner(b.Account)
		if err := checkPublicACL(tx, bucket, rec.ACL); err != nil {
			return err
		}
		if err := applyOwnership(tx, b, rec, in.ACL, in.GrantFullControl != nil || in.GrantRead != nil || in.GrantReadACP != nil || in.GrantWriteACP != nil); err != nil {
			return err
		}
		if directive == "REPLACE" {
			rec.Headers = stdHeaders{in.CacheControl, in.ContentDisposition, in.ContentEncoding, in.ContentLanguage, in.ContentType, in.Expires}.toMap()
			rec.Meta = meta
			rec.Redirect = api.ToString(in.WebsiteRedirectLocation)
		} else if in.WebsiteRedirectLocation != nil {
			rec.Redirect = *in.WebsiteRedirectLocation
		}
		if tagDirective == "REPLACE" {
			rec.Tags = newTags
		}
		spc := sp
		if err := applyBucketEncryption(tx, bucket, &spc); err != nil {
			return err
		}
		spc.apply(rec)
		if algo := api.ToString(in.ChecksumAlgorithm); algo != "" && algo != rec.ChecksumAlgo {
			// The new checksum needs the bytes; computed after the commit
			// would be racy, so fogbank keeps none rather than a wrong one.
			rec.ChecksumAlgo, rec.Checksum, rec.ChecksumType = "", "", ""
		}
		lk, err := lockFromRequest(b, in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus)
		if err != nil {
			return err
		}
		lk.apply(rec)
		if err := applyDefaultRetention(tx, b, rec); err != nil {
			return err
		}
		rec.VersionID = "null"
		if b.Versioning == "Enabled" {
			rec.VersionID = vid
		}
		if err := refSegs(tx, rec.Segs); err != nil {
			return err
		}
		if err := obs.put(rec); err != nil {
			return err
		}
		return s.notify(ctx, tx, b, "ObjectCreated:Copy", rec)
	})
	if err != nil {
		return nil, s.internal("CopyObject", err)
	}
	s.wake()
	res := &s3api.CopyObjectResult{ETag: api.String(rec.ETag), LastModified: timePtr(rec.Modified)}
	if rec.Checksum != "" && len(rec.Parts) == 0 {
		setChecksum(res, rec.ChecksumAlgo, rec.Checksum)
		res.ChecksumType = api.String(rec.ChecksumType)
	}
	out := &s3api.CopyObjectOutput{CopyObjectResult: res}
	if b.Versioning == "Enabled" {
		out.VersionId = api.String(rec.VersionID)
	}
	if srcVers {
		out.CopySourceVersionId = api.String(src.VersionID)
	}
	sseOut(rec, &out.ServerSideEncryption, &out.SSEKMSKeyId, &out.BucketKeyEnabled, &out.SSECustomerAlgorithm, &out.SSECustomerKeyMD5)
	return out, nil
}

// GetObjectAttributes answers the attributes asked for in x-amz-object-attributes.
func (s *Service) GetObjectAttributes(ctx context.Context, in *s3api.GetObjectAttributesRequest) (*s3api.GetObjectAttributesOutput, error) {
	var (
		b *bucketRec
		r *objRec
	)
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		b, r, err = findObject(tx, api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.VersionId), "GET")
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, r, *in.Key, "s3:GetObjectAttributes", permRead); err != nil {
			return err
		}
		return checkSSECRead(r, in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5)
	})
	if err != nil {
		return nil, s.internal("GetObjectAttributes", err)
	}
	out := &s3api.GetObjectAttributesOutput{LastModified: timePtr(r.Modified)}
	if b.versioned() {
		out.VersionId = api.String(r.VersionID)
	}
	for _, a := range in.ObjectAttributes {
		for _, a := range strings.Split(a, ",") {
			switch strings.TrimSpace(a) {
			case "ETag":
				out.ETag = api.String(strings.Trim(r.ETag, `"`))
			case "StorageClass":
				sc := r.StorageClass
				if sc == "" {
					sc = "STANDARD"
				}
				out.StorageClass = api.String(sc)
			case "ObjectSize":
				out.ObjectSize = api.Int64(r.Size)
			case "Checksum":
				if r.Checksum != "" {
					ck := &s3api.Checksum{ChecksumType: api.String(r.ChecksumType)}
					setChecksum(ck, r.ChecksumAlgo, r.Checksum)
					out.Checksum = ck
				}
			case "ObjectParts":
				if len(r.Parts) > 0 {
					out.ObjectParts = objectParts(r, in.MaxParts, in.PartNumberMarker)
				}
			case "":
			default:
				return nil, errInvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", a)
			}
		}
	}
	return out, nil
}

func objectParts(r *objRec, maxParts, marker *int64) *s3api.GetObjectAttributesParts {
	max := int(api.ToInt64(maxParts))
	if max <= 0 || max > 1000 {
		max = 1000
	}
	start := int(api.ToInt64(marker))
	p := &s3api.GetObjectAttributesParts{TotalPartsCount: api.Int64(int64(len(r.Parts))),
		PartNumberMarker: api.Int64(int64(start)), MaxParts: api.Int64(int64(max)), IsTruncated: api.Bool(false)}
	for i := start; i < len(r.Parts); i++ {
		if len(p.Parts) == max {
			p.IsTruncated = api.Bool(true)
			break
		}
		op := &s3api.ObjectPart{PartNumber: api.Int64(int64(i + 1)), Size: api.Int64(r.Parts[i].Size)}
		setChecksum(op, r.ChecksumAlgo, r.Parts[i].Checksum)
		p.Parts = append(p.Parts, op)
		p.NextPartNumberMarker = api.Int64(int64(i + 1))
	}
	return p
}
