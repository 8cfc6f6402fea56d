package dynamodb

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/fogbank/fogbank/internal/lazy"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
	"github.com/fogbank/fogbank/internal/services/dynamodb/partiql"
)

// PartiQL statements are translated (package partiql) into expression syntax and
// run as the item API's operations, so they share every rule and error of those.

var placeholder = lazy.Regexp{Expr: `[#:][A-Za-z0-9_]+`} // compiled on first use

// usedOnly keeps the names and values the given expressions mention; nil maps
// when none, as the item API wants.
func usedOnly(st *partiql.Statement, texts ...string) (map[string]string, map[string]*expr.AV) {
	var names map[string]string
	var vals map[string]*expr.AV
	for _, t := range texts {
		for _, ph := range placeholder.Get().FindAllString(t, -1) {
			if ph[0] == '#' {
				if v, ok := st.Names[ph]; ok {
					if names == nil {
						names = map[string]string{}
					}
					names[ph] = v
				}
			} else if v, ok := st.Values[ph]; ok {
				if vals == nil {
					vals = map[string]*expr.AV{}
				}
				vals[ph] = v
			}
		}
	}
	return names, vals
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func joinAnd(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ") AND (") + ")"
}

func parseStatement(stmt *string, params []*expr.AV) (*partiql.Statement, error) {
	st, err := partiql.Parse(api.ToString(stmt), params)
	if err != nil {
		var pe *partiql.Error
		if errors.As(err, &pe) {
			return nil, validationMsg(pe.Msg)
		}
		return nil, err
	}
	return st, nil
}

// keyFromWhere takes the key attributes' equalities out of a WHERE clause: the
// key, and the remaining conjuncts.
func keyFromWhere(t *tableMeta, st *partiql.Statement) (expr.Item, []string, error) {
	key := expr.Item{}
	var rest []string
	for _, c := range st.Conjuncts {
		if c.Op == "=" && t.isKey(c.Attr) && key[c.Attr] == nil {
			key[c.Attr] = c.Args[0]
			continue
		}
		rest = append(rest, c.Text)
	}
	if key[t.Hash] == nil || (t.Range != "" && key[t.Range] == nil) {
		return nil, nil, validation("Where clause does not contain a mandatory equality on all key attributes")
	}
	return key, rest, nil
}

// ExecuteStatement runs one PartiQL statement.
func (s *Service) ExecuteStatement(ctx context.Context, in *ddb.ExecuteStatementInput) (*ddb.ExecuteStatementOutput, error) {
	st, err := parseStatement(in.Statement, in.Parameters)
	if err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	if err := checkName("tableName", st.Table, true); err != nil {
		return nil, err
	}
	t, err := s.getTable(sc, st.Table)
	if err != nil {
		return nil, err
	}
	out := &ddb.ExecuteStatementOutput{Items: []map[string]*ddb.AttributeValue{}}
	switch st.Kind {
	case "SELECT":
		return s.partiqlSelect(ctx, t, st, in)
	case "INSERT":
		_, err = s.PutItem(ctx, &ddb.PutItemInput{TableName: &st.Table, Item: st.Item,
			ConditionExpression: api.String("attribute_not_exists(#k)"), ExpressionAttributeNames: map[string]string{"#k": t.Hash}})
		var ccf *ddb.ConditionalCheckFailedException
		if errors.As(err, &ccf) {
			return nil, &ddb.DuplicateItemException{Message: api.String("Duplicate primary key exists in table")}
		}
	case "UPDATE":
		key, rest, kerr := keyFromWhere(t, st)
		if kerr != nil {
			return nil, kerr
		}
		cond := joinAnd(append([]string{"attribute_exists(" + st.NameOf(t.Hash) + ")"}, rest...))
		names, vals := usedOnly(st, st.Update, cond)
		_, err = s.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: &st.Table, Key: key, UpdateExpression: &st.Update,
			ConditionExpression: &cond, ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
			ReturnValuesOnConditionCheckFailure: in.ReturnValuesOnConditionCheckFailure})
	case "DELETE":
		key, rest, kerr := keyFromWhere(t, st)
		if kerr != nil {
			return nil, kerr
		}
		cond := joinAnd(rest)
		names, vals := usedOnly(st, cond)
		_, err = s.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: &st.Table, Key: key, ConditionExpression: optString(cond),
			ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
			ReturnValuesOnConditionCheckFailure: in.ReturnValuesOnConditionCheckFailure})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// partiqlSelect runs a SELECT as a Query when the WHERE clause pins the
// partition key with an equality, else as a Scan.
func (s *Service) partiqlSelect(ctx context.Context, t *tableMeta, st *partiql.Statement, in *ddb.ExecuteStatementInput) (*ddb.ExecuteStatementOutput, error) {
	src, err := resolveSource(t, optString(st.Index), api.ToBool(in.ConsistentRead))
	if err != nil {
		return nil, err
	}
	var start expr.Item
	if in.NextToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err == nil {
			err = json.Unmarshal(raw, &start)
		}
		if err != nil {
			return nil, validation("Invalid NextToken")
		}
	}
	var keyParts, rest []string
	usedKey := map[string]bool{}
	for _, h := range src.hashes() {
		for _, c := range st.Conjuncts {
			if c.Attr == h && c.Op == "=" && !usedKey[c.Text] {
				keyParts = append(keyParts, c.Text)
				usedKey[c.Text] = true
				break
			}
		}
	}
	hashesPinned := len(keyParts) == len(src.hashes())
	if hashesPinned {
		for _, r := range src.ranges() {
			for _, c := range st.Conjuncts {
				if c.Attr == r && c.Op != "" && !usedKey[c.Text] {
					keyParts = append(keyParts, c.Text)
					usedKey[c.Text] = true
					break
				}
			}
			break // one range condition: the first range attribute's
		}
	}
	for _, c := range st.Conjuncts {
		if !usedKey[c.Text] {
			rest = append(rest, c.Text)
		}
	}
	filter := joinAnd(rest)
	var items []expr.Item
	var last expr.Item
	if hashesPinned {
		keyCond := strings.Join(keyParts, " AND ")
		names, vals := usedOnly(st, keyCond, filter, st.Projection)
		q, err := s.Query(ctx, &ddb.QueryInput{TableName: &st.Table, IndexName: optString(st.Index), KeyConditionExpression: &keyCond,
			FilterExpression: optString(filter), ProjectionExpression: optString(st.Projection), ExpressionAttributeNames: names,
			ExpressionAttributeValues: vals, Limit: in.Limit, ExclusiveStartKey: start, ConsistentRead: in.ConsistentRead})
		if err != nil {
			return nil, err
		}
		items, last = q.Items, q.LastEvaluatedKey
	} else {
		names, vals := usedOnly(st, filter, st.Projection)
		r, err := s.Scan(ctx, &ddb.ScanInput{TableName: &st.Table, IndexName: optString(st.Index), FilterExpression: optString(filter),
			ProjectionExpression: optString(st.Projection), ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
			Limit: in.Limit, ExclusiveStartKey: start, ConsistentRead: in.ConsistentRead})
		if err != nil {
			return nil, err
		}
		items, last = r.Items, r.LastEvaluatedKey
	}
	out := &ddb.ExecuteStatementOutput{Items: items}
	if last != nil {
		raw, _ := json.Marshal(last)
		out.NextToken = api.String(base64.RawURLEncoding.EncodeToString(raw))
		out.LastEvaluatedKey = last
	}
	return out, nil
}

// BatchExecuteStatement runs up to 25 statements, each on its own: all reads
// (each a GetItem by full key) or all writes.
func (s *Service) BatchExecuteStatement(ctx context.Context, in *ddb.BatchExecuteStatementInput) (*ddb.BatchExecuteStatementOutput, error) {
	out := &ddb.BatchExecuteStatementOutput{}
	sc := scopeOf(ctx)
	for _, bs := range in.Statements {
		resp := &ddb.BatchStatementResponse{}
		out.Responses = append(out.Responses, resp)
		st, err := parseStatement(bs.Statement, bs.Parameters)
		if err == nil {
			resp.TableName = api.String(st.Table)
			var t *tableMeta
			if t, err = s.getTable(sc, st.Table); err == nil {
				if st.Kind == "SELECT" {
					var key expr.Item
					if key, _, err = keyFromWhere(t, st); err == nil {
						var g *ddb.GetItemOutput
						names, _ := usedOnly(st, st.Projection)
						g, err = s.GetItem(ctx, &ddb.GetItemInput{TableName: &st.Table, Key: key, ProjectionExpression: optString(st.Projection),
							ExpressionAttributeNames: names, ConsistentRead: bs.ConsistentRead})
						if err == nil {
							resp.Item = g.Item
						}
					}
				} else {
					_, err = s.ExecuteStatement(ctx, &ddb.ExecuteStatementInput{Statement: bs.Statement, Parameters: bs.Parameters,
						ReturnValuesOnConditionCheckFailure: bs.ReturnValuesOnConditionCheckFailure})
				}
			}
		}
		if err != nil {
			resp.Error = batchError(err)
		}
	}
	return out, nil
}

func batchError(err error) *ddb.BatchStatementError {
	var ae api.Error
	if !errors.As(err, &ae) {
		return &ddb.BatchStatementError{Code: api.String("InternalServerError"), Message: api.String("Internal server error")}
	}
	e := &ddb.BatchStatementError{Code: api.String(ae.ErrorCode()), Message: api.String(ae.Error())}
	switch v := err.(type) {
	case *api.Err:
		e.Message = api.String(v.Message)
	case *ddb.ConditionalCheckFailedException:
		e.Code, e.Message, e.Item = api.String("ConditionalCheckFailed"), v.Message, v.Item
	case *ddb.ResourceNotFoundException:
		e.Message = v.Message
	case *ddb.DuplicateItemException:
		e.Code, e.Message = api.String("DuplicateItem"), v.Message
	}
	return e
}

// ExecuteTransaction runs PartiQL statements as one TransactWriteItems (or,
// when all are SELECTs, one TransactGetItems).
func (s *Service) ExecuteTransaction(ctx context.Context, in *ddb.ExecuteTransactionInput) (*ddb.ExecuteTransactionOutput, error) {
	sc := scopeOf(ctx)
	var writes []*ddb.TransactWriteItem
	var gets []*ddb.TransactGetItem
	for _, ps := range in.TransactStatements {
		st, err := parseStatement(ps.Statement, ps.Parameters)
		if err != nil {
			return nil, err
		}
		t, err := s.getTable(sc, st.Table)
		if err != nil {
			return nil, err
		}
		switch st.Kind {
		case "SELECT":
			key, _, err := keyFromWhere(t, st)
			if err != nil {
				return nil, err
			}
			names, _ := usedOnly(st, st.Projection)
			gets = append(gets, &ddb.TransactGetItem{Get: &ddb.Get{TableName: &st.Table, Key: key,
				ProjectionExpression: optString(st.Projection), ExpressionAttributeNames: names}})
		case "INSERT":
			writes = append(writes, &ddb.TransactWriteItem{Put: &ddb.Put{TableName: &st.Table, Item: st.Item,
				ConditionExpression: api.String("attribute_not_exists(#k)"), ExpressionAttributeNames: map[string]string{"#k": t.Hash},
				ReturnValuesOnConditionCheckFailure: ps.ReturnValuesOnConditionCheckFailure}})
		case "UPDATE":
			key, rest, err := keyFromWhere(t, st)
			if err != nil {
				return nil, err
			}
			cond := joinAnd(append([]string{"attribute_exists(" + st.NameOf(t.Hash) + ")"}, rest...))
			names, vals := usedOnly(st, st.Update, cond)
			writes = append(writes, &ddb.TransactWriteItem{Update: &ddb.Update{TableName: &st.Table, Key: key, UpdateExpression: &st.Update,
				ConditionExpression: &cond, ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
				ReturnValuesOnConditionCheckFailure: ps.ReturnValuesOnConditionCheckFailure}})
		case "DELETE":
			key, rest, err := keyFromWhere(t, st)
			if err != nil {
				return nil, err
			}
			cond := joinAnd(rest)
			names, vals := usedOnly(st, cond)
			writes = append(writes, &ddb.TransactWriteItem{Delete: &ddb.Delete{TableName: &st.Table, Key: key, ConditionExpression: optString(cond),
				ExpressionAttributeNames: names, ExpressionAttributeValues: vals, ReturnValuesOnConditionCheckFailure: ps.ReturnValuesOnConditionCheckFailure}})
		}
	}
	if len(gets) > 0 && len(writes) > 0 {
		return nil, validation("Transaction must contain either all read statements or all write statements")
	}
	if len(gets) > 0 {
		g, err := s.TransactGetItems(ctx, &ddb.TransactGetItemsInput{TransactItems: gets, ReturnConsumedCapacity: in.ReturnConsumedCapacity})
		if err != nil {
			return nil, err
		}
		return &ddb.ExecuteTransactionOutput{Responses: g.Responses, ConsumedCapacity: g.ConsumedCapacity}, nil
	}
	w, err := s.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: writes, ClientRequestToken: in.ClientRequestToken,
		ReturnConsumedCapacity: in.ReturnConsumedCapacity})
	if err != nil {
		return nil, err
	}
	return &ddb.ExecuteTransactionOutput{ConsumedCapacity: w.ConsumedCapacity}, nil
}
