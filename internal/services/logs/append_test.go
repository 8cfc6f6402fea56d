package logs

import (
	"context"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	logsapi "github.com/fogbank/fogbank/internal/api/logs"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

// AppendLogEvents creates what is missing and is found by the method's
// signature alone, as other services look it up.
func TestAppendLogEvents(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	impl, err := New(&host.Env{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	app, ok := impl.(interface {
		AppendLogEvents(account, region, group, stream string, timestampsMs []int64, messages []string) error
	})
	if !ok {
		t.Fatal("the service does not have AppendLogEvents")
	}
	now := time.Now().UnixMilli()
	if err := app.AppendLogEvents("111111111111", "eu-west-1", "/aws/lambda/f", "2026/12/04/[$LATEST]abc", []int64{now, now + 1, now + 2}, []string{"START", "", "END"}); err != nil {
		t.Fatal(err)
	}
	if err := app.AppendLogEvents("111111111111", "eu-west-1", "/aws/lambda/f", "2026/12/04/[$LATEST]abc", []int64{now + 3}, []string{"REPORT"}); err != nil {
		t.Fatal(err)
	}
	s := impl.(*Service)
	ctx := api.WithCaller(context.Background(), &api.Caller{Account: "111111111111", Region: "eu-west-1"})
	out, err := s.GetLogEvents(ctx, &logsapi.GetLogEventsRequest{LogGroupName: api.String("/aws/lambda/f"), LogStreamName: api.String("2026/12/04/[$LATEST]abc"), StartFromHead: api.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range out.Events {
		got = append(got, *e.Message)
	}
	if len(got) != 3 || got[0] != "START" || got[1] != "END" || got[2] != "REPORT" {
		t.Errorf("events %q", got)
	}
	if err := app.AppendLogEvents("1", "r", "g", "s", []int64{1}, nil); err == nil {
		t.Error("mismatched lengths accepted")
	}
	if err := st.Check(); err != nil {
		t.Error(err)
	}
}
