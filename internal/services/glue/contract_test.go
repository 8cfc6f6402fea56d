package glue

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

func newTestService(t *testing.T) *Service {
	t.Helper()
	st, err := store.Open(store.Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s, err := New(&host.Env{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Service)
}

func TestContract(t *testing.T) {
	s := newTestService(t)
	const acct, region = "000000000000", "us-east-1"
	if _, err := s.CatalogTableJSON(acct, region, "db", "t"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing database: err = %v, want fs.ErrNotExist", err)
	}
	if err := s.CatalogPutDatabase(acct, region, "DB"); err != nil {
		t.Fatal(err)
	}
	if err := s.CatalogPutDatabase(acct, region, "db"); err != nil {
		t.Fatalf("second CatalogPutDatabase: %v", err)
	}
	if dbs, err := s.CatalogDatabases(acct, region); err != nil || len(dbs) != 1 || dbs[0] != "db" {
		t.Fatalf("CatalogDatabases = %v, %v", dbs, err)
	}
	in := `{"Name":"Sales","TableType":"EXTERNAL_TABLE","Parameters":{"classification":"parquet"},
		"StorageDescriptor":{"Columns":[{"Name":"id","Type":"bigint"}],"Location":"s3://b/sales/"},
		"PartitionKeys":[{"Name":"dt","Type":"date"}]}`
	if err := s.CatalogPutTableJSON(acct, region, "db", []byte(in)); err != nil {
		t.Fatal(err)
	}
	if err := s.CatalogPutTableJSON(acct, region, "db", []byte(in)); err != nil {
		t.Fatalf("replacing: %v", err)
	}
	raw, err := s.CatalogTableJSON(acct, region, "db", "SALES")
	if err != nil {
		t.Fatal(err)
	}
	var tb struct {
		Name, DatabaseName, VersionId string
		StorageDescriptor             struct{ Location string }
		PartitionKeys                 []struct{ Name, Type string }
	}
	if err := json.Unmarshal(raw, &tb); err != nil {
		t.Fatal(err)
	}
	if tb.Name != "sales" || tb.DatabaseName != "db" || tb.VersionId != "1" || tb.StorageDescriptor.Location != "s3://b/sales/" || len(tb.PartitionKeys) != 1 {
		t.Errorf("table = %s", raw)
	}
	parts := [][]byte{
		[]byte(`{"Values":["2026-11-01"],"StorageDescriptor":{"Location":"s3://b/sales/dt=2026-11-01/"}}`),
		[]byte(`{"Values":["2026-11-02"],"StorageDescriptor":{"Location":"s3://b/sales/dt=2026-11-02/"}}`),
	}
	if err := s.CatalogAddPartitionsJSON(acct, region, "db", "sales", parts); err != nil {
		t.Fatal(err)
	}
	if err := s.CatalogAddPartitionsJSON(acct, region, "db", "sales", parts[:1]); err != nil {
		t.Fatalf("adding an existing partition: %v", err)
	}
	ps, err := s.CatalogPartitionsJSON(acct, region, "db", "sales", "dt > '2026-11-01'")
	if err != nil || len(ps) != 1 {
		t.Fatalf("CatalogPartitionsJSON = %d, %v", len(ps), err)
	}
	if err := s.CatalogDeletePartitions(acct, region, "db", "sales", [][]string{{"2026-11-01"}, {"1999-01-01"}}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.CatalogPartitionsJSON(acct, region, "db", "sales", ""); len(ps) != 1 {
		t.Fatalf("after delete: %d partitions", len(ps))
	}
	if err := s.CatalogDeleteTable(acct, region, "db", "sales"); err != nil {
		t.Fatal(err)
	}
	if err := s.CatalogDeleteTable(acct, region, "db", "sales"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("deleting again: %v", err)
	}
}

// A schedule fires for real: the service's clock is set 300 ms before a
// minute, so cron(* * * * ? *) starts the crawler 300 ms later (the crawl
// then fails: this bare service has no S3 to read).
func TestScheduleFires(t *testing.T) {
	s := newTestService(t)
	real := time.Now()
	next := real.Truncate(time.Minute).Add(time.Minute)
	delta := next.Sub(real) - 300*time.Millisecond
	s.now = func() time.Time { return time.Now().Add(delta) }
	ctx := api.WithCaller(context.Background(), &api.Caller{Account: "000000000000", Region: "us-east-1"})
	_, err := s.CreateCrawler(ctx, &glueapi.CreateCrawlerRequest{Name: api.String("tick"), Role: api.String("r"),
		DatabaseName: api.String("d"), Schedule: api.String("cron(* * * * ? *)"),
		Targets: &glueapi.CrawlerTargets{S3Targets: []*glueapi.S3Target{{Path: api.String("s3://bkt/x/")}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, err := s.GetCrawler(ctx, &glueapi.GetCrawlerRequest{Name: api.String("tick")})
		if err != nil {
			t.Fatal(err)
		}
		if lc := out.Crawler.LastCrawl; lc != nil && api.ToString(out.Crawler.State) == "READY" {
			if api.ToString(lc.Status) != "FAILED" || lc.StartTime.Before(next) {
				t.Errorf("LastCrawl = %+v", lc)
			}
			if api.ToString(out.Crawler.Schedule.State) != "SCHEDULED" {
				t.Errorf("schedule state = %s", api.ToString(out.Crawler.Schedule.State))
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the schedule did not fire")
}
