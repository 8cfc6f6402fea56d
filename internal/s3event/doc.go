// Package s3event is the contract between the s3 service, which writes event
// notifications, and the services that deliver them (Lambda today; SQS, SNS and
// EventBridge once they exist): the outbox Topic they go to and the
// record AWS sends (event version 2.1). Neither side imports the other.
package s3event
