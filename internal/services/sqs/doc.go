// Package sqs is SQS's place: so far only its dialect (how it departs from the
// query and json protocols), which the codecs read; every operation answers 501
// NotImplemented from the generated model until the service is written here.
package sqs
