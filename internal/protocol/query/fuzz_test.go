package query

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/api/cloudwatch"
	"github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/api/sns"
	"github.com/fogbank/fogbank/internal/api/sqs"
	"github.com/fogbank/fogbank/internal/api/sts"
	"github.com/fogbank/fogbank/internal/protocol"
)

var fuzzServices = []*api.Service{sts.Service, iam.Service, sns.Service, cloudwatch.Service, sqs.Service}

// FuzzDecodeQuery routes and decodes arbitrary form bodies for every query
// service: an error or a value, never a panic.
func FuzzDecodeQuery(f *testing.F) {
	f.Add(uint8(0), "Action=AssumeRole&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s&Tags.member.1.Key=a&Tags.member.1.Value=b&DurationSeconds=900")
	f.Add(uint8(1), "Action=CreateUser&UserName=u&Tags.member.1.Key=k&Tags.member.2.Value=v")
	f.Add(uint8(2), "Action=Publish&TopicArn=t&Message=m&MessageAttributes.entry.1.Name=n&MessageAttributes.entry.1.Value.DataType=Binary&MessageAttributes.entry.1.Value.BinaryValue=!!")
	f.Add(uint8(3), "Action=PutMetricData&Namespace=n&MetricData.member.1.MetricName=m&MetricData.member.1.Value=NaN&MetricData.member.1.Timestamp=2015-01-25T08:00:00Z&MetricData.member.1.Values.member.1=1e400")
	f.Add(uint8(4), "Action=ReceiveMessage&QueueUrl=q&AttributeName.1=All&MaxNumberOfMessages=10")
	f.Add(uint8(0), "Action=GetCallerIdentity&%zz=1")
	f.Fuzz(func(t *testing.T, svc uint8, body string) {
		s := fuzzServices[int(svc)%len(fuzzServices)]
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		c := &protocol.Call{Service: s, RequestID: "r"}
		w := httptest.NewRecorder()
		if err := (Codec{}).Route(c, r); err != nil {
			(Codec{}).EncodeError(c, w, err)
			return
		}
		in := c.Op.NewInput()
		if err := (Codec{}).DecodeInput(c, r, in); err != nil {
			(Codec{}).EncodeError(c, w, err)
			return
		}
		_ = (Codec{}).EncodeOutput(c, httptest.NewRecorder(), c.Op.NewOutput())
	})
}

var _ = http.MethodPost
