package host

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
)

// reader is the small interface one test service needs of another (as Athena
// needs S3's objects).
type reader interface{ Object(key string) string }

// fake is a test service that records its lifecycle in a shared log.
type fake struct {
	name string
	env  *Env
	log  *[]string
	// found is what Start learned through Lookup.
	found string
}

func (f *fake) Object(key string) string { return f.name + ":" + key }

func (f *fake) Start(ctx context.Context) error {
	*f.log = append(*f.log, "start "+f.name+" "+f.env.URL())
	if f.name == "athena" {
		// athena sorts before s3 and is created first; s3 exists by Start.
		r, err := Lookup[reader](f.env, "s3")
		if err != nil {
			return err
		}
		f.found = r.Object("k")
		if _, err := Lookup[io.Reader](f.env, "s3"); err == nil {
			*f.log = append(*f.log, "s3 is an io.Reader?")
		}
		return f.env.Handle("/hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello from "+f.name)
		}))
	}
	return nil
}

func (f *fake) Stop(ctx context.Context) error {
	*f.log = append(*f.log, "stop "+f.name)
	return nil
}

func (f *fake) Close() error {
	*f.log = append(*f.log, "close "+f.name)
	return nil
}

func TestLifecycle(t *testing.T) {
	var log []string
	reg := func(name string) Registration {
		return Registration{Service: &api.Service{Name: name}, Impl: Impl{New: func(env *Env) (any, error) {
			log = append(log, "create "+name)
			return &fake{name: name, env: env, log: &log}, nil
		}}}
	}
	h, err := NewHost(Env{}, []Registration{reg("athena"), reg("s3")})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background(), "http://127.0.0.1:1", nil); err != nil {
		t.Fatal(err)
	}
	if got := h.Impl("athena").(*fake).found; got != "s3:k" {
		t.Errorf("athena found %q through Lookup, want s3:k", got)
	}
	w := httptest.NewRecorder()
	if !h.ServeRoute(w, httptest.NewRequest("GET", "/_fogbank/athena/hello", nil)) || w.Body.String() != "hello from athena" {
		t.Errorf("route: %q", w.Body.String())
	}
	if h.ServeRoute(httptest.NewRecorder(), httptest.NewRequest("GET", "/_fogbank/s3/hello", nil)) {
		t.Errorf("a route nobody registered was served")
	}
	if h.ServeRoute(httptest.NewRecorder(), httptest.NewRequest("GET", "/athena/hello", nil)) {
		t.Errorf("a path outside %s was served", RoutePrefix)
	}
	if err := h.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// athena's Start looks s3 up, which creates and starts it there and then.
	want := "create athena|start athena http://127.0.0.1:1|create s3|start s3 http://127.0.0.1:1|stop athena|stop s3|close s3|close athena"
	if got := strings.Join(log, "|"); got != want {
		t.Errorf("lifecycle:\n got %s\nwant %s", got, want)
	}
}

// A service that fails to start stops those started before it, in reverse.
func TestStartFailureStopsStarted(t *testing.T) {
	var log []string
	mk := func(name string) Registration {
		return Registration{Service: &api.Service{Name: name}, Impl: Impl{New: func(env *Env) (any, error) {
			return &fake{name: name, env: env, log: &log}, nil
		}}}
	}
	h, err := NewHost(Env{}, []Registration{mk("a"), mk("athena")}) // athena looks up s3, which is missing
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background(), "u", nil); err == nil || !strings.Contains(err.Error(), `no service "s3"`) {
		t.Fatalf("Start = %v, want athena's failed lookup", err)
	}
	want := "start a u|start athena u|stop a|close athena|close a"
	if got := strings.Join(log, "|"); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestListenClosedAtStop(t *testing.T) {
	var ln net.Listener
	h, err := NewHost(Env{}, []Registration{{Service: &api.Service{Name: "lambda"}, Impl: Impl{New: func(env *Env) (any, error) {
		var err error
		ln, err = env.Listen("127.0.0.1:0")
		return struct{}{}, err
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background(), "u", nil); err != nil {
		t.Fatal(err)
	}
	h.Stop(context.Background())
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Stop = %v, want net.ErrClosed", err)
	}
}

// A service nobody needs is never created; the first request, Lookup or
// route of its own creates and starts it, once, however many ask at once.
func TestCreatedOnFirstUse(t *testing.T) {
	var mu sync.Mutex
	var log []string
	add := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
	reg := func(name string) Registration {
		return Registration{Service: &api.Service{Name: name}, Impl: Impl{New: func(env *Env) (any, error) {
			add("create " + name)
			return &slowStart{name: name, env: env, add: add}, nil
		}}}
	}
	h, _ := NewHost(Env{}, []Registration{reg("athena"), reg("glue"), reg("s3")})
	if err := h.Start(context.Background(), "u", func(name string) bool { return name == "glue" }); err != nil {
		t.Fatal(err)
	}
	if h.Impl("s3") != nil || h.Impl("athena") != nil {
		t.Fatalf("services created before first use: %v", log)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			impl, err := h.Get("athena")
			if err != nil || !impl.(*slowStart).done {
				t.Errorf("Get(athena) = %v, %v: not started", impl, err)
			}
		}()
	}
	wg.Wait()
	w := httptest.NewRecorder()
	if !h.ServeRoute(w, httptest.NewRequest("GET", "/_fogbank/s3/ping", nil)) || w.Body.String() != "s3" {
		t.Errorf("the route of a service not yet started was not served: %q", w.Body.String())
	}
	if _, err := h.Get("nope"); err == nil {
		t.Errorf("Get of an unregistered service succeeded")
	}
	h.Stop(context.Background())
	if _, err := h.Get("sqs"); err == nil {
		t.Errorf("a service was created after Stop")
	}
	// athena's Start finished after s3's, which it started: athena stops first.
	want := "create glue|start glue|create athena|start athena|create s3|start s3|stop athena|stop s3|stop glue"
	if got := strings.Join(log, "|"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// slowStart takes a while to start, so that concurrent Gets overlap it, and
// looks athena up from s3's Start and s3 from athena's (a cycle must not hang).
type slowStart struct {
	name string
	env  *Env
	add  func(string)
	done bool
}

func (s *slowStart) Start(ctx context.Context) error {
	s.add("start " + s.name)
	time.Sleep(20 * time.Millisecond)
	switch s.name {
	case "athena":
		if _, err := Lookup[*slowStart](s.env, "s3"); err != nil {
			return err
		}
	case "s3":
		if _, err := Lookup[*slowStart](s.env, "athena"); err != nil {
			return err
		}
		s.env.Handle("/ping", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "s3") }))
	}
	s.done = true
	return nil
}

func (s *slowStart) Stop(ctx context.Context) error { s.add("stop " + s.name); return nil }
