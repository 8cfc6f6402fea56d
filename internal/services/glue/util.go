package glue

import (
	"sort"

	glueapi "github.com/fogbank/fogbank/internal/api/glue"
)

func sortStrings(s []string) { sort.Strings(s) }

// glueapiClassifier names the generated type for the package's tests.
type glueapiClassifier = glueapi.Classifier
