package lambda

import (
	"context"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"sort"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/store"
)

// Layers: PublishLayerVersion keeps a zip (bucket "lambda"/"layercode") and
// its record ("lambda"/"layers", key account/region/name/version, the version
// zero-padded so keys sort by it); a version number is never reused, even
// after a delete ("lambda"/"layerseq"). A function lists up to 5 layer
// version ARNs; its environments unpack them in order into their own opt/
// directory (a later layer's file replaces an earlier one's), which takes
// /opt's place: opt/python and opt/python/lib/pythonX.Y/site-packages are on
// PYTHONPATH, opt/nodejs/node_modules (and opt/nodejs/nodeNN/node_modules) on
// NODE_PATH, opt/bin on PATH, opt/lib on LD_LIBRARY_PATH, and a provided
// runtime without a bootstrap of its own runs opt/bootstrap. Code that names
// /opt by its absolute path does not find it: there is no /opt to write to.

var (
	layerBucket     = "layers"
	layerCodeBucket = "layercode"
	layerSeqBucket  = "layerseq"
)

// maxLayers is how many layers a function may use.
const maxLayers = 5

// layer is one layer version's stored record.
type layer struct {
	Account, Region, Name   string
	Version                 int64
	Description             string
	LicenseInfo             string `json:",omitempty"`
	CompatibleRuntimes      []string
	CompatibleArchitectures []string
	CodeSha256              string
	CodeSize                int64
	Created                 string
}

func (l *layer) arn() string {
	return "arn:aws:lambda:" + l.Region + ":" + l.Account + ":layer:" + l.Name
}

func (l *layer) versionARN() string { return l.arn() + ":" + strconv.FormatInt(l.Version, 10) }

func layerKey(account, region, name string, version int64) []byte {
	return []byte(fmt.Sprintf("%s/%s/%s/%010d", account, region, name, version))
}

var (
	layerNameRE = lazy.Regexp{Expr: `^(arn:[a-zA-Z0-9-]+:lambda:([a-z]{2}(-gov)?-[a-z]+-\d{1}):(\d{12}):layer:)?([a-zA-Z0-9-_]+)$`}
	layerARNRE  = lazy.Regexp{Expr: `^arn:[a-zA-Z0-9-]+:lambda:([a-z]{2}(-gov)?-[a-z]+-\d{1}):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$`}
)

// layerName resolves a LayerName (a name or a layer ARN).
func layerName(ctx context.Context, s *string) (account, region, name string, err error) {
	c := api.CallerFrom(ctx)
	m := layerNameRE.Get().FindStringSubmatch(api.ToString(s))
	if m == nil {
		return "", "", "", validation("1 validation error detected: Value '%s' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+", api.ToString(s))
	}
	account, region, name = c.Account, c.Region, m[5]
	if m[4] != "" {
		account, region = m[4], m[2]
	}
	return account, region, name, nil
}

func (l *layer) content(s *Service) *lambdaapi.LayerVersionContentOutput {
	return &lambdaapi.LayerVersionContentOutput{CodeSha256: api.String(l.CodeSha256), CodeSize: api.Int64(l.CodeSize)}
}

func (l *layer) item() *lambdaapi.LayerVersionsListItem {
	return &lambdaapi.LayerVersionsListItem{LayerVersionArn: api.String(l.versionARN()), Version: api.Int64(l.Version),
		Description: api.String(l.Description), CreatedDate: api.String(l.Created), CompatibleRuntimes: l.CompatibleRuntimes,
		LicenseInfo: optString(l.LicenseInfo), CompatibleArchitectures: l.CompatibleArchitectures}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return api.String(s)
}

// PublishLayerVersion stores a new version of a layer.
func (s *Service) PublishLayerVersion(ctx context.Context, in *lambdaapi.PublishLayerVersionRequest) (*lambdaapi.PublishLayerVersionResponse, error) {
	account, region, name, err := layerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	if in.Content == nil {
		return nil, invalid("Please provide a source for layer content.")
	}
	if api.ToString(in.Content.S3Bucket) == hotReloadBucket {
		return nil, invalid("fogbank does not take layers from a hot-reload folder; upload a zip.")
	}
	zipFile, _, err := s.codeFrom(ctx, in.Content.ZipFile, in.Content.S3Bucket, in.Content.S3Key, in.Content.S3ObjectVersion)
	if err != nil {
		return nil, err
	}
	l := &layer{Account: account, Region: region, Name: name, Description: api.ToString(in.Description),
		LicenseInfo: api.ToString(in.LicenseInfo), CompatibleRuntimes: in.CompatibleRuntimes,
		CompatibleArchitectures: in.CompatibleArchitectures, CodeSha256: codeHash(zipFile), CodeSize: int64(len(zipFile)),
		Created: s.now().UTC().Format("2006-01-02T15:04:05.000+0000")}
	err = s.st.Update(func(tx *store.Tx) error {
		seq, err := tx.CreateBucket(rootBucket, layerSeqBucket)
		if err != nil {
			return err
		}
		sk := []byte(account + "/" + region + "/" + name)
		var last int64
		if v := seq.Get(sk); v != nil {
			last, _ = strconv.ParseInt(string(v), 10, 64)
		}
		l.Version = last + 1
		if err := seq.Put(sk, []byte(strconv.FormatInt(l.Version, 10))); err != nil {
			return err
		}
		lb, err := tx.CreateBucket(rootBucket, layerBucket)
		if err != nil {
			return err
		}
		cb, err := tx.CreateBucket(rootBucket, layerCodeBucket)
		if err != nil {
			return err
		}
		k := layerKey(account, region, name, l.Version)
		if err := cb.Put(k, zipFile); err != nil {
			return err
		}
		return lb.PutJSON(k, l)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.PublishLayerVersionResponse{Content: l.content(s), LayerArn: api.String(l.arn()),
		LayerVersionArn: api.String(l.versionARN()), Description: api.String(l.Description), CreatedDate: api.String(l.Created),
		Version: api.Int64(l.Version), CompatibleRuntimes: l.CompatibleRuntimes, LicenseInfo: optString(l.LicenseInfo),
		CompatibleArchitectures: l.CompatibleArchitectures}, nil
}

func getLayer(tx *store.Tx, account, region, name string, version int64) (*layer, error) {
	lb := tx.Bucket(rootBucket, layerBucket)
	k := layerKey(account, region, name, version)
	if lb == nil || lb.Get(k) == nil {
		return nil, &lambdaapi.ResourceNotFoundException{Type: api.String("User"),
			Message: api.String("The resource you requested does not exist.")}
	}
	l := new(layer)
	return l, lb.GetJSON(k, l)
}

func (s *Service) layerVersion(account, region, name string, version int64) (*lambdaapi.GetLayerVersionResponse, error) {
	var l *layer
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		l, err = getLayer(tx, account, region, name, version)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.GetLayerVersionResponse{Content: l.content(s), LayerArn: api.String(l.arn()),
		LayerVersionArn: api.String(l.versionARN()), Description: api.String(l.Description), CreatedDate: api.String(l.Created),
		Version: api.Int64(l.Version), CompatibleRuntimes: l.CompatibleRuntimes, LicenseInfo: optString(l.LicenseInfo),
		CompatibleArchitectures: l.CompatibleArchitectures}, nil
}

// GetLayerVersion answers one layer version.
func (s *Service) GetLayerVersion(ctx context.Context, in *lambdaapi.GetLayerVersionRequest) (*lambdaapi.GetLayerVersionResponse, error) {
	account, region, name, err := layerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	return s.layerVersion(account, region, name, api.ToInt64(in.VersionNumber))
}

// GetLayerVersionByArn answers one layer version named by its ARN.
func (s *Service) GetLayerVersionByArn(ctx context.Context, in *lambdaapi.GetLayerVersionByArnRequest) (*lambdaapi.GetLayerVersionResponse, error) {
	m := layerARNRE.Get().FindStringSubmatch(api.ToString(in.Arn))
	if m == nil {
		return nil, validation("1 validation error detected: Value '%s' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)", api.ToString(in.Arn))
	}
	v, _ := strconv.ParseInt(m[5], 10, 64)
	return s.layerVersion(m[3], m[1], m[4], v)
}

// DeleteLayerVersion deletes a layer version. Functions that use it keep
// working, as on AWS: its zip stays while a function or version names it.
func (s *Service) DeleteLayerVersion(ctx context.Context, in *lambdaapi.DeleteLayerVersionRequest) (*lambdaapi.DeleteLayerVersionOutput, error) {
	account, region, name, err := layerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	k := layerKey(account, region, name, api.ToInt64(in.VersionNumber))
	err = s.st.Update(func(tx *store.Tx) error {
		if lb := tx.Bucket(rootBucket, layerBucket); lb != nil {
			if err := lb.Delete(k); err != nil {
				return err
			}
		}
		used := false
		for _, bn := range []string{fnBucket, versionBucket} {
			b := tx.Bucket(rootBucket, bn)
			if b == nil || used {
				continue
			}
			b.ForEachPrefix([]byte(account+"/"), func(fk, _ []byte) error {
				f := new(function)
				if b.GetJSON(fk, f) == nil {
					for _, l := range f.Layers {
						used = used || l.Key == string(k)
					}
				}
				return nil
			})
		}
		if cb := tx.Bucket(rootBucket, layerCodeBucket); cb != nil && !used {
			return cb.Delete(k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.DeleteLayerVersionOutput{}, nil
}

// layersOf lists the caller's layer versions, by name then version.
func (s *Service) layersOf(account, region, name string) ([]*layer, error) {
	var ls []*layer
	prefix := account + "/" + region + "/"
	if name != "" {
		prefix += name + "/"
	}
	err := s.st.View(func(tx *store.Tx) error {
		lb := tx.Bucket(rootBucket, layerBucket)
		if lb == nil {
			return nil
		}
		return lb.ForEachPrefix([]byte(prefix), func(k, _ []byte) error {
			l := new(layer)
			if err := lb.GetJSON(k, l); err != nil {
				return err
			}
			ls = append(ls, l)
			return nil
		})
	})
	return ls, err
}

func compatible(l *layer, rt, arch *string) bool {
	has := func(list []string, v *string) bool {
		if v == nil {
			return true
		}
		for _, x := range list {
			if x == *v {
				return true
			}
		}
		return false
	}
	return has(l.CompatibleRuntimes, rt) && has(l.CompatibleArchitectures, arch)
}

// ListLayerVersions lists a layer's versions, newest first.
func (s *Service) ListLayerVersions(ctx context.Context, in *lambdaapi.ListLayerVersionsRequest) (*lambdaapi.ListLayerVersionsResponse, error) {
	account, region, name, err := layerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	ls, err := s.layersOf(account, region, name)
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListLayerVersionsResponse{LayerVersions: []*lambdaapi.LayerVersionsListItem{}}
	for i := len(ls) - 1; i >= 0; i-- {
		if compatible(ls[i], in.CompatibleRuntime, in.CompatibleArchitecture) {
			out.LayerVersions = append(out.LayerVersions, ls[i].item())
		}
	}
	return out, nil
}

// ListLayers lists the caller's layers with their latest (matching) version.
func (s *Service) ListLayers(ctx context.Context, in *lambdaapi.ListLayersRequest) (*lambdaapi.ListLayersResponse, error) {
	c := api.CallerFrom(ctx)
	ls, err := s.layersOf(c.Account, c.Region, "")
	if err != nil {
		return nil, err
	}
	latest := map[string]*layer{}
	for _, l := range ls {
		if compatible(l, in.CompatibleRuntime, in.CompatibleArchitecture) {
			latest[l.Name] = l // ascending order: the last one wins
		}
	}
	names := make([]string, 0, len(latest))
	for n := range latest {
		names = append(names, n)
	}
	sort.Strings(names)
	out := &lambdaapi.ListLayersResponse{Layers: []*lambdaapi.LayersListItem{}}
	for _, n := range names {
		l := latest[n]
		out.Layers = append(out.Layers, &lambdaapi.LayersListItem{LayerName: api.String(n), LayerArn: api.String(l.arn()),
			LatestMatchingVersion: l.item()})
	}
	return out, nil
}

// checkLayers validates a function's layer ARNs and answers their sizes.
func (s *Service) checkLayers(arns []string) ([]fnLayer, error) {
	if len(arns) > maxLayers {
		return nil, invalid("Cannot reference more than %d layers.", maxLayers)
	}
	out := make([]fnLayer, 0, len(arns))
	err := s.st.View(func(tx *store.Tx) error {
		for _, a := range arns {
			m := layerARNRE.Get().FindStringSubmatch(a)
			if m == nil {
				return validation("1 validation error detected: Value '[%s]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+, Member must not be null]", strings.Join(arns, ", "))
			}
			v, _ := strconv.ParseInt(m[5], 10, 64)
			l, err := getLayer(tx, m[3], m[1], m[4], v)
			if err != nil {
				return invalid("Layer version %s does not exist.", a)
			}
			out = append(out, fnLayer{ARN: a, Key: string(layerKey(m[3], m[1], m[4], v)), CodeSize: l.CodeSize})
		}
		return nil
	})
	return out, err
}

// fnLayer is one layer of a function's record.
type fnLayer struct {
	ARN      string
	Key      string // in layercode
	CodeSize int64
}

// layerZips reads a function's layers' zips, in order.
func (s *Service) layerZips(f *function) ([][]byte, error) {
	var zips [][]byte
	err := s.st.View(func(tx *store.Tx) error {
		cb := tx.Bucket(rootBucket, layerCodeBucket)
		for _, l := range f.Layers {
			var v []byte
			if cb != nil {
				v = cb.Get([]byte(l.Key))
			}
			if v == nil {
				return fmt.Errorf("layer version %s no longer exists", l.ARN)
			}
			zips = append(zips, append([]byte(nil), v...))
		}
		return nil
	})
	return zips, err
}
