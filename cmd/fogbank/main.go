// Command fogbank runs a local AWS: one process that speaks the AWS wire protocols
// on 127.0.0.1:4566, so the AWS CLI, boto3 and the SDKs work against it unchanged.
//
//	fogbank [serve] [--addr 127.0.0.1:4566] [--data-dir DIR] [--ephemeral] [--init-dir DIR] [--log-level info]
//	fogbank snapshot save|load FILE [--endpoint URL]
//	fogbank coverage      operations implemented per service
//	fogbank version
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fogbank/fogbank/internal/server"
	"github.com/fogbank/fogbank/internal/services/all"
	"github.com/fogbank/fogbank/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		os.Exit(serve(args))
	case "snapshot":
		os.Exit(snapshot(args))
	case "coverage":
		all.WriteCoverage(os.Stdout)
	case "version":
		fmt.Println("fogbank", version)
	case "help":
		usage(os.Stdout)
	default:
		fmt.Fprintf(os.Stderr, "fogbank: unknown command %q\n", cmd)
		usage(os.Stderr)
		os.Exit(2)
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: fogbank [serve] [flags]    run fogbank (default)
       fogbank snapshot save FILE [--endpoint URL]   write a running fogbank's whole state to FILE
       fogbank snapshot load FILE [--endpoint URL]   replace its state with FILE's
       fogbank coverage           operations implemented per service (Markdown)
       fogbank version
serve flags (environment variable in brackets):
  --addr ADDR        listen address [FOGBANK_ADDR] (default 127.0.0.1:4566)
  --data-dir DIR     where state is kept [FOGBANK_DATA_DIR] (default ~/.local/share/fogbank)
  --ephemeral        keep state in memory, lost at exit (no fsync; big bodies in a temp dir)
  --init-dir DIR     run DIR's scripts (or DIR/ready.d's) once serving, before "ready" [FOGBANK_INIT_DIR]
  --log-level LEVEL  debug, info, warn or error [FOGBANK_LOG_LEVEL] (default info)
  --allow-host NAMES another Host name to answer (with its subdomains), repeatable or
                     comma-separated; "*" for any [FOGBANK_ALLOW_HOSTS] (default: local
                     names only: loopback addresses, localhost, localhost.localstack.cloud,
                     AWS names, and the host of --addr)
  --cors-origins LIST browser origins that may call fogbank, comma-separated: "local" (any
                     page on localhost or a loopback address), origins like
                     http://app.test:3000, or "*" [FOGBANK_CORS_ORIGINS] (default local)
  --http SERVER      fogbank (internal/http1) or std (net/http's Server), the same
                     gateway behind either [FOGBANK_HTTP] (default fogbank)
  --enforce-iam      check every request against IAM policies and refuse what they
                     do not allow (unknown access keys too); =log only logs would-be
                     refusals; =off (the default) checks nothing [FOGBANK_ENFORCE_IAM]
`)
}

func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() { usage(os.Stderr) }
	addr := fs.String("addr", env("FOGBANK_ADDR", "127.0.0.1:4566"), "listen address")
	dataDir := fs.String("data-dir", env("FOGBANK_DATA_DIR", defaultDataDir()), "data directory")
	ephemeral := fs.Bool("ephemeral", os.Getenv("FOGBANK_EPHEMERAL") == "1", "temporary state")
	level := fs.String("log-level", env("FOGBANK_LOG_LEVEL", "info"), "log level")
	httpServer := fs.String("http", env("FOGBANK_HTTP", "fogbank"), "HTTP server: fogbank or std")
	initDir := fs.String("init-dir", os.Getenv("FOGBANK_INIT_DIR"), "init scripts")
	allowHosts := listFlag(splitList(os.Getenv("FOGBANK_ALLOW_HOSTS")))
	fs.Var(&allowHosts, "allow-host", "another host name to answer")
	corsOrigins := fs.String("cors-origins", env("FOGBANK_CORS_ORIGINS", ""), "browser origins allowed")
	var enforce enforceFlag
	if err := enforce.Set(env("FOGBANK_ENFORCE_IAM", "off")); err != nil {
		fmt.Fprintf(os.Stderr, "fogbank: FOGBANK_ENFORCE_IAM: %v\n", err)
		return 2
	}
	fs.Var(&enforce, "enforce-iam", "check IAM policies: on, log or off")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	// The collector's target follows the live heap (gc.go); GOGC overrides it.
	if os.Getenv("GOGC") == "" {
		tuneGC()
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(os.Stderr, "fogbank: bad --log-level %q (debug, info, warn, error)\n", *level)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	srv, err := server.Start(server.Options{
		Addr: *addr, DataDir: *dataDir, Ephemeral: *ephemeral, InitDir: *initDir,
		AllowHosts: allowHosts, CORSOrigins: splitList(*corsOrigins),
		Logger: log, Version: version, Models: all.Models(), HTTP: *httpServer,
		EnforceIAM: string(enforce),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fogbank: %v\n", err)
		return 1
	}
	where := *dataDir
	if *ephemeral {
		where = "ephemeral"
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if *initDir != "" {
		log.Info("fogbank serving, running init scripts", "url", srv.URL, "init_dir", *initDir)
	}
	go func() {
		<-srv.InitDone()
		log.Info("fogbank ready", "url", srv.URL, "data", where, "version", version, "http", *httpServer,
			"iam", enforce.describe())
	}()
	stopped := make(chan struct{})
	go func() {
		<-sig
		log.Info("shutting down")
		srv.Close()
		close(stopped)
	}()
	if err := srv.Wait(); err != nil {
		srv.Close()
		fmt.Fprintf(os.Stderr, "fogbank: %v\n", err)
		return 1
	}
	<-stopped // Wait returned because Close began; let it finish.
	return 0
}

// listFlag is a flag that may be given several times, each a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, splitList(v)...)
	return nil
}

// splitList splits a comma-separated list, dropping blanks; "" is nil.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// defaultDataDir follows the XDG convention: state belongs in ~/.local/share.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "fogbank")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "fogbank")
	}
	return "fogbank-data"
}

// snapshot saves or loads a running fogbank's state over HTTP
// (GET and POST /_fogbank/snapshot).
func snapshot(args []string) int {
	fs := flag.NewFlagSet("snapshot", flag.ContinueOnError)
	fs.Usage = func() { usage(os.Stderr) }
	endpoint := fs.String("endpoint", defaultEndpoint(), "fogbank's URL")
	if len(args) < 2 {
		usage(os.Stderr)
		return 2
	}
	verb, file := args[0], args[1]
	if err := fs.Parse(args[2:]); err != nil {
		return 2
	}
	url := strings.TrimSuffix(*endpoint, "/") + "/_fogbank/snapshot"
	var err error
	switch verb {
	case "save":
		err = saveSnapshot(url, file)
	case "load":
		err = loadSnapshot(url, file)
	default:
		fmt.Fprintf(os.Stderr, "fogbank snapshot: unknown verb %q (save or load)\n", verb)
		return 2
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "fogbank snapshot %s: %v\n", verb, err)
		return 1
	}
	return 0
}

// defaultEndpoint is the server the snapshot command talks to: AWS_ENDPOINT_URL
// when set (as the AWS CLI would use), else --addr's default.
func defaultEndpoint() string {
	if u := os.Getenv("AWS_ENDPOINT_URL"); u != "" {
		return u
	}
	return "http://" + env("FOGBANK_ADDR", "127.0.0.1:4566")
}

// saveSnapshot writes the snapshot to a temporary file beside file, checks it
// whole (a transfer cut short must not replace a good file), then renames it.
func saveSnapshot(url, file string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, resp.Body)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	f, err := os.Open(tmp.Name())
	if err != nil {
		return err
	}
	err = store.CheckSnapshot(bufio.NewReader(f))
	f.Close()
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "saved %d bytes to %s\n", n, file)
	return nil
}

func loadSnapshot(url, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	resp, err := http.Post(url, "application/octet-stream", f)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	fmt.Fprintf(os.Stderr, "loaded %s\n", file)
	return nil
}

// enforceFlag is --enforce-iam: alone it means on; =log and =off choose the
// other modes (also FOGBANK_ENFORCE_IAM: 1, on, log, 0, off).
type enforceFlag string

func (f *enforceFlag) String() string   { return string(*f) }
func (f *enforceFlag) IsBoolFlag() bool { return true }

func (f *enforceFlag) Set(v string) error {
	switch strings.ToLower(v) {
	case "true", "1", "on", "yes":
		*f = "on"
	case "log", "soft":
		*f = "log"
	case "false", "0", "off", "no", "":
		*f = "off"
	default:
		return fmt.Errorf("%q is not on, log or off", v)
	}
	return nil
}

// describe says the mode in the start-up line, so that enforcement is never
// silently off.
func (f enforceFlag) describe() string {
	switch f {
	case "on":
		return "enforced (--enforce-iam): requests IAM policies do not allow are refused"
	case "log":
		return "log only (--enforce-iam=log): would-be denials are logged, nothing refused"
	}
	return "not enforced: every request is allowed (--enforce-iam to check policies)"
}
