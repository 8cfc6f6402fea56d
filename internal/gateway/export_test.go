package gateway

// VirtualHostToPath is exported for the tests of the external test package.
var VirtualHostToPath = virtualHostToPath

// RequestIDFor and MediaType are exported for the tests of the external test package.
var (
	RequestIDFor = requestIDFor
	MediaType    = mediaType
)
