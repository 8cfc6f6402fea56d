// fogbank's Node.js runtime client: the loop a Lambda nodejs*.x runtime runs,
// written for fogbank with Node's standard library only. It speaks the Lambda
// Runtime API at $AWS_LAMBDA_RUNTIME_API, loads $_HANDLER from
// $LAMBDA_TASK_ROOT (CommonJS or ES module), builds the context object AWS's
// runtime builds, and reports errors in the shapes AWS's runtime reports them.
//
// It is CommonJS and speaks HTTP/1.1 over a plain socket, because a cold start
// waits for all of it: an ES module entry point starts Node's ESM loader
// (~7 ms of CPU here) and node:http loads and compiles its client and parser
// on first use (tens of ms on this machine, which a spare used to spend
// warming up while its first invoke waited). The ESM loader still starts
// when a handler is an ES module, as on AWS.
"use strict";
const net = require("node:net");
const path = require("node:path");
const fs = require("node:fs");
const util = require("node:util");
const Module = require("node:module");
const { pathToFileURL } = require("node:url");

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
if (process.env._FOGBANK_SPARE) {
  const a = readAssignment();
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, a.env);
  process.chdir(a.dir);
  if (typeof Module._initPaths === "function") Module._initPaths(); // NODE_PATH is read at start
}
// On AWS the runtime's entry point is an ES module: user code sees no
// require.main.
process.mainModule = undefined;

const PREFIX = "/2018-06-01/runtime";

// RuntimeAPI is an HTTP/1.1 client for the Runtime API: one keep-alive
// connection, one request at a time (the runtime's loop never has two).
class RuntimeAPI {
  constructor(address) {
    const i = address.lastIndexOf(":");
    this.host = address.slice(0, i);
    this.port = Number(address.slice(i + 1));
    this.hostHeader = address;
    this.sock = null;
    this.buf = Buffer.alloc(0);
    this.pending = null; // { resolve, reject }
  }

  connect() {
    const sock = net.connect({ host: this.host, port: this.port, noDelay: true });
    sock.on("data", (d) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.parse();
    });
    const fail = (err) => {
      if (this.sock === sock) this.sock = null;
      const p = this.pending;
      if (p) {
        this.pending = null;
        if (p.readToEnd) p.finish(this.buf);
        else p.reject(err || new Error("the Runtime API closed the connection"));
      }
      this.buf = Buffer.alloc(0);
    };
    sock.on("error", fail);
    sock.on("close", () => fail(null));
    this.sock = sock;
  }

  // request sends one request and answers { status, headers, body }, the
  // headers' names in lower case (as node:http gives them).
  request(method, p, body, headers) {
    return new Promise((resolve, reject) => {
      if (!this.sock) this.connect();
      const payload = body === undefined || body === null ? null : Buffer.from(body);
      let head = `${method} ${PREFIX}${p} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n`;
      for (const [k, v] of Object.entries(headers || {})) head += `${k}: ${v}\r\n`;
      if (payload) head += `Content-Length: ${payload.length}\r\n`;
      else if (method !== "GET") head += "Content-Length: 0\r\n";
      head += "\r\n";
      this.pending = { resolve, reject };
      this.buf = Buffer.alloc(0);
      this.sock.write(payload ? Buffer.concat([Buffer.from(head, "latin1"), payload]) : head);
    });
  }

  // parse reads the response in buf once it is whole.
  parse() {
    const p = this.pending;
    if (!p) return;
    if (!p.head) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = this.buf.subarray(0, end).toString("latin1").split("\r\n");
      const status = Number(lines[0].split(" ")[1]);
      const headers = {};
      for (const l of lines.slice(1)) {
        const c = l.indexOf(":");
        if (c <= 0) continue;
        const k = l.slice(0, c).trim().toLowerCase();
        const v = l.slice(c + 1).trim();
        headers[k] = k in headers ? headers[k] + ", " + v : v;
      }
      p.head = { status, headers };
      this.buf = this.buf.subarray(end + 4);
      p.chunked = /\bchunked\b/i.test(headers["transfer-encoding"] || "");
      p.length = p.chunked ? -1 : headers["content-length"] !== undefined ? Number(headers["content-length"]) : -1;
      p.readToEnd = !p.chunked && p.length < 0;
      p.close = /\bclose\b/i.test(headers.connection || "") || p.readToEnd;
      p.parts = [];
      p.finish = (body) => {
        this.pending = null;
        if (p.close && this.sock) {
          this.sock.destroy();
          this.sock = null;
        }
        p.resolve({ status, headers, body });
      };
    }
    if (p.readToEnd) return; // at close
    if (!p.chunked) {
      if (this.buf.length < p.length) return;
      const body = Buffer.from(this.buf.subarray(0, p.length));
      this.buf = this.buf.subarray(p.length);
      return p.finish(body);
    }
    for (;;) {
      const eol = this.buf.indexOf("\r\n");
      if (eol < 0) return;
      const size = parseInt(this.buf.subarray(0, eol).toString("latin1"), 16);
      if (size === 0) {
        // The last chunk, then trailers up to an empty line.
        const end = this.buf.indexOf("\r\n\r\n", eol);
        if (end < 0) return;
        this.buf = this.buf.subarray(end + 4);
        return p.finish(Buffer.concat(p.parts));
      }
      if (this.buf.length < eol + 2 + size + 2) return;
      p.parts.push(Buffer.from(this.buf.subarray(eol + 2, eol + 2 + size)));
      this.buf = this.buf.subarray(eol + 2 + size + 2);
    }
  }
}

const api = new RuntimeAPI(process.env.AWS_LAMBDA_RUNTIME_API);

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
  await api.request("POST", p, body, { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": err.errorType });
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
        mod = Module.createRequire(path.join(root, "noop.js"))(file);
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
    const { headers, body } = await api.request("GET", "/invocation/next");
    const id = headers["lambda-runtime-aws-request-id"];
    requestId = id;
    if (headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = headers["lambda-runtime-trace-id"];
    else delete process.env._X_AMZN_TRACE_ID;
    const outcome = await new Promise((resolve) => {
      let settled = false;
      const done = (err, result) => {
        if (settled) return;
        settled = true;
        resolve({ err, result });
      };
      const ctx = makeContext(headers, done);
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
    await api.request("POST", `/invocation/${id}/response`, out, { "Content-Type": "application/json" });
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
