package athena

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	aapi "github.com/fogbank/fogbank/internal/api/athena"
	"github.com/fogbank/fogbank/internal/store"
)

// Data catalogs other than AwsDataCatalog (bucket athena/catalogs, key
// account/region/name) are recorded and listed, as Terraform and BI tools
// register them; queries name AwsDataCatalog only (a Lambda or Hive
// metastore catalog has nothing behind it here).
type dataCatalog struct {
	Name, Type, Description string
	Parameters              map[string]string
	Tags                    []*aapi.Tag
}

func (d *dataCatalog) api() *aapi.DataCatalog {
	out := &aapi.DataCatalog{Name: api.String(d.Name), Type: api.String(d.Type), Parameters: d.Parameters,
		Status: api.String("CREATE_COMPLETE")}
	if d.Description != "" {
		out.Description = api.String(d.Description)
	}
	return out
}

func (s *Service) getCatalog(ctx context.Context, name string) (*dataCatalog, error) {
	c := api.CallerFrom(ctx)
	var d *dataCatalog
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "catalogs")
		if b == nil {
			return nil
		}
		raw := b.Get(key(c.Account, c.Region, name))
		if raw == nil {
			return nil
		}
		d = new(dataCatalog)
		return json.Unmarshal(raw, d)
	})
	if err == nil && d == nil {
		err = invalid("Catalog %s is not found", name)
	}
	return d, err
}

func (s *Service) putCatalog(ctx context.Context, d *dataCatalog) error {
	c := api.CallerFrom(ctx)
	return s.st.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket(root, "catalogs")
		if err != nil {
			return err
		}
		return b.PutJSON(key(c.Account, c.Region, d.Name), d)
	})
}

func (s *Service) CreateDataCatalog(ctx context.Context, in *aapi.CreateDataCatalogInput) (*aapi.CreateDataCatalogOutput, error) {
	name := api.ToString(in.Name)
	if strings.EqualFold(name, "AwsDataCatalog") {
		return nil, invalid("Catalog %s already exists", name)
	}
	if _, err := s.getCatalog(ctx, name); err == nil {
		return nil, invalid("Catalog %s already exists", name)
	}
	d := &dataCatalog{Name: name, Type: api.ToString(in.Type), Description: api.ToString(in.Description), Parameters: in.Parameters, Tags: in.Tags}
	if err := s.putCatalog(ctx, d); err != nil {
		return nil, err
	}
	return &aapi.CreateDataCatalogOutput{DataCatalog: d.api()}, nil
}

func (s *Service) UpdateDataCatalog(ctx context.Context, in *aapi.UpdateDataCatalogInput) (*aapi.UpdateDataCatalogOutput, error) {
	if strings.EqualFold(api.ToString(in.Name), "AwsDataCatalog") {
		return nil, invalid("Catalog AwsDataCatalog cannot be updated")
	}
	d, err := s.getCatalog(ctx, api.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	d.Type, d.Description, d.Parameters = api.ToString(in.Type), api.ToString(in.Description), in.Parameters
	return &aapi.UpdateDataCatalogOutput{}, s.putCatalog(ctx, d)
}

func (s *Service) DeleteDataCatalog(ctx context.Context, in *aapi.DeleteDataCatalogInput) (*aapi.DeleteDataCatalogOutput, error) {
	name := api.ToString(in.Name)
	if strings.EqualFold(name, "AwsDataCatalog") {
		return nil, invalid("Catalog AwsDataCatalog cannot be deleted")
	}
	d, err := s.getCatalog(ctx, name)
	if err != nil {
		return nil, err
	}
	c := api.CallerFrom(ctx)
	err = s.st.Update(func(tx *store.Tx) error {
		return tx.Bucket(root, "catalogs").Delete(key(c.Account, c.Region, name))
	})
	if err != nil {
		return nil, err
	}
	out := d.api()
	out.Status = api.String("DELETE_COMPLETE")
	return &aapi.DeleteDataCatalogOutput{DataCatalog: out}, nil
}

// catalogs lists the recorded catalogs, by name.
func (s *Service) catalogs(ctx context.Context) ([]*dataCatalog, error) {
	c := api.CallerFrom(ctx)
	var all []*dataCatalog
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "catalogs")
		if b == nil {
			return nil
		}
		return b.ForEachPrefix(key(c.Account, c.Region, ""), func(k, v []byte) error {
			d := new(dataCatalog)
			if err := json.Unmarshal(v, d); err != nil {
				return err
			}
			all = append(all, d)
			return nil
		})
	})
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all, err
}

func (s *Service) UpdateNamedQuery(ctx context.Context, in *aapi.UpdateNamedQueryInput) (*aapi.UpdateNamedQueryOutput, error) {
	c := api.CallerFrom(ctx)
	id := api.ToString(in.NamedQueryId)
	n, err := s.getNamed(ctx, id)
	if err != nil {
		return nil, err
	}
	n.Name, n.Description, n.Query = api.ToString(in.Name), api.ToString(in.Description), api.ToString(in.QueryString)
	return &aapi.UpdateNamedQueryOutput{}, s.st.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket(root, "named")
		if err != nil {
			return err
		}
		return b.PutJSON(key(c.Account, c.Region, id), n)
	})
}

func (s *Service) BatchGetPreparedStatement(ctx context.Context, in *aapi.BatchGetPreparedStatementInput) (*aapi.BatchGetPreparedStatementOutput, error) {
	wg := api.ToString(in.WorkGroup)
	if _, err := s.getWorkGroup(ctx, wg); err != nil {
		return nil, err
	}
	out := &aapi.BatchGetPreparedStatementOutput{PreparedStatements: []*aapi.PreparedStatement{},
		UnprocessedPreparedStatementNames: []*aapi.UnprocessedPreparedStatementName{}}
	for _, name := range in.PreparedStatementNames {
		g, err := s.GetPreparedStatement(ctx, &aapi.GetPreparedStatementInput{StatementName: api.String(name), WorkGroup: api.String(wg)})
		if err != nil {
			out.UnprocessedPreparedStatementNames = append(out.UnprocessedPreparedStatementNames, &aapi.UnprocessedPreparedStatementName{
				StatementName: api.String(name), ErrorCode: api.String("STATEMENT_NOT_FOUND"),
				ErrorMessage: api.String("Prepared statement " + name + " was not found in WorkGroup " + wg)})
			continue
		}
		out.PreparedStatements = append(out.PreparedStatements, g.PreparedStatement)
	}
	return out, nil
}

func (s *Service) ListEngineVersions(ctx context.Context, in *aapi.ListEngineVersionsInput) (*aapi.ListEngineVersionsOutput, error) {
	return &aapi.ListEngineVersionsOutput{EngineVersions: []*aapi.EngineVersion{
		{SelectedEngineVersion: api.String("AUTO"), EffectiveEngineVersion: api.String(engineVersion)},
		{SelectedEngineVersion: api.String(engineVersion), EffectiveEngineVersion: api.String(engineVersion)},
	}}, nil
}

// Tags live on the work group or data catalog their ARN names:
// arn:aws:athena:<region>:<account>:workgroup/<name> or .../datacatalog/<name>.
func (s *Service) taggable(ctx context.Context, arn string) (kind, name string, err error) {
	c := api.CallerFrom(ctx)
	rest, ok := strings.CutPrefix(arn, "arn:aws:athena:"+c.Region+":"+c.Account+":")
	if ok {
		kind, name, ok = strings.Cut(rest, "/")
	}
	switch {
	case ok && kind == "workgroup":
		_, err = s.getWorkGroup(ctx, name)
	case ok && kind == "datacatalog" && !strings.EqualFold(name, "AwsDataCatalog"):
		_, err = s.getCatalog(ctx, name)
	default:
		err = &aapi.ResourceNotFoundException{Message: api.String("The resource " + arn + " was not found"), ResourceName: api.String(arn)}
	}
	if err != nil {
		var ire *aapi.InvalidRequestException
		if errors.As(err, &ire) {
			err = &aapi.ResourceNotFoundException{Message: api.String("The resource " + arn + " was not found"), ResourceName: api.String(arn)}
		}
	}
	return kind, name, err
}

// editTags changes the tags of a work group or data catalog.
func (s *Service) editTags(ctx context.Context, arn string, edit func([]*aapi.Tag) []*aapi.Tag) ([]*aapi.Tag, error) {
	kind, name, err := s.taggable(ctx, arn)
	if err != nil {
		return nil, err
	}
	if kind == "workgroup" {
		w, err := s.getWorkGroup(ctx, name)
		if err != nil {
			return nil, err
		}
		if edit == nil {
			return w.Tags, nil
		}
		w.Tags = edit(w.Tags)
		return w.Tags, s.putWorkGroup(ctx, w, false)
	}
	d, err := s.getCatalog(ctx, name)
	if err != nil {
		return nil, err
	}
	if edit == nil {
		return d.Tags, nil
	}
	d.Tags = edit(d.Tags)
	return d.Tags, s.putCatalog(ctx, d)
}

func (s *Service) TagResource(ctx context.Context, in *aapi.TagResourceInput) (*aapi.TagResourceOutput, error) {
	_, err := s.editTags(ctx, api.ToString(in.ResourceARN), func(tags []*aapi.Tag) []*aapi.Tag {
		for _, t := range in.Tags {
			replaced := false
			for i, old := range tags {
				if api.ToString(old.Key) == api.ToString(t.Key) {
					tags[i], replaced = t, true
				}
			}
			if !replaced {
				tags = append(tags, t)
			}
		}
		return tags
	})
	return &aapi.TagResourceOutput{}, err
}

func (s *Service) UntagResource(ctx context.Context, in *aapi.UntagResourceInput) (*aapi.UntagResourceOutput, error) {
	_, err := s.editTags(ctx, api.ToString(in.ResourceARN), func(tags []*aapi.Tag) []*aapi.Tag {
		var keep []*aapi.Tag
		for _, t := range tags {
			drop := false
			for _, k := range in.TagKeys {
				drop = drop || api.ToString(t.Key) == k
			}
			if !drop {
				keep = append(keep, t)
			}
		}
		return keep
	})
	return &aapi.UntagResourceOutput{}, err
}

func (s *Service) ListTagsForResource(ctx context.Context, in *aapi.ListTagsForResourceInput) (*aapi.ListTagsForResourceOutput, error) {
	tags, err := s.editTags(ctx, api.ToString(in.ResourceARN), nil)
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = []*aapi.Tag{}
	}
	return &aapi.ListTagsForResourceOutput{Tags: tags}, nil
}
