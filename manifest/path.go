package manifest

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// A Segment is one step of a field path: a mapping key (Key) or a
// sequence index (Index >= 0, Key empty).
type Segment struct {
	Key   string
	Index int
}

// Path is a field path such as spec.template.spec.containers[0].image.
type Path []Segment

// Field returns the path extended by a mapping key.
func (p Path) Field(name string) Path {
	return append(p[:len(p):len(p)], Segment{Key: name, Index: -1})
}

// Item returns the path extended by a sequence index.
func (p Path) Item(i int) Path {
	return append(p[:len(p):len(p)], Segment{Index: i})
}

// HasPrefix reports whether prefix is p or a leading part of it, segment
// by segment: spec.containers[1] is a prefix of spec.containers[1].image
// but not of spec.containers[10].
func (p Path) HasPrefix(prefix Path) bool {
	return len(p) >= len(prefix) && p[:len(prefix)].Equal(prefix)
}

// Equal reports whether p and q have the same segments.
func (p Path) Equal(q Path) bool {
	if len(p) != len(q) {
		return false
	}
	for i := range p {
		if !p[i].equal(q[i]) {
			return false
		}
	}
	return true
}

// equal compares two segments as what they mean: a key (whatever Index a
// literal left it at) or an index.
func (s Segment) equal(t Segment) bool {
	if s.Key != "" || t.Key != "" {
		return s.Key == t.Key
	}
	return s.Index == t.Index || s.Index < 0 && t.Index < 0
}

// Clone returns a copy of p that does not share p's array (nil for an
// empty path).
func (p Path) Clone() Path {
	if len(p) == 0 {
		return nil
	}
	return append(Path(nil), p...)
}

// AppendBinary appends an exact encoding of p to b: per segment a uvarint,
// 2*len(key) followed by the key for a mapping key, 2*index+1 for a list
// index. It is what a findings log stores and what a map keys a path by;
// DecodePath reads it back.
func (p Path) AppendBinary(b []byte) []byte {
	for _, s := range p {
		if s.Key == "" && s.Index >= 0 {
			b = binary.AppendUvarint(b, uint64(s.Index)<<1|1)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(s.Key))<<1)
		b = append(b, s.Key...)
	}
	return b
}

// DecodePath reads what AppendBinary wrote, appending the segments to into
// (which may be nil); keys are substrings of data, not copies. It reports
// false for data AppendBinary cannot have written.
func DecodePath(into Path, data string) (Path, bool) {
	for len(data) > 0 {
		var buf [binary.MaxVarintLen64]byte
		n := copy(buf[:], data)
		v, w := binary.Uvarint(buf[:n])
		if w <= 0 {
			return into, false
		}
		data = data[w:]
		if v&1 == 1 {
			into = append(into, Segment{Index: int(v >> 1)})
			continue
		}
		if v>>1 > uint64(len(data)) {
			return into, false
		}
		k := int(v >> 1)
		into = append(into, Segment{Key: data[:k], Index: -1})
		data = data[k:]
	}
	return into, true
}

// MarshalText renders the path as String does, so that encoding/json
// writes a Path as kvet's output contract has it: "spec.template.spec".
func (p Path) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// String renders the path the way Kubernetes does (field.Path):
// dotted names, [N] for list items and [key] for map keys that are not
// plain identifiers (metadata.annotations[kvet.dev/ignore]). A key that
// would not read back from [key] (one with a ], or quoted itself) is
// written as a Go string in brackets, ["a]b"], which ParsePath reads.
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.Key == "" && s.Index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.Index))
			b.WriteByte(']')
		case !isIdent(s.Key):
			b.WriteByte('[')
			if strings.Contains(s.Key, "]") || quoted(s.Key) {
				b.WriteString(strconv.Quote(s.Key))
			} else {
				b.WriteString(s.Key)
			}
			b.WriteByte(']')
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		}
	}
	return b.String()
}

// quoted reports whether s starts and ends with the same quote, as
// ParsePath's ["key"] and ['key'] forms do.
func quoted(s string) bool {
	return len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0]
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r == '.' || r == '[' || r == ']' || r == '/' || r == ' ' {
			return false
		}
	}
	return true
}

// ParsePath parses a path written as Kubernetes writes field paths:
// a.b[0].c, a[some.key].b, a["some.key"].b. An index in brackets that is
// a non-negative integer is a list index; anything else is a map key.
func ParsePath(s string) (Path, error) {
	var p Path
	i := 0
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			if i == len(s) || s[i] == '.' {
				return nil, fmt.Errorf("invalid field path %q: empty name at offset %d", s, i)
			}
		case '[':
			// A Go string in brackets, as String writes a key with a ]
			// in it: up to its closing quote, escapes and all.
			if q, err := strconv.QuotedPrefix(s[i+1:]); err == nil && q[0] == '"' && strings.HasPrefix(s[i+1+len(q):], "]") {
				key, _ := strconv.Unquote(q)
				p = append(p, Segment{Key: key, Index: -1})
				i += len(q) + 2
				continue
			}
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("invalid field path %q: unclosed [ at offset %d", s, i)
			}
			inner := s[i+1 : i+end]
			if quoted(inner) {
				p = append(p, Segment{Key: inner[1 : len(inner)-1], Index: -1})
			} else if n, err := strconv.Atoi(inner); err == nil && n >= 0 {
				p = append(p, Segment{Index: n})
			} else {
				p = append(p, Segment{Key: inner, Index: -1})
			}
			i += end + 1
		default:
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			p = append(p, Segment{Key: s[i:j], Index: -1})
			i = j
		}
	}
	return p, nil
}

// MustParsePath is ParsePath for constant paths in tests; it panics on a
// malformed path, which is a programming error.
func MustParsePath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// PathFromValues converts a path given as a list of strings and numbers
// (as Rego policies write it) into a Path.
func PathFromValues(vals []any) (Path, error) {
	p := make(Path, 0, len(vals))
	for _, v := range vals {
		var n int
		switch x := v.(type) {
		case string:
			p = append(p, Segment{Key: x, Index: -1})
			continue
		case int:
			n = x
		case int64:
			n = int(x)
		case float64:
			n = int(x)
		case interface{ String() string }: // json.Number and friends
			var err error
			if n, err = strconv.Atoi(x.String()); err != nil {
				return nil, fmt.Errorf("invalid path element %v: want a list index", v)
			}
		default:
			return nil, fmt.Errorf("invalid path element %v (%T): want a string or a number", v, v)
		}
		if n < 0 {
			return nil, fmt.Errorf("invalid path element %v: a list index is 0 or more", v)
		}
		p = append(p, Segment{Index: n})
	}
	return p, nil
}

// pathStack is the field path of the node a walker is at: a segment is
// pushed on the way down and popped on the way back, so a walk allocates
// only the stack itself, once, deep enough for a Kubernetes object. It is
// rendered only when a problem is reported. (A chain of links on the Go
// stack, one per level, moved every link to the heap: escape analysis
// cannot tell a recursive call's frame from its caller's, which cost one
// allocation per node walked.)
type pathStack struct{ segs []Segment }

func (s *pathStack) field(name string) { s.push(Segment{Key: name, Index: -1}) }
func (s *pathStack) item(i int)        { s.push(Segment{Index: i}) }
func (s *pathStack) pop()              { s.segs = s.segs[:len(s.segs)-1] }
func (s *pathStack) root() bool        { return len(s.segs) == 0 }

func (s *pathStack) push(seg Segment) {
	if s.segs == nil {
		s.segs = make([]Segment, 0, 16) // not grown from 1 level by doubling
	}
	s.segs = append(s.segs, seg)
}

func (s *pathStack) String() string { return Path(s.segs).String() }

// Path returns a copy of the path, for a problem to keep.
func (s *pathStack) Path() Path { return Path(s.segs).Clone() }

// CountLines counts lines as YAML does: \n, \r\n and a lone \r each end a
// line.
func CountLines(data []byte) int {
	n := 1
	for i, c := range data {
		if c == '\n' || c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			n++
		}
	}
	return n
}
