package lambda

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/eventstream"
)

// InvokeWithResponseStream runs a function and answers as an event stream
// (application/vnd.amazon.eventstream): the result in a PayloadChunk event,
// then InvokeComplete (with ErrorCode and ErrorDetails when the function
// failed: its errorType and errorMessage, and LogResult for LogType Tail).
// fogbank's runtimes answer buffered (neither streamifyResponse nor the
// Runtime API's streaming response mode is there), so the stream holds one
// chunk, as AWS's does for a function that does not stream.
func (s *Service) InvokeWithResponseStream(ctx context.Context, in *lambdaapi.InvokeWithResponseStreamRequest) (*lambdaapi.InvokeWithResponseStreamResponse, error) {
	typ := api.ToString(in.InvocationType)
	if typ == "Event" {
		return nil, validation("1 validation error detected: Value 'Event' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [RequestResponse, DryRun]")
	}
	c := api.CallerFrom(ctx)
	res, err := s.invoke(ctx, invokeRequest{
		Account: c.Account, Region: c.Region,
		Function: api.ToString(in.FunctionName), Qualifier: api.ToString(in.Qualifier),
		Payload: in.Payload, Type: typ,
		Tail: api.ToString(in.LogType) == "Tail", ClientContext: api.ToString(in.ClientContext),
	})
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.InvokeWithResponseStreamResponse{StatusCode: api.Int64(int64(res.Status))}
	if res.Status != 200 {
		return out, nil // DryRun: 204, no stream
	}
	out.ExecutedVersion = api.String(res.ExecutedVersion)
	out.ResponseStreamContentType = api.String("application/vnd.amazon.eventstream")
	var frames []byte
	complete := map[string]string{}
	if res.FunctionError == "" {
		frames = eventstream.Event(frames, "PayloadChunk", "application/octet-stream", res.Payload)
	} else {
		var doc struct{ ErrorMessage string }
		json.Unmarshal(res.Payload, &doc)
		complete["ErrorCode"], complete["ErrorDetails"] = res.ErrorType, doc.ErrorMessage
	}
	if res.LogTail != "" {
		complete["LogResult"] = res.LogTail
	}
	body, _ := json.Marshal(complete)
	frames = eventstream.Event(frames, "InvokeComplete", "application/json", body)
	out.EventStream = bytes.NewReader(frames)
	return out, nil
}
