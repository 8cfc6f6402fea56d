package athena

// The line past which results go up in parts, for tests to lower.
var MaxSinglePut, ResultPart = &maxSinglePut, &resultPart

// How long a poll of a running query is held, for a test to lengthen.
var PollWait = &pollWait
