package e2e

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// kill -9 during parallel conditional writes and transactions, then restart on
// the same data directory: every acknowledged write is there, and no
// transaction is half applied.
func TestDynamoDBKill9Durability(t *testing.T) {
	dir := t.TempDir()
	f := start(t, dir)
	c := ddbClient(f)
	ctx := context.Background()
	ddbCreateTable(t, c, "durable")

	const writers = 8
	acked := make([]int, writers)   // last value acknowledged per counter
	txAcked := make([]int, writers) // last transaction acknowledged per pair
	var mu sync.Mutex               // guards acked and txAcked
	stop := make(chan struct{})
	var wg sync.WaitGroup
	key := func(pk string, i int) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": ddbS(pk), "sk": ddbN(i)}
	}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := 1; ; v++ {
				select {
				case <-stop:
					return
				default:
				}
				// Conditional increment: v-1 must be what is stored.
				cond := "attribute_not_exists(v)"
				vals := map[string]types.AttributeValue{":v": ddbN(v)}
				if v > 1 {
					cond = "v = :prev"
					vals[":prev"] = ddbN(v - 1)
				}
				_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("durable"), Key: key("counter", w),
					UpdateExpression: aws.String("SET v = :v"), ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[w] = v
				mu.Unlock()
				// A transaction writing the same value to two items.
				_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
					{Put: &types.Put{TableName: aws.String("durable"), Item: map[string]types.AttributeValue{"pk": ddbS("left"), "sk": ddbN(w), "v": ddbN(v)}}},
					{Put: &types.Put{TableName: aws.String("durable"), Item: map[string]types.AttributeValue{"pk": ddbS("right"), "sk": ddbN(w), "v": ddbN(v)}}},
				}})
				if err != nil {
					return
				}
				mu.Lock()
				txAcked[w] = v
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	f.cmd.Process.Kill() // SIGKILL: no shutdown, no flush
	f.cmd.Wait()
	close(stop)
	wg.Wait()

	f2 := start(t, dir)
	c2 := ddbClient(f2)
	read := func(pk string, i int) (int, bool) {
		out, err := c2.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("durable"), Key: key(pk, i), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item == nil {
			return 0, false
		}
		n, _ := strconv.Atoi(out.Item["v"].(*types.AttributeValueMemberN).Value)
		return n, true
	}
	total := 0
	for w := 0; w < writers; w++ {
		got, _ := read("counter", w)
		total += acked[w]
		// The write in flight at the kill may or may not have committed.
		if got < acked[w] || got > acked[w]+1 {
			t.Errorf("counter %d = %d after restart, acknowledged %d", w, got, acked[w])
		}
		l, lok := read("left", w)
		r, rok := read("right", w)
		if lok != rok || l != r {
			t.Errorf("transaction %d half applied: left=%d (%v) right=%d (%v)", w, l, lok, r, rok)
		}
		if l < txAcked[w] {
			t.Errorf("transaction %d: stored %d, acknowledged %d", w, l, txAcked[w])
		}
	}
	if total == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	t.Logf("%d conditional writes acknowledged before kill -9, all present", total)
	var rnf *types.ResourceNotFoundException
	if _, err := c2.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("durable")}); errors.As(err, &rnf) {
		t.Fatal(fmt.Sprint("table lost: ", err))
	}
}
