package gateway

// VirtualHostToPath is exported for the tests of the external test package.
var VirtualHostToPath = virtualHostToPath

// RequestIDFor and MediaType are exported for the tests of the external test package.
var (
	RequestIDFor = requestIDFor
	MediaType    = mediaType
)

// GateWait is how long a large body waits for its turn (bodygate.go).
var GateWait = &gateWait
