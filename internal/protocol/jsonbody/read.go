package jsonbody

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
)

// ReadBody reads r's body, at most max bytes after decompression. Bodies sent
// with Content-Encoding: gzip (the requestCompression trait: CloudWatch's
// PutMetricData is compressed by current SDKs) are inflated. A longer body is a
// 413 RequestEntityTooLarge; an unreadable one a SerializationException.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var src io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		if r.ContentLength > max {
			return nil, TooLarge(max)
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, SerializationError("Failed to decompress the gzip request body")
		}
		defer zr.Close()
		src = zr
	default:
		return nil, &api.Err{Code: "UnsupportedMediaTypeException", Status: http.StatusUnsupportedMediaType,
			Message: "Unsupported Content-Encoding: " + enc}
	}
	if bb, ok := src.(*Body); ok {
		// In memory already: no copy (and the codec may find it parsed).
		if body := bb.ReadAll(); int64(len(body)) <= max {
			return body, nil
		}
		return nil, TooLarge(max)
	}
	body, err := io.ReadAll(io.LimitReader(src, max+1))
	if err != nil {
		return nil, SerializationError("Failed to read the request body")
	}
	if int64(len(body)) > max {
		return nil, TooLarge(max)
	}
	return body, nil
}

// TooLarge is the answer for a body beyond a service's limit.
func TooLarge(max int64) *api.Err {
	return &api.Err{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
		Message: "Request size exceeded " + strconv.FormatInt(max, 10) + " bytes"}
}
