package jsonrpc

import (
	"testing"

	"github.com/fogbank/fogbank/internal/protocol/vectors"
)

// jsonSkips lists the json vectors this codec does not pass, each with its reason.
var jsonSkips = map[string]string{}

func TestVectorsInput(t *testing.T)  { vectors.RunInput(t, Codec{}, "json", jsonSkips) }
func TestVectorsOutput(t *testing.T) { vectors.RunOutput(t, Codec{}, "json", jsonSkips) }
