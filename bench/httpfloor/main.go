// Command httpfloor is the floor for any S3 or DynamoDB server written on
// net/http: it answers loadgen's requests (S3 PutObject/GetObject, DynamoDB
// PutItem/GetItem and their set-up calls) with canned responses of the right
// shape and size, after reading each request body, and does nothing else: no
// signature check, no parsing, no storage. The bench scripts run it beside
// fogbank and its peers, so that each figure can be read against what net/http
// and the kernel alone cost on the same machine in the same run.
//
//	go run ./bench/httpfloor 127.0.0.1:PORT
package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: httpfloor ADDR")
	}
	object := bytes.Repeat([]byte("x"), 4096) // what loadgen puts and reads back
	length := strconv.Itoa(len(object))
	item := []byte(`{"Item":{"pk":{"S":"get-1"},"name":{"S":"some-small-string-value-0123456789"},"n":{"N":"42"}}}`)
	log.Fatal(http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("x-amz-request-id", "0123456789ABCDEF")
		if target := r.Header.Get("X-Amz-Target"); target != "" {
			h.Set("Content-Type", "application/x-amz-json-1.0")
			switch target {
			case "DynamoDB_20120810.DescribeTable":
				w.Write([]byte(`{"Table":{"TableName":"loadtbl","TableStatus":"ACTIVE"}}`))
			case "DynamoDB_20120810.GetItem":
				w.Write(item)
			default:
				w.Write([]byte(`{}`))
			}
			return
		}
		h.Set("ETag", `"2d8d1d1d4e6c1a3a7d8e0f7e0a6b5c4d"`)
		if r.Method == http.MethodGet && r.URL.Path != "/" {
			h.Set("Content-Length", length)
			h.Set("Last-Modified", "Thu, 26 Nov 2026 08:00:00 GMT")
			w.Write(object)
		}
	})))
}
