package xmlbody

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzDecodeXML parses arbitrary bodies and decodes them into a nested plan,
// then encodes what was decoded: never a panic.
func FuzzDecodeXML(f *testing.F) {
	f.Add(`<R a="1"><S>x</S><L><member>1</member></L><F>2</F><F>3</F><M><entry><key>k</key><value>v</value></entry></M><N><S>y</S></N></R>`)
	f.Add(`<R><T>2015-01-25T08:00:00Z</T><B>aGk=</B><Bool>true</Bool></R>`)
	f.Add(`<?xml version="1.0"?><R xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="x"></R>`)
	f.Add(`<R><N><N><N><S>deep</S></N></N></N></R>`)
	f.Fuzz(func(t *testing.T, body string) {
		n, err := Parse(strings.NewReader(body))
		if err != nil {
			return
		}
		var v testStruct
		if err := Decode(n, &v, Options{}); err != nil {
			return
		}
		var b bytes.Buffer
		Encode(&b, "R", "ns", &v, Options{Millis: true})
	})
}
