package s3

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// listing is one page of a listing walk: keys (or versions) and common prefixes,
// in the order S3 returns them.
type listing struct {
	entries   []*objRec
	prefixes  []string
	truncated bool
	lastKey   string // the last key or prefix counted into the page
	lastVID   string // the last version id, for version listings
}

// walkSpec drives a listing: start strictly after `after` (a key, or a key and
// version id), stop after max keys plus common prefixes.
type walkSpec struct {
	prefix, delimiter string
	after             string
	afterVID          string // ListObjectVersions: skip versions of `after` up to and including this one
	max               int
}

// markerPrefix reports the common prefix a marker falls in: everything under it
// was already returned, rolled up into that prefix.
func (w walkSpec) markerPrefix() (string, bool) {
	if w.delimiter == "" || w.after == "" || !strings.HasPrefix(w.after, w.prefix) {
		return "", false
	}
	rest := w.after[len(w.prefix):]
	i := strings.Index(rest, w.delimiter)
	if i < 0 {
		return "", false
	}
	return w.prefix + rest[:i+len(w.delimiter)], true
}

// walkCurrent lists current objects from the "o" table.
func walkCurrent(b *store.Bucket, w walkSpec) (*listing, error) {
	l := &listing{}
	c := b.Cursor()
	start := []byte(w.prefix)
	if w.after != "" && w.after >= w.prefix {
		start = append([]byte(w.after), 0)
	}
	if cp, ok := w.markerPrefix(); ok {
		start = prefixEnd([]byte(cp))
	}
	if w.max == 0 || start == nil {
		return l, nil
	}
	count := 0
	for k, v := c.Seek(start); k != nil; {
		key := string(k)
		if !strings.HasPrefix(key, w.prefix) {
			break
		}
		if w.delimiter != "" {
			rest := key[len(w.prefix):]
			if i := strings.Index(rest, w.delimiter); i >= 0 {
				cp := w.prefix + rest[:i+len(w.delimiter)]
				if count == w.max {
					l.truncated = true
					return l, nil
				}
				l.prefixes = append(l.prefixes, cp)
				l.lastKey = cp
				count++
				// Skip every key under the prefix.
				k, v = c.Seek(prefixEnd([]byte(cp)))
				continue
			}
		}
		if count == w.max {
			l.truncated = true
			return l, nil
		}
		var r objRec
		if err := jsonUnmarshal(v, &r); err != nil {
			return nil, err
		}
		l.entries = append(l.entries, &r)
		l.lastKey = key
		count++
		k, v = c.Next()
	}
	return l, nil
}

// prefixEnd is the first key after every key starting with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil // p is all 0xff: nothing after
}

// walkVersions lists every version and delete marker from the "v" table.
func walkVersions(b *store.Bucket, w walkSpec) (*listing, error) {
	l := &listing{}
	c := b.Cursor()
	start := []byte(w.prefix)
	if w.after != "" && w.after >= w.prefix {
		if w.afterVID == "" {
			start = prefixEnd(append([]byte(w.after), 0))
		} else {
			start = append([]byte(w.after), 0)
		}
	}
	if cp, ok := w.markerPrefix(); ok && w.afterVID == "" {
		start = prefixEnd([]byte(cp))
	}
	if start == nil || w.max == 0 {
		return l, nil
	}
	count := 0
	skipping := w.afterVID != ""
	for k, v := c.Seek(start); k != nil; {
		key := keyOfVersion(k)
		if !strings.HasPrefix(key, w.prefix) {
			if string(k) < w.prefix {
				k, v = c.Next()
				continue
			}
			break
		}
		if skipping {
			if key != w.after {
				skipping = false
			} else {
				var r objRec
				if err := jsonUnmarshal(v, &r); err != nil {
					return nil, err
				}
				if r.VersionID == w.afterVID {
					skipping = false
				}
				k, v = c.Next()
				continue
			}
		}
		if w.delimiter != "" {
			rest := key[len(w.prefix):]
			if i := strings.Index(rest, w.delimiter); i >= 0 {
				cp := w.prefix + rest[:i+len(w.delimiter)]
				if count == w.max {
					l.truncated = true
					return l, nil
				}
				l.prefixes = append(l.prefixes, cp)
				l.lastKey, l.lastVID = cp, ""
				count++
				k, v = c.Seek(prefixEnd([]byte(cp)))
				continue
			}
		}
		if count == w.max {
			l.truncated = true
			return l, nil
		}
		var r objRec
		if err := jsonUnmarshal(v, &r); err != nil {
			return nil, err
		}
		l.entries = append(l.entries, &r)
		l.lastKey, l.lastVID = key, r.VersionID
		count++
		k, v = c.Next()
	}
	return l, nil
}

func maxKeys(p *int64) int {
	if p == nil {
		return 1000
	}
	n := int(*p)
	if n < 0 {
		return 0
	}
	if n > 1000 {
		return 1000
	}
	return n
}

// encoder returns the key encoder for encoding-type (url: as S3 does, spaces as +).
func encoder(t *string) (func(string) string, error) {
	if t == nil || *t == "" {
		return func(s string) string { return s }, nil
	}
	if *t != "url" {
		return nil, errInvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", *t)
	}
	return s3URLEncode, nil
}

// s3URLEncode is S3's encoding-type=url: every byte outside the unreserved set
// and "/" is %-escaped (a space is %20, a plus %2B).
func s3URLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func encp(enc func(string) string, p *string) *string {
	if p == nil || *p == "" {
		return nil
	}
	return api.String(enc(*p))
}

func (s *Service) objectEntry(r *objRec, enc func(string) string, owner bool) *s3api.Object {
	o := &s3api.Object{Key: api.String(enc(r.Key)), LastModified: timePtr(r.Modified), ETag: api.String(r.ETag),
		Size: api.Int64(r.Size), StorageClass: api.String(orStandard(r.StorageClass))}
	if r.ChecksumAlgo != "" {
		o.ChecksumAlgorithm = []string{r.ChecksumAlgo}
		o.ChecksumType = api.String(r.ChecksumType)
	}
	if owner {
		o.Owner = ownerOf(r.Owner)
	}
	return o
}

func orStandard(sc string) string {
	if sc == "" {
		return "STANDARD"
	}
	return sc
}

func (s *Service) list(ctx context.Context, bucket string, expected *string, versions bool, w walkSpec) (*listing, error) {
	ck := condKeys{"s3:prefix": {w.prefix}, "s3:max-keys": {strconv.Itoa(w.max)}}
	if w.delimiter != "" {
		ck["s3:delimiter"] = []string{w.delimiter}
	}
	var l *listing
	err := s.st.View(func(tx *store.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		action := "s3:ListBucket"
		if versions {
			action = "s3:ListBucketVersions"
		}
		if err := authorize(tx, caller(ctx), b, nil, "", action, permRead, ck); err != nil {
			return err
		}
		if err := checkOwner(b, expected); err != nil {
			return err
		}
		obs, err := openObjects(tx, bucket)
		if err != nil {
			return err
		}
		if versions {
			l, err = walkVersions(obs.v, w)
		} else {
			l, err = walkCurrent(obs.o, w)
		}
		return err
	})
	return l, err
}

// ListObjects is the original listing, with markers.
func (s *Service) ListObjects(ctx context.Context, in *s3api.ListObjectsRequest) (*s3api.ListObjectsOutput, error) {
	enc, err := encoder(in.EncodingType)
	if err != nil {
		return nil, err
	}
	w := walkSpec{prefix: api.ToString(in.Prefix), delimiter: api.ToString(in.Delimiter), after: api.ToString(in.Marker), max: maxKeys(in.MaxKeys)}
	l, err := s.list(ctx, api.ToString(in.Bucket), in.ExpectedBucketOwner, false, w)
	if err != nil {
		return nil, s.internal("ListObjects", err)
	}
	// The top-level Prefix comes back as sent: clients (botocore) decode only
	// the keys, prefixes, delimiter and markers of a v1 listing.
	out := &s3api.ListObjectsOutput{Name: in.Bucket, Prefix: api.String(w.prefix), Marker: api.String(enc(w.after)),
		MaxKeys: api.Int64(int64(w.max)), IsTruncated: api.Bool(l.truncated), Delimiter: encp(enc, in.Delimiter), EncodingType: in.EncodingType}
	for _, r := range l.entries {
		out.Contents = append(out.Contents, s.objectEntry(r, enc, true))
	}
	for _, p := range l.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, &s3api.CommonPrefix{Prefix: api.String(enc(p))})
	}
	if l.truncated && w.delimiter != "" {
		// Without a delimiter, clients use the last key as the next marker.
		out.NextMarker = api.String(enc(l.lastKey))
	}
	return out, nil
}

// ListObjectsV2 lists with continuation tokens (opaque: the last key, encoded).
func (s *Service) ListObjectsV2(ctx context.Context, in *s3api.ListObjectsV2Request) (*s3api.ListObjectsV2Output, error) {
	enc, err := encoder(in.EncodingType)
	if err != nil {
		return nil, err
	}
	w := walkSpec{prefix: api.ToString(in.Prefix), delimiter: api.ToString(in.Delimiter), after: api.ToString(in.StartAfter), max: maxKeys(in.MaxKeys)}
	if in.ContinuationToken != nil && *in.ContinuationToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*in.ContinuationToken)
		if err != nil {
			return nil, errInvalidArgument("The continuation token provided is incorrect", "continuation-token", *in.ContinuationToken)
		}
		w.after = string(raw)
	}
	l, err := s.list(ctx, api.ToString(in.Bucket), in.ExpectedBucketOwner, false, w)
	if err != nil {
		return nil, s.internal("ListObjectsV2", err)
	}
	out := &s3api.ListObjectsV2Output{Name: in.Bucket, Prefix: api.String(enc(w.prefix)), MaxKeys: api.Int64(int64(w.max)),
		IsTruncated: api.Bool(l.truncated), Delimiter: encp(enc, in.Delimiter), EncodingType: in.EncodingType,
		ContinuationToken: in.ContinuationToken, StartAfter: encp(enc, in.StartAfter),
		KeyCount: api.Int64(int64(len(l.entries) + len(l.prefixes)))}
	for _, r := range l.entries {
		out.Contents = append(out.Contents, s.objectEntry(r, enc, api.ToBool(in.FetchOwner)))
	}
	for _, p := range l.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, &s3api.CommonPrefix{Prefix: api.String(enc(p))})
	}
	if l.truncated {
		out.NextContinuationToken = api.String(base64.RawURLEncoding.EncodeToString([]byte(l.lastKey)))
	}
	return out, nil
}

// ListObjectVersions lists every version and delete marker, newest first per key.
func (s *Service) ListObjectVersions(ctx context.Context, in *s3api.ListObjectVersionsRequest) (*s3api.ListObjectVersionsOutput, error) {
	enc, err := encoder(in.EncodingType)
	if err != nil {
		return nil, err
	}
	w := walkSpec{prefix: api.ToString(in.Prefix), delimiter: api.ToString(in.Delimiter), after: api.ToString(in.KeyMarker),
		afterVID: api.ToString(in.VersionIdMarker), max: maxKeys(in.MaxKeys)}
	if w.afterVID != "" && w.after == "" {
		return nil, errInvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", w.afterVID)
	}
	var b *bucketRec
	var latest map[string]string // key → newest version id
	l, err := s.list(ctx, api.ToString(in.Bucket), in.ExpectedBucketOwner, true, w)
	if err == nil {
		err = s.st.View(func(tx *store.Tx) error {
			var err error
			b, err = getBucket(tx, api.ToString(in.Bucket))
			if err != nil {
				return err
			}
			obs, err := openObjects(tx, b.Name)
			if err != nil {
				return err
			}
			latest = map[string]string{}
			for _, r := range l.entries {
				if _, ok := latest[r.Key]; ok {
					continue
				}
				n, err := obs.latest(r.Key)
				if err != nil {
					return err
				}
				if n != nil {
					latest[r.Key] = n.VersionID
				}
			}
			return nil
		})
	}
	if err != nil {
		return nil, s.internal("ListObjectVersions", err)
	}
	out := &s3api.ListObjectVersionsOutput{Name: in.Bucket, Prefix: api.String(enc(w.prefix)), KeyMarker: api.String(enc(w.after)),
		VersionIdMarker: api.String(w.afterVID), MaxKeys: api.Int64(int64(w.max)), IsTruncated: api.Bool(l.truncated),
		Delimiter: encp(enc, in.Delimiter), EncodingType: in.EncodingType}
	for _, r := range l.entries {
		isLatest := latest[r.Key] == r.VersionID
		if r.DeleteMarker {
			out.DeleteMarkers = append(out.DeleteMarkers, &s3api.DeleteMarkerEntry{Key: api.String(enc(r.Key)),
				VersionId: api.String(r.VersionID), IsLatest: api.Bool(isLatest), LastModified: timePtr(r.Modified), Owner: ownerOf(r.Owner)})
			continue
		}
		v := &s3api.ObjectVersion{Key: api.String(enc(r.Key)), VersionId: api.String(r.VersionID), IsLatest: api.Bool(isLatest),
			LastModified: timePtr(r.Modified), ETag: api.String(r.ETag), Size: api.Int64(r.Size),
			StorageClass: api.String(orStandard(r.StorageClass)), Owner: ownerOf(r.Owner)}
		if r.ChecksumAlgo != "" {
			v.ChecksumAlgorithm = []string{r.ChecksumAlgo}
			v.ChecksumType = api.String(r.ChecksumType)
		}
		out.Versions = append(out.Versions, v)
	}
	for _, p := range l.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, &s3api.CommonPrefix{Prefix: api.String(enc(p))})
	}
	if l.truncated {
		out.NextKeyMarker = api.String(enc(l.lastKey))
		if l.lastVID != "" {
			out.NextVersionIdMarker = api.String(l.lastVID)
		}
	}
	return out, nil
}
