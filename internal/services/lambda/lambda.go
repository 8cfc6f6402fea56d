package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"io/fs"
	"os/exec"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

// Impl is how the server creates this service (internal/services/all). What
// a fogbank killed with -9 left running (proc_linux.go) is ended at every
// start, whether or not this one ever runs a function.
var Impl = host.Impl{New: New, Proto: (*Service)(nil), AtServerStart: killOrphans}

// AWS's limits for a deployment package uploaded in the request.
const (
	maxZipped   = 50 << 20  // 50 MB, direct upload
	maxUnzipped = 262144000 // 250 MB, code and layers unzipped
)

// Service is fogbank's Lambda.
type Service struct {
	lambdaapi.Unimplemented
	st       *store.Store
	env      *host.Env
	now      func() time.Time
	lookPath func(string) (string, error) // exec.LookPath; tests may replace it
	roles    roleCredentials              // IAM, found at Start; nil without it
	urlAuth  urlAuthorizer                // IAM again, for AWS_IAM function URLs (urls.go)

	// Execution (invoke.go, env.go): each function's pool of environments.
	mu       sync.Mutex // guards pools and reaping
	pools    map[string]*pool
	reaping  bool
	idleTTL  time.Duration
	quit     chan struct{} // closed by Stop
	quitOnce sync.Once
	bg       sync.WaitGroup // async invocations and the reaper
	starting chan struct{}  // one token per runtime initialising (waitStart)

	dir     string // environments' directory, made at the first cold start
	dirOnce sync.Once
	dirErr  error
	rt      string // LAMBDA_RUNTIME_DIR: fogbank's bootstraps
	rtOnce  sync.Once
	rtErr   error
	pyOnce  sync.Once
	pyPath  string
	pyErr   error
	logs    logAppender // CloudWatch Logs, when there is one (logs.go)
	logCh   chan logBatch
	logsWG  sync.WaitGroup
	s3      objectGetter // fogbank's S3, for code from S3 (code.go)
	urlKey  [32]byte     // signs Code.Location URLs
	aq      *asyncState  // the async queue's scheduler (async.go), made by async()
	aqOnce  sync.Once
	spareMu sync.Mutex
	spares  map[string]*proc // a spare runtime by kind (spare.go)
}

var _ lambdaapi.API = (*Service)(nil)

// New creates the service. It starts nothing: idle Lambda costs nothing.
func New(env *host.Env) (any, error) {
	now := env.Now
	if now == nil {
		now = time.Now
	}
	return &Service{st: env.Store, env: env, now: now, lookPath: exec.LookPath,
		pools: map[string]*pool{}, idleTTL: idleTTL, quit: make(chan struct{}), urlKey: newURLKey(),
		starting: make(chan struct{}, max(2, runtime.NumCPU()))}, nil
}

// function is one function's stored record (bucket "lambda"/"functions", key
// account/region/name); its zip is in "lambda"/"code" under the same key.
type function struct {
	Name         string
	Account      string
	Region       string
	Runtime      string
	Role         string
	Handler      string
	Description  string
	Timeout      int64
	MemorySize   int64
	Env          map[string]string
	CodeSha256   string
	CodeSize     int64
	LastModified string
	RevisionID   string
	// Reserved is the reserved concurrency (PutFunctionConcurrency), nil when none.
	Reserved *int64 `json:",omitempty"`
	// HotReloadDir is the local folder the code is run from (S3Bucket
	// "hot-reload"), "" for a zip.
	HotReloadDir string `json:",omitempty"`
	// DeadLetter is DeadLetterConfig.TargetArn (async.go), "" for none.
	DeadLetter string `json:",omitempty"`
	// Version is "" for $LATEST, the number for a published version
	// (versions.go); LastVersion and PublishedRevision are $LATEST's: its last
	// version's number and the RevisionID it was published from.
	Version           string `json:",omitempty"`
	LastVersion       int64  `json:",omitempty"`
	PublishedRevision string `json:",omitempty"`
	// Layers are the function's layer versions, in order (layers.go).
	Layers []fnLayer `json:",omitempty"`
}

// version is the function's version as Lambda names it.
func (f *function) version() string {
	if f.Version == "" {
		return "$LATEST"
	}
	return f.Version
}

// qualifiedARN is the ARN of this version ($LATEST's is unqualified).
func (f *function) qualifiedARN() string {
	if f.Version == "" {
		return f.arn()
	}
	return f.arn() + ":" + f.Version
}

func (f *function) arn() string {
	return "arn:aws:lambda:" + f.Region + ":" + f.Account + ":function:" + f.Name
}

func (f *function) config() *lambdaapi.FunctionConfiguration {
	c := &lambdaapi.FunctionConfiguration{
		FunctionName:     api.String(f.Name),
		FunctionArn:      api.String(f.qualifiedARN()),
		Runtime:          api.String(f.Runtime),
		Role:             api.String(f.Role),
		Handler:          api.String(f.Handler),
		CodeSize:         api.Int64(f.CodeSize),
		Description:      api.String(f.Description),
		Timeout:          api.Int64(f.Timeout),
		MemorySize:       api.Int64(f.MemorySize),
		LastModified:     api.String(f.LastModified),
		CodeSha256:       api.String(f.CodeSha256),
		Version:          api.String(f.version()),
		RevisionId:       api.String(f.RevisionID),
		State:            api.String("Active"),
		LastUpdateStatus: api.String("Successful"),
		PackageType:      api.String("Zip"),
		Architectures:    []string{"x86_64"},
		TracingConfig:    &lambdaapi.TracingConfigResponse{Mode: api.String("PassThrough")},
		EphemeralStorage: &lambdaapi.EphemeralStorage{Size: api.Int64(512)},
		LoggingConfig: &lambdaapi.LoggingConfig{
			LogFormat: api.String("Text"),
			LogGroup:  api.String("/aws/lambda/" + f.Name),
		},
	}
	if len(f.Env) > 0 {
		c.Environment = &lambdaapi.EnvironmentResponse{Variables: f.Env}
	}
	for _, l := range f.Layers {
		c.Layers = append(c.Layers, &lambdaapi.Layer{Arn: api.String(l.ARN), CodeSize: api.Int64(l.CodeSize)})
	}
	if f.DeadLetter != "" {
		c.DeadLetterConfig = &lambdaapi.DeadLetterConfig{TargetArn: api.String(f.DeadLetter)}
	}
	return c
}

const (
	rootBucket = "lambda"
	fnBucket   = "functions"
	codeBucket = "code"
)

func key(account, region, name string) []byte {
	return []byte(account + "/" + region + "/" + name)
}

func invalid(format string, args ...any) error {
	return &lambdaapi.InvalidParameterValueException{Type: api.String("User"), Message: api.String(fmt.Sprintf(format, args...))}
}

func validation(format string, args ...any) error {
	return api.Errorf(400, "ValidationException", format, args...)
}

func notFound(account, region, name string) error {
	return &lambdaapi.ResourceNotFoundException{Type: api.String("User"),
		Message: api.String("Function not found: arn:aws:lambda:" + region + ":" + account + ":function:" + name)}
}

const rolePattern = `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`

var roleRE = lazy.Regexp{Expr: `^` + rolePattern + `$`}

// nameRE is the FunctionName pattern for a plain name, a function ARN or a
// partial ARN (account:function:name), without qualifiers.
var nameRE = lazy.Regexp{Expr: `^(arn:(aws[a-zA-Z-]*)?:lambda:)?(([a-z]{2}(-gov)?-[a-z]+-\d{1}):)?((\d{12}):)?(function:)?([a-zA-Z0-9-_]+)$`}

// resolve turns a FunctionName (name, ARN or partial ARN) into account, region, name.
func resolve(ctx context.Context, fn *string) (account, region, name string, err error) {
	c := api.CallerFrom(ctx)
	return resolveFor(c.Account, c.Region, api.ToString(fn))
}

// resolveFor is resolve for a caller of account and region.
func resolveFor(callerAccount, callerRegion, s string) (account, region, name string, err error) {
	m := nameRE.Get().FindStringSubmatch(s)
	if m == nil {
		return "", "", "", validation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", s)
	}
	account, region, name = callerAccount, callerRegion, m[9]
	if m[7] != "" {
		account = m[7]
	}
	if m[4] != "" {
		region = m[4]
	}
	if len(name) > 64 {
		return "", "", "", validation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64", s)
	}
	return account, region, name, nil
}

// interpreters maps a runtime family to the local program that runs it.
func interpreter(runtime string) (prog string, ok bool) {
	switch runtime {
	case "python3.9", "python3.10", "python3.11", "python3.12", "python3.13":
		return "python3", true
	case "nodejs18.x", "nodejs20.x", "nodejs22.x":
		return "node", true
	case "provided.al2", "provided.al2023", "go1.x":
		return "", true
	}
	return "", false
}

func (s *Service) checkRuntime(runtime string) error {
	prog, ok := interpreter(runtime)
	if !ok {
		return invalid("The runtime parameter of %s is not supported by fogbank yet: use python3.9-python3.13, nodejs18.x-nodejs22.x, provided.al2 or provided.al2023.", runtime)
	}
	if prog != "" {
		if _, err := s.lookPath(prog); err != nil {
			return invalid("The runtime parameter of %s needs %s on fogbank's PATH, and there is none.", runtime, prog)
		}
	}
	return nil
}

// checkZip refuses what Lambda would not unzip, and anything that could be
// extracted outside the function's directory.
func checkZip(b []byte, limit int) error {
	if len(b) > limit {
		return &lambdaapi.RequestTooLargeException{Type: api.String("User"),
			Message: api.String(fmt.Sprintf("Request must be smaller than %d bytes for the operation.", limit))}
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	var total uint64
	for _, f := range zr.File {
		n := strings.ReplaceAll(f.Name, `\`, "/")
		if path.IsAbs(n) || (len(n) > 1 && n[1] == ':') {
			return invalid("Could not unzip uploaded file: entry %q has an absolute path.", f.Name)
		}
		for _, el := range strings.Split(n, "/") {
			if el == ".." {
				return invalid("Could not unzip uploaded file: entry %q leaves the function's directory.", f.Name)
			}
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			// A link must point inside the function's directory too.
			target, err := readSmall(f)
			if err != nil {
				return invalid("Could not unzip uploaded file: entry %q is unreadable.", f.Name)
			}
			if path.IsAbs(target) || strings.HasPrefix(path.Clean(path.Join(path.Dir(n), target)), "..") {
				return invalid("Could not unzip uploaded file: symbolic link %q points outside the function's directory.", f.Name)
			}
		}
		total += f.UncompressedSize64
		if total >= maxUnzipped {
			return invalid("Unzipped size must be smaller than %d bytes", maxUnzipped)
		}
	}
	return nil
}

// newRevision is a fresh RevisionId, a random UUID as AWS's.
func newRevision() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func codeHash(b []byte) string {
	h := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(h[:])
}

func (s *Service) stamp(f *function) {
	f.LastModified = s.now().UTC().Format("2006-01-02T15:04:05.000+0000")
	f.RevisionID = newRevision()
}

func checkConfig(role *string, timeout, memory *int64, handler *string) error {
	if role != nil && !roleRE.Get().MatchString(*role) {
		return validation("1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", *role, rolePattern)
	}
	if timeout != nil && (*timeout < 1 || *timeout > 900) {
		return validation("1 validation error detected: Value '%d' at 'timeout' failed to satisfy constraint: Member must have value %s", *timeout, map[bool]string{true: "greater than or equal to 1", false: "less than or equal to 900"}[*timeout < 1])
	}
	if memory != nil && (*memory < 128 || *memory > 10240) {
		return validation("1 validation error detected: Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value %s", *memory, map[bool]string{true: "greater than or equal to 128", false: "less than or equal to 10240"}[*memory < 128])
	}
	if handler != nil && len(*handler) > 128 {
		return validation("1 validation error detected: Value '%s' at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128", *handler)
	}
	return nil
}

// CreateFunction stores a new function and its zip.
func (s *Service) CreateFunction(ctx context.Context, in *lambdaapi.CreateFunctionRequest) (*lambdaapi.FunctionConfiguration, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	if err := checkConfig(in.Role, in.Timeout, in.MemorySize, in.Handler); err != nil {
		return nil, err
	}
	if api.ToString(in.PackageType) == "Image" || in.Code.ImageUri != nil {
		return nil, invalid("fogbank does not run container images yet; upload a zip.")
	}
	if api.ToString(in.Runtime) == "" || api.ToString(in.Handler) == "" {
		return nil, invalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if err := s.checkRuntime(*in.Runtime); err != nil {
		return nil, err
	}
	if err := checkDeadLetter(in.DeadLetterConfig); err != nil { // async.go
		return nil, err
	}
	zipFile, dir, err := s.codeFrom(ctx, in.Code.ZipFile, in.Code.S3Bucket, in.Code.S3Key, in.Code.S3ObjectVersion)
	if err != nil {
		return nil, err
	}
	layers, err := s.checkLayers(in.Layers)
	if err != nil {
		return nil, err
	}
	f := &function{
		Name: name, Account: account, Region: region,
		Runtime: *in.Runtime, Role: *in.Role, Handler: *in.Handler,
		Description: api.ToString(in.Description), Timeout: 3, MemorySize: 128, Layers: layers,
	}
	f.setCode(zipFile, dir)
	if in.Timeout != nil {
		f.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		f.MemorySize = *in.MemorySize
	}
	if in.Environment != nil && len(in.Environment.Variables) > 0 {
		f.Env = in.Environment.Variables
	}
	if in.DeadLetterConfig != nil {
		f.DeadLetter = api.ToString(in.DeadLetterConfig.TargetArn)
	}
	s.stamp(f)
	k := key(account, region, name)
	err = s.st.Update(func(tx *store.Tx) error {
		fb, err := tx.CreateBucket(rootBucket, fnBucket)
		if err != nil {
			return err
		}
		if fb.Get(k) != nil {
			return &lambdaapi.ResourceConflictException{Type: api.String("User"), Message: api.String("Function already exist: " + name)}
		}
		cb, err := tx.CreateBucket(rootBucket, codeBucket)
		if err != nil {
			return err
		}
		if err := cb.Put(k, zipFile); err != nil {
			return err
		}
		return fb.PutJSON(k, f)
	})
	if err != nil {
		return nil, err
	}
	s.prepare(f) // spare.go: the first invoke finds its runtime started
	if api.ToBool(in.Publish) {
		return s.publishConfig(account, region, name)
	}
	return f.config(), nil
}

// publishConfig publishes $LATEST after a create or update with Publish set
// and answers the version's configuration.
func (s *Service) publishConfig(account, region, name string) (*lambdaapi.FunctionConfiguration, error) {
	v, err := s.publish(account, region, name, "", "", "")
	if err != nil {
		return nil, err
	}
	return v.config(), nil
}

// get reads a function's record.
func (s *Service) get(ctx context.Context, fn *string) (*function, error) {
	account, region, name, err := resolve(ctx, fn)
	if err != nil {
		return nil, err
	}
	var f *function
	err = s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, fnBucket)
		if b == nil || b.Get(key(account, region, name)) == nil {
			return notFound(account, region, name)
		}
		f = new(function)
		return b.GetJSON(key(account, region, name), f)
	})
	return f, err
}

// getQualified reads the record of a function's version or alias.
func (s *Service) getQualified(ctx context.Context, fn, qualifier *string) (*function, error) {
	account, region, name, qual, err := resolveName(ctx, fn, qualifier)
	if err != nil {
		return nil, err
	}
	return s.loadQualified(account, region, name, qual, false)
}

// update applies change to a function's record (and code, when code is not
// nil) in one transaction.
func (s *Service) update(ctx context.Context, fn *string, code []byte, change func(*function)) (*function, error) {
	account, region, name, err := resolve(ctx, fn)
	if err != nil {
		return nil, err
	}
	k := key(account, region, name)
	var f *function
	err = s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, fnBucket)
		if b == nil || b.Get(k) == nil {
			return notFound(account, region, name)
		}
		f = new(function)
		if err := b.GetJSON(k, f); err != nil {
			return err
		}
		change(f)
		s.stamp(f)
		if code != nil {
			cb, err := tx.CreateBucket(rootBucket, codeBucket)
			if err != nil {
				return err
			}
			if err := cb.Put(k, code); err != nil {
				return err
			}
		}
		return b.PutJSON(k, f)
	})
	if err == nil {
		s.prepare(f) // spare.go
	}
	return f, err
}

// GetFunction answers the configuration and where the code is.
func (s *Service) GetFunction(ctx context.Context, in *lambdaapi.GetFunctionRequest) (*lambdaapi.GetFunctionResponse, error) {
	f, err := s.getQualified(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	// AWS answers a presigned S3 URL; fogbank's is a signed URL of its own
	// (code.go). A hot-reload function has no zip: no Location.
	loc := &lambdaapi.FunctionCodeLocation{RepositoryType: api.String("S3")}
	if l := s.codeLocation(f); l != "" {
		loc.Location = api.String(l)
	}
	return &lambdaapi.GetFunctionResponse{Configuration: f.config(), Code: loc}, nil
}

// GetFunctionConfiguration answers the configuration.
func (s *Service) GetFunctionConfiguration(ctx context.Context, in *lambdaapi.GetFunctionConfigurationRequest) (*lambdaapi.FunctionConfiguration, error) {
	f, err := s.getQualified(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	return f.config(), nil
}

// ListFunctions lists the caller's functions in its region by name; Marker is
// the last name of the previous page.
func (s *Service) ListFunctions(ctx context.Context, in *lambdaapi.ListFunctionsRequest) (*lambdaapi.ListFunctionsResponse, error) {
	c := api.CallerFrom(ctx)
	max := 50
	if in.MaxItems != nil && *in.MaxItems < 50 {
		max = int(*in.MaxItems)
	}
	prefix := c.Account + "/" + c.Region + "/"
	out := &lambdaapi.ListFunctionsResponse{Functions: []*lambdaapi.FunctionConfiguration{}}
	var fs []*function
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, fnBucket)
		if b == nil {
			return nil
		}
		return b.ForEachPrefix([]byte(prefix), func(k, v []byte) error {
			f := new(function)
			if err := b.GetJSON(k, f); err != nil {
				return err
			}
			fs = append(fs, f)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	for _, f := range fs {
		if in.Marker != nil && f.Name <= *in.Marker {
			continue
		}
		if len(out.Functions) == max {
			out.NextMarker = api.String(*out.Functions[max-1].FunctionName)
			break
		}
		out.Functions = append(out.Functions, f.config())
	}
	return out, nil
}

// DeleteFunction deletes a function and its code.
func (s *Service) DeleteFunction(ctx context.Context, in *lambdaapi.DeleteFunctionRequest) (*lambdaapi.DeleteFunctionResponse, error) {
	account, region, name, qual, err := resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if qual != "" {
		if err := s.deleteVersion(account, region, name, qual); err != nil {
			return nil, err
		}
		return &lambdaapi.DeleteFunctionResponse{StatusCode: api.Int64(204)}, nil
	}
	k := key(account, region, name)
	err = s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, fnBucket)
		if b == nil || b.Get(k) == nil {
			return notFound(account, region, name)
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		if err := dropFunctionExtras(tx, k); err != nil { // policy.go
			return err
		}
		if cb := tx.Bucket(rootBucket, codeBucket); cb != nil {
			return cb.Delete(k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.retire(account, region, name)
	return &lambdaapi.DeleteFunctionResponse{StatusCode: api.Int64(204)}, nil
}

// UpdateFunctionCode replaces a function's zip.
func (s *Service) UpdateFunctionCode(ctx context.Context, in *lambdaapi.UpdateFunctionCodeRequest) (*lambdaapi.FunctionConfiguration, error) {
	if in.ImageUri != nil {
		return nil, invalid("fogbank does not run container images yet; upload a zip.")
	}
	zipFile, dir, err := s.codeFrom(ctx, in.ZipFile, in.S3Bucket, in.S3Key, in.S3ObjectVersion)
	if err != nil {
		return nil, err
	}
	if api.ToBool(in.DryRun) {
		f, err := s.get(ctx, in.FunctionName)
		if err != nil {
			return nil, err
		}
		f.setCode(zipFile, dir)
		return f.config(), nil
	}
	if zipFile == nil {
		zipFile = []byte{} // hot reload: no zip kept
	}
	f, err := s.update(ctx, in.FunctionName, zipFile, func(f *function) { f.setCode(zipFile, dir) })
	if err != nil {
		return nil, err
	}
	if api.ToBool(in.Publish) {
		return s.publishConfig(f.Account, f.Region, f.Name)
	}
	return f.config(), nil
}

// setCode records where the code is and its hash and size.
func (f *function) setCode(zipFile []byte, dir string) {
	f.HotReloadDir = dir
	if dir != "" {
		f.CodeSha256, f.CodeSize = hotReloadHash, 0
		return
	}
	f.CodeSha256, f.CodeSize = codeHash(zipFile), int64(len(zipFile))
}

// UpdateFunctionConfiguration changes the fields given.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, in *lambdaapi.UpdateFunctionConfigurationRequest) (*lambdaapi.FunctionConfiguration, error) {
	if err := checkConfig(in.Role, in.Timeout, in.MemorySize, in.Handler); err != nil {
		return nil, err
	}
	if in.Runtime != nil {
		if err := s.checkRuntime(*in.Runtime); err != nil {
			return nil, err
		}
	}
	var layers []fnLayer
	if in.Layers != nil {
		var err error
		if layers, err = s.checkLayers(in.Layers); err != nil {
			return nil, err
		}
	}
	if err := checkDeadLetter(in.DeadLetterConfig); err != nil { // async.go
		return nil, err
	}
	f, err := s.update(ctx, in.FunctionName, nil, func(f *function) {
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&f.Role, in.Role)
		set(&f.Handler, in.Handler)
		set(&f.Description, in.Description)
		set(&f.Runtime, in.Runtime)
		if in.Timeout != nil {
			f.Timeout = *in.Timeout
		}
		if in.MemorySize != nil {
			f.MemorySize = *in.MemorySize
		}
		if in.Layers != nil {
			f.Layers = layers
		}
		if in.Environment != nil {
			f.Env = in.Environment.Variables
			if len(f.Env) == 0 {
				f.Env = nil
			}
		}
		if in.DeadLetterConfig != nil {
			f.DeadLetter = api.ToString(in.DeadLetterConfig.TargetArn)
		}
	})
	if err != nil {
		return nil, err
	}
	return f.config(), nil
}
