package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"sort"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	logsapi "github.com/fogbank/fogbank/internal/api/logs"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

// Impl is how the server creates this service (internal/services/all).
var Impl = host.Impl{New: New, Proto: (*Service)(nil)}

// Service is fogbank's CloudWatch Logs.
type Service struct {
	logsapi.Unimplemented
	st  *store.Store
	now func() time.Time
}

var _ logsapi.API = (*Service)(nil)

// New creates the service; it starts nothing.
func New(env *host.Env) (any, error) {
	now := env.Now
	if now == nil {
		now = time.Now
	}
	return &Service{st: env.Store, now: now}, nil
}

// Where state lives: root "logs", then account and region, as AWS scopes it.
const (
	root      = "logs"
	groupsB   = "groups"  // group name → group
	streamsB  = "streams" // streams/<group>: stream name → stream
	eventsB   = "events"  // events/<group>/<stream>: ts(8) seq(8) → ingestion(8) message
	maxGroups = 50        // DescribeLogGroups' and DescribeLogStreams' page
)

// group is one log group's record.
type group struct {
	Name               string
	Created            int64 // ms
	Retention          int64 `json:",omitempty"` // days, 0: never expire
	KmsKeyID           string
	Tags               map[string]string `json:",omitempty"`
	Class              string
	DeletionProtection bool `json:",omitempty"`
	StoredBytes        int64
	LastStreamID       uint64 // numbers the group's streams, for event ids
}

// stream is one log stream's record.
type stream struct {
	Name          string
	ID            uint64 // unique in its group
	Created       int64
	First, Last   int64 // event timestamps; 0 with no events
	LastIngestion int64
	StoredBytes   int64
	LastSeq       uint64 // numbers its events in arrival order
	Events        int64
}

func groupARN(account, region, name string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + name
}

func (g *group) out(account, region string) *logsapi.LogGroup {
	arn := groupARN(account, region, g.Name)
	lg := &logsapi.LogGroup{
		LogGroupName:      api.String(g.Name),
		CreationTime:      api.Int64(g.Created),
		MetricFilterCount: api.Int64(0),
		Arn:               api.String(arn + ":*"),
		LogGroupArn:       api.String(arn),
		StoredBytes:       api.Int64(g.StoredBytes),
		LogGroupClass:     api.String(g.Class),
	}
	if g.Retention > 0 {
		lg.RetentionInDays = api.Int64(g.Retention)
	}
	if g.KmsKeyID != "" {
		lg.KmsKeyId = api.String(g.KmsKeyID)
	}
	if g.DeletionProtection {
		lg.DeletionProtectionEnabled = api.Bool(true)
	}
	return lg
}

func (st *stream) out(account, region, grp string) *logsapi.LogStream {
	ls := &logsapi.LogStream{
		LogStreamName: api.String(st.Name),
		CreationTime:  api.Int64(st.Created),
		Arn:           api.String(groupARN(account, region, grp) + ":log-stream:" + st.Name),
		StoredBytes:   api.Int64(0), // AWS reports 0 here since 2019
	}
	if st.Events > 0 {
		ls.FirstEventTimestamp = api.Int64(st.First)
		ls.LastEventTimestamp = api.Int64(st.Last)
		ls.LastIngestionTime = api.Int64(st.LastIngestion)
	}
	return ls
}

// Errors, worded as CloudWatch Logs words them.

func invalid(format string, args ...any) error {
	return &logsapi.InvalidParameterException{Message: api.String(fmt.Sprintf(format, args...))}
}

func noGroup() error {
	return &logsapi.ResourceNotFoundException{Message: api.String("The specified log group does not exist.")}
}

func noStream() error {
	return &logsapi.ResourceNotFoundException{Message: api.String("The specified log stream does not exist.")}
}

var (
	groupNameRE  = lazy.Regexp{Expr: `^[\.\-_/#A-Za-z0-9]+$`}
	streamNameRE = lazy.Regexp{Expr: `^[^:*]*$`}
)

func checkGroupName(n string) error {
	if !groupNameRE.Get().MatchString(n) {
		return invalid(`1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`, n)
	}
	return nil
}

func checkStreamName(n string) error {
	if !streamNameRE.Get().MatchString(n) {
		return invalid(`1 validation error detected: Value '%s' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`, n)
	}
	return nil
}

func scope(ctx context.Context) (account, region string) {
	c := api.CallerFrom(ctx)
	return c.Account, c.Region
}

// groupIdent resolves logGroupName or logGroupIdentifier (a name or an ARN)
// to the caller's account, region and the group's name.
func groupIdent(ctx context.Context, name, ident *string) (account, region, grp string, err error) {
	account, region = scope(ctx)
	switch {
	case name != nil && ident != nil:
		return "", "", "", invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != nil:
		return account, region, *name, nil
	case ident != nil:
		id := *ident
		if strings.HasPrefix(id, "arn:") {
			p := strings.SplitN(id, ":", 7)
			if len(p) < 7 || p[2] != "logs" || p[5] != "log-group" {
				return "", "", "", invalid("Invalid log group identifier: %s", id)
			}
			return p[4], p[3], strings.TrimSuffix(p[6], ":*"), nil
		}
		return account, region, id, nil
	}
	return "", "", "", invalid("Should provide either name or ARN of LogGroup.")
}

func getGroup(tx *store.Tx, account, region, name string) (*group, error) {
	b := tx.Bucket(root, account, region, groupsB)
	if b == nil {
		return nil, noGroup()
	}
	v := b.Get([]byte(name))
	if v == nil {
		return nil, noGroup()
	}
	g := new(group)
	return g, json.Unmarshal(v, g)
}

func putGroup(tx *store.Tx, account, region string, g *group) error {
	b, err := tx.CreateBucket(root, account, region, groupsB)
	if err != nil {
		return err
	}
	return b.PutJSON([]byte(g.Name), g)
}

func getStream(tx *store.Tx, account, region, grp, name string) (*stream, error) {
	b := tx.Bucket(root, account, region, streamsB, grp)
	if b == nil {
		return nil, noStream()
	}
	v := b.Get([]byte(name))
	if v == nil {
		return nil, noStream()
	}
	st := new(stream)
	return st, json.Unmarshal(v, st)
}

func putStream(tx *store.Tx, account, region, grp string, st *stream) error {
	b, err := tx.CreateBucket(root, account, region, streamsB, grp)
	if err != nil {
		return err
	}
	return b.PutJSON([]byte(st.Name), st)
}

func (s *Service) nowMs() int64 { return s.now().UnixMilli() }

// newGroup and newStream make records; the caller stores them.
func (s *Service) newGroup(name string) *group {
	return &group{Name: name, Created: s.nowMs(), Class: "STANDARD"}
}

func (s *Service) newStream(g *group, name string) *stream {
	g.LastStreamID++
	return &stream{Name: name, ID: g.LastStreamID, Created: s.nowMs()}
}

// CreateLogGroup creates a log group.
func (s *Service) CreateLogGroup(ctx context.Context, in *logsapi.CreateLogGroupRequest) (*logsapi.CreateLogGroupOutput, error) {
	account, region := scope(ctx)
	name := api.ToString(in.LogGroupName)
	if err := checkGroupName(name); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	g := s.newGroup(name)
	g.KmsKeyID = api.ToString(in.KmsKeyId)
	if in.LogGroupClass != nil {
		g.Class = *in.LogGroupClass
	}
	g.DeletionProtection = api.ToBool(in.DeletionProtectionEnabled)
	if len(in.Tags) > 0 {
		g.Tags = in.Tags
	}
	err := s.st.Update(func(tx *store.Tx) error {
		if _, err := getGroup(tx, account, region, name); err == nil {
			return &logsapi.ResourceAlreadyExistsException{Message: api.String("The specified log group already exists")}
		}
		return putGroup(tx, account, region, g)
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.CreateLogGroupOutput{}, nil
}

// DeleteLogGroup deletes a group with its streams and events.
func (s *Service) DeleteLogGroup(ctx context.Context, in *logsapi.DeleteLogGroupRequest) (*logsapi.DeleteLogGroupOutput, error) {
	account, region := scope(ctx)
	name := api.ToString(in.LogGroupName)
	err := s.st.Update(func(tx *store.Tx) error {
		g, err := getGroup(tx, account, region, name)
		if err != nil {
			return err
		}
		if g.DeletionProtection {
			return &logsapi.OperationAbortedException{Message: api.String("Log group " + name + " has deletion protection enabled.")}
		}
		return dropGroup(tx, account, region, name)
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.DeleteLogGroupOutput{}, nil
}

func dropGroup(tx *store.Tx, account, region, name string) error {
	if err := tx.Bucket(root, account, region, groupsB).Delete([]byte(name)); err != nil {
		return err
	}
	for _, sub := range []string{streamsB, eventsB} {
		if b := tx.Bucket(root, account, region, sub); b != nil && b.Bucket(name) != nil {
			if err := b.DeleteBucket(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// pageToken is the opaque nextToken of the describe calls: the sort key of
// the last item answered.
type pageToken struct {
	Name string `json:"n"`
	Time int64  `json:"t,omitempty"`
}

func encodeToken(t pageToken) *string {
	b, _ := json.Marshal(t)
	return api.String(base64.RawURLEncoding.EncodeToString(b))
}

func decodeToken(s *string) (*pageToken, error) {
	if s == nil {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*s)
	var t pageToken
	if err != nil || json.Unmarshal(b, &t) != nil {
		return nil, invalid("The specified nextToken is invalid.")
	}
	return &t, nil
}

// DescribeLogGroups lists the caller's groups by name.
func (s *Service) DescribeLogGroups(ctx context.Context, in *logsapi.DescribeLogGroupsRequest) (*logsapi.DescribeLogGroupsResponse, error) {
	account, region := scope(ctx)
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, invalid("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.")
	}
	if len(in.LogGroupIdentifiers) > 0 && (in.LogGroupNamePrefix != nil || in.LogGroupNamePattern != nil) {
		return nil, invalid("LogGroupIdentifiers is mutually exclusive with LogGroupNamePrefix and LogGroupNamePattern.")
	}
	tok, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := int(api.ToInt64(in.Limit))
	if limit == 0 {
		limit = maxGroups
	}
	var ids map[string]bool
	if len(in.LogGroupIdentifiers) > 0 {
		ids = map[string]bool{}
		for _, id := range in.LogGroupIdentifiers {
			if strings.HasPrefix(id, "arn:") {
				p := strings.SplitN(id, ":", 7)
				if len(p) == 7 && p[3] == region && p[4] == account {
					ids[strings.TrimSuffix(p[6], ":*")] = true
				}
				continue
			}
			ids[id] = true
		}
	}
	prefix := api.ToString(in.LogGroupNamePrefix)
	out := &logsapi.DescribeLogGroupsResponse{LogGroups: []*logsapi.LogGroup{}}
	err = s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, account, region, groupsB)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.Seek([]byte(prefix))
		if tok != nil && tok.Name >= prefix {
			k, v = c.Seek([]byte(tok.Name + "\x00"))
		}
		for ; k != nil && strings.HasPrefix(string(k), prefix); k, v = c.Next() {
			g := new(group)
			if err := json.Unmarshal(v, g); err != nil {
				return err
			}
			if ids != nil && !ids[g.Name] {
				continue
			}
			if in.LogGroupNamePattern != nil && !strings.Contains(strings.ToLower(g.Name), strings.ToLower(*in.LogGroupNamePattern)) {
				continue
			}
			if in.LogGroupClass != nil && g.Class != *in.LogGroupClass {
				continue
			}
			if len(out.LogGroups) == limit {
				out.NextToken = encodeToken(pageToken{Name: *out.LogGroups[limit-1].LogGroupName})
				break
			}
			out.LogGroups = append(out.LogGroups, g.out(account, region))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateLogStream creates a stream in an existing group.
func (s *Service) CreateLogStream(ctx context.Context, in *logsapi.CreateLogStreamRequest) (*logsapi.CreateLogStreamOutput, error) {
	account, region := scope(ctx)
	grp, name := api.ToString(in.LogGroupName), api.ToString(in.LogStreamName)
	if err := checkStreamName(name); err != nil {
		return nil, err
	}
	err := s.st.Update(func(tx *store.Tx) error {
		g, err := getGroup(tx, account, region, grp)
		if err != nil {
			return err
		}
		if _, err := getStream(tx, account, region, grp, name); err == nil {
			return &logsapi.ResourceAlreadyExistsException{Message: api.String("The specified log stream already exists")}
		}
		st := s.newStream(g, name)
		if err := putGroup(tx, account, region, g); err != nil {
			return err
		}
		return putStream(tx, account, region, grp, st)
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.CreateLogStreamOutput{}, nil
}

// DeleteLogStream deletes a stream and its events.
func (s *Service) DeleteLogStream(ctx context.Context, in *logsapi.DeleteLogStreamRequest) (*logsapi.DeleteLogStreamOutput, error) {
	account, region := scope(ctx)
	grp, name := api.ToString(in.LogGroupName), api.ToString(in.LogStreamName)
	err := s.st.Update(func(tx *store.Tx) error {
		g, err := getGroup(tx, account, region, grp)
		if err != nil {
			return err
		}
		st, err := getStream(tx, account, region, grp, name)
		if err != nil {
			return err
		}
		if err := tx.Bucket(root, account, region, streamsB, grp).Delete([]byte(name)); err != nil {
			return err
		}
		if b := tx.Bucket(root, account, region, eventsB, grp); b != nil && b.Bucket(name) != nil {
			if err := b.DeleteBucket(name); err != nil {
				return err
			}
		}
		g.StoredBytes -= st.StoredBytes
		return putGroup(tx, account, region, g)
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.DeleteLogStreamOutput{}, nil
}

// DescribeLogStreams lists a group's streams by name, or by the time of
// their last event (orderBy LastEventTime), ascending or descending.
func (s *Service) DescribeLogStreams(ctx context.Context, in *logsapi.DescribeLogStreamsRequest) (*logsapi.DescribeLogStreamsResponse, error) {
	account, region, grp, err := groupIdent(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	byTime := api.ToString(in.OrderBy) == "LastEventTime"
	if byTime && in.LogStreamNamePrefix != nil {
		return nil, invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	desc := api.ToBool(in.Descending)
	tok, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := int(api.ToInt64(in.Limit))
	if limit == 0 {
		limit = maxGroups
	}
	prefix := api.ToString(in.LogStreamNamePrefix)
	var all []*stream
	err = s.st.View(func(tx *store.Tx) error {
		if _, err := getGroup(tx, account, region, grp); err != nil {
			return err
		}
		b := tx.Bucket(root, account, region, streamsB, grp)
		if b == nil {
			return nil
		}
		return b.ForEachPrefix([]byte(prefix), func(k, v []byte) error {
			st := new(stream)
			if err := json.Unmarshal(v, st); err != nil {
				return err
			}
			all = append(all, st)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	// less orders streams ascending by the chosen key (name breaks ties).
	less := func(a, b *stream) bool {
		if byTime && a.Last != b.Last {
			return a.Last < b.Last
		}
		return a.Name < b.Name
	}
	sort.Slice(all, func(i, j int) bool {
		if desc {
			return less(all[j], all[i])
		}
		return less(all[i], all[j])
	})
	out := &logsapi.DescribeLogStreamsResponse{LogStreams: []*logsapi.LogStream{}}
	var last *stream
	for _, st := range all {
		if tok != nil {
			mark := &stream{Name: tok.Name, Last: tok.Time}
			if (!desc && !less(mark, st)) || (desc && !less(st, mark)) {
				continue
			}
		}
		if len(out.LogStreams) == limit {
			t := pageToken{Name: last.Name}
			if byTime {
				t.Time = last.Last
			}
			out.NextToken = encodeToken(t)
			break
		}
		out.LogStreams = append(out.LogStreams, st.out(account, region, grp))
		last = st
	}
	return out, nil
}

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// PutRetentionPolicy sets how many days a group keeps its events.
func (s *Service) PutRetentionPolicy(ctx context.Context, in *logsapi.PutRetentionPolicyRequest) (*logsapi.PutRetentionPolicyOutput, error) {
	days := api.ToInt64(in.RetentionInDays)
	ok := false
	for _, d := range retentionDays {
		ok = ok || d == days
	}
	if !ok {
		return nil, invalid("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]", days)
	}
	err := s.changeGroup(ctx, api.ToString(in.LogGroupName), func(g *group) error {
		g.Retention = days
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.PutRetentionPolicyOutput{}, nil
}

// DeleteRetentionPolicy makes a group keep its events forever.
func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *logsapi.DeleteRetentionPolicyRequest) (*logsapi.DeleteRetentionPolicyOutput, error) {
	err := s.changeGroup(ctx, api.ToString(in.LogGroupName), func(g *group) error {
		g.Retention = 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.DeleteRetentionPolicyOutput{}, nil
}

// AssociateKmsKey records the KMS key a group's data would be encrypted with.
func (s *Service) AssociateKmsKey(ctx context.Context, in *logsapi.AssociateKmsKeyRequest) (*logsapi.AssociateKmsKeyOutput, error) {
	if in.LogGroupName == nil {
		return nil, invalid("fogbank records KMS keys of log groups only; give logGroupName.")
	}
	err := s.changeGroup(ctx, *in.LogGroupName, func(g *group) error {
		g.KmsKeyID = api.ToString(in.KmsKeyId)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.AssociateKmsKeyOutput{}, nil
}

// DisassociateKmsKey forgets a group's KMS key.
func (s *Service) DisassociateKmsKey(ctx context.Context, in *logsapi.DisassociateKmsKeyRequest) (*logsapi.DisassociateKmsKeyOutput, error) {
	if in.LogGroupName == nil {
		return nil, invalid("fogbank records KMS keys of log groups only; give logGroupName.")
	}
	err := s.changeGroup(ctx, *in.LogGroupName, func(g *group) error {
		g.KmsKeyID = ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.DisassociateKmsKeyOutput{}, nil
}

// changeGroup applies change to the caller's group name in one transaction.
func (s *Service) changeGroup(ctx context.Context, name string, change func(*group) error) error {
	account, region := scope(ctx)
	return s.changeGroupIn(account, region, name, change)
}

func (s *Service) changeGroupIn(account, region, name string, change func(*group) error) error {
	return s.st.Update(func(tx *store.Tx) error {
		g, err := getGroup(tx, account, region, name)
		if err != nil {
			return err
		}
		if err := change(g); err != nil {
			return err
		}
		return putGroup(tx, account, region, g)
	})
}

// Tags.

var tagKeyRE = lazy.Regexp{Expr: `^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`}

func checkTags(tags map[string]string) error {
	for k, v := range tags {
		if len(k) > 128 || !tagKeyRE.Get().MatchString(k) || strings.HasPrefix(k, "aws:") {
			return invalid("1 validation error detected: Value '%s' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]", k)
		}
		if len(v) > 256 {
			return invalid("1 validation error detected: Value '%s' at 'tags' failed to satisfy constraint: Map value must have length less than or equal to 256", v)
		}
	}
	return nil
}

// arnGroup resolves a resource ARN to a log group of the caller.
func arnGroup(ctx context.Context, arn string) (account, region, name string, err error) {
	p := strings.SplitN(arn, ":", 7)
	if len(p) < 7 || p[0] != "arn" || p[2] != "logs" || p[5] != "log-group" {
		return "", "", "", invalid("Invalid ARN: %s", arn)
	}
	return p[4], p[3], strings.TrimSuffix(p[6], ":*"), nil
}

func (s *Service) tag(account, region, name string, tags map[string]string) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.changeGroupIn(account, region, name, func(g *group) error {
		merged := map[string]string{}
		for k, v := range g.Tags {
			merged[k] = v
		}
		for k, v := range tags {
			merged[k] = v
		}
		if len(merged) > 50 {
			return invalid("A resource can have no more than 50 tags.")
		}
		g.Tags = merged
		return nil
	})
}

func (s *Service) untag(account, region, name string, keys []string) error {
	return s.changeGroupIn(account, region, name, func(g *group) error {
		for _, k := range keys {
			delete(g.Tags, k)
		}
		if len(g.Tags) == 0 {
			g.Tags = nil
		}
		return nil
	})
}

func (s *Service) tags(account, region, name string) (map[string]string, error) {
	var g *group
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		g, err = getGroup(tx, account, region, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if g.Tags == nil {
		return map[string]string{}, nil
	}
	return g.Tags, nil
}

// TagResource adds tags to a log group named by its ARN.
func (s *Service) TagResource(ctx context.Context, in *logsapi.TagResourceRequest) (*logsapi.TagResourceOutput, error) {
	account, region, name, err := arnGroup(ctx, api.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	if err := s.tag(account, region, name, in.Tags); err != nil {
		return nil, err
	}
	return &logsapi.TagResourceOutput{}, nil
}

// UntagResource removes tags from a log group named by its ARN.
func (s *Service) UntagResource(ctx context.Context, in *logsapi.UntagResourceRequest) (*logsapi.UntagResourceOutput, error) {
	account, region, name, err := arnGroup(ctx, api.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	if err := s.untag(account, region, name, in.TagKeys); err != nil {
		return nil, err
	}
	return &logsapi.UntagResourceOutput{}, nil
}

// ListTagsForResource lists a log group's tags, the group named by its ARN.
func (s *Service) ListTagsForResource(ctx context.Context, in *logsapi.ListTagsForResourceRequest) (*logsapi.ListTagsForResourceResponse, error) {
	account, region, name, err := arnGroup(ctx, api.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	t, err := s.tags(account, region, name)
	if err != nil {
		return nil, err
	}
	return &logsapi.ListTagsForResourceResponse{Tags: t}, nil
}

// TagLogGroup is the older form of TagResource.
func (s *Service) TagLogGroup(ctx context.Context, in *logsapi.TagLogGroupRequest) (*logsapi.TagLogGroupOutput, error) {
	account, region := scope(ctx)
	if err := s.tag(account, region, api.ToString(in.LogGroupName), in.Tags); err != nil {
		return nil, err
	}
	return &logsapi.TagLogGroupOutput{}, nil
}

// UntagLogGroup is the older form of UntagResource.
func (s *Service) UntagLogGroup(ctx context.Context, in *logsapi.UntagLogGroupRequest) (*logsapi.UntagLogGroupOutput, error) {
	account, region := scope(ctx)
	if err := s.untag(account, region, api.ToString(in.LogGroupName), in.Tags); err != nil {
		return nil, err
	}
	return &logsapi.UntagLogGroupOutput{}, nil
}

// ListTagsLogGroup is the older form of ListTagsForResource.
func (s *Service) ListTagsLogGroup(ctx context.Context, in *logsapi.ListTagsLogGroupRequest) (*logsapi.ListTagsLogGroupResponse, error) {
	account, region := scope(ctx)
	t, err := s.tags(account, region, api.ToString(in.LogGroupName))
	if err != nil {
		return nil, err
	}
	return &logsapi.ListTagsLogGroupResponse{Tags: t}, nil
}
