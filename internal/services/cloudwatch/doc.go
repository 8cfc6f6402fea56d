// Package cloudwatch is CloudWatch's place: so far only its dialect (how it
// departs from the query and CBOR protocols), which the codecs read; every
// operation answers 501 NotImplemented from the generated model until the
// service is written here.
package cloudwatch
