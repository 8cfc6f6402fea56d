package glue

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

// Crawlers: stored as Glue's Crawler shape (bucket kCrawlers), with what a
// run leaves for the next (folders seen, run times, the last run's counts and
// log lines) in kCrawlState. A run is a goroutine of this process: READY →
// RUNNING (StartCrawler) → STOPPING → READY, LastCrawl telling how it ended.

const kCrawlState = "crawlstate"

// crawlState is what runs remember between them.
type crawlState struct {
	Seen     []string      `json:"seen,omitempty"` // folders crawled (for CRAWL_NEW_FOLDERS_ONLY)
	Runtimes []float64     `json:"rt,omitempty"`   // seconds, the last 20 runs
	Created  int64         `json:"created"`
	Updated  int64         `json:"updated"`
	Deleted  int64         `json:"deleted"`
	Logs     []string      `json:"logs,omitempty"` // the last run's log lines
	History  []crawlRecord `json:"hist,omitempty"` // the last 100 crawls, oldest first (ListCrawls)
}

// crawlRecord is one crawl as ListCrawls answers it.
type crawlRecord struct {
	ID      string    `json:"id"`
	State   string    `json:"state"` // RUNNING, COMPLETED, FAILED, STOPPED
	Start   time.Time `json:"start"`
	End     time.Time `json:"end,omitzero"`
	Summary string    `json:"summary,omitempty"`
	Error   string    `json:"error,omitempty"`
	Prefix  string    `json:"prefix"`
}

const maxHistory = 100

// runs tracks the crawls in progress and the scheduler.
type runs struct {
	mu      sync.Mutex // guards active, stopped, sched
	active  map[string]context.CancelFunc
	stopped bool
	sched   chan struct{} // wakes the scheduler; nil until it runs
	wg      sync.WaitGroup
}

func crawlerNotFound(name string) error {
	return notFound("Crawler entry with name %s does not exist", name)
}

// withElapsed sets a running crawler's CrawlElapsedTime: the time since its
// crawl began (the RUNNING entry of its history).
func (s *Service) withElapsed(tx *store.Tx, account, region string, c *glueapi.Crawler) *glueapi.Crawler {
	if st := api.ToString(c.State); st != "RUNNING" && st != "STOPPING" {
		return c
	}
	var cs crawlState
	if b := tx.Bucket(p(account, region, kCrawlState)...); b != nil && b.Get([]byte(*c.Name)) != nil {
		if b.GetJSON([]byte(*c.Name), &cs) == nil && len(cs.History) > 0 {
			c.CrawlElapsedTime = api.Int64(s.now().Sub(cs.History[len(cs.History)-1].Start).Milliseconds())
		}
	}
	return c
}

func getCrawler(tx *store.Tx, account, region, name string) (*glueapi.Crawler, error) {
	c := new(glueapi.Crawler)
	ok, err := getRec(tx, c, name, p(account, region, kCrawlers)...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, crawlerNotFound(name)
	}
	return c, nil
}

// checkCrawler validates what CreateCrawler and UpdateCrawler accept.
func checkCrawler(c *glueapi.Crawler) error {
	if c.Targets == nil || len(c.Targets.S3Targets)+len(c.Targets.JdbcTargets)+len(c.Targets.DynamoDBTargets)+
		len(c.Targets.CatalogTargets)+len(c.Targets.MongoDBTargets)+len(c.Targets.DeltaTargets)+
		len(c.Targets.IcebergTargets)+len(c.Targets.HudiTargets) == 0 {
		return invalidInput("Crawler must have at least one target")
	}
	for _, t := range c.Targets.S3Targets {
		if _, _, err := splitS3(api.ToString(t.Path)); err != nil {
			return invalidInput("%v", err)
		}
		if n := api.ToInt64(t.SampleSize); t.SampleSize != nil && (n < 1 || n > 249) {
			return invalidInput("SampleSize must be between 1 and 249")
		}
	}
	if c.Schedule != nil && api.ToString(c.Schedule.ScheduleExpression) != "" {
		if _, err := parseSchedule(*c.Schedule.ScheduleExpression); err != nil {
			return invalidInput("Invalid schedule expression: %s (%v)", *c.Schedule.ScheduleExpression, err)
		}
	}
	if _, err := parseConfig(api.ToString(c.Configuration)); err != nil {
		return err
	}
	if api.ToString(c.RecrawlPolicy.RecrawlBehavior) == "CRAWL_NEW_FOLDERS_ONLY" &&
		(api.ToString(c.SchemaChangePolicy.UpdateBehavior) != "LOG" || api.ToString(c.SchemaChangePolicy.DeleteBehavior) != "LOG") {
		return invalidInput("The SchemaChangePolicy for \"Crawl new folders only\" Amazon S3 target can have only LOG DeleteBehavior value and LOG UpdateBehavior value.")
	}
	return nil
}

func scheduleOf(expr *string) *glueapi.Schedule {
	if api.ToString(expr) == "" {
		return nil
	}
	return &glueapi.Schedule{ScheduleExpression: expr, State: api.String("SCHEDULED")}
}

// CreateCrawler stores a crawler, READY.
func (s *Service) CreateCrawler(ctx context.Context, in *glueapi.CreateCrawlerRequest) (*glueapi.CreateCrawlerResponse, error) {
	account, region := where(ctx, nil)
	now := s.now().UTC().Truncate(time.Second)
	c := &glueapi.Crawler{
		Name: in.Name, Role: in.Role, Targets: in.Targets, DatabaseName: in.DatabaseName, Description: in.Description,
		Classifiers: in.Classifiers, RecrawlPolicy: in.RecrawlPolicy, SchemaChangePolicy: in.SchemaChangePolicy,
		LineageConfiguration: in.LineageConfiguration, State: api.String("READY"), TablePrefix: in.TablePrefix,
		Schedule: scheduleOf(in.Schedule), CrawlElapsedTime: api.Int64(0), CreationTime: &now, LastUpdated: &now,
		Version: api.Int64(1), Configuration: in.Configuration, CrawlerSecurityConfiguration: in.CrawlerSecurityConfiguration,
		LakeFormationConfiguration: in.LakeFormationConfiguration,
	}
	defaults(c)
	if err := checkCrawler(c); err != nil {
		return nil, err
	}
	name := api.ToString(in.Name)
	err := s.st.Update(func(tx *store.Tx) error {
		if b := tx.Bucket(p(account, region, kCrawlers)...); b != nil && b.Get([]byte(name)) != nil {
			return exists("%s already exists", name)
		}
		for _, cl := range c.Classifiers {
			if _, err := getClassifier(tx, account, region, cl); err != nil {
				return err
			}
		}
		if len(in.Tags) > 0 {
			if err := mergeTags(tx, account, region, arn(account, region, "crawler", name), in.Tags); err != nil {
				return err
			}
		}
		return putRec(tx, c, name, p(account, region, kCrawlers)...)
	})
	if err != nil {
		return nil, err
	}
	if c.Schedule != nil {
		s.wakeScheduler()
	}
	return &glueapi.CreateCrawlerResponse{}, nil
}

// defaults fills what Glue fills in a crawler nobody set.
func defaults(c *glueapi.Crawler) {
	if c.SchemaChangePolicy == nil {
		c.SchemaChangePolicy = &glueapi.SchemaChangePolicy{}
	}
	if c.SchemaChangePolicy.UpdateBehavior == nil {
		c.SchemaChangePolicy.UpdateBehavior = api.String("UPDATE_IN_DATABASE")
	}
	if c.SchemaChangePolicy.DeleteBehavior == nil {
		c.SchemaChangePolicy.DeleteBehavior = api.String("DEPRECATE_IN_DATABASE")
	}
	if c.RecrawlPolicy == nil || c.RecrawlPolicy.RecrawlBehavior == nil {
		c.RecrawlPolicy = &glueapi.RecrawlPolicy{RecrawlBehavior: api.String("CRAWL_EVERYTHING")}
	}
	if c.LineageConfiguration == nil {
		c.LineageConfiguration = &glueapi.LineageConfiguration{CrawlerLineageSettings: api.String("DISABLE")}
	}
	if c.LakeFormationConfiguration == nil {
		c.LakeFormationConfiguration = &glueapi.LakeFormationConfiguration{UseLakeFormationCredentials: api.Bool(false), AccountId: api.String("")}
	}
	if c.Classifiers == nil {
		c.Classifiers = []string{}
	}
}

// GetCrawler answers one crawler.
func (s *Service) GetCrawler(ctx context.Context, in *glueapi.GetCrawlerRequest) (*glueapi.GetCrawlerResponse, error) {
	account, region := where(ctx, nil)
	var c *glueapi.Crawler
	err := s.st.View(func(tx *store.Tx) (err error) {
		c, err = getCrawler(tx, account, region, api.ToString(in.Name))
		if err == nil {
			s.withElapsed(tx, account, region, c)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.GetCrawlerResponse{Crawler: c}, nil
}

func (s *Service) listCrawlers(account, region string) ([]*glueapi.Crawler, error) {
	var cs []*glueapi.Crawler
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(p(account, region, kCrawlers)...)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			c := new(glueapi.Crawler)
			cs = append(cs, c)
			if err := unmarshal(v, c); err != nil {
				return err
			}
			s.withElapsed(tx, account, region, c)
			return nil
		})
	})
	return cs, err
}

// GetCrawlers lists the crawlers with their definitions.
func (s *Service) GetCrawlers(ctx context.Context, in *glueapi.GetCrawlersRequest) (*glueapi.GetCrawlersResponse, error) {
	account, region := where(ctx, nil)
	cs, err := s.listCrawlers(account, region)
	if err != nil {
		return nil, err
	}
	out, next, err := page(cs, func(c *glueapi.Crawler) string { return *c.Name }, in.NextToken, in.MaxResults, 1000)
	if err != nil {
		return nil, err
	}
	return &glueapi.GetCrawlersResponse{Crawlers: out, NextToken: next}, nil
}

// ListCrawlers lists crawler names, those carrying every tag of Tags.
func (s *Service) ListCrawlers(ctx context.Context, in *glueapi.ListCrawlersRequest) (*glueapi.ListCrawlersResponse, error) {
	account, region := where(ctx, nil)
	cs, err := s.listCrawlers(account, region)
	if err != nil {
		return nil, err
	}
	var names []string
	err = s.st.View(func(tx *store.Tx) error {
		for _, c := range cs {
			if len(in.Tags) > 0 {
				tags := map[string]string{}
				if b := tx.Bucket(p(account, region, kTags)...); b != nil && b.Get([]byte(arn(account, region, "crawler", *c.Name))) != nil {
					b.GetJSON([]byte(arn(account, region, "crawler", *c.Name)), &tags)
				}
				match := true
				for k, v := range in.Tags {
					match = match && tags[k] == v
				}
				if !match {
					continue
				}
			}
			names = append(names, *c.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, next, err := page(names, func(n string) string { return n }, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return &glueapi.ListCrawlersResponse{CrawlerNames: out, NextToken: next}, nil
}

// BatchGetCrawlers answers the crawlers named, and the names not found.
func (s *Service) BatchGetCrawlers(ctx context.Context, in *glueapi.BatchGetCrawlersRequest) (*glueapi.BatchGetCrawlersResponse, error) {
	account, region := where(ctx, nil)
	out := &glueapi.BatchGetCrawlersResponse{Crawlers: []*glueapi.Crawler{}, CrawlersNotFound: []string{}}
	err := s.st.View(func(tx *store.Tx) error {
		for _, n := range in.CrawlerNames {
			c, err := getCrawler(tx, account, region, n)
			if err != nil {
				out.CrawlersNotFound = append(out.CrawlersNotFound, n)
				continue
			}
			out.Crawlers = append(out.Crawlers, s.withElapsed(tx, account, region, c))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateCrawler changes the fields given; not while the crawler runs.
func (s *Service) UpdateCrawler(ctx context.Context, in *glueapi.UpdateCrawlerRequest) (*glueapi.UpdateCrawlerResponse, error) {
	account, region := where(ctx, nil)
	name := api.ToString(in.Name)
	err := s.st.Update(func(tx *store.Tx) error {
		c, err := getCrawler(tx, account, region, name)
		if err != nil {
			return err
		}
		if api.ToString(c.State) != "READY" {
			return &glueapi.CrawlerRunningException{Message: api.String(fmt.Sprintf("Crawler with name %s has already started", name))}
		}
		set := func(dst **string, src *string) {
			if src != nil {
				*dst = src
			}
		}
		set(&c.Role, in.Role)
		set(&c.DatabaseName, in.DatabaseName)
		set(&c.Description, in.Description)
		set(&c.TablePrefix, in.TablePrefix)
		set(&c.Configuration, in.Configuration)
		set(&c.CrawlerSecurityConfiguration, in.CrawlerSecurityConfiguration)
		if in.Targets != nil {
			c.Targets = in.Targets
		}
		if in.Schedule != nil {
			c.Schedule = scheduleOf(in.Schedule)
		}
		if in.Classifiers != nil {
			c.Classifiers = in.Classifiers
		}
		if in.SchemaChangePolicy != nil {
			c.SchemaChangePolicy = in.SchemaChangePolicy
		}
		if in.RecrawlPolicy != nil {
			c.RecrawlPolicy = in.RecrawlPolicy
		}
		if in.LineageConfiguration != nil {
			c.LineageConfiguration = in.LineageConfiguration
		}
		if in.LakeFormationConfiguration != nil {
			c.LakeFormationConfiguration = in.LakeFormationConfiguration
		}
		defaults(c)
		if err := checkCrawler(c); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Second)
		c.LastUpdated, c.Version = &now, api.Int64(api.ToInt64(c.Version)+1)
		return putRec(tx, c, name, p(account, region, kCrawlers)...)
	})
	if err != nil {
		return nil, err
	}
	s.wakeScheduler()
	return &glueapi.UpdateCrawlerResponse{}, nil
}

// DeleteCrawler deletes a crawler (not while it runs); its tables stay.
func (s *Service) DeleteCrawler(ctx context.Context, in *glueapi.DeleteCrawlerRequest) (*glueapi.DeleteCrawlerResponse, error) {
	account, region := where(ctx, nil)
	name := api.ToString(in.Name)
	err := s.st.Update(func(tx *store.Tx) error {
		c, err := getCrawler(tx, account, region, name)
		if err != nil {
			return err
		}
		if api.ToString(c.State) != "READY" {
			return &glueapi.CrawlerRunningException{Message: api.String(fmt.Sprintf("Crawler with name %s has already started", name))}
		}
		if err := delRec(tx, name, p(account, region, kCrawlState)...); err != nil {
			return err
		}
		if err := delRec(tx, arn(account, region, "crawler", name), p(account, region, kTags)...); err != nil {
			return err
		}
		return delRec(tx, name, p(account, region, kCrawlers)...)
	})
	if err != nil {
		return nil, err
	}
	s.wakeScheduler()
	return &glueapi.DeleteCrawlerResponse{}, nil
}

// UpdateCrawlerSchedule sets or clears a crawler's schedule.
func (s *Service) UpdateCrawlerSchedule(ctx context.Context, in *glueapi.UpdateCrawlerScheduleRequest) (*glueapi.UpdateCrawlerScheduleResponse, error) {
	if e := api.ToString(in.Schedule); e != "" {
		if _, err := parseSchedule(e); err != nil {
			return nil, invalidInput("Invalid schedule expression: %s (%v)", e, err)
		}
	}
	err := s.changeCrawler(ctx, api.ToString(in.CrawlerName), func(c *glueapi.Crawler) error {
		c.Schedule = scheduleOf(in.Schedule)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.UpdateCrawlerScheduleResponse{}, nil
}

// StartCrawlerSchedule turns a crawler's schedule on.
func (s *Service) StartCrawlerSchedule(ctx context.Context, in *glueapi.StartCrawlerScheduleRequest) (*glueapi.StartCrawlerScheduleResponse, error) {
	err := s.changeCrawler(ctx, api.ToString(in.CrawlerName), func(c *glueapi.Crawler) error {
		if c.Schedule == nil {
			return &glueapi.NoScheduleException{Message: api.String("No schedule for crawler " + *c.Name)}
		}
		if api.ToString(c.Schedule.State) == "SCHEDULED" {
			return &glueapi.SchedulerRunningException{Message: api.String("Schedule of crawler " + *c.Name + " is already running")}
		}
		c.Schedule.State = api.String("SCHEDULED")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.StartCrawlerScheduleResponse{}, nil
}

// StopCrawlerSchedule turns a crawler's schedule off (the crawler may still run by hand).
func (s *Service) StopCrawlerSchedule(ctx context.Context, in *glueapi.StopCrawlerScheduleRequest) (*glueapi.StopCrawlerScheduleResponse, error) {
	err := s.changeCrawler(ctx, api.ToString(in.CrawlerName), func(c *glueapi.Crawler) error {
		if c.Schedule == nil {
			return &glueapi.NoScheduleException{Message: api.String("No schedule for crawler " + *c.Name)}
		}
		if api.ToString(c.Schedule.State) != "SCHEDULED" {
			return &glueapi.SchedulerNotRunningException{Message: api.String("Schedule of crawler " + *c.Name + " is not running")}
		}
		c.Schedule.State = api.String("NOT_SCHEDULED")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.StopCrawlerScheduleResponse{}, nil
}

func (s *Service) changeCrawler(ctx context.Context, name string, fn func(c *glueapi.Crawler) error) error {
	account, region := where(ctx, nil)
	err := s.st.Update(func(tx *store.Tx) error {
		c, err := getCrawler(tx, account, region, name)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		return putRec(tx, c, name, p(account, region, kCrawlers)...)
	})
	if err == nil {
		s.wakeScheduler()
	}
	return err
}

// StartCrawler starts a crawl now.
func (s *Service) StartCrawler(ctx context.Context, in *glueapi.StartCrawlerRequest) (*glueapi.StartCrawlerResponse, error) {
	account, region := where(ctx, nil)
	if err := s.start(account, region, api.ToString(in.Name)); err != nil {
		return nil, err
	}
	return &glueapi.StartCrawlerResponse{}, nil
}

func runKey(account, region, name string) string { return account + "/" + region + "/" + name }

// start moves a READY crawler to RUNNING and runs it in the background.
func (s *Service) start(account, region, name string) error {
	s.runs.mu.Lock()
	defer s.runs.mu.Unlock()
	if s.runs.stopped {
		return api.Errorf(503, "ServiceUnavailableException", "fogbank is shutting down")
	}
	var c *glueapi.Crawler
	started := s.now().UTC()
	prefix := newUUID()
	err := s.st.Update(func(tx *store.Tx) error {
		var err error
		if c, err = getCrawler(tx, account, region, name); err != nil {
			return err
		}
		if api.ToString(c.State) != "READY" {
			return &glueapi.CrawlerRunningException{Message: api.String(fmt.Sprintf("Crawler with name %s has already started", name))}
		}
		c.State = api.String("RUNNING")
		if err := putRec(tx, c, name, p(account, region, kCrawlers)...); err != nil {
			return err
		}
		return updateCrawlState(tx, account, region, name, func(st *crawlState) {
			st.History = append(st.History, crawlRecord{ID: newUUID(), State: "RUNNING", Start: started, Prefix: prefix})
			if len(st.History) > maxHistory {
				st.History = st.History[len(st.History)-maxHistory:]
			}
		})
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	if s.runs.active == nil {
		s.runs.active = map[string]context.CancelFunc{}
	}
	s.runs.active[runKey(account, region, name)] = cancel
	s.runs.wg.Add(1)
	go func() {
		defer s.runs.wg.Done()
		defer cancel()
		s.crawl(ctx, account, region, c, started, prefix)
	}()
	return nil
}

// crawl runs one crawl and records how it ended.
func (s *Service) crawl(ctx context.Context, account, region string, c *glueapi.Crawler, started time.Time, prefix string) {
	name := *c.Name
	var st crawlState
	s.st.View(func(tx *store.Tx) error {
		if b := tx.Bucket(p(account, region, kCrawlState)...); b != nil && b.Get([]byte(name)) != nil {
			return b.GetJSON([]byte(name), &st)
		}
		return nil
	})
	cfg, _ := parseConfig(api.ToString(c.Configuration))
	if cfg == nil {
		cfg = new(crawlConfig)
	}
	cr := &crawler{s: s, ctx: ctx, c: c, cfg: cfg, now: started.Truncate(time.Second), found: map[string]bool{}, seen: map[string]bool{}, prefix: prefix,
		newOnly: api.ToString(c.RecrawlPolicy.RecrawlBehavior) == "CRAWL_NEW_FOLDERS_ONLY"}
	for _, f := range st.Seen {
		cr.seen[f] = true
	}
	cr.logf("BENCHMARK Running Start Crawl for Crawler %s", name)
	var err error
	cr.objs, err = host.Lookup[objectStore](s.env, "s3")
	if err == nil {
		s.st.View(func(tx *store.Tx) error {
			for _, n := range c.Classifiers {
				cl, gerr := getClassifier(tx, account, region, n)
				if gerr != nil {
					cr.logf("WARN Classifier %s not found", n)
					continue
				}
				cr.classifier = append(cr.classifier, cl)
			}
			return nil
		})
		if len(c.Targets.S3Targets) == 0 {
			cr.logf("WARN fogbank crawls S3 targets only; this crawler's other targets are skipped")
		}
		err = cr.run(account, region)
	}
	status, msg := "SUCCEEDED", ""
	switch {
	case ctx.Err() != nil:
		status = "CANCELLED"
	case err != nil:
		status, msg = "FAILED", err.Error()
		var ae interface{ ErrorCode() string }
		if errors.As(err, &ae) {
			msg = strings.TrimPrefix(err.Error(), ae.ErrorCode()+": ")
		}
		cr.logf("ERROR %s", msg)
	}
	cr.logf("BENCHMARK Crawler has finished running and is in state READY")
	elapsed := s.now().UTC().Sub(started)
	// STOPPING, then READY, as Glue moves through them.
	s.setState(account, region, name, func(c *glueapi.Crawler) { c.State = api.String("STOPPING") })
	s.runs.mu.Lock()
	delete(s.runs.active, runKey(account, region, name))
	s.runs.mu.Unlock()
	if status != "SUCCEEDED" {
		cr.created, cr.updated, cr.deleted = 0, 0, 0
	}
	if status == "SUCCEEDED" {
		for f := range cr.found {
			cr.seen[f] = true
		}
		st.Seen = st.Seen[:0]
		for f := range cr.seen {
			st.Seen = append(st.Seen, f)
		}
		sort.Strings(st.Seen)
	}
	st.Runtimes = append(st.Runtimes, elapsed.Seconds())
	if len(st.Runtimes) > 20 {
		st.Runtimes = st.Runtimes[len(st.Runtimes)-20:]
	}
	st.Created, st.Updated, st.Deleted, st.Logs = cr.created, cr.updated, cr.deleted, cr.logs
	s.sendLogs(account, region, name, cr)
	end := s.now().UTC()
	if n := len(st.History); n > 0 && st.History[n-1].Prefix == prefix {
		h := &st.History[n-1]
		h.State, h.End, h.Error = map[string]string{"SUCCEEDED": "COMPLETED", "FAILED": "FAILED", "CANCELLED": "STOPPED"}[status], end, msg
		h.Summary = cr.summary()
	}
	err = s.st.Update(func(tx *store.Tx) error {
		cur, err := getCrawler(tx, account, region, name)
		if err != nil {
			return nil // deleted meanwhile: nothing to record
		}
		cur.State = api.String("READY")
		cur.CrawlElapsedTime = api.Int64(0) // AWS counts it only while a crawl runs
		cur.LastCrawl = &glueapi.LastCrawlInfo{Status: api.String(status), LogGroup: api.String("/aws-glue/crawlers"),
			LogStream: api.String(name), MessagePrefix: api.String(prefix), StartTime: &started}
		if msg != "" {
			if len(msg) > 2048 {
				msg = msg[:2048]
			}
			cur.LastCrawl.ErrorMessage = api.String(msg)
		}
		if err := putRec(tx, cur, name, p(account, region, kCrawlers)...); err != nil {
			return err
		}
		b, err := tx.CreateBucket(p(account, region, kCrawlState)...)
		if err != nil {
			return err
		}
		return b.PutJSON([]byte(name), &st)
	})
	if err != nil {
		s.logger().Error("glue: recording the end of a crawl", "crawler", name, "err", err)
	}
}

// logSink is CloudWatch Logs, where Glue writes a crawl's log lines (group
// /aws-glue/crawlers, one stream per crawler).
type logSink interface {
	AppendLogEvents(account, region, group, stream string, timestampsMs []int64, messages []string) error
}

func (s *Service) sendLogs(account, region, name string, cr *crawler) {
	for _, l := range cr.logs {
		s.logger().Debug("glue crawler", "crawler", name, "line", l)
	}
	sink, err := host.Lookup[logSink](s.env, "logs")
	if err != nil {
		return
	}
	if err := sink.AppendLogEvents(account, region, "/aws-glue/crawlers", name, cr.logTimes, cr.logs); err != nil {
		s.logger().Warn("glue: writing a crawl's log lines", "crawler", name, "err", err)
	}
}

func (s *Service) setState(account, region, name string, fn func(c *glueapi.Crawler)) {
	s.st.Update(func(tx *store.Tx) error {
		c, err := getCrawler(tx, account, region, name)
		if err != nil {
			return nil
		}
		fn(c)
		return putRec(tx, c, name, p(account, region, kCrawlers)...)
	})
}

func updateCrawlState(tx *store.Tx, account, region, name string, fn func(st *crawlState)) error {
	b, err := tx.CreateBucket(p(account, region, kCrawlState)...)
	if err != nil {
		return err
	}
	var st crawlState
	if b.Get([]byte(name)) != nil {
		if err := b.GetJSON([]byte(name), &st); err != nil {
			return err
		}
	}
	fn(&st)
	return b.PutJSON([]byte(name), &st)
}

// ListCrawls answers a crawler's last 100 crawls, newest first, filtered.
func (s *Service) ListCrawls(ctx context.Context, in *glueapi.ListCrawlsRequest) (*glueapi.ListCrawlsResponse, error) {
	account, region := where(ctx, nil)
	name := api.ToString(in.CrawlerName)
	var st crawlState
	err := s.st.View(func(tx *store.Tx) error {
		if _, err := getCrawler(tx, account, region, name); err != nil {
			return err
		}
		if b := tx.Bucket(p(account, region, kCrawlState)...); b != nil && b.Get([]byte(name)) != nil {
			return b.GetJSON([]byte(name), &st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var hs []*glueapi.CrawlerHistory
	for i := len(st.History) - 1; i >= 0; i-- {
		h := st.History[i]
		keep := true
		for _, f := range in.Filters {
			keep = keep && crawlFilter(h, f)
		}
		if !keep {
			continue
		}
		start := h.Start
		ch := &glueapi.CrawlerHistory{CrawlId: api.String(h.ID), State: api.String(h.State), StartTime: &start,
			LogGroup: api.String("/aws-glue/crawlers"), LogStream: api.String(name), MessagePrefix: api.String(h.Prefix),
			DPUHour: api.Float64(0)}
		if !h.End.IsZero() {
			end := h.End
			ch.EndTime = &end
		}
		if h.Summary != "" {
			ch.Summary = api.String(h.Summary)
		}
		if h.Error != "" {
			ch.ErrorMessage = api.String(h.Error)
		}
		hs = append(hs, ch)
	}
	seq := make([]int, len(hs))
	for i := range seq {
		seq[i] = i
	}
	idx, next, err := page(seq, func(i int) string { return fmt.Sprintf("%08d", i) }, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	out := &glueapi.ListCrawlsResponse{Crawls: []*glueapi.CrawlerHistory{}, NextToken: next}
	for _, i := range idx {
		out.Crawls = append(out.Crawls, hs[i])
	}
	return out, nil
}

// crawlFilter applies one of ListCrawls' filters.
func crawlFilter(h crawlRecord, f *glueapi.CrawlsFilter) bool {
	v := api.ToString(f.FieldValue)
	var c int
	switch api.ToString(f.FieldName) {
	case "CRAWL_ID":
		c = strings.Compare(h.ID, v)
	case "STATE":
		c = strings.Compare(h.State, strings.ToUpper(v))
	case "START_TIME", "END_TIME":
		t := h.Start
		if api.ToString(f.FieldName) == "END_TIME" {
			t = h.End
		}
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			pt, perr := time.Parse(time.RFC3339, v)
			if perr != nil {
				return false
			}
			ms = pt.UnixMilli()
		}
		c = cmpInt(t.UnixMilli(), ms)
	case "DPU_HOUR":
		c = strings.Compare("0", v)
	default:
		return true
	}
	switch api.ToString(f.FilterOperator) {
	case "EQ":
		return c == 0
	case "NE":
		return c != 0
	case "GT":
		return c > 0
	case "GE":
		return c >= 0
	case "LT":
		return c < 0
	case "LE":
		return c <= 0
	}
	return true
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// StopCrawler asks a running crawl to stop: STOPPING, then READY with
// LastCrawl CANCELLED.
func (s *Service) StopCrawler(ctx context.Context, in *glueapi.StopCrawlerRequest) (*glueapi.StopCrawlerResponse, error) {
	account, region := where(ctx, nil)
	name := api.ToString(in.Name)
	s.runs.mu.Lock()
	defer s.runs.mu.Unlock()
	err := s.st.Update(func(tx *store.Tx) error {
		c, err := getCrawler(tx, account, region, name)
		if err != nil {
			return err
		}
		switch api.ToString(c.State) {
		case "READY":
			return &glueapi.CrawlerNotRunningException{Message: api.String(fmt.Sprintf("Crawler with name %s has not started", name))}
		case "STOPPING":
			return &glueapi.CrawlerStoppingException{Message: api.String(fmt.Sprintf("Crawler with name %s is stopping", name))}
		}
		c.State = api.String("STOPPING")
		return putRec(tx, c, name, p(account, region, kCrawlers)...)
	})
	if err != nil {
		return nil, err
	}
	if cancel := s.runs.active[runKey(account, region, name)]; cancel != nil {
		cancel()
	}
	return &glueapi.StopCrawlerResponse{}, nil
}

// GetCrawlerMetrics answers each crawler's last run and run times.
func (s *Service) GetCrawlerMetrics(ctx context.Context, in *glueapi.GetCrawlerMetricsRequest) (*glueapi.GetCrawlerMetricsResponse, error) {
	account, region := where(ctx, nil)
	names := in.CrawlerNameList
	if len(names) == 0 {
		cs, err := s.listCrawlers(account, region)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			names = append(names, *c.Name)
		}
	}
	var ms []*glueapi.CrawlerMetrics
	err := s.st.View(func(tx *store.Tx) error {
		for _, n := range names {
			c, err := getCrawler(tx, account, region, n)
			if err != nil {
				continue
			}
			var st crawlState
			if b := tx.Bucket(p(account, region, kCrawlState)...); b != nil && b.Get([]byte(n)) != nil {
				if err := b.GetJSON([]byte(n), &st); err != nil {
					return err
				}
			}
			m := &glueapi.CrawlerMetrics{CrawlerName: api.String(n), TimeLeftSeconds: api.Float64(0),
				StillEstimating:    api.Bool(api.ToString(c.State) == "RUNNING"),
				LastRuntimeSeconds: api.Float64(0), MedianRuntimeSeconds: api.Float64(0),
				TablesCreated: api.Int64(st.Created), TablesUpdated: api.Int64(st.Updated), TablesDeleted: api.Int64(st.Deleted)}
			if k := len(st.Runtimes); k > 0 {
				m.LastRuntimeSeconds = api.Float64(st.Runtimes[k-1])
				sorted := append([]float64(nil), st.Runtimes...)
				sort.Float64s(sorted)
				med := sorted[k/2]
				if k%2 == 0 {
					med = (sorted[k/2-1] + sorted[k/2]) / 2
				}
				m.MedianRuntimeSeconds = api.Float64(med)
			}
			ms = append(ms, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, next, err := page(ms, func(m *glueapi.CrawlerMetrics) string { return *m.CrawlerName }, in.NextToken, in.MaxResults, 1000)
	if err != nil {
		return nil, err
	}
	return &glueapi.GetCrawlerMetricsResponse{CrawlerMetricsList: out, NextToken: next}, nil
}

// Lifecycle.

// Start finds crawls a previous process left RUNNING (it stopped mid-crawl)
// and marks them FAILED, READY again; it starts the scheduler when some
// crawler has a schedule.
func (s *Service) Start(ctx context.Context) error {
	scheduled := false
	err := s.st.Update(func(tx *store.Tx) error {
		return s.eachCrawler(tx, func(account, region string, c *glueapi.Crawler) error {
			if c.Schedule != nil {
				scheduled = true
			}
			if api.ToString(c.State) == "READY" {
				return nil
			}
			const msg = "fogbank stopped during the crawl"
			now := s.now().UTC()
			c.State = api.String("READY")
			c.CrawlElapsedTime = api.Int64(0)
			c.LastCrawl = &glueapi.LastCrawlInfo{Status: api.String("FAILED"), ErrorMessage: api.String(msg),
				LogGroup: api.String("/aws-glue/crawlers"), LogStream: c.Name, MessagePrefix: api.String(newUUID()), StartTime: &now}
			err := updateCrawlState(tx, account, region, *c.Name, func(st *crawlState) {
				if n := len(st.History); n > 0 && st.History[n-1].State == "RUNNING" {
					h := &st.History[n-1]
					h.State, h.End, h.Error = "FAILED", now, msg
					start := h.Start
					c.LastCrawl.StartTime, c.LastCrawl.MessagePrefix = &start, api.String(h.Prefix)
				}
			})
			if err != nil {
				return err
			}
			return putRec(tx, c, *c.Name, p(account, region, kCrawlers)...)
		})
	})
	if err != nil {
		return err
	}
	if scheduled {
		s.wakeScheduler()
	}
	return nil
}

// Reset is called after the service's state was replaced (a reset, or a
// snapshot loaded): the crawls in progress belong to the old state and are
// cancelled (they record nothing: their crawlers are gone), and the
// scheduler looks at the new state's schedules.
func (s *Service) Reset() {
	s.runs.mu.Lock()
	for _, cancel := range s.runs.active {
		cancel()
	}
	running := s.runs.sched != nil
	s.runs.mu.Unlock()
	scheduled := running
	if !scheduled {
		s.st.View(func(tx *store.Tx) error {
			return s.eachCrawler(tx, func(_, _ string, c *glueapi.Crawler) error {
				scheduled = scheduled || c.Schedule != nil
				return nil
			})
		})
	}
	if scheduled {
		s.wakeScheduler()
	}
}

var _ host.Resetter = (*Service)(nil)

// Stop stops the scheduler and the crawls, and waits for them.
func (s *Service) Stop(ctx context.Context) error {
	s.runs.mu.Lock()
	s.runs.stopped = true
	for _, cancel := range s.runs.active {
		cancel()
	}
	if s.runs.sched != nil {
		close(s.runs.sched)
		s.runs.sched = nil
	}
	s.runs.mu.Unlock()
	done := make(chan struct{})
	go func() { s.runs.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return nil
}

// eachCrawler calls fn for every crawler of every account and region.
func (s *Service) eachCrawler(tx *store.Tx, fn func(account, region string, c *glueapi.Crawler) error) error {
	rb := tx.Bucket(root)
	if rb == nil {
		return nil
	}
	var accounts []string
	rb.ForEachBucket(func(n []byte) error { accounts = append(accounts, string(n)); return nil })
	for _, a := range accounts {
		var regions []string
		tx.Bucket(root, a).ForEachBucket(func(n []byte) error { regions = append(regions, string(n)); return nil })
		for _, r := range regions {
			b := tx.Bucket(p(a, r, kCrawlers)...)
			if b == nil {
				continue
			}
			var cs []*glueapi.Crawler
			if err := b.ForEach(func(_, v []byte) error {
				c := new(glueapi.Crawler)
				cs = append(cs, c)
				return unmarshal(v, c)
			}); err != nil {
				return err
			}
			for _, c := range cs {
				if err := fn(a, r, c); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// The scheduler: one goroutine, started by the first schedule, that sleeps
// until the next time a scheduled crawler fires and starts it (a crawler
// still running then is left to finish, as Glue skips that run).

func (s *Service) wakeScheduler() {
	s.runs.mu.Lock()
	defer s.runs.mu.Unlock()
	if s.runs.stopped {
		return
	}
	if s.runs.sched == nil {
		s.runs.sched = make(chan struct{}, 1)
		s.runs.wg.Add(1)
		go s.schedule(s.runs.sched)
		return
	}
	select {
	case s.runs.sched <- struct{}{}:
	default:
	}
}

// due lists the scheduled crawlers whose schedule fires in (after, upTo],
// and the next firing after upTo.
func (s *Service) due(after, upTo time.Time) (fire [][3]string, next time.Time) {
	s.st.View(func(tx *store.Tx) error {
		return s.eachCrawler(tx, func(account, region string, c *glueapi.Crawler) error {
			if c.Schedule == nil || api.ToString(c.Schedule.State) != "SCHEDULED" {
				return nil
			}
			spec, err := parseSchedule(api.ToString(c.Schedule.ScheduleExpression))
			if err != nil {
				return nil
			}
			if t := spec.next(after); !t.IsZero() && !t.After(upTo) {
				fire = append(fire, [3]string{account, region, *c.Name})
			}
			if t := spec.next(upTo); !t.IsZero() && (next.IsZero() || t.Before(next)) {
				next = t
			}
			return nil
		})
	})
	return fire, next
}

func (s *Service) schedule(wake chan struct{}) {
	defer s.runs.wg.Done()
	last := s.now().UTC()
	for {
		now := s.now().UTC()
		fire, next := s.due(last, now)
		for _, f := range fire {
			err := s.start(f[0], f[1], f[2])
			var running *glueapi.CrawlerRunningException
			if err != nil && !errors.As(err, &running) {
				s.logger().Warn("glue: scheduled crawl did not start", "crawler", f[2], "err", err)
			}
		}
		last = now
		wait := time.Hour
		if !next.IsZero() {
			wait = next.Sub(s.now().UTC())
		}
		t := time.NewTimer(max(wait, 0))
		select {
		case _, ok := <-wake:
			t.Stop()
			if !ok {
				return
			}
		case <-t.C:
		}
	}
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
