package actions

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/api/athena"
	"github.com/fogbank/fogbank/internal/api/ce"
	"github.com/fogbank/fogbank/internal/api/cloudwatch"
	"github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/api/dynamodbstreams"
	"github.com/fogbank/fogbank/internal/api/events"
	"github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/api/kinesis"
	"github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/api/logs"
	"github.com/fogbank/fogbank/internal/api/redshiftdata"
	"github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/api/sns"
	"github.com/fogbank/fogbank/internal/api/sqs"
	"github.com/fogbank/fogbank/internal/api/sts"
	"github.com/fogbank/fogbank/internal/iam/policy"
)

// notInReference are operations of fogbank's models that the Service
// Authorization Reference (as pinned) has no action for: they are checked
// as "<prefix>:<operation>", which a policy can still name or match with a
// wildcard.
var notInReference = map[string]bool{
	"cloudwatch:DescribeAlarmContributors":        true,
	"glue:BatchGetDataQualityResult":              true,
	"glue:BatchPutDataQualityStatisticAnnotation": true,
	"glue:GetMaterializedViewRefreshTaskRun":      true,
	"glue:ListDataQualityStatisticAnnotations":    true,
	"glue:ListDataQualityStatistics":              true,
	"glue:ListMaterializedViewRefreshTaskRuns":    true,
	"glue:StartMaterializedViewRefreshTaskRun":    true,
	"glue:StopMaterializedViewRefreshTaskRun":     true,
	"iam:UpdateDelegationRequest":                 true,
	"logs:GetLogObject":                           true,
	// S3 Express One Zone and S3 Object Lambda, whose prefixes fogbank has no tables of.
	"s3express:CreateSession":                 true,
	"s3express:RenameObject":                  true,
	"s3express:ListAllMyDirectoryBuckets":     true,
	"s3-object-lambda:WriteGetObjectResponse": true,
}

// TestEveryOperationHasAnAction maps every operation of every model fogbank
// has, with an empty input, and checks each action it needs is one the
// reference lists.
func TestEveryOperationHasAnAction(t *testing.T) {
	models := []*api.Service{athena.Service, ce.Service, cloudwatch.Service, dynamodb.Service, dynamodbstreams.Service,
		events.Service, glue.Service, iam.Service, kinesis.Service, lambda.Service, logs.Service, redshiftdata.Service,
		s3.Service, sns.Service, sqs.Service, sts.Service}
	n := 0
	for _, m := range models {
		for _, op := range m.Operations {
			checks := For(&Request{Service: m.SigningName, Operation: op.Name, Input: op.NewInput(), Account: "111122223333", Region: "us-east-1"})
			if len(checks) == 0 && m.SigningName != "sts" && op.Name != "PreflightRequest" {
				t.Errorf("%s %s: no check", m.Name, op.Name)
			}
			for _, c := range checks {
				n++
				if Lookup(c.Action) == nil && !notInReference[c.Action] {
					t.Errorf("%s %s: action %s is not in the reference", m.Name, op.Name, c.Action)
				}
				if Lookup(c.Action) != nil && notInReference[c.Action] {
					t.Errorf("%s is in the reference now: remove it from notInReference", c.Action)
				}
				if p, _, _ := strings.Cut(c.Action, ":"); p != iamPrefix(m.SigningName) && !notInReference[c.Action] {
					t.Errorf("%s %s: action %s of another service", m.Name, op.Name, c.Action)
				}
			}
		}
	}
	t.Logf("%d checks", n)
}

func checksOf(service, op string, in any) []Check {
	return For(&Request{Service: service, Operation: op, Input: in, Account: "111122223333", Region: "eu-west-1"})
}

func sameChecks(t *testing.T, name string, got []Check, want ...string) {
	t.Helper()
	var g []string
	for _, c := range got {
		g = append(g, c.Action+" "+c.Resource)
	}
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", name, g, want)
	}
}

// TestMappings are the hand-checked exceptions and ARNs built from the
// reference's formats, as the Service Authorization Reference states them.
func TestMappings(t *testing.T) {
	s := api.String
	sameChecks(t, "ListObjectsV2", checksOf("s3", "ListObjectsV2", &s3.ListObjectsV2Request{Bucket: s("b")}),
		"s3:ListBucket arn:aws:s3:::b")
	sameChecks(t, "HeadObject", checksOf("s3", "HeadObject", &s3.HeadObjectRequest{Bucket: s("b"), Key: s("k/x")}),
		"s3:GetObject arn:aws:s3:::b/k/x")
	sameChecks(t, "CopyObject", checksOf("s3", "CopyObject", &s3.CopyObjectRequest{Bucket: s("b"), Key: s("k"), CopySource: s("/src/a%20b?versionId=1")}),
		"s3:PutObject arn:aws:s3:::b/k", "s3:GetObject arn:aws:s3:::src/a b")
	sameChecks(t, "DeleteBucketMetricsConfiguration", checksOf("s3", "DeleteBucketMetricsConfiguration", &s3.DeleteBucketMetricsConfigurationRequest{Bucket: s("b")}),
		"s3:PutMetricsConfiguration arn:aws:s3:::b")
	sameChecks(t, "PartiQL select on an index", checksOf("dynamodb", "ExecuteStatement", &dynamodb.ExecuteStatementInput{Statement: s(`SELECT * FROM "my.table"."byDate" WHERE pk = ?`)}),
		"dynamodb:PartiQLSelect arn:aws:dynamodb:eu-west-1:111122223333:table/my.table/index/byDate")
	sameChecks(t, "PartiQL transaction", checksOf("dynamodb", "ExecuteTransaction", &dynamodb.ExecuteTransactionInput{TransactStatements: []*dynamodb.ParameterizedStatement{
		{Statement: s(`INSERT INTO t VALUE {'pk': 1}`)}, {Statement: s(`update "u" SET a = 1 WHERE pk = 2`)}, {Statement: s(`DELETE FROM "t" WHERE pk = 3`)}}}),
		"dynamodb:PartiQLInsert arn:aws:dynamodb:eu-west-1:111122223333:table/t",
		"dynamodb:PartiQLUpdate arn:aws:dynamodb:eu-west-1:111122223333:table/u",
		"dynamodb:PartiQLDelete arn:aws:dynamodb:eu-west-1:111122223333:table/t")
	sameChecks(t, "TransactWriteItems", checksOf("dynamodb", "TransactWriteItems", &dynamodb.TransactWriteItemsInput{TransactItems: []*dynamodb.TransactWriteItem{
		{Put: &dynamodb.Put{TableName: s("a")}}, {Delete: &dynamodb.Delete{TableName: s("b")}}}}),
		"dynamodb:PutItem arn:aws:dynamodb:eu-west-1:111122223333:table/a",
		"dynamodb:DeleteItem arn:aws:dynamodb:eu-west-1:111122223333:table/b")
	// Glue checks the catalog, the database and the table, as AWS documents
	// for its Data Catalog resources.
	sameChecks(t, "glue GetTable", checksOf("glue", "GetTable", &glue.GetTableRequest{DatabaseName: s("db"), Name: s("t")}),
		"glue:GetTable arn:aws:glue:eu-west-1:111122223333:database/db",
		"glue:GetTable arn:aws:glue:eu-west-1:111122223333:catalog",
		"glue:GetTable arn:aws:glue:eu-west-1:111122223333:table/db/t")
	sameChecks(t, "glue GetDatabase", checksOf("glue", "GetDatabase", &glue.GetDatabaseRequest{Name: s("db")}),
		"glue:GetDatabase arn:aws:glue:eu-west-1:111122223333:database/db",
		"glue:GetDatabase arn:aws:glue:eu-west-1:111122223333:catalog")
	sameChecks(t, "athena StartQueryExecution", checksOf("athena", "StartQueryExecution", &athena.StartQueryExecutionInput{WorkGroup: s("wg")}),
		"athena:StartQueryExecution arn:aws:athena:eu-west-1:111122223333:workgroup/wg")
	sameChecks(t, "events PutRule", checksOf("events", "PutRule", &events.PutRuleRequest{Name: s("r")}),
		"events:PutRule arn:aws:events:eu-west-1:111122223333:rule/r")
	sameChecks(t, "cloudwatch PutMetricAlarm", checksOf("monitoring", "PutMetricAlarm", &cloudwatch.PutMetricAlarmInput{AlarmName: s("a")}),
		"cloudwatch:PutMetricAlarm arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a")
	sameChecks(t, "sqs SendMessageBatch", checksOf("sqs", "SendMessageBatch", &sqs.SendMessageBatchRequest{QueueUrl: s("http://h/111122223333/q")}),
		"sqs:SendMessage arn:aws:sqs:eu-west-1:111122223333:q")
	sameChecks(t, "lambda Invoke", checksOf("lambda", "Invoke", &lambda.InvocationRequest{FunctionName: s("f"), Qualifier: s("live")}),
		"lambda:InvokeFunction arn:aws:lambda:eu-west-1:111122223333:function:f:live")
}

// TestResourcesMatchTheirFormats builds the checks of every operation with
// every string field of its input set, and checks each resource fits one of
// the ARN formats of its action's resource types.
func TestResourcesMatchTheirFormats(t *testing.T) {
	for _, m := range []*api.Service{athena.Service, cloudwatch.Service, events.Service, glue.Service, redshiftdata.Service, ce.Service} {
		for _, op := range m.Operations {
			in := op.NewInput()
			v := reflect.ValueOf(in).Elem()
			for i := 0; i < v.NumField(); i++ {
				if f := v.Field(i); f.Type() == reflect.TypeOf((*string)(nil)) && f.CanSet() {
					x := "v" + strconv.Itoa(i)
					f.Set(reflect.ValueOf(&x))
				}
			}
			for _, c := range checksOf(m.SigningName, op.Name, in) {
				a := Lookup(c.Action)
				if a == nil || c.Resource == "*" {
					continue
				}
				fits := false
				for _, ref := range a.Resources {
					rt := LookupService(iamPrefix(m.SigningName)).ResourceTypes[ref.Type]
					if rt != nil && policy.MatchARN(formatPattern(rt.ARN), c.Resource) {
						fits = true
					}
				}
				if !fits && !strings.HasPrefix(c.Resource, "v") {
					t.Errorf("%s %s: %s fits none of its resource types", m.Name, op.Name, c.Resource)
				}
			}
		}
	}
}

// formatPattern is an ARN format as a policy resource: each ${Variable} a *.
func formatPattern(f string) string {
	for {
		i := strings.Index(f, "${")
		if i < 0 {
			return f
		}
		j := strings.IndexByte(f[i:], '}')
		f = f[:i] + "*" + f[i+j+1:]
	}
}
