package auth

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
)

// Limits of the aws-chunked framing. Lines are short in every client; the limits
// keep a hostile body from making the decoder buffer without bound.
const (
	maxChunkLine    = 4096     // a "size;chunk-signature=..." line
	maxTrailerBytes = 16 << 10 // all trailing header lines together
	maxTrailers     = 64
	minChunkSize    = 8 << 10 // S3: every chunk but the last holds at least 8 KiB
)

// chunkChain is what verifying signed chunks needs: each chunk's signature
// signs the previous one, starting from the request's (seed) signature.
type chunkChain struct {
	key     []byte
	amzDate string
	scope   string
	prev    string // the previous signature, hex
	trailer bool   // a signed trailer follows the final chunk
}

func (c *chunkChain) chunkSignature(dataHash []byte) string {
	return sign(c.key, "AWS4-HMAC-SHA256-PAYLOAD\n"+c.amzDate+"\n"+c.scope+"\n"+c.prev+"\n"+
		emptySHA256+"\n"+hex.EncodeToString(dataHash))
}

func (c *chunkChain) trailerSignature(canonicalTrailer string) string {
	return sign(c.key, "AWS4-HMAC-SHA256-TRAILER\n"+c.amzDate+"\n"+c.scope+"\n"+c.prev+"\n"+
		hexSHA256([]byte(canonicalTrailer)))
}

// chunkedReader decodes an aws-chunked body as it is read:
//
//	<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
//	[<name>:<value>\r\n ...]\r\n
//
// It holds at most one buffered read of the source, never a whole chunk: a
// chunk's bytes are handed out as they arrive and its signature is checked when
// its last byte has been read, so a bad chunk fails the read that follows it and
// in any case before EOF.
type chunkedReader struct {
	src    *bufio.Reader
	closer io.Closer
	style  Style
	chain  *chunkChain // nil: signatures are not checked
	signed bool        // the framing carries chunk signatures (size rules apply)

	trailer  http.Header // filled at EOF; may be nil
	expected int64       // x-amz-decoded-content-length, -1 if unknown

	remaining int64     // bytes left in the current chunk's data
	inChunk   bool      // a data chunk is open (its CRLF and signature are due)
	chunkSig  string    // the open chunk's signature
	chunkSize int64     // the open chunk's size
	lastSize  int64     // size of the previous data chunk, -1 before the first
	chunks    int       // data chunks seen
	hasher    hash.Hash // the open chunk's SHA-256 (only with chain)
	decoded   int64
	err       error // sticky: once set, every Read returns it
}

func newChunkedReader(body io.ReadCloser, st Style, chain *chunkChain, signed bool, trailer http.Header, expected int64) *chunkedReader {
	cr := &chunkedReader{
		src:      bufio.NewReaderSize(body, 32<<10),
		closer:   body,
		style:    st,
		chain:    chain,
		signed:   signed,
		trailer:  trailer,
		expected: expected,
		lastSize: -1,
	}
	if chain != nil {
		cr.hasher = sha256.New()
	}
	return cr
}

func (cr *chunkedReader) Close() error { return cr.closer.Close() }

func (cr *chunkedReader) Read(p []byte) (int, error) {
	if cr.err != nil {
		return 0, cr.err
	}
	for cr.remaining == 0 {
		if err := cr.next(); err != nil {
			cr.err = err
			return 0, err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > cr.remaining {
		p = p[:cr.remaining]
	}
	n, err := cr.src.Read(p)
	cr.remaining -= int64(n)
	cr.decoded += int64(n)
	if cr.hasher != nil {
		cr.hasher.Write(p[:n])
	}
	if cr.expected >= 0 && cr.decoded > cr.expected {
		cr.err = incompleteBody()
		return n, cr.err
	}
	if err == io.EOF {
		err = nil
		if cr.remaining > 0 {
			cr.err = incompleteBody()
			err = cr.err
		}
	} else if err != nil {
		cr.err = err
	}
	return n, err
}

// next closes the open chunk (CRLF, signature) and opens the next one. At the
// final chunk it reads the trailer and returns io.EOF.
func (cr *chunkedReader) next() error {
	if cr.inChunk {
		if err := cr.crlf(); err != nil {
			return err
		}
		if err := cr.checkChunk(); err != nil {
			return err
		}
		cr.inChunk = false
	}
	line, err := cr.line(maxChunkLine)
	if err == errNoLine {
		return incompleteBody()
	}
	if err != nil {
		return err
	}
	sizeText, ext, _ := strings.Cut(line, ";")
	size, perr := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
	if perr != nil || size < 0 {
		return malformedChunk("bad chunk size line")
	}
	sig := ""
	for ext != "" {
		var one string
		one, ext, _ = strings.Cut(ext, ";")
		if k, v, ok := strings.Cut(one, "="); ok && strings.TrimSpace(k) == "chunk-signature" {
			sig = strings.TrimSpace(v)
		}
	}
	if cr.chain != nil && sig == "" {
		return plainMismatch(cr.style)
	}
	if cr.signed && size > 0 && cr.lastSize >= 0 && cr.lastSize < minChunkSize {
		return api.Errorf(http.StatusBadRequest, "InvalidChunkSizeError",
			"Only the last chunk is allowed to have a size less than 8192 bytes").
			With("Chunk", strconv.Itoa(cr.chunks)).
			With("BadChunkSize", strconv.FormatInt(cr.lastSize, 10))
	}
	cr.chunkSig, cr.chunkSize = sig, size
	if size == 0 {
		if err := cr.checkChunk(); err != nil {
			return err
		}
		if err := cr.readTrailer(); err != nil {
			return err
		}
		if cr.expected >= 0 && cr.decoded != cr.expected {
			return incompleteBody()
		}
		return io.EOF
	}
	cr.chunks++
	cr.lastSize = size
	cr.remaining = size
	cr.inChunk = true
	return nil
}

// checkChunk verifies the signature of the chunk that was just read in full.
func (cr *chunkedReader) checkChunk() error {
	if cr.chain == nil {
		return nil
	}
	want := cr.chain.chunkSignature(cr.hasher.Sum(nil))
	cr.hasher.Reset()
	if !sameSignature(want, cr.chunkSig) {
		return plainMismatch(cr.style)
	}
	cr.chain.prev = want
	return nil
}

// readTrailer reads "name:value" lines up to an empty line (or the end of the
// body: some clients omit the last CRLF), checks x-amz-trailer-signature when
// signed, and fills cr.trailer.
func (cr *chunkedReader) readTrailer() error {
	var canon strings.Builder
	var got http.Header
	sig, total, count := "", 0, 0
	for {
		line, err := cr.line(maxChunkLine)
		if err == errNoLine {
			break // body ended without the final CRLF
		}
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		total += len(line)
		count++
		if total > maxTrailerBytes || count > maxTrailers {
			return malformedTrailer()
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" {
			return malformedTrailer()
		}
		value = strings.TrimSpace(value)
		if name == "x-amz-trailer-signature" {
			sig = value
			continue
		}
		canon.WriteString(name + ":" + value + "\n")
		if got == nil {
			got = http.Header{}
		}
		got.Add(name, value)
	}
	if cr.chain != nil && cr.signedTrailer() {
		if sig == "" || !sameSignature(cr.chain.trailerSignature(canon.String()), sig) {
			return plainMismatch(cr.style)
		}
	}
	// Every trailer the request announced in x-amz-trailer must have come.
	for name := range cr.trailer {
		if got.Get(name) == "" {
			return malformedTrailer()
		}
	}
	if cr.trailer != nil {
		for k, v := range got {
			cr.trailer[k] = v
		}
	}
	return nil
}

// signedTrailer tells whether the trailer carries a signature to check: only the
// -TRAILER variant of the signed payload does.
func (cr *chunkedReader) signedTrailer() bool { return cr.chain != nil && cr.chain.trailer }

// errNoLine is line's answer when the body ends before any byte of a line.
var errNoLine = errors.New("auth: no more lines")

// line reads one CRLF-terminated line (a bare LF is accepted) without its end.
func (cr *chunkedReader) line(max int) (string, error) {
	b, err := cr.src.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(b) > max {
		return "", malformedChunk("line too long")
	}
	if err == io.EOF {
		if len(b) == 0 {
			return "", errNoLine
		}
		return "", incompleteBody()
	}
	if err != nil {
		return "", err
	}
	b = bytes.TrimSuffix(b[:len(b)-1], []byte("\r"))
	return string(b), nil
}

// crlf reads the CRLF that ends a chunk's data.
func (cr *chunkedReader) crlf() error {
	l, err := cr.line(2)
	if err == errNoLine {
		return incompleteBody()
	}
	if err != nil {
		return err
	}
	if l != "" {
		return malformedChunk("chunk data longer than its size")
	}
	return nil
}

func incompleteBody() *api.Err {
	return api.Errorf(http.StatusBadRequest, "IncompleteBody",
		"You did not provide the number of bytes specified by the Content-Length HTTP header.")
}

func malformedTrailer() *api.Err {
	return api.Errorf(http.StatusBadRequest, "MalformedTrailerError",
		"The request contained trailing data that was not well-formed or did not conform to our published schema.")
}

func malformedChunk(why string) *api.Err {
	return api.Errorf(http.StatusBadRequest, "InvalidRequest", "Invalid aws-chunked payload: %s.", why)
}

// hashReader passes a body through and, at its end, fails with
// XAmzContentSHA256Mismatch if its SHA-256 is not the one the client declared.
type hashReader struct {
	src   io.ReadCloser
	want  string
	h     hash.Hash
	style Style
	err   error
}

func (hr *hashReader) Read(p []byte) (int, error) {
	if hr.err != nil {
		return 0, hr.err
	}
	n, err := hr.src.Read(p)
	hr.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(hr.h.Sum(nil)); got != hr.want {
			if hr.style == StyleS3 {
				err = api.Errorf(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
					"The provided 'x-amz-content-sha256' header does not match what was computed.").
					With("ClientComputedContentSHA256", hr.want).
					With("S3ComputedContentSHA256", got)
			} else {
				err = plainMismatch(hr.style)
			}
		}
	}
	if err != nil {
		hr.err = err
	}
	return n, err
}

func (hr *hashReader) Close() error { return hr.src.Close() }
