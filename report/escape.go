package report

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Printable returns s with everything that could drive a terminal, or hide
// what a reader sees, written out as an escape: C0 controls (but tab), DEL
// and C1 controls as \x1b or \u009b, Unicode bidirectional controls (which
// reorder what a line shows, "Trojan Source") as \u202e, and bytes that are
// not UTF-8 as \xff. Human formats (text, tap, github) pass every string
// from the input — file names, snippets, messages — through it; JSON and
// SARIF keep the exact strings, escaped by their own syntax.
func Printable(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\t' {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if c >= 0x80 && r != utf8.RuneError && !unsafeRune(r) {
			i += n
			continue
		}
		break
	}
	if i == len(s) {
		return s // the common case: nothing to escape, no copy
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r < 0x20 && r != '\t' || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case unsafeRune(r):
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)) + h)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune reports the non-ASCII runes Printable escapes: C1 controls and
// the bidirectional formatting characters.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1, among them CSI (0x9b)
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // ALM, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	}
	return false
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}
