package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
	"sigs.k8s.io/yaml"
)

// conftest's builtins, so that policies using them run unchanged:
// parse_config(parser, text), parse_config_file(path) and
// parse_combined_config_files(paths), for YAML, JSON and TOML. The
// combined value is conftest's: one {path, contents} entry per document (a
// file of several documents, or a list, gives several), sorted by path.
// Paths are relative to the policy file that calls them, as in conftest.
// They are registered with OPA once, as conftest registers them.
func init() {
	object := types.NewObject(nil, types.NewDynamicProperty(types.S, types.NewAny()))
	rego.RegisterBuiltin2(&rego.Function{
		Name: "parse_config",
		Decl: types.NewFunction(types.Args(types.S, types.S), object),
	}, parseConfig)
	rego.RegisterBuiltin1(&rego.Function{
		Name: "parse_config_file",
		Decl: types.NewFunction(types.Args(types.S), object),
	}, parseConfigFile)
	rego.RegisterBuiltin1(&rego.Function{
		Name: "parse_combined_config_files",
		Decl: types.NewFunction(types.Args(types.NewArray(nil, types.S)), object),
	}, parseCombinedConfigFiles)
}

// maxConfigFile bounds what parse_config_file reads (kvet's default
// --max-file-size).
const maxConfigFile = 256 << 20

func parseConfig(_ rego.BuiltinContext, op1, op2 *ast.Term) (*ast.Term, error) {
	name, ok1 := op1.Value.(ast.String)
	text, ok2 := op2.Value.(ast.String)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("parse_config: want a parser name and a string")
	}
	v, err := unmarshalConfig(string(name), []byte(text))
	if err != nil {
		return nil, err
	}
	return toTerm(v)
}

func parseConfigFile(bctx rego.BuiltinContext, op1 *ast.Term) (*ast.Term, error) {
	p, ok := op1.Value.(ast.String)
	if !ok {
		return nil, fmt.Errorf("parse_config_file: want a path string")
	}
	path := relativeToPolicy(bctx, string(p))
	v, err := readConfigFile(path)
	if err != nil {
		return nil, err
	}
	return toTerm(v)
}

func parseCombinedConfigFiles(bctx rego.BuiltinContext, op1 *ast.Term) (*ast.Term, error) {
	arr, ok := op1.Value.(*ast.Array)
	if !ok {
		return nil, fmt.Errorf("parse_combined_config_files: want an array of paths")
	}
	combined := make([]any, 0, arr.Len())
	for i := range arr.Len() {
		p, ok := arr.Elem(i).Value.(ast.String)
		if !ok {
			return nil, fmt.Errorf("parse_combined_config_files: path %d is not a string", i)
		}
		path := relativeToPolicy(bctx, string(p))
		v, err := readConfigFile(path)
		if err != nil {
			return nil, err
		}
		if docs, ok := v.([]any); ok { // several documents, or a list: one entry each
			for _, d := range docs {
				combined = append(combined, map[string]any{"path": path, "contents": d})
			}
			continue
		}
		combined = append(combined, map[string]any{"path": path, "contents": v})
	}
	// Sorted by path, as conftest's CombineConfigurations.
	slices.SortStableFunc(combined, func(a, b any) int {
		return strings.Compare(a.(map[string]any)["path"].(string), b.(map[string]any)["path"].(string))
	})
	return toTerm(combined)
}

func relativeToPolicy(bctx rego.BuiltinContext, p string) string {
	if bctx.Location == nil {
		return p
	}
	return filepath.Join(filepath.Dir(bctx.Location.File), p)
}

func readConfigFile(path string) (any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config file %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read config file %s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, fmt.Errorf("read config file %s: %w", path, err)
	}
	if len(data) > maxConfigFile {
		return nil, fmt.Errorf("read config file %s: larger than %d bytes", path, maxConfigFile)
	}
	parser := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	return unmarshalConfig(parser, data)
}

// unmarshalConfig parses text with conftest's parser of that name: yaml
// (several documents separated by a line "---" give an array, as
// conftest's splitting), json or toml.
func unmarshalConfig(parser string, data []byte) (any, error) {
	var v any
	switch parser {
	case "yaml", "yml":
		sep := []byte("\n---\n")
		if bytes.Contains(data, []byte("\r\n")) {
			sep = []byte("\r\n---\r\n")
		}
		parts := bytes.Split(data, sep)
		if len(parts) == 1 || bytes.HasPrefix(data, []byte("%")) {
			if err := yaml.Unmarshal(data, &v); err != nil {
				return nil, fmt.Errorf("unmarshal yaml: %w", err)
			}
			return v, nil
		}
		docs := make([]any, 0, len(parts))
		for _, part := range parts {
			var d any
			if err := yaml.Unmarshal(part, &d); err != nil {
				return nil, fmt.Errorf("unmarshal yaml: %w", err)
			}
			docs = append(docs, d)
		}
		return docs, nil
	case "json":
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("unmarshal json: %w", err)
		}
	case "toml":
		var m map[string]any
		if err := toml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("unmarshal toml: %w", err)
		}
		v = m
	default:
		return nil, fmt.Errorf("unknown parser %q: kvet parses yaml, json and toml", parser)
	}
	return v, nil
}

func toTerm(v any) (*ast.Term, error) {
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, fmt.Errorf("convert config: %w", err)
	}
	return ast.NewTerm(val), nil
}
