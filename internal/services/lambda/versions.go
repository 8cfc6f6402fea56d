package lambda

import (
	"context"
	"github.com/fogbank/fogbank/internal/lazy"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/store"
)

// Versions and aliases. A published version is a frozen copy of $LATEST's
// record (bucket "lambda"/"versions", key account/region/name/N) and of its
// code ("lambda"/"code", same key); PublishVersion of an unchanged $LATEST
// answers the last version, as AWS does. An alias (bucket "lambda"/"aliases",
// key account/region/name/alias) names a version and optionally a second one
// with a weight: each invocation through it picks one, and X-Amz-Executed-Version
// says which.

var (
	versionBucket = "versions"
	aliasBucket   = "aliases"
)

// alias is one alias's stored record.
type alias struct {
	Name        string
	Version     string
	Description string
	Weights     map[string]float64 `json:",omitempty"`
	RevisionID  string
}

var (
	versionRE = lazy.Regexp{Expr: `^[0-9]+$`}
	aliasRE   = lazy.Regexp{Expr: `^[a-zA-Z0-9-_]+$`}
)

func versionKey(account, region, name, version string) []byte {
	return []byte(account + "/" + region + "/" + name + "/" + version)
}

// resolveQualified reads the record a qualifier names: $LATEST (""), a
// version, or an alias (routed by its weights when route is set, else its
// primary version). It answers the record and the version that runs.
func (s *Service) resolveQualified(tx *store.Tx, account, region, name, qual string, route bool) (*function, error) {
	b := tx.Bucket(rootBucket, fnBucket)
	k := key(account, region, name)
	if b == nil || b.Get(k) == nil {
		return nil, notFound(account, region, name)
	}
	base := new(function)
	if err := b.GetJSON(k, base); err != nil {
		return nil, err
	}
	if qual == "" || qual == "$LATEST" {
		return base, nil
	}
	version := qual
	if !versionRE.Get().MatchString(qual) {
		a, err := getAlias(tx, account, region, name, qual)
		if err != nil {
			return nil, err
		}
		version = a.Version
		if route {
			for v, w := range a.Weights {
				if rand.Float64() < w {
					version = v
				}
			}
		}
		if version == "$LATEST" {
			return base, nil
		}
	}
	vb := tx.Bucket(rootBucket, versionBucket)
	vk := versionKey(account, region, name, version)
	if vb == nil || vb.Get(vk) == nil {
		return nil, &lambdaapi.ResourceNotFoundException{Type: api.String("User"),
			Message: api.String("Function not found: " + base.arn() + ":" + qual)}
	}
	v := new(function)
	if err := vb.GetJSON(vk, v); err != nil {
		return nil, err
	}
	v.Reserved = base.Reserved // concurrency is the function's, all versions
	return v, nil
}

func getAlias(tx *store.Tx, account, region, name, aliasName string) (*alias, error) {
	ab := tx.Bucket(rootBucket, aliasBucket)
	ak := versionKey(account, region, name, aliasName)
	if ab == nil || ab.Get(ak) == nil {
		return nil, &lambdaapi.ResourceNotFoundException{Type: api.String("User"),
			Message: api.String("Cannot find alias arn: arn:aws:lambda:" + region + ":" + account + ":function:" + name + ":" + aliasName)}
	}
	a := new(alias)
	if err := ab.GetJSON(ak, a); err != nil {
		return nil, err
	}
	return a, nil
}

// loadQualified is resolveQualified in a read transaction.
func (s *Service) loadQualified(account, region, name, qual string, route bool) (*function, error) {
	var f *function
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		f, err = s.resolveQualified(tx, account, region, name, qual, route)
		return err
	})
	return f, err
}

// resolveName splits a FunctionName that may carry a qualifier and checks it
// against the Qualifier parameter.
func resolveName(ctx context.Context, fn, qualifier *string) (account, region, name, qual string, err error) {
	n, q, err := splitQualifier(api.ToString(fn))
	if err != nil {
		return "", "", "", "", err
	}
	if qualifier != nil {
		if q != "" && q != *qualifier {
			return "", "", "", "", invalid("The derived qualifier from the function name does not match the specified qualifier.")
		}
		q = *qualifier
	}
	c := api.CallerFrom(ctx)
	account, region, name, err = resolveFor(c.Account, c.Region, n)
	return account, region, name, q, err
}

// publish makes a version of $LATEST (or answers the last one when nothing
// changed since).
func (s *Service) publish(account, region, name, codeSha, desc, revision string) (*function, error) {
	var v *function
	err := s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, fnBucket)
		k := key(account, region, name)
		if b == nil || b.Get(k) == nil {
			return notFound(account, region, name)
		}
		base := new(function)
		if err := b.GetJSON(k, base); err != nil {
			return err
		}
		if revision != "" && revision != base.RevisionID {
			return &lambdaapi.PreconditionFailedException{Type: api.String("User"),
				Message: api.String("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")}
		}
		if codeSha != "" && codeSha != base.CodeSha256 {
			return invalid("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again.", codeSha, base.CodeSha256)
		}
		vb, err := tx.CreateBucket(rootBucket, versionBucket)
		if err != nil {
			return err
		}
		if base.LastVersion > 0 && base.PublishedRevision == base.RevisionID {
			v = new(function)
			return vb.GetJSON(versionKey(account, region, name, strconv.FormatInt(base.LastVersion, 10)), v)
		}
		n := strconv.FormatInt(base.LastVersion+1, 10)
		v = new(function)
		*v = *base
		v.Version, v.Reserved, v.LastVersion, v.PublishedRevision = n, nil, 0, ""
		if desc != "" {
			v.Description = desc
		}
		s.stamp(v)
		cb, err := tx.CreateBucket(rootBucket, codeBucket)
		if err != nil {
			return err
		}
		if code := cb.Get(k); code != nil {
			if err := cb.Put(versionKey(account, region, name, n), code); err != nil {
				return err
			}
		}
		if err := vb.PutJSON(versionKey(account, region, name, n), v); err != nil {
			return err
		}
		base.LastVersion, base.PublishedRevision = base.LastVersion+1, base.RevisionID
		return b.PutJSON(k, base)
	})
	return v, err
}

// PublishVersion publishes $LATEST as a new version.
func (s *Service) PublishVersion(ctx context.Context, in *lambdaapi.PublishVersionRequest) (*lambdaapi.FunctionConfiguration, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	v, err := s.publish(account, region, name, api.ToString(in.CodeSha256), api.ToString(in.Description), api.ToString(in.RevisionId))
	if err != nil {
		return nil, err
	}
	return v.config(), nil
}

// ListVersionsByFunction lists $LATEST and the published versions, in order.
func (s *Service) ListVersionsByFunction(ctx context.Context, in *lambdaapi.ListVersionsByFunctionRequest) (*lambdaapi.ListVersionsByFunctionResponse, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	var all []*function
	err = s.st.View(func(tx *store.Tx) error {
		base, err := s.resolveQualified(tx, account, region, name, "", false)
		if err != nil {
			return err
		}
		all = append(all, base)
		vb := tx.Bucket(rootBucket, versionBucket)
		if vb == nil {
			return nil
		}
		var vs []*function
		err = vb.ForEachPrefix(versionKey(account, region, name, ""), func(k, _ []byte) error {
			v := new(function)
			if err := vb.GetJSON(k, v); err != nil {
				return err
			}
			vs = append(vs, v)
			return nil
		})
		sort.Slice(vs, func(i, j int) bool { return num(vs[i].Version) < num(vs[j].Version) })
		all = append(all, vs...)
		return err
	})
	if err != nil {
		return nil, err
	}
	max := 50
	if in.MaxItems != nil && *in.MaxItems < 50 {
		max = int(*in.MaxItems)
	}
	out := &lambdaapi.ListVersionsByFunctionResponse{Versions: []*lambdaapi.FunctionConfiguration{}}
	started := in.Marker == nil
	for _, f := range all {
		ver := f.Version
		if ver == "" {
			ver = "$LATEST"
		}
		if !started {
			started = ver == *in.Marker
			continue
		}
		if len(out.Versions) == max {
			out.NextMarker = out.Versions[max-1].Version
			break
		}
		out.Versions = append(out.Versions, f.config())
	}
	return out, nil
}

func num(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// checkAlias validates an alias's version and routing against the stored
// versions.
func checkAlias(tx *store.Tx, account, region, name, version string, weights map[string]float64) error {
	exists := func(v string) bool {
		if v == "$LATEST" {
			return true
		}
		vb := tx.Bucket(rootBucket, versionBucket)
		return vb != nil && vb.Get(versionKey(account, region, name, v)) != nil
	}
	if !exists(version) {
		return &lambdaapi.ResourceNotFoundException{Type: api.String("User"),
			Message: api.String("Function not found: arn:aws:lambda:" + region + ":" + account + ":function:" + name + ":" + version)}
	}
	if len(weights) > 1 {
		return invalid("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	for v, w := range weights {
		if w < 0 || w > 1 {
			return validation("1 validation error detected: Value '{%s=%g}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]", v, w)
		}
		if version == "$LATEST" || v == "$LATEST" {
			return invalid("$LATEST is not supported for an alias pointing to more than 1 version")
		}
		if v == version {
			return invalid("Invalid function version %s. Function version %s is already included in routing configuration.", v, v)
		}
		if !exists(v) {
			return invalid("Function version %s does not exist", v)
		}
	}
	return nil
}

func (a *alias) config(f *function) *lambdaapi.AliasConfiguration {
	c := &lambdaapi.AliasConfiguration{
		AliasArn: api.String(f.arn() + ":" + a.Name), Name: api.String(a.Name),
		FunctionVersion: api.String(a.Version), Description: api.String(a.Description), RevisionId: api.String(a.RevisionID),
	}
	if len(a.Weights) > 0 {
		c.RoutingConfig = &lambdaapi.AliasRoutingConfiguration{AdditionalVersionWeights: a.Weights}
	}
	return c
}

// CreateAlias names a version.
func (s *Service) CreateAlias(ctx context.Context, in *lambdaapi.CreateAliasRequest) (*lambdaapi.AliasConfiguration, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	aname := api.ToString(in.Name)
	if !aliasRE.Get().MatchString(aname) || versionRE.Get().MatchString(aname) {
		return nil, validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)", aname)
	}
	a := &alias{Name: aname, Version: api.ToString(in.FunctionVersion), Description: api.ToString(in.Description), RevisionID: newRevision()}
	if in.RoutingConfig != nil && len(in.RoutingConfig.AdditionalVersionWeights) > 0 {
		a.Weights = in.RoutingConfig.AdditionalVersionWeights
	}
	var f *function
	err = s.st.Update(func(tx *store.Tx) error {
		var err error
		if f, err = s.resolveQualified(tx, account, region, name, "", false); err != nil {
			return err
		}
		if err := checkAlias(tx, account, region, name, a.Version, a.Weights); err != nil {
			return err
		}
		ab, err := tx.CreateBucket(rootBucket, aliasBucket)
		if err != nil {
			return err
		}
		ak := versionKey(account, region, name, aname)
		if ab.Get(ak) != nil {
			return &lambdaapi.ResourceConflictException{Type: api.String("User"),
				Message: api.String("Alias already exists: " + f.arn() + ":" + aname)}
		}
		return ab.PutJSON(ak, a)
	})
	if err != nil {
		return nil, err
	}
	return a.config(f), nil
}

// GetAlias answers an alias.
func (s *Service) GetAlias(ctx context.Context, in *lambdaapi.GetAliasRequest) (*lambdaapi.AliasConfiguration, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	var a *alias
	var f *function
	err = s.st.View(func(tx *store.Tx) error {
		var err error
		if f, err = s.resolveQualified(tx, account, region, name, "", false); err != nil {
			return err
		}
		a, err = getAlias(tx, account, region, name, api.ToString(in.Name))
		return err
	})
	if err != nil {
		return nil, err
	}
	return a.config(f), nil
}

// UpdateAlias changes an alias's version, description or routing.
func (s *Service) UpdateAlias(ctx context.Context, in *lambdaapi.UpdateAliasRequest) (*lambdaapi.AliasConfiguration, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	var a *alias
	var f *function
	err = s.st.Update(func(tx *store.Tx) error {
		var err error
		if f, err = s.resolveQualified(tx, account, region, name, "", false); err != nil {
			return err
		}
		if a, err = getAlias(tx, account, region, name, api.ToString(in.Name)); err != nil {
			return err
		}
		if in.RevisionId != nil && *in.RevisionId != a.RevisionID {
			return &lambdaapi.PreconditionFailedException{Type: api.String("User"),
				Message: api.String("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")}
		}
		if in.FunctionVersion != nil {
			a.Version = *in.FunctionVersion
		}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			a.Weights = in.RoutingConfig.AdditionalVersionWeights
			if len(a.Weights) == 0 {
				a.Weights = nil
			}
		}
		if err := checkAlias(tx, account, region, name, a.Version, a.Weights); err != nil {
			return err
		}
		a.RevisionID = newRevision()
		return tx.Bucket(rootBucket, aliasBucket).PutJSON(versionKey(account, region, name, a.Name), a)
	})
	if err != nil {
		return nil, err
	}
	return a.config(f), nil
}

// DeleteAlias deletes an alias.
func (s *Service) DeleteAlias(ctx context.Context, in *lambdaapi.DeleteAliasRequest) (*lambdaapi.DeleteAliasOutput, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx *store.Tx) error {
		if _, err := s.resolveQualified(tx, account, region, name, "", false); err != nil {
			return err
		}
		if ab := tx.Bucket(rootBucket, aliasBucket); ab != nil {
			return ab.Delete(versionKey(account, region, name, api.ToString(in.Name)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.DeleteAliasOutput{}, nil
}

// ListAliases lists a function's aliases by name.
func (s *Service) ListAliases(ctx context.Context, in *lambdaapi.ListAliasesRequest) (*lambdaapi.ListAliasesResponse, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	var f *function
	var as []*alias
	err = s.st.View(func(tx *store.Tx) error {
		var err error
		if f, err = s.resolveQualified(tx, account, region, name, "", false); err != nil {
			return err
		}
		ab := tx.Bucket(rootBucket, aliasBucket)
		if ab == nil {
			return nil
		}
		return ab.ForEachPrefix(versionKey(account, region, name, ""), func(k, _ []byte) error {
			a := new(alias)
			if err := ab.GetJSON(k, a); err != nil {
				return err
			}
			if in.FunctionVersion == nil || *in.FunctionVersion == a.Version {
				as = append(as, a)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(as, func(i, j int) bool { return as[i].Name < as[j].Name })
	max := 50
	if in.MaxItems != nil && *in.MaxItems < 50 {
		max = int(*in.MaxItems)
	}
	out := &lambdaapi.ListAliasesResponse{Aliases: []*lambdaapi.AliasConfiguration{}}
	for _, a := range as {
		if in.Marker != nil && a.Name <= *in.Marker {
			continue
		}
		if len(out.Aliases) == max {
			out.NextMarker = out.Aliases[max-1].Name
			break
		}
		out.Aliases = append(out.Aliases, a.config(f))
	}
	return out, nil
}

// deleteVersion deletes one published version, unless an alias names it.
func (s *Service) deleteVersion(account, region, name, version string) error {
	if version == "$LATEST" {
		return invalid("$LATEST version cannot be deleted without deleting the function.")
	}
	return s.st.Update(func(tx *store.Tx) error {
		if _, err := s.resolveQualified(tx, account, region, name, "", false); err != nil {
			return err
		}
		if !versionRE.Get().MatchString(version) {
			return invalid("Deletion of aliases is not supported by DeleteFunction: use DeleteAlias.")
		}
		if ab := tx.Bucket(rootBucket, aliasBucket); ab != nil {
			var users []string
			ab.ForEachPrefix(versionKey(account, region, name, ""), func(k, _ []byte) error {
				a := new(alias)
				if ab.GetJSON(k, a) == nil && (a.Version == version || a.Weights[version] > 0) {
					users = append(users, a.Name)
				}
				return nil
			})
			if len(users) > 0 {
				return &lambdaapi.ResourceConflictException{Type: api.String("User"),
					Message: api.String("Unable to delete version because the following aliases reference it: [" + strings.Join(users, ", ") + "]")}
			}
		}
		vk := versionKey(account, region, name, version)
		if vb := tx.Bucket(rootBucket, versionBucket); vb != nil {
			if err := vb.Delete(vk); err != nil {
				return err
			}
		}
		if cb := tx.Bucket(rootBucket, codeBucket); cb != nil {
			return cb.Delete(vk)
		}
		return nil
	})
}

// deleteAllVersions drops a deleted function's versions, aliases and their
// code; tx is DeleteFunction's.
func deleteAllVersions(tx *store.Tx, account, region, name string) error {
	prefix := versionKey(account, region, name, "")
	for _, bn := range []string{versionBucket, aliasBucket, codeBucket} {
		b := tx.Bucket(rootBucket, bn)
		if b == nil {
			continue
		}
		var keys [][]byte
		if err := b.ForEachPrefix(prefix, func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}
