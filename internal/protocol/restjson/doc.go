// Package restjson is the rest-json protocol (Lambda, and the other rest-json
// services): routing and the uri/querystring/header bindings come from package
// rest; bodies are JSON (package jsonbody).
//
// Input: a blob or string payload member takes the raw body (a streaming one the
// body itself), a structure or document payload member the decoded JSON, and
// otherwise the JSON object fills the members without a location. Output: header
// members and the status code member, then the payload or the JSON object, with
// Content-Type application/json. Errors carry x-amzn-ErrorType and a JSON body of
// the error's members ({"message": ...} for errors without a shape); Lambda's are
// {"Type": "User"|"Service", "Message": ...} as Lambda sends them.
//
// Missing: event streams (Lambda's InvokeWithResponseStream); binding errors
// are SerializationExceptions where some services answer ValidationException.
package restjson
