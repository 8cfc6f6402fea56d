package main

import (
	"html"
	"regexp"
	"strings"
)

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// docText turns a model's HTML documentation into plain text for a Go comment:
// its first paragraph, tags dropped, entities decoded, spaces collapsed; with
// sentence set, only the first sentence. Long text is cut at a sentence end.
func docText(doc string, sentence bool) string {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return ""
	}
	// The first paragraph that has text (some open with an empty <p></p>).
	first := ""
	for _, p := range strings.SplitAfter(doc, "</p>") {
		if first = plain(p); first != "" {
			break
		}
	}
	doc = first
	if doc == "" {
		return ""
	}
	if sentence || len(doc) > 400 {
		doc = firstSentence(doc, sentence)
	}
	return doc
}

func plain(s string) string {
	s = tagRE.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	s = spaceRE.ReplaceAllString(s, " ")
	s = strings.TrimSpace(s)
	// Punctuation left alone by a dropped tag ("<code>x</code> ." → "x .").
	for _, p := range []string{" .", " ,", " )", " :", " ;"} {
		s = strings.ReplaceAll(s, p, p[1:])
	}
	return strings.ReplaceAll(s, "( ", "(")
}

// firstSentence cuts s after its first sentence (all of it with only set, at
// most ~400 characters otherwise). "e.g." and "i.e." end no sentence.
func firstSentence(s string, only bool) string {
	out := ""
	for i := 0; i < len(s); i++ {
		if s[i] != '.' || (i+1 < len(s) && s[i+1] != ' ') {
			continue
		}
		before := strings.ToLower(s[:i+1])
		if strings.HasSuffix(before, "e.g.") || strings.HasSuffix(before, "i.e.") || strings.HasSuffix(before, "etc.") && i+2 < len(s) && s[i+2] >= 'a' && s[i+2] <= 'z' {
			continue
		}
		out = s[:i+1]
		if only || len(out) >= 200 {
			return out
		}
	}
	if out != "" && len(s) > 400 {
		return out
	}
	return s
}

// comment formats text as // lines wrapped near width columns, indented by indent.
func comment(text, indent string) string {
	if text == "" {
		return ""
	}
	var b strings.Builder
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(indent)+3+len(line)+1+len(w) > 90 {
			b.WriteString(indent + "// " + line + "\n")
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		b.WriteString(indent + "// " + line + "\n")
	}
	return b.String()
}
