package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
	"github.com/fogbank/fogbank/internal/store"
)

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// parseKeySchema checks a key schema: one HASH then at most one RANGE.
func parseKeySchema(ks []*ddb.KeySchemaElement, field string) (hash, rng string, err error) {
	if ks == nil {
		return "", "", validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if len(ks) > 2 {
		return "", "", validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 2", describeKeySchema(ks), field)
	}
	if len(ks) == 0 {
		return "", "", validation("1 validation error detected: Value '[]' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", field)
	}
	if api.ToString(ks[0].KeyType) != "HASH" {
		return "", "", validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	hash = api.ToString(ks[0].AttributeName)
	if len(ks) == 2 {
		if api.ToString(ks[1].KeyType) != "RANGE" {
			return "", "", validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		rng = api.ToString(ks[1].AttributeName)
		if rng == hash {
			return "", "", invalidParam("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
	}
	return hash, rng, nil
}

// parseGSIKeySchema checks a GSI key schema: 1 to 4 HASH elements, then up to 4
// RANGE elements (multi-attribute keys), no name twice.
func parseGSIKeySchema(ks []*ddb.KeySchemaElement, field string) (hashes, ranges []string, err error) {
	if ks == nil {
		return nil, nil, validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if len(ks) == 0 {
		return nil, nil, validation("1 validation error detected: Value '[]' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", field)
	}
	seen := map[string]bool{}
	for _, k := range ks {
		n := api.ToString(k.AttributeName)
		if seen[n] {
			return nil, nil, invalidParam("Invalid KeySchema: two KeySchemaElements have the same name: %s", n)
		}
		seen[n] = true
		switch api.ToString(k.KeyType) {
		case "HASH":
			if len(ranges) > 0 {
				return nil, nil, validation("Invalid KeySchema: all HASH key elements must precede all RANGE key elements")
			}
			hashes = append(hashes, n)
		case "RANGE":
			ranges = append(ranges, n)
		}
	}
	if len(hashes) == 0 {
		return nil, nil, validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(hashes) > 4 {
		return nil, nil, validation("Invalid KeySchema: a GlobalSecondaryIndex may have at most 4 HASH key elements, got %d", len(hashes))
	}
	if len(ranges) > 4 {
		return nil, nil, validation("Invalid KeySchema: a GlobalSecondaryIndex may have at most 4 RANGE key elements, got %d", len(ranges))
	}
	return hashes, ranges, nil
}

func indexKeySchema(ix *indexMeta) []*ddb.KeySchemaElement {
	var ks []*ddb.KeySchemaElement
	for _, h := range ix.Hashes {
		ks = append(ks, &ddb.KeySchemaElement{AttributeName: api.String(h), KeyType: api.String("HASH")})
	}
	for _, r := range ix.Ranges {
		ks = append(ks, &ddb.KeySchemaElement{AttributeName: api.String(r), KeyType: api.String("RANGE")})
	}
	return ks
}

func describeKeySchema(ks []*ddb.KeySchemaElement) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = fmt.Sprintf("KeySchemaElement(attributeName=%s, keyType=%s)", api.ToString(k.AttributeName), api.ToString(k.KeyType))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func parseProjection(p *ddb.Projection, ix *indexMeta) error {
	if p == nil {
		return validation("1 validation error detected: Value null at 'projection' failed to satisfy constraint: Member must not be null")
	}
	ix.ProjType = api.ToString(p.ProjectionType)
	if ix.ProjType == "" {
		return invalidParam("Unknown ProjectionType: null")
	}
	switch ix.ProjType {
	case "ALL", "KEYS_ONLY":
		if p.NonKeyAttributes != nil {
			return invalidParam("ProjectionType is %s, but NonKeyAttributes is specified", ix.ProjType)
		}
	case "INCLUDE":
		if len(p.NonKeyAttributes) == 0 {
			return invalidParam("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
		seen := map[string]bool{}
		for _, a := range p.NonKeyAttributes {
			if len(a) > 255 || a == "" {
				return validation("1 validation error detected: Value '[%.20s...]' at 'projection.nonKeyAttributes' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1]", a)
			}
			if seen[a] {
				return invalidParam("Duplicate attribute name in NonKeyAttributes: %s", a)
			}
			seen[a] = true
		}
		ix.NonKey = p.NonKeyAttributes
	}
	return nil
}

// CreateTable creates a table; it is ACTIVE at once (the answer says CREATING,
// as AWS's does).
func (s *Service) CreateTable(ctx context.Context, in *ddb.CreateTableInput) (*ddb.CreateTableOutput, error) {
	s.startSweeper()
	sc := scopeOf(ctx)
	name := api.ToString(in.TableName)
	if err := checkName("tableName", name, in.TableName != nil); err != nil {
		return nil, err
	}
	if in.AttributeDefinitions == nil {
		return nil, validation("1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null")
	}
	if err := validateCreateTable(in); err != nil {
		return nil, err
	}
	hash, rng, err := parseKeySchema(in.KeySchema, "keySchema")
	if err != nil {
		return nil, err
	}
	t := &tableMeta{
		Name: name, ID: newID(), Created: s.now().UTC(), Hash: hash, Range: rng,
		Attrs: map[string]string{}, Account: sc.acct, Region: sc.region, Status: "ACTIVE",
		DeletionPro: api.ToBool(in.DeletionProtectionEnabled), TableClass: api.ToString(in.TableClass),
	}
	for _, ad := range in.AttributeDefinitions {
		n := api.ToString(ad.AttributeName)
		if _, dup := t.Attrs[n]; dup {
			return nil, invalidParam("Duplicate AttributeName in AttributeDefinitions: %s", n)
		}
		t.Attrs[n] = api.ToString(ad.AttributeType)
		t.AttrOrder = append(t.AttrOrder, n)
	}
	if err := s.setBilling(t, in.BillingMode, in.ProvisionedThroughput, true); err != nil {
		return nil, err
	}
	used := map[string]bool{hash: true}
	if rng != "" {
		used[rng] = true
	}
	names := map[string]bool{}
	for _, l := range in.LocalSecondaryIndexes {
		ix := &indexMeta{Name: api.ToString(l.IndexName), Local: true}
		if err := checkName("localSecondaryIndexes.member.indexName", ix.Name, true); err != nil {
			return nil, err
		}
		lh, lr, err := parseKeySchema(l.KeySchema, "localSecondaryIndexes.member.keySchema")
		if err != nil {
			return nil, err
		}
		if rng == "" {
			return nil, invalidParam("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		if lh != hash {
			return nil, invalidParam("Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", ix.Name, lh, hash)
		}
		if lr == "" {
			return nil, invalidParam("Index KeySchema does not have a range key for index: %s", ix.Name)
		}
		ix.Hashes, ix.Ranges = []string{lh}, []string{lr}
		if err := parseProjection(l.Projection, ix); err != nil {
			return nil, err
		}
		if names[ix.Name] {
			return nil, invalidParam("Duplicate index name: %s", ix.Name)
		}
		names[ix.Name] = true
		used[lr] = true
		t.LSIs = append(t.LSIs, ix)
	}
	if len(t.LSIs) > 5 {
		return nil, invalidParam("Number of LocalSecondaryIndexes exceeds per-table limit of 5")
	}
	if in.LocalSecondaryIndexes != nil && len(in.LocalSecondaryIndexes) == 0 {
		return nil, invalidParam("List of LocalSecondaryIndexes is empty")
	}
	if in.GlobalSecondaryIndexes != nil && len(in.GlobalSecondaryIndexes) == 0 {
		return nil, invalidParam("List of GlobalSecondaryIndexes is empty")
	}
	for _, g := range in.GlobalSecondaryIndexes {
		ix := &indexMeta{Name: api.ToString(g.IndexName)}
		if err := checkName("globalSecondaryIndexes.member.indexName", ix.Name, true); err != nil {
			return nil, err
		}
		if ix.Hashes, ix.Ranges, err = parseGSIKeySchema(g.KeySchema, "globalSecondaryIndexes.member.keySchema"); err != nil {
			return nil, err
		}
		if err := parseProjection(g.Projection, ix); err != nil {
			return nil, err
		}
		if err := s.indexThroughput(t, ix, g.ProvisionedThroughput); err != nil {
			return nil, err
		}
		if names[ix.Name] {
			return nil, invalidParam("Duplicate index name: %s", ix.Name)
		}
		names[ix.Name] = true
		for _, a := range ix.keyAttrs() {
			used[a] = true
		}
		t.GSIs = append(t.GSIs, ix)
	}
	if len(t.GSIs) > 20 {
		return nil, validation("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20")
	}
	var missing []string
	for n := range used {
		if _, ok := t.Attrs[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, invalidParam("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(missing, ", "), strings.Join(t.AttrOrder, ", "))
	}
	if len(used) != len(t.Attrs) {
		if len(t.LSIs)+len(t.GSIs) == 0 {
			return nil, invalidParam("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
		}
		var keys []string
		for n := range used {
			keys = append(keys, n)
		}
		sort.Strings(keys)
		return nil, invalidParam("Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]", strings.Join(t.AttrOrder, ", "), strings.Join(keys, ", "))
	}
	if ss := in.StreamSpecification; ss != nil && (api.ToBool(ss.StreamEnabled) || ss.StreamViewType != nil) {
		if err := s.setStream(t, ss); err != nil {
			return nil, err
		}
	}
	if err := checkTags(in.Tags, 0); err != nil {
		return nil, err
	}
	for _, tg := range in.Tags {
		t.Tags = append(t.Tags, tag{api.ToString(tg.Key), api.ToString(tg.Value)})
	}
	if in.SSESpecification != nil && api.ToBool(in.SSESpecification.Enabled) {
		t.SSE = true
	}
	err = s.st.Update(func(tx *store.Tx) error {
		old, err := s.loadTable(tx, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if old != nil {
			return inUse("Table already exists: " + name)
		}
		if n := countTables(tx, sc); n >= 2500 {
			return &ddb.LimitExceededException{Message: api.String("Subscriber limit exceeded: Table count exceeds the per-account limit")}
		}
		if _, err := tx.CreateBucket(root, sc.acct, sc.region, "data", name, bItems); err != nil {
			return err
		}
		for _, ix := range append(append([]*indexMeta{}, t.LSIs...), t.GSIs...) {
			if _, err := tx.CreateBucket(root, sc.acct, sc.region, "data", name, "ix:"+ix.Name); err != nil {
				return err
			}
		}
		if err := saveTable(tx, t); err != nil {
			return err
		}
		return s.syncStream(tx, t)
	})
	if err != nil {
		return nil, s.internal(err)
	}
	d := s.describe(t, 0, 0)
	d.TableStatus = api.String("CREATING")
	if !t.DeletionPro {
		d.DeletionProtectionEnabled = nil // CreateTable's answer leaves it out when off
	}
	if d.BillingModeSummary != nil {
		d.BillingModeSummary.LastUpdateToPayPerRequestDateTime = nil // set only by a later change of mode
	}
	for _, g := range d.GlobalSecondaryIndexes {
		g.IndexStatus = api.String("CREATING")
	}
	return &ddb.CreateTableOutput{TableDescription: d}, nil
}

// validateCreateTable applies CreateTable's rules in the order DynamoDB checks
// them, so that a request breaking several gets the same first complaint.
func validateCreateTable(in *ddb.CreateTableInput) error {
	if api.ToString(in.BillingMode) == "PAY_PER_REQUEST" {
		if in.ProvisionedThroughput != nil {
			return invalidParam("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	} else {
		pt := in.ProvisionedThroughput
		if pt == nil || pt.ReadCapacityUnits == nil || pt.WriteCapacityUnits == nil {
			return invalidParam("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if r := *pt.ReadCapacityUnits; r > 1000000000000 {
			return validation("Given value %d for ReadCapacityUnits is out of bounds", r)
		}
		if w := *pt.WriteCapacityUnits; w > 1000000000000 {
			return validation("Given value %d for WriteCapacityUnits is out of bounds", w)
		}
	}
	var defns []string
	for _, d := range in.AttributeDefinitions {
		defns = append(defns, api.ToString(d.AttributeName))
	}
	has := func(n string) bool {
		for _, d := range defns {
			if d == n {
				return true
			}
		}
		return false
	}
	names := func(ks []*ddb.KeySchemaElement) []string {
		var out []string
		for _, k := range ks {
			out = append(out, api.ToString(k.AttributeName))
		}
		return out
	}
	undefined := func(keys []string) error {
		for _, k := range keys {
			if !has(k) {
				return invalidParam("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(keys, ", "), strings.Join(defns, ", "))
			}
		}
		return nil
	}
	for i, d := range defns {
		for _, e := range defns[:i] {
			if d == e {
				return invalidParam("Duplicate AttributeName in AttributeDefinitions: %s", d)
			}
		}
	}
	keys := names(in.KeySchema)
	if len(keys) > len(defns) {
		return validation("Invalid KeySchema: Some index key attribute have no definition")
	}
	if err := undefined(keys); err != nil {
		return err
	}
	if len(keys) > 1 && keys[0] == keys[1] {
		return validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	if len(in.KeySchema) > 0 && api.ToString(in.KeySchema[0].KeyType) != "HASH" {
		return validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(in.KeySchema) > 1 && api.ToString(in.KeySchema[1].KeyType) != "RANGE" {
		return validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	if in.LocalSecondaryIndexes == nil && in.GlobalSecondaryIndexes == nil && len(keys) != len(defns) {
		return invalidParam("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	seen := map[string]bool{}
	if in.LocalSecondaryIndexes != nil {
		if len(in.LocalSecondaryIndexes) == 0 {
			return invalidParam("List of LocalSecondaryIndexes is empty")
		}
		if len(keys) != 2 {
			return invalidParam("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		for _, l := range in.LocalSecondaryIndexes {
			ik := names(l.KeySchema)
			if err := undefined(ik); err != nil {
				return err
			}
			if len(ik) > 1 && ik[0] == ik[1] {
				return validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
			}
			if len(l.KeySchema) > 0 && api.ToString(l.KeySchema[0].KeyType) != "HASH" {
				return validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
			}
			if len(l.KeySchema) > 1 && api.ToString(l.KeySchema[1].KeyType) != "RANGE" {
				return validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
			}
			if len(l.KeySchema) > 2 {
				return validation("1 validation error detected: Value '%s' at 'localSecondaryIndexes.member.keySchema' failed to satisfy constraint: Member must have length less than or equal to 2", describeKeySchema(l.KeySchema))
			}
			if len(l.KeySchema) != 2 {
				return invalidParam("Index KeySchema does not have a range key for index: %s", api.ToString(l.IndexName))
			}
			if ik[0] != keys[0] {
				return invalidParam("Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", api.ToString(l.IndexName), ik[0], keys[0])
			}
			if l.Projection == nil || l.Projection.ProjectionType == nil {
				return invalidParam("Unknown ProjectionType: null")
			}
			if pt := *l.Projection.ProjectionType; l.Projection.NonKeyAttributes != nil && pt != "INCLUDE" {
				return invalidParam("ProjectionType is %s, but NonKeyAttributes is specified", pt)
			}
			if seen[api.ToString(l.IndexName)] {
				return invalidParam("Duplicate index name: %s", api.ToString(l.IndexName))
			}
			seen[api.ToString(l.IndexName)] = true
		}
		if len(in.LocalSecondaryIndexes) > 5 {
			return invalidParam("Number of LocalSecondaryIndexes exceeds per-table limit of 5")
		}
	}
	if in.GlobalSecondaryIndexes != nil {
		if len(in.GlobalSecondaryIndexes) == 0 {
			return invalidParam("List of GlobalSecondaryIndexes is empty")
		}
		for _, g := range in.GlobalSecondaryIndexes {
			ik := names(g.KeySchema)
			if err := undefined(ik); err != nil {
				return err
			}
			if len(ik) == 2 && ik[0] == ik[1] {
				return validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
			}
			if len(g.KeySchema) > 0 && api.ToString(g.KeySchema[0].KeyType) != "HASH" {
				return validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
			}
			// Two HASH elements are a multi-attribute key, not an error: the rest
			// of a GSI key schema is checked by parseGSIKeySchema.
			if g.Projection == nil || g.Projection.ProjectionType == nil {
				return invalidParam("Unknown ProjectionType: null")
			}
			if pt := *g.Projection.ProjectionType; g.Projection.NonKeyAttributes != nil && pt != "INCLUDE" {
				return invalidParam("ProjectionType is %s, but NonKeyAttributes is specified", pt)
			}
			if api.ToString(in.BillingMode) == "PAY_PER_REQUEST" && g.ProvisionedThroughput != nil {
				return invalidParam("ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", api.ToString(g.IndexName))
			}
			if seen[api.ToString(g.IndexName)] {
				return invalidParam("Duplicate index name: %s", api.ToString(g.IndexName))
			}
			seen[api.ToString(g.IndexName)] = true
		}
		if len(in.GlobalSecondaryIndexes) > 20 {
			return invalidParam("GlobalSecondaryIndex count exceeds the per-table limit of 20")
		}
	}
	return nil
}

func countTables(tx *store.Tx, sc scope) int {
	tb := tablesBucket(tx, sc.acct, sc.region)
	if tb == nil {
		return 0
	}
	n := 0
	tb.ForEach(func(k, v []byte) error { n++; return nil })
	return n
}

func (s *Service) setBilling(t *tableMeta, mode *string, pt *ddb.ProvisionedThroughput, creating bool) error {
	m := api.ToString(mode)
	if m == "" {
		if creating {
			m = "PROVISIONED"
		} else {
			m = t.BillingMode
		}
	}
	switch m {
	case "PROVISIONED":
		if pt == nil {
			if creating || t.BillingMode != "PROVISIONED" {
				if creating {
					return invalidParam("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
				}
				return validation("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
			}
			return nil
		}
		if err := checkThroughput(pt); err != nil {
			return err
		}
		t.RCU, t.WCU = api.ToInt64(pt.ReadCapacityUnits), api.ToInt64(pt.WriteCapacityUnits)
	case "PAY_PER_REQUEST":
		if pt != nil {
			return invalidParam("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		t.RCU, t.WCU = 0, 0
	}
	t.BillingMode = m
	return nil
}

func checkThroughput(pt *ddb.ProvisionedThroughput) error {
	r, w := api.ToInt64(pt.ReadCapacityUnits), api.ToInt64(pt.WriteCapacityUnits)
	if r > 1000000000000 {
		return validation("Given value %d for ReadCapacityUnits is out of bounds", r)
	}
	if w > 1000000000000 {
		return validation("Given value %d for WriteCapacityUnits is out of bounds", w)
	}
	if r > 40000 || w > 40000 {
		return &ddb.LimitExceededException{Message: api.String("Subscriber limit exceeded: Provisioned throughput for the table exceeds the per-table limit of 40000")}
	}
	return nil
}

func (s *Service) indexThroughput(t *tableMeta, ix *indexMeta, pt *ddb.ProvisionedThroughput) error {
	if t.BillingMode == "PAY_PER_REQUEST" {
		if pt != nil {
			return invalidParam("ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", ix.Name)
		}
		return nil
	}
	if pt == nil {
		return invalidParam("ProvisionedThroughput is not specified for index: %s", ix.Name)
	}
	if err := checkThroughput(pt); err != nil {
		return err
	}
	ix.RCU, ix.WCU = api.ToInt64(pt.ReadCapacityUnits), api.ToInt64(pt.WriteCapacityUnits)
	return nil
}

func (s *Service) setStream(t *tableMeta, ss *ddb.StreamSpecification) error {
	if !api.ToBool(ss.StreamEnabled) {
		if ss.StreamViewType != nil {
			return invalidParam("StreamViewType cannot be specified when StreamEnabled is false")
		}
		if t.Stream == nil || !t.Stream.Enabled {
			return validation("Table already has no enabled stream: the stream is already disabled: %s", t.Name)
		}
		t.Stream.Enabled = false
		return nil
	}
	if ss.StreamViewType == nil {
		return invalidParam("You must specify a StreamViewType when enabling a DynamoDB stream")
	}
	if t.Stream != nil && t.Stream.Enabled {
		return validation("Table already has an enabled stream: %s", t.Name)
	}
	t.Stream = &streamMeta{Enabled: true, ViewType: *ss.StreamViewType, Label: s.now().UTC().Format("2006-01-02T15:04:05.000")}
	return nil
}

// describe builds a TableDescription.
func (s *Service) describe(t *tableMeta, count, size int64) *ddb.TableDescription {
	d := &ddb.TableDescription{
		TableName:        api.String(t.Name),
		TableStatus:      api.String(t.Status),
		TableArn:         api.String(t.arn()),
		TableId:          api.String(t.ID),
		CreationDateTime: &t.Created,
		ItemCount:        api.Int64(count),
		TableSizeBytes:   api.Int64(size),
		KeySchema:        keySchema(t.Hash, t.Range),
		ProvisionedThroughput: &ddb.ProvisionedThroughputDescription{
			NumberOfDecreasesToday: api.Int64(0),
			ReadCapacityUnits:      api.Int64(t.RCU),
			WriteCapacityUnits:     api.Int64(t.WCU),
		},
		DeletionProtectionEnabled: api.Bool(t.DeletionPro),
	}
	for _, n := range t.AttrOrder {
		d.AttributeDefinitions = append(d.AttributeDefinitions, &ddb.AttributeDefinition{AttributeName: api.String(n), AttributeType: api.String(t.Attrs[n])})
	}
	if t.BillingMode == "PAY_PER_REQUEST" {
		d.BillingModeSummary = &ddb.BillingModeSummary{BillingMode: api.String("PAY_PER_REQUEST"), LastUpdateToPayPerRequestDateTime: &t.Created}
	}
	for _, ix := range t.LSIs {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, &ddb.LocalSecondaryIndexDescription{
			IndexName: api.String(ix.Name), KeySchema: indexKeySchema(ix), Projection: projection(ix),
			IndexArn: api.String(t.arn() + "/index/" + ix.Name), IndexSizeBytes: api.Int64(0), ItemCount: api.Int64(0),
		})
	}
	for _, ix := range t.GSIs {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, &ddb.GlobalSecondaryIndexDescription{
			IndexName: api.String(ix.Name), KeySchema: indexKeySchema(ix), Projection: projection(ix),
			IndexStatus: api.String("ACTIVE"), IndexArn: api.String(t.arn() + "/index/" + ix.Name),
			IndexSizeBytes: api.Int64(0), ItemCount: api.Int64(0),
			ProvisionedThroughput: &ddb.ProvisionedThroughputDescription{
				NumberOfDecreasesToday: api.Int64(0), ReadCapacityUnits: api.Int64(ix.RCU), WriteCapacityUnits: api.Int64(ix.WCU),
			},
		})
	}
	if t.Stream != nil {
		if t.Stream.Enabled {
			d.StreamSpecification = &ddb.StreamSpecification{StreamEnabled: api.Bool(true), StreamViewType: api.String(t.Stream.ViewType)}
		}
		d.LatestStreamLabel = api.String(t.Stream.Label)
		d.LatestStreamArn = api.String(t.streamARN())
	}
	if t.SSE {
		d.SSEDescription = &ddb.SSEDescription{Status: api.String("ENABLED"), SSEType: api.String("KMS"),
			KMSMasterKeyArn: api.String("arn:aws:kms:" + t.Region + ":" + t.Account + ":key/fogbank")}
	}
	if t.TableClass != "" {
		d.TableClassSummary = &ddb.TableClassSummary{TableClass: api.String(t.TableClass)}
	}
	return d
}

func keySchema(hash, rng string) []*ddb.KeySchemaElement {
	ks := []*ddb.KeySchemaElement{{AttributeName: api.String(hash), KeyType: api.String("HASH")}}
	if rng != "" {
		ks = append(ks, &ddb.KeySchemaElement{AttributeName: api.String(rng), KeyType: api.String("RANGE")})
	}
	return ks
}

func projection(ix *indexMeta) *ddb.Projection {
	p := &ddb.Projection{ProjectionType: api.String(ix.ProjType)}
	if len(ix.NonKey) > 0 {
		p.NonKeyAttributes = ix.NonKey
	}
	return p
}

// stats reads a table's item count and size.
func stats(db *store.Bucket) (count, size int64) {
	if db == nil {
		return 0, 0
	}
	v := db.Get(kStats)
	if len(v) < 2 {
		return 0, 0
	}
	c, n := binary.Varint(v)
	if n <= 0 {
		return 0, 0
	}
	sz, _ := binary.Varint(v[n:])
	return c, sz
}

func addStats(db *store.Bucket, dc, ds int64) error {
	if dc == 0 && ds == 0 {
		return nil
	}
	c, s := stats(db)
	b := binary.AppendVarint(nil, c+dc)
	b = binary.AppendVarint(b, s+ds)
	return db.Put(kStats, b)
}

// DescribeTable describes a table.
func (s *Service) DescribeTable(ctx context.Context, in *ddb.DescribeTableInput) (*ddb.DescribeTableOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	var d *ddb.TableDescription
	err = s.st.View(func(tx *store.Tx) error {
		t, err := s.loadTable(tx, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if t == nil {
			return tableNotFound(name)
		}
		c, sz := stats(dataBucket(tx, sc.acct, sc.region, name))
		d = s.describe(t, c, sz)
		return nil
	})
	if err != nil {
		return nil, s.internal(err)
	}
	return &ddb.DescribeTableOutput{Table: d}, nil
}

// DeleteTable deletes a table and its items.
func (s *Service) DeleteTable(ctx context.Context, in *ddb.DeleteTableInput) (*ddb.DeleteTableOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	var d *ddb.TableDescription
	err = s.st.Update(func(tx *store.Tx) error {
		t, err := s.loadTable(tx, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if t == nil {
			return tableNotFound(name)
		}
		if t.DeletionPro {
			return validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
		}
		c, sz := stats(dataBucket(tx, sc.acct, sc.region, name))
		d = s.describe(t, c, sz)
		if err := tx.DeleteBucket(root, sc.acct, sc.region, "data", name); err != nil {
			return err
		}
		if t.Stream != nil {
			// Keep the stream readable for its 24 hours, as AWS does.
			if err := s.archiveStream(tx, t); err != nil {
				return err
			}
		}
		return tablesBucket(tx, sc.acct, sc.region).Delete([]byte(name))
	})
	if err != nil {
		return nil, s.internal(err)
	}
	// AWS answers a DeleteTable with a short description.
	short := &ddb.TableDescription{TableName: d.TableName, TableStatus: api.String("DELETING"), TableArn: d.TableArn,
		TableId: d.TableId, ItemCount: d.ItemCount, TableSizeBytes: d.TableSizeBytes, ProvisionedThroughput: d.ProvisionedThroughput,
		BillingModeSummary: d.BillingModeSummary, DeletionProtectionEnabled: d.DeletionProtectionEnabled}
	return &ddb.DeleteTableOutput{TableDescription: short}, nil
}

// ListTables lists table names in order, up to Limit (default 100).
func (s *Service) ListTables(ctx context.Context, in *ddb.ListTablesInput) (*ddb.ListTablesOutput, error) {
	sc := scopeOf(ctx)
	limit := 100
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	start := api.ToString(in.ExclusiveStartTableName)
	out := &ddb.ListTablesOutput{TableNames: []string{}}
	err := s.st.View(func(tx *store.Tx) error {
		tb := tablesBucket(tx, sc.acct, sc.region)
		if tb == nil {
			return nil
		}
		c := tb.Cursor()
		k, _ := c.First()
		if start != "" {
			k, _ = c.Seek([]byte(start))
			if k != nil && string(k) == start {
				k, _ = c.Next()
			}
		}
		for ; k != nil; k, _ = c.Next() {
			if len(out.TableNames) == limit {
				out.LastEvaluatedTableName = api.String(out.TableNames[limit-1])
				break
			}
			out.TableNames = append(out.TableNames, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, s.internal(err)
	}
	return out, nil
}

// UpdateTable changes billing, throughput, streams, deletion protection, table
// class, and adds or removes global secondary indexes (a new index is filled
// from the table's items at once).
func (s *Service) UpdateTable(ctx context.Context, in *ddb.UpdateTableInput) (*ddb.UpdateTableOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	if in.BillingMode == nil && in.ProvisionedThroughput == nil && in.GlobalSecondaryIndexUpdates == nil &&
		in.StreamSpecification == nil && in.SSESpecification == nil && in.TableClass == nil &&
		in.DeletionProtectionEnabled == nil && in.ReplicaUpdates == nil && in.OnDemandThroughput == nil && in.WarmThroughput == nil {
		return nil, validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	if in.GlobalSecondaryIndexUpdates != nil && len(in.GlobalSecondaryIndexUpdates) == 0 && in.BillingMode == nil && in.ProvisionedThroughput == nil &&
		in.StreamSpecification == nil && in.SSESpecification == nil {
		return nil, validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	if api.ToString(in.BillingMode) == "PROVISIONED" && in.ProvisionedThroughput == nil {
		return nil, invalidParam("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
	}
	if pt := in.ProvisionedThroughput; pt != nil {
		if r := api.ToInt64(pt.ReadCapacityUnits); r > 1000000000000 {
			return nil, validation("Given value %d for ReadCapacityUnits is out of bounds", r)
		}
		if w := api.ToInt64(pt.WriteCapacityUnits); w > 1000000000000 {
			return nil, validation("Given value %d for WriteCapacityUnits is out of bounds", w)
		}
	}
	updNames := map[string]bool{}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u == nil || (u.Create == nil && u.Update == nil && u.Delete == nil) {
			return nil, invalidParam("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
		}
		var n string
		switch {
		case u.Update != nil:
			n = api.ToString(u.Update.IndexName)
		case u.Create != nil:
			n = api.ToString(u.Create.IndexName)
		default:
			n = api.ToString(u.Delete.IndexName)
		}
		if updNames[n] {
			return nil, invalidParam("Only one global secondary index update per index is allowed simultaneously. Index: %s", n)
		}
		updNames[n] = true
	}
	onlineChanges := 0
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u == nil {
			continue
		}
		if u.Create != nil || u.Delete != nil {
			onlineChanges++
		}
	}
	if onlineChanges > 1 {
		return nil, &ddb.LimitExceededException{Message: api.String("Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")}
	}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		n := 0
		if u != nil {
			for _, set := range []bool{u.Create != nil, u.Update != nil, u.Delete != nil} {
				if set {
					n++
				}
			}
		}
		if n == 0 {
			return nil, invalidParam("One of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete must be specified")
		}
		if n > 1 {
			return nil, invalidParam("Only one of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete may be specified in one GlobalSecondaryIndexUpdate")
		}
	}
	var d *ddb.TableDescription
	var created []string
	err = s.st.Update(func(tx *store.Tx) error {
		created = nil
		old, err := s.loadTable(tx, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if old == nil {
			return tableNotFound(name)
		}
		for _, u := range in.GlobalSecondaryIndexUpdates {
			if u.Update != nil && u.Update.ProvisionedThroughput != nil {
				pt := u.Update.ProvisionedThroughput
				if api.ToInt64(pt.ReadCapacityUnits) > 1000000000000 || api.ToInt64(pt.WriteCapacityUnits) > 1000000000000 {
					return validation("This operation cannot be performed with given input values. Please contact DynamoDB service team for more info: Action Blocked: IndexUpdate")
				}
			}
		}
		t := old.clone()
		if in.BillingMode != nil || in.ProvisionedThroughput != nil {
			if in.ProvisionedThroughput != nil && api.ToString(in.BillingMode) != "PAY_PER_REQUEST" && t.BillingMode == "PROVISIONED" &&
				api.ToInt64(in.ProvisionedThroughput.ReadCapacityUnits) == t.RCU && api.ToInt64(in.ProvisionedThroughput.WriteCapacityUnits) == t.WCU &&
				in.GlobalSecondaryIndexUpdates == nil && in.StreamSpecification == nil {
				return validation("The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: %d. Requested ReadCapacityUnits: %d. Current WriteCapacityUnits provisioned for the table: %d. Requested WriteCapacityUnits: %d. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.", t.RCU, t.RCU, t.WCU, t.WCU)
			}
			if err := s.setBilling(t, in.BillingMode, in.ProvisionedThroughput, false); err != nil {
				return err
			}
			if t.BillingMode == "PAY_PER_REQUEST" {
				for _, g := range t.GSIs {
					g.RCU, g.WCU = 0, 0
				}
			}
		}
		if in.StreamSpecification != nil {
			if err := s.setStream(t, in.StreamSpecification); err != nil {
				return err
			}
		}
		if in.DeletionProtectionEnabled != nil {
			t.DeletionPro = *in.DeletionProtectionEnabled
		}
		if in.TableClass != nil {
			t.TableClass = *in.TableClass
		}
		if in.SSESpecification != nil {
			t.SSE = api.ToBool(in.SSESpecification.Enabled)
		}
		for _, ad := range in.AttributeDefinitions {
			n := api.ToString(ad.AttributeName)
			typ := api.ToString(ad.AttributeType)
			if cur, ok := t.Attrs[n]; ok {
				if cur != typ {
					return invalidParam("Cannot change the type of attribute %s", n)
				}
				continue
			}
			t.Attrs[n] = typ
			t.AttrOrder = append(t.AttrOrder, n)
		}
		for _, u := range in.GlobalSecondaryIndexUpdates {
			switch {
			case u.Create != nil:
				c := u.Create
				ix := &indexMeta{Name: api.ToString(c.IndexName)}
				if t.index(ix.Name) != nil {
					return invalidParam("Index %s already exists", ix.Name)
				}
				if ix.Hashes, ix.Ranges, err = parseGSIKeySchema(c.KeySchema, "globalSecondaryIndexUpdates.member.create.keySchema"); err != nil {
					return err
				}
				for _, k := range ix.keyAttrs() {
					if _, ok := t.Attrs[k]; !ok {
						return invalidParam("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", k, strings.Join(t.AttrOrder, ", "))
					}
				}
				if err := parseProjection(c.Projection, ix); err != nil {
					return err
				}
				if err := s.indexThroughput(t, ix, c.ProvisionedThroughput); err != nil {
					return err
				}
				if len(t.GSIs) >= 20 {
					return &ddb.LimitExceededException{Message: api.String("Subscriber limit exceeded: The number of GlobalSecondaryIndexes exceeds the limit of 20")}
				}
				t.GSIs = append(t.GSIs, ix)
				created = append(created, ix.Name)
				if err := backfill(tx, t, ix); err != nil {
					return err
				}
			case u.Delete != nil:
				n := api.ToString(u.Delete.IndexName)
				found := false
				for i, g := range t.GSIs {
					if g.Name == n {
						t.GSIs = append(t.GSIs[:i:i], t.GSIs[i+1:]...)
						found = true
						break
					}
				}
				if !found {
					return notFound("Requested resource not found: Index: " + n + " not found")
				}
				if err := tx.DeleteBucket(root, sc.acct, sc.region, "data", name, "ix:"+n); err != nil {
					return err
				}
			case u.Update != nil:
				ix := t.index(api.ToString(u.Update.IndexName))
				if ix == nil || ix.Local {
					return notFound("Requested resource not found: Index: " + api.ToString(u.Update.IndexName) + " not found")
				}
				if pt := u.Update.ProvisionedThroughput; pt != nil {
					if t.BillingMode == "PAY_PER_REQUEST" {
						return invalidParam("ProvisionedThroughput cannot be specified for index: %s when BillingMode is PAY_PER_REQUEST", ix.Name)
					}
					ix.RCU, ix.WCU = api.ToInt64(pt.ReadCapacityUnits), api.ToInt64(pt.WriteCapacityUnits)
				}
			}
		}
		// Attribute definitions no key uses any more are dropped, as AWS does.
		used := map[string]bool{t.Hash: true, t.Range: true}
		for _, ix := range append(append([]*indexMeta{}, t.LSIs...), t.GSIs...) {
			for _, a := range ix.keyAttrs() {
				used[a] = true
			}
		}
		var order []string
		for _, n := range t.AttrOrder {
			if used[n] {
				order = append(order, n)
			} else {
				delete(t.Attrs, n)
			}
		}
		t.AttrOrder = order
		if err := saveTable(tx, t); err != nil {
			return err
		}
		if old.Stream != nil && old.Stream.Enabled && t.Stream != nil && !t.Stream.Enabled {
			if err := s.syncStream(tx, t); err != nil {
				return err
			}
		}
		if t.Stream != nil && t.Stream.Enabled {
			if err := s.syncStream(tx, t); err != nil {
				return err
			}
		}
		c, sz := stats(dataBucket(tx, sc.acct, sc.region, name))
		d = s.describe(t, c, sz)
		return nil
	})
	if err != nil {
		return nil, s.internal(err)
	}
	for _, g := range d.GlobalSecondaryIndexes {
		for _, n := range created {
			if api.ToString(g.IndexName) == n {
				g.IndexStatus = api.String("CREATING")
				g.Backfilling = api.Bool(false)
			}
		}
	}
	return &ddb.UpdateTableOutput{TableDescription: d}, nil
}

// indexKeyFits tells whether an item's index key values are within the key size
// limits and non-empty; items that are not are left out of a new index.
func indexKeyFits(ix *indexMeta, it expr.Item) bool {
	for i, a := range ix.keyAttrs() {
		n := len(keyBytes(it[a]))
		if n == 0 || (i < len(ix.Hashes) && n > 2048) || (i >= len(ix.Hashes) && n > 1024) {
			return false
		}
	}
	return true
}

// backfill writes every existing item into a new index.
func backfill(tx *store.Tx, t *tableMeta, ix *indexMeta) error {
	db := dataBucket(tx, t.Account, t.Region, t.Name)
	ib, err := db.CreateBucket("ix:" + ix.Name)
	if err != nil {
		return err
	}
	items := db.Bucket(bItems)
	type kv struct{ k, v []byte }
	var puts []kv
	err = items.ForEach(func(k, v []byte) error {
		it, err := decodeItem(v)
		if err != nil {
			return err
		}
		if xk := t.indexKey(ix, it, k); xk != nil && indexKeyFits(ix, it) {
			puts = append(puts, kv{xk, append([]byte(nil), v...)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range puts {
		if err := ib.Put(p.k, p.v); err != nil {
			return err
		}
	}
	return nil
}

// ---- TTL, tags, limits, endpoints ----

// UpdateTimeToLive enables or disables TTL on an attribute.
func (s *Service) UpdateTimeToLive(ctx context.Context, in *ddb.UpdateTimeToLiveInput) (*ddb.UpdateTimeToLiveOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	spec := in.TimeToLiveSpecification
	attr := api.ToString(spec.AttributeName)
	enable := api.ToBool(spec.Enabled)
	err = s.st.Update(func(tx *store.Tx) error {
		old, err := s.loadTable(tx, sc.acct, sc.region, name)
		if err != nil {
			return err
		}
		if old == nil {
			return tableNotFound(name)
		}
		t := old.clone()
		if enable {
			if t.TTLEnabled {
				return validation("TimeToLive is already enabled")
			}
			t.TTLEnabled, t.TTLAttr = true, attr
			if err := s.backfillTTL(tx, t); err != nil {
				return err
			}
		} else {
			if !t.TTLEnabled {
				return validation("TimeToLive is already disabled")
			}
			if t.TTLAttr != attr {
				return validation("TimeToLive is active on a different AttributeName: current AttributeName is %s", t.TTLAttr)
			}
			t.TTLEnabled = false
			if db := dataBucket(tx, sc.acct, sc.region, name); db != nil && db.Bucket(bTTL) != nil {
				if err := db.DeleteBucket(bTTL); err != nil {
					return err
				}
			}
		}
		return saveTable(tx, t)
	})
	if err != nil {
		return nil, s.internal(err)
	}
	return &ddb.UpdateTimeToLiveOutput{TimeToLiveSpecification: spec}, nil
}

// DescribeTimeToLive answers the table's TTL state.
func (s *Service) DescribeTimeToLive(ctx context.Context, in *ddb.DescribeTimeToLiveInput) (*ddb.DescribeTimeToLiveOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	t, err := s.getTable(sc, name)
	if err != nil {
		if _, ok := err.(*ddb.ResourceNotFoundException); ok {
			return nil, tableNotFound(name)
		}
		return nil, err
	}
	d := &ddb.TimeToLiveDescription{TimeToLiveStatus: api.String("DISABLED")}
	if t.TTLEnabled {
		d = &ddb.TimeToLiveDescription{TimeToLiveStatus: api.String("ENABLED"), AttributeName: api.String(t.TTLAttr)}
	}
	return &ddb.DescribeTimeToLiveOutput{TimeToLiveDescription: d}, nil
}

// tableByARN finds the table an ARN names, checking the ARN's form.
func (s *Service) tableByARN(tx *store.Tx, sc scope, arn string) (*tableMeta, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "dynamodb" || !strings.HasPrefix(parts[5], "table/") {
		return nil, validation("Invalid TableArn: Invalid ResourceArn provided as input %s (ARNs name a table: arn:aws:dynamodb:<region>:<account>:table/<name>)", arn)
	}
	name := strings.TrimPrefix(parts[5], "table/")
	if strings.IndexByte(name, '/') >= 0 {
		return nil, validation("Invalid ResourceArn provided as input %s: only tables can be tagged", arn)
	}
	t, err := s.loadTable(tx, parts[4], parts[3], name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, notFound("Requested resource not found: ResourcArn: " + arn + " not found")
	}
	return t, nil
}

// checkTags applies AWS's tag rules: at most 50, keys 1-128 and values 0-256
// characters of letters, digits, spaces and _ . : / = + - @.
func checkTags(tags []*ddb.Tag, existing int) error {
	if len(tags)+existing > 50 {
		return validation("One or more parameter values were invalid: The number of tags exceeds the limit of 50")
	}
	ok := func(s string) bool {
		for _, r := range s {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("_.:/=+-@", r)) {
				return false
			}
		}
		return true
	}
	for _, tg := range tags {
		k, v := api.ToString(tg.Key), api.ToString(tg.Value)
		if !ok(k) || !ok(v) {
			return validation("Invalid tag: keys and values may hold letters, digits, spaces and _ . : / = + - @ only: %s=%s", k, v)
		}
		if strings.HasPrefix(k, "aws:") {
			return validation("Invalid tag key: the aws: prefix is reserved: %s", k)
		}
	}
	return nil
}

// TagResource adds or replaces tags of a table.
func (s *Service) TagResource(ctx context.Context, in *ddb.TagResourceInput) (*ddb.TagResourceOutput, error) {
	sc := scopeOf(ctx)
	if len(in.Tags) == 0 {
		return nil, validation("1 validation error detected: Value '[]' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if err := checkTags(in.Tags, 0); err != nil {
		return nil, err
	}
	err := s.st.Update(func(tx *store.Tx) error {
		old, err := s.tableByARN(tx, sc, api.ToString(in.ResourceArn))
		if err != nil {
			return err
		}
		t := old.clone()
		for _, tg := range in.Tags {
			k, v := api.ToString(tg.Key), api.ToString(tg.Value)
			replaced := false
			for i := range t.Tags {
				if t.Tags[i].Key == k {
					t.Tags[i].Value, replaced = v, true
				}
			}
			if !replaced {
				t.Tags = append(t.Tags, tag{k, v})
			}
		}
		if len(t.Tags) > 50 {
			return validation("One or more parameter values were invalid: The number of tags exceeds the limit of 50")
		}
		return saveTable(tx, t)
	})
	if err != nil {
		return nil, s.internal(err)
	}
	return &ddb.TagResourceOutput{}, nil
}

// UntagResource removes tags of a table.
func (s *Service) UntagResource(ctx context.Context, in *ddb.UntagResourceInput) (*ddb.UntagResourceOutput, error) {
	sc := scopeOf(ctx)
	err := s.st.Update(func(tx *store.Tx) error {
		old, err := s.tableByARN(tx, sc, api.ToString(in.ResourceArn))
		if err != nil {
			return err
		}
		t := old.clone()
		var kept []tag
		for _, tg := range t.Tags {
			drop := false
			for _, k := range in.TagKeys {
				if k == tg.Key {
					drop = true
				}
			}
			if !drop {
				kept = append(kept, tg)
			}
		}
		t.Tags = kept
		return saveTable(tx, t)
	})
	if err != nil {
		return nil, s.internal(err)
	}
	return &ddb.UntagResourceOutput{}, nil
}

// ListTagsOfResource lists a table's tags.
func (s *Service) ListTagsOfResource(ctx context.Context, in *ddb.ListTagsOfResourceInput) (*ddb.ListTagsOfResourceOutput, error) {
	sc := scopeOf(ctx)
	out := &ddb.ListTagsOfResourceOutput{Tags: []*ddb.Tag{}}
	err := s.st.View(func(tx *store.Tx) error {
		t, err := s.tableByARN(tx, sc, api.ToString(in.ResourceArn))
		if err != nil {
			return err
		}
		for _, tg := range t.Tags {
			out.Tags = append(out.Tags, &ddb.Tag{Key: api.String(tg.Key), Value: api.String(tg.Value)})
		}
		return nil
	})
	if err != nil {
		return nil, s.internal(err)
	}
	return out, nil
}

// DescribeLimits answers AWS's default account and table limits.
func (s *Service) DescribeLimits(context.Context, *ddb.DescribeLimitsInput) (*ddb.DescribeLimitsOutput, error) {
	return &ddb.DescribeLimitsOutput{
		AccountMaxReadCapacityUnits: api.Int64(80000), AccountMaxWriteCapacityUnits: api.Int64(80000),
		TableMaxReadCapacityUnits: api.Int64(40000), TableMaxWriteCapacityUnits: api.Int64(40000),
	}, nil
}

// DescribeEndpoints answers the regional endpoint, as AWS does.
func (s *Service) DescribeEndpoints(ctx context.Context, _ *ddb.DescribeEndpointsRequest) (*ddb.DescribeEndpointsResponse, error) {
	sc := scopeOf(ctx)
	return &ddb.DescribeEndpointsResponse{Endpoints: []*ddb.Endpoint{{
		Address: api.String("dynamodb." + sc.region + ".amazonaws.com"), CachePeriodInMinutes: api.Int64(1440),
	}}}, nil
}

// DescribeContinuousBackups answers that backups and point-in-time recovery are
// off (fogbank makes no backups).
func (s *Service) DescribeContinuousBackups(ctx context.Context, in *ddb.DescribeContinuousBackupsInput) (*ddb.DescribeContinuousBackupsOutput, error) {
	sc := scopeOf(ctx)
	name, err := tableName(in.TableName)
	if err != nil {
		return nil, err
	}
	if _, err := s.getTable(sc, name); err != nil {
		if _, ok := err.(*ddb.ResourceNotFoundException); ok {
			return nil, &ddb.TableNotFoundException{Message: api.String("Table not found: " + name)}
		}
		return nil, err
	}
	return &ddb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: &ddb.ContinuousBackupsDescription{
		ContinuousBackupsStatus:        api.String("DISABLED"),
		PointInTimeRecoveryDescription: &ddb.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: api.String("DISABLED")},
	}}, nil
}
