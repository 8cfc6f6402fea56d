// Package e2e holds the end-to-end tests: they build the fogbank binary, start it on a
// free port with ephemeral state, and drive it with real clients as a user would: the
// AWS CLI of python3 (1.x) and Debian's (2.x, /usr/bin/aws), boto3 (current, and
// Debian's 1.26 under /usr/bin/python3), curl-like raw HTTP, aws-sdk-go-v2, and
// Debian's headless Chromium (browser_test.go: what web pages can do to fogbank).
// A missing client skips the test, or fails it when CI=true: CI installs them (.ci/run).
package e2e
