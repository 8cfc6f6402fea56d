package query

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/api/sns"
	"github.com/fogbank/fogbank/internal/api/sqs"
	"github.com/fogbank/fogbank/internal/api/sts"
	"github.com/fogbank/fogbank/internal/protocol"
)

// fakeQuery answers a few operations of one query service from its inputs, to
// drive the codec with real clients. It is no service: only what the client test
// below needs.
type fakeQuery struct{ svc *api.Service }

func (f fakeQuery) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &protocol.Call{Service: f.svc, RequestID: "REQ-" + f.svc.Name}
	codec := Codec{}
	if err := codec.Route(c, r); err != nil {
		codec.EncodeError(c, w, err)
		return
	}
	in := c.Op.NewInput()
	if err := codec.DecodeInput(c, r, in); err != nil {
		codec.EncodeError(c, w, err)
		return
	}
	out, err := fakeCall(c.Op.Name, in)
	if err != nil {
		codec.EncodeError(c, w, err)
		return
	}
	codec.EncodeOutput(c, w, out)
}

func fakeCall(op string, in any) (any, error) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 359e6, time.UTC)
	created := time.Date(2012, 5, 8, 23, 34, 1, 0, time.UTC)
	switch op {
	case "AssumeRole":
		ar := in.(*sts.AssumeRoleRequest)
		return &sts.AssumeRoleResponse{
			Credentials: &sts.Credentials{AccessKeyId: api.String("ASIAEXAMPLEEXAMPLE"), SecretAccessKey: api.String("s"),
				SessionToken: api.String("t"), Expiration: &exp},
			AssumedRoleUser: &sts.AssumedRoleUser{Arn: api.String(api.ToString(ar.RoleArn) + "/" + api.ToString(ar.RoleSessionName)),
				AssumedRoleId: api.String("AROA:" + api.ToString(ar.RoleSessionName))},
		}, nil
	case "CreateUser":
		cu := in.(*iam.CreateUserRequest)
		return &iam.CreateUserResponse{User: &iam.User{Path: api.String("/"), UserName: cu.UserName,
			UserId: api.String("AIDAEXAMPLEEXAMPLE"), Arn: api.String("arn:aws:iam::123456789012:user/" + api.ToString(cu.UserName)), CreateDate: &created}}, nil
	case "GetUser":
		return nil, &iam.NoSuchEntityException{Message: api.String("The user with name nope cannot be found.")}
	case "ListTopics":
		return &sns.ListTopicsResponse{Topics: []*sns.Topic{{TopicArn: api.String("arn:aws:sns:us-east-1:123456789012:a")}, {TopicArn: api.String("arn:aws:sns:us-east-1:123456789012:b")}}}, nil
	case "Publish":
		p := in.(*sns.PublishInput)
		var keys []string
		for k, v := range p.MessageAttributes {
			keys = append(keys, k+"="+api.ToString(v.StringValue))
		}
		sort.Strings(keys)
		return &sns.PublishResponse{MessageId: api.String(api.ToString(p.Message) + ";" + strings.Join(keys, ","))}, nil
	case "SendMessage":
		sm := in.(*sqs.SendMessageRequest)
		return &sqs.SendMessageResult{MessageId: api.String(api.ToString(sm.MessageBody) + ";" + api.ToString(sm.MessageAttributes["color"].StringValue)),
			MD5OfMessageBody: api.String("5d41402abc4b2a76b9719d911017c592")}, nil
	case "ReceiveMessage":
		rm := in.(*sqs.ReceiveMessageRequest)
		return &sqs.ReceiveMessageResult{Messages: []*sqs.Message{{
			MessageId: api.String("m1"), ReceiptHandle: api.String("rh"), Body: api.String("hello"),
			MD5OfBody:  api.String("5d41402abc4b2a76b9719d911017c592"),
			Attributes: map[string]string{"SentTimestamp": "1", "Asked": strings.Join(rm.AttributeNames, ",")},
		}}}, nil
	case "GetQueueUrl":
		return nil, &sqs.QueueDoesNotExist{Message: api.String("The specified queue does not exist.")}
	}
	return nil, api.NotImplemented("fake", op)
}

const boto3QueryScript = `
import boto3, os
kw = dict(region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
sts = boto3.client("sts", endpoint_url=os.environ["STS"], **kw)
r = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/demo", RoleSessionName="s1", Tags=[{"Key": "a", "Value": "b"}])
print("sts", r["AssumedRoleUser"]["Arn"], r["Credentials"]["Expiration"].isoformat(), r["ResponseMetadata"]["RequestId"])
iam = boto3.client("iam", endpoint_url=os.environ["IAM"], **kw)
u = iam.create_user(UserName="alice")["User"]
print("iam", u["UserName"], u["Arn"], u["CreateDate"].isoformat())
try:
    iam.get_user(UserName="nope")
except iam.exceptions.NoSuchEntityException as e:
    print("iam-error", e.response["Error"]["Code"], e.response["Error"]["Type"], e.response["ResponseMetadata"]["HTTPStatusCode"])
sns = boto3.client("sns", endpoint_url=os.environ["SNS"], **kw)
print("sns", [t["TopicArn"][-1] for t in sns.list_topics()["Topics"]])
print("publish", sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:a", Message="hi",
    MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}, "n": {"DataType": "Number", "StringValue": "1"}})["MessageId"])
if os.environ.get("OLD"):
    sqs = boto3.client("sqs", endpoint_url=os.environ["SQS"], **kw)
    print("send", sqs.send_message(QueueUrl="http://q", MessageBody="hello",
        MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}})["MessageId"])
    m = sqs.receive_message(QueueUrl="http://q", AttributeNames=["All"], MaxNumberOfMessages=1)["Messages"][0]
    print("receive", m["Body"], m["Attributes"]["Asked"])
    try:
        sqs.get_queue_url(QueueName="nope")
    except sqs.exceptions.QueueDoesNotExist as e:
        print("sqs-error", e.response["Error"]["Code"])
`

// TestBoto3 drives the codec with the current boto3 and Debian's older one,
// which still speaks query to SQS.
func TestBoto3(t *testing.T) {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		t.Run(py, func(t *testing.T) {
			bin, err := exec.LookPath(py)
			if err != nil || exec.Command(bin, "-c", "import boto3").Run() != nil {
				t.Skip(py + " with boto3 not available")
			}
			old := exec.Command(bin, "-c", "import boto3,sys; sys.exit(0 if boto3.client('sqs', region_name='us-east-1').meta.service_model.protocol == 'query' else 1)").Run() == nil
			env := append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
			for _, s := range []*api.Service{sts.Service, iam.Service, sns.Service, sqs.Service} {
				srv := httptest.NewServer(fakeQuery{s})
				defer srv.Close()
				env = append(env, strings.ToUpper(s.Name)+"="+srv.URL)
			}
			want := []string{
				"sts arn:aws:iam::123456789012:role/demo/s1 2030-01-02T03:04:05.359000+00:00 REQ-sts",
				"iam alice arn:aws:iam::123456789012:user/alice 2012-05-08T23:34:01+00:00",
				"iam-error NoSuchEntity Sender 404",
				"sns ['a', 'b']",
				"publish hi;color=red,n=1",
			}
			if old {
				env = append(env, "OLD=1")
				want = append(want, "send hello;red", "receive hello All", "sqs-error AWS.SimpleQueueService.NonExistentQueue")
			}
			cmd := exec.Command(bin, "-c", boto3QueryScript)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("boto3: %v\n%s", err, out)
			}
			if got, want := string(out), strings.Join(want, "\n")+"\n"; got != want {
				t.Errorf("boto3 printed\n%s\nwant\n%s", got, want)
			}
		})
	}
}
