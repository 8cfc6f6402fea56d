package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fogbank/fogbank/internal/ddbstream"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/server"
	"github.com/fogbank/fogbank/internal/services/all"
)

// A DynamoDB stream is an outbox topic: a durable consumer (as Lambda's event
// source mapping will be) subscribes to it and is handed each record written by
// aws-sdk-go-v2 PutItems, in order, and after a restart it resumes where it
// acknowledged, given only what came since.
func TestDynamoDBStreamConsumer(t *testing.T) {
	dir := t.TempDir()
	startAt := func() *server.Server {
		srv, err := server.Start(server.Options{Addr: "127.0.0.1:0", DataDir: dir, NoSync: true, Models: all.Models(),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	client := func(srv *server.Server) *dynamodb.Client {
		return dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	}
	ctx := context.Background()
	var (
		mu   sync.Mutex // guards got
		got  []string
		more = make(chan struct{}, 100)
	)
	consume := func(evs []outbox.Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range evs {
			r, err := ddbstream.Decode(ev)
			if err != nil {
				return err
			}
			var keys map[string]struct{ S string }
			if err := json.Unmarshal(r.Keys, &keys); err != nil {
				return err
			}
			got = append(got, fmt.Sprintf("%s %s %d", r.EventName, keys["pk"].S, r.Seq))
		}
		more <- struct{}{}
		return nil
	}
	waitFor := func(n int) []string {
		for {
			mu.Lock()
			if len(got) >= n {
				out := append([]string(nil), got...)
				mu.Unlock()
				return out
			}
			mu.Unlock()
			<-more
		}
	}
	put := func(c *dynamodb.Client, k string) {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("events"),
			Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: k}}}); err != nil {
			t.Fatal(err)
		}
	}

	srv := startAt()
	c := client(srv)
	out, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("events"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeKeysOnly}})
	if err != nil {
		t.Fatal(err)
	}
	topic := ddbstream.Topic("000000000000", "us-east-1", aws.ToString(out.TableDescription.LatestStreamArn))
	if _, err := srv.Outbox.Subscribe(topic, "esm", consume); err != nil {
		t.Fatal(err)
	}
	put(c, "a")
	put(c, "b")
	if g := waitFor(2); g[0] != "INSERT a 1" || g[1] != "INSERT b 2" {
		t.Errorf("before restart: %q", g)
	}
	srv.Close()

	srv = startAt()
	defer srv.Close()
	put(client(srv), "c")
	if _, err := srv.Outbox.Subscribe(topic, "esm", consume); err != nil {
		t.Fatal(err)
	}
	if g := waitFor(3); len(g) != 3 || g[2] != "INSERT c 3" {
		t.Errorf("after restart: %q, want only c's record added", g)
	}
}
