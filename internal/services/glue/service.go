package glue

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
	"github.com/fogbank/fogbank/internal/store"
)

// Impl is how the server creates this service (internal/services/all).
var Impl = host.Impl{New: New, Proto: (*Service)(nil)}

// Service is fogbank's Glue: the Data Catalog and its crawlers.
type Service struct {
	glueapi.Unimplemented
	env *host.Env
	st  *store.Store
	now func() time.Time

	runs runs // crawls in progress and the scheduler
}

var _ glueapi.API = (*Service)(nil)

// New creates the service. It starts nothing: the crawler scheduler starts in
// Start, and only when a crawler with a schedule exists.
func New(env *host.Env) (any, error) {
	now := env.Now
	if now == nil {
		now = time.Now
	}
	return &Service{env: env, st: env.Store, now: now}, nil
}

// root is the store bucket every record of the service lives under:
// root/account/region/<kind>/...
const root = "glue"

// Kinds of records, each a bucket under root/account/region.
const (
	kDatabases   = "databases"   // name → Database
	kTables      = "tables"      // /db: name → Table
	kVersions    = "versions"    // /db/table: Uint64Key(version) → Table
	kPartitions  = "partitions"  // /db/table: partKey(values) → Partition
	kIndexes     = "indexes"     // /db/table: name → PartitionIndexDescriptor
	kColStats    = "colstats"    // /db/table: "T\x00col" or "P\x00partKey\x00col" → ColumnStatistics
	kFunctions   = "functions"   // /db: name → UserDefinedFunction
	kConnections = "connections" // name → Connection
	kTags        = "tags"        // arn → map of tags
	kCrawlers    = "crawlers"    // name → crawler
	kClassifiers = "classifiers" // name → Classifier
)

// where names the account and region a call works in: the caller's, or the
// CatalogId's account when one is given.
func where(ctx context.Context, catalogID *string) (account, region string) {
	c := api.CallerFrom(ctx)
	account, region = c.Account, c.Region
	if id := api.ToString(catalogID); id != "" {
		account = id
	}
	return account, region
}

// norm is a catalogue name as Glue keeps it: Hive lower-cases database and
// table names, and so does Glue (CreateTable "Logs" is read back as "logs").
func norm(p *string) string { return strings.ToLower(api.ToString(p)) }

// marshal and unmarshal keep records in AWS's own JSON shapes, so what is
// stored is what GetTable answers and what the catalogue contract hands Athena.
func marshal(v any) []byte {
	b, err := jsonbody.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("glue: marshal %T: %v", v, err)) // our own typed values always encode
	}
	return b
}

func unmarshal(b []byte, v any) error { return jsonbody.Unmarshal(b, v) }

func (s *Service) logger() *slog.Logger {
	if s.env.Logger != nil {
		return s.env.Logger
	}
	return slog.Default()
}

// getRec reads the record at path/key into v; false when there is none.
func getRec(tx *store.Tx, v any, key string, path ...string) (bool, error) {
	b := tx.Bucket(path...)
	if b == nil {
		return false, nil
	}
	raw := b.Get([]byte(key))
	if raw == nil {
		return false, nil
	}
	return true, unmarshal(raw, v)
}

func putRec(tx *store.Tx, v any, key string, path ...string) error {
	b, err := tx.CreateBucket(path...)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), marshal(v))
}

func delRec(tx *store.Tx, key string, path ...string) error {
	b := tx.Bucket(path...)
	if b == nil {
		return nil
	}
	return b.Delete([]byte(key))
}

// dropBucket deletes a bucket and what it holds, if it exists.
func dropBucket(tx *store.Tx, path ...string) error {
	if tx.Bucket(path...) == nil {
		return nil
	}
	return tx.DeleteBucket(path...)
}

// p builds a bucket path under root/account/region.
func p(account, region string, parts ...string) []string {
	return append([]string{root, account, region}, parts...)
}

// Errors, worded as Glue words them.

func notFound(format string, args ...any) error {
	return &glueapi.EntityNotFoundException{Message: api.String(fmt.Sprintf(format, args...))}
}

func exists(format string, args ...any) error {
	return &glueapi.AlreadyExistsException{Message: api.String(fmt.Sprintf(format, args...))}
}

func invalidInput(format string, args ...any) error {
	return &glueapi.InvalidInputException{Message: api.String(fmt.Sprintf(format, args...))}
}

func dbNotFound(db string) error { return notFound("Database %s not found.", db) }

func tableNotFound(table string) error { return notFound("Table %s not found.", table) }

// page cuts a sorted list of names at an opaque NextToken (the last name of
// the previous page, base64) and a MaxResults.
func page[T any](items []T, name func(T) string, token *string, max *int64, def int) (out []T, next *string, err error) {
	start := ""
	if t := api.ToString(token); t != "" {
		b, derr := base64.RawURLEncoding.DecodeString(t)
		if derr != nil {
			return nil, nil, invalidInput("Invalid pagination token")
		}
		start = string(b)
	}
	n := def
	if max != nil && *max > 0 && int(*max) < n {
		n = int(*max)
	}
	out = []T{}
	for _, it := range items {
		if start != "" && name(it) <= start {
			continue
		}
		if len(out) == n {
			next = api.String(base64.RawURLEncoding.EncodeToString([]byte(name(out[n-1]))))
			break
		}
		out = append(out, it)
	}
	return out, next, nil
}

// arn is a catalogue resource's ARN, as tags name it.
func arn(account, region, kind, name string) string {
	return "arn:aws:glue:" + region + ":" + account + ":" + kind + "/" + name
}
