package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The worked example of the S3 documentation, "Signature Calculations for the
// Authorization Header: Transferring Payload in Multiple Chunks": 66560 bytes of
// 'a' sent as a chunk of 65536, one of 1024 and the final empty one.
const (
	exampleAKID    = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	exampleSeed    = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	exampleChunk1  = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	exampleChunk2  = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	exampleFinal   = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
	exampleTrailer = "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c" // aws-c-auth's trailer vector
)

var exampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func exampleBody(corruptChunk2 bool) []byte {
	var b bytes.Buffer
	for _, c := range []struct {
		size int
		sig  string
	}{{65536, exampleChunk1}, {1024, exampleChunk2}, {0, exampleFinal}} {
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", c.size, c.sig)
		data := bytes.Repeat([]byte("a"), c.size)
		if corruptChunk2 && c.size == 1024 {
			data[10] = 'b'
		}
		b.Write(data)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func exampleRequest(body []byte) *http.Request {
	r := httptest.NewRequest("PUT", "/examplebucket/chunkObject.txt", bytes.NewReader(body))
	r.Host = "s3.amazonaws.com"
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+exampleAKID+"/20130524/us-east-1/s3/aws4_request,"+
		"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"+
		"Signature="+exampleSeed)
	r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.Header.Set("Content-Length", "66824")
	return r
}

func exampleVerifier() *Verifier {
	return &Verifier{
		Keys: StaticKeys{exampleAKID: exampleSecret},
		Now:  func() time.Time { return exampleTime },
	}
}

func TestChunkedDocsExample(t *testing.T) {
	body := exampleBody(false)
	if got, want := len(body), 66824; got != want {
		t.Fatalf("example body is %d bytes, want %d", got, want)
	}
	for _, bufSize := range []int{1, 7, 4096, 70000} {
		r := exampleRequest(body)
		res, err := exampleVerifier().Verify(r)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if !res.Verified || res.Principal.AccessKeyID != exampleAKID {
			t.Errorf("Result = %+v, want verified %s", res, exampleAKID)
		}
		got, err := readWith(r.Body, bufSize)
		if err != nil {
			t.Fatalf("buffer %d: reading: %v", bufSize, err)
		}
		if !bytes.Equal(got, bytes.Repeat([]byte("a"), 66560)) {
			t.Errorf("buffer %d: decoded %d bytes, want 66560 of 'a'", bufSize, len(got))
		}
		if r.ContentLength != 66560 || r.Header.Get("Content-Length") != "66560" {
			t.Errorf("ContentLength = %d / %q, want 66560", r.ContentLength, r.Header.Get("Content-Length"))
		}
		if ce, ok := r.Header["Content-Encoding"]; ok {
			t.Errorf("Content-Encoding = %q, want it removed", ce)
		}
	}
}

// readWith reads everything with reads of n bytes.
func readWith(r io.Reader, n int) ([]byte, error) {
	var out []byte
	buf := make([]byte, n)
	for {
		k, err := r.Read(buf)
		out = append(out, buf[:k]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestChunkedDocsExampleTampered(t *testing.T) {
	r := exampleRequest(exampleBody(true))
	if _, err := exampleVerifier().Verify(r); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	got, err := io.ReadAll(r.Body)
	if code, status := errCode(err); code != "SignatureDoesNotMatch" || status != 403 {
		t.Fatalf("reading: error %q %d (%v), want SignatureDoesNotMatch 403", code, status, err)
	}
	// The first chunk was good and may be handed out; the bad one fails at its end.
	if len(got) > 66560 {
		t.Errorf("read %d bytes before the error, want at most 66560", len(got))
	}

	// A wrong seed (the request's own signature) fails Verify itself.
	r = exampleRequest(exampleBody(false))
	r.Header.Set("X-Amz-Storage-Class", "STANDARD")
	if _, err := exampleVerifier().Verify(r); !isCode(err, "SignatureDoesNotMatch") {
		t.Errorf("changed header: Verify error = %v, want SignatureDoesNotMatch", err)
	}
}

func isCode(err error, code string) bool {
	c, _ := errCode(err)
	return c == code
}

func TestChunkedTrailerVector(t *testing.T) {
	// aws-c-auth signs trailing headers first:1st, second:2nd, third:3rd after the
	// docs example's final chunk.
	var b bytes.Buffer
	b.Write(exampleBody(false))
	b.Truncate(b.Len() - 2) // the final chunk's CRLF becomes the trailer's start
	b.WriteString("first:1st\r\nsecond:2nd\r\nthird:3rd\r\nx-amz-trailer-signature:" + exampleTrailer + "\r\n\r\n")
	for _, sig := range []string{exampleTrailer, strings.Repeat("0", 64)} {
		body := bytes.Replace(b.Bytes(), []byte(exampleTrailer), []byte(sig), 1)
		chain := &chunkChain{
			key:     signingKey(exampleSecret, "20130524", "us-east-1", "s3"),
			amzDate: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request",
			prev: exampleSeed, trailer: true,
		}
		trailer := http.Header{"First": nil, "Second": nil, "Third": nil}
		cr := newChunkedReader(io.NopCloser(bytes.NewReader(body)), StyleS3, chain, true, trailer, 66560)
		got, err := io.ReadAll(cr)
		if sig != exampleTrailer {
			if !isCode(err, "SignatureDoesNotMatch") {
				t.Errorf("bad trailer signature: error = %v, want SignatureDoesNotMatch", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		if len(got) != 66560 {
			t.Errorf("decoded %d bytes, want 66560", len(got))
		}
		if trailer.Get("First") != "1st" || trailer.Get("Second") != "2nd" || trailer.Get("Third") != "3rd" {
			t.Errorf("trailer = %v", trailer)
		}
	}
}

// crc32Trailer is the base64 big-endian CRC32 of data, as x-amz-checksum-crc32.
func crc32Trailer(data []byte) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE(data))
	return base64.StdEncoding.EncodeToString(b[:])
}

// unsignedChunks frames data as the SDKs do for STREAMING-UNSIGNED-PAYLOAD-TRAILER.
func unsignedChunks(data []byte, size int, trailer string) []byte {
	var b bytes.Buffer
	for len(data) > 0 {
		n := min(size, len(data))
		fmt.Fprintf(&b, "%x\r\n", n)
		b.Write(data[:n])
		b.WriteString("\r\n")
		data = data[n:]
	}
	b.WriteString("0\r\n")
	if trailer != "" {
		b.WriteString(trailer + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func TestChunkedUnsignedTrailerThroughServer(t *testing.T) {
	v := &Verifier{Now: func() time.Time { return testNow }}
	data := bytes.Repeat([]byte("0123456789"), 10000)
	sum := crc32Trailer(data)
	body := unsignedChunks(data, 65536, "x-amz-checksum-crc32:"+sum)
	r := request("PUT", "/bucket/obj", body)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	o := sendSigned(t, v, r, testCreds, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "s3", testNow, nil, s3Opts)
	if o.err != nil || o.readErr != nil {
		t.Fatalf("Verify: %v; read: %v", o.err, o.readErr)
	}
	if !bytes.Equal(o.body, data) {
		t.Errorf("decoded %d bytes, want %d", len(o.body), len(data))
	}
	if got := o.trailer.Get("X-Amz-Checksum-Crc32"); got != sum {
		t.Errorf("trailer x-amz-checksum-crc32 = %q, want %q", got, sum)
	}
	if o.length != int64(len(data)) {
		t.Errorf("ContentLength = %d, want %d", o.length, len(data))
	}
	if got := o.header.Get("Content-Encoding"); got != "" {
		t.Errorf("Content-Encoding = %q, want none", got)
	}
}

// signedChunks frames and signs data as STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER].
func signedChunks(chain chunkChain, data []byte, size int, trailer string) []byte {
	var b bytes.Buffer
	for {
		n := min(size, len(data))
		sig := chain.chunkSignature(sha256Of(data[:n]))
		chain.prev = sig
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", n, sig)
		b.Write(data[:n])
		if n == 0 {
			break
		}
		b.WriteString("\r\n")
		data = data[n:]
	}
	if trailer != "" {
		b.WriteString(trailer + "\r\nx-amz-trailer-signature:" + chain.trailerSignature(trailer+"\n") + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func sha256Of(b []byte) []byte {
	h, _ := hexToBytes(hashHex(b))
	return h
}

func hexToBytes(s string) ([]byte, error) {
	out := make([]byte, len(s)/2)
	_, err := fmt.Sscanf(s, "%x", &out)
	return out, err
}

// TestChunkedSignedSeedFromRequest signs the request line with the SDK, then
// chains chunk signatures from the signature the server received.
func TestChunkedSignedSeedFromRequest(t *testing.T) {
	data := bytes.Repeat([]byte("xyz"), 30000)
	for _, withTrailer := range []bool{false, true} {
		v := &Verifier{Now: func() time.Time { return testNow }}
		payload := "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
		trailer := ""
		if withTrailer {
			payload += "-TRAILER"
			trailer = "x-amz-checksum-crc32:" + crc32Trailer(data)
		}
		var body []byte
		r := request("PUT", "/bucket/signed", nil)
		r.Header.Set("Content-Encoding", "aws-chunked")
		r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
		if withTrailer {
			r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		}
		// The body needs the seed, which needs the headers: sign once to learn the
		// seed, then attach the body (Content-Length is not signed here).
		o := sendSigned(t, v, r, testCreds, payload, "s3", testNow, func(r *http.Request) {
			seed := r.Header.Get("Authorization")
			seed = seed[strings.LastIndex(seed, "=")+1:]
			chain := chunkChain{key: signingKey("test", "20260101", "us-east-1", "s3"), amzDate: "20260101T120000Z",
				scope: "20260101/us-east-1/s3/aws4_request", prev: seed}
			body = signedChunks(chain, data, 16384, trailer)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}, s3Opts)
		if o.err != nil || o.readErr != nil {
			t.Fatalf("trailer %v: Verify: %v; read: %v", withTrailer, o.err, o.readErr)
		}
		if !bytes.Equal(o.body, data) {
			t.Errorf("trailer %v: decoded %d bytes, want %d", withTrailer, len(o.body), len(data))
		}
		if withTrailer && o.trailer.Get("X-Amz-Checksum-Crc32") != crc32Trailer(data) {
			t.Errorf("trailer = %v", o.trailer)
		}
	}
}

func TestChunkedErrors(t *testing.T) {
	data := bytes.Repeat([]byte("q"), 20000)
	tests := []struct {
		name     string
		body     string
		signed   bool
		expected int64
		trailer  http.Header
		want     string
	}{
		{name: "truncated data", body: "10\r\nabc", want: "IncompleteBody"},
		{name: "no final chunk", body: "3\r\nabc\r\n", want: "IncompleteBody"},
		{name: "bad size", body: "zz\r\nabc\r\n0\r\n\r\n", want: "InvalidRequest"},
		{name: "data longer than size", body: "2\r\nabc\r\n0\r\n\r\n", want: "InvalidRequest"},
		{name: "decoded length short", body: "3\r\nabc\r\n0\r\n\r\n", expected: 4, want: "IncompleteBody"},
		{name: "decoded length long", body: "3\r\nabc\r\n0\r\n\r\n", expected: 2, want: "IncompleteBody"},
		{name: "missing announced trailer", body: "3\r\nabc\r\n0\r\n\r\n", expected: 3,
			trailer: http.Header{"X-Amz-Checksum-Crc32": nil}, want: "MalformedTrailerError"},
		{name: "trailer without colon", body: "3\r\nabc\r\n0\r\nnonsense\r\n\r\n", expected: 3, want: "MalformedTrailerError"},
		{name: "long line", body: strings.Repeat("0", 5000) + "\r\n", want: "InvalidRequest"},
		{name: "small chunk before another", signed: true, expected: 20001,
			body: "1;chunk-signature=x\r\nq\r\n" + fmt.Sprintf("%x;chunk-signature=x\r\n%s\r\n0;chunk-signature=x\r\n\r\n", len(data), data),
			want: "InvalidChunkSizeError"},
		{name: "fine", body: "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", expected: 3,
			trailer: http.Header{"X-Amz-Checksum-Crc32": nil}},
		{name: "fine without the last CRLF", body: "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n", expected: 3},
		{name: "fine signed framing, small last chunk", signed: true, expected: 20001,
			body: fmt.Sprintf("%x;chunk-signature=x\r\n%s\r\n1;chunk-signature=x\r\nq\r\n0;chunk-signature=x\r\n\r\n", len(data), data)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exp := tc.expected
			if exp == 0 {
				exp = -1
			}
			cr := newChunkedReader(io.NopCloser(strings.NewReader(tc.body)), StyleS3, nil, tc.signed, tc.trailer, exp)
			_, err := io.ReadAll(cr)
			if code, _ := errCode(err); code != tc.want {
				t.Errorf("error = %q (%v), want %q", code, err, tc.want)
			}
			// The error sticks.
			if _, again := cr.Read(make([]byte, 1)); tc.want != "" && !errors.Is(again, err) {
				t.Errorf("second Read error = %v, want %v", again, err)
			}
		})
	}
}

func FuzzChunkedReader(f *testing.F) {
	f.Add([]byte("3\r\nabc\r\n0\r\n\r\n"), false)
	f.Add([]byte("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"), false)
	f.Add([]byte("3;chunk-signature=00\r\nabc\r\n0;chunk-signature=00\r\n\r\n"), true)
	f.Add(exampleBody(false)[:300], true)
	f.Add([]byte("ffffffffffffffff\r\n"), false)
	f.Add([]byte("0\r\na:b\r\nc: d \r\n"), false)
	f.Fuzz(func(t *testing.T, body []byte, signed bool) {
		trailer := http.Header{}
		cr := newChunkedReader(io.NopCloser(bytes.NewReader(body)), StyleS3, nil, signed, trailer, -1)
		got, err := readWith(cr, 3)
		if len(got) > len(body) {
			t.Fatalf("decoded %d bytes from %d", len(got), len(body))
		}
		if err == nil {
			// A body that decodes re-encodes to something that decodes the same.
			again := unsignedChunks(got, 1000, "")
			cr2 := newChunkedReader(io.NopCloser(bytes.NewReader(again)), StyleS3, nil, false, nil, int64(len(got)))
			got2, err2 := io.ReadAll(cr2)
			if err2 != nil || !bytes.Equal(got, got2) {
				t.Fatalf("re-encoded body: %v, equal %v", err2, bytes.Equal(got, got2))
			}
		} else if _, ok := err.(interface{ ErrorCode() string }); !ok {
			t.Fatalf("error %v is not an AWS error", err)
		}
	})
}
