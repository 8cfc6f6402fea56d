// Command lambda measures fogbank's Lambda against a running fogbank: warm
// invoke round trips (p50/p99) of Python, Node and Go echo handlers beside a
// plain HTTP echo on the same machine, cold starts of Python and Node
// functions (to the first result), and 50 concurrent invokes of a 100 ms
// handler. bench/lambda.sh starts fogbank and runs it.
//
//	go run ./bench/lambda -endpoint http://127.0.0.1:4566 [-n 1000] [-cold 10] [-gobootstrap zip] [-fogbank bin [-fresh 5]]
//
// With -fogbank it first times the first invoke a new user sees, on
// fogbanks it starts itself (firstInvokes).
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const role = "arn:aws:iam::000000000000:role/bench"

var payload = []byte(`{"message":"hello","n":42}`)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:4566", "fogbank's URL")
	n := flag.Int("n", 1000, "warm invokes per function")
	only := flag.String("only", "", "run only this part: first (with -fogbank), warm, cold or burst")
	cold := flag.Int("cold", 10, "cold starts per runtime")
	goZip := flag.String("gobootstrap", "", "a zip holding a provided.al2023 echo bootstrap (optional)")
	fogbank := flag.String("fogbank", "", "fogbank's binary: times the first invoke on fogbanks this starts (-fresh times)")
	fresh := flag.Int("fresh", 5, "fogbanks started for the first-invoke figures (with -fogbank)")
	flag.Parse()
	if *fogbank != "" && (*only == "" || *only == "first") {
		firstInvokes(*fogbank, *fresh)
	}
	if *only == "first" {
		return
	}

	c := lambda.New(lambda.Options{
		BaseEndpoint: endpoint, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:     aws.NopRetryer{},
		HTTPClient:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}},
	})
	ctx := context.Background()

	// The floor: a plain HTTP echo on this machine, through net/http's client.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	hc := &http.Client{}
	echoURL := "http://" + ln.Addr().String() + "/"
	echo := measure(*n, func() error {
		resp, err := hc.Post(echoURL, "application/json", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	})
	fmt.Printf("plain HTTP echo            p50 %7.3f ms  p99 %7.3f ms\n", echo.p50, echo.p99)

	funcs := []struct {
		name    string
		runtime types.Runtime
		handler string
		zip     []byte
	}{
		{"bench-py", types.RuntimePython312, "app.handler", zipOf("app.py", "def handler(event, context):\n    return event\n", 0o644)},
		{"bench-node", types.RuntimeNodejs20x, "index.handler", zipOf("index.js", "exports.handler = async (event) => event;\n", 0o644)},
	}
	if *goZip != "" {
		b, err := os.ReadFile(*goZip)
		if err != nil {
			log.Fatal(err)
		}
		funcs = append(funcs, struct {
			name    string
			runtime types.Runtime
			handler string
			zip     []byte
		}{"bench-go", types.RuntimeProvidedal2023, "bootstrap", b})
	}
	run := func(part string) bool { return *only == "" || *only == part }
	for _, f := range funcs {
		create(ctx, c, f.name, f.runtime, f.handler, f.zip, 30)
		invoke(ctx, c, f.name, payload) // cold start
		if !run("warm") {
			continue
		}
		r := measure(*n, func() error {
			_, err := invoke(ctx, c, f.name, payload)
			return err
		})
		fmt.Printf("warm invoke %-14s p50 %7.3f ms  p99 %7.3f ms  (+%.3f ms at p50 over the echo)\n", f.name, r.p50, r.p99, r.p50-echo.p50)
	}

	// Cold starts: each UpdateFunctionConfiguration is a new revision, so the
	// next invoke starts a new environment. One at a time, a second after the
	// last (a user's edit-invoke pace; it also lets the spare runtime fogbank
	// starts after a cold start be ready). Each is timed twice: as fogbank
	// runs it (with a spare runtime, spare.go), and with a variable a spare
	// cannot take (PYTHONNOUSERSITE, NODE_NO_WARNINGS: harmless here), so that
	// fogbank starts the interpreter in the cold start itself.
	initRE := regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)
	// The floor of a cold start: the interpreter starting and exiting, in the
	// same run (fogbank starts python3 -s -S and node the same way).
	floors := map[string][]string{"bench-py": {pythonExe(), "-s", "-S", "-c", "pass"}, "bench-node": {"node", "-e", "0"}}
	noSpare := map[string]string{"bench-py": "PYTHONNOUSERSITE", "bench-node": "NODE_NO_WARNINGS"}
	for _, f := range funcs[:2] {
		if !run("cold") {
			break
		}
		var bare []float64
		for i := 0; i < *cold; i++ {
			argv := floors[f.name]
			t0 := time.Now()
			if err := exec.Command(argv[0], argv[1:]...).Run(); err != nil {
				log.Fatal(err)
			}
			bare = append(bare, ms(time.Since(t0)))
		}
		fmt.Printf("bare interpreter %-9s start and exit: median %7.1f ms  (%s)\n", f.name, pct(bare, 50), strings.Join(floors[f.name][1:], " "))
		for _, mode := range []string{"spare", "no spare"} {
			vars := map[string]string{}
			if mode == "no spare" {
				vars[noSpare[f.name]] = "1"
			}
			var total, inits []float64
			for i := 0; i < *cold; i++ {
				if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(f.name),
					Description: aws.String("cold " + strconv.Itoa(i)), Environment: &types.Environment{Variables: vars}}); err != nil {
					log.Fatal(err)
				}
				time.Sleep(time.Second)
				t0 := time.Now()
				out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(f.name), Payload: payload, LogType: types.LogTypeTail})
				if err != nil || out.FunctionError != nil {
					log.Fatalf("cold invoke %s: %v %s", f.name, err, out.Payload)
				}
				total = append(total, ms(time.Since(t0)))
				tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
				if m := initRE.FindSubmatch(tail); m != nil {
					v, _ := strconv.ParseFloat(string(m[1]), 64)
					inits = append(inits, v)
				}
			}
			fmt.Printf("cold start %-10s %-8s to first result: median %7.1f ms  min %7.1f ms  max %7.1f ms  (Init Duration median %.1f ms)\n",
				f.name, mode, pct(total, 50), pct(total, 0), pct(total, 100), pct(inits, 50))
		}
	}

	if !run("burst") {
		return
	}
	// 50 concurrent invokes of a 100 ms handler: once cold (50 environments
	// start), once warm; each handler reports its pid.
	create(ctx, c, "bench-sleep", types.RuntimePython312, "app.handler",
		zipOf("app.py", "import os, time\ndef handler(event, context):\n    time.sleep(0.1)\n    return os.getpid()\n", 0o644), 30)
	for _, round := range []string{"cold", "warm"} {
		var wg sync.WaitGroup
		var mu sync.Mutex
		pids := map[string]bool{}
		errs := 0
		kinds := map[string]int{}
		t0 := time.Now()
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := invoke(ctx, c, "bench-sleep", []byte(`{}`))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs++
					msg := err.Error()
					if len(msg) > 160 {
						msg = msg[:160]
					}
					kinds[msg]++
					return
				}
				pids[string(out)] = true
			}()
		}
		wg.Wait()
		fmt.Printf("50 concurrent 100 ms invokes (%s): %7.1f ms wall, %d errors, %d environments\n", round, ms(time.Since(t0)), errs, len(pids))
		for k, v := range kinds {
			fmt.Printf("  %d × %s\n", v, k)
		}
	}
	// With reserved concurrency 10, the same burst: 10 run, 40 are throttled.
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("bench-sleep"),
		ReservedConcurrentExecutions: aws.Int32(10)}); err != nil {
		log.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, throttled := 0, 0
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := invoke(ctx, c, "bench-sleep", []byte(`{}`))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				throttled++
			} else {
				ok++
			}
		}()
	}
	wg.Wait()
	fmt.Printf("50 concurrent with reserved concurrency 10: %d answered, %d throttled (TooManyRequestsException)\n", ok, throttled)
}

// firstInvokes times what a new user sees: n times, a fogbank just started
// (ephemeral), a Python function created and invoked at once, then a Node
// one; and a fogbank restarted over a data directory holding both, each
// invoked as soon as it answers its health check. Beside them, in the same
// run, the bare interpreters' start and exit.
func firstInvokes(bin string, n int) {
	py, node := zipOf("app.py", "def handler(event, context):\n    return event\n", 0o644), zipOf("index.js", "exports.handler = async (event) => event;\n", 0o644)
	var afterCreate, afterRestart [2][]float64
	var bare [2][]float64
	data, err := os.MkdirTemp("", "fogbank-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(data)
	pyExe := pythonExe()
	for i := 0; i < n; i++ {
		for j, argv := range [][]string{{pyExe, "-s", "-S", "-c", "pass"}, {"node", "-e", "0"}} {
			t0 := time.Now()
			if err := exec.Command(argv[0], argv[1:]...).Run(); err != nil {
				log.Fatal(err)
			}
			bare[j] = append(bare[j], ms(time.Since(t0)))
		}
		stop, c := startFogbank(bin, "--ephemeral")
		ctx := context.Background()
		for j, fn := range []struct {
			rt   types.Runtime
			h    string
			code []byte
		}{{types.RuntimePython312, "app.handler", py}, {types.RuntimeNodejs20x, "index.handler", node}} {
			create(ctx, c, "first", fn.rt, fn.h, fn.code, 30)
			t0 := time.Now()
			if _, err := invoke(ctx, c, "first", payload); err != nil {
				log.Fatal(err)
			}
			afterCreate[j] = append(afterCreate[j], ms(time.Since(t0)))
		}
		stop()
		// Restarted with the functions stored: the first invoke of each.
		os.RemoveAll(data)
		stop, c = startFogbank(bin, "--data-dir", data)
		create(ctx, c, "first-py", types.RuntimePython312, "app.handler", py, 30)
		create(ctx, c, "first-node", types.RuntimeNodejs20x, "index.handler", node, 30)
		stop()
		stop, c = startFogbank(bin, "--data-dir", data)
		for j, name := range []string{"first-py", "first-node"} {
			t0 := time.Now()
			if _, err := invoke(ctx, c, name, payload); err != nil {
				log.Fatal(err)
			}
			afterRestart[j] = append(afterRestart[j], ms(time.Since(t0)))
		}
		stop()
	}
	for j, rt := range []string{"python3.12", "nodejs20.x"} {
		fmt.Printf("first invoke %-10s right after create-function, fogbank just started: median %7.1f ms  min %7.1f  max %7.1f\n",
			rt, pct(afterCreate[j], 50), pct(afterCreate[j], 0), pct(afterCreate[j], 100))
		fmt.Printf("first invoke %-10s right after fogbank restarts with it stored:      median %7.1f ms  min %7.1f  max %7.1f\n",
			rt, pct(afterRestart[j], 50), pct(afterRestart[j], 0), pct(afterRestart[j], 100))
		fmt.Printf("bare %-10s start and exit (same run):                                median %7.1f ms\n", rt, pct(bare[j], 50))
	}
}

// startFogbank starts bin serve with args on a free port and waits for its
// health check; stop ends it (SIGTERM, then waits).
func startFogbank(bin string, args ...string) (stop func(), c *lambda.Client) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--log-level", "warn"}, args...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/_fogbank/health")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 400 {
			log.Fatal("fogbank did not start: ", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c = lambda.New(lambda.Options{
		BaseEndpoint: aws.String("http://" + addr), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:     aws.NopRetryer{},
	})
	return func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}, c
}

// pythonExe is the interpreter python3 names (pyenv's shim is a script).
func pythonExe() string {
	py, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		log.Fatal(err)
	}
	return strings.TrimSpace(string(py))
}

type result struct{ p50, p99 float64 }

func measure(n int, f func() error) result {
	for i := 0; i < n/10; i++ { // warm-up
		if err := f(); err != nil {
			log.Fatal(err)
		}
	}
	d := make([]float64, n)
	for i := range d {
		t0 := time.Now()
		if err := f(); err != nil {
			log.Fatal(err)
		}
		d[i] = ms(time.Since(t0))
	}
	return result{pct(d, 50), pct(d, 99)}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(v []float64, p int) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := (len(s) - 1) * p / 100
	return s[i]
}

func invoke(ctx context.Context, c *lambda.Client, name string, p []byte) ([]byte, error) {
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: p})
	if err != nil {
		return nil, err
	}
	if out.FunctionError != nil {
		return nil, fmt.Errorf("%s: %s", aws.ToString(out.FunctionError), out.Payload)
	}
	return out.Payload, nil
}

func create(ctx context.Context, c *lambda.Client, name string, rt types.Runtime, handler string, code []byte, timeout int32) {
	c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: rt,
		Role: aws.String(role), Handler: aws.String(handler), Code: &types.FunctionCode{ZipFile: code},
		Timeout: aws.Int32(timeout)}); err != nil {
		log.Fatalf("CreateFunction %s: %v", name, err)
	}
}

func zipOf(name, body string, mode os.FileMode) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(mode)
	w, _ := zw.CreateHeader(h)
	w.Write([]byte(body))
	zw.Close()
	return buf.Bytes()
}
