package expr

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Resolve finds the value at path in item; nil when any step is missing or of
// the wrong type.
func Resolve(item Item, path Path) *AV {
	if len(path) == 0 || path[0].IsIndex {
		return nil
	}
	v := item[path[0].Name]
	for _, e := range path[1:] {
		if v == nil {
			return nil
		}
		if e.IsIndex {
			if v.L == nil || e.Index >= len(v.L) {
				return nil
			}
			v = v.L[e.Index]
		} else {
			if v.M == nil {
				return nil
			}
			v = v.M[e.Name]
		}
	}
	return v
}

// operandValue evaluates a condition operand; nil means "undefined" (a missing
// attribute, or size() of something without a size), which makes any
// comparison false.
func operandValue(item Item, o *Operand) *AV {
	switch o.Kind {
	case OpPath:
		return Resolve(item, o.Path)
	case OpValue:
		return o.Value
	case OpSize:
		v := operandValue(item, o.Args[0])
		n, ok := sizeOf(v)
		if !ok {
			return nil
		}
		s := strconv.Itoa(n)
		return &AV{N: &s}
	}
	return nil
}

func sizeOf(v *AV) (int, bool) {
	switch TypeOf(v) {
	case "S":
		return utf8.RuneCountInString(*v.S), true
	case "B":
		return len(v.B), true
	case "SS":
		return len(v.SS), true
	case "NS":
		return len(v.NS), true
	case "BS":
		return len(v.BS), true
	case "L":
		return len(v.L), true
	case "M":
		return len(v.M), true
	}
	return 0, false
}

// Eval evaluates a condition against item (nil for a missing item).
func Eval(c *Cond, item Item) bool {
	switch c.Kind {
	case CondAnd:
		return Eval(c.Left, item) && Eval(c.Right, item)
	case CondOr:
		return Eval(c.Left, item) || Eval(c.Right, item)
	case CondNot:
		return !Eval(c.Left, item)
	case CondCmp:
		a, b := operandValue(item, c.Args[0]), operandValue(item, c.Args[1])
		if a == nil || b == nil {
			return c.Op == "<>"
		}
		switch c.Op {
		case "=":
			return Equal(a, b)
		case "<>":
			return !Equal(a, b)
		}
		r, ok := Compare(a, b)
		if !ok {
			return false
		}
		switch c.Op {
		case "<":
			return r < 0
		case "<=":
			return r <= 0
		case ">":
			return r > 0
		case ">=":
			return r >= 0
		}
	case CondBetween:
		v, lo, hi := operandValue(item, c.Args[0]), operandValue(item, c.Args[1]), operandValue(item, c.Args[2])
		if v == nil || lo == nil || hi == nil {
			return false
		}
		a, ok1 := Compare(v, lo)
		b, ok2 := Compare(v, hi)
		return ok1 && ok2 && a >= 0 && b <= 0
	case CondIn:
		v := operandValue(item, c.Args[0])
		if v == nil {
			return false
		}
		for _, o := range c.Args[1:] {
			if w := operandValue(item, o); w != nil && Equal(v, w) {
				return true
			}
		}
		return false
	case CondFunc:
		return evalFunc(c, item)
	}
	return false
}

func evalFunc(c *Cond, item Item) bool {
	switch c.Op {
	case "attribute_exists":
		return operandValue(item, c.Args[0]) != nil
	case "attribute_not_exists":
		return operandValue(item, c.Args[0]) == nil
	case "attribute_type":
		v, t := operandValue(item, c.Args[0]), operandValue(item, c.Args[1])
		return v != nil && t != nil && t.S != nil && TypeOf(v) == *t.S
	case "begins_with":
		v, pre := operandValue(item, c.Args[0]), operandValue(item, c.Args[1])
		if v == nil || pre == nil {
			return false
		}
		if v.S != nil && pre.S != nil {
			return strings.HasPrefix(*v.S, *pre.S)
		}
		if v.B != nil && pre.B != nil {
			return bytes.HasPrefix(v.B, pre.B)
		}
		return false
	case "contains":
		v, x := operandValue(item, c.Args[0]), operandValue(item, c.Args[1])
		if v == nil || x == nil {
			return false
		}
		return Contains(v, x)
	}
	return false
}

// Contains is DynamoDB's contains(): substring of a string or binary, member of
// a set (of the matching element type), element of a list.
func Contains(v, x *AV) bool {
	switch TypeOf(v) {
	case "S":
		return x.S != nil && strings.Contains(*v.S, *x.S)
	case "B":
		return x.B != nil && bytes.Contains(v.B, x.B)
	case "SS":
		if x.S == nil {
			return false
		}
		for _, s := range v.SS {
			if s == *x.S {
				return true
			}
		}
	case "NS":
		if x.N == nil {
			return false
		}
		return hasNum(v.NS, *x.N)
	case "BS":
		return x.B != nil && hasBytes(v.BS, x.B)
	case "L":
		for _, e := range v.L {
			if Equal(e, x) {
				return true
			}
		}
	}
	return false
}

// ---- updates ----

// The runtime errors of an update, in DynamoDB's words (after
// "ValidationException: ").
var (
	ErrMissingOperand = &Error{"The provided expression refers to an attribute that does not exist in the item"}
	ErrOperandType    = &Error{"An operand in the update expression has an incorrect data type"}
	ErrInvalidPath    = &Error{"The document path provided in the update expression is invalid for update"}
)

func updValue(item Item, o *Operand) (*AV, error) {
	switch o.Kind {
	case OpPath:
		v := Resolve(item, o.Path)
		if v == nil {
			return nil, ErrMissingOperand
		}
		return v, nil
	case OpValue:
		return o.Value, nil
	case OpIfNotExists:
		if v := Resolve(item, o.Args[0].Path); v != nil {
			return v, nil
		}
		return updValue(item, o.Args[1])
	case OpListAppend:
		a, err := updValue(item, o.Args[0])
		if err != nil {
			return nil, err
		}
		b, err := updValue(item, o.Args[1])
		if err != nil {
			return nil, err
		}
		if a.L == nil || b.L == nil {
			return nil, ErrOperandType
		}
		l := make([]*AV, 0, len(a.L)+len(b.L))
		l = append(append(l, a.L...), b.L...)
		return &AV{L: l}, nil
	case OpPlus, OpMinus:
		a, err := updValue(item, o.Args[0])
		if err != nil {
			return nil, err
		}
		b, err := updValue(item, o.Args[1])
		if err != nil {
			return nil, err
		}
		if a.N == nil || b.N == nil {
			return nil, ErrOperandType
		}
		var r Dec
		if o.Kind == OpPlus {
			r, err = Num(a).Add(Num(b))
		} else {
			r, err = Num(a).Sub(Num(b))
		}
		if err == ErrNumberPrecision {
			return nil, &Error{"Number overflow: the result of the arithmetic is a number with more than 38 significant digits"}
		}
		if err != nil {
			return nil, &Error{err.Error()}
		}
		return NumAV(r), nil
	}
	return nil, ErrOperandType
}

// Apply applies u to item (modified in place; pass a copy) and returns it. The
// right-hand sides of SET are all evaluated against the item as it was.
func Apply(u *Update, item Item) (Item, error) {
	if item == nil {
		item = Item{}
	}
	orig := CopyItem(item)
	vals := make([]*AV, len(u.Set))
	for i, a := range u.Set {
		v, err := updValue(orig, a.Value)
		if err != nil {
			return nil, err
		}
		vals[i] = Copy(v)
	}
	// Elements set past the end of a list are appended in index order.
	order := make([]int, len(u.Set))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool {
		a, b := u.Set[order[x]].Path, u.Set[order[y]].Path
		if len(a) == len(b) && a[len(a)-1].IsIndex && b[len(b)-1].IsIndex && samePath(a[:len(a)-1], b[:len(b)-1]) {
			return a[len(a)-1].Index < b[len(b)-1].Index
		}
		return false
	})
	for _, i := range order {
		if err := setPath(item, u.Set[i].Path, vals[i]); err != nil {
			return nil, err
		}
	}
	// REMOVE list elements from the highest index down, so earlier removals do
	// not shift later ones.
	rem := append([]Path{}, u.Remove...)
	sort.SliceStable(rem, func(i, j int) bool {
		a, b := rem[i], rem[j]
		if len(a) == len(b) && len(a) > 0 && a[len(a)-1].IsIndex && b[len(b)-1].IsIndex && samePath(a[:len(a)-1], b[:len(b)-1]) {
			return a[len(a)-1].Index > b[len(b)-1].Index
		}
		return false
	})
	for _, path := range rem {
		if err := removePath(item, path); err != nil {
			return nil, err
		}
	}
	for _, a := range u.Add {
		cur := Resolve(item, a.Path)
		v := a.Value.Value
		var nv *AV
		switch {
		case cur == nil:
			if TypeOf(v) != "N" && TypeOf(v) != "SS" && TypeOf(v) != "NS" && TypeOf(v) != "BS" {
				return nil, ErrOperandType
			}
			nv = Copy(v)
		case TypeOf(cur) != TypeOf(v):
			return nil, ErrOperandType
		case v.N != nil:
			r, err := Num(cur).Add(Num(v))
			if err != nil {
				return nil, &Error{err.Error()}
			}
			nv = NumAV(r)
		case v.SS != nil:
			nv = &AV{SS: unionStrings(cur.SS, v.SS)}
		case v.NS != nil:
			ns := append([]string{}, cur.NS...)
			for _, x := range v.NS {
				if !hasNum(ns, x) {
					ns = append(ns, x)
				}
			}
			nv = &AV{NS: ns}
		case v.BS != nil:
			bs := append([][]byte{}, cur.BS...)
			for _, x := range v.BS {
				if !hasBytes(bs, x) {
					bs = append(bs, x)
				}
			}
			nv = &AV{BS: bs}
		default:
			return nil, ErrOperandType
		}
		if err := setPath(item, a.Path, nv); err != nil {
			return nil, err
		}
	}
	for _, a := range u.Delete {
		cur := Resolve(item, a.Path)
		v := a.Value.Value
		if cur == nil {
			continue
		}
		if TypeOf(cur) != TypeOf(v) {
			return nil, ErrOperandType
		}
		var nv *AV
		switch {
		case v.SS != nil:
			var out []string
			for _, s := range cur.SS {
				keep := true
				for _, x := range v.SS {
					if s == x {
						keep = false
					}
				}
				if keep {
					out = append(out, s)
				}
			}
			if len(out) > 0 {
				nv = &AV{SS: out}
			}
		case v.NS != nil:
			var out []string
			for _, s := range cur.NS {
				if !hasNum(v.NS, s) {
					out = append(out, s)
				}
			}
			if len(out) > 0 {
				nv = &AV{NS: out}
			}
		case v.BS != nil:
			var out [][]byte
			for _, s := range cur.BS {
				if !hasBytes(v.BS, s) {
					out = append(out, s)
				}
			}
			if len(out) > 0 {
				nv = &AV{BS: out}
			}
		default:
			return nil, ErrOperandType
		}
		if nv == nil {
			if err := removePath(item, a.Path); err != nil {
				return nil, err
			}
		} else if err := setPath(item, a.Path, nv); err != nil {
			return nil, err
		}
	}
	return item, nil
}

func unionStrings(a, b []string) []string {
	out := append([]string{}, a...)
	for _, x := range b {
		found := false
		for _, y := range out {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}

// setPath stores v at path: the parent must exist and have the right type; an
// index past the end of a list appends.
func setPath(item Item, path Path, v *AV) error {
	if len(path) == 1 {
		item[path[0].Name] = v
		return nil
	}
	parent := Resolve(item, path[:len(path)-1])
	last := path[len(path)-1]
	if parent == nil {
		return ErrInvalidPath
	}
	if last.IsIndex {
		if parent.L == nil {
			return ErrInvalidPath
		}
		if last.Index >= len(parent.L) {
			parent.L = append(parent.L, v)
		} else {
			parent.L[last.Index] = v
		}
		return nil
	}
	if parent.M == nil {
		return ErrInvalidPath
	}
	parent.M[last.Name] = v
	return nil
}

func removePath(item Item, path Path) error {
	if len(path) == 1 {
		delete(item, path[0].Name)
		return nil
	}
	parent := Resolve(item, path[:len(path)-1])
	last := path[len(path)-1]
	if parent == nil {
		return ErrInvalidPath
	}
	if last.IsIndex {
		if parent.L == nil {
			return ErrInvalidPath
		}
		if last.Index < len(parent.L) {
			parent.L = append(parent.L[:last.Index:last.Index], parent.L[last.Index+1:]...)
		}
		return nil
	}
	if parent.M == nil {
		return ErrInvalidPath
	}
	delete(parent.M, last.Name)
	return nil
}

// ---- projections ----

// Project returns the part of item the paths name. Elements of a list keep
// their order; missing paths are left out.
func Project(item Item, paths []Path) Item {
	out := Item{}
	for _, p := range paths {
		v := Resolve(item, p)
		if v == nil {
			continue
		}
		top := p[0].Name
		if len(p) == 1 {
			out[top] = v
			continue
		}
		src := item[top]
		dst := out[top]
		if dst == nil {
			dst = emptyLike(src)
			out[top] = dst
		}
		projectInto(dst, src, p[1:])
	}
	// Lists were built from index-tagged elements; finish them.
	for k, v := range out {
		out[k] = finish(v)
	}
	return out
}

func emptyLike(src *AV) *AV {
	if src.M != nil {
		return &AV{M: map[string]*AV{}}
	}
	return &AV{L: []*AV{}}
}

// projectInto copies the value at rest (below src) into dst, which mirrors src.
// Lists are kept as sparse index → value during the walk (in an L of pairs is
// awkward), so dst lists hold placeholder maps tagged with their source index.
func projectInto(dst, src *AV, rest Path) {
	e := rest[0]
	if e.IsIndex {
		child := src.L[e.Index]
		// Find or add the element with this source index, kept sorted.
		idx := -1
		for i, x := range dst.L {
			if x.NULL != nil && x.M != nil && x.M["\x00i"] != nil && *x.M["\x00i"].N == strconv.Itoa(e.Index) {
				idx = i
			}
		}
		if len(rest) == 1 {
			if idx >= 0 {
				dst.L[idx] = tagged(e.Index, child)
			} else {
				dst.L = insertSorted(dst.L, tagged(e.Index, child))
			}
			return
		}
		var d *AV
		if idx >= 0 {
			d = dst.L[idx].M["\x00v"]
		} else {
			d = emptyLike(child)
			dst.L = insertSorted(dst.L, tagged(e.Index, d))
		}
		projectInto(d, child, rest[1:])
		return
	}
	child := src.M[e.Name]
	if len(rest) == 1 {
		dst.M[e.Name] = child
		return
	}
	d := dst.M[e.Name]
	if d == nil {
		d = emptyLike(child)
		dst.M[e.Name] = d
	}
	projectInto(d, child, rest[1:])
}

var trueVal = true

func tagged(i int, v *AV) *AV {
	s := strconv.Itoa(i)
	return &AV{NULL: &trueVal, M: map[string]*AV{"\x00i": {N: &s}, "\x00v": v}}
}

func tagIndex(x *AV) int { n, _ := strconv.Atoi(*x.M["\x00i"].N); return n }

func insertSorted(l []*AV, x *AV) []*AV {
	i := sort.Search(len(l), func(i int) bool { return tagIndex(l[i]) > tagIndex(x) })
	l = append(l, nil)
	copy(l[i+1:], l[i:])
	l[i] = x
	return l
}

// finish replaces the tagged list elements by their values, recursively.
func finish(v *AV) *AV {
	if v == nil {
		return nil
	}
	if v.NULL != nil && v.M != nil && v.M["\x00i"] != nil {
		return finish(v.M["\x00v"])
	}
	if v.L != nil {
		tagged := false
		for _, x := range v.L {
			if x.NULL != nil && x.M != nil && x.M["\x00i"] != nil {
				tagged = true
			}
		}
		if tagged {
			out := make([]*AV, len(v.L))
			for i, x := range v.L {
				out[i] = finish(x)
			}
			return &AV{L: out}
		}
	}
	if v.M != nil {
		needs := false
		for _, x := range v.M {
			if x.M != nil || x.L != nil {
				needs = true
			}
		}
		if needs {
			out := make(map[string]*AV, len(v.M))
			for k, x := range v.M {
				out[k] = finish(x)
			}
			return &AV{M: out}
		}
	}
	return v
}
