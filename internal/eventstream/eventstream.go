// Package eventstream encodes AWS's event stream messages
// (application/vnd.amazon.eventstream), what streaming operations answer
// (Lambda's InvokeWithResponseStream; S3 Select, Kinesis SubscribeToShard and
// CloudWatch Logs' StartLiveTail use the same framing). A message is: its
// total length and its headers' length (4 bytes each, big-endian), the CRC32
// of those 8 bytes, the headers, the payload, and the CRC32 of all before it.
// Only string headers are written: what services send.
package eventstream

import (
	"encoding/binary"
	"hash/crc32"
)

// Header is one string header of a message.
type Header struct{ Name, Value string }

// headerString is the header value type of a string (7).
const headerString = 7

// AppendMessage appends one encoded message to dst.
func AppendMessage(dst []byte, headers []Header, payload []byte) []byte {
	hlen := 0
	for _, h := range headers {
		hlen += 1 + len(h.Name) + 1 + 2 + len(h.Value)
	}
	total := 12 + hlen + len(payload) + 4
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(hlen))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:start+8]))
	for _, h := range headers {
		dst = append(dst, byte(len(h.Name)))
		dst = append(dst, h.Name...)
		dst = append(dst, headerString)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(h.Value)))
		dst = append(dst, h.Value...)
	}
	dst = append(dst, payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
}

// Event appends an event message: :message-type event, :event-type
// eventType, :content-type contentType.
func Event(dst []byte, eventType, contentType string, payload []byte) []byte {
	return AppendMessage(dst, []Header{{":event-type", eventType}, {":content-type", contentType}, {":message-type", "event"}}, payload)
}
