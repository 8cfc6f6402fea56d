package s3

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// minPartSize is the smallest a part other than the last may be.
const minPartSize = 5 << 20

// uploadRec is a multipart upload in progress: the object it will become.
type uploadRec struct {
	ID        string    `json:"id"`
	Initiated time.Time `json:"init"`
	Object    objRec    `json:"obj"` // key, headers, metadata, tags, ACL, SSE, lock
	// Done is set once the upload completed: S3 answers a repeated
	// CompleteMultipartUpload with the same result for a while.
	Done bool `json:"done,omitempty"`
}

// partRec is one uploaded part.
type partRec struct {
	Num      int64     `json:"num"`
	Segs     []seg     `json:"segs"`
	Size     int64     `json:"size"`
	ETag     string    `json:"etag"`
	Modified time.Time `json:"mod"`
	Checksum string    `json:"ck,omitempty"`
}

func partKey(uploadID string, n int64) []byte {
	return []byte(fmt.Sprintf("%s/%05d", uploadID, n))
}

// getUpload reads an upload of key in tx; NoSuchUpload when it is not there.
func getUpload(tx *store.Tx, c *api.Caller, bucket, key, id string) (*uploadRec, error) {
	b, err := getBucket(tx, bucket)
	if err != nil {
		return nil, err
	}
	if err := authorize(tx, c, b, nil, key, "s3:PutObject", permWrite); err != nil {
		return nil, err
	}
	bk := tx.Bucket(bpath(bucket, "u")...)
	if bk == nil {
		return nil, errNoSuchBucket(bucket)
	}
	var u uploadRec
	raw := bk.Get([]byte(id))
	if raw == nil {
		return nil, errNoSuchUpload(id)
	}
	if err := jsonUnmarshal(raw, &u); err != nil {
		return nil, err
	}
	if u.Object.Key != key {
		return nil, errNoSuchUpload(id)
	}
	return &u, nil
}

// getLiveUpload is getUpload for an upload still in progress.
func getLiveUpload(tx *store.Tx, c *api.Caller, bucket, key, id string) (*uploadRec, error) {
	u, err := getUpload(tx, c, bucket, key, id)
	if err == nil && u.Done {
		return nil, errNoSuchUpload(id)
	}
	return u, err
}

// CreateMultipartUpload starts an upload, remembering what the object will carry.
func (s *Service) CreateMultipartUpload(ctx context.Context, in *s3api.CreateMultipartUploadRequest) (*s3api.CreateMultipartUploadOutput, error) {
	c := caller(ctx)
	bucket, key := api.ToString(in.Bucket), api.ToString(in.Key)
	if err := checkKey(key); err != nil {
		return nil, err
	}
	meta := lowerMeta(in.Metadata)
	if err := checkMetaSize(meta); err != nil {
		return nil, err
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
	sc, err := storageClass(in.StorageClass)
	if err != nil {
		return nil, err
	}
	algo := strings.ToUpper(api.ToString(in.ChecksumAlgorithm))
	if algo != "" {
		if _, ok := algoHash(algo); !ok {
			return nil, errInvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
	}
	ctype := api.ToString(in.ChecksumType)
	switch {
	case ctype != "" && ctype != "COMPOSITE" && ctype != "FULL_OBJECT":
		return nil, errInvalidRequest("Value for x-amz-checksum-type header is invalid.")
	case ctype != "" && algo == "":
		return nil, errInvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	case algo == "CRC64NVME" && ctype == "COMPOSITE", (algo == "SHA1" || algo == "SHA256") && ctype == "FULL_OBJECT":
		return nil, errInvalidRequest(fmt.Sprintf("The %s checksum type cannot be used with the %s checksum algorithm.", strings.ToLower(ctype), strings.ToLower(algo)))
	case algo != "" && ctype == "":
		ctype = "COMPOSITE"
		if algo == "CRC64NVME" {
			ctype = "FULL_OBJECT"
		}
	}
	u := &uploadRec{ID: newUploadID(), Initiated: s.now().UTC()}
	u.Object = objRec{Key: key, Owner: c.Account,
		Headers: stdHeaders{in.CacheControl, in.ContentDisposition, in.ContentEncoding, in.ContentLanguage, in.ContentType, in.Expires}.toMap(),
		Meta:    meta, StorageClass: sc, Tags: tags, ACL: acl, Redirect: api.ToString(in.WebsiteRedirectLocation),
		ChecksumAlgo: algo, ChecksumType: ctype}
	err = s.st.Update(func(tx *store.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		if err := checkOwner(b, in.ExpectedBucketOwner); err != nil {
			return err
		}
		if err := authorize(tx, c, b, nil, key, "s3:PutObject", permWrite); err != nil {
			return err
		}
		lk, err := lockFromRequest(b, in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus)
		if err != nil {
			return err
		}
		lk.apply(&u.Object)
		spc := sp
		if err := applyBucketEncryption(tx, bucket, &spc); err != nil {
			return err
		}
		spc.apply(&u.Object)
		u.Object.ACL.bindBucketOwner(b.Account)
		if err := checkPublicACL(tx, bucket, u.Object.ACL); err != nil {
			return err
		}
		if err := applyOwnership(tx, b, &u.Object, in.ACL, in.GrantFullControl != nil || in.GrantRead != nil || in.GrantReadACP != nil || in.GrantWriteACP != nil); err != nil {
			return err
		}
		bk := tx.Bucket(bpath(bucket, "u")...)
		if bk == nil {
			return errNoSuchBucket(bucket)
		}
		return bk.PutJSON([]byte(u.ID), u)
	})
	if err != nil {
		return nil, s.internal("CreateMultipartUpload", err)
	}
	out := &s3api.CreateMultipartUploadOutput{Bucket: in.Bucket, Key: in.Key, UploadId: api.String(u.ID)}
	if algo != "" {
		out.ChecksumAlgorithm = api.String(algo)
		out.ChecksumType = api.String(ctype)
	}
	sseOut(&u.Object, &out.ServerSideEncryption, &out.SSEKMSKeyId, &out.BucketKeyEnabled, &out.SSECustomerAlgorithm, &out.SSECustomerKeyMD5)
	return out, nil
}

// checkPartSSEC demands of a part the customer key its upload was started with.
func checkPartSSEC(u *uploadRec, cAlgo, cKey, cKeyMD5 *string) error {
	if u.Object.SSECAlgo == "" {
		if cAlgo != nil || cKey != nil {
			return errInvalidRequest("The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
		}
		return nil
	}
	if cAlgo == nil && cKey == nil {
		return errInvalidRequest("The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
	}
	md5s, err := checkSSEC(cAlgo, cKey, cKeyMD5)
	if err != nil {
		return err
	}
	if md5s != u.Object.SSECKeyMD5 {
		return errInvalidRequest("The provided encryption parameters did not match the ones used originally.")
	}
	return nil
}

func checkPartNumber(n *int64) error {
	if n == nil || *n < 1 || *n > 10000 {
		v := ""
		if n != nil {
			v = strconv.FormatInt(*n, 10)
		}
		return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
	}
	return nil
}

// storePart records a part whose bytes are segs, replacing an earlier upload of
// the same number.
func (s *Service) storePart(c *api.Caller, bucket, key, uploadID string, p *partRec, newBlob string) error {
	return s.st.Update(func(tx *store.Tx) error {
		if _, err := getLiveUpload(tx, c, bucket, key, uploadID); err != nil {
			return err
		}
		pb := tx.Bucket(bpath(bucket, "p")...)
		pk := partKey(uploadID, p.Num)
		if raw := pb.Get(pk); raw != nil {
			var old partRec
			if err := jsonUnmarshal(raw, &old); err != nil {
				return err
			}
			if err := unrefSegs(tx, old.Segs); err != nil {
				return err
			}
		}
		if newBlob != "" {
			if err := tx.RefBlob(newBlob); err != nil {
				return err
			}
		} else if err := refSegs(tx, p.Segs); err != nil {
			return err
		}
		return pb.PutJSON(pk, p)
	})
}

// UploadPart streams one part to disk.
func (s *Service) UploadPart(ctx context.Context, in *s3api.UploadPartRequest) (*s3api.UploadPartOutput, error) {
	bucket, key, id := api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.UploadId)
	if err := checkPartNumber(in.PartNumber); err != nil {
		return nil, err
	}
	var u *uploadRec
	if err := s.st.View(func(tx *store.Tx) error {
		var err error
		u, err = getLiveUpload(tx, caller(ctx), bucket, key, id)
		return err
	}); err != nil {
		return nil, s.internal("UploadPart", err)
	}
	if err := checkPartSSEC(u, in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5); err != nil {
		return nil, err
	}
	if in.ContentLength != nil && *in.ContentLength > maxPutSize {
		return nil, api.Errorf(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size").
			With("ProposedSize", strconv.FormatInt(*in.ContentLength, 10)).With("MaxSizeAllowed", strconv.FormatInt(maxPutSize, 10))
	}
	tr, _ := in.Body.(api.Trailing)
	algo, value, trailer, err := checksumWanted(in, in.ChecksumAlgorithm, tr)
	if err != nil {
		return nil, err
	}
	if algo == "" {
		algo = u.Object.ChecksumAlgo
	} else if u.Object.ChecksumAlgo != "" && algo != u.Object.ChecksumAlgo {
		return nil, errInvalidRequest(fmt.Sprintf("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(u.Object.ChecksumAlgo), strings.ToLower(algo)))
	}
	g, err := s.ingestBody(in.Body, ingestOpts{contentLength: in.ContentLength, contentMD5: in.ContentMD5,
		algo: algo, value: value, trailer: trailer, body: tr})
	if err != nil {
		return nil, err
	}
	defer g.w.Abort()
	p := &partRec{Num: *in.PartNumber, Segs: []seg{{ID: g.ref.ID, Size: g.ref.Size}}, Size: g.ref.Size,
		ETag: `"` + g.md5hex + `"`, Modified: s.nowSec(), Checksum: g.checksum}
	if err := s.storePart(caller(ctx), bucket, key, id, p, g.ref.ID); err != nil {
		return nil, s.internal("UploadPart", err)
	}
	out := &s3api.UploadPartOutput{ETag: api.String(p.ETag)}
	if p.Checksum != "" {
		setChecksum(out, algo, p.Checksum)
	}
	sseOut(&u.Object, &out.ServerSideEncryption, &out.SSEKMSKeyId, &out.BucketKeyEnabled, &out.SSECustomerAlgorithm, &out.SSECustomerKeyMD5)
	return out, nil
}

// UploadPartCopy makes a part from (a range of) an existing object. A whole
// object shares its bytes; a range is copied.
func (s *Service) UploadPartCopy(ctx context.Context, in *s3api.UploadPartCopyRequest) (*s3api.UploadPartCopyOutput, error) {
	bucket, key, id := api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.UploadId)
	if err := checkPartNumber(in.PartNumber); err != nil {
		return nil, err
	}
	sb, sk, svid, err := parseCopySource(api.ToString(in.CopySource))
	if err != nil {
		return nil, err
	}
	var (
		u   *uploadRec
		src *objRec
		rd  *segReader
	)
	start, n := int64(0), int64(0)
	err = s.st.View(func(tx *store.Tx) error {
		var err error
		if u, err = getLiveUpload(tx, caller(ctx), bucket, key, id); err != nil {
			return err
		}
		var sbr *bucketRec
		sbr, src, err = findObject(tx, sb, sk, svid, "GET")
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), sbr, src, sk, "s3:GetObject", permRead); err != nil {
			return err
		}
		if err := copyConditions(src, in.CopySourceIfMatch, in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince); err != nil {
			return err
		}
		n = src.Size
		if in.CopySourceRange != nil {
			r := *in.CopySourceRange
			a, b, ok := strings.Cut(strings.TrimPrefix(r, "bytes="), "-")
			first, err1 := strconv.ParseInt(a, 10, 64)
			last, err2 := strconv.ParseInt(b, 10, 64)
			if !strings.HasPrefix(r, "bytes=") || !ok || err1 != nil || err2 != nil || first > last {
				return errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy", "x-amz-copy-source-range", r)
			}
			if last >= src.Size {
				return api.Errorf(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable").
					With("RangeRequested", r).With("ActualObjectSize", strconv.FormatInt(src.Size, 10))
			}
			start, n = first, last-first+1
			rd = newSegReader(s.st, src.Segs, start, n)
			return rd.openFirst(tx)
		}
		return nil
	})
	if err != nil {
		return nil, s.internal("UploadPartCopy", err)
	}
	defer func() {
		if rd != nil {
			rd.Close() // when an error below leaves it unread (Close twice is harmless)
		}
	}()
	if err := checkPartSSEC(u, in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5); err != nil {
		return nil, err
	}
	if err := s.st.View(func(tx *store.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		return authorize(tx, caller(ctx), b, nil, key, "s3:PutObject", permWrite, condKeys{"s3:x-amz-copy-source": {api.ToString(in.CopySource)}})
	}); err != nil {
		return nil, s.internal("UploadPartCopy", err)
	}
	if src.SSECAlgo != "" || in.CopySourceSSECustomerAlgorithm != nil {
		if err := checkSSECRead(src, in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5); err != nil {
			return nil, err
		}
	}
	p := &partRec{Num: *in.PartNumber, Modified: s.nowSec()}
	newBlob := ""
	if rd == nil {
		p.Segs, p.Size = src.Segs, src.Size
		if len(src.Parts) == 0 {
			p.ETag = src.ETag
		}
	}
	if rd != nil || p.ETag == "" || u.Object.ChecksumAlgo != "" {
		if rd == nil {
			rd = newSegReader(s.st, src.Segs, 0, src.Size)
		}
		if err := rd.hold(); err != nil {
			// The source changed since it was found: a 500, which SDKs retry.
			rd.Close()
			return nil, s.internal("UploadPartCopy", err)
		}
		g, err := s.ingestBody(rd, ingestOpts{algo: u.Object.ChecksumAlgo})
		rd.Close()
		if err != nil {
			return nil, err
		}
		defer g.w.Abort()
		p.Segs, p.Size, p.ETag, p.Checksum = []seg{{ID: g.ref.ID, Size: g.ref.Size}}, g.ref.Size, `"`+g.md5hex+`"`, g.checksum
		newBlob = g.ref.ID
	}
	if err := s.storePart(caller(ctx), bucket, key, id, p, newBlob); err != nil {
		return nil, s.internal("UploadPartCopy", err)
	}
	res := &s3api.CopyPartResult{ETag: api.String(p.ETag), LastModified: timePtr(p.Modified)}
	setChecksum(res, u.Object.ChecksumAlgo, p.Checksum)
	out := &s3api.UploadPartCopyOutput{CopyPartResult: res}
	sseOut(&u.Object, &out.ServerSideEncryption, &out.SSEKMSKeyId, &out.BucketKeyEnabled, &out.SSECustomerAlgorithm, &out.SSECustomerKeyMD5)
	if svid != "" {
		out.CopySourceVersionId = api.String(src.VersionID)
	}
	return out, nil
}

func errInvalidPart(id string, n int64, etag string) error {
	return api.Errorf(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.").
		With("UploadId", id).With("PartNumber", strconv.FormatInt(n, 10)).With("ETag", etag)
}

// CompleteMultipartUpload assembles the named parts into the object. The parts'
// blobs become the object's segments: nothing is copied.
func (s *Service) CompleteMultipartUpload(ctx context.Context, in *s3api.CompleteMultipartUploadRequest) (*s3api.CompleteMultipartUploadOutput, error) {
	bucket, key, id := api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.UploadId)
	if in.MultipartUpload == nil || len(in.MultipartUpload.Parts) == 0 {
		return nil, errMalformedXML()
	}
	want := in.MultipartUpload.Parts
	for i, p := range want {
		if p.PartNumber == nil {
			return nil, errMalformedXML()
		}
		if i > 0 && *p.PartNumber < *want[i-1].PartNumber {
			return nil, api.Errorf(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.").With("UploadId", id)
		}
	}
	vid := newVersionID()
	var (
		b   *bucketRec
		rec *objRec
	)
	err := s.st.Update(func(tx *store.Tx) error {
		var err error
		if b, err = getBucket(tx, bucket); err != nil {
			return err
		}
		u, err := getUpload(tx, caller(ctx), bucket, key, id)
		if err != nil {
			return err
		}
		if u.Done {
			// Completed before: answer as then, if the object is still there.
			r := u.Object
			rec = &r
			return nil
		}
		if err := checkPartSSEC(u, in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5); err != nil {
			return err
		}
		pb := tx.Bucket(bpath(bucket, "p")...)
		have := map[int64]*partRec{}
		prefix := []byte(id + "/")
		if err := pb.ForEachPrefix(prefix, func(k, v []byte) error {
			var p partRec
			if err := jsonUnmarshal(v, &p); err != nil {
				return err
			}
			have[p.Num] = &p
			return nil
		}); err != nil {
			return err
		}
		r := u.Object
		rec = &r
		var etags, sums []string
		used := map[int64]bool{}
		// A part number named twice (a part re-uploaded while the list was
		// built) counts once, if one of its ETags is the stored part's.
		var list []*s3api.CompletedPart
		for i := 0; i < len(want); {
			j := i
			match := want[i]
			for ; j < len(want) && *want[j].PartNumber == *want[i].PartNumber; j++ {
				if p := have[*want[j].PartNumber]; p != nil && want[j].ETag != nil && strings.Trim(*want[j].ETag, `"`) == strings.Trim(p.ETag, `"`) {
					match = want[j]
				}
			}
			list = append(list, match)
			i = j
		}
		for i, w := range list {
			p := have[*w.PartNumber]
			if p == nil || (w.ETag != nil && strings.Trim(*w.ETag, `"`) != strings.Trim(p.ETag, `"`)) {
				return errInvalidPart(id, *w.PartNumber, api.ToString(w.ETag))
			}
			if i < len(list)-1 && p.Size < minPartSize {
				return api.Errorf(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size").
					With("ProposedSize", strconv.FormatInt(p.Size, 10)).With("MinSizeAllowed", strconv.Itoa(minPartSize)).
					With("PartNumber", strconv.FormatInt(p.Num, 10)).With("ETag", p.ETag)
			}
			if r.ChecksumAlgo != "" && r.ChecksumType == "COMPOSITE" {
				// A part listed without its checksum is taken as uploaded.
				if v := checksumField(w, r.ChecksumAlgo); v != "" && v != p.Checksum {
					return errInvalidPart(id, *w.PartNumber, api.ToString(w.ETag))
				}
			}
			used[p.Num] = true
			rec.Segs = append(rec.Segs, p.Segs...)
			rec.Size += p.Size
			rec.Parts = append(rec.Parts, partSum{Size: p.Size, ETag: p.ETag, Checksum: p.Checksum})
			etags = append(etags, p.ETag)
			sums = append(sums, p.Checksum)
		}
		if in.MpuObjectSize != nil && *in.MpuObjectSize != rec.Size {
			return errInvalidRequest(fmt.Sprintf("The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", *in.MpuObjectSize, rec.Size))
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
		rec.ETag = multipartETag(etags)
		rec.Modified = s.nowSec()
		if r.ChecksumAlgo != "" {
			if r.ChecksumType == "COMPOSITE" {
				ok := true
				for _, s := range sums {
					ok = ok && s != ""
				}
				if ok {
					if rec.Checksum, err = compositeChecksum(r.ChecksumAlgo, sums); err != nil {
						return err
					}
				}
			} else {
				// FULL_OBJECT: the client states the whole object's CRC; fogbank
				// keeps it (combining part CRCs is not implemented).
				rec.Checksum = checksumField(in, r.ChecksumAlgo)
			}
			if given := checksumField(in, r.ChecksumAlgo); given != "" && r.ChecksumType == "COMPOSITE" && rec.Checksum != "" &&
				given != rec.Checksum && given != strings.SplitN(rec.Checksum, "-", 2)[0] {
				return api.Errorf(http.StatusBadRequest, "BadDigest", "The %s you specified did not match the calculated checksum.", r.ChecksumAlgo)
			}
			if rec.Checksum == "" {
				rec.ChecksumAlgo, rec.ChecksumType = "", ""
			}
		}
		rec.VersionID = "null"
		if b.Versioning == "Enabled" {
			rec.VersionID = vid
		}
		if err := applyDefaultRetention(tx, b, rec); err != nil {
			return err
		}
		// The object takes over the references of the parts it uses; the rest go.
		if err := refSegs(tx, rec.Segs); err != nil {
			return err
		}
		for n, p := range have {
			if err := unrefSegs(tx, p.Segs); err != nil {
				return err
			}
			if err := pb.Delete(partKey(id, n)); err != nil {
				return err
			}
		}
		done := &uploadRec{ID: id, Initiated: u.Initiated, Done: true, Object: *rec}
		done.Object.Segs = nil // the tombstone holds no bytes
		if err := tx.Bucket(bpath(bucket, "u")...).PutJSON([]byte(id), done); err != nil {
			return err
		}
		if err := obs.put(rec); err != nil {
			return err
		}
		return s.notify(ctx, tx, b, "ObjectCreated:CompleteMultipartUpload", rec)
	})
	if err != nil {
		return nil, s.internal("CompleteMultipartUpload", err)
	}
	s.wake()
	out := &s3api.CompleteMultipartUploadOutput{Bucket: in.Bucket, Key: in.Key, ETag: api.String(rec.ETag),
		Location: api.String(objectURL(caller(ctx).Host, bucket, key))}
	if b.Versioning == "Enabled" {
		out.VersionId = api.String(rec.VersionID)
	}
	if rec.Checksum != "" {
		setChecksum(out, rec.ChecksumAlgo, rec.Checksum)
		out.ChecksumType = api.String(rec.ChecksumType)
	}
	out.ServerSideEncryption = nilIfEmpty(rec.SSE)
	out.SSEKMSKeyId = nilIfEmpty(rec.KMSKeyID)
	return out, nil
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// objectURL is the Location S3 answers for a completed upload.
func objectURL(host, bucket, key string) string {
	if host == "" {
		host = "s3.amazonaws.com"
	}
	return "http://" + host + "/" + bucket + "/" + escapeKey(key)
}

func escapeKey(k string) string {
	parts := strings.Split(k, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// AbortMultipartUpload discards an upload and its parts.
func (s *Service) AbortMultipartUpload(ctx context.Context, in *s3api.AbortMultipartUploadRequest) (*s3api.AbortMultipartUploadOutput, error) {
	bucket, key, id := api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.UploadId)
	err := s.st.Update(func(tx *store.Tx) error {
		u, err := getLiveUpload(tx, caller(ctx), bucket, key, id)
		if err != nil {
			return err
		}
		if in.IfMatchInitiatedTime != nil && !in.IfMatchInitiatedTime.Equal(u.Initiated.Truncate(time.Second)) {
			return errPrecondition("x-amz-if-match-initiated-time")
		}
		pb := tx.Bucket(bpath(bucket, "p")...)
		var keys [][]byte
		if err := pb.ForEachPrefix([]byte(id+"/"), func(k, v []byte) error {
			var p partRec
			if err := jsonUnmarshal(v, &p); err != nil {
				return err
			}
			keys = append(keys, append([]byte(nil), k...))
			return unrefSegs(tx, p.Segs)
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := pb.Delete(k); err != nil {
				return err
			}
		}
		return tx.Bucket(bpath(bucket, "u")...).Delete([]byte(id))
	})
	if err != nil {
		return nil, s.internal("AbortMultipartUpload", err)
	}
	return &s3api.AbortMultipartUploadOutput{}, nil
}

// ListParts lists the parts of an upload in part order.
func (s *Service) ListParts(ctx context.Context, in *s3api.ListPartsRequest) (*s3api.ListPartsOutput, error) {
	bucket, key, id := api.ToString(in.Bucket), api.ToString(in.Key), api.ToString(in.UploadId)
	max := int(api.ToInt64(in.MaxParts))
	if in.MaxParts == nil || max > 1000 {
		max = 1000
	}
	if max < 0 {
		return nil, errInvalidArgument("Argument max-parts must be an integer between 0 and 2147483647", "max-parts", strconv.Itoa(max))
	}
	marker := api.ToInt64(in.PartNumberMarker)
	out := &s3api.ListPartsOutput{Bucket: in.Bucket, Key: in.Key, UploadId: in.UploadId, MaxParts: api.Int64(int64(max)),
		PartNumberMarker: api.Int64(marker), IsTruncated: api.Bool(false)}
	err := s.st.View(func(tx *store.Tx) error {
		u, err := getLiveUpload(tx, caller(ctx), bucket, key, id)
		if err != nil {
			return err
		}
		out.Owner = ownerOf(u.Object.Owner)
		out.Initiator = &s3api.Initiator{ID: out.Owner.ID, DisplayName: out.Owner.DisplayName}
		out.StorageClass = api.String(orStandard(u.Object.StorageClass))
		if u.Object.ChecksumAlgo != "" {
			out.ChecksumAlgorithm = api.String(u.Object.ChecksumAlgo)
			out.ChecksumType = api.String(u.Object.ChecksumType)
		}
		c := tx.Bucket(bpath(bucket, "p")...).Cursor()
		prefix := id + "/"
		for k, v := c.Seek(partKey(id, marker+1)); k != nil && strings.HasPrefix(string(k), prefix); k, v = c.Next() {
			var p partRec
			if err := jsonUnmarshal(v, &p); err != nil {
				return err
			}
			if len(out.Parts) == max {
				out.IsTruncated = api.Bool(true)
				break
			}
			part := &s3api.Part{PartNumber: api.Int64(p.Num), LastModified: timePtr(p.Modified), ETag: api.String(p.ETag), Size: api.Int64(p.Size)}
			setChecksum(part, u.Object.ChecksumAlgo, p.Checksum)
			out.Parts = append(out.Parts, part)
			out.NextPartNumberMarker = api.Int64(p.Num)
		}
		return nil
	})
	if err != nil {
		return nil, s.internal("ListParts", err)
	}
	return out, nil
}

// ListMultipartUploads lists uploads in progress by key, then initiation time.
func (s *Service) ListMultipartUploads(ctx context.Context, in *s3api.ListMultipartUploadsRequest) (*s3api.ListMultipartUploadsOutput, error) {
	bucket := api.ToString(in.Bucket)
	enc, err := encoder(in.EncodingType)
	if err != nil {
		return nil, err
	}
	max := 1000
	if in.MaxUploads != nil && *in.MaxUploads >= 0 && *in.MaxUploads < 1000 {
		max = int(*in.MaxUploads)
	}
	prefix, delim := api.ToString(in.Prefix), api.ToString(in.Delimiter)
	keyMarker, idMarker := api.ToString(in.KeyMarker), api.ToString(in.UploadIdMarker)
	var ups []*uploadRec
	err = s.st.View(func(tx *store.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		if err := authorize(tx, caller(ctx), b, nil, "", "s3:ListBucketMultipartUploads", permRead); err != nil {
			return err
		}
		return tx.Bucket(bpath(bucket, "u")...).ForEach(func(k, v []byte) error {
			var u uploadRec
			if err := jsonUnmarshal(v, &u); err != nil {
				return err
			}
			if strings.HasPrefix(u.Object.Key, prefix) && !u.Done {
				ups = append(ups, &u)
			}
			return nil
		})
	})
	if err != nil {
		return nil, s.internal("ListMultipartUploads", err)
	}
	sort.Slice(ups, func(i, j int) bool {
		if ups[i].Object.Key != ups[j].Object.Key {
			return ups[i].Object.Key < ups[j].Object.Key
		}
		if !ups[i].Initiated.Equal(ups[j].Initiated) {
			return ups[i].Initiated.Before(ups[j].Initiated)
		}
		return ups[i].ID < ups[j].ID
	})
	out := &s3api.ListMultipartUploadsOutput{Bucket: in.Bucket, KeyMarker: api.String(enc(keyMarker)), UploadIdMarker: api.String(idMarker),
		Prefix: api.String(enc(prefix)), MaxUploads: api.Int64(int64(max)), IsTruncated: api.Bool(false), Delimiter: encp(enc, in.Delimiter),
		EncodingType: in.EncodingType}
	seenPrefix := map[string]bool{}
	count := 0
	var lastKey, lastID string
	pastMarker := func(u *uploadRec) bool {
		if keyMarker == "" {
			return true
		}
		if idMarker == "" {
			return u.Object.Key > keyMarker
		}
		if u.Object.Key != keyMarker {
			return u.Object.Key > keyMarker
		}
		return u.ID > idMarker
	}
	for _, u := range ups {
		if !pastMarker(u) {
			continue
		}
		if delim != "" {
			rest := u.Object.Key[len(prefix):]
			if i := strings.Index(rest, delim); i >= 0 {
				cp := prefix + rest[:i+len(delim)]
				if seenPrefix[cp] {
					continue
				}
				if count == max {
					out.IsTruncated = api.Bool(true)
					break
				}
				seenPrefix[cp] = true
				out.CommonPrefixes = append(out.CommonPrefixes, &s3api.CommonPrefix{Prefix: api.String(enc(cp))})
				count++
				lastKey, lastID = cp, ""
				continue
			}
		}
		if count == max {
			out.IsTruncated = api.Bool(true)
			break
		}
		owner := ownerOf(u.Object.Owner)
		mu := &s3api.MultipartUpload{UploadId: api.String(u.ID), Key: api.String(enc(u.Object.Key)), Initiated: timePtr(u.Initiated),
			StorageClass: api.String(orStandard(u.Object.StorageClass)), Owner: owner,
			Initiator: &s3api.Initiator{ID: owner.ID, DisplayName: owner.DisplayName}}
		if u.Object.ChecksumAlgo != "" {
			mu.ChecksumAlgorithm = api.String(u.Object.ChecksumAlgo)
			mu.ChecksumType = api.String(u.Object.ChecksumType)
		}
		out.Uploads = append(out.Uploads, mu)
		count++
		lastKey, lastID = u.Object.Key, u.ID
	}
	if api.ToBool(out.IsTruncated) {
		out.NextKeyMarker = api.String(enc(lastKey))
		out.NextUploadIdMarker = api.String(lastID)
	}
	return out, nil
}
