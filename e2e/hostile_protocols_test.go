package e2e

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"testing"
)

// hostileProtocolBodies are large bodies of the protocols whose bodies are
// held in memory (query, rest-json, CBOR, compressed json): each protocol's
// limit is checked before the signature is (413 past it), large bodies take
// turns through the body gate, and what a body may become is bounded.
func hostileProtocolBodies(t *testing.T) []hostileCase {
	const n = 20*mib - 1
	post := func(path string, header ...string) func(t *testing.T, f *fogbank, _ string) *http.Request {
		return func(t *testing.T, f *fogbank, _ string) *http.Request {
			return newReq(t, http.MethodPost, f.URL+path, header...)
		}
	}
	form := []string{"Content-Type", "application/x-www-form-urlencoded"}
	cbor := []string{"Content-Type", "application/cbor", "Smithy-Protocol", "rpc-v2-cbor", "Accept", "application/cbor"}
	cwPath := "/service/GraniteServiceVersion20100801/operation/PutMetricData"

	// 16 MB of one-byte empty CBOR maps in one array (an array head of 2^24 items).
	m := 16 << 20
	emptyMaps := append([]byte{0x9a, byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m & 0xff)}, bytes.Repeat([]byte{0xa0}, m-5)...)
	// A small gzip body that expands to 60 MB of {} in a list.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"TableName":"t","Items":[`))
	zw.Write(bytes.Repeat([]byte(`{},`), 20<<20))
	zw.Write([]byte(`{}]}`))
	zw.Close()

	return []hostileCase{
		{name: "query-too-large", service: "iam",
			body:    fill("Action=ListUsers&Version=2010-05-08&Marker=", "x", "", "", 11<<20),
			request: post("/", form...), status: 413, code: "RequestEntityTooLarge"},
		{name: "query-many-fields", service: "iam",
			body:    fill("Action=ListUsers&Version=2010-05-08", "&a", "", "", 10<<20-1),
			request: post("/", form...), status: 400, code: "MalformedQueryString"},
		{name: "query-long-name", service: "iam",
			body:    fill("Action=ListUsers&Version=2010-05-08&", ".", "", "=1", 10<<20-1),
			request: post("/", form...), status: 400, code: "MalformedQueryString"},
		// An unsigned form post over 1 MiB is not parsed to find its service
		// (AWS's unsigned query calls, STS's web identity and SAML ones, are far
		// smaller): it is S3's, which allows no POST /.
		{name: "query-unsigned-form",
			body:    fill("Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "&a", "", "", 10<<20-1),
			request: post("/", form...), status: 405, code: "MethodNotAllowed"},
		{name: "rest-json-too-large", service: "lambda", body: bytes.Repeat([]byte(" "), 70167212),
			request: post("/2015-03-31/functions", "Content-Type", "application/json"),
			status:  413, code: "RequestEntityTooLargeException"},
		{name: "rest-json-empty-objects", service: "lambda",
			body:    fill(`{"FunctionName":"f","Environment":{"Variables":{"a":"b"}},"Layers":[`, `{}`, ",", `]}`, n),
			request: post("/2015-03-31/functions", "Content-Type", "application/json"),
			status:  400, code: "SerializationException"},
		{name: "cbor-too-large", service: "monitoring", body: bytes.Repeat([]byte{0xa0}, 16<<20+1),
			request: post(cwPath, cbor...), status: 413, code: "RequestEntityTooLarge"},
		{name: "cbor-empty-maps", service: "monitoring", body: emptyMaps,
			request: post(cwPath, cbor...), status: 400, code: "SerializationException"},
		{name: "json-gzip", service: "dynamodb", body: gz.Bytes(),
			request: func(t *testing.T, f *fogbank, _ string) *http.Request {
				req := ddbRequest(t, f, "BatchWriteItem")
				req.Header.Set("Content-Encoding", "gzip")
				return req
			},
			status: 413, code: "RequestEntityTooLarge"},
	}
}

// One hostile body of each protocol takes less than 100 MiB of the real
// binary's memory, ten at once less than 200 MiB, each refused with AWS's
// error.
func TestHostileProtocolBodiesMemory(t *testing.T) {
	cases := hostileProtocolBodies(t)
	if testing.Short() {
		cases = cases[:1]
	}
	runHostile(t, cases)
}
