// fogbank's Node.js runtime client: the loop a Lambda nodejs*.x runtime runs,
// written for fogbank with Node's standard library only. It speaks the Lambda
// Runtime API at $AWS_LAMBDA_RUNTIME_API, loads $_HANDLER from
// $LAMBDA_TASK_ROOT (CommonJS or ES module), builds the context object AWS's
// runtime builds, and reports errors in the shapes AWS's runtime reports them.
import http from "node:http";
import path from "node:path";
import fs from "node:fs";
import util from "node:util";
import Module, { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// A spare runtime (fogbank's spare.go) starts before it knows its function:
// its environment comes as one line of JSON on stdin, and is applied as if the
// process had started with it.
function readAssignment() {
  const chunks = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
      continue;
    }
    if (n === 0) process.exit(0);
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (buf.subarray(0, n).includes(10)) return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  }
}
// Node compiles its HTTP client on first use: a spare makes one request to
// itself while it waits, so that its function's first /next does not pay it.
async function warmUp() {
  const srv = http.createServer((req, res) => res.end("{}"));
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  await new Promise((resolve) => {
    const req = http.request({ host: "127.0.0.1", port: srv.address().port, method: "POST", path: "/", agent: new http.Agent({ keepAlive: true }) }, (res) => {
      res.on("data", () => {});
      res.on("end", resolve);
    });
    req.on("error", resolve);
    req.end(JSON.stringify({ warm: true }));
  });
  srv.close();
  srv.closeAllConnections?.();
}
if (process.env._FOGBANK_SPARE) {
  await warmUp();
  const a = readAssignment();
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, a.env);
  process.chdir(a.dir);
  if (typeof Module._initPaths === "function") Module._initPaths(); // NODE_PATH is read at start
}

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const PREFIX = "/2018-06-01/runtime";

function call(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: PREFIX + p, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ res, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

let requestId = "";
function emit(level, args) {
  const msg = util.format(...args).replace(/\n/g, "\r");
  process.stdout.write(`${new Date().toISOString()}\t${requestId || "undefined"}\t${level}\t${msg}\n`);
}
console.log = (...a) => emit("INFO", a);
console.info = (...a) => emit("INFO", a);
console.warn = (...a) => emit("WARN", a);
console.error = (...a) => emit("ERROR", a);
console.debug = (...a) => emit("DEBUG", a);
console.trace = (...a) => emit("TRACE", a);

function errorOf(e) {
  if (e instanceof Error) {
    return { errorType: e.name || "Error", errorMessage: e.message, trace: (e.stack || "").split("\n") };
  }
  return { errorType: typeof e === "string" ? "string" : typeof e, errorMessage: String(e), trace: [] };
}

class Fault extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = type;
    if (cause && cause.stack) this.stack = `${type}: ${message}\n` + cause.stack.split("\n").slice(1).join("\n");
  }
}

async function postError(p, err) {
  const body = JSON.stringify(err);
  await call("POST", p, body, { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": err.errorType });
}

async function loadHandler(handlerString) {
  const root = process.env.LAMBDA_TASK_ROOT;
  const m = /^([^.]*)\.(.*)$/.exec(path.basename(handlerString));
  if (!m) throw new Fault("Runtime.MalformedHandlerName", "Bad handler");
  const dir = path.dirname(handlerString);
  const [, base, fnPath] = m;
  const stem = path.resolve(root, dir, base);
  let mod;
  const found = [".js", ".mjs", ".cjs"].find((ext) => fs.existsSync(stem + ext));
  try {
    if (!found) {
      // AWS's own wording: the module is looked up as a bare name.
      const e = new Error(`Cannot find module '${base}'\nRequire stack:\n- /var/runtime/index.mjs`);
      e.code = "MODULE_NOT_FOUND";
      throw e;
    }
    const file = stem + found;
    if (found === ".mjs") {
      mod = await import(pathToFileURL(file).href);
    } else {
      try {
        mod = createRequire(path.join(root, "noop.js"))(file);
      } catch (e) {
        if (e.code !== "ERR_REQUIRE_ESM" && e.code !== "ERR_REQUIRE_ASYNC_MODULE") throw e;
        mod = await import(pathToFileURL(file).href);
      }
    }
  } catch (e) {
    if (e instanceof SyntaxError) throw new Fault("Runtime.UserCodeSyntaxError", `${e.name}: ${e.message}`, e);
    if (e.code === "MODULE_NOT_FOUND" || e.code === "ERR_MODULE_NOT_FOUND") {
      throw new Fault("Runtime.ImportModuleError", `Error: ${e.message}`, e);
    }
    throw e;
  }
  let fn = mod;
  for (const part of fnPath.split(".")) {
    fn = fn == null ? undefined : fn[part];
  }
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const part of fnPath.split(".")) fn = fn == null ? undefined : fn[part];
  }
  if (typeof fn !== "function") {
    throw new Fault("Runtime.HandlerNotFound", `${path.basename(handlerString)} is undefined or not exported`);
  }
  return fn;
}

function makeContext(headers, onDone) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const cc = headers["lambda-runtime-client-context"];
  const ci = headers["lambda-runtime-cognito-identity"];
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: cc ? JSON.parse(cc) : undefined,
    identity: ci ? JSON.parse(ci) : undefined,
    tenantId: headers["lambda-runtime-aws-tenant-id"],
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    done: (err, result) => onDone(err, result),
    succeed: (result) => onDone(null, result),
    fail: (err) => onDone(err || "handled"),
  };
  return ctx;
}

async function main() {
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER);
  } catch (e) {
    const err = errorOf(e);
    process.stdout.write(`${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(err)}\n`);
    await postError("/init/error", err);
    process.exit(1);
  }
  for (;;) {
    const { res, body } = await call("GET", "/invocation/next");
    const id = res.headers["lambda-runtime-aws-request-id"];
    requestId = id;
    if (res.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = res.headers["lambda-runtime-trace-id"];
    else delete process.env._X_AMZN_TRACE_ID;
    const outcome = await new Promise((resolve) => {
      let settled = false;
      const done = (err, result) => {
        if (settled) return;
        settled = true;
        resolve({ err, result });
      };
      const ctx = makeContext(res.headers, done);
      let event;
      try {
        event = body.length ? JSON.parse(body.toString("utf8")) : {};
      } catch (e) {
        return done(new Fault("Runtime.UnmarshalError", `Unable to parse input as json: ${e.message}`, e));
      }
      try {
        const r = handler(event, ctx, done);
        if (r && typeof r.then === "function") r.then((v) => done(null, v), (e) => done(e === undefined || e === null ? new Error(String(e)) : e));
        else if (handler.length < 3) done(null, undefined); // as on AWS: a plain function's return value is not the result
      } catch (e) {
        done(e);
      }
    });
    if (outcome.err !== undefined && outcome.err !== null) {
      const err = errorOf(outcome.err);
      process.stdout.write(`${new Date().toISOString()}\t${id}\tERROR\tInvoke Error \t${JSON.stringify(err)}\n`);
      await postError(`/invocation/${id}/error`, err);
      continue;
    }
    let out;
    try {
      out = JSON.stringify(outcome.result === undefined ? null : outcome.result);
    } catch (e) {
      await postError(`/invocation/${id}/error`, errorOf(new Fault("Runtime.MarshalError", `Unable to stringify response body: ${e.message}`, e)));
      continue;
    }
    await call("POST", `/invocation/${id}/response`, out, { "Content-Type": "application/json" });
  }
}

process.on("uncaughtException", (e) => {
  const err = errorOf(e);
  process.stdout.write(`${new Date().toISOString()}\t${requestId || "undefined"}\tERROR\tUncaught Exception \t${JSON.stringify(err)}\n`);
  process.exit(129);
});
process.on("unhandledRejection", (reason) => {
  const e = reason instanceof Error ? reason : new Error(String(reason));
  const err = { errorType: "Runtime.UnhandledPromiseRejection", errorMessage: `${e.name}: ${e.message}`, trace: (e.stack || "").split("\n") };
  process.stdout.write(`${new Date().toISOString()}\t${requestId || "undefined"}\tERROR\tUnhandled Promise Rejection \t${JSON.stringify(err)}\n`);
  process.exit(128);
});

main();
