package dynamodb

import (
	"github.com/fogbank/fogbank/internal/lazy"
	"sort"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
)

// The legacy (pre-expression) parameters are translated into the same condition
// and update trees the expressions parse into.

var opArgs = lazy.Value[map[string][2]int]{New: func() map[string][2]int {
	return map[string][2]int{
		"EQ": {1, 1}, "NE": {1, 1}, "LE": {1, 1}, "LT": {1, 1}, "GE": {1, 1}, "GT": {1, 1},
		"NOT_NULL": {0, 0}, "NULL": {0, 0}, "CONTAINS": {1, 1}, "NOT_CONTAINS": {1, 1},
		"BEGINS_WITH": {1, 1}, "IN": {1, 1 << 30}, "BETWEEN": {2, 2},
	}
}}

var opTypes = lazy.Value[map[string][]string]{New: func() map[string][]string {
	return map[string][]string{
		"EQ": {"S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M"}, "NE": {"S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M"},
		"LE": {"S", "N", "B"}, "LT": {"S", "N", "B"}, "GE": {"S", "N", "B"}, "GT": {"S", "N", "B"},
		"CONTAINS": {"S", "N", "B"}, "NOT_CONTAINS": {"S", "N", "B"}, "BEGINS_WITH": {"S", "B"},
		"IN": {"S", "N", "B"}, "BETWEEN": {"S", "N", "B"},
	}
}}

func pathOp(name string) *expr.Operand {
	return &expr.Operand{Kind: expr.OpPath, Path: expr.Path{{Name: name}}}
}

func valOp(v *expr.AV) *expr.Operand { return &expr.Operand{Kind: expr.OpValue, Value: v} }

// legacyCond builds the condition of one attribute's comparison.
func legacyCond(name, op string, vals []*expr.AV) (*expr.Cond, error) {
	n, ok := opArgs.Get()[op]
	if !ok {
		return nil, validation("1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]", op)
	}
	for _, v := range vals {
		if err := checkValue(v, 0); err != nil {
			return nil, err
		}
	}
	if len(vals) < n[0] || len(vals) > n[1] {
		return nil, invalidParam("Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	if len(vals) > 0 {
		t0 := expr.TypeOf(vals[0])
		for _, v := range vals[1:] {
			if expr.TypeOf(v) != t0 {
				return nil, invalidParam("AttributeValues inside AttributeValueList must be of same type")
			}
		}
		if ts, ok := opTypes.Get()[op]; ok {
			for _, v := range vals {
				found := false
				for _, t := range ts {
					if t == expr.TypeOf(v) {
						found = true
					}
				}
				if !found {
					return nil, invalidParam("ComparisonOperator %s is not valid for %s AttributeValue type", op, expr.TypeOf(v))
				}
			}
		}
	}
	p := pathOp(name)
	cmp := func(o string) *expr.Cond {
		return &expr.Cond{Kind: expr.CondCmp, Op: o, Args: []*expr.Operand{p, valOp(vals[0])}}
	}
	switch op {
	case "EQ":
		return cmp("="), nil
	case "NE":
		return cmp("<>"), nil
	case "LE":
		return cmp("<="), nil
	case "LT":
		return cmp("<"), nil
	case "GE":
		return cmp(">="), nil
	case "GT":
		return cmp(">"), nil
	case "NOT_NULL":
		return &expr.Cond{Kind: expr.CondFunc, Op: "attribute_exists", Args: []*expr.Operand{p}}, nil
	case "NULL":
		return &expr.Cond{Kind: expr.CondFunc, Op: "attribute_not_exists", Args: []*expr.Operand{p}}, nil
	case "CONTAINS":
		return &expr.Cond{Kind: expr.CondFunc, Op: "contains", Args: []*expr.Operand{p, valOp(vals[0])}}, nil
	case "NOT_CONTAINS":
		// NOT_CONTAINS is true only for an attribute that exists.
		return &expr.Cond{Kind: expr.CondAnd,
			Left:  &expr.Cond{Kind: expr.CondFunc, Op: "attribute_exists", Args: []*expr.Operand{p}},
			Right: &expr.Cond{Kind: expr.CondNot, Left: &expr.Cond{Kind: expr.CondFunc, Op: "contains", Args: []*expr.Operand{p, valOp(vals[0])}}}}, nil
	case "BEGINS_WITH":
		return &expr.Cond{Kind: expr.CondFunc, Op: "begins_with", Args: []*expr.Operand{p, valOp(vals[0])}}, nil
	case "IN":
		args := []*expr.Operand{p}
		for _, v := range vals {
			args = append(args, valOp(v))
		}
		return &expr.Cond{Kind: expr.CondIn, Op: "IN", Args: args}, nil
	case "BETWEEN":
		if c, ok := expr.Compare(vals[0], vals[1]); ok && c > 0 {
			return nil, validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
		}
		return &expr.Cond{Kind: expr.CondBetween, Op: "BETWEEN", Args: []*expr.Operand{p, valOp(vals[0]), valOp(vals[1])}}, nil
	}
	return nil, nil
}

func combine(conds []*expr.Cond, op *string) *expr.Cond {
	var out *expr.Cond
	kind := expr.CondAnd
	if api.ToString(op) == "OR" {
		kind = expr.CondOr
	}
	for _, c := range conds {
		if out == nil {
			out = c
		} else {
			out = &expr.Cond{Kind: kind, Left: out, Right: c}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// expectedCond translates Expected.
func expectedCond(exp map[string]*ddb.ExpectedAttributeValue, op *string) (*expr.Cond, error) {
	if exp == nil {
		if op != nil {
			return nil, validation("ConditionalOperator can only be used when Filter or Expected conditions have been specified")
		}
		return nil, nil
	}
	if len(exp) == 0 && op != nil {
		return nil, validation("ConditionalOperator can only be used when Filter or Expected conditions have been specified")
	}
	var conds []*expr.Cond
	for _, name := range sortedKeys(exp) {
		e := exp[name]
		if e == nil {
			e = &ddb.ExpectedAttributeValue{}
		}
		if e.AttributeValueList != nil && e.Value != nil {
			return nil, invalidParam("Value and AttributeValueList cannot be used together for Attribute: %s", name)
		}
		if e.ComparisonOperator != nil {
			if e.Exists != nil {
				return nil, invalidParam("Exists and ComparisonOperator cannot be used together for Attribute: %s", name)
			}
			cop := *e.ComparisonOperator
			vals := e.AttributeValueList
			if e.Value != nil {
				vals = []*expr.AV{e.Value}
			}
			if cop != "NULL" && cop != "NOT_NULL" && e.AttributeValueList == nil && e.Value == nil {
				return nil, invalidParam("Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", cop, name)
			}
			c, err := legacyCond(name, cop, vals)
			if err != nil {
				return nil, err
			}
			conds = append(conds, c)
			continue
		}
		if e.AttributeValueList != nil {
			return nil, invalidParam("AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", name)
		}
		exists := e.Exists == nil || *e.Exists
		if exists && e.Value == nil {
			ex := "null"
			if e.Exists != nil {
				ex = "true"
			}
			return nil, invalidParam("Value must be provided when Exists is %s for Attribute: %s", ex, name)
		}
		if !exists && e.Value != nil {
			return nil, invalidParam("Value cannot be used when Exists is false for Attribute: %s", name)
		}
		if !exists {
			conds = append(conds, &expr.Cond{Kind: expr.CondFunc, Op: "attribute_not_exists", Args: []*expr.Operand{pathOp(name)}})
			continue
		}
		if err := checkValue(e.Value, 0); err != nil {
			return nil, err
		}
		conds = append(conds, &expr.Cond{Kind: expr.CondCmp, Op: "=", Args: []*expr.Operand{pathOp(name), valOp(e.Value)}})
	}
	return combine(conds, op), nil
}

// filterCond translates QueryFilter, ScanFilter or KeyConditions.
func filterCond(m map[string]*ddb.Condition, op *string) (*expr.Cond, error) {
	if m == nil {
		return nil, nil
	}
	var conds []*expr.Cond
	for _, name := range sortedKeys(m) {
		c := m[name]
		if c == nil {
			continue
		}
		lc, err := legacyCond(name, api.ToString(c.ComparisonOperator), c.AttributeValueList)
		if err != nil {
			return nil, err
		}
		conds = append(conds, lc)
	}
	return combine(conds, op), nil
}

// attributeUpdates translates AttributeUpdates into an update.
func attributeUpdates(m map[string]*ddb.AttributeValueUpdate) (*expr.Update, error) {
	u := &expr.Update{}
	for _, name := range sortedKeys(m) {
		a := m[name]
		if a == nil {
			a = &ddb.AttributeValueUpdate{}
		}
		if err := checkAttrName(name); err != nil {
			return nil, err
		}
		p := expr.Path{{Name: name}}
		action := api.ToString(a.Action)
		if action == "" {
			action = "PUT"
		}
		if a.Value != nil {
			if err := checkValue(a.Value, 0); err != nil {
				return nil, err
			}
		}
		switch action {
		case "PUT":
			if a.Value == nil {
				return nil, invalidParam("Only DELETE action is allowed when no attribute value is specified")
			}
			u.Set = append(u.Set, expr.SetAction{Path: p, Value: valOp(a.Value)})
		case "DELETE":
			if a.Value == nil {
				u.Remove = append(u.Remove, p)
				continue
			}
			switch expr.TypeOf(a.Value) {
			case "SS", "NS", "BS":
			default:
				return nil, invalidParam("DELETE action with value is not supported for the type %s", expr.TypeOf(a.Value))
			}
			u.Delete = append(u.Delete, expr.SetAction{Path: p, Value: valOp(a.Value)})
		case "ADD":
			if a.Value == nil {
				return nil, invalidParam("Only DELETE action is allowed when no attribute value is specified")
			}
			switch expr.TypeOf(a.Value) {
			case "N", "SS", "NS", "BS", "L":
			default:
				return nil, invalidParam("ADD action is not supported for the type %s", expr.TypeOf(a.Value))
			}
			if a.Value.L != nil {
				// ADD of a list appends to it.
				u.Set = append(u.Set, expr.SetAction{Path: p, Value: &expr.Operand{Kind: expr.OpListAppend, Args: []*expr.Operand{
					{Kind: expr.OpIfNotExists, Args: []*expr.Operand{{Kind: expr.OpPath, Path: p}, valOp(&expr.AV{L: []*expr.AV{}})}},
					valOp(a.Value)}}})
				continue
			}
			u.Add = append(u.Add, expr.SetAction{Path: p, Value: valOp(a.Value)})
		}
	}
	return u, nil
}

// attributesToGet turns AttributesToGet into projection paths.
func attributesToGet(names []string) ([]expr.Path, error) {
	if names == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	var out []expr.Path
	for _, n := range names {
		if err := checkAttrName(n); err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, invalidParam("Duplicate value in attribute name: %s", n)
		}
		seen[n] = true
		out = append(out, expr.Path{{Name: n}})
	}
	return out, nil
}
