package manifest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	yaml "go.yaml.in/yaml/v3"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes/scheme"
)

// Scheme is the registry of built-in kinds that kvet decodes into typed
// values: every group of k8s.io/api, and CustomResourceDefinitions
// (apiextensions.k8s.io/v1, and v1beta1). It is read-only, and kvet's own, not
// client-go's scheme.Scheme, which libraries change as they load (Helm's
// chartutil adds the CustomResourceDefinition groups to it).
var Scheme = newScheme()

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"})
	if err := scheme.AddToScheme(s); err != nil {
		panic(err) // the same registrations as client-go's own init
	}
	utilruntime.Must(apiextv1.AddToScheme(s))
	utilruntime.Must(apiextv1beta1.AddToScheme(s)) // removed in 1.22; custom resources are still checked against them
	return s
}

// decodeTyped decodes o.Node into the k8s.io/api type for o's kind, in one
// walk of the node tree, with the strictness of kubectl's
// --validate=strict: unknown fields and values of the wrong type are
// problems at their own position. Kinds not in Scheme stay untyped. A
// field with a value of the wrong type is left at its zero value and its
// path recorded in o.InvalidPaths, so rules do not report it again.
func decodeTyped(o *Object, limits Limits) []Problem {
	gvk := o.GVK()
	if !Scheme.Recognizes(gvk) {
		return nil
	}
	obj, err := Scheme.New(gvk)
	if err != nil {
		return nil
	}
	d := typedDecoder{obj: o, limits: limits, kind: strings.ToLower(o.Kind)}
	d.decode(o.Node, reflect.ValueOf(obj).Elem(), 0)
	if d.nodes > limits.MaxNodes {
		return d.problems
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	o.Typed = obj
	return d.problems
}

type typedDecoder struct {
	obj      *Object
	limits   Limits
	kind     string
	problems []Problem
	nodes    int
	// path is where the walk is, for problems.
	path pathStack
	// lenient > 0 inside a JSON schema that the API server decodes with
	// encoding/json's lenient rules (schemaOr): unknown fields are
	// dropped there, not reported.
	lenient int
}

// typeError reports a value of the wrong type at the current path.
func (d *typedDecoder) typeError(n *yaml.Node, msg, help string) {
	path := d.path.Path()
	d.obj.InvalidPaths = append(d.obj.InvalidPaths, path)
	d.problems = append(d.problems, Problem{
		Code: CodeInvalidType, Source: d.obj.Source, Pos: nodePos(n), Path: path,
		Object: d.obj, DocIndex: d.obj.DocIndex, Message: msg, Help: help,
	})
}

var (
	typeQuantity    = reflect.TypeFor[resource.Quantity]()
	typeIntOrString = reflect.TypeFor[intstr.IntOrString]()
	typeTime        = reflect.TypeFor[metav1.Time]()
	typeMicroTime   = reflect.TypeFor[metav1.MicroTime]()
	typeRawExt      = reflect.TypeFor[runtime.RawExtension]()
	typeUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	typeBytes       = reflect.TypeFor[[]byte]()
)

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if b, ok := yaml11Bool(n); ok {
		return fmt.Sprintf("the boolean %t (kubectl reads an unquoted %s as %t, by YAML 1.1's rules)", b, n.Value, b)
	}
	switch n.ShortTag() {
	case "!!int":
		if v, ok := yaml11Int(n.Value); ok && strconv.FormatInt(toInt64(v), 10) != n.Value {
			return fmt.Sprintf("the integer %s (%v to kubectl)", n.Value, v)
		}
		return "the integer " + n.Value
	case "!!float":
		return "the number " + n.Value
	case "!!bool":
		return "the boolean " + n.Value
	case "!!null":
		return "null"
	}
	return strconv.Quote(truncate(n.Value, 60))
}

// isStringTag reports whether kubectl reads the scalar as a string: not
// YAML 1.1's boolean words (yaml11.go); a scalar with a tag of its own
// (!foo x) is the string it is written as.
func isStringTag(n *yaml.Node) bool {
	switch t := n.ShortTag(); t {
	case "!!str":
		_, isBool := yaml11Bool(n)
		return !isBool
	case "!!timestamp", "!!binary":
		return true
	default:
		return !strings.HasPrefix(t, "!!")
	}
}

// toInt64 is the int64 of a yaml11Int value (0 for a float).
func toInt64(v any) int64 {
	i, _ := v.(int64)
	return i
}

func (d *typedDecoder) decode(n *yaml.Node, v reflect.Value, depth int) {
	path := &d.path // for messages
	d.nodes++
	if d.nodes > d.limits.MaxNodes || depth > d.limits.MaxDepth {
		return // already reported by the loader's scan
	}
	n = resolveAlias(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // JSON null leaves the zero value
	}
	t := v.Type()
	switch t {
	case typeQuantity:
		d.quantity(n, v)
		return
	case typeIntOrString:
		switch {
		case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int":
			i64, isInt := scalarValue(n).(int64)
			i := int32(i64)
			if !isInt || int64(i) != i64 {
				d.typeError(n, fmt.Sprintf("%s: %s is out of range for an integer or string", path, n.Value), "use a smaller number or a string")
				return
			}
			v.Set(reflect.ValueOf(intstr.FromInt32(i)))
		case n.Kind == yaml.ScalarNode && isStringTag(n):
			v.Set(reflect.ValueOf(intstr.FromString(n.Value)))
		default:
			d.typeError(n, fmt.Sprintf("%s: expected an integer or a string, got %s", path, nodeKindName(n)),
				"write a number such as 8080 or a name such as http")
		}
		return
	case typeTime, typeMicroTime:
		if n.Kind != yaml.ScalarNode || !isStringTag(n) {
			d.typeError(n, fmt.Sprintf("%s: expected a timestamp string, got %s", path, nodeKindName(n)),
				"write an RFC 3339 time such as \"2024-01-02T15:04:05Z\"")
			return
		}
		tm, err := time.Parse(time.RFC3339Nano, n.Value)
		if err != nil {
			d.typeError(n, fmt.Sprintf("%s: %q is not an RFC 3339 time", path, n.Value),
				"write an RFC 3339 time such as \"2024-01-02T15:04:05Z\"")
			return
		}
		if t == typeTime {
			v.Set(reflect.ValueOf(metav1.NewTime(tm)))
		} else {
			v.Set(reflect.ValueOf(metav1.NewMicroTime(tm)))
		}
		return
	case typeRawExt:
		b, err := json.Marshal(d.builder().value(n, depth))
		if err == nil {
			v.Set(reflect.ValueOf(runtime.RawExtension{Raw: b}))
		}
		return
	}
	if d.schemaOr(n, v, t, depth) {
		return
	}
	if t.Kind() == reflect.Struct && customJSON(t) {
		// Any other custom JSON type: give it its own JSON, built from the node.
		b, err := json.Marshal(d.builder().value(n, depth))
		if err == nil {
			err = v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b)
		}
		if err != nil {
			d.typeError(n, fmt.Sprintf("%s: %v", path, err), "")
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		d.decode(n, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.typeError(n, fmt.Sprintf("%s: expected a mapping, got %s", pathOrObject(path), nodeKindName(n)),
				"write the fields of "+pathOrObject(path)+" as key: value lines")
			return
		}
		d.structFields(n, v, depth)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.typeError(n, fmt.Sprintf("%s: expected a mapping, got %s", path, nodeKindName(n)), "write it as key: value lines")
			return
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(t, len(n.Content)/2))
		}
		eachPair(n, func(k, val *yaml.Node) {
			key := keyString(k)
			ev := reflect.New(t.Elem()).Elem()
			d.path.field(key)
			d.decode(val, ev, depth+1)
			d.path.pop()
			kv := reflect.New(t.Key()).Elem()
			if kv.Kind() == reflect.String {
				kv.SetString(key)
				v.SetMapIndex(kv, ev)
			}
		})
	case reflect.Slice:
		if t == typeBytes {
			if n.Kind != yaml.ScalarNode || !isStringTag(n) {
				d.typeError(n, fmt.Sprintf("%s: expected a base64 string, got %s", path, nodeKindName(n)), "encode the value with base64, or use stringData")
				return
			}
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(n.Value))
			if err != nil {
				d.typeError(n, fmt.Sprintf("%s: value is not valid base64: %v", path, err), "encode the value with base64 (base64 -w0), or put the plain text under stringData")
				return
			}
			v.SetBytes(b)
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.typeError(n, fmt.Sprintf("%s: expected a list, got %s", path, nodeKindName(n)),
				"write it as a list: one item per line, each starting with \"- \"")
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.path.item(i)
			d.decode(c, s.Index(i), depth+1)
			d.path.pop()
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || !isStringTag(n) {
			help := "write a string"
			if n.Kind == yaml.ScalarNode {
				help = fmt.Sprintf("quote the value: %q", n.Value)
			}
			d.typeError(n, fmt.Sprintf("%s: expected a string, got %s", path, nodeKindName(n)), help)
			if e, ok := d.obj.quoteNode(n); ok {
				// The text as written is the string meant: quoting keeps it.
				d.problems[len(d.problems)-1].Fix = &Fix{Title: "quote " + n.Value, Safe: true, Edits: []Edit{e}}
			}
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || scalarTag(n) != "!!bool" {
			d.typeError(n, fmt.Sprintf("%s: expected true or false, got %s", path, nodeKindName(n)), "write true or false, unquoted")
			return
		}
		b, _ := scalarValue(n).(bool)
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := d.integer(n)
		if !ok {
			return
		}
		if v.OverflowInt(i) {
			d.typeError(n, fmt.Sprintf("%s: %d is out of range for this field", path, i), "use a smaller number")
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, ok := d.integer(n)
		if !ok {
			return
		}
		if i < 0 || v.OverflowUint(uint64(i)) {
			d.typeError(n, fmt.Sprintf("%s: %d is out of range for this field", path, i), "use a non-negative, smaller number")
			return
		}
		v.SetUint(uint64(i))
	case reflect.Float32, reflect.Float64:
		f, ok := scalarValue(n).(float64)
		if i, isInt := scalarValue(n).(int64); isInt {
			f, ok = float64(i), true
		}
		if n.Kind != yaml.ScalarNode || !ok {
			d.typeError(n, fmt.Sprintf("%s: expected a number, got %s", path, nodeKindName(n)), "write a number, unquoted")
			return
		}
		v.SetFloat(f)
	case reflect.Interface:
		val := d.builder().value(n, depth)
		if val != nil {
			v.Set(reflect.ValueOf(val))
		}
	}
}

// customJSONTypes caches customJSON: reflect's Implements walks the
// method set by name, and the decoder asks for every struct value.
var customJSONTypes sync.Map // reflect.Type -> bool

// customJSON reports whether *t decodes itself from JSON (UnmarshalJSON).
func customJSON(t reflect.Type) bool {
	if v, ok := customJSONTypes.Load(t); ok {
		return v.(bool)
	}
	is := reflect.PointerTo(t).Implements(typeUnmarshaler)
	customJSONTypes.Store(t, is)
	return is
}

// builder returns a builder for the raw value of the node at the current
// path, which it starts from.
func (d *typedDecoder) builder() *builder {
	return &builder{limits: d.limits, path: d.path}
}

func pathOrObject(p *pathStack) string {
	if p.root() {
		return "the object"
	}
	return p.String()
}

func (d *typedDecoder) integer(n *yaml.Node) (int64, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		if i, ok := scalarValue(n).(int64); ok {
			return i, true
		}
	}
	help := "write a whole number, unquoted"
	if n.Kind == yaml.ScalarNode && isStringTag(n) {
		if _, err := strconv.Atoi(n.Value); err == nil {
			help = fmt.Sprintf("remove the quotes: %s", n.Value)
		}
	}
	d.typeError(n, fmt.Sprintf("%s: expected an integer, got %s", &d.path, nodeKindName(n)), help)
	return 0, false
}

func (d *typedDecoder) quantity(n *yaml.Node, v reflect.Value) {
	path := &d.path // for messages
	if tag := n.ShortTag(); n.Kind != yaml.ScalarNode || !isStringTag(n) && tag != "!!int" && tag != "!!float" {
		d.typeError(n, fmt.Sprintf("%s: expected a quantity such as 500m or 1Gi, got %s", path, nodeKindName(n)), "write a quantity such as 500m, 2 or 1Gi")
		return
	}
	q, err := resource.ParseQuantity(n.Value)
	if err != nil {
		d.typeError(n, fmt.Sprintf("%s: %q is not a valid quantity", path, n.Value),
			"write a quantity such as 500m, 2, 128Mi or 1Gi (suffixes: m, k, M, G, Ki, Mi, Gi, ...)")
		return
	}
	v.Set(reflect.ValueOf(q))
}

// eachPair calls fn for each key/value of a mapping, merge keys (<<)
// expanded first so that explicit keys override them.
func eachPair(n *yaml.Node, fn func(k, v *yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			src := resolveAlias(n.Content[i+1])
			srcs := []*yaml.Node{src}
			if src.Kind == yaml.SequenceNode {
				srcs = src.Content
			}
			for _, s := range srcs {
				if s = resolveAlias(s); s.Kind == yaml.MappingNode && s != n {
					eachPair(s, fn)
				}
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			fn(n.Content[i], n.Content[i+1])
		}
	}
}

func (d *typedDecoder) structFields(n *yaml.Node, v reflect.Value, depth int) {
	path := &d.path // for messages
	fields := fieldsOf(v.Type())
	// n's keys, and which key nodes are n's own (not merged in from an
	// anchor, which a rename would change everywhere): built on the
	// first rename fix.
	var present map[string]bool
	var own map[*yaml.Node]bool
	eachPair(n, func(k, val *yaml.Node) {
		key := keyString(k)
		f, ok := fields.byName[key]
		if !ok && d.lenient > 0 {
			return // inside a schema that the API server decodes leniently
		}
		if !ok {
			msg := fmt.Sprintf("unknown field %q in %s", key, path)
			if path.root() {
				msg = fmt.Sprintf("unknown field %q at the top level", key)
			}
			help := ""
			var fix *Fix
			if s := Suggest(key, fields.names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
				help = fmt.Sprintf("rename %s to %s", key, s)
				if present == nil {
					present, own = map[string]bool{}, map[*yaml.Node]bool{}
					eachPair(n, func(k, _ *yaml.Node) { present[keyString(k)] = true })
					for i := 0; i+1 < len(n.Content); i += 2 {
						own[n.Content[i]] = true
					}
				}
				if e, ok := d.obj.replaceNode(k, s); ok && !present[s] && own[k] {
					// One close known name: the rename is what was meant,
					// but it turns an ignored field into a live one.
					fix = &Fix{Title: "rename " + key + " to " + s, Safe: true, Edits: []Edit{e}}
				}
			} else {
				help = fmt.Sprintf("remove it; `kubectl explain %s` lists the valid fields", explainPath(d.kind, Path(path.segs)))
			}
			d.path.field(key)
			d.problems = append(d.problems, Problem{
				Code: CodeUnknownField, Source: d.obj.Source, Pos: nodePos(k), Path: d.path.Path(),
				Object: d.obj, DocIndex: d.obj.DocIndex, Message: msg, Help: help, Fix: fix,
			})
			d.path.pop()
			return
		}
		d.path.field(key)
		d.decode(val, v.FieldByIndex(f.index), depth+1)
		d.path.pop()
	})
}

func explainPath(kind string, p Path) string {
	parts := []string{kind}
	for _, s := range p {
		if s.Key != "" && s.Index < 0 {
			parts = append(parts, s.Key)
		}
	}
	return strings.Join(parts, ".")
}

type fieldInfo struct{ index []int }

type structInfo struct {
	byName map[string]fieldInfo
	names  []string
}

var fieldCache sync.Map // reflect.Type -> *structInfo

// fieldsOf lists a struct's JSON field names, inline embedded structs
// flattened, as encoding/json sees them.
func fieldsOf(t reflect.Type) *structInfo {
	if si, ok := fieldCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byName: map[string]fieldInfo{}}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), prefix...), i)
			if f.Anonymous && (name == "" || strings.Contains(opts, "inline")) && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if _, dup := si.byName[name]; !dup {
				si.byName[name] = fieldInfo{index: idx}
				si.names = append(si.names, name)
			}
		}
	}
	walk(t, nil)
	sort.Strings(si.names)
	got, _ := fieldCache.LoadOrStore(t, si)
	return got.(*structInfo)
}

// Unchecked reports whether kvet has no schema for o's kind: neither a
// built-in kind (decoded strictly into its k8s.io/api type) nor a kind in
// a built-in group/version (which is a typo or a removed kind, reported
// by the rules invalid-kind and deprecated-api). Today that is every
// custom resource; one whose CRD is known is checked by a rule, which
// tells the engine so (rule.Pass.Checked).
func (o *Object) Unchecked() bool {
	gvk := o.GVK()
	return !Scheme.Recognizes(gvk) && !Scheme.IsVersionRegistered(gvk.GroupVersion())
}
