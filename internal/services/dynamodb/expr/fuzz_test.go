package expr

import (
	"testing"
)

// FuzzExpressions parses arbitrary condition, update and projection
// expressions against a fixed set of names and values, and evaluates what
// parses against an item: never a panic, whatever the text.
func FuzzExpressions(f *testing.F) {
	for _, src := range []string{
		"#a = :v AND attribute_exists(b.c[0])",
		"size(#a) > :n OR begins_with(s, :s) AND NOT contains(l, :v)",
		"a BETWEEN :n AND :m",
		"a IN (:v, :n, :s)",
		"SET #a = :v, b = if_not_exists(b, :n) + :m REMOVE c[1] ADD n :n DELETE ss :ss",
		"SET l = list_append(l, :l)",
		"a, b.c[2], #a",
		"attribute_type(a, :s) AND (a <> :v OR a >= :n)",
		"((((((a = :v))))))",
		"a[99999999999999999999] = :v",
	} {
		f.Add(src)
	}
	names := map[string]string{"#a": "a", "#b": "b"}
	values := map[string]*AV{":v": s("x"), ":s": s("S"), ":n": n("1"), ":m": n("2.5"), ":l": {L: []*AV{s("y")}},
		":ss": {SS: []string{"p"}}}
	item := Item{"a": s("x"), "b": {M: map[string]*AV{"c": {L: []*AV{n("3")}}}}, "l": {L: []*AV{s("z")}},
		"n": n("7"), "ss": {SS: []string{"p", "q"}}, "s": s("Start")}
	f.Fuzz(func(t *testing.T, src string) {
		if c, err := ParseCondition(NewContext(names, values), src); err == nil {
			Eval(c, CopyItem(item))
		}
		if u, err := ParseUpdate(NewContext(names, values), src); err == nil {
			Apply(u, CopyItem(item))
		}
		if ps, err := ParseProjection(NewContext(names, values), src); err == nil {
			Project(CopyItem(item), ps)
		}
	})
}
