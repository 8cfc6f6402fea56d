// Package lambda implements AWS Lambda: function management, and Invoke,
// which runs handlers as local processes speaking the real Lambda Runtime API.
//
// Function management (lambda.go, code.go): CreateFunction from a zip uploaded
// in the request (ZipFile, the CLI's --zip-file fileb://...), from fogbank's
// own S3 (S3Bucket/S3Key/S3ObjectVersion), or from a local folder with
// LocalStack's hot-reload convention (S3Bucket "hot-reload", S3Key the
// folder's absolute path: the folder is run in place, and an environment
// started before an edit is replaced at the next invoke); GetFunction (its
// Code.Location a signed URL on fogbank's listener that downloads the zip for
// 10 minutes),
// GetFunctionConfiguration, ListFunctions (with Marker/MaxItems),
// DeleteFunction, UpdateFunctionCode (ZipFile) and
// UpdateFunctionConfiguration. A function answers State Active and
// LastUpdateStatus Successful at once (there is nothing to provision), so the
// SDK waiters function_active_v2 and function_updated_v2 pass on the first
// poll. Role is checked in form as AWS does, CodeSha256 is the base64 SHA-256
// of the zip, and a zip is checked before it is accepted: an entry with an
// absolute path or a ".." element, a symbolic link pointing outside, an
// unreadable zip or more than 250 MB unzipped is refused with InvalidParameterValueException. A runtime whose
// interpreter is not on PATH (python3 for python3.x, node for nodejs*.x) is
// refused at create time. Functions and their code live in the store (root
// bucket "lambda"), so they survive a restart.
//
// Execution (invoke.go, env.go, runtimeapi.go, bootstrap/): an invocation runs
// in an execution environment, a runtime process with its own Runtime API
// listener (127.0.0.1, a free port: AWS_LAMBDA_RUNTIME_API), task root (the
// zip unpacked), TMPDIR and log stream, under a temporary directory removed
// when the environment ends. Python and Node run fogbank's own runtime
// clients (bootstrap/, standard library only, embedded); provided.al2,
// provided.al2023 and go1.x run the zip's bootstrap (the handler's file for
// go1.x), e.g. one built with aws-lambda-go. The environment has Lambda's
// variables, the execution role's temporary credentials (issued by IAM for
// the session named after the function; test credentials of the function's
// account when IAM has no such role and enforcement is off) and
// AWS_ENDPOINT_URL pointing back at fogbank, so an SDK inside a handler needs
// no configuration, and under --enforce-iam the role's policies apply inside it. Environments are reused while warm, one invocation at a time;
// several run in parallel up to the function's reserved concurrency (else the
// account's 1,000), beyond which a synchronous invoke is throttled; idle ones
// are reaped after 5 minutes; Stop ends them all. At most max(2, NumCPU)
// runtimes initialise at once, and an invocation waiting for that turn takes
// an environment of its function that turns idle meanwhile: a burst on a
// small machine uses fewer environments than Lambda would, rather than
// starving every init past Lambda's 10 s limit. A runtime is a process
// group: a timeout, a crash or Stop kills it with its children, and on Linux
// also those that left the group or were re-parented (setsid, setpgid, a
// daemon's double fork), found in /proc by their ancestry or by the
// _FOGBANK_ENV mark every runtime's environment carries; stopped, then
// killed. A child that escapes the tree and clears its environment too is
// not found. A fogbank killed with -9 takes its runtimes with it
// (PR_SET_PDEATHSIG) but not their children: the mark names fogbank's pid,
// and the next fogbank kills, at Start, marked processes whose fogbank no
// longer runs.
//
// Spare runtimes (spare.go): once a Python or Node function is created or
// updated, or found stored at start-up, and after each cold start of one,
// one spare process of that kind waits, fogbank's runtime client loaded and
// no function known; the next cold start of that kind hands it its
// environment (variables, task root) on stdin instead of starting an
// interpreter, which is most of a cold start here. The handler's import and
// init stay in the cold start. Functions with layers, a debugger, or
// variables read at process start (PYTHON*, NODE_*, LD_*, LC_*) start their
// own process; a spare unused for 5 minutes ends; FOGBANK_LAMBDA_SPARES=0
// turns them off. Python starts with -S (no site module, so no .pth file's
// code runs); the bootstrap puts site-packages on sys.path itself. Logs (START,
// the output, END, REPORT) go to CloudWatch Logs when fogbank has it
// (logs.go) and to LogType=Tail.
//
// Resource policies (policy.go): AddPermission, RemovePermission and GetPolicy
// keep one document per function (and qualifier) beside its record, statements
// worded as AWS words them (a service principal as {"Service": ...}, an
// account as its root ARN, SourceAccount as StringEquals AWS:SourceAccount,
// SourceArn as ArnLike AWS:SourceArn); a change gives the function a new
// RevisionId, which GetPolicy answers and RevisionId parameters are checked
// against (PreconditionFailedException); a duplicate StatementId is a
// ResourceConflictException. The policies are recorded, not enforced: no
// caller is refused by them yet.
//
// The Node runtime is Node's own: the AWS SDK for JavaScript v3 that Lambda's
// nodejs runtimes bundle is not there unless the function brings it.
//
// Versions and aliases (versions.go): PublishVersion (and Publish on create
// and code updates) freezes $LATEST's record and code; aliases name a
// version and may route a weighted share to a second one; a qualifier (in
// Qualifier, "name:qualifier" or a qualified ARN) reaches either, and
// X-Amz-Executed-Version says which version ran.
//
// Layers (layers.go): PublishLayerVersion, Get/List/Delete; a function's
// layers are unpacked in order into its environment's opt/ directory, which
// stands in for /opt on PYTHONPATH, NODE_PATH, PATH and LD_LIBRARY_PATH (code
// naming /opt by absolute path does not find it).
//
// Asynchronous invocation (async.go, eventconfig.go): an Event invocation is
// durable before Invoke answers 202 (appended to the outbox queue
// lambda/async); its consumer copies events into lambda/asyncq, keyed by
// sequence number, where one scheduler runs due events, 32 at once. A
// function error is retried MaximumRetryAttempts times (2 by default) after
// 1 and then 2 minutes (FOGBANK_LAMBDA_RETRY_DELAY shortens the first delay,
// the second is twice it: for tests), a throttle after 2 s without counting
// as an attempt; an event older than MaximumEventAgeInSeconds (6 hours by
// default) is given up. Put/Get/Update/Delete/ListFunctionEventInvokeConfigs
// keep those settings and the on-success and on-failure destinations, which
// receive AWS's destination record: a Lambda destination as an async
// invocation queued in the Update that ends the event; SQS, SNS and
// EventBridge destinations, and DeadLetterConfig's queue or topic, are kept
// in lambda/destq until fogbank has those services (nothing delivers them
// yet). A kill -9 loses no accepted event; one cut short runs again (at
// least once, as on AWS).
//
// S3 triggers (s3trigger.go): once a bucket's notification configuration names
// a function (S3 asks NotificationTargetExists, and refuses a missing one with
// InvalidArgument "Unable to validate the following destination
// configurations"), Lambda consumes S3's event outbox and queues, for each
// Lambda target, an async invocation with {"Records": [the S3 record]}.
//
// Debugging (env.go): a function whose Environment.Variables set
// FOGBANK_DEBUG_PORT runs Node with --inspect=127.0.0.1:PORT, or Python with
// debugpy listening there (where debugpy is installed for fogbank's python3;
// the runtime waits for a client before importing the handler); its init and
// invocation timeouts are suspended and it runs one invocation at a time
// (the port is one environment's). Other functions are unaffected.
//
// Function URLs (urls.go): Create/Get/Update/Delete/ListFunctionUrlConfigs;
// the URL is served by fogbank over plain HTTP at
// <fogbank>/_fogbank/lambda/url/<url-id>/ (on AWS, a host name of its own),
// a request reaching the handler as the payload format 2.0 event and its
// answer mapped back as AWS maps it (statusCode, headers, cookies, body,
// isBase64Encoded; else a 200 JSON body), CORS preflights answered from the
// configuration; AWS_IAM asks for a signed request without checking the
// signature.
//
// InvokeWithResponseStream (stream.go) answers an event stream: the result
// as one PayloadChunk, then InvokeComplete (ErrorCode, ErrorDetails,
// LogResult). The runtimes answer buffered, so there is one chunk.
//
// Not yet: handlers that stream (streamifyResponse, the Runtime API's
// streaming response mode; RESPONSE_STREAM URLs answer buffered), event
// source mappings, tags, and enforcing permissions.
package lambda
