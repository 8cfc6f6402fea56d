package athena

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	aapi "github.com/fogbank/fogbank/internal/api/athena"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/sqlengine"
	"github.com/fogbank/fogbank/internal/store"
)

// Impl is how the server creates this service (internal/services/all).
var Impl = host.Impl{New: New, Proto: (*Service)(nil)}

// Catalog is what Athena needs of the Glue Data Catalog (the glue service
// implements it): tables and partitions as the JSON objects Glue's API shows
// them, so that neither service imports the other's types.
type Catalog interface {
	CatalogDatabases(account, region string) ([]string, error)
	// CatalogTableJSON is GetTable's "Table" object; a missing table or
	// database wraps fs.ErrNotExist.
	CatalogTableJSON(account, region, database, table string) ([]byte, error)
	// CatalogPutTableJSON creates or replaces a table from a TableInput-shaped object.
	CatalogPutTableJSON(account, region, database string, table []byte) error
	CatalogDeleteTable(account, region, database, table string) error
	CatalogPartitionsJSON(account, region, database, table, expression string) ([][]byte, error)
	CatalogAddPartitionsJSON(account, region, database, table string, partitions [][]byte) error
	CatalogPutDatabase(account, region, name string) error
}

// Objects is what Athena needs of S3: the local files of the objects under a
// prefix (s3.Service.ObjectFiles, which holds them until release), and
// writing and reading result objects.
type Objects interface {
	ObjectFiles(bucket, prefix, scratch string, each func(key string, size int64, path string) error) (release func(), err error)
}

// Service is fogbank's Athena.
type Service struct {
	aapi.Unimplemented
	env    *host.Env
	st     *store.Store
	now    func() time.Time
	log    *slog.Logger
	engine *sqlengine.Engine

	// catalog and s3 are found at Start; tests may set them.
	catalog Catalog
	objects Objects
	s3      S3

	scratch string // per-query scratch directories live below
	footers footerCache

	mu      sync.Mutex // guards running
	running map[string]*live
	// slots bounds the queries the engine runs at once (each has DuckDB's
	// threads and memory); the others wait QUEUED.
	slots chan struct{}
	wg    sync.WaitGroup
}

var _ aapi.API = (*Service)(nil)

// New creates the service. It starts no process: the engine starts on the
// first query.
func New(env *host.Env) (any, error) {
	now := env.Now
	if now == nil {
		now = time.Now
	}
	log := env.Logger
	if log == nil {
		log = slog.Default()
	}
	if _, err := queryTimeout(); err != nil {
		return nil, err
	}
	return &Service{env: env, st: env.Store, now: now, log: log,
		engine:  &sqlengine.Engine{Logger: log},
		running: map[string]*live{}, slots: make(chan struct{}, maxRunning)}, nil
}

// Start finds S3 and the Glue catalogue, and fails the queries a previous run
// left unfinished.
func (s *Service) Start(ctx context.Context) error {
	if s.catalog == nil {
		if c, err := host.Lookup[Catalog](s.env, "glue"); err == nil {
			s.catalog = c
		}
	}
	if s.objects == nil {
		if o, err := host.Lookup[Objects](s.env, "s3"); err == nil {
			s.objects = o
		}
	}
	if s.s3 == nil {
		if o, err := host.Lookup[S3](s.env, "s3"); err == nil {
			s.s3 = o
		}
	}
	dir, err := os.MkdirTemp("", "fogbank-athena-")
	if err != nil {
		return err
	}
	s.scratch = dir
	return s.failInterrupted()
}

// Stop cancels the queries running and waits for them.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	for _, l := range s.running {
		l.cancel()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
	return nil
}

// Close stops the engine process and removes the scratch space.
func (s *Service) Close() error {
	s.engine.Close()
	if s.scratch != "" {
		os.RemoveAll(s.scratch)
	}
	return nil
}

// Engine is the handle on the SQL engine process (for tests).
func (s *Service) Engine() *sqlengine.Engine { return s.engine }

const root = "athena"

// maxRunning is how many queries run at once; Athena's own limit per account
// is larger (25 DML queries by default) but this is one machine.
const maxRunning = 4

func key(parts ...string) []byte {
	b := []byte{}
	for i, p := range parts {
		if i > 0 {
			b = append(b, '/')
		}
		b = append(b, p...)
	}
	return b
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func invalid(format string, args ...any) error {
	return &aapi.InvalidRequestException{Message: api.String(fmt.Sprintf(format, args...))}
}

func invalidCode(code, format string, args ...any) error {
	return &aapi.InvalidRequestException{AthenaErrorCode: api.String(code), Message: api.String(fmt.Sprintf(format, args...))}
}

// page cuts a sorted list of names at a NextToken (the index to start at).
func page[T any](items []T, token *string, max *int64, limit int) ([]T, *string, error) {
	start := 0
	if token != nil {
		n, err := strconv.Atoi(*token)
		if err != nil || n < 0 || n > len(items) {
			return nil, nil, invalid("Invalid NextToken")
		}
		start = n
	}
	n := limit
	if max != nil && *max > 0 && int(*max) < n {
		n = int(*max)
	}
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		next = api.String(strconv.Itoa(end))
	}
	return items[start:end], next, nil
}

// ---- work groups ----

// workGroup is a stored work group (bucket athena/workgroups, key account/region/name).
type workGroup struct {
	Name        string
	Description string
	State       string
	Created     time.Time
	Config      *aapi.WorkGroupConfiguration
	Tags        []*aapi.Tag
}

const engineVersion = "Athena engine version 3"

func (w *workGroup) api() *aapi.WorkGroup {
	cfg := w.Config
	if cfg == nil {
		cfg = &aapi.WorkGroupConfiguration{}
	}
	c := *cfg
	if c.EnforceWorkGroupConfiguration == nil {
		c.EnforceWorkGroupConfiguration = api.Bool(false)
	}
	if c.PublishCloudWatchMetricsEnabled == nil {
		c.PublishCloudWatchMetricsEnabled = api.Bool(false)
	}
	if c.RequesterPaysEnabled == nil {
		c.RequesterPaysEnabled = api.Bool(false)
	}
	c.EngineVersion = &aapi.EngineVersion{SelectedEngineVersion: api.String("AUTO"), EffectiveEngineVersion: api.String(engineVersion)}
	return &aapi.WorkGroup{Name: api.String(w.Name), State: api.String(w.State), Configuration: &c,
		Description: api.String(w.Description), CreationTime: tp(w.Created)}
}

// primary is the work group every account has.
func (s *Service) primary() *workGroup {
	return &workGroup{Name: "primary", State: "ENABLED", Created: time.Date(2019, 2, 18, 0, 0, 0, 0, time.UTC),
		Config: &aapi.WorkGroupConfiguration{}}
}

func (s *Service) getWorkGroup(ctx context.Context, name string) (*workGroup, error) {
	c := api.CallerFrom(ctx)
	var w *workGroup
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "workgroups")
		if b == nil || b.Get(key(c.Account, c.Region, name)) == nil {
			return nil
		}
		w = new(workGroup)
		return b.GetJSON(key(c.Account, c.Region, name), w)
	})
	if err != nil {
		return nil, err
	}
	if w == nil && name == "primary" {
		return s.primary(), nil
	}
	if w == nil {
		return nil, invalid("WorkGroup %s is not found.", name)
	}
	return w, nil
}

func (s *Service) putWorkGroup(ctx context.Context, w *workGroup, create bool) error {
	c := api.CallerFrom(ctx)
	return s.st.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket(root, "workgroups")
		if err != nil {
			return err
		}
		k := key(c.Account, c.Region, w.Name)
		if create && (b.Get(k) != nil || w.Name == "primary") {
			return invalid("WorkGroup is already created")
		}
		return b.PutJSON(k, w)
	})
}

var wgName = lazy.Regexp{Expr: `^[a-zA-Z0-9._-]{1,128}$`}

func (s *Service) CreateWorkGroup(ctx context.Context, in *aapi.CreateWorkGroupInput) (*aapi.CreateWorkGroupOutput, error) {
	if !wgName.Get().MatchString(api.ToString(in.Name)) {
		return nil, invalid("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9._-]{1,128}", api.ToString(in.Name))
	}
	if err := checkOutput(in.Configuration); err != nil {
		return nil, err
	}
	w := &workGroup{Name: *in.Name, Description: api.ToString(in.Description), State: "ENABLED",
		Created: s.now().UTC(), Config: in.Configuration, Tags: in.Tags}
	if w.Config == nil {
		w.Config = &aapi.WorkGroupConfiguration{}
	}
	return &aapi.CreateWorkGroupOutput{}, s.putWorkGroup(ctx, w, true)
}

func checkOutput(cfg *aapi.WorkGroupConfiguration) error {
	if cfg == nil || cfg.ResultConfiguration == nil || cfg.ResultConfiguration.OutputLocation == nil {
		return nil
	}
	if _, _, err := parseS3(*cfg.ResultConfiguration.OutputLocation); err != nil {
		return err
	}
	return nil
}

func (s *Service) GetWorkGroup(ctx context.Context, in *aapi.GetWorkGroupInput) (*aapi.GetWorkGroupOutput, error) {
	w, err := s.getWorkGroup(ctx, api.ToString(in.WorkGroup))
	if err != nil {
		return nil, err
	}
	return &aapi.GetWorkGroupOutput{WorkGroup: w.api()}, nil
}

func (s *Service) ListWorkGroups(ctx context.Context, in *aapi.ListWorkGroupsInput) (*aapi.ListWorkGroupsOutput, error) {
	c := api.CallerFrom(ctx)
	var all []*workGroup
	hasPrimary := false
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "workgroups")
		if b == nil {
			return nil
		}
		p := key(c.Account, c.Region, "")
		return b.ForEachPrefix(p, func(k, v []byte) error {
			w := new(workGroup)
			if err := jsonUnmarshal(v, w); err != nil {
				return err
			}
			hasPrimary = hasPrimary || w.Name == "primary"
			all = append(all, w)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if !hasPrimary {
		all = append(all, s.primary())
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	got, next, err := page(all, in.NextToken, in.MaxResults, 50)
	if err != nil {
		return nil, err
	}
	out := &aapi.ListWorkGroupsOutput{NextToken: next, WorkGroups: []*aapi.WorkGroupSummary{}}
	for _, w := range got {
		out.WorkGroups = append(out.WorkGroups, &aapi.WorkGroupSummary{Name: api.String(w.Name), State: api.String(w.State),
			Description: api.String(w.Description), CreationTime: tp(w.Created),
			EngineVersion: &aapi.EngineVersion{SelectedEngineVersion: api.String("AUTO"), EffectiveEngineVersion: api.String(engineVersion)}})
	}
	return out, nil
}

func (s *Service) UpdateWorkGroup(ctx context.Context, in *aapi.UpdateWorkGroupInput) (*aapi.UpdateWorkGroupOutput, error) {
	w, err := s.getWorkGroup(ctx, api.ToString(in.WorkGroup))
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		w.Description = *in.Description
	}
	if in.State != nil {
		w.State = *in.State
	}
	if u := in.ConfigurationUpdates; u != nil {
		if w.Config == nil {
			w.Config = &aapi.WorkGroupConfiguration{}
		}
		if u.EnforceWorkGroupConfiguration != nil {
			w.Config.EnforceWorkGroupConfiguration = u.EnforceWorkGroupConfiguration
		}
		if u.PublishCloudWatchMetricsEnabled != nil {
			w.Config.PublishCloudWatchMetricsEnabled = u.PublishCloudWatchMetricsEnabled
		}
		if u.BytesScannedCutoffPerQuery != nil {
			w.Config.BytesScannedCutoffPerQuery = u.BytesScannedCutoffPerQuery
		}
		if api.ToBool(u.RemoveBytesScannedCutoffPerQuery) {
			w.Config.BytesScannedCutoffPerQuery = nil
		}
		if u.RequesterPaysEnabled != nil {
			w.Config.RequesterPaysEnabled = u.RequesterPaysEnabled
		}
		if r := u.ResultConfigurationUpdates; r != nil {
			if w.Config.ResultConfiguration == nil {
				w.Config.ResultConfiguration = &aapi.ResultConfiguration{}
			}
			if r.OutputLocation != nil {
				if _, _, err := parseS3(*r.OutputLocation); err != nil {
					return nil, err
				}
				w.Config.ResultConfiguration.OutputLocation = r.OutputLocation
			}
			if api.ToBool(r.RemoveOutputLocation) {
				w.Config.ResultConfiguration.OutputLocation = nil
			}
			if r.EncryptionConfiguration != nil {
				w.Config.ResultConfiguration.EncryptionConfiguration = r.EncryptionConfiguration
			}
			if api.ToBool(r.RemoveEncryptionConfiguration) {
				w.Config.ResultConfiguration.EncryptionConfiguration = nil
			}
			if r.ExpectedBucketOwner != nil {
				w.Config.ResultConfiguration.ExpectedBucketOwner = r.ExpectedBucketOwner
			}
		}
	}
	return &aapi.UpdateWorkGroupOutput{}, s.putWorkGroup(ctx, w, false)
}

func (s *Service) DeleteWorkGroup(ctx context.Context, in *aapi.DeleteWorkGroupInput) (*aapi.DeleteWorkGroupOutput, error) {
	name := api.ToString(in.WorkGroup)
	if name == "primary" {
		return nil, invalid("Cannot delete primary workgroup")
	}
	if _, err := s.getWorkGroup(ctx, name); err != nil {
		return nil, err
	}
	c := api.CallerFrom(ctx)
	return &aapi.DeleteWorkGroupOutput{}, s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(root, "workgroups")
		if b == nil {
			return nil
		}
		return b.Delete(key(c.Account, c.Region, name))
	})
}

// scratchDir makes a directory for one query's files, removed by the caller.
func (s *Service) scratchDir(id string) (string, error) {
	base := s.scratch
	if base == "" {
		base = os.TempDir()
	}
	d := filepath.Join(base, id)
	return d, os.MkdirAll(d, 0o755)
}

// queryTimeout is Athena's "DML query timeout" quota: 30 minutes, unless
// FOGBANK_ATHENA_QUERY_TIMEOUT (a Go duration, read at each query so that
// a test can lower it) says otherwise. DDL has its own quota, ddlTimeout.
func queryTimeout() (time.Duration, error) {
	v := os.Getenv("FOGBANK_ATHENA_QUERY_TIMEOUT")
	if v == "" {
		return 30 * time.Minute, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 30 * time.Minute, fmt.Errorf("FOGBANK_ATHENA_QUERY_TIMEOUT=%q: want a positive Go duration such as 30m", v)
	}
	return d, nil
}

const ddlTimeout = 600 * time.Minute

func tp(t time.Time) *time.Time { return &t }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
