module github.com/fogbank/fogbank

go 1.26.8

require (
	github.com/aws/aws-sdk-go-v2 v1.48.0
	go.etcd.io/bbolt v1.4.3
)

require (
	github.com/aws/smithy-go v1.28.9 // indirect
	golang.org/x/sys v0.29.0 // indirect
)
