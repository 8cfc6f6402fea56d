# fogbank's Python runtime client: the loop a Lambda python3.x runtime runs,
# written for fogbank with the standard library only. It speaks the Lambda
# Runtime API at $AWS_LAMBDA_RUNTIME_API, imports $_HANDLER from
# $LAMBDA_TASK_ROOT, builds the context object AWS's runtime builds, and reports
# errors in the shapes AWS's runtime reports them.
import os
import sys


def _site_packages():
    """fogbank starts this runtime with -S, without the site module: the .pth
    files of an interpreter's site-packages may run code at every start (one
    on a machine seen cost ~100 ms), and AWS's runtime has none of its user's.
    What site would put on sys.path is put here: the interpreter's (or its
    venv's) site-packages, where boto3 lives, and the directories its .pth
    files name; their import lines are not run. No user site-packages (-s)."""
    import site  # with -S, importing it changes nothing

    site.setquit()  # exit(), quit(), help() as site gives them
    site.sethelper()
    site.setcopyright()
    prefixes = [sys.prefix]
    cfg = os.path.join(os.path.dirname(os.path.dirname(sys.executable)), "pyvenv.cfg")
    if os.path.isfile(cfg):
        # A venv: before 3.11, only site made sys.prefix the venv's.
        prefixes = [os.path.dirname(cfg)]
        with open(cfg, encoding="utf-8") as f:
            for line in f:
                k, _, v = line.partition("=")
                if k.strip().lower() == "include-system-site-packages" and v.strip().lower() == "true":
                    prefixes.append(sys.base_prefix)
    for d in site.getsitepackages(prefixes):
        if not os.path.isdir(d) or d in sys.path:
            continue
        sys.path.append(d)
        try:
            names = sorted(n for n in os.listdir(d) if n.endswith(".pth") and not n.startswith("."))
        except OSError:
            continue
        for n in names:
            try:
                with open(os.path.join(d, n), encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for line in lines:
                if not line.strip() or line.startswith(("#", "import ", "import\t")):
                    continue
                p = os.path.join(d, line.rstrip())
                if p not in sys.path and os.path.exists(p):
                    sys.path.append(p)


_site_packages()

import importlib
import importlib.machinery
import json
import socket
import time


def _assigned():
    """A spare runtime (fogbank's spare.go) starts before it knows its
    function: its environment comes as one line of JSON on stdin, and is
    applied as if the process had started with it."""
    line = sys.stdin.buffer.readline()
    if not line:
        sys.exit(0)
    a = json.loads(line)
    os.environ.clear()
    os.environ.update(a["env"])
    os.chdir(a["dir"])
    time.tzset()
    sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(fd, 0)
    os.close(fd)


if os.environ.get("_FOGBANK_SPARE"):
    _assigned()
os.environ.pop("PYTHONUNBUFFERED", None)  # set by fogbank only so prints reach the log at once

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime"


class _Conn:
    """A keep-alive HTTP/1.1 client for the Runtime API, just what it needs:
    http.client (with email and ssl) costs tens of milliseconds of every cold
    start to import."""

    def __init__(self, addr):
        host, _, port = addr.rpartition(":")
        self.addr = (host, int(port))
        self.sock = self.f = None

    def close(self):
        if self.sock is not None:
            self.f.close()
            self.sock.close()
        self.sock = self.f = None

    def call(self, method, path, body=b"", headers=None):
        for attempt in (0, 1):
            try:
                if self.sock is None:
                    self.sock = socket.create_connection(self.addr)
                    self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.f = self.sock.makefile("rb")
                head = "%s %s%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (method, PREFIX, path, API, len(body))
                for k, v in (headers or {}).items():
                    head += "%s: %s\r\n" % (k, v)
                self.sock.sendall(head.encode("latin-1") + b"\r\n" + body)
                line = self.f.readline()
                if not line:
                    raise ConnectionError("the Runtime API closed the connection")
                status = int(line.split()[1])
                hdrs = {}
                while True:
                    line = self.f.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = line.decode("latin-1").partition(":")
                    hdrs[k.strip().lower()] = v.strip()
                n = int(hdrs.get("content-length") or 0)
                return status, hdrs, (self.f.read(n) if n else b"")
            except (OSError, ValueError, IndexError):
                self.close()
                if attempt:
                    raise


_conn = _Conn(API)


def _call(method, path, body=b"", headers=None):
    return _conn.call(method, path, body, headers)


def _error(error_type, message, stack=None, request_id=""):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack or []}


def _post_error(path, err):
    body = json.dumps(err).encode()
    _call("POST", path, body, {"Content-Type": "application/json",
                               "Lambda-Runtime-Function-Error-Type": err["errorType"]})


def _log_error(err):
    lines = ["[ERROR] %s: %s" % (err["errorType"], err["errorMessage"])]
    if err.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        lines.extend(s.rstrip("\n") for s in err["stackTrace"])
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def _fault(exc_info, request_id):
    import traceback
    etype, value, tb = exc_info
    # Drop this runtime's own frame, as AWS's runtime does.
    stack = traceback.format_list(traceback.extract_tb(tb.tb_next if tb and tb.tb_next else tb))
    return _error(etype.__name__, str(value), stack, request_id)


_request_id = ""  # the invocation's, for the log lines' aws_request_id


def _setup_logging(logging):
    """The root logger writes Lambda's log format to stdout, with the
    request id."""

    class _RequestId(logging.Filter):
        def filter(self, record):
            record.aws_request_id = _request_id
            return True

    h = logging.StreamHandler(sys.stdout)
    f = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                          "%Y-%m-%dT%H:%M:%S")
    f.converter = time.gmtime
    h.setFormatter(f)
    h.addFilter(_RequestId())
    logging.getLogger().addHandler(h)


class _LoggingHook:
    """Sets up logging when the function first imports it (boto3 does too),
    not before: importing logging costs 15-30 ms of a cold start on a busy
    machine, which a handler that does not log need not pay."""

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            _setup_logging(module)

        spec.loader.exec_module = exec_module
        return spec


def _hook_logging():
    if "logging" in sys.modules:  # a debugger imports it
        _setup_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _LoggingHook())


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def _client_context(raw):
    if not raw:
        return None
    d = json.loads(raw)
    cc = ClientContext()
    cc.custom, cc.env, cc.client = d.get("custom"), d.get("env"), None
    c = d.get("client")
    if c:
        cc.client = Client()
        cc.client.installation_id = c.get("installation_id")
        cc.client.app_title = c.get("app_title")
        cc.client.app_version_name = c.get("app_version_name")
        cc.client.app_version_code = c.get("app_version_code")
        cc.client.app_package_name = c.get("app_package_name")
    return cc


def _identity(raw):
    ci = CognitoIdentity()
    d = json.loads(raw) if raw else {}
    ci.cognito_identity_id = d.get("cognitoIdentityId")
    ci.cognito_identity_pool_id = d.get("cognitoIdentityPoolId")
    return ci


class LambdaContext:
    def __init__(self, request_id, deadline_ms, arn, client_context, identity, tenant_id):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.client_context = _client_context(client_context)
        self.identity = _identity(identity)
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))
        sys.stdout.flush()

    def __repr__(self):
        return ("LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
                "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s])" % (
                    self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
                    self.memory_limit_in_mb, self.function_version, self.invoked_function_arn))


class _Fault(Exception):
    def __init__(self, error_type, message, stack=None):
        self.err = _error(error_type, message, stack)


def _load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise _Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    modname = modname.replace("/", ".")
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise _Fault("Runtime.BuiltInModuleConflict",
                         "Cannot use built-in module %s as a handler module" % modname)
        mod = importlib.import_module(modname)
    except _Fault:
        raise
    except ImportError as e:
        raise _Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        stack = ['  File "%s" Line %s\n    %s\n' % (e.filename, e.lineno, (e.text or "").strip())]
        raise _Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), stack)
    except Exception:
        f = _fault(sys.exc_info(), "")
        raise _Fault(f["errorType"], f["errorMessage"], f["stackTrace"])
    fn = getattr(mod, fname, None)
    if fn is None:
        raise _Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


def _default(o):
    import decimal
    if isinstance(o, decimal.Decimal):
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def _debugger():
    """Listens for a debugger when the function sets FOGBANK_DEBUG_PORT, and
    waits for one to attach before the handler is imported (fogbank suspends
    the function's timeouts meanwhile)."""
    port = os.environ.get("FOGBANK_DEBUG_PORT")
    if not port:
        return
    try:
        import debugpy
    except ImportError:
        sys.stdout.write("fogbank: FOGBANK_DEBUG_PORT is set but debugpy is not installed for %s: "
                         "running without a debugger\n" % sys.executable)
        return
    debugpy.listen(("127.0.0.1", int(port)))
    sys.stdout.write("fogbank: debugpy listens on 127.0.0.1:%s; waiting for a debugger to attach\n" % port)
    sys.stdout.flush()
    debugpy.wait_for_client()


def main():
    global _request_id
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    _debugger()
    _hook_logging()
    try:
        fn = _load_handler(os.environ["_HANDLER"])
    except _Fault as f:
        _log_error(f.err)
        _post_error("/init/error", f.err)
        sys.exit(1)
    while True:
        _, h, body = _call("GET", "/invocation/next")
        rid = h.get("lambda-runtime-aws-request-id")
        _request_id = rid
        trace = h.get("lambda-runtime-trace-id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        ctx = LambdaContext(rid, int(h.get("lambda-runtime-deadline-ms") or 0),
                            h.get("lambda-runtime-invoked-function-arn"),
                            h.get("lambda-runtime-client-context"),
                            h.get("lambda-runtime-cognito-identity"),
                            h.get("lambda-runtime-aws-tenant-id"))
        try:
            try:
                event = json.loads(body) if body else {}
            except ValueError as e:
                raise _Fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
            result = fn(event, ctx)
            try:
                out = json.dumps(result, default=_default).encode()
            except (TypeError, ValueError) as e:
                raise _Fault("Runtime.MarshalError", "Unable to marshal response: %s" % e)
        except _Fault as f:
            f.err["requestId"] = rid
            _log_error(f.err)
            _post_error("/invocation/%s/error" % rid, f.err)
            continue
        except Exception:
            err = _fault(sys.exc_info(), rid)
            _log_error(err)
            _post_error("/invocation/%s/error" % rid, err)
            continue
        _call("POST", "/invocation/%s/response" % rid, out, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
