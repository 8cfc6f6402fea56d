// Package lambda is Lambda's place: so far only its dialect (how it departs from
// the rest-json protocol), which the codecs read; every operation answers 501
// NotImplemented from the generated model until the service is written here.
package lambda
