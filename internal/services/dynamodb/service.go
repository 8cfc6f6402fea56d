package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/ddbstream"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
	"github.com/fogbank/fogbank/internal/store"
)

// Impl is how the server creates this service (internal/services/all).
var Impl = host.Impl{New: New, Proto: (*Service)(nil)}

// Service is fogbank's DynamoDB.
type Service struct {
	ddb.Unimplemented
	st     *store.Store
	events *outbox.Outbox // wakes the subscribers of stream topics (nil in tests: none)
	now    func() time.Time
	log    *slog.Logger

	cacheMu sync.Mutex // guards cache
	// cache holds decoded table metadata by its stored bytes, so that item
	// operations need not decode JSON on every request; an entry is used only
	// when the bytes in the transaction are the same.
	cache map[string]*cachedTable

	sweeper sync.Once // starts ttlLoop, at Start when tables exist or at the first CreateTable
	stop    chan struct{}
	wg      sync.WaitGroup
}

type cachedTable struct {
	raw []byte
	t   *tableMeta
}

var (
	_ ddb.API      = (*Service)(nil)
	_ host.Starter = (*Service)(nil)
)

// New creates the service over env's store. The TTL sweeper starts with the
// first table (Start, CreateTable): a fogbank with no DynamoDB state runs no
// goroutine for it.
func New(env *host.Env) (any, error) {
	s := &Service{st: env.Store, events: env.Outbox, now: env.Now, log: env.Logger, cache: map[string]*cachedTable{}, stop: make(chan struct{})}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s, nil
}

// Start starts the TTL sweeper when the store already holds tables (items may
// expire, and stream records age out, while nobody calls).
func (s *Service) Start(context.Context) error {
	var any bool
	s.st.View(func(tx *store.Tx) error { any = tx.Bucket(root) != nil; return nil })
	if any {
		s.startSweeper()
	}
	return nil
}

// update is st.Update for item writes: once they committed, the subscribers of
// the stream records they may have appended are woken.
func (s *Service) update(fn func(*store.Tx) error) error {
	err := s.st.Update(fn)
	if err == nil {
		s.events.Wake(allStreams)
	}
	return err
}

// allStreams is the path prefix of every stream topic (ddbstream.Topic).
var allStreams = outbox.Topic{Path: []string{ddbstream.Root}}

func (s *Service) startSweeper() {
	s.sweeper.Do(func() {
		s.wg.Add(1)
		go s.ttlLoop()
	})
}

// Close stops the background work.
func (s *Service) Close() error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.wg.Wait()
	return nil
}

// Reset forgets the decoded tables (host.Resetter): an entry is only used when
// its bytes match the store's, so this returns memory rather than fixes anything.
func (s *Service) Reset() {
	s.cacheMu.Lock()
	s.cache = map[string]*cachedTable{}
	s.cacheMu.Unlock()
}

// ---- errors ----

func validation(format string, args ...any) *api.Err {
	if len(args) == 0 {
		return &api.Err{Code: "ValidationException", Status: 400, Message: format}
	}
	return &api.Err{Code: "ValidationException", Status: 400, Message: fmt.Sprintf(format, args...)}
}

// validationMsg is a ValidationException with a ready message.
func validationMsg(msg string) *api.Err {
	return &api.Err{Code: "ValidationException", Status: 400, Message: msg}
}

func invalidParam(format string, args ...any) *api.Err {
	return validation("One or more parameter values were invalid: "+format, args...)
}

func notFound(msg string) error {
	return &ddb.ResourceNotFoundException{Message: api.String(msg)}
}

func tableNotFound(name string) error {
	return notFound("Requested resource not found: Table: " + name + " not found")
}

func resourceNotFound() error { return notFound("Requested resource not found") }

func inUse(msg string) error { return &ddb.ResourceInUseException{Message: api.String(msg)} }

func condFailed(item expr.Item) error {
	return &ddb.ConditionalCheckFailedException{Message: api.String("The conditional request failed"), Item: item}
}

// exprErr words an expression error for the named parameter.
func exprErr(kind string, err error) error {
	var e *expr.Error
	if errors.As(err, &e) {
		if kind == "" {
			return validationMsg(e.Msg)
		}
		return validation("Invalid %s: %s", kind, e.Msg)
	}
	return err
}

// internal logs err and returns what the client sees.
func (s *Service) internal(err error) error {
	var ae api.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, store.ErrFull) {
		// The store logged it (once) and nothing of the write remains: a 500,
		// which every SDK retries, as DynamoDB answers its own server faults.
		return errDiskFull()
	}
	s.log.Error("dynamodb", "err", err)
	return api.InternalError()
}

// errDiskFull is the answer to a write that found fogbank's disk full.
func errDiskFull() error {
	return api.Errorf(http.StatusInternalServerError, "InternalServerError", "Internal server error")
}

// ---- table metadata ----

type tableMeta struct {
	Name        string            `json:"name"`
	ID          string            `json:"id"`
	Created     time.Time         `json:"created"`
	Hash        string            `json:"hash"`
	Range       string            `json:"range,omitempty"`
	Attrs       map[string]string `json:"attrs"`
	AttrOrder   []string          `json:"attrOrder"`
	BillingMode string            `json:"billing"`
	RCU         int64             `json:"rcu"`
	WCU         int64             `json:"wcu"`
	LSIs        []*indexMeta      `json:"lsis,omitempty"`
	GSIs        []*indexMeta      `json:"gsis,omitempty"`
	Stream      *streamMeta       `json:"stream,omitempty"`
	TTLAttr     string            `json:"ttlAttr,omitempty"`
	TTLEnabled  bool              `json:"ttlEnabled,omitempty"`
	Tags        []tag             `json:"tags,omitempty"`
	DeletionPro bool              `json:"deletionProtection,omitempty"`
	TableClass  string            `json:"tableClass,omitempty"`
	SSE         bool              `json:"sse,omitempty"`
	Account     string            `json:"account"`
	Region      string            `json:"region"`
	// Status is ACTIVE once created; UPDATING only transiently in answers.
	Status string `json:"status"`
}

type indexMeta struct {
	Name     string   `json:"name"`
	Hashes   []string `json:"hashes"`           // one, or up to 4 for a GSI
	Ranges   []string `json:"ranges,omitempty"` // none, one, or up to 4 for a GSI
	ProjType string   `json:"projType"`
	NonKey   []string `json:"nonKey,omitempty"`
	RCU      int64    `json:"rcu,omitempty"`
	WCU      int64    `json:"wcu,omitempty"`
	Local    bool     `json:"local,omitempty"`
}

// keyAttrs lists the index's key attributes, hash first.
func (ix *indexMeta) keyAttrs() []string {
	return append(append([]string{}, ix.Hashes...), ix.Ranges...)
}

type streamMeta struct {
	Enabled  bool   `json:"enabled"`
	ViewType string `json:"viewType"`
	Label    string `json:"label"`
}

type tag struct{ Key, Value string }

func (t *tableMeta) arn() string {
	return "arn:aws:dynamodb:" + t.Region + ":" + t.Account + ":table/" + t.Name
}

func (t *tableMeta) streamARN() string {
	if t.Stream == nil {
		return ""
	}
	return t.arn() + "/stream/" + t.Stream.Label
}

func (t *tableMeta) index(name string) *indexMeta {
	for _, ix := range t.LSIs {
		if ix.Name == name {
			return ix
		}
	}
	for _, ix := range t.GSIs {
		if ix.Name == name {
			return ix
		}
	}
	return nil
}

func (t *tableMeta) isKey(name string) bool { return name == t.Hash || name == t.Range }

// Store layout: dynamodb / <account> / <region> / "tables" holds tableMeta JSON
// by table name; dynamodb / <account> / <region> / "data" / <table> holds the
// table's buckets: "items" (item key → item), "ix:<index>" (index key → item),
// "stream" (sequence → record), and the key "stats" (item count and size).
const root = "dynamodb"

var (
	bItems  = "items"
	bStream = "stream"
	kStats  = []byte("stats")
)

func tablesBucket(tx *store.Tx, acct, region string) *store.Bucket {
	return tx.Bucket(root, acct, region, "tables")
}

func dataBucket(tx *store.Tx, acct, region, name string) *store.Bucket {
	return tx.Bucket(root, acct, region, "data", name)
}

// regionBucket is the bucket of an account's region, above its tables and data:
// an item operation finds it once for both (regionTable, regionData) rather
// than walking the whole path twice.
func regionBucket(tx *store.Tx, acct, region string) *store.Bucket {
	return tx.Bucket(root, acct, region)
}

// regionData is dataBucket below a regionBucket (nil when either is missing).
func regionData(rb *store.Bucket, name string) *store.Bucket {
	if rb == nil {
		return nil
	}
	return rb.Bucket("data", name)
}

// loadTable reads a table's metadata in tx; nil when it does not exist.
func (s *Service) loadTable(tx *store.Tx, acct, region, name string) (*tableMeta, error) {
	return s.tableIn(tablesBucket(tx, acct, region), acct, region, name)
}

// regionTable is loadTable below a regionBucket rb (nil when it is missing).
func (s *Service) regionTable(rb *store.Bucket, acct, region, name string) (*tableMeta, error) {
	if rb == nil {
		return nil, nil
	}
	return s.tableIn(rb.Bucket("tables"), acct, region, name)
}

// tableIn is loadTable with the tables bucket at hand (nil when it is missing).
func (s *Service) tableIn(tb *store.Bucket, acct, region, name string) (*tableMeta, error) {
	if tb == nil {
		return nil, nil
	}
	raw := tb.Get([]byte(name))
	if raw == nil {
		return nil, nil
	}
	ck := acct + "\x00" + region + "\x00" + name
	s.cacheMu.Lock()
	c := s.cache[ck]
	s.cacheMu.Unlock()
	if c != nil && bytes.Equal(c.raw, raw) {
		return c.t, nil
	}
	t := &tableMeta{}
	if err := json.Unmarshal(raw, t); err != nil {
		return nil, fmt.Errorf("dynamodb: table %q: %w", name, err)
	}
	s.cacheMu.Lock()
	s.cache[ck] = &cachedTable{raw: append([]byte(nil), raw...), t: t}
	s.cacheMu.Unlock()
	return t, nil
}

func saveTable(tx *store.Tx, t *tableMeta) error {
	tb, err := tx.CreateBucket(root, t.Account, t.Region, "tables")
	if err != nil {
		return err
	}
	return tb.PutJSON([]byte(t.Name), t)
}

// clone returns a deep copy of t, to modify and save.
func (t *tableMeta) clone() *tableMeta {
	raw, _ := json.Marshal(t)
	c := &tableMeta{}
	json.Unmarshal(raw, c)
	return c
}

// ---- request scope ----

type scope struct {
	acct, region string
}

func scopeOf(ctx context.Context) scope {
	c := api.CallerFrom(ctx)
	return scope{c.Account, c.Region}
}

// tableName validates a TableName parameter as DynamoDB does (3 to 255 of
// [a-zA-Z0-9_.-]); a table ARN is accepted too.
func tableName(p *string) (string, error) {
	name := api.ToString(p)
	if strings.HasPrefix(name, "arn:") {
		if i := strings.Index(name, ":table/"); i >= 0 {
			name = name[i+len(":table/"):]
		}
	}
	if err := checkName("tableName", name, p != nil); err != nil {
		return "", err
	}
	return name, nil
}

// checkName applies the table/index name rules, worded as Coral's validation.
func checkName(field, name string, present bool) error {
	if !present {
		return validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	var vs []string
	if len(name) < 3 {
		vs = append(vs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 3", protocol.Shown(name), field))
	}
	if len(name) > 255 {
		vs = append(vs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255", protocol.Shown(name), field))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			vs = append(vs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", protocol.Shown(name), field))
			break
		}
	}
	if len(vs) == 0 {
		return nil
	}
	if len(vs) == 1 {
		return validationMsg("1 validation error detected: " + vs[0])
	}
	return validation("%d validation errors detected: %s", len(vs), strings.Join(vs, "; "))
}

// getTable loads a table for a read, outside any write.
func (s *Service) getTable(sc scope, name string) (*tableMeta, error) {
	var t *tableMeta
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		t, err = s.loadTable(tx, sc.acct, sc.region, name)
		return err
	})
	if err != nil {
		return nil, s.internal(err)
	}
	if t == nil {
		return nil, resourceNotFound()
	}
	return t, nil
}
