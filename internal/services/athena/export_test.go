package athena

// The line past which results go up in parts, for tests to lower.
var MaxSinglePut, ResultPart = &maxSinglePut, &resultPart
