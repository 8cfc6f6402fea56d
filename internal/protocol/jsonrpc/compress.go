package jsonrpc

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"strconv"
	"strings"
	"sync"
)

// DynamoDB compresses an answer larger than compressThreshold bytes when the
// client accepts gzip or deflate (clients opt in: aws-sdk-go-v2's
// EnableAcceptEncodingGzip, or an Accept-Encoding header of their own). Its
// x-amz-crc32 is then the CRC of the compressed bytes, as the SDKs check it.
// The threshold and the reading of Accept-Encoding below follow what DynamoDB
// does, as scylladb's test/alternator/test_compressed_response.py records it.
const compressThreshold = 4096

// chooseEncoding picks "gzip", "deflate" or "" from an Accept-Encoding value:
//   - Elements are split at commas; a coding is gzip, deflate or "*"
//     (case-insensitive); anything else, identity included, is ignored, and
//     so is a name that is quoted or holds a space ("gzip br").
//   - The quality is the first parameter that contains "q=", its value
//     trimmed: an unparsable value counts as 1, a value above 1 as 1, and
//     zero or less refuses the coding.
//   - "*" stands for whichever of gzip and deflate is not named.
//   - The higher quality wins; on a tie the one named first, and gzip when
//     both come from "*".
func chooseEncoding(accept string) string {
	type pref struct {
		q   float64
		at  int // position of the first naming; -1 when only "*" gives it
		set bool
	}
	var gz, df, star pref
	for i, el := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(el, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		var p *pref
		switch name {
		case "gzip":
			p = &gz
		case "deflate":
			p = &df
		case "*":
			p = &star
		default:
			continue
		}
		q := quality(params)
		if !p.set {
			*p = pref{q: q, at: i, set: true}
		} else if q > p.q {
			p.q = q
		}
	}
	for _, p := range []*pref{&gz, &df} {
		if !p.set && star.set {
			*p = pref{q: star.q, at: -1, set: true}
		}
	}
	if gz.q <= 0 && df.q <= 0 {
		return ""
	}
	switch {
	case gz.q > df.q:
		return "gzip"
	case df.q > gz.q:
		return "deflate"
	case df.at >= 0 && (gz.at < 0 || df.at < gz.at):
		return "deflate"
	}
	return "gzip"
}

// quality reads the q parameter of one Accept-Encoding element (see
// chooseEncoding).
func quality(params string) float64 {
	if params == "" {
		return 1
	}
	for _, p := range strings.Split(params, ";") {
		i := strings.Index(p, "q=")
		if i < 0 {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(p[i+2:]), 64)
		switch {
		case err != nil || q > 1:
			return 1
		case q < 0:
			return 0
		}
		return q
	}
	return 1
}

var (
	gzipWriters = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}
	zlibWriters = sync.Pool{New: func() any { w, _ := zlib.NewWriterLevel(nil, zlib.DefaultCompression); return w }}
)

// compress returns body encoded as encoding ("gzip" or "deflate", the latter
// in the zlib format HTTP's deflate means).
func compress(body []byte, encoding string) []byte {
	var buf bytes.Buffer
	buf.Grow(len(body)/3 + 64)
	switch encoding {
	case "gzip":
		w := gzipWriters.Get().(*gzip.Writer)
		w.Reset(&buf)
		w.Write(body)
		w.Close()
		gzipWriters.Put(w)
	default:
		w := zlibWriters.Get().(*zlib.Writer)
		w.Reset(&buf)
		w.Write(body)
		w.Close()
		zlibWriters.Put(w)
	}
	return buf.Bytes()
}
