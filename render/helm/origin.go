package helm

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kvetdev/kvet/manifest"
)

// origin maps the lines of one template's rendered output back to the
// template (or the values file a value comes from).
//
// The rendered lines are aligned with the template's literal lines (no
// "{{") by a longest common subsequence of their trimmed text. A rendered
// line aligned to a literal line is that line. Another one came from an
// action between the aligned lines around it: the action line whose text
// before "{{" starts the rendered line (image: {{ ... }} for image: x),
// else one with no text before it ({{ toYaml .Values.x | nindent 4 }}).
// When that action reads .Values.a.b, the place is a.b in the values file
// of highest precedence that sets it (a block from toYaml: the key under
// a.b that ends the finding's field path); otherwise the action's line.
// Anything else is the nearest literal line above.
type origin struct {
	run  *chartRun
	tpl  *manifest.Source // nil when the engine's name is not a template
	name string
	text string
	// variant is the value set's name when the chart has several.
	variant string

	once           sync.Once
	rlines, tlines []string
	align          []int // rendered line -> template line, -1 when none (0-based)
}

var valuesRef = regexp.MustCompile(`\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)`)

// maxAlign bounds the alignment's table (rendered x template lines).
const maxAlign = 4 << 20

func (o *origin) init() {
	o.rlines = strings.Split(o.text, "\n")
	if o.tpl != nil {
		o.tlines = strings.Split(string(o.tpl.Data), "\n")
	}
	o.align = make([]int, len(o.rlines))
	for i := range o.align {
		o.align[i] = -1
	}
	n, m := len(o.rlines), len(o.tlines)
	if n == 0 || m == 0 || n*m > maxAlign {
		return
	}
	lit := func(s string) (string, bool) {
		t := strings.TrimSpace(s)
		return t, t != "" && !strings.Contains(s, "{{") && !strings.Contains(s, "}}")
	}
	rk := make([]string, n)
	rok := make([]bool, n)
	for i, l := range o.rlines {
		rk[i], rok[i] = strings.TrimSpace(l), strings.TrimSpace(l) != ""
	}
	tk := make([]string, m)
	tok := make([]bool, m)
	for j, l := range o.tlines {
		tk[j], tok[j] = lit(l)
	}
	// lcs[i][j]: the longest common subsequence of rk[i:] and tk[j:].
	lcs := make([]int32, (n+1)*(m+1))
	at := func(i, j int) *int32 { return &lcs[i*(m+1)+j] }
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case rok[i] && tok[j] && rk[i] == tk[j]:
				*at(i, j) = *at(i+1, j+1) + 1
			case *at(i+1, j) >= *at(i, j+1):
				*at(i, j) = *at(i+1, j)
			default:
				*at(i, j) = *at(i, j+1)
			}
		}
	}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case rok[i] && tok[j] && rk[i] == tk[j]:
			o.align[i] = j
			i++
			j++
		case *at(i+1, j) >= *at(i, j+1):
			i++
		default:
			j++
		}
	}
}

func indent(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

// Variant implements manifest.VariantOrigin.
func (o *origin) Variant() string { return o.variant }

// Place implements manifest.Origin.
func (o *origin) Place(line, col int, path manifest.Path) manifest.Place {
	o.once.Do(o.init)
	if o.tpl == nil {
		return manifest.Place{}
	}
	r := line - 1
	if r < 0 || r >= len(o.rlines) {
		return manifest.Place{Source: o.tpl, Line: 1, Column: 1}
	}
	if t := o.align[r]; t >= 0 {
		c := col - indent(o.rlines[r]) + indent(o.tlines[t])
		return manifest.Place{Source: o.tpl, Line: t + 1, Column: max(c, 1)}
	}
	t0, t1 := -1, len(o.tlines)
	for i := r - 1; i >= 0; i-- {
		if o.align[i] >= 0 {
			t0 = o.align[i]
			break
		}
	}
	for i := r + 1; i < len(o.rlines); i++ {
		if o.align[i] >= 0 {
			t1 = o.align[i]
			break
		}
	}
	rl := strings.TrimSpace(o.rlines[r])
	chosen, bare := -1, -1
	for t := t0 + 1; t < t1 && t < len(o.tlines); t++ {
		tl := o.tlines[t]
		k := strings.Index(tl, "{{")
		if k < 0 {
			continue
		}
		prefix := strings.TrimSpace(tl[:k])
		if prefix != "" && strings.HasPrefix(rl, prefix) {
			chosen = t
			break
		}
		if prefix == "" && bare < 0 && !isControl(tl[k:]) {
			bare = t
		}
	}
	if chosen < 0 {
		chosen = bare
	}
	if chosen < 0 {
		if t0 < 0 {
			return manifest.Place{Source: o.tpl, Line: 1, Column: 1}
		}
		return manifest.Place{Source: o.tpl, Line: t0 + 1, Column: indent(o.tlines[t0]) + 1}
	}
	tl := o.tlines[chosen]
	if !valuesRef.MatchString(tl) {
		if scope, ok := o.withScope(chosen); ok {
			tl = dotRef.ReplaceAllStringFunc(tl, func(m string) string {
				sub := dotRef.FindStringSubmatch(m)
				if sub[2] == "" {
					return sub[1] + ".Values" + scope // the dot itself
				}
				return sub[1] + ".Values" + scope + "." + sub[2]
			})
		}
	}
	if pl, ok := o.fromValues(tl, chosen == bare, path); ok {
		return pl
	}
	return manifest.Place{Source: o.tpl, Line: chosen + 1, Column: strings.Index(tl, "{{") + 1}
}

var (
	withValues = regexp.MustCompile(`\{\{-?\s*with\s+\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)*)\s*-?\}\}`)
	blockStart = regexp.MustCompile(`\{\{-?\s*(?:if|range|with|define|block)\b`)
	blockEnd   = regexp.MustCompile(`\{\{-?\s*end\b`)
	// dotRef is a reference relative to the dot: {{ .image }}, toYaml . .
	dotRef = regexp.MustCompile(`([\s(|{])\.((?:[A-Za-z_][A-Za-z0-9_-]*)?(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)`)
)

// withScope returns the .Values path that a "{{ with .Values.x }}" block
// enclosing template line t sets the dot to (".x"; "" for .Values), and
// whether there is one.
func (o *origin) withScope(t int) (string, bool) {
	depth := 0
	for i := t - 1; i >= 0; i-- {
		l := o.tlines[i]
		depth += len(blockEnd.FindAllString(l, -1))
		starts := len(blockStart.FindAllString(l, -1))
		if starts > depth {
			if m := withValues.FindStringSubmatch(l); m != nil {
				return m[1], true
			}
			return "", false // the innermost block is an if or a range
		}
		depth -= starts
	}
	return "", false
}

// isControl reports whether an action line only controls the flow
// ({{- if ...}}, {{ end }}, {{ range ... }}): it prints nothing itself.
func isControl(action string) bool {
	a := strings.TrimLeft(strings.TrimPrefix(action, "{{"), "- ")
	for _, kw := range []string{"if ", "else", "end", "range ", "with ", "define ", "/*", "$"} {
		if strings.HasPrefix(a, kw) {
			return true
		}
	}
	return false
}

// fromValues finds the values file line that a template line's
// .Values.a.b reference printed: a.b itself, or for a block (toYaml), the
// key below a.b that ends the finding's field path.
func (o *origin) fromValues(tl string, block bool, path manifest.Path) (manifest.Place, bool) {
	refs := valuesRef.FindAllStringSubmatch(tl, -1)
	if len(refs) == 0 {
		return manifest.Place{}, false
	}
	base := o.run.subValues[o.chartPath()]
	if !block && len(refs) > 1 {
		// image: {{ .Values.repo }}:{{ .Values.tag }}: the text comes
		// from several values; the template line names them all.
		return manifest.Place{}, false
	}
	for _, ref := range refs {
		keys := append(append([]string(nil), base...), strings.Split(ref[1][1:], ".")...)
		if block {
			for k := 0; k < len(path); k++ {
				tail := pathKeys(path[k:])
				if tail == nil {
					continue
				}
				if pl, ok := o.valuePlace(append(append([]string(nil), keys...), tail...)); ok {
					return pl, true
				}
			}
		}
		if pl, ok := o.valuePlace(keys); ok {
			return pl, true
		}
	}
	return manifest.Place{}, false
}

func (o *origin) valuePlace(keys []string) (manifest.Place, bool) {
	src, k, v := o.run.values.find(keys)
	if v == nil {
		return manifest.Place{}, false
	}
	n := v
	if (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) && v.Style&yaml.FlowStyle == 0 && k != nil {
		n = k
	}
	return manifest.Place{Source: src, Line: n.Line, Column: n.Column}, true
}

// pathKeys turns a field path into values keys (list indexes as numbers).
func pathKeys(p manifest.Path) []string {
	keys := make([]string, len(p))
	for i, s := range p {
		if s.Key != "" {
			keys[i] = s.Key
		} else {
			keys[i] = strconv.Itoa(s.Index)
		}
	}
	return keys
}

// chartPath is the engine's name of the chart the template belongs to
// (app, app/charts/sub).
func (o *origin) chartPath() string {
	if i := strings.LastIndex(o.name, "/templates/"); i >= 0 {
		return o.name[:i]
	}
	return ""
}
