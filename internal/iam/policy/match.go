package policy

import "strings"

// Bytes standing for a literal '*' and '?' in a pattern: what ${*} and ${?}
// (and substituted values) become, so that glob does not read them as
// wildcards.
const (
	litStar  = '\x01'
	litQuest = '\x02'
)

// glob says whether s matches pattern, where '*' is any run of characters and
// '?' any one; fold compares letters case-insensitively (ASCII, as action names).
// It allocates nothing: the classic backtracking to the last star.
func glob(pattern, s string, fold bool) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			c := pattern[p]
			switch {
			case c == '*':
				starP, starI = p, i
				p++
				continue
			case c == '?' || eqByte(c, s[i], fold):
				p++
				i++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starI++
		p, i = starP+1, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func eqByte(p, c byte, fold bool) bool {
	switch p {
	case litStar:
		return c == '*'
	case litQuest:
		return c == '?'
	}
	if p == c {
		return true
	}
	if !fold {
		return false
	}
	return lower(p) == lower(c)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// matchAction says whether action ("s3:GetObject") matches a statement's
// pattern ("s3:Get*"): case-insensitively.
func matchAction(pattern, action string) bool {
	if pattern == "*" {
		return true
	}
	return glob(pattern, action, true)
}

// matchARN says whether arn matches pattern, each of the first five
// colon-separated segments on its own (a wildcard does not reach past its
// segment), the resource part (which may hold colons) as a whole.
func matchARN(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	for seg := 0; seg < 5; seg++ {
		pi := strings.IndexByte(pattern, ':')
		ai := strings.IndexByte(arn, ':')
		if pi < 0 || ai < 0 {
			return false
		}
		if !glob(pattern[:pi], arn[:ai], false) {
			return false
		}
		pattern, arn = pattern[pi+1:], arn[ai+1:]
	}
	return glob(pattern, arn, false)
}

// MatchARN says whether arn matches a policy's resource pattern, as Evaluate
// matches them (wildcards within each ARN segment).
func MatchARN(pattern, arn string) bool { return matchARN(pattern, arn) }
