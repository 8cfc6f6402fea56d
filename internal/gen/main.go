package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// services maps a botocore model directory to the package written under internal/api.
// Adding a service is one line here and `go generate ./internal/api`.
// overlay names a model in internal/gen/models whose query/XML traits are laid over
// the current one (see overlay.go).
var services = []struct{ model, pkg, overlay string }{
	{"s3", "s3", ""},
	{"sts", "sts", ""},
	{"iam", "iam", ""},
	{"dynamodb", "dynamodb", ""},
	{"dynamodbstreams", "dynamodbstreams", ""},
	{"lambda", "lambda", ""},
	{"logs", "logs", ""},
	{"kinesis", "kinesis", ""},
	{"sqs", "sqs", "sqs-query-2012-11-05.json"},
	{"sns", "sns", ""},
	{"glue", "glue", ""},
	{"athena", "athena", ""},
	{"redshift-data", "redshiftdata", ""},
	{"cloudwatch", "cloudwatch", ""},
	{"events", "events", ""},
	{"ce", "ce", ""},
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	models := flag.String("models", "", "model directory in botocore's layout (default: the pinned copies in internal/gen/models/botocore)")
	update := flag.String("update", "", "first replace the pinned models with the newest of this botocore data directory (\"python3\": the one of python3's botocore)")
	out := flag.String("out", ".", "the internal/api directory to write service packages into")
	vectors := flag.String("vectors", "", "also write the protocol test vectors package into this directory")
	protoTests := flag.String("protocol-tests", "", "directory holding input/ and output/ protocol test JSON (default: the vectors' testdata)")
	genDir := flag.String("gen", "../gen", "the internal/gen directory (for its models/)")
	only := flag.String("only", "", "comma-separated model names to generate (default all)")
	flag.Parse()

	pinned := filepath.Join(*genDir, "models", "botocore")
	if *update != "" {
		src := *update
		if src == "python3" {
			dir, err := botocoreData()
			if err != nil {
				log.Fatalf("finding botocore: %v", err)
			}
			src = dir
		}
		if err := updatePinned(src, pinned); err != nil {
			log.Fatal(err)
		}
	}
	if *models == "" {
		if err := checkPinned(pinned); err != nil {
			log.Fatal(err)
		}
		*models = pinned
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s != "" {
			want[s] = true
		}
	}
	for _, svc := range services {
		if len(want) > 0 && !want[svc.model] {
			continue
		}
		m, err := loadModel(*models, svc.model)
		if err != nil {
			log.Fatal(err)
		}
		if svc.overlay != "" {
			if err := applyOverlay(m, filepath.Join(*genDir, "models", svc.overlay)); err != nil {
				log.Fatalf("%s: %v", svc.model, err)
			}
		}
		files, err := generate(m, svc.pkg)
		if err != nil {
			log.Fatalf("%s: %v", svc.model, err)
		}
		dir := filepath.Join(*out, svc.pkg)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			log.Fatal(err)
		}
		for name, src := range files {
			if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
				log.Fatal(err)
			}
		}
	}
	if *vectors != "" {
		src := *protoTests
		if src == "" {
			src = filepath.Join(*vectors, "testdata")
		}
		if err := writeVectors(src, *vectors); err != nil {
			log.Fatalf("vectors: %v", err)
		}
	}
}

// botocoreData asks python3 where botocore is installed.
func botocoreData() (string, error) {
	out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", err
	}
	return filepath.Join(strings.TrimSpace(string(out)), "data"), nil
}

// loadModel reads the newest version of a service's model (the pinned copies
// hold one version each).
func loadModel(dataDir, svc string) (*Model, error) {
	entries, err := os.ReadDir(filepath.Join(dataDir, svc))
	if err != nil {
		return nil, err
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("%s: no model versions in %s", svc, dataDir)
	}
	sort.Strings(versions)
	dir := filepath.Join(dataDir, svc, versions[len(versions)-1])
	var r io.Reader
	f, err := os.Open(filepath.Join(dir, "service-2.json.gz"))
	if err == nil {
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		r = zr
	} else if f, err2 := os.Open(filepath.Join(dir, "service-2.json")); err2 == nil {
		defer f.Close()
		r = f
	} else {
		return nil, err
	}
	m := new(Model)
	if err := json.NewDecoder(r).Decode(m); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	for name, op := range m.Operations {
		if op.Name == "" {
			op.Name = name
		}
	}
	return m, nil
}
