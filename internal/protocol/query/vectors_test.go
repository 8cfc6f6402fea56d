package query

import (
	"testing"

	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/vectors"
)

// skipInput lists the query input cases fogbank does not pass, with why.
var skipInput = map[string]string{}

// skipOutput lists the query output cases fogbank does not pass, with why.
var skipOutput = map[string]string{}

func TestVectorsInput(t *testing.T) { vectors.RunInput(t, Codec{}, protocol.Query, skipInput) }
func TestVectorsOutput(t *testing.T) {
	vectors.RunOutput(t, Codec{}, protocol.Query, skipOutput)
}
