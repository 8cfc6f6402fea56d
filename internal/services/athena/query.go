package athena

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"io"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	aapi "github.com/fogbank/fogbank/internal/api/athena"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// S3 is what Athena calls on S3 with the query's caller: writing the result
// objects, reading them back for GetQueryResults, listing for MSCK REPAIR.
type S3 interface {
	PutObject(ctx context.Context, in *s3api.PutObjectRequest) (*s3api.PutObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3api.CreateMultipartUploadRequest) (*s3api.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3api.UploadPartRequest) (*s3api.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3api.CompleteMultipartUploadRequest) (*s3api.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3api.AbortMultipartUploadRequest) (*s3api.AbortMultipartUploadOutput, error)
	GetObject(ctx context.Context, in *s3api.GetObjectRequest) (*s3api.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3api.ListObjectsV2Request) (*s3api.ListObjectsV2Output, error)
}

// execution is one query execution's record (bucket athena/queries, key
// account/region/id).
type execution struct {
	ID               string
	Account, Region  string
	Caller           api.Caller
	Query            string
	StatementType    string
	SubstatementType string
	WorkGroup        string
	Database         string
	Catalog          string
	Output           string // s3://bucket/prefix/ the results go under
	ResultFile       string // s3://... of the result object, once written
	Manifest         string // s3://... of the data manifest (CTAS, INSERT INTO, UNLOAD)
	Params           []string
	State            string
	Reason           string
	ErrCategory      int64
	ErrType          int64
	Submitted        time.Time
	Started          time.Time
	Completed        time.Time
	Scanned          int64
	EngineMillis     int64
	Rows             int64
	ResultBytes      int64
	Header           bool // the result file's first line names the columns (SELECT)
	Columns          []column
	UpdateCount      *int64
	Token            string
	// ResultReuseByAgeConfiguration as asked, and whether this execution
	// answered with an earlier one's result.
	ReuseEnabled bool
	ReuseMaxAge  int64
	Reused       bool
}

type column struct {
	Name      string
	Type      string // Athena's name: varchar, bigint...
	Precision int64
	Scale     int64
}

// queryError is a query's failure as Athena reports it.
type queryError struct {
	cat, typ  int64
	msg       string
	cancelled bool // the work group's limit stopped it: CANCELLED, not FAILED
}

func (e *queryError) Error() string { return e.msg }

func userError(format string, args ...any) *queryError {
	return &queryError{cat: 2, typ: 1000, msg: fmt.Sprintf(format, args...)}
}

func (e *execution) finished() bool {
	return e.State == "SUCCEEDED" || e.State == "FAILED" || e.State == "CANCELLED"
}

func (e *execution) api() *aapi.QueryExecution {
	q := &aapi.QueryExecution{
		QueryExecutionId: api.String(e.ID),
		Query:            api.String(e.Query),
		StatementType:    api.String(e.StatementType),
		WorkGroup:        api.String(e.WorkGroup),
		QueryExecutionContext: &aapi.QueryExecutionContext{
			Database: api.String(e.Database), Catalog: api.String(e.Catalog)},
		ResultConfiguration: &aapi.ResultConfiguration{},
		Status: &aapi.QueryExecutionStatus{State: api.String(e.State),
			SubmissionDateTime: tp(e.Submitted)},
		EngineVersion: &aapi.EngineVersion{SelectedEngineVersion: api.String("AUTO"), EffectiveEngineVersion: api.String(engineVersion)},
		ResultReuseConfiguration: &aapi.ResultReuseConfiguration{
			ResultReuseByAgeConfiguration: &aapi.ResultReuseByAgeConfiguration{Enabled: api.Bool(e.ReuseEnabled)}},
	}
	if e.ReuseEnabled {
		q.ResultReuseConfiguration.ResultReuseByAgeConfiguration.MaxAgeInMinutes = api.Int64(e.ReuseMaxAge)
	}
	if e.SubstatementType != "" {
		q.SubstatementType = api.String(e.SubstatementType)
	}
	if e.Database == "" {
		q.QueryExecutionContext.Database = nil
	}
	if len(e.Params) > 0 {
		q.ExecutionParameters = e.Params
	}
	if e.ResultFile != "" {
		q.ResultConfiguration.OutputLocation = api.String(e.ResultFile)
	} else {
		q.ResultConfiguration.OutputLocation = api.String(e.Output + e.ID + e.ext())
	}
	st := &aapi.QueryExecutionStatistics{
		DataScannedInBytes:     api.Int64(e.Scanned),
		QueryQueueTimeInMillis: api.Int64(0),
		ResultReuseInformation: &aapi.ResultReuseInformation{ReusedPreviousResult: api.Bool(e.Reused)},
	}
	if e.Manifest != "" {
		st.DataManifestLocation = api.String(e.Manifest)
	}
	if !e.Started.IsZero() {
		st.QueryQueueTimeInMillis = api.Int64(e.Started.Sub(e.Submitted).Milliseconds())
	}
	if e.finished() {
		q.Status.CompletionDateTime = tp(e.Completed)
		total := e.Completed.Sub(e.Submitted).Milliseconds()
		st.TotalExecutionTimeInMillis = api.Int64(total)
		st.EngineExecutionTimeInMillis = api.Int64(e.EngineMillis)
		st.ServicePreProcessingTimeInMillis = api.Int64(0)
		st.QueryPlanningTimeInMillis = api.Int64(0)
		st.ServiceProcessingTimeInMillis = api.Int64(max(0, total-e.EngineMillis-api.ToInt64(st.QueryQueueTimeInMillis)))
	}
	q.Statistics = st
	if e.Reason != "" {
		q.Status.StateChangeReason = api.String(e.Reason)
	}
	if e.State == "FAILED" {
		q.Status.AthenaError = &aapi.AthenaError{ErrorCategory: api.Int64(e.ErrCategory), ErrorType: api.Int64(e.ErrType),
			Retryable: api.Bool(e.ErrCategory == 1 && e.ErrType != 206), ErrorMessage: api.String(e.Reason)}
	}
	return q
}

// ext is the result object's extension: .csv for a query's rows (with their
// header line), .txt for what DDL and utility statements print.
func (e *execution) ext() string {
	if e.ResultFile != "" {
		return path.Ext(e.ResultFile)
	}
	if e.StatementType == "DML" {
		return ".csv"
	}
	return ".txt"
}

func (s *Service) saveExec(e *execution) error {
	return s.st.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket(root, "queries")
		if err != nil {
			return err
		}
		return b.PutJSON(key(e.Account, e.Region, e.ID), e)
	})
}

func (s *Service) loadExec(ctx context.Context, id string) (*execution, error) {
	c := api.CallerFrom(ctx)
	var e *execution
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "queries")
		if b == nil || b.Get(key(c.Account, c.Region, id)) == nil {
			return nil
		}
		e = new(execution)
		return b.GetJSON(key(c.Account, c.Region, id), e)
	})
	if err == nil && e == nil {
		err = invalidCode("INVALID_INPUT", "QueryExecution %s was not found", id)
	}
	return e, err
}

// failInterrupted marks FAILED the queries a previous run of fogbank left
// queued or running: their process is gone.
func (s *Service) failInterrupted() error {
	var stale []*execution
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "queries")
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			e := new(execution)
			if err := json.Unmarshal(v, e); err != nil {
				return err
			}
			if !e.finished() {
				stale = append(stale, e)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, e := range stale {
		e.State, e.Reason, e.ErrCategory, e.ErrType = "FAILED", "GENERIC_INTERNAL_ERROR: fogbank stopped while the query ran", 1, 100
		e.Completed = s.now().UTC()
		if err := s.saveExec(e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) StartQueryExecution(ctx context.Context, in *aapi.StartQueryExecutionInput) (*aapi.StartQueryExecutionOutput, error) {
	c := api.CallerFrom(ctx)
	wgName := api.ToString(in.WorkGroup)
	if wgName == "" {
		wgName = "primary"
	}
	wg, err := s.getWorkGroup(ctx, wgName)
	if err != nil {
		return nil, err
	}
	if wg.State == "DISABLED" {
		return nil, invalid("WorkGroup %s is disabled.", wgName)
	}
	loc := ""
	enforce := wg.Config != nil && api.ToBool(wg.Config.EnforceWorkGroupConfiguration)
	if !enforce && in.ResultConfiguration != nil {
		loc = api.ToString(in.ResultConfiguration.OutputLocation)
	}
	if loc == "" && wg.Config != nil && wg.Config.ResultConfiguration != nil {
		loc = api.ToString(wg.Config.ResultConfiguration.OutputLocation)
	}
	if loc == "" {
		return nil, invalid("No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
	}
	if _, _, err := parseS3(loc); err != nil {
		return nil, err
	}
	if !strings.HasSuffix(loc, "/") {
		loc += "/"
	}
	token := api.ToString(in.ClientRequestToken)
	if token != "" {
		var id string
		s.st.View(func(tx *store.Tx) error {
			if b := tx.Bucket(root, "tokens"); b != nil {
				id = string(b.Get(key(c.Account, c.Region, token)))
			}
			return nil
		})
		if id != "" {
			return &aapi.StartQueryExecutionOutput{QueryExecutionId: api.String(id)}, nil
		}
	}
	db, catalog := "default", "AwsDataCatalog"
	if qc := in.QueryExecutionContext; qc != nil {
		if qc.Database != nil {
			db = strings.ToLower(*qc.Database)
		}
		if qc.Catalog != nil {
			catalog = *qc.Catalog
		}
	}
	if !strings.EqualFold(catalog, "AwsDataCatalog") {
		return nil, invalid("Catalog %s is not found: fogbank queries the Glue Data Catalog (AwsDataCatalog) only.", catalog)
	}
	e := &execution{ID: newID(), Account: c.Account, Region: c.Region, Caller: *c, Query: *in.QueryString,
		WorkGroup: wgName, Database: db, Catalog: "AwsDataCatalog", Output: loc, Params: in.ExecutionParameters,
		State: "QUEUED", Submitted: s.now().UTC(), Token: token}
	e.StatementType, e.SubstatementType = classify(sig(lex(trimStatement(e.Query))))
	if in.QueryExecutionContext == nil || in.QueryExecutionContext.Database == nil {
		e.Database = ""
	}
	if rr := in.ResultReuseConfiguration; rr != nil && rr.ResultReuseByAgeConfiguration != nil && api.ToBool(rr.ResultReuseByAgeConfiguration.Enabled) {
		e.ReuseEnabled, e.ReuseMaxAge = true, 60
		if m := rr.ResultReuseByAgeConfiguration.MaxAgeInMinutes; m != nil {
			e.ReuseMaxAge = *m
		}
		if prev := s.reusable(e); prev != nil {
			// Answered at once with the earlier result, which stays where it is.
			e.State, e.Reused = "SUCCEEDED", true
			e.Started, e.Completed = e.Submitted, e.Submitted
			e.ResultFile, e.ResultBytes, e.Rows, e.Header, e.Columns = prev.ResultFile, prev.ResultBytes, prev.Rows, prev.Header, prev.Columns
			e.UpdateCount = prev.UpdateCount
		}
	}
	err = s.st.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket(root, "queries")
		if err != nil {
			return err
		}
		if err := b.PutJSON(key(e.Account, e.Region, e.ID), e); err != nil {
			return err
		}
		if token != "" {
			tb, err := tx.CreateBucket(root, "tokens")
			if err != nil {
				return err
			}
			return tb.Put(key(c.Account, c.Region, token), []byte(e.ID))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if e.Reused {
		return &aapi.StartQueryExecutionOutput{QueryExecutionId: api.String(e.ID)}, nil
	}
	qctx, cancel := context.WithCancel(api.WithCaller(context.Background(), &e.Caller))
	s.mu.Lock()
	s.running[e.ID] = &live{cancel: cancel, done: make(chan struct{})}
	s.mu.Unlock()
	s.wg.Add(1)
	go s.run(qctx, e, wg)
	return &aapi.StartQueryExecutionOutput{QueryExecutionId: api.String(e.ID)}, nil
}

// reusable finds the execution whose result e may answer with, as Athena's
// result reuse does: the latest SUCCEEDED SELECT of the same text, in the
// same work group, database and catalogue, with the same parameters, that
// completed no longer than e's MaxAgeInMinutes ago.
func (s *Service) reusable(e *execution) *execution {
	if e.StatementType != "DML" || e.SubstatementType != "SELECT" || e.ReuseMaxAge <= 0 {
		return nil
	}
	since := e.Submitted.Add(-time.Duration(e.ReuseMaxAge) * time.Minute)
	var best *execution
	s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "queries")
		if b == nil {
			return nil
		}
		return b.ForEachPrefix(key(e.Account, e.Region, ""), func(k, v []byte) error {
			var p execution
			if json.Unmarshal(v, &p) != nil {
				return nil
			}
			if p.State == "SUCCEEDED" && p.Query == e.Query && p.WorkGroup == e.WorkGroup && p.Database == e.Database &&
				p.Catalog == e.Catalog && slices.Equal(p.Params, e.Params) && p.ResultFile != "" && !p.Completed.Before(since) &&
				(best == nil || p.Completed.After(best.Completed)) {
				best = &p
			}
			return nil
		})
	})
	return best
}

// classify names a statement's StatementType and SubstatementType.
func classify(st []token) (string, string) {
	switch {
	case words(st, "SELECT"), words(st, "WITH"), words(st, "VALUES"), words(st, "TABLE"), len(st) > 0 && st[0].text == "(":
		return "DML", "SELECT"
	case words(st, "INSERT"):
		return "DML", "INSERT"
	case words(st, "UNLOAD"):
		return "DML", "UNLOAD"
	case words(st, "EXPLAIN"):
		return "UTILITY", "EXPLAIN"
	case words(st, "SHOW"), words(st, "DESCRIBE"), words(st, "DESC"):
		return "UTILITY", "DESCRIBE"
	case words(st, "CREATE", "TABLE"):
		for _, t := range st {
			if t.kind == 'w' && t.val() == "AS" {
				return "DDL", "CREATE_TABLE_AS_SELECT"
			}
		}
		return "DDL", "CREATE_TABLE"
	case words(st, "EXECUTE"):
		return "DML", "EXECUTE"
	case words(st, "PREPARE"), words(st, "DEALLOCATE"):
		return "UTILITY", strings.ToUpper(st[0].text)
	}
	return "DDL", ""
}

// run executes e and records the outcome.
func (s *Service) run(ctx context.Context, e *execution, wg *workGroup) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		if l := s.running[e.ID]; l != nil {
			close(l.done) // the final state is saved: wake the polls waiting
		}
		delete(s.running, e.ID)
		s.mu.Unlock()
	}()
	// A query waits QUEUED for one of the engine's slots, as Athena queues
	// queries beyond its concurrency; QueryQueueTimeInMillis is that wait.
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		e.State, e.Reason, e.Completed = "CANCELLED", "Query was cancelled by user", s.now().UTC()
		s.saveExec(e)
		return
	}
	// Athena's quota on a query's running time: DML (SELECT, CTAS, INSERT
	// INTO, UNLOAD) has one, DDL a longer one.
	limit, _ := queryTimeout() // a bad value was refused at start
	if e.StatementType == "DDL" && e.SubstatementType != "CREATE_TABLE_AS_SELECT" {
		limit = ddlTimeout
	}
	ctx, stopTimer := context.WithTimeoutCause(ctx, limit, errQueryTimeout)
	defer stopTimer()
	e.State, e.Started = "RUNNING", s.now().UTC()
	s.saveExec(e)
	res, err := s.execute(ctx, e, wg)
	if err == nil && res != nil {
		err = s.publish(ctx, e, res)
	}
	e.Completed = s.now().UTC()
	var qe *queryError
	switch {
	case errors.Is(context.Cause(ctx), errQueryTimeout):
		e.State, e.Reason, e.ErrCategory, e.ErrType = "FAILED", "Query timeout", 1, 206
	case ctx.Err() != nil:
		e.State, e.Reason = "CANCELLED", "Query was cancelled by user"
	case errors.As(err, &qe) && qe.cancelled:
		e.State, e.Reason = "CANCELLED", qe.msg
	case errors.As(err, &qe):
		e.State, e.Reason, e.ErrCategory, e.ErrType = "FAILED", qe.msg, qe.cat, qe.typ
	case err != nil:
		s.log.Warn("athena query failed", "id", e.ID, "err", err)
		e.State, e.Reason, e.ErrCategory, e.ErrType = "FAILED", "GENERIC_INTERNAL_ERROR: "+err.Error(), 1, 100
	default:
		e.State = "SUCCEEDED"
	}
	// Keep the record consistent even if the store refuses (full disk): the
	// next start marks it FAILED.
	if err := s.saveExec(e); err != nil {
		s.log.Error("athena: saving query state", "id", e.ID, "err", err)
	}
	// The scratch directory goes once the outcome is known to callers:
	// removing a large query's links and spill files takes a while.
	if res != nil && res.dir != "" {
		os.RemoveAll(res.dir)
	}
}

// errQueryTimeout ends a query that ran past its timeout quota.
var errQueryTimeout error = lazy.Error("athena: query timeout")

// result is what a statement produced, in a local file until published.
type result struct {
	dir     string // the query's scratch directory, removed after
	file    string // rows: CSV (header line first when header) or tab-separated text
	header  bool
	columns []column
	rows    int64
	update  *int64
}

// publish writes the result file to the output location as Athena does:
// <id>.csv and <id>.csv.metadata for SELECT (and CTAS), <id>.txt for DDL and
// utility statements.
func (s *Service) publish(ctx context.Context, e *execution, res *result) error {
	e.Columns, e.Rows, e.Header, e.UpdateCount = res.columns, res.rows, res.header, res.update
	bucket, prefix, _ := parseS3(e.Output)
	ext := ".txt"
	if res.header {
		ext = ".csv"
	}
	name := prefix + e.ID + ext
	var body io.Reader = strings.NewReader("")
	var size int64
	if res.file != "" {
		f, err := os.Open(res.file)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		body, size = f, st.Size()
	}
	if s.s3 == nil {
		return errors.New("no S3 service")
	}
	ct := "text/csv"
	if ext == ".txt" {
		ct = "text/plain"
	}
	if err := s.putFile(ctx, bucket, name, body, size, ct); err != nil {
		return &queryError{cat: 1, typ: 401, msg: fmt.Sprintf("Unable to write results to %s: %v", e.Output, err)}
	}
	e.ResultFile, e.ResultBytes = "s3://"+bucket+"/"+name, size
	if ext == ".csv" {
		// Athena's .metadata file is a binary encoding of the column list;
		// fogbank writes the same list as JSON (no client is known to read it).
		meta, _ := json.Marshal(map[string]any{"columns": res.columns})
		if _, err := s.s3.PutObject(ctx, &s3api.PutObjectRequest{Bucket: api.String(bucket), Key: api.String(name + ".metadata"),
			Body: strings.NewReader(string(meta)), ContentLength: api.Int64(int64(len(meta))), ContentType: api.String("application/octet-stream")}); err != nil {
			return &queryError{cat: 1, typ: 401, msg: fmt.Sprintf("Unable to write results to %s: %v", e.Output, err)}
		}
	}
	return nil
}

// live is a query being run.
type live struct {
	cancel context.CancelFunc
	done   chan struct{} // closed once its final state is saved
}

// pollWait is how long GetQueryExecution holds a poll of an unfinished
// query for it to finish. Athena answers a poll in tens of milliseconds over
// the network; fogbank in a fraction of one, so a client polling in a tight
// loop (every 5 ms) spent a core's worth of CPU on its own and fogbank's
// answers, taken from the query it waits for (on two cores, ~15% of the
// engine's time in bench/athena-tpch.sh). Held polls end when the query
// does, so the client learns of it at once.
var pollWait = 50 * time.Millisecond

func (s *Service) GetQueryExecution(ctx context.Context, in *aapi.GetQueryExecutionInput) (*aapi.GetQueryExecutionOutput, error) {
	id := api.ToString(in.QueryExecutionId)
	e, err := s.loadExec(ctx, id)
	if err != nil {
		return nil, err
	}
	if !e.finished() && s.awaitEnd(ctx, id) {
		if e2, err := s.loadExec(ctx, id); err == nil {
			e = e2
		}
	}
	return &aapi.GetQueryExecutionOutput{QueryExecution: e.api()}, nil
}

// awaitEnd waits up to pollWait for query id to end, and tells whether it did
// (or may have: it is no longer running).
func (s *Service) awaitEnd(ctx context.Context, id string) bool {
	s.mu.Lock()
	l := s.running[id]
	s.mu.Unlock()
	if l == nil {
		return true // it ended since it was read
	}
	t := time.NewTimer(pollWait)
	defer t.Stop()
	select {
	case <-l.done:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

func (s *Service) BatchGetQueryExecution(ctx context.Context, in *aapi.BatchGetQueryExecutionInput) (*aapi.BatchGetQueryExecutionOutput, error) {
	out := &aapi.BatchGetQueryExecutionOutput{QueryExecutions: []*aapi.QueryExecution{}, UnprocessedQueryExecutionIds: []*aapi.UnprocessedQueryExecutionId{}}
	for _, id := range in.QueryExecutionIds {
		e, err := s.loadExec(ctx, id)
		if err != nil {
			out.UnprocessedQueryExecutionIds = append(out.UnprocessedQueryExecutionIds, &aapi.UnprocessedQueryExecutionId{
				QueryExecutionId: api.String(id), ErrorCode: api.String("INVALID_INPUT"), ErrorMessage: api.String("QueryExecution " + id + " was not found")})
			continue
		}
		out.QueryExecutions = append(out.QueryExecutions, e.api())
	}
	return out, nil
}

func (s *Service) ListQueryExecutions(ctx context.Context, in *aapi.ListQueryExecutionsInput) (*aapi.ListQueryExecutionsOutput, error) {
	c := api.CallerFrom(ctx)
	wgName := api.ToString(in.WorkGroup)
	if wgName == "" {
		wgName = "primary"
	}
	if _, err := s.getWorkGroup(ctx, wgName); err != nil {
		return nil, err
	}
	type item struct {
		id string
		at time.Time
	}
	var all []item
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "queries")
		if b == nil {
			return nil
		}
		return b.ForEachPrefix(key(c.Account, c.Region, ""), func(k, v []byte) error {
			var e struct {
				ID        string
				WorkGroup string
				Submitted time.Time
			}
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if e.WorkGroup == wgName {
				all = append(all, item{e.ID, e.Submitted})
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at.After(all[j].at) })
	got, next, err := page(all, in.NextToken, in.MaxResults, 50)
	if err != nil {
		return nil, err
	}
	out := &aapi.ListQueryExecutionsOutput{NextToken: next, QueryExecutionIds: []string{}}
	for _, it := range got {
		out.QueryExecutionIds = append(out.QueryExecutionIds, it.id)
	}
	return out, nil
}

func (s *Service) StopQueryExecution(ctx context.Context, in *aapi.StopQueryExecutionInput) (*aapi.StopQueryExecutionOutput, error) {
	e, err := s.loadExec(ctx, api.ToString(in.QueryExecutionId))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	l := s.running[e.ID]
	s.mu.Unlock()
	if l != nil {
		l.cancel()
	}
	return &aapi.StopQueryExecutionOutput{}, nil
}

func (s *Service) GetQueryRuntimeStatistics(ctx context.Context, in *aapi.GetQueryRuntimeStatisticsInput) (*aapi.GetQueryRuntimeStatisticsOutput, error) {
	e, err := s.loadExec(ctx, api.ToString(in.QueryExecutionId))
	if err != nil {
		return nil, err
	}
	q := e.api()
	st := q.Statistics
	return &aapi.GetQueryRuntimeStatisticsOutput{QueryRuntimeStatistics: &aapi.QueryRuntimeStatistics{
		Timeline: &aapi.QueryRuntimeStatisticsTimeline{
			QueryQueueTimeInMillis: st.QueryQueueTimeInMillis, ServicePreProcessingTimeInMillis: st.ServicePreProcessingTimeInMillis,
			QueryPlanningTimeInMillis: st.QueryPlanningTimeInMillis, EngineExecutionTimeInMillis: st.EngineExecutionTimeInMillis,
			ServiceProcessingTimeInMillis: st.ServiceProcessingTimeInMillis, TotalExecutionTimeInMillis: st.TotalExecutionTimeInMillis},
		Rows: &aapi.QueryRuntimeStatisticsRows{InputBytes: api.Int64(e.Scanned), OutputRows: api.Int64(e.Rows), OutputBytes: api.Int64(e.ResultBytes)},
	}}, nil
}

// resultToken is GetQueryResults' NextToken: where the next page begins in
// the result object.
type resultToken struct {
	Off  int64 `json:"o"`
	Rows int64 `json:"r"`
}

func (s *Service) GetQueryResults(ctx context.Context, in *aapi.GetQueryResultsInput) (*aapi.GetQueryResultsOutput, error) {
	e, err := s.loadExec(ctx, api.ToString(in.QueryExecutionId))
	if err != nil {
		return nil, err
	}
	switch e.State {
	case "QUEUED", "RUNNING":
		return nil, invalidCode("INVALID_INPUT", "Query has not yet finished. Current state: %s", e.State)
	case "FAILED", "CANCELLED":
		return nil, invalidCode("INVALID_INPUT", "Query did not finish successfully. Final query state: %s\n%s", e.State, e.Reason)
	}
	max := int64(1000)
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	var tok resultToken
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil || json.Unmarshal(b, &tok) != nil || tok.Off < 0 {
			return nil, invalid("Invalid NextToken")
		}
	}
	meta := &aapi.ResultSetMetadata{ColumnInfo: []*aapi.ColumnInfo{}}
	for _, c := range e.Columns {
		ci := &aapi.ColumnInfo{CatalogName: api.String("hive"), SchemaName: api.String(""), TableName: api.String(""),
			Name: api.String(c.Name), Label: api.String(c.Name), Type: api.String(c.Type),
			Precision: api.Int64(c.Precision), Scale: api.Int64(c.Scale), Nullable: api.String("UNKNOWN"),
			CaseSensitive: api.Bool(c.Type == "varchar" || c.Type == "char" || c.Type == "string")}
		meta.ColumnInfo = append(meta.ColumnInfo, ci)
	}
	out := &aapi.GetQueryResultsOutput{ResultSet: &aapi.ResultSet{Rows: []*aapi.Row{}, ResultSetMetadata: meta}, UpdateCount: api.Int64(0)}
	if e.UpdateCount != nil {
		out.UpdateCount = e.UpdateCount
	}
	if e.ResultFile == "" || e.ResultBytes == 0 || tok.Off >= e.ResultBytes {
		return out, nil
	}
	bucket, name, _ := parseS3(e.ResultFile)
	g, err := s.s3.GetObject(ctx, &s3api.GetObjectRequest{Bucket: api.String(bucket), Key: api.String(name),
		Range: api.String(fmt.Sprintf("bytes=%d-", tok.Off))})
	if err != nil {
		return nil, invalidCode("INVALID_INPUT", "Unable to read the query results at %s: %v", e.ResultFile, err)
	}
	defer g.Body.Close()
	br := bufio.NewReaderSize(g.Body, 64<<10)
	var n int64
	off := tok.Off
	if e.ext() == ".csv" {
		for n < max {
			rec, used, err := readRecord(br)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			off += used
			row := &aapi.Row{Data: make([]*aapi.Datum, len(rec))}
			for i, v := range rec {
				row.Data[i] = &aapi.Datum{VarCharValue: v} // nil: NULL
			}
			out.ResultSet.Rows = append(out.ResultSet.Rows, row)
			n++
		}
	} else {
		for n < max {
			line, err := br.ReadString('\n')
			if line == "" && err != nil {
				break
			}
			off += int64(len(line))
			fields := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
			row := &aapi.Row{}
			for _, f := range fields {
				row.Data = append(row.Data, &aapi.Datum{VarCharValue: api.String(f)})
			}
			out.ResultSet.Rows = append(out.ResultSet.Rows, row)
			n++
		}
	}
	if off < e.ResultBytes {
		b, _ := json.Marshal(resultToken{Off: off, Rows: tok.Rows + n})
		out.NextToken = api.String(base64.RawURLEncoding.EncodeToString(b))
	}
	return out, nil
}

// readRecord reads one line of a result CSV as the engine writes it: every
// value quoted, NULL an empty unquoted field. It returns the fields (nil for
// NULL) and the bytes it consumed.
func readRecord(r *bufio.Reader) ([]*string, int64, error) {
	var fields []*string
	var used int64
	for {
		c, err := r.ReadByte()
		if err != nil {
			if err == io.EOF && used > 0 {
				fields = append(fields, nil)
				return fields, used, nil
			}
			return nil, used, err
		}
		used++
		switch c {
		case '\n':
			fields = append(fields, nil)
			return fields, used, nil
		case ',':
			fields = append(fields, nil)
			continue
		case '"':
		default:
			// An unquoted value (not written by the engine): up to , or newline.
			var b strings.Builder
			b.WriteByte(c)
			for {
				c, err = r.ReadByte()
				if err != nil {
					v := b.String()
					return append(fields, &v), used, nil
				}
				used++
				if c == ',' || c == '\n' {
					break
				}
				b.WriteByte(c)
			}
			v := b.String()
			fields = append(fields, &v)
			if c == '\n' {
				return fields, used, nil
			}
			continue
		}
		var b strings.Builder
		for {
			c, err = r.ReadByte()
			if err != nil {
				return nil, used, io.ErrUnexpectedEOF
			}
			used++
			if c == '"' {
				next, err := r.ReadByte()
				if err == nil && next == '"' {
					used++
					b.WriteByte('"')
					continue
				}
				v := b.String()
				fields = append(fields, &v)
				if err != nil {
					return fields, used, nil
				}
				used++
				if next == '\n' {
					return fields, used, nil
				}
				break // next is the comma
			}
			b.WriteByte(c)
		}
	}
}

// Results larger than one PUT may hold (S3's 5 GiB) go up in parts, as
// Athena's own results of any size land as one object. Variables so that a
// test can cross the line with megabytes.
var (
	maxSinglePut int64 = 5 << 30
	resultPart   int64 = 1 << 30
)

// putFile stores size bytes of body (a file when size > 0) as one object:
// one PutObject, or a multipart upload past maxSinglePut. Memory stays flat
// either way: S3 streams each body into its blob.
func (s *Service) putFile(ctx context.Context, bucket, key string, body io.Reader, size int64, contentType string) error {
	var ct *string
	if contentType != "" {
		ct = api.String(contentType)
	}
	if size <= maxSinglePut {
		_, err := s.s3.PutObject(ctx, &s3api.PutObjectRequest{Bucket: api.String(bucket), Key: api.String(key),
			Body: body, ContentLength: api.Int64(size), ContentType: ct})
		return err
	}
	ra, ok := body.(io.ReaderAt)
	if !ok {
		return errors.New("athena: a result over one PUT must be a file")
	}
	up, err := s.s3.CreateMultipartUpload(ctx, &s3api.CreateMultipartUploadRequest{Bucket: api.String(bucket), Key: api.String(key),
		ContentType: ct})
	if err != nil {
		return err
	}
	done := &s3api.CompletedMultipartUpload{}
	for off, n := int64(0), int64(1); off < size; off, n = off+resultPart, n+1 {
		l := min(resultPart, size-off)
		part, err := s.s3.UploadPart(ctx, &s3api.UploadPartRequest{Bucket: api.String(bucket), Key: api.String(key), UploadId: up.UploadId,
			PartNumber: api.Int64(n), Body: io.NewSectionReader(ra, off, l), ContentLength: api.Int64(l)})
		if err != nil {
			s.s3.AbortMultipartUpload(ctx, &s3api.AbortMultipartUploadRequest{Bucket: api.String(bucket), Key: api.String(key), UploadId: up.UploadId})
			return err
		}
		done.Parts = append(done.Parts, &s3api.CompletedPart{ETag: part.ETag, PartNumber: api.Int64(n)})
	}
	_, err = s.s3.CompleteMultipartUpload(ctx, &s3api.CompleteMultipartUploadRequest{Bucket: api.String(bucket), Key: api.String(key),
		UploadId: up.UploadId, MultipartUpload: done})
	return err
}
