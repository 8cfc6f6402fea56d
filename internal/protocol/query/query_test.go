package query

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/api/cloudwatch"
	"github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/api/sns"
	"github.com/fogbank/fogbank/internal/api/sqs"
	"github.com/fogbank/fogbank/internal/api/sts"
	"github.com/fogbank/fogbank/internal/protocol"
)

func post(body string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

func decode(t *testing.T, svc *api.Service, r *http.Request) (*protocol.Call, any, error) {
	t.Helper()
	c := &protocol.Call{Service: svc, Protocol: protocol.Query, RequestID: "REQ1"}
	if err := (Codec{}).Route(c, r); err != nil {
		t.Fatalf("Route = %v", err)
	}
	in := c.Op.NewInput()
	return c, in, (Codec{}).DecodeInput(c, r, in)
}

func TestDecodeAssumeRole(t *testing.T) {
	form := url.Values{
		"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::123456789012:role/demo"}, "RoleSessionName": {"s1"},
		"DurationSeconds":            {"3600"},
		"PolicyArns.member.1.arn":    {"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		"Tags.member.1.Key":          {"team"},
		"Tags.member.1.Value":        {"data"},
		"Tags.member.2.Key":          {"env"},
		"Tags.member.2.Value":        {"dev"},
		"TransitiveTagKeys.member.1": {"team"},
	}
	_, in, err := decode(t, sts.Service, post(form.Encode()))
	if err != nil {
		t.Fatalf("DecodeInput = %v", err)
	}
	ar := in.(*sts.AssumeRoleRequest)
	if got, want := api.ToString(ar.RoleArn), "arn:aws:iam::123456789012:role/demo"; got != want {
		t.Errorf("RoleArn = %q, want %q", got, want)
	}
	if got, want := api.ToInt64(ar.DurationSeconds), int64(3600); got != want {
		t.Errorf("DurationSeconds = %d, want %d", got, want)
	}
	if len(ar.PolicyArns) != 1 || api.ToString(ar.PolicyArns[0].Arn) != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("PolicyArns = %+v", ar.PolicyArns)
	}
	if len(ar.Tags) != 2 || api.ToString(ar.Tags[1].Key) != "env" || api.ToString(ar.Tags[1].Value) != "dev" {
		t.Errorf("Tags = %+v", ar.Tags)
	}
	if want := []string{"team"}; !reflect.DeepEqual(ar.TransitiveTagKeys, want) {
		t.Errorf("TransitiveTagKeys = %v, want %v", ar.TransitiveTagKeys, want)
	}
}

func TestDecodeGetQueryString(t *testing.T) {
	r := httptest.NewRequest("GET", "/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	c, _, err := decode(t, sts.Service, r)
	if err != nil {
		t.Fatalf("DecodeInput = %v", err)
	}
	if got, want := c.Op.Name, "GetCallerIdentity"; got != want {
		t.Errorf("op = %s, want %s", got, want)
	}
}

func TestDecodeMapsAndNumbers(t *testing.T) {
	form := url.Values{
		"Action": {"Publish"}, "TopicArn": {"arn:aws:sns:us-east-1:123456789012:t"}, "Message": {"hi"},
		"MessageAttributes.entry.1.Name":              {"color"},
		"MessageAttributes.entry.1.Value.DataType":    {"String"},
		"MessageAttributes.entry.1.Value.StringValue": {"red"},
		"MessageAttributes.entry.2.Name":              {"blob"},
		"MessageAttributes.entry.2.Value.DataType":    {"Binary"},
		"MessageAttributes.entry.2.Value.BinaryValue": {"aGk="},
	}
	_, in, err := decode(t, sns.Service, post(form.Encode()))
	if err != nil {
		t.Fatalf("DecodeInput = %v", err)
	}
	p := in.(*sns.PublishInput)
	if got := p.MessageAttributes["color"]; got == nil || api.ToString(got.StringValue) != "red" {
		t.Errorf("MessageAttributes[color] = %+v", got)
	}
	if got := p.MessageAttributes["blob"]; got == nil || string(got.BinaryValue) != "hi" {
		t.Errorf("MessageAttributes[blob] = %+v", got)
	}

	form = url.Values{
		"Action": {"PutMetricData"}, "Namespace": {"App"},
		"MetricData.member.1.MetricName":                {"Latency"},
		"MetricData.member.1.Value":                     {"1.5"},
		"MetricData.member.1.Timestamp":                 {"2015-01-25T08:00:00.123Z"},
		"MetricData.member.1.Dimensions.member.1.Name":  {"Host"},
		"MetricData.member.1.Dimensions.member.1.Value": {"a"},
		"MetricData.member.1.Values.member.1":           {"1"},
		"MetricData.member.1.Values.member.2":           {"2.5"},
	}
	_, in, err = decode(t, cloudwatch.Service, post(form.Encode()))
	if err != nil {
		t.Fatalf("DecodeInput = %v", err)
	}
	md := in.(*cloudwatch.PutMetricDataInput).MetricData
	if len(md) != 1 {
		t.Fatalf("MetricData = %+v", md)
	}
	d := md[0]
	wantTS := time.Date(2015, 1, 25, 8, 0, 0, 123e6, time.UTC)
	if d.Value == nil || *d.Value != 1.5 || d.Timestamp == nil || !d.Timestamp.Equal(wantTS) {
		t.Errorf("datum = %+v", d)
	}
	if want := []float64{1, 2.5}; !reflect.DeepEqual(d.Values, want) {
		t.Errorf("Values = %v, want %v", d.Values, want)
	}
	if len(d.Dimensions) != 1 || api.ToString(d.Dimensions[0].Value) != "a" {
		t.Errorf("Dimensions = %+v", d.Dimensions)
	}
}

func TestRouteErrors(t *testing.T) {
	c := &protocol.Call{Service: sts.Service}
	err := (Codec{}).Route(c, post("Action=Nope&Version=2011-06-15"))
	e, ok := err.(*api.Err)
	if !ok || e.Code != "InvalidAction" || e.Status != 400 || e.Message != "Could not find operation Nope for version 2011-06-15" {
		t.Errorf("Route(unknown) = %#v", err)
	}
	err = (Codec{}).Route(c, post("Version=2011-06-15"))
	if e, ok := err.(*api.Err); !ok || e.Code != "MissingAction" {
		t.Errorf("Route(no action) = %v", err)
	}
}

func TestValidation(t *testing.T) {
	_, _, err := decode(t, sts.Service, post("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1"))
	e, ok := err.(*api.Err)
	want := "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
	if !ok || e.Code != "ValidationError" || e.Message != want {
		t.Errorf("DecodeInput = %v, want ValidationError %q", err, want)
	}
	_, _, err = decode(t, cloudwatch.Service, post("Action=PutMetricData&MetricData.member.1.MetricName=x"))
	if e, ok := err.(*api.Err); !ok || e.Code != "MissingParameter" || e.Message != "The parameter Namespace is required." {
		t.Errorf("DecodeInput = %v, want MissingParameter", err)
	}
	_, _, err = decode(t, sts.Service, post("Action=AssumeRole&RoleArn=arn:aws:iam::123456789012:role/demo&RoleSessionName=s1&DurationSeconds=abc"))
	if e, ok := err.(*api.Err); !ok || e.Code != "InvalidParameterValue" {
		t.Errorf("DecodeInput = %v, want InvalidParameterValue", err)
	}
}

func TestEncodeOutput(t *testing.T) {
	c := &protocol.Call{Service: sts.Service, Op: sts.Service.Op("GetCallerIdentity"), RequestID: "REQ1"}
	w := httptest.NewRecorder()
	out := &sts.GetCallerIdentityResponse{UserId: api.String("AIDA"), Account: api.String("123456789012"), Arn: api.String("arn:aws:iam::123456789012:user/a")}
	if err := (Codec{}).EncodeOutput(c, w, out); err != nil {
		t.Fatal(err)
	}
	want := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<UserId>AIDA</UserId><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/a</Arn></GetCallerIdentityResult>` +
		`<ResponseMetadata><RequestId>REQ1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	if got := w.Body.String(); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
	if got, want := w.Header().Get("x-amzn-RequestId"), "REQ1"; got != want {
		t.Errorf("x-amzn-RequestId = %q, want %q", got, want)
	}

	// No output members: no Result element.
	c = &protocol.Call{Service: iam.Service, Op: iam.Service.Op("DeleteUser"), RequestID: "REQ2"}
	w = httptest.NewRecorder()
	if err := (Codec{}).EncodeOutput(c, w, &iam.DeleteUserOutput{}); err != nil {
		t.Fatal(err)
	}
	want = `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>REQ2</RequestId></ResponseMetadata></DeleteUserResponse>`
	if got := w.Body.String(); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
}

func TestEncodeError(t *testing.T) {
	c := &protocol.Call{Service: cloudwatch.Service, RequestID: "REQ1"}
	w := httptest.NewRecorder()
	(Codec{}).EncodeError(c, w, &cloudwatch.InvalidParameterValueException{Message: api.String("bad <value>")})
	want := `<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type>` +
		`<Code>InvalidParameterValue</Code><Message>bad &lt;value&gt;</Message></Error><RequestId>REQ1</RequestId></ErrorResponse>`
	if got := w.Body.String(); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
	if got, want := w.Code, 400; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	w = httptest.NewRecorder()
	(Codec{}).EncodeError(c, w, http.ErrAbortHandler)
	if got := w.Body.String(); w.Code != 500 || !strings.Contains(got, "<Type>Receiver</Type><Code>InternalError</Code>") {
		t.Errorf("status %d body %s, want 500 Receiver InternalError", w.Code, got)
	}
}

// Old SQS clients speak query with the names of SQS's old query model, which
// the generator keeps as xmlName tags.
func TestDecodeSQSQueryNames(t *testing.T) {
	form := url.Values{
		"Action": {"CreateQueue"}, "QueueName": {"q"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"30"},
		"Attribute.2.Name": {"DelaySeconds"}, "Attribute.2.Value": {"5"},
		"Tag.1.Key": {"team"}, "Tag.1.Value": {"data"},
	}
	_, in, err := decode(t, sqs.Service, post(form.Encode()))
	if err != nil {
		t.Fatalf("DecodeInput = %v", err)
	}
	cq := in.(*sqs.CreateQueueRequest)
	if want := map[string]string{"VisibilityTimeout": "30", "DelaySeconds": "5"}; !reflect.DeepEqual(cq.Attributes, want) {
		t.Errorf("Attributes = %v, want %v", cq.Attributes, want)
	}
	if want := map[string]string{"team": "data"}; !reflect.DeepEqual(cq.Tags, want) {
		t.Errorf("Tags = %v, want %v", cq.Tags, want)
	}

	form = url.Values{
		"Action": {"SendMessage"}, "QueueUrl": {"http://q"}, "MessageBody": {"hi"},
		"MessageAttribute.1.Name": {"color"}, "MessageAttribute.1.Value.DataType": {"String"},
		"MessageAttribute.1.Value.StringValue": {"red"},
	}
	_, in, err = decode(t, sqs.Service, post(form.Encode()))
	if err != nil {
		t.Fatalf("DecodeInput = %v", err)
	}
	sm := in.(*sqs.SendMessageRequest)
	if got := sm.MessageAttributes["color"]; got == nil || api.ToString(got.StringValue) != "red" {
		t.Errorf("MessageAttributes[color] = %+v", got)
	}
}
