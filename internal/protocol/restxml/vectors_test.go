package restxml

import (
	"testing"

	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/vectors"
)

// skipInput lists the rest-xml input cases fogbank does not pass, with why.
var skipInput = map[string]string{
	"input/rest-xml.json suite 26 case 0": "leading/trailing header whitespace and header names with spaces never reach a codec: net/http trims values and rejects such names",
}

// skipOutput lists the rest-xml output cases fogbank does not pass, with why.
var skipOutput = map[string]string{
	"output/rest-xml.json suite 5 case 0":  "Go maps are unordered: entries are written sorted by key, the vector lists them in JSON order; clients build the same map",
	"output/rest-xml.json suite 6 case 0":  "Go maps are unordered: entries are written sorted by key, the vector lists them in JSON order; clients build the same map",
	"output/rest-xml.json suite 7 case 0":  "Go maps are unordered: entries are written sorted by key, the vector lists them in JSON order; clients build the same map",
	"output/rest-xml.json suite 11 case 0": "the expected body has an unmodeled <RequestId> element the client ignores; rest-xml services send the id in a header",
	"output/rest-xml.json suite 12 case 0": "the expected body has an unmodeled <RequestId> element the client ignores; rest-xml services send the id in a header",
}

func TestVectorsInput(t *testing.T)  { vectors.RunInput(t, Codec{}, protocol.RestXML, skipInput) }
func TestVectorsOutput(t *testing.T) { vectors.RunOutput(t, Codec{}, protocol.RestXML, skipOutput) }
