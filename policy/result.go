package policy

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/kvetdev/kvet/manifest"
)

// Kind classifies a Result.
type Kind string

// Result kinds, as conftest reports them.
const (
	KindFailure   Kind = "failure"
	KindWarning   Kind = "warning"
	KindException Kind = "exception"
	KindSuccess   Kind = "success"
)

// Location is the origin of a result as given by a policy's `_loc` key
// (conftest's convention): {"file": ..., "line": ...}.
type Location struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Result is one message produced by a deny/violation/warn rule, or one
// exception. Successes are only counted (NamespaceResult.Successes), as
// conftest does.
type Result struct {
	Namespace string
	// Rule is the rule name (e.g. "deny", "warn_image").
	Rule string
	Kind Kind
	Msg  string
	// Metadata holds every key of an object result except msg and _loc, plus
	// "query" (the query that produced the result), exactly as conftest.
	Metadata map[string]any
	// Path is the optional offending field, from the result's `path` key
	// (see resultPath); nil when there is none or it does not parse.
	Path manifest.Path
	// Location is set when the result carried a `_loc` object.
	Location *Location
}

// NamespaceResult is the outcome of evaluating one namespace against one
// input document.
type NamespaceResult struct {
	Namespace  string
	Successes  int
	Failures   []Result
	Warnings   []Result
	Exceptions []Result
	// Err is set when the namespace could not be evaluated (it timed out,
	// went over the memory limit, or failed); the other namespaces'
	// results are still valid.
	Err error
}

// newResult converts one value of a deny/warn set into a Result. ok is false
// for values conftest silently ignores (neither string nor object).
func newResult(ns, rule, query string, v any) (Result, bool, error) {
	r := emptyResult(ns, rule)
	switch val := v.(type) {
	case string:
		r.Msg = val
		r.Metadata = map[string]any{"query": query}
		return r, true, nil
	case map[string]any:
		msg, ok := val["msg"].(string)
		if !ok {
			return r, false, errNoMsg
		}
		r.Msg = msg
		r.Metadata = make(map[string]any, len(val))
		for k, x := range val {
			r.field(k, x)
		}
		r.Metadata["query"] = query
		return r, true, nil
	}
	return r, false, nil
}

// resultOf is newResult for a value as evaluation left it. An object with
// string keys (every result of the example policies) is read directly:
// only the values kept in Metadata are converted to Go, with no map of the
// whole object built first and then copied. Anything else goes through
// ast.JSON and newResult, as before.
func resultOf(ns, rule, query string, v ast.Value) (Result, bool, error) {
	obj, ok := v.(ast.Object)
	if !ok || !stringKeys(obj) {
		x, err := ast.JSON(v)
		if err != nil {
			return Result{}, false, err
		}
		return newResult(ns, rule, query, x)
	}
	r := emptyResult(ns, rule)
	t := obj.Get(msgKey)
	if t == nil {
		return r, false, errNoMsg
	}
	msg, ok := t.Value.(ast.String)
	if !ok {
		return r, false, errNoMsg
	}
	r.Msg = string(msg)
	r.Metadata = make(map[string]any, obj.Len())
	err := obj.Iter(func(k, t *ast.Term) error {
		var x any
		if s, ok := t.Value.(ast.String); ok {
			x = string(s)
		} else {
			var err error
			if x, err = ast.JSON(t.Value); err != nil {
				return err
			}
		}
		r.field(string(k.Value.(ast.String)), x)
		return nil
	})
	if err != nil {
		return r, false, err
	}
	r.Metadata["query"] = query
	return r, true, nil
}

// emptyResult is a result of rule with nothing read from its value yet.
func emptyResult(ns, rule string) Result {
	r := Result{Namespace: ns, Rule: rule, Kind: KindWarning}
	if isFailure(rule) {
		r.Kind = KindFailure
	}
	return r
}

// errNoMsg is what a deny/warn/violation object without a string msg
// gets; the engine adds the namespace and rule.
var errNoMsg = errors.New(`a result object must have a "msg" field with a string value: the message of the finding`)

// field takes key of an object result, as conftest does: msg is the
// message (set by the caller), _loc the location, and every other key
// metadata; path is also normalised into Path.
func (r *Result) field(key string, x any) {
	switch key {
	case "msg":
		return
	case "_loc":
		if loc, ok := x.(map[string]any); ok {
			r.Location = parseLocation(loc)
		}
		return
	case "path":
		r.Path = resultPath(x)
	}
	r.Metadata[key] = x
}

var msgKey = ast.StringTerm("msg")

func stringKeys(obj ast.Object) bool {
	for _, k := range obj.Keys() {
		if _, ok := k.Value.(ast.String); !ok {
			return false
		}
	}
	return true
}

func parseLocation(loc map[string]any) *Location {
	l := &Location{}
	if f, ok := loc["file"].(string); ok {
		l.File = f
	}
	switch n := loc["line"].(type) {
	case json.Number:
		i, _ := n.Int64()
		l.Line = int(i)
	case float64:
		l.Line = int(n)
	case int:
		l.Line = n
	case string:
		l.Line, _ = strconv.Atoi(n)
	}
	if l.File == "" && l.Line == 0 {
		return nil
	}
	return l
}

// resultPath reads a result's `path` value, text a policy wrote: an array
// of keys and indexes (["spec", "containers", 0, "image"]), read by
// manifest.PathFromValues, or a string written as Kubernetes writes field
// paths (spec.containers[0].image, metadata.annotations["kvet.dev/ignore"]),
// read by manifest.ParsePath. In a string, a name of digits only is a list
// index too (spec.containers.0.image), as kvet has always read it; a
// mapping key that looks like a number is still found, since a lookup on a
// mapping reads an index as that key. Anything else gives nil: the finding
// is placed on the object.
func resultPath(p any) manifest.Path {
	switch v := p.(type) {
	case []any:
		path, err := manifest.PathFromValues(v)
		if err != nil || len(path) == 0 {
			return nil
		}
		return path
	case string:
		path, err := manifest.ParsePath(v)
		if err != nil || len(path) == 0 {
			return nil
		}
		for i, s := range path {
			if n, err := strconv.Atoi(s.Key); err == nil && n >= 0 && strconv.Itoa(n) == s.Key {
				path[i] = manifest.Segment{Index: n}
			}
		}
		return path
	}
	return nil
}
