package gateway

// VirtualHostToPath is exported for the tests of the external test package.
var VirtualHostToPath = virtualHostToPath
