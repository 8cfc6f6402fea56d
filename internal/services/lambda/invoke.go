package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"math"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/store"
)

// AWS's payload limits for Invoke.
const (
	maxSyncPayload  = 6291456 // 6 MB, RequestResponse
	maxAsyncPayload = 262144  // 256 KB, Event
	tailBytes       = 4096    // LogType=Tail: the log's last 4 KB
	// maxClientContext is X-Amz-Client-Context's limit, base64 included.
	maxClientContext = 3583
)

// accountConcurrency is the ConcurrentExecutions GetAccountSettings reports,
// Lambda's default quota; unreserved functions share it.
const accountConcurrency = 1000

// minUnreserved is what Lambda keeps unreserved in an account: reservations
// that would leave less are refused.
const minUnreserved = 100

// idleTTL is how long a warm environment waits for another invocation before
// it is reaped.
const idleTTL = 5 * time.Minute

// invokeRequest is one invocation asked of a function, by Invoke or by
// fogbank itself (async delivery, S3 triggers: see invoke's comment).
type invokeRequest struct {
	Account, Region string
	Function        string // name, ARN or partial ARN, optionally with ":qualifier"
	Qualifier       string // "" or "$LATEST"; versions and aliases are not there yet
	Payload         []byte // JSON; empty means {}
	Type            string // "RequestResponse" (""), "Event" or "DryRun"
	Tail            bool   // LogType=Tail: return the log's last 4 KB
	ClientContext   string // base64 JSON (X-Amz-Client-Context); the runtime gets it decoded
}

// invokeResult is what an invocation answered.
type invokeResult struct {
	Status          int    // 200, 202 (Event) or 204 (DryRun)
	Payload         []byte // the function's result, or its error document
	FunctionError   string // "" or "Unhandled" (X-Amz-Function-Error)
	ErrorType       string // the error document's errorType, when FunctionError is set
	ExecutedVersion string // "$LATEST"
	LogTail         string // base64 of the log's last 4 KB, when Tail was asked
	RequestID       string
}

// invocation is one event handed to an environment.
type invocation struct {
	id            string
	payload       []byte
	arn           string
	trace         string
	clientContext string
	cognito       string
	deadline      time.Time
	done          chan struct{}
	result        outcome
	pre           logBuf // output before START (a cold start's init)
	logs          logBuf // output between START and END
}

// outcome is a runtime's answer: a result, or an error document and its type.
type outcome struct {
	payload []byte
	errType string
}

// invoke runs one invocation of a function and answers as Lambda's Invoke
// does. It is the one entry point for every caller inside fogbank: the
// Invoke operation, and (logs-async's files) the durable async queue and S3
// triggers, which call it with Type "RequestResponse" from their own
// goroutines and treat a result with FunctionError set, or an error of type
// *lambdaapi.TooManyRequestsException, as a failed attempt to retry.
//
// Errors are the request's (function not found, payload too large,
// throttled), already AWS-shaped; what the function did (its errors, a crash,
// a timeout) is in the result. Type "Event" returns at once (202) and runs the
// invocation on a goroutine of the service, waiting for a free slot rather
// than being throttled; Stop ends it. ctx bounds only the wait for the result
// of a RequestResponse call: the invocation itself runs to its own timeout.
func (s *Service) invoke(ctx context.Context, req invokeRequest) (*invokeResult, error) {
	name, qual, err := splitQualifier(req.Function)
	if err != nil {
		return nil, err
	}
	if req.Qualifier != "" {
		if qual != "" && qual != req.Qualifier {
			return nil, invalid("The derived qualifier from the function name does not match the specified qualifier.")
		}
		qual = req.Qualifier
	}
	account, region, fname, err := resolveFor(req.Account, req.Region, name)
	if err != nil {
		return nil, err
	}
	f, err := s.loadQualified(account, region, fname, qual, true)
	if err != nil {
		return nil, err
	}
	invokedARN := f.arn()
	if qual != "" {
		invokedARN += ":" + qual
	}
	typ := req.Type
	if typ == "" {
		typ = "RequestResponse"
	}
	payload := req.Payload
	limit := maxSyncPayload
	if typ == "Event" {
		limit = maxAsyncPayload
	}
	if len(payload) > limit {
		return nil, &lambdaapi.RequestTooLargeException{Type: api.String("User"),
			Message: api.String(fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit))}
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	} else if !json.Valid(payload) {
		var v any
		err := json.Unmarshal(payload, &v)
		return nil, &lambdaapi.InvalidRequestContentException{Type: api.String("User"),
			Message: api.String("Could not parse request body into json: Could not parse payload into json: " + jsonErr(err))}
	}
	if f.Reserved != nil && *f.Reserved == 0 {
		return nil, throttled(true)
	}
	var clientCtx string
	if req.ClientContext != "" {
		b, err := base64.StdEncoding.DecodeString(req.ClientContext)
		if err != nil || len(req.ClientContext) > maxClientContext || !json.Valid(b) {
			return nil, &lambdaapi.InvalidRequestContentException{Type: api.String("User"),
				Message: api.String("Client context must be a valid Base64-encoded JSON object.")}
		}
		clientCtx = string(b)
	}
	switch typ {
	case "DryRun":
		return &invokeResult{Status: 204, ExecutedVersion: f.version()}, nil
	case "Event":
		// Durable before it is acknowledged; run by async.go's scheduler.
		id, err := s.enqueueAsync(f, qual, payload, req.ClientContext)
		if err != nil {
			return nil, err
		}
		return &invokeResult{Status: 202, RequestID: id}, nil
	case "RequestResponse":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ)
	}
	type answer struct {
		res *invokeResult
		err error
	}
	ch := make(chan answer, 1)
	id := newRequestID()
	go func() {
		res, err := s.execute(context.Background(), f, invokedARN, payload, clientCtx, id, false)
		ch <- answer{res, err}
	}()
	select {
	case a := <-ch:
		if a.err != nil {
			return nil, a.err
		}
		if !req.Tail {
			a.res.LogTail = ""
		}
		return a.res, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func jsonErr(err error) string {
	if err == nil {
		return "invalid JSON"
	}
	return err.Error()
}

func throttled(reserved bool) error {
	reason := "ConcurrentInvocationLimitExceeded"
	if reserved {
		reason = "ReservedFunctionConcurrentInvocationLimitExceeded"
	}
	return &lambdaapi.TooManyRequestsException{Type: api.String("User"), Message: api.String("Rate Exceeded."),
		Reason: api.String(reason)}
}

// execute runs one invocation on a warm or new environment. wait says whether
// to wait for a free slot (async) rather than be throttled.
func (s *Service) execute(ctx context.Context, f *function, invokedARN string, payload []byte, clientCtx, id string, wait bool) (*invokeResult, error) {
	p := s.pool(f)
	fp := ""
	if f.HotReloadDir != "" {
		fp = fingerprint(f.HotReloadDir)
	}
	e, err := p.acquire(f, fp, wait, s)
	if err != nil {
		return nil, err
	}
	if e == nil {
		e = s.waitStart(p, f, fp)
	}
	if e == nil {
		e, err = s.coldStart(p, f, fp, id)
		if err != nil || e == nil {
			p.release(nil, false)
			var ie *invalidEntrypoint
			if errors.As(err, &ie) {
				return ie.res, nil
			}
			return nil, err
		}
	}
	inv := &invocation{
		id: id, payload: payload, arn: invokedARN, clientContext: clientCtx,
		trace: traceID(), done: make(chan struct{}),
	}
	cold := e.uses == 0
	res, healthy := e.run(inv)
	p.release(e, healthy && !s.stopping())
	if cold {
		// The next cold start of this kind takes a spare (spare.go): made
		// now, once this one has answered, not to slow it.
		s.refillSpare(spareKind(f))
	}
	return res, nil
}

// invalidEntrypoint is a runtime that could not be started, answered as
// Lambda's Runtime.InvalidEntrypoint.
type invalidEntrypoint struct{ res *invokeResult }

func (e *invalidEntrypoint) Error() string { return string(e.res.Payload) }

// coldStart starts an environment for f and waits for its init, holding one
// of s.starting's tokens meanwhile.
func (s *Service) coldStart(p *pool, f *function, fp, id string) (*environment, error) {
	defer func() { <-s.starting }()
	if s.stopping() {
		return nil, errors.New("lambda: stopping")
	}
	code, err := s.code(f)
	if err != nil {
		return nil, err
	}
	e, err := s.startEnv(f, code, fp)
	if err != nil {
		var ee entrypointError
		if errors.As(err, &ee) {
			doc := errorDoc("Runtime.InvalidEntrypoint", "RequestId: "+id+" Error: "+ee.Error())
			return nil, &invalidEntrypoint{&invokeResult{Status: 200, Payload: doc, FunctionError: "Unhandled",
				ErrorType: "Runtime.InvalidEntrypoint", ExecutedVersion: "$LATEST", RequestID: id}}
		}
		return nil, err
	}
	if !p.track(e) || s.stopping() {
		e.end() // Stop or a reset reaped the pool before it was tracked
	}
	if f.debugPort() != 0 {
		e.waitInit(debugTimeout)
	} else {
		e.waitInit(initLimit)
	}
	return e, nil
}

// waitStart waits for a turn to start an environment (s.starting bounds the
// runtimes initialising at once: a burst of cold starts on a small machine
// would otherwise starve each other past the init limit); an environment of
// the pool that turns idle meanwhile is taken instead (nil: the turn is
// taken, start one).
func (s *Service) waitStart(p *pool, f *function, fp string) *environment {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case s.starting <- struct{}{}:
			return nil
		case <-t.C:
			if e := p.takeIdle(f, fp); e != nil {
				return e
			}
		}
	}
}

// run hands inv to the environment's runtime and waits for its answer, its
// timeout or its end. healthy is false when the environment must not be
// reused.
func (e *environment) run(inv *invocation) (res *invokeResult, healthy bool) {
	cold := e.uses == 0
	e.uses++
	e.mu.Lock()
	inv.pre = e.pending
	e.pending = logBuf{}
	e.sink = &inv.pre
	e.mu.Unlock()
	timeout := time.Duration(e.fn.Timeout) * time.Second
	if e.fn.debugPort() != 0 {
		timeout = debugTimeout
	}
	start := time.Now()
	inv.deadline = start.Add(timeout)

	var o outcome
	status := ""
	healthy = true
	fail := func(typ, msg string) {
		o = outcome{payload: errorDoc(typ, "RequestId: "+inv.id+" Error: "+msg), errType: typ}
		healthy = false
	}
	timedOut := func() {
		o = outcome{payload: errorDoc("Sandbox.Timedout", fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, float64(e.fn.Timeout))),
			errType: "Sandbox.Timedout"}
		status = "timeout"
		healthy = false
	}
	initFailed := func() bool {
		select {
		case <-e.initFail:
			e.mu.Lock()
			o = e.initErr
			e.mu.Unlock()
			healthy = false
			status = "error"
			return true
		default:
			return false
		}
	}

	var handed bool
	if cold {
		// execute waited for the init (waitInit); what is left is the hand-over,
		// unless the init failed or overran.
		inv.deadline = time.Now().Add(timeout)
		t := time.NewTimer(timeout)
		select {
		case e.next <- inv:
			handed = true
		case <-e.initFail:
			initFailed()
		case <-e.exited:
			if !initFailed() {
				fail("Runtime.ExitError", e.exitReason())
				status = "error"
			}
		case <-t.C:
			timedOut()
		case <-e.gone:
			fail("Runtime.Unknown", "the execution environment was stopped")
		}
		t.Stop()
		start = time.Now() // the runtime holds inv.deadline: not rewritten
	} else {
		select {
		case e.next <- inv:
			handed = true
		case <-e.exited:
			fail("Runtime.ExitError", e.exitReason())
		case <-e.gone:
			fail("Runtime.Unknown", "the execution environment was stopped")
		}
	}
	if handed {
		t := time.NewTimer(time.Until(inv.deadline))
		select {
		case <-inv.done:
			o = inv.result
		case <-t.C:
			select {
			case <-inv.done:
				o = inv.result
			default:
				timedOut()
			}
		case <-e.exited:
			select {
			case <-inv.done:
				o = inv.result
			default:
				if !initFailed() {
					fail("Runtime.ExitError", e.exitReason())
					status = "error"
				}
			}
		case <-e.gone:
			fail("Runtime.Unknown", "the execution environment was stopped")
		}
		t.Stop()
	}
	dur := time.Since(start)
	if !healthy {
		e.end()
	} else {
		e.drain()
	}
	e.mu.Lock()
	e.sink = nil
	e.cur = nil
	e.lastUsed = time.Now()
	e.mu.Unlock()

	res = &invokeResult{Status: 200, Payload: o.payload, ExecutedVersion: e.fn.version(), RequestID: inv.id}
	if o.errType != "" {
		res.FunctionError, res.ErrorType = "Unhandled", o.errType
		if status == "" {
			status = "error"
		}
	}
	lines := e.logLines(inv, dur, cold, status, o.errType)
	res.LogTail = tail(lines)
	e.s.writeLogs(&e.fn, e.stream, lines)
	return res, healthy
}

// logLines is what an invocation writes to its log stream: the output before
// START (init), START, the handler's output, END and REPORT, as Lambda writes
// them.
func (e *environment) logLines(inv *invocation, dur time.Duration, cold bool, status, errType string) []logLine {
	now := time.Now()
	out := make([]logLine, 0, len(inv.pre.lines)+len(inv.logs.lines)+4)
	out = append(out, inv.pre.lines...)
	// START is dated by the measured duration; a line the handler printed may be
	// stamped a little earlier than that (its stamp is taken as it is read), and
	// FilterLogEvents sorts by time: START never follows the handler's first line.
	start := now.Add(-dur)
	if len(inv.logs.lines) > 0 && inv.logs.lines[0].at.Before(start) {
		start = inv.logs.lines[0].at
	}
	out = append(out, logLine{start, "START RequestId: " + inv.id + " Version: " + e.fn.version()})
	out = append(out, inv.logs.lines...)
	if n := inv.pre.dropped + inv.logs.dropped; n > 0 {
		out = append(out, logLine{now, fmt.Sprintf("fogbank: %d log lines of this invocation were dropped (over %d bytes)", n, maxLogBytes)})
	}
	if status == "timeout" {
		out = append(out, logLine{now, now.UTC().Format("2006-01-02T15:04:05.000Z") + " " + inv.id + " Task timed out after " +
			fmt.Sprintf("%.2f", float64(e.fn.Timeout)) + " seconds"})
	}
	out = append(out, logLine{now, "END RequestId: " + inv.id})
	ms := float64(dur.Microseconds()) / 1000
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		inv.id, ms, int64(math.Ceil(ms)), e.fn.MemorySize, maxRSSMB(e))
	if cold {
		e.mu.Lock()
		init := e.initDur
		e.mu.Unlock()
		report += fmt.Sprintf("Init Duration: %.2f ms\t", float64(init.Microseconds())/1000)
	}
	if status != "" {
		report += "Status: " + status + "\t"
		if status == "error" && errType != "" {
			report += "Error Type: " + errType + "\t"
		}
	}
	out = append(out, logLine{now, report})
	return out
}

// tail is the base64 of the last 4 KB of lines (LogType=Tail).
func tail(lines []logLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	s := b.String()
	if len(s) > tailBytes {
		s = s[len(s)-tailBytes:]
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

func newRequestID() string { return newRevision() }

// traceID is an X-Ray trace header for the runtime (Lambda-Runtime-Trace-Id).
func traceID() string {
	id := newID()
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), id[:24], id[16:32])
}

// qualRE is a version or alias name.
var qualRE = lazy.Regexp{Expr: `^(\$LATEST|[a-zA-Z0-9-_]+)$`}

// splitQualifier splits "name:qualifier" (or an ARN with one) into its parts.
func splitQualifier(s string) (name, qual string, err error) {
	if nameRE.Get().MatchString(s) {
		return s, "", nil
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 && nameRE.Get().MatchString(s[:i]) && qualRE.Get().MatchString(s[i+1:]) {
		return s[:i], s[i+1:], nil
	}
	_, _, _, err = resolveFor("", "", s)
	return "", "", err
}

// load reads a function's record.
func (s *Service) load(account, region, name string) (*function, error) {
	var f *function
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, fnBucket)
		k := key(account, region, name)
		if b == nil || b.Get(k) == nil {
			return notFound(account, region, name)
		}
		f = new(function)
		return b.GetJSON(k, f)
	})
	return f, err
}

// code reads a function's zip.
func (s *Service) code(f *function) ([]byte, error) {
	if f.HotReloadDir != "" {
		return nil, nil
	}
	var code []byte
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, codeBucket)
		if b == nil {
			return errors.New("lambda: code missing")
		}
		k := key(f.Account, f.Region, f.Name)
		if f.Version != "" {
			k = versionKey(f.Account, f.Region, f.Name, f.Version)
		}
		v := b.Get(k)
		if v == nil {
			return errors.New("lambda: code missing")
		}
		code = append([]byte(nil), v...)
		return nil
	})
	return code, err
}

// Invoke runs a function (RequestResponse, Event or DryRun).
func (s *Service) Invoke(ctx context.Context, in *lambdaapi.InvocationRequest) (*lambdaapi.InvocationResponse, error) {
	c := api.CallerFrom(ctx)
	res, err := s.invoke(ctx, invokeRequest{
		Account: c.Account, Region: c.Region,
		Function: api.ToString(in.FunctionName), Qualifier: api.ToString(in.Qualifier),
		Payload: in.Payload, Type: api.ToString(in.InvocationType),
		Tail: api.ToString(in.LogType) == "Tail", ClientContext: api.ToString(in.ClientContext),
	})
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.InvocationResponse{StatusCode: api.Int64(int64(res.Status))}
	if res.Status == 200 {
		out.Payload = res.Payload
		out.ExecutedVersion = api.String(res.ExecutedVersion)
		if res.FunctionError != "" {
			out.FunctionError = api.String(res.FunctionError)
		}
		if res.LogTail != "" {
			out.LogResult = api.String(res.LogTail)
		}
	}
	return out, nil
}

// PutFunctionConcurrency reserves concurrency for a function; 0 stops it
// from running at all.
func (s *Service) PutFunctionConcurrency(ctx context.Context, in *lambdaapi.PutFunctionConcurrencyRequest) (*lambdaapi.Concurrency, error) {
	n := api.ToInt64(in.ReservedConcurrentExecutions)
	if in.ReservedConcurrentExecutions == nil || n < 0 {
		return nil, validation("1 validation error detected: Value '%d' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0", n)
	}
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	err = s.modify(account, region, name, func(tx *store.Tx, f *function) error {
		others, err := reservedElsewhere(tx, account, f.Name)
		if err != nil {
			return err
		}
		if accountConcurrency-others-n < minUnreserved {
			return invalid("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
		}
		f.Reserved = &n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.Concurrency{ReservedConcurrentExecutions: api.Int64(n)}, nil
}

// GetFunctionConcurrency answers a function's reservation (none: an empty
// answer, as AWS's).
func (s *Service) GetFunctionConcurrency(ctx context.Context, in *lambdaapi.GetFunctionConcurrencyRequest) (*lambdaapi.GetFunctionConcurrencyResponse, error) {
	f, err := s.get(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.GetFunctionConcurrencyResponse{}
	if f.Reserved != nil {
		out.ReservedConcurrentExecutions = api.Int64(*f.Reserved)
	}
	return out, nil
}

// DeleteFunctionConcurrency removes a function's reservation.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, in *lambdaapi.DeleteFunctionConcurrencyRequest) (*lambdaapi.DeleteFunctionConcurrencyOutput, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	err = s.modify(account, region, name, func(tx *store.Tx, f *function) error {
		f.Reserved = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.DeleteFunctionConcurrencyOutput{}, nil
}

// GetAccountSettings answers Lambda's default quotas and the caller's usage.
func (s *Service) GetAccountSettings(ctx context.Context, in *lambdaapi.GetAccountSettingsRequest) (*lambdaapi.GetAccountSettingsResponse, error) {
	c := api.CallerFrom(ctx)
	var count, size, reserved int64
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, fnBucket)
		if b == nil {
			return nil
		}
		return b.ForEachPrefix([]byte(c.Account+"/"), func(k, v []byte) error {
			f := new(function)
			if err := b.GetJSON(k, f); err != nil {
				return err
			}
			size += f.CodeSize
			if f.Region == c.Region {
				count++
				if f.Reserved != nil {
					reserved += *f.Reserved
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.GetAccountSettingsResponse{
		AccountLimit: &lambdaapi.AccountLimit{
			TotalCodeSize:                  api.Int64(80530636800),
			CodeSizeUnzipped:               api.Int64(maxUnzipped),
			CodeSizeZipped:                 api.Int64(maxZipped),
			ConcurrentExecutions:           api.Int64(accountConcurrency),
			UnreservedConcurrentExecutions: api.Int64(accountConcurrency - reserved),
		},
		AccountUsage: &lambdaapi.AccountUsage{TotalCodeSize: api.Int64(size), FunctionCount: api.Int64(count)},
	}, nil
}

// reservedElsewhere sums the reservations of the account's other functions
// in the same region as name's record key prefix.
func reservedElsewhere(tx *store.Tx, account, except string) (int64, error) {
	var sum int64
	b := tx.Bucket(rootBucket, fnBucket)
	if b == nil {
		return 0, nil
	}
	err := b.ForEachPrefix([]byte(account+"/"), func(k, v []byte) error {
		f := new(function)
		if err := b.GetJSON(k, f); err != nil {
			return err
		}
		if f.Name != except && f.Reserved != nil {
			sum += *f.Reserved
		}
		return nil
	})
	return sum, err
}

// modify changes a function's record without a new revision (settings that
// are not its configuration, such as concurrency).
func (s *Service) modify(account, region, name string, change func(*store.Tx, *function) error) error {
	k := key(account, region, name)
	return s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, fnBucket)
		if b == nil || b.Get(k) == nil {
			return notFound(account, region, name)
		}
		f := new(function)
		if err := b.GetJSON(k, f); err != nil {
			return err
		}
		if err := change(tx, f); err != nil {
			return err
		}
		return b.PutJSON(k, f)
	})
}

// pools: the environments of each function.

// pool is one function's environments: idle ones, and how many invocations
// run (each holds one environment, or is starting one).
type pool struct {
	mu      sync.Mutex
	cond    *sync.Cond
	idle    []*environment
	all     map[*environment]struct{}
	running int
	closed  bool // reaped for good (Stop, a reset, the function deleted)
}

func (s *Service) pool(f *function) *pool {
	k := string(key(f.Account, f.Region, f.Name))
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pools[k]
	if p == nil {
		p = &pool{all: map[*environment]struct{}{}}
		p.cond = sync.NewCond(&p.mu)
		s.pools[k] = p
		s.startReaper()
	}
	return p
}

// acquire takes a slot for one invocation and a warm environment for it when
// one fits f (same revision, same hot-reload contents); nil means start one.
// Without a free slot it throttles, or waits when wait is set.
func (p *pool) acquire(f *function, fp string, wait bool, s *Service) (*environment, error) {
	limit := accountConcurrency
	if f.Reserved != nil {
		limit = int(*f.Reserved)
	}
	if f.debugPort() != 0 && limit > 1 {
		// One environment holds the debugger's port: invocations take turns.
		limit, wait = 1, true
	}
	var stale []*environment
	defer func() {
		for _, e := range stale {
			go e.end() // not in the way of this invocation's cold start
		}
	}()
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.running >= limit {
		if !wait || s.stopping() || p.closed {
			return nil, throttled(f.Reserved != nil)
		}
		p.cond.Wait()
	}
	p.running++
	e, stale := p.findIdle(f, fp)
	return e, nil
}

// findIdle takes the most recently used idle environment that runs f (same
// version, revision and hot-reload contents), and takes out those of f's
// version that are stale (older revision or contents, or dead) for the
// caller to end; p.mu held.
func (p *pool) findIdle(f *function, fp string) (got *environment, stale []*environment) {
	// A new slice: filling p.idle's own array from the front while reading it
	// from the back overwrote environments not yet read, so one could be lost
	// (its process leaked) and another listed twice (two invocations on one
	// runtime: one of them timed out).
	keep := make([]*environment, 0, len(p.idle))
	for i := len(p.idle) - 1; i >= 0; i-- {
		e := p.idle[i]
		switch {
		case e.fn.Version != f.Version:
			keep = append(keep, e)
		case got == nil && e.fn.RevisionID == f.RevisionID && e.fp == fp && e.alive():
			got = e
		case e.fn.RevisionID != f.RevisionID || e.fp != fp || !e.alive():
			delete(p.all, e)
			stale = append(stale, e)
		default:
			keep = append(keep, e)
		}
	}
	// keep was filled newest first: put it back in use order.
	for i, j := 0, len(keep)-1; i < j; i, j = i+1, j-1 {
		keep[i], keep[j] = keep[j], keep[i]
	}
	p.idle = keep
	return got, stale
}

// takeIdle takes a warm environment fitting f, for an invocation that holds a
// slot already.
func (p *pool) takeIdle(f *function, fp string) *environment {
	p.mu.Lock()
	got, stale := p.findIdle(f, fp)
	p.mu.Unlock()
	for _, e := range stale {
		go e.end()
	}
	return got
}

// track records a started environment; false when the pool was reaped for
// good meanwhile (the caller ends it).
func (p *pool) track(e *environment) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.all[e] = struct{}{}
	return true
}

// release gives back a slot, and the environment to the idle list when it may
// serve again.
func (p *pool) release(e *environment, reuse bool) {
	p.mu.Lock()
	p.running--
	var dead *environment
	if e != nil {
		if reuse && e.alive() && !p.closed {
			p.idle = append(p.idle, e)
		} else {
			delete(p.all, e)
			dead = e
		}
	}
	p.cond.Signal()
	p.mu.Unlock()
	if dead != nil {
		dead.end() // mostly ended already; a pool reaped for good may not have seen it
	}
}

// reap ends environments idle for longer than ttl (all of them when ttl is
// 0, and the pool is closed: what is started or released in it later ends)
// and returns how many are left.
func (p *pool) reap(ttl time.Duration) int {
	p.mu.Lock()
	var old []*environment
	keep := p.idle[:0]
	for _, e := range p.idle {
		e.mu.Lock()
		idle := time.Since(e.lastUsed)
		e.mu.Unlock()
		if ttl == 0 || idle > ttl || !e.alive() {
			old = append(old, e)
			delete(p.all, e)
		} else {
			keep = append(keep, e)
		}
	}
	p.idle = keep
	if ttl == 0 {
		p.closed = true
		for e := range p.all {
			old = append(old, e) // busy ones too: their invocations end as stopped
		}
		p.all = map[*environment]struct{}{}
		p.cond.Broadcast()
	}
	n := len(p.all)
	p.mu.Unlock()
	for _, e := range old {
		e.end()
	}
	return n
}

// startReaper starts the goroutine that reaps idle environments, once the
// first pool exists (idle Lambda starts nothing). s.mu held.
func (s *Service) startReaper() {
	if s.reaping {
		return
	}
	s.reaping = true
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		t := time.NewTicker(idleTTL / 10)
		defer t.Stop()
		for {
			select {
			case <-s.quit:
				return
			case <-t.C:
				s.mu.Lock()
				pools := make([]*pool, 0, len(s.pools))
				for _, p := range s.pools {
					pools = append(pools, p)
				}
				s.mu.Unlock()
				for _, p := range pools {
					p.reap(s.idleTTL)
				}
				s.endSpares(false, time.Now().Add(-s.idleTTL))
			}
		}
	}()
}

func (s *Service) stopping() bool {
	select {
	case <-s.quit:
		return true
	default:
		return false
	}
}

// retire ends a function's environments (it was deleted).
func (s *Service) retire(account, region, name string) {
	s.mu.Lock()
	p := s.pools[string(key(account, region, name))]
	delete(s.pools, string(key(account, region, name)))
	s.mu.Unlock()
	if p != nil {
		p.reap(0)
	}
}

// Start finds CloudWatch Logs (where invocations write their logs) and S3
// (code from S3), and serves Code.Location's downloads.
// roleCredentials is what Lambda needs of IAM: its handlers run with their
// execution role's temporary credentials.
type roleCredentials interface {
	ServiceCredentials(roleARN, service, session string) (key, secret, token string, ok bool)
}

func (s *Service) Start(ctx context.Context) error {
	s.findLogs()
	s.findS3()
	s.startAsync() // async.go
	s.prepareStored()
	if s.env != nil {
		if r, err := host.Lookup[roleCredentials](s.env, "iam"); err == nil {
			s.roles = r
		}
		if a, err := host.Lookup[urlAuthorizer](s.env, "iam"); err == nil {
			s.urlAuth = a
		}
	}
	if s.env != nil {
		if err := s.env.Handle(urlRoute, http.HandlerFunc(s.serveURL)); err != nil { // urls.go
			return err
		}
		isURLHost := func(name string) bool { _, _, ok := urlHost(name); return ok }
		if err := s.env.HandleHost(isURLHost, http.HandlerFunc(s.serveURLHost)); err != nil {
			return err
		}
		return s.env.Handle("/code/", http.HandlerFunc(s.serveCode))
	}
	return nil
}

// prepareStored prepares (spare.go) one function of each runtime kind the
// store holds, so that the first invoke after fogbank starts finds a spare.
func (s *Service) prepareStored() {
	kinds := map[string]*function{}
	s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, fnBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			f := new(function)
			if b.GetJSON(k, f) == nil {
				if kind := spareKind(f); kind != "" && kinds[kind] == nil {
					kinds[kind] = f
				}
			}
			return nil
		})
	})
	for _, f := range kinds {
		s.prepare(f)
	}
}

// Stop ends every environment (and the invocations they run), waits for the
// service's goroutines and removes the environments' directory.
func (s *Service) Stop(ctx context.Context) error {
	s.quitOnce.Do(func() { close(s.quit) })
	s.stopAsync() // async.go
	s.mu.Lock()
	pools := s.pools
	s.pools = map[string]*pool{}
	s.mu.Unlock()
	for _, p := range pools {
		p.reap(0)
	}
	s.endSpares(true, time.Time{})
	done := make(chan struct{})
	go func() {
		s.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	s.logsWG.Wait()
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
	return nil
}
