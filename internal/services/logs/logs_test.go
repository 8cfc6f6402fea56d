package logs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/fogbank/fogbank/fogbanktest"
)

func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("err = %s %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// must returns v, or panics with err: a call that should work and did not
// ends the test run there, with the error and where it came from.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestGroupsAndStreams(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := cwl.NewFromConfig(srv.Config)
	ctx := context.Background()

	for _, g := range []string{"/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/c", "/other"} {
		must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(g)}))
	}
	_, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/other")})
	wantErr(t, err, "ResourceAlreadyExistsException", "The specified log group already exists")
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name")})
	wantErr(t, err, "InvalidParameterException", "Member must satisfy regular expression pattern")
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/kms"),
		KmsKeyId: aws.String("arn:aws:kms:us-east-1:000000000000:key/k1"), Tags: map[string]string{"team": "data"}}))

	// Prefix and paging: three /aws/lambda groups, two per page.
	var names []string
	var tok *string
	pages := 0
	for {
		out := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/"), Limit: aws.Int32(2), NextToken: tok}))
		pages++
		for _, g := range out.LogGroups {
			names = append(names, *g.LogGroupName)
			if *g.Arn != "arn:aws:logs:us-east-1:000000000000:log-group:"+*g.LogGroupName+":*" || *g.LogGroupArn+":*" != *g.Arn {
				t.Errorf("arns %s %s", *g.Arn, *g.LogGroupArn)
			}
		}
		if tok = out.NextToken; tok == nil {
			break
		}
	}
	if strings.Join(names, ",") != "/aws/lambda/a,/aws/lambda/b,/aws/lambda/c" || pages != 2 {
		t.Errorf("groups %v in %d pages", names, pages)
	}
	kms := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/kms")}))
	if len(kms.LogGroups) != 1 || aws.ToString(kms.LogGroups[0].KmsKeyId) != "arn:aws:kms:us-east-1:000000000000:key/k1" {
		t.Errorf("kms group: %+v", kms.LogGroups)
	}

	// Retention.
	must(c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/other"), RetentionInDays: aws.Int32(7)}))
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/other"), RetentionInDays: aws.Int32(2)})
	wantErr(t, err, "InvalidParameterException", "Member must satisfy enum value set")
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/nope"), RetentionInDays: aws.Int32(7)})
	wantErr(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	g := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/other")})).LogGroups[0]
	if aws.ToInt32(g.RetentionInDays) != 7 {
		t.Errorf("retention = %v", g.RetentionInDays)
	}
	must(c.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("/other")}))
	g = must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/other")})).LogGroups[0]
	if g.RetentionInDays != nil {
		t.Errorf("retention after delete = %v", *g.RetentionInDays)
	}

	// Tags, both generations of the API.
	arn := aws.ToString(g.LogGroupArn)
	must(c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1", "b": "2"}}))
	must(c.TagLogGroup(ctx, &cwl.TagLogGroupInput{LogGroupName: aws.String("/other"), Tags: map[string]string{"c": "3"}}))
	must(c.UntagResource(ctx, &cwl.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}}))
	tags := must(c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})).Tags
	old := must(c.ListTagsLogGroup(ctx, &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("/other")})).Tags
	if fmt.Sprint(tags) != "map[b:2 c:3]" || fmt.Sprint(old) != "map[b:2 c:3]" {
		t.Errorf("tags %v, old API %v", tags, old)
	}
	kt := must(c.ListTagsLogGroup(ctx, &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("/kms")})).Tags
	if kt["team"] != "data" {
		t.Errorf("create-time tags %v", kt)
	}

	// Streams.
	for _, s := range []string{"s3", "s1", "s2"} {
		must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String(s)}))
	}
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String("s1")})
	wantErr(t, err, "ResourceAlreadyExistsException", "The specified log stream already exists")
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/nope"), LogStreamName: aws.String("s1")})
	wantErr(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String("a:b")})
	wantErr(t, err, "InvalidParameterException", "[^:*]*")
	now := time.Now().UnixMilli()
	// s3 gets the oldest last event, s1 the newest.
	for i, s := range []string{"s3", "s2", "s1"} {
		must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String(s),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now - 1000 + int64(i)), Message: aws.String("m")}}}))
	}
	streamNames := func(in *cwl.DescribeLogStreamsInput) string {
		in.LogGroupName = aws.String("/other")
		var got []string
		p := cwl.NewDescribeLogStreamsPaginator(c, in)
		for p.HasMorePages() {
			out := must(p.NextPage(ctx))
			for _, s := range out.LogStreams {
				got = append(got, *s.LogStreamName)
			}
		}
		return strings.Join(got, ",")
	}
	if got := streamNames(&cwl.DescribeLogStreamsInput{Limit: aws.Int32(1)}); got != "s1,s2,s3" {
		t.Errorf("by name: %s", got)
	}
	if got := streamNames(&cwl.DescribeLogStreamsInput{Limit: aws.Int32(2), Descending: aws.Bool(true)}); got != "s3,s2,s1" {
		t.Errorf("by name descending: %s", got)
	}
	if got := streamNames(&cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)}); got != "s1,s2,s3" {
		t.Errorf("by last event, descending: %s", got)
	}
	if got := streamNames(&cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime}); got != "s3,s2,s1" {
		t.Errorf("by last event: %s", got)
	}
	if got := streamNames(&cwl.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("s2")}); got != "s2" {
		t.Errorf("prefix: %s", got)
	}
	_, err = c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/other"), OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("s")})
	wantErr(t, err, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
	_, err = c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/nope")})
	wantErr(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	st := must(c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/other"), LogStreamNamePrefix: aws.String("s1")})).LogStreams[0]
	if aws.ToInt64(st.FirstEventTimestamp) != now-998 || aws.ToInt64(st.LastEventTimestamp) != now-998 ||
		aws.ToString(st.Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:/other:log-stream:s1" {
		t.Errorf("stream s1: %+v", st)
	}

	must(c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String("s2")}))
	_, err = c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String("s2")})
	wantErr(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/other")}))
	_, err = c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/other")})
	wantErr(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	// A group made again has no streams left from before.
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/other")}))
	if got := streamNames(&cwl.DescribeLogStreamsInput{}); got != "" {
		t.Errorf("streams of a re-created group: %s", got)
	}
}

func setupStream(t *testing.T, c *cwl.Client, group, stream string) {
	t.Helper()
	ctx := context.Background()
	c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)})
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}))
}

func TestPutAndGetLogEvents(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := cwl.NewFromConfig(srv.Config)
	ctx := context.Background()
	setupStream(t, c, "g", "s")
	base := time.Now().Add(-time.Hour).UnixMilli()
	var evs []types.InputLogEvent
	for i := range 25 {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(base + int64(i)), Message: aws.String(fmt.Sprintf("line %02d", i))})
	}
	// Any sequence token is accepted, as AWS does today.
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs[:20], SequenceToken: aws.String("whatever")}))
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs[20:]}))

	get := func(in *cwl.GetLogEventsInput) *cwl.GetLogEventsOutput {
		in.LogGroupName, in.LogStreamName = aws.String("g"), aws.String("s")
		return must(c.GetLogEvents(ctx, in))
	}
	msgs := func(out *cwl.GetLogEventsOutput) string {
		var m []string
		for _, e := range out.Events {
			m = append(m, strings.TrimPrefix(*e.Message, "line "))
		}
		return strings.Join(m, " ")
	}
	// By default the newest events, in time order.
	out := get(&cwl.GetLogEventsInput{Limit: aws.Int32(3)})
	if msgs(out) != "22 23 24" {
		t.Errorf("tail: %s", msgs(out))
	}
	// At the end, the forward token comes back unchanged.
	fwd := *out.NextForwardToken
	again := get(&cwl.GetLogEventsInput{NextToken: aws.String(fwd)})
	if len(again.Events) != 0 || *again.NextForwardToken != fwd {
		t.Errorf("after the end: %d events, token %s (sent %s)", len(again.Events), *again.NextForwardToken, fwd)
	}
	// Backwards from there, three at a time, without skips or repeats.
	back := get(&cwl.GetLogEventsInput{NextToken: out.NextBackwardToken, Limit: aws.Int32(3)})
	if msgs(back) != "19 20 21" {
		t.Errorf("backward page: %s", msgs(back))
	}
	fwdFromBack := get(&cwl.GetLogEventsInput{NextToken: back.NextForwardToken, Limit: aws.Int32(3)})
	if msgs(fwdFromBack) != "22 23 24" {
		t.Errorf("forward from a backward page: %s", msgs(fwdFromBack))
	}
	// From the head, pages of 10 through the SDK's paginator (which stops when
	// the token repeats).
	var all []string
	p := cwl.NewGetLogEventsPaginator(c, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), Limit: aws.Int32(10)})
	for n := 0; p.HasMorePages() && n < 10; n++ {
		page := must(p.NextPage(ctx))
		if m := msgs(page); m != "" {
			all = append(all, m)
		}
	}
	if strings.Join(all, "|") != "00 01 02 03 04 05 06 07 08 09|10 11 12 13 14 15 16 17 18 19|20 21 22 23 24" {
		t.Errorf("head pages: %q", all)
	}
	// A time range: [start, end).
	out = get(&cwl.GetLogEventsInput{StartTime: aws.Int64(base + 5), EndTime: aws.Int64(base + 8), StartFromHead: aws.Bool(true)})
	if msgs(out) != "05 06 07" {
		t.Errorf("range: %s", msgs(out))
	}
	if out.Events[0].IngestionTime == nil || *out.Events[0].Timestamp != base+5 {
		t.Errorf("event: %+v", out.Events[0])
	}

	// Rejected events: too old, too new; the rest stored.
	now := time.Now().UnixMilli()
	res := must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(now - 15*24*3600*1000), Message: aws.String("old")},
		{Timestamp: aws.Int64(now - 15*24*3600*1000 + 1), Message: aws.String("old2")},
		{Timestamp: aws.Int64(now), Message: aws.String("fresh")},
		{Timestamp: aws.Int64(now + 3*3600*1000), Message: aws.String("future")},
	}}))
	ri := res.RejectedLogEventsInfo
	if ri == nil || aws.ToInt32(ri.TooOldLogEventEndIndex) != 1 || aws.ToInt32(ri.TooNewLogEventStartIndex) != 3 || ri.ExpiredLogEventEndIndex != nil {
		t.Errorf("rejected: %+v", ri)
	}
	if m := msgs(get(&cwl.GetLogEventsInput{Limit: aws.Int32(1)})); m != "fresh" {
		t.Errorf("last event %q, want fresh", m)
	}
	// Retention rejects as expired.
	must(c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}))
	res = must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(now - 2*24*3600*1000), Message: aws.String("expired")},
		{Timestamp: aws.Int64(now), Message: aws.String("ok")},
	}}))
	if ri := res.RejectedLogEventsInfo; ri == nil || aws.ToInt32(ri.ExpiredLogEventEndIndex) != 0 {
		t.Errorf("expired: %+v", ri)
	}

	// Errors (the span is of accepted events: without the retention, all).
	must(c.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("g")}))
	_, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(now), Message: aws.String("b")}, {Timestamp: aws.Int64(now - 1), Message: aws.String("a")}}})
	wantErr(t, err, "InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(now - 25*3600*1000), Message: aws.String("a")}, {Timestamp: aws.Int64(now), Message: aws.String("b")}}})
	wantErr(t, err, "InvalidParameterException", "cannot span more than 24 hours")
	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(now), Message: aws.String(strings.Repeat("x", 1048576))}}})
	wantErr(t, err, "InvalidParameterException", "Upload too large: 1048602 bytes exceeds limit of 1048576")
	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope"), LogEvents: evs[:1]})
	wantErr(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("s"), LogEvents: evs[:1]})
	wantErr(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("garbage")})
	wantErr(t, err, "InvalidParameterException", "nextToken")
}

func TestFilterLogEvents(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := cwl.NewFromConfig(srv.Config)
	ctx := context.Background()
	setupStream(t, c, "app", "a")
	setupStream(t, c, "app", "b")
	base := time.Now().Add(-time.Minute).UnixMilli()
	put := func(stream string, ts int64, msg string) {
		must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("app"), LogStreamName: aws.String(stream),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ts), Message: aws.String(msg)}}}))
	}
	put("a", base+1, `{"level":"ERROR","ms":500}`)
	put("b", base+2, "[INFO] started")
	put("a", base+3, "[ERROR] disk full")
	put("b", base+3, `{"level":"INFO","ms":20}`)
	put("b", base+5, "[WARN] slow")

	filter := func(in *cwl.FilterLogEventsInput) (string, map[string]bool) {
		in.LogGroupName = aws.String("app")
		var got []string
		ids := map[string]bool{}
		p := cwl.NewFilterLogEventsPaginator(c, in)
		for p.HasMorePages() {
			for _, e := range must(p.NextPage(ctx)).Events {
				got = append(got, *e.LogStreamName+"@"+fmt.Sprint(*e.Timestamp-base))
				if len(*e.EventId) != 56 || ids[*e.EventId] {
					t.Errorf("event id %q (len %d) repeated or malformed", *e.EventId, len(*e.EventId))
				}
				ids[*e.EventId] = true
			}
		}
		return strings.Join(got, " "), ids
	}
	if got, _ := filter(&cwl.FilterLogEventsInput{}); got != "a@1 b@2 a@3 b@3 b@5" {
		t.Errorf("all: %s", got)
	}
	if got, _ := filter(&cwl.FilterLogEventsInput{Limit: aws.Int32(2)}); got != "a@1 b@2 a@3 b@3 b@5" {
		t.Errorf("all, pages of 2: %s", got)
	}
	if got, _ := filter(&cwl.FilterLogEventsInput{FilterPattern: aws.String("ERROR")}); got != "a@1 a@3" {
		t.Errorf("ERROR: %s", got)
	}
	if got, _ := filter(&cwl.FilterLogEventsInput{FilterPattern: aws.String(`{ $.level = "ERROR" }`)}); got != "a@1" {
		t.Errorf("json: %s", got)
	}
	if got, _ := filter(&cwl.FilterLogEventsInput{FilterPattern: aws.String(`{ $.ms < 100 }`)}); got != "b@3" {
		t.Errorf("json number: %s", got)
	}
	if got, _ := filter(&cwl.FilterLogEventsInput{FilterPattern: aws.String("?WARN ?INFO -started")}); got != "b@3 b@5" {
		t.Errorf("? and -: %s", got)
	}
	if got, _ := filter(&cwl.FilterLogEventsInput{LogStreamNames: []string{"b"}, StartTime: aws.Int64(base + 3), EndTime: aws.Int64(base + 5)}); got != "b@3 b@5" {
		t.Errorf("stream b, [3, 5]: %s", got)
	}
	if got, _ := filter(&cwl.FilterLogEventsInput{LogStreamNamePrefix: aws.String("a")}); got != "a@1 a@3" {
		t.Errorf("prefix a: %s", got)
	}
	// The same event keeps its id from one call to the next (tail --follow
	// relies on it).
	_, ids1 := filter(&cwl.FilterLogEventsInput{})
	_, ids2 := filter(&cwl.FilterLogEventsInput{})
	if fmt.Sprint(ids1) != fmt.Sprint(ids2) {
		t.Error("event ids changed between calls")
	}
	_, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("app"), FilterPattern: aws.String(`{ $.x = `)})
	wantErr(t, err, "InvalidParameterException", "Invalid filter pattern")
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

// Events acknowledged before a restart are there after it.
func TestLogsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	srv := fogbanktest.Start(t, fogbanktest.WithDataDir(dir))
	c := cwl.NewFromConfig(srv.Config)
	ctx := context.Background()
	setupStream(t, c, "g", "s")
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("kept")}}}))
	srv.Stop()
	srv = fogbanktest.Start(t, fogbanktest.WithDataDir(dir))
	c = cwl.NewFromConfig(srv.Config)
	out := must(c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}))
	if len(out.Events) != 1 || *out.Events[0].Message != "kept" {
		t.Errorf("after restart: %+v", out.Events)
	}
}
