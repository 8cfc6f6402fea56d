package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// applyOverlay lays the query and XML traits of an older model of the same service
// over m. SQS moved from query to json in 2023 and its current model lost the names
// older clients still send and expect (flattened "Attribute.1.Name", <Message>
// elements, result wrappers, "AWS.SimpleQueueService.NonExistentQueue"), so the
// older model supplies them:
//   - its protocol joins m's protocols, and its xmlNamespace fills m's;
//   - error codes and statuses (awsQueryError) of the error shapes;
//   - operations' resultWrapper;
//   - lists' and maps' flattened and member/key/value names, which only XML and
//     query read;
//   - a member's locationName, as XMLName (tag xmlName), because in m's own
//     protocol locationName would change the json key.
func applyOverlay(m *Model, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	old := new(Model)
	if err := json.Unmarshal(b, old); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ps := m.protocols()
	for _, p := range old.protocols() {
		if !contains(ps, p) {
			ps = append(ps, p)
		}
	}
	m.Metadata.Protocols = ps
	if m.Metadata.XMLNamespace.URI == "" {
		m.Metadata.XMLNamespace = old.Metadata.XMLNamespace
	}
	for name, op := range m.Operations {
		o := old.Operations[name]
		if o != nil && o.Output != nil && op.Output != nil && op.Output.ResultWrapper == "" {
			op.Output.ResultWrapper = o.Output.ResultWrapper
		}
	}
	for name, s := range m.Shapes {
		o := old.Shapes[name]
		if o == nil || o.Type != s.Type {
			continue
		}
		switch s.Type {
		case "structure":
			if s.Error == nil && o.Error != nil {
				s.Error = o.Error
			}
			for _, mn := range s.Members.Names {
				r, or := s.Members.Refs[mn], o.Members.Refs[mn]
				if or == nil {
					continue
				}
				if or.LocationName != "" && or.LocationName != orStr(r.LocationName, mn) {
					r.XMLName = or.LocationName
				}
				r.Flattened = r.Flattened || or.Flattened
				if r.XMLNamespace == (XMLNS{}) {
					r.XMLNamespace = or.XMLNamespace
				}
			}
		case "list":
			s.Flattened = s.Flattened || o.Flattened
			if s.Member.LocationName == "" {
				s.Member.LocationName = o.Member.LocationName
			}
		case "map":
			s.Flattened = s.Flattened || o.Flattened
			if s.Key.LocationName == "" {
				s.Key.LocationName = o.Key.LocationName
			}
			if s.Value.LocationName == "" {
				s.Value.LocationName = o.Value.LocationName
			}
		}
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
