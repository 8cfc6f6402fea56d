package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Model is the part of a botocore service-2.json (or an aws-sdk-go api-2.json, or one
// suite of AWS's protocol tests) that the generator reads.
type Model struct {
	Metadata   Metadata              `json:"metadata"`
	Operations map[string]*Operation `json:"operations"`
	Shapes     map[string]*Shape     `json:"shapes"`
}

// Metadata is the model's service description.
type Metadata struct {
	APIVersion         string          `json:"apiVersion"`
	EndpointPrefix     string          `json:"endpointPrefix"`
	SigningName        string          `json:"signingName"`
	ServiceID          string          `json:"serviceId"`
	Protocol           string          `json:"protocol"`
	Protocols          []string        `json:"protocols"`
	JSONVersion        string          `json:"jsonVersion"`
	TargetPrefix       string          `json:"targetPrefix"`
	XMLNamespace       XMLNS           `json:"xmlNamespace"`
	AWSQueryCompatible json.RawMessage `json:"awsQueryCompatible"`
}

// Operation is one operation of the model.
type Operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input                *Ref     `json:"input"`
	Output               *Ref     `json:"output"`
	Errors               []*Ref   `json:"errors"`
	AuthType             string   `json:"authtype"`
	Auth                 []string `json:"auth"`
	HTTPChecksumRequired bool     `json:"httpChecksumRequired"`
	Documentation        string   `json:"documentation"`
	HTTPChecksum         *struct {
		RequestChecksumRequired bool `json:"requestChecksumRequired"`
	} `json:"httpChecksum"`
}

// Ref is a reference to a shape: a member, a list member, a map key or value, an
// operation's input or output.
type Ref struct {
	Shape            string `json:"shape"`
	Location         string `json:"location"`
	LocationName     string `json:"locationName"`
	QueryName        string `json:"queryName"`
	Flattened        bool   `json:"flattened"`
	XMLAttribute     bool   `json:"xmlAttribute"`
	XMLNamespace     XMLNS  `json:"xmlNamespace"`
	Streaming        bool   `json:"streaming"`
	TimestampFormat  string `json:"timestampFormat"`
	HostLabel        bool   `json:"hostLabel"`
	IdempotencyToken bool   `json:"idempotencyToken"`
	JSONValue        bool   `json:"jsonvalue"`
	Payload          string `json:"payload"` // only in protocol test vectors: the input's payload member
	ResultWrapper    string `json:"resultWrapper"`
	Documentation    string `json:"documentation"`

	// XMLName is the member's name in query and XML bodies where it differs from
	// the json one; only an overlay (see overlay.go) sets it.
	XMLName string `json:"-"`
}

// Shape is one shape of the model.
type Shape struct {
	Type            string      `json:"type"`
	Members         Members     `json:"members"`
	Required        []string    `json:"required"`
	Payload         string      `json:"payload"`
	Member          *Ref        `json:"member"`
	Key             *Ref        `json:"key"`
	Value           *Ref        `json:"value"`
	Enum            []string    `json:"enum"`
	Min             json.Number `json:"min"`
	Max             json.Number `json:"max"`
	Exception       bool        `json:"exception"`
	Fault           bool        `json:"fault"`
	Error           *ErrorTrait `json:"error"`
	Flattened       bool        `json:"flattened"`
	Location        string      `json:"location"` // protocol tests put it here
	LocationName    string      `json:"locationName"`
	XMLNamespace    XMLNS       `json:"xmlNamespace"`
	Streaming       bool        `json:"streaming"`
	TimestampFormat string      `json:"timestampFormat"`
	Union           bool        `json:"union"`
	EventStream     bool        `json:"eventstream"`
	Document        bool        `json:"document"`
	JSONValue       bool        `json:"jsonvalue"`
	ResultWrapper   string      `json:"resultWrapper"` // protocol tests put it here too
	Documentation   string      `json:"documentation"`
}

// ErrorTrait is a shape's "error" object.
type ErrorTrait struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	SenderFault    bool   `json:"senderFault"`
}

// XMLNS is an xmlNamespace: an object {prefix, uri} on shapes and members, a plain
// URI string in metadata.
type XMLNS struct {
	Prefix string `json:"prefix"`
	URI    string `json:"uri"`
}

func (x *XMLNS) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &x.URI)
	}
	type plain XMLNS
	return json.Unmarshal(b, (*plain)(x))
}

// Members keeps a structure's members in the model's order, which is the order of
// the generated fields and so of XML elements the codecs write.
type Members struct {
	Names []string
	Refs  map[string]*Ref
}

func (m *Members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("members: want an object, got %v", t)
	}
	m.Refs = map[string]*Ref{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name := t.(string)
		r := new(Ref)
		if err := dec.Decode(r); err != nil {
			return fmt.Errorf("member %s: %w", name, err)
		}
		m.Names = append(m.Names, name)
		m.Refs[name] = r
	}
	_, err = dec.Token()
	return err
}
