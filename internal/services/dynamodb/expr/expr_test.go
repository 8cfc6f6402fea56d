package expr

import (
	"testing"
)

func s(v string) *AV { return &AV{S: &v} }
func n(v string) *AV { return &AV{N: &v} }

func TestNumbers(t *testing.T) {
	cases := []struct{ in, want string }{
		{"1", "1"}, {"01.00", "1"}, {"-0", "0"}, {"1e2", "100"}, {"1.5E-3", "0.0015"},
		{"-12.340", "-12.34"}, {"+7", "7"}, {".5", "0.5"}, {"123456789012345678901234567890.12345678", "123456789012345678901234567890.12345678"},
	}
	for _, c := range cases {
		d, err := ParseNumber(c.in)
		if err != nil {
			t.Errorf("ParseNumber(%q) error %v", c.in, err)
			continue
		}
		if got := d.String(); got != c.want {
			t.Errorf("ParseNumber(%q).String() = %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"", "abc", "1e", "--1", "1.2.3", "0x10", "1e126", "1e-131", "1234567890123456789012345678901234567890", " 1", "1 "} {
		if _, err := ParseNumber(bad); err == nil {
			t.Errorf("ParseNumber(%q) = nil error, want one", bad)
		}
	}
	a, _ := ParseNumber("0.1")
	b, _ := ParseNumber("-0.3")
	sum, _ := a.Add(b)
	if got, want := sum.String(), "-0.2"; got != want {
		t.Errorf("0.1 + -0.3 = %s, want %s", got, want)
	}
	if a.Cmp(b) != 1 || b.Cmp(a) != -1 {
		t.Errorf("Cmp order wrong")
	}
}

func TestConditions(t *testing.T) {
	item := Item{"a": n("5"), "s": s("hello"), "l": {L: []*AV{n("1"), s("x")}}, "m": {M: map[string]*AV{"k": s("v")}}, "ss": {SS: []string{"p", "q"}}, "ss2": {SS: []string{"p", "q"}}}
	vals := map[string]*AV{":five": n("5.0"), ":one": n("1"), ":ten": n("10"), ":he": s("he"), ":x": s("x"), ":p": s("p"), ":S": s("S")}
	cases := []struct {
		expr string
		want bool
	}{
		{"a = :five", true}, {"a <> :five", false}, {"a < :ten AND a > :one", true},
		{"a BETWEEN :one AND :ten", true}, {"a IN (:one, :ten)", false}, {"a IN (:one, :five)", true},
		{"begins_with(s, :he)", true}, {"contains(l, :x)", true}, {"contains(ss, :p)", true},
		{"attribute_exists(m.k)", true}, {"attribute_not_exists(m.z)", true}, {"attribute_type(s, :S)", true},
		{"size(s) = :five", true}, {"NOT (a = :one) AND (s = :x OR l[1] = :x)", true},
		{"nope = :one", false}, {"nope <> :one", true}, {"#n = :five", true},
	}
	for _, c := range cases {
		ctx := NewContext(map[string]string{"#n": "a"}, vals)
		cond, err := ParseCondition(ctx, c.expr)
		if err != nil {
			t.Errorf("ParseCondition(%q) error %v", c.expr, err)
			continue
		}
		if got := Eval(cond, item); got != c.want {
			t.Errorf("Eval(%q) = %v, want %v", c.expr, got, c.want)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	vals := map[string]*AV{":v": n("1"), ":w": n("2")}
	cases := []struct{ expr, want string }{
		{"a = :nope", "An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"#x = :v", "An expression attribute name used in the document path is not defined; attribute name: #x"},
		{"name = :v", "Attribute name is a reserved keyword; reserved keyword: name"},
		{"foo(a)", "Invalid function name; function: foo"},
		{"attribute_exists(a, b)", "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"a = a", "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
		{"a BETWEEN :w AND :v", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"},
		{"size(a)", "The function is not allowed to be used this way in an expression; function: size"},
		{"", "The expression can not be empty;"},
	}
	for _, c := range cases {
		_, err := ParseCondition(NewContext(nil, vals), c.expr)
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseCondition(%q) error = %v, want %q", c.expr, err, c.want)
		}
	}
	if _, err := ParseCondition(NewContext(nil, vals), "a = = :v"); err == nil {
		t.Errorf("syntax error not reported")
	}
}

func TestUpdate(t *testing.T) {
	item := Item{"a": n("5"), "l": {L: []*AV{n("1"), n("2"), n("3")}}, "m": {M: map[string]*AV{}}, "ss": {SS: []string{"p", "q"}}, "ss2": {SS: []string{"p", "q"}}}
	vals := map[string]*AV{":one": n("1"), ":l": {L: []*AV{s("z")}}, ":ss": {SS: []string{"q", "r"}}, ":d": {SS: []string{"p"}}}
	ctx := NewContext(nil, vals)
	u, err := ParseUpdate(ctx, "SET a = a + :one, b = if_not_exists(b, :one), l = list_append(l, :l), m.k = :one REMOVE zz ADD ss :ss DELETE ss2 :d")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Apply(u, CopyItem(item))
	if err != nil {
		t.Fatal(err)
	}
	if *got["a"].N != "6" || *got["b"].N != "1" || len(got["l"].L) != 4 || *got["m"].M["k"].N != "1" {
		t.Errorf("Apply = %v", got)
	}
	if !Equal(got["ss"], &AV{SS: []string{"p", "q", "r"}}) || !Equal(got["ss2"], &AV{SS: []string{"q"}}) {
		t.Errorf("ss = %v, want [q r]", got["ss"].SS)
	}
	_, err = ParseUpdate(NewContext(nil, vals), "SET a = :one, a.b = :one")
	if err == nil || err.Error() != "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]" {
		t.Errorf("overlap error = %v", err)
	}
	u, _ = ParseUpdate(NewContext(nil, vals), "SET x = nope + :one")
	if _, err := Apply(u, CopyItem(item)); err != ErrMissingOperand {
		t.Errorf("missing operand error = %v", err)
	}
}

func TestProject(t *testing.T) {
	item := Item{"a": n("1"), "l": {L: []*AV{n("0"), n("1"), n("2")}}, "m": {M: map[string]*AV{"x": n("1"), "y": n("2")}}}
	paths, err := ParseProjection(NewContext(nil, nil), "l[2], l[0], m.y, zz")
	if err != nil {
		t.Fatal(err)
	}
	got := Project(item, paths)
	want := Item{"l": {L: []*AV{n("0"), n("2")}}, "m": {M: map[string]*AV{"y": n("2")}}}
	if len(got) != 2 || !Equal(got["l"], want["l"]) || !Equal(got["m"], want["m"]) {
		t.Errorf("Project = %v, want %v", got, want)
	}
}

// More conditions, as DynamoDB evaluates them.
func TestConditionSemantics(t *testing.T) {
	tr := true
	item := Item{
		"n": n("10"), "s": s("abc"), "b": {B: []byte("xyz")}, "t": {BOOL: &tr}, "z": {NULL: &tr},
		"ns": {NS: []string{"1", "2"}}, "l": {L: []*AV{s("a"), {M: map[string]*AV{"k": n("1")}}}},
		"m": {M: map[string]*AV{"nest": {M: map[string]*AV{"deep": s("v")}}}},
	}
	vals := map[string]*AV{":n": n("10.0"), ":s": s("abc"), ":b": {B: []byte("xy")}, ":one": n("1"), ":N": s("N"),
		":M": s("M"), ":v": s("v"), ":list": {L: []*AV{s("a")}}, ":str": s("b")}
	cases := []struct {
		expr string
		want bool
	}{
		{"n = :n", true},             // numbers compare by value
		{"n < :s", false},            // mixed types never compare true
		{"begins_with(b, :b)", true}, // binary prefixes
		{"contains(ns, :one)", true}, // number sets
		{"contains(s, :str)", true},  // substrings
		{"attribute_type(n, :N) AND attribute_type(m, :M)", true},
		{"m.nest.deep = :v", true},                  // nested maps
		{"l[1].k = :one", true},                     // list element then map key
		{"size(l) = :one OR size(ns) > :one", true}, // sizes of lists and sets
		{"size(n) > :one", false},                   // numbers have no size: false, not an error
		{"NOT attribute_exists(nope) AND attribute_exists(z)", true},
		{"(n = :n) AND (s = :s OR s = :str)", true},
		{"n BETWEEN :one AND :n", true},
		{"n IN (:one, :n)", true},
		{"l = :list", false}, // whole lists compare element by element
	}
	for _, c := range cases {
		cond, err := ParseCondition(NewContext(nil, vals), c.expr)
		if err != nil {
			t.Errorf("ParseCondition(%q) error %v", c.expr, err)
			continue
		}
		if got := Eval(cond, item); got != c.want {
			t.Errorf("Eval(%q) = %v, want %v", c.expr, got, c.want)
		}
	}
}

// Syntax and semantic errors of updates, in DynamoDB's words.
func TestUpdateErrors(t *testing.T) {
	vals := map[string]*AV{":v": n("1"), ":s": s("x"), ":l": {L: []*AV{}}}
	cases := []struct{ expr, want string }{
		{"SET a = :v SET b = :v", `The "SET" section can only be used once in an update expression;`},
		{"SET a = :v, a = :v", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"SET a[1] = :v, a.b = :v", "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, b]"},
		{"ADD a :s", "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
		{"SET a = foo(b)", "Invalid function name; function: foo"},
		{"SET a = list_append(:v, :l)", "Incorrect operand type for operator or function; operator or function: list_append, operand type: N"},
		{"SET a = :s + :v", "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
	}
	for _, c := range cases {
		_, err := ParseUpdate(NewContext(nil, vals), c.expr)
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseUpdate(%q) error = %v, want %q", c.expr, err, c.want)
		}
	}
	for _, bad := range []string{"SET", "SET a", "SET a =", "REMOVE", "a = :v", "SET _a = :v", "SET a = (:v"} {
		if _, err := ParseUpdate(NewContext(nil, vals), bad); err == nil {
			t.Errorf("ParseUpdate(%q) = nil error, want a syntax error", bad)
		}
	}
}

// Runtime rules of updates: arithmetic on missing attributes, list index past
// the end, removing list elements by their original indexes.
func TestApplyRules(t *testing.T) {
	vals := map[string]*AV{":one": n("1"), ":x": s("x"), ":y": s("y")}
	item := func() Item { return Item{"l": {L: []*AV{s("0"), s("1"), s("2"), s("3")}}, "n": n("5")} }
	cases := []struct {
		upd, check string
		want       *AV
		err        error
	}{
		{"SET l[10] = :x", "l[4]", s("x"), nil},
		{"REMOVE l[1], l[2]", "l[1]", s("3"), nil},
		{"SET n = n - :one", "n", n("4"), nil},
		{"SET q = nope + :one", "", nil, ErrMissingOperand},
		{"SET q.r = :x", "", nil, ErrInvalidPath},
		{"ADD l :one", "", nil, ErrOperandType},
		{"SET l[1] = :y, l[0] = :x", "l[0]", s("x"), nil},
	}
	for _, c := range cases {
		u, err := ParseUpdate(NewContext(nil, vals), c.upd)
		if err != nil {
			t.Errorf("ParseUpdate(%q) error %v", c.upd, err)
			continue
		}
		got, err := Apply(u, item())
		if err != c.err {
			t.Errorf("Apply(%q) error = %v, want %v", c.upd, err, c.err)
			continue
		}
		if c.check == "" {
			continue
		}
		paths, _ := ParseProjection(NewContext(nil, nil), c.check)
		if v := Resolve(got, paths[0]); !Equal(v, c.want) {
			t.Errorf("Apply(%q): %s = %v, want %v", c.upd, c.check, Describe(v), Describe(c.want))
		}
	}
}
