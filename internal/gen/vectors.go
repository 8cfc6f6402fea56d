package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"strings"
)

// vectorFiles are the protocol test files the vectors package covers, with the Go
// name prefix that keeps their suites' types apart.
var vectorFiles = []struct{ protocol, prefix string }{
	{"json", "JSON"},
	{"query", "Query"},
	{"rest-json", "RestJSON"},
	{"rest-xml", "RestXML"},
}

// suite is one entry of an AWS protocol test file.
type suite struct {
	Description string            `json:"description"`
	Metadata    Metadata          `json:"metadata"`
	Shapes      map[string]*Shape `json:"shapes"`
	Cases       []struct {
		Given *Operation `json:"given"`
	} `json:"cases"`
}

// writeVectors writes types.go and cases.go of the vectors package into dir from the
// protocol test JSON under src/{input,output}.
func writeVectors(src, dir string) error {
	var types, cases bytes.Buffer
	types.WriteString(header + "package vectors\n\n")
	cases.WriteString(header + "package vectors\n\nimport \"github.com/fogbank/fogbank/internal/api\"\n\n")
	cases.WriteString("// Cases lists every case of the protocol test files, in file order.\nvar Cases = []Case{\n")
	var body bytes.Buffer
	for _, dirn := range []string{"input", "output"} {
		for _, vf := range vectorFiles {
			file := dirn + "/" + vf.protocol + ".json"
			raw, err := os.ReadFile(filepath.Join(src, file))
			if err != nil {
				return err
			}
			var suites []suite
			if err := json.Unmarshal(raw, &suites); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			inOut := "In"
			if dirn == "output" {
				inOut = "Out"
			}
			for i, s := range suites {
				m := &Model{Metadata: s.Metadata, Shapes: s.Shapes, Operations: map[string]*Operation{}}
				for j, c := range s.Cases {
					m.Operations[fmt.Sprintf("Case%d", j)] = c.Given
					// Some vectors state the payload on the operation's input
					// reference rather than on the shape; models never do, so move it.
					if in := c.Given.Input; in != nil && in.Payload != "" && s.Shapes[in.Shape] != nil {
						s.Shapes[in.Shape].Payload = in.Payload
					}
				}
				prefix := fmt.Sprintf("%s%s%d_", vf.prefix, inOut, i)
				g, err := newGenerator(m, prefix)
				if err != nil {
					return fmt.Errorf("%s suite %d: %w", file, i, err)
				}
				if err := g.writeTypes(&body); err != nil {
					return fmt.Errorf("%s suite %d: %w", file, i, err)
				}
				for j := range s.Cases {
					name := fmt.Sprintf("%s suite %d case %d: %s", file, i, j, s.Description)
					fmt.Fprintf(&cases, "\tmkCase(Case{Protocol: %q, Input: %t, Suite: %d, N: %d, Name: %q},\n",
						vf.protocol, dirn == "input", i, j, name)
					cases.WriteString("\t\t&api.Service{\n\tName: \"vectors\",\n")
					g.writeServiceFields(&cases, "")
					cases.WriteString("},\n\t\t&api.Operation")
					g.writeOperation(&cases, fmt.Sprintf("Case%d", j), "")
					cases.WriteString("),\n")
				}
			}
		}
	}
	cases.WriteString("}\n")
	var imports []string
	if bytes.Contains(body.Bytes(), []byte("io.Read")) {
		imports = append(imports, `"io"`)
	}
	if bytes.Contains(body.Bytes(), []byte("time.Time")) {
		imports = append(imports, `"time"`)
	}
	if len(imports) > 0 {
		types.WriteString("import (\n" + strings.Join(imports, "\n") + "\n)\n\n")
	}
	types.Write(body.Bytes())
	for name, b := range map[string]*bytes.Buffer{"types.go": &types, "cases.go": &cases} {
		out, err := format.Source(b.Bytes())
		if err != nil {
			os.WriteFile(filepath.Join(dir, name+".broken"), b.Bytes(), 0o644)
			return fmt.Errorf("%s: gofmt: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}
