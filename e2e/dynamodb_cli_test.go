package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// Both CLI generations: create a table, write and read items, a conditional
// write that fails as AWS's does, then delete the table.
func TestDynamoDBCLI(t *testing.T) {
	f := start(t, "")
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			table := "cli-" + c.name
			aws := func(args ...string) (string, string, int) {
				return f.run(t, nil, c.bin, append([]string{"--endpoint-url", f.URL, "--output", "json", "dynamodb"}, args...)...)
			}
			mustRun := func(args ...string) string {
				out, errOut, code := aws(args...)
				if code != 0 {
					t.Fatalf("dynamodb %s: exit %d: %s", args[0], code, errOut)
				}
				return out
			}
			mustRun("create-table", "--table-name", table,
				"--attribute-definitions", "AttributeName=id,AttributeType=S",
				"--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
			mustRun("wait", "table-exists", "--table-name", table)
			mustRun("put-item", "--table-name", table, "--item", `{"id":{"S":"a"},"n":{"N":"1.50"},"tags":{"SS":["x","y"]}}`)
			var got struct{ Item map[string]map[string]any }
			if err := json.Unmarshal([]byte(mustRun("get-item", "--table-name", table, "--key", `{"id":{"S":"a"}}`, "--consistent-read")), &got); err != nil {
				t.Fatal(err)
			}
			if n := got.Item["n"]["N"]; n != "1.5" {
				t.Errorf("n = %v, want 1.5 (DynamoDB's canonical form)", n)
			}
			_, errOut, code := aws("put-item", "--table-name", table, "--item", `{"id":{"S":"a"}}`,
				"--condition-expression", "attribute_not_exists(id)")
			if code == 0 || !strings.Contains(errOut, "ConditionalCheckFailedException") {
				t.Errorf("conditional put: exit %d, stderr %q; want ConditionalCheckFailedException", code, errOut)
			}
			var scan struct{ Count int }
			if err := json.Unmarshal([]byte(mustRun("scan", "--table-name", table, "--select", "COUNT")), &scan); err != nil {
				t.Fatal(err)
			}
			if scan.Count != 1 {
				t.Errorf("scan Count = %d, want 1", scan.Count)
			}
			var list struct{ TableNames []string }
			json.Unmarshal([]byte(mustRun("list-tables")), &list)
			if !strings.Contains(strings.Join(list.TableNames, ","), table) {
				t.Errorf("list-tables = %v, want %s in it", list.TableNames, table)
			}
			mustRun("delete-table", "--table-name", table)
		})
	}
}

// boto3 of both generations through the resource API (Decimal numbers, key
// conditions, the batch writer) and DynamoDB Streams.
func TestDynamoDBBoto3(t *testing.T) {
	f := start(t, "")
	script := `
import boto3, os, json, sys
from decimal import Decimal
from boto3.dynamodb.conditions import Key, Attr
kw = dict(endpoint_url=os.environ["FOGBANK_URL"], region_name="us-east-1")
ddb = boto3.resource("dynamodb", **kw)
name = "boto-" + sys.argv[1]
t = ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
    BillingMode="PAY_PER_REQUEST", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
t.wait_until_exists()
with t.batch_writer() as b:
    for i in range(30):
        b.put_item(Item={"pk": "p", "sk": i, "price": Decimal("0.1") * i, "kind": "odd" if i % 2 else "even"})
r = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(10, 19), FilterExpression=Attr("kind").eq("odd"))
t.update_item(Key={"pk": "p", "sk": 1}, UpdateExpression="ADD hits :one", ExpressionAttributeValues={":one": 1})
s = boto3.client("dynamodbstreams", **kw)
arn = s.list_streams(TableName=name)["Streams"][0]["StreamArn"]
shard = s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
it = s.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
recs = s.get_records(ShardIterator=it)["Records"]
print(json.dumps({"count": r["Count"], "scanned": r["ScannedCount"], "first": int(r["Items"][0]["sk"]),
    "price": str(r["Items"][0]["price"]), "events": [x["eventName"] for x in recs][-2:], "n": len(recs)}))
`
	for _, p := range pythons {
		t.Run(p.name, func(t *testing.T) {
			needBoto3(t, p.bin)
			out, errOut, code := f.run(t, nil, p.bin, "-c", script, p.name)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			want := `{"count": 5, "scanned": 10, "first": 11, "price": "1.1", "events": ["INSERT", "MODIFY"], "n": 31}`
			if strings.TrimSpace(out) != want {
				t.Errorf("got %s, want %s", out, want)
			}
		})
	}
}
