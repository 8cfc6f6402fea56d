package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func ddbClient(f *fogbank) *dynamodb.Client {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.Retryer = oneAttempt() })
}

func ddbS(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func ddbN(n int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: strconv.Itoa(n)} }

// ddbCreateTable makes a table keyed by pk (S) and sk (N).
func ddbCreateTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("by-g"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The path a pipeline takes: create a table, write, read, query in both
// directions with paging, query an index, update with expressions, delete.
func TestDynamoDBItemsSDK(t *testing.T) {
	f := start(t, "")
	c := ddbClient(f)
	ctx := context.Background()
	ddbCreateTable(t, c, "events")
	for i := 0; i < 25; i++ {
		item := map[string]types.AttributeValue{"pk": ddbS("user#1"), "sk": ddbN(i), "n": ddbN(i * 10)}
		if i%5 == 0 {
			item["g"] = ddbS("fives")
		}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("events"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("events"),
		Key: map[string]types.AttributeValue{"pk": ddbS("user#1"), "sk": ddbN(7)}})
	if err != nil {
		t.Fatal(err)
	}
	if n := got.Item["n"].(*types.AttributeValueMemberN).Value; n != "70" {
		t.Errorf("GetItem n = %s, want 70", n)
	}

	// Query newest first, 10 at a time, following LastEvaluatedKey.
	var seen []string
	var start map[string]types.AttributeValue
	for page := 0; ; page++ {
		out, err := c.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String("events"),
			KeyConditionExpression:    aws.String("pk = :p AND sk >= :lo"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": ddbS("user#1"), ":lo": ddbN(3)},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(10),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			seen = append(seen, it["sk"].(*types.AttributeValueMemberN).Value)
		}
		if out.LastEvaluatedKey == nil || page > 5 {
			break
		}
		start = out.LastEvaluatedKey
	}
	if len(seen) != 22 || seen[0] != "24" || seen[21] != "3" {
		t.Errorf("Query descending = %v, want 24 down to 3", seen)
	}

	gsi, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("by-g"),
		KeyConditionExpression:    aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": ddbS("fives")}})
	if err != nil {
		t.Fatal(err)
	}
	if gsi.Count != 5 {
		t.Errorf("GSI query Count = %d, want 5", gsi.Count)
	}

	up, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String("events"),
		Key:                       map[string]types.AttributeValue{"pk": ddbS("user#1"), "sk": ddbN(7)},
		UpdateExpression:          aws.String("SET n = n + :d, tags = list_append(if_not_exists(tags, :empty), :t) REMOVE g"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND n = :old"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": ddbN(5), ":old": ddbN(70), ":empty": &types.AttributeValueMemberL{}, ":t": &types.AttributeValueMemberL{Value: []types.AttributeValue{ddbS("x")}}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := up.Attributes["n"].(*types.AttributeValueMemberN).Value; n != "75" {
		t.Errorf("UPDATED_NEW n = %s, want 75", n)
	}

	// The same condition again fails: n is 75 now.
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String("events"),
		Key:                                 map[string]types.AttributeValue{"pk": ddbS("user#1"), "sk": ddbN(7)},
		UpdateExpression:                    aws.String("SET n = :d"),
		ConditionExpression:                 aws.String("n = :old"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":d": ddbN(1), ":old": ddbN(70)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("second conditional update: err = %v, want ConditionalCheckFailedException", err)
	}
	if n := ccf.Item["n"].(*types.AttributeValueMemberN).Value; n != "75" {
		t.Errorf("ConditionalCheckFailedException.Item n = %s, want 75", n)
	}

	var rnf *types.ResourceNotFoundException
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: map[string]types.AttributeValue{"pk": ddbS("a")}})
	if !errors.As(err, &rnf) {
		t.Errorf("GetItem on a missing table: err = %v, want ResourceNotFoundException", err)
	}

	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt64(d.Table.ItemCount); got != 25 {
		t.Errorf("ItemCount = %d, want 25", got)
	}
}

// Transactions are all or nothing, and concurrent conditional increments never
// lose an update.
func TestDynamoDBTransactionsSDK(t *testing.T) {
	f := start(t, "")
	c := ddbClient(f)
	ctx := context.Background()
	ddbCreateTable(t, c, "accounts")
	put := func(pk string, bal int) {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("accounts"),
			Item: map[string]types.AttributeValue{"pk": ddbS(pk), "sk": ddbN(0), "bal": ddbN(bal)}}); err != nil {
			t.Fatal(err)
		}
	}
	put("a", 100)
	put("b", 0)
	transfer := func(amount int) error {
		_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: aws.String("accounts"), Key: map[string]types.AttributeValue{"pk": ddbS("a"), "sk": ddbN(0)},
				UpdateExpression: aws.String("SET bal = bal - :x"), ConditionExpression: aws.String("bal >= :x"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":x": ddbN(amount)}}},
			{Update: &types.Update{TableName: aws.String("accounts"), Key: map[string]types.AttributeValue{"pk": ddbS("b"), "sk": ddbN(0)},
				UpdateExpression: aws.String("SET bal = bal + :x"), ExpressionAttributeValues: map[string]types.AttributeValue{":x": ddbN(amount)}}},
		}})
		return err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, cancelled := 0, 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := transfer(10)
			mu.Lock()
			defer mu.Unlock()
			var tce *types.TransactionCanceledException
			switch {
			case err == nil:
				ok++
			case errors.As(err, &tce):
				cancelled++
			default:
				t.Errorf("transfer: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 10 || cancelled != 6 {
		t.Errorf("transfers ok=%d cancelled=%d, want 10 and 6", ok, cancelled)
	}
	out, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"accounts": {Keys: []map[string]types.AttributeValue{{"pk": ddbS("a"), "sk": ddbN(0)}, {"pk": ddbS("b"), "sk": ddbN(0)}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, it := range out.Responses["accounts"] {
		n, _ := strconv.Atoi(it["bal"].(*types.AttributeValueMemberN).Value)
		total += n
	}
	if total != 100 {
		t.Errorf("sum of balances = %d, want 100", total)
	}
}

// Validation errors carry DynamoDB's words.
func TestDynamoDBValidationSDK(t *testing.T) {
	f := start(t, "")
	c := ddbClient(f)
	ctx := context.Background()
	ddbCreateTable(t, c, "val")
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"missing key", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("val"), Item: map[string]types.AttributeValue{"pk": ddbS("a")}})
			return err
		}, "One or more parameter values were invalid: Missing the key sk in the item"},
		{"key type", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("val"), Item: map[string]types.AttributeValue{"pk": ddbS("a"), "sk": ddbS("x")}})
			return err
		}, "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S"},
		{"unused value", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("val"), Key: map[string]types.AttributeValue{"pk": ddbS("a"), "sk": ddbN(1)},
				ProjectionExpression: aws.String("#a"), ExpressionAttributeNames: map[string]string{"#a": "a", "#b": "b"}})
			return err
		}, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"},
		{"reserved word", func() error {
			_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("val"), FilterExpression: aws.String("status = :s"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":s": ddbS("x")}})
			return err
		}, "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"38 digits", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("val"), Item: map[string]types.AttributeValue{"pk": ddbS("a"), "sk": ddbN(1),
				"n": &types.AttributeValueMemberN{Value: "1234567890123456789012345678901234567890"}}})
			return err
		}, "Attempting to store more than 38 significant digits in a Number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if got := fmt.Sprint(err); !strings.Contains(got, "ValidationException") || !strings.Contains(got, tc.want) {
				t.Errorf("error = %s, want ValidationException: %s", got, tc.want)
			}
		})
	}
}

// An expired item is removed by the TTL sweeper within seconds, an unexpired
// one stays, and the deletion is on the stream as the service's own.
func TestDynamoDBTTLSDK(t *testing.T) {
	f := start(t, "")
	c := ddbClient(f)
	ctx := context.Background()
	ddbCreateTable(t, c, "ttl")
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("ttl"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("exp")}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	for i, exp := range []int64{now - 60, now + 3600} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ttl"), Item: map[string]types.AttributeValue{
			"pk": ddbS("k"), "sk": ddbN(i), "exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(exp, 10)}}}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("ttl"), KeyConditionExpression: aws.String("pk = :k"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":k": ddbS("k")}, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Count == 1 {
			if sk := out.Items[0]["sk"].(*types.AttributeValueMemberN).Value; sk != "1" {
				t.Errorf("remaining item sk = %s, want 1 (the unexpired one)", sk)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("expired item still there after 10 s (Count = %d)", out.Count)
		}
		time.Sleep(200 * time.Millisecond)
	}
	d, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("ttl")})
	if err != nil {
		t.Fatal(err)
	}
	if d.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.TimeToLiveDescription.AttributeName) != "exp" {
		t.Errorf("DescribeTimeToLive = %+v, want ENABLED on exp", d.TimeToLiveDescription)
	}
}

// PartiQL statements run as the item API: INSERT refuses a duplicate key,
// SELECT on the partition key is a Query, UPDATE and DELETE need the full key.
func TestDynamoDBPartiQLSDK(t *testing.T) {
	f := start(t, "")
	c := ddbClient(f)
	ctx := context.Background()
	ddbCreateTable(t, c, "pqtable")
	exec := func(stmt string, params ...types.AttributeValue) (*dynamodb.ExecuteStatementOutput, error) {
		return c.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{Statement: aws.String(stmt), Parameters: params})
	}
	for i := 0; i < 3; i++ {
		if _, err := exec(`INSERT INTO "pqtable" VALUE {'pk': 'a', 'sk': ?, 'v': 'x'}`, ddbN(i)); err != nil {
			t.Fatal(err)
		}
	}
	var dup *types.DuplicateItemException
	if _, err := exec(`INSERT INTO "pqtable" VALUE {'pk': 'a', 'sk': 1}`); !errors.As(err, &dup) {
		t.Errorf("duplicate INSERT: err = %v, want DuplicateItemException", err)
	}
	if _, err := exec(`UPDATE "pqtable" SET v = 'y' WHERE pk = 'a' AND sk = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := exec(`DELETE FROM "pqtable" WHERE pk = 'a' AND sk = 0`); err != nil {
		t.Fatal(err)
	}
	out, err := exec(`SELECT sk, v FROM "pqtable" WHERE pk = 'a' AND sk >= 1`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range out.Items {
		got = append(got, it["sk"].(*types.AttributeValueMemberN).Value+"="+it["v"].(*types.AttributeValueMemberS).Value)
	}
	if fmt.Sprint(got) != "[1=x 2=y]" {
		t.Errorf("SELECT = %v, want [1=x 2=y]", got)
	}
}

// encodingRecorder remembers the Content-Encoding and length of the last answer
// as they came over the wire.
type encodingRecorder struct {
	next     http.RoundTripper
	encoding string
	length   int64
}

func (r *encodingRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		r.encoding, r.length = resp.Header.Get("Content-Encoding"), resp.ContentLength
	}
	return resp, err
}

// DynamoDB gzips answers over 4 KiB for a client that accepts it (the SDK's
// EnableAcceptEncodingGzip), with x-amz-crc32 over the compressed bytes (the
// SDK checks it before it decompresses), and never for one that does not.
func TestDynamoDBCompressedResponsesSDK(t *testing.T) {
	f := start(t, "")
	ctx := context.Background()
	plain := ddbClient(f)
	ddbCreateTable(t, plain, "big")
	rec := &encodingRecorder{next: &http.Transport{DisableCompression: true}}
	gz := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  &http.Client{Transport: rec}},
		func(o *dynamodb.Options) { o.Retryer = oneAttempt(); o.EnableAcceptEncodingGzip = true })
	large := strings.Repeat("compressible ", 2000) // 26,000 bytes
	for _, it := range []struct {
		sk   int
		text string
	}{{1, large}, {2, "small"}} {
		if _, err := plain.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("big"),
			Item: map[string]types.AttributeValue{"pk": ddbS("p"), "sk": ddbN(it.sk), "text": ddbS(it.text)}}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(c *dynamodb.Client, sk int) string {
		t.Helper()
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("big"),
			Key: map[string]types.AttributeValue{"pk": ddbS("p"), "sk": ddbN(sk)}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item["text"].(*types.AttributeValueMemberS).Value
	}
	if got := get(gz, 1); got != large {
		t.Fatalf("large item through gzip: got %d bytes, want %d", len(got), len(large))
	}
	if rec.encoding != "gzip" || rec.length <= 0 || rec.length > int64(len(large))/10 {
		t.Errorf("large answer: Content-Encoding %q, %d bytes on the wire; want gzip, well under %d", rec.encoding, rec.length, len(large))
	}
	if got := get(gz, 2); got != "small" || rec.encoding != "" {
		t.Errorf("small answer: %q with Content-Encoding %q, want it plain", got, rec.encoding)
	}
	// A Query page of both, and the plain client: nothing compressed for it.
	out, err := gz.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("big"),
		KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": ddbS("p")}})
	if err != nil || len(out.Items) != 2 || rec.encoding != "gzip" {
		t.Errorf("query through gzip: %v, %d items, Content-Encoding %q", err, len(out.Items), rec.encoding)
	}
	if got := get(plain, 1); got != large {
		t.Errorf("large item, plain client: got %d bytes", len(got))
	}
}
