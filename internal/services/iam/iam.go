package iam

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	iamapi "github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/iam/policy"
	"github.com/fogbank/fogbank/internal/store"
)

// Impl is how the server creates this service (internal/services/all).
var Impl = host.Impl{New: New, Proto: (*Service)(nil)}

// Service is fogbank's IAM.
type Service struct {
	iamapi.Unimplemented
	st  *store.Store
	log *slog.Logger
	now func() time.Time
	// mode is set once, before the first request (SetMode).
	mode    Mode
	env     *host.Env
	buckets bucketPolicies          // S3, found at Start; nil without it
	tables  partitionKeys           // DynamoDB, found at Start; nil without it
	taggers map[string]resourceTags // services answering their resources' tags, by ARN service

	// wmu serialises IAM's writes, so that the cache below is set in the
	// order the writes committed.
	wmu sync.Mutex
	// mu guards accounts and creds: decoded state, read on every request
	// under enforcement. Each value is replaced whole by a write, never
	// changed in place.
	mu       sync.RWMutex
	accounts map[string]*account
	creds    map[string]*Credential // by access key id; nil values: known absent
	// gen counts IAM's writes: compiled policy sets (authz.go) are kept
	// while it has not moved.
	gen      atomic.Uint64
	compiled sync.Map                // access key id → *compiledSet
	globals  atomic.Pointer[globals] // the global condition keys of this second (enforce.go)
}

var _ iamapi.API = (*Service)(nil)

// New creates the service.
func New(env *host.Env) (any, error) {
	s := &Service{st: env.Store, log: env.Logger, now: env.Now, env: env}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.Reset()
	return s, nil
}

// Reset forgets the decoded state (host.Resetter): the store's was replaced.
func (s *Service) Reset() {
	s.mu.Lock()
	s.accounts, s.creds = map[string]*account{}, map[string]*Credential{}
	s.mu.Unlock()
	s.gen.Add(1)
	s.compiled.Clear()
}

// account is the IAM state of one account, stored as one record: IAM's
// state is small (AWS's own quotas bound it to a few thousand entities) and
// written rarely, and one record keeps every change atomic.
type account struct {
	Users    map[string]*entity  `json:"users,omitempty"` // by lower-case name
	Groups   map[string]*entity  `json:"groups,omitempty"`
	Roles    map[string]*entity  `json:"roles,omitempty"`
	Profiles map[string]*entity  `json:"instanceProfiles,omitempty"`
	Policies map[string]*managed `json:"policies,omitempty"` // customer managed, by ARN
	// Attached counts attachments of AWS managed policies, by ARN.
	AWSAttached    map[string]int64 `json:"awsAttached,omitempty"`
	Aliases        []string         `json:"aliases,omitempty"` // at most one
	PasswordPolicy *passwordPolicy  `json:"passwordPolicy,omitempty"`
}

// entity is a user, group or role.
type entity struct {
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"`
	Created  time.Time         `json:"created"`
	Tags     []tag             `json:"tags,omitempty"`
	Inline   map[string]string `json:"inline,omitempty"` // policy name → document
	Attached []string          `json:"attached,omitempty"`
	Boundary string            `json:"boundary,omitempty"`
	// Users only.
	Groups []string `json:"groups,omitempty"`
	Keys   []string `json:"keys,omitempty"`
	// Instance profiles only: their role (at most one).
	Roles []string `json:"roles,omitempty"`
	// Roles only.
	Trust       string `json:"trust,omitempty"`
	Description string `json:"description,omitempty"`
	MaxSession  int64  `json:"maxSession,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// managed is a customer managed policy.
type managed struct {
	Name        string    `json:"name"`
	Path        string    `json:"path"`
	ID          string    `json:"id"`
	ARN         string    `json:"arn"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	Versions    []version `json:"versions"`
	Default     string    `json:"default"`
	NextVersion int       `json:"next"`
	Tags        []tag     `json:"tags,omitempty"`
	Attachments int64     `json:"attachments,omitempty"`
	Boundaries  int64     `json:"boundaries,omitempty"`
}

type version struct {
	ID      string    `json:"id"`
	Doc     string    `json:"doc"`
	Created time.Time `json:"created"`
}

func (m *managed) defaultDoc() string {
	for _, v := range m.Versions {
		if v.ID == m.Default {
			return v.Doc
		}
	}
	return ""
}

// kinds of entities, for their messages and ARNs.
type kind struct {
	name   string // "user"
	title  string // "User"
	prefix string // id prefix: "AIDA"
	set    func(a *account) map[string]*entity
}

var (
	users  = &kind{"user", "User", "AIDA", func(a *account) map[string]*entity { return a.Users }}
	groups = &kind{"group", "Group", "AGPA", func(a *account) map[string]*entity { return a.Groups }}
	roles  = &kind{"role", "Role", "AROA", func(a *account) map[string]*entity { return a.Roles }}
	// Instance profiles hold their role's name in Roles (at most one).
	profiles = &kind{"instance-profile", "Instance Profile", "AIPA", func(a *account) map[string]*entity { return a.Profiles }}
)

func (k *kind) arn(acct string, e *entity) string {
	return "arn:aws:iam::" + acct + ":" + k.name + e.Path + e.Name
}

func noSuch(k *kind, name string) error {
	if k == profiles {
		return noSuchProfile(name)
	}
	return &iamapi.NoSuchEntityException{Message: api.String(fmt.Sprintf("The %s with name %s cannot be found.", k.name, name))}
}

func (a *account) get(k *kind, name string) (*entity, error) {
	if e := k.set(a)[strings.ToLower(name)]; e != nil {
		return e, nil
	}
	return nil, noSuch(k, name)
}

// The store: "iam" / account / "state" holds an account; "iam" / "_creds"
// holds access keys and session credentials by key id (the key id alone
// must find its account).
const root = "iam"

var stateKey = []byte("state")

func load(tx *store.Tx, acct string) (*account, error) {
	a := &account{}
	if b := tx.Bucket(root, acct); b != nil {
		if err := b.GetJSON(stateKey, a); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	a.init()
	return a, nil
}

func (a *account) init() {
	if a.Users == nil {
		a.Users = map[string]*entity{}
	}
	if a.Groups == nil {
		a.Groups = map[string]*entity{}
	}
	if a.Roles == nil {
		a.Roles = map[string]*entity{}
	}
	if a.Profiles == nil {
		a.Profiles = map[string]*entity{}
	}
	if a.Policies == nil {
		a.Policies = map[string]*managed{}
	}
	if a.AWSAttached == nil {
		a.AWSAttached = map[string]int64{}
	}
}

// view is the account's state to read: the cached copy, never to change.
func (s *Service) view(acct string) (*account, error) {
	s.mu.RLock()
	a := s.accounts[acct]
	s.mu.RUnlock()
	if a != nil {
		return a, nil
	}
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		a, err = load(tx, acct)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if cur := s.accounts[acct]; cur != nil {
		a = cur
	} else {
		s.accounts[acct] = a
	}
	s.mu.Unlock()
	return a, nil
}

// update changes an account: fn works on a fresh copy decoded from the store,
// and may change credentials in the same transaction (tx).
func (s *Service) update(acct string, fn func(tx *txn, a *account) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var changed *account
	var credsTouched []string
	err := s.st.Update(func(tx *store.Tx) error {
		a, err := load(tx, acct)
		if err != nil {
			return err
		}
		t := &txn{Tx: tx}
		if err := fn(t, a); err != nil {
			return err
		}
		b, err := tx.CreateBucket(root, acct)
		if err != nil {
			return err
		}
		changed, credsTouched = a, t.touched
		return b.PutJSON(stateKey, a)
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.accounts[acct] = changed
	for _, id := range credsTouched {
		delete(s.creds, id)
	}
	s.mu.Unlock()
	s.gen.Add(1)
	return nil
}

// txn is a write's transaction, and the credentials it touched (dropped
// from the cache once it commits).
type txn struct {
	*store.Tx
	touched []string
}

// newID is an IAM unique id: a prefix and 17 characters of base32.
func newID(prefix string) string {
	var b [16]byte
	rand.Read(b[:])
	return prefix + base32.StdEncoding.EncodeToString(b[:])[:17]
}

// newSecret is a 40-character secret access key.
func newSecret() string {
	var b [30]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// normPath checks and defaults an entity's path.
func normPath(p *string) (string, error) {
	if p == nil || *p == "" {
		return "/", nil
	}
	v := *p
	if !strings.HasPrefix(v, "/") || !strings.HasSuffix(v, "/") {
		return "", &iamapi.InvalidInputException{Message: api.String("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")}
	}
	return v, nil
}

// encodeDoc is a policy document as IAM answers it: URL-encoded (RFC 3986),
// which botocore and the AWS CLI decode.
func encodeDoc(doc string) *string {
	return api.String(strings.ReplaceAll(url.QueryEscape(doc), "+", "%20"))
}

// checkDoc parses a policy document for use as kind k, answering IAM's errors.
func checkDoc(doc string, k policy.Kind) (*policy.Policy, error) {
	p, err := policy.Parse(doc, k)
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return nil, &iamapi.MalformedPolicyDocumentException{Message: api.String(pe.Message)}
		}
		return nil, err
	}
	return p, nil
}

// docSize is a policy's size as IAM's quotas count it: without whitespace.
func docSize(doc string) int {
	n := 0
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

func limitExceeded(format string, args ...any) error {
	return &iamapi.LimitExceededException{Message: api.String(fmt.Sprintf(format, args...))}
}

func toTags(in []*iamapi.Tag) []tag {
	var out []tag
	for _, t := range in {
		out = append(out, tag{api.ToString(t.Key), api.ToString(t.Value)})
	}
	return out
}

func fromTags(in []tag) []*iamapi.Tag {
	out := make([]*iamapi.Tag, 0, len(in))
	for _, t := range in {
		out = append(out, &iamapi.Tag{Key: api.String(t.Key), Value: api.String(t.Value)})
	}
	return out
}

// mergeTags adds or replaces tags, at most 50.
func mergeTags(cur []tag, add []*iamapi.Tag) ([]tag, error) {
	for _, t := range add {
		k, v := api.ToString(t.Key), api.ToString(t.Value)
		found := false
		for i := range cur {
			if strings.EqualFold(cur[i].Key, k) {
				cur[i] = tag{k, v}
				found = true
			}
		}
		if !found {
			cur = append(cur, tag{k, v})
		}
	}
	if len(cur) > 50 {
		return nil, limitExceeded("The number of tags has reached the maximum limit.")
	}
	return cur, nil
}

func removeTags(cur []tag, keys []string) []tag {
	out := cur[:0]
	for _, t := range cur {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// page cuts a sorted list of names at Marker and MaxItems (default 100).
func page[T any](items []T, name func(T) string, marker *string, maxItems *int64) (out []T, truncated *bool, next *string) {
	start := 0
	if m := api.ToString(marker); m != "" {
		start = sort.Search(len(items), func(i int) bool { return name(items[i]) >= m })
	}
	n := int(api.ToInt64(maxItems))
	if n <= 0 || n > 1000 {
		n = 100
	}
	end := start + n
	if end >= len(items) {
		return items[start:], api.Bool(false), nil
	}
	return items[start:end], api.Bool(true), api.String(name(items[end]))
}

func sortedEntities(m map[string]*entity, prefix *string) []*entity {
	out := make([]*entity, 0, len(m))
	for _, e := range m {
		if p := api.ToString(prefix); p != "" && !strings.HasPrefix(e.Path, p) {
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func entityName(e *entity) string { return e.Name }

// ctxAccount is the account of the caller.
func ctxAccount(ctx context.Context) string { return api.CallerFrom(ctx).Account }

// jsonClone copies v through JSON (records handed out of a write).
func jsonClone[T any](v T) T {
	b, _ := json.Marshal(v)
	var out T
	json.Unmarshal(b, &out)
	return out
}
