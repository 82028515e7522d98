// Command gen writes a scaled benchmark corpus: it copies the documents
// of a source corpus over and over, with metadata.name (and namespace)
// varied so that nothing collides, until the wanted number of documents
// is reached; each copy is self-consistent (see vary). With -single it
// writes them all into one file.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

func main() {
	src := flag.String("src", "../shared/corpus", "source corpus")
	out := flag.String("out", "", "output folder (or file with -single)")
	n := flag.Int("docs", 10000, "documents to write")
	single := flag.Bool("single", false, "write one multi-document file")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -out is required")
		os.Exit(2)
	}
	docs := collect(*src)
	if len(docs) == 0 {
		fmt.Fprintln(os.Stderr, "gen: no documents in", *src)
		os.Exit(1)
	}
	var all bytes.Buffer
	perFile := 20
	var file bytes.Buffer
	fileNo := 0
	flush := func() {
		if file.Len() == 0 {
			return
		}
		p := filepath.Join(*out, fmt.Sprintf("d%03d", fileNo/100), fmt.Sprintf("f%05d.yaml", fileNo))
		must(os.MkdirAll(filepath.Dir(p), 0o755))
		must(os.WriteFile(p, file.Bytes(), 0o644))
		file.Reset()
		fileNo++
	}
	for i := 0; i < *n; i++ {
		d := docs[i%len(docs)]
		round := i / len(docs)
		text := vary(d, round)
		if *single {
			all.WriteString("---\n")
			all.Write(text)
			continue
		}
		file.WriteString("---\n")
		file.Write(text)
		if (i+1)%perFile == 0 {
			flush()
		}
	}
	if *single {
		must(os.MkdirAll(filepath.Dir(*out), 0o755))
		must(os.WriteFile(*out, all.Bytes(), 0o644))
		return
	}
	flush()
}

// collect returns every document of the corpus that parses, as a node.
func collect(root string) []*yaml.Node {
	var docs []*yaml.Node
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml":
		default:
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return nil
			}
			if len(n.Content) == 1 && n.Content[0].Kind == yaml.MappingNode {
				docs = append(docs, &n)
			}
		}
	})
	return docs
}

// original values, by node, so each round's suffix replaces the last one.
var original = map[*yaml.Node]string{}

// roundLabel marks the objects of one round (every round but the first):
// each round's ValidatingAdmissionPolicyBindings match only objects with
// their round's value (an objectSelector), so the copies are a cluster of
// their own. Without it every copy of a policy that matches a whole kind
// (gateway-api's safe-upgrades matches every CRD) would check the CRDs of
// every round: work growing with the square of the set, which a set made
// of copies should not have and a real repository of that size would not.
const roundLabel = "kvet.dev/bench-round"

// added are the nodes vary added to a document (its round label's value,
// a binding's objectSelector value), by document, updated each round.
var added = map[*yaml.Node]map[string]*yaml.Node{}

// vary renames the document for a later round so names do not collide,
// and renames its references to what other documents of the round are
// renamed to, so that each round is self-consistent: metadata.name and
// namespace get the suffix -rN, and so do a ValidatingAdmissionPolicy-
// Binding's policyName and paramRef (its name and namespace), which then
// matches only objects of its round (roundLabel). Other references keep
// their targets: namespaced ones stay within the round's renamed
// namespaces; cluster-scoped ones (a ClusterRoleBinding's ClusterRole)
// name the first round's object.
func vary(doc *yaml.Node, round int) []byte {
	if round > 0 {
		root := doc.Content[0]
		suffix := func(v *yaml.Node) {
			if v == nil || v.Kind != yaml.ScalarNode {
				return
			}
			base, ok := original[v]
			if !ok {
				base = v.Value
				original[v] = base
			}
			v.Value = fmt.Sprintf("%s-r%d", base, round)
		}
		md := field(root, "metadata")
		if md != nil && md.Kind == yaml.MappingNode {
			suffix(field(md, "name"))
			suffix(field(md, "namespace"))
			setAdded(doc, md, "labels", roundLabel, round)
		}
		if scalar(field(root, "kind")) == "ValidatingAdmissionPolicyBinding" {
			if spec := field(root, "spec"); spec != nil && spec.Kind == yaml.MappingNode {
				suffix(field(spec, "policyName"))
				if ref := field(spec, "paramRef"); ref != nil && ref.Kind == yaml.MappingNode {
					suffix(field(ref, "name"))
					suffix(field(ref, "namespace"))
				}
				mr := mapping(spec, "matchResources")
				sel := mapping(mr, "objectSelector")
				setAdded(doc, sel, "matchLabels", roundLabel, round)
			}
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	must(enc.Encode(doc))
	return b.Bytes()
}

// field returns the value of key in mapping m, or nil.
func field(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// mapping returns the mapping under key in m, adding an empty one when
// absent or null; nil when m is no mapping or the key holds something
// else.
func mapping(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	v := field(m, key)
	if v == nil {
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
		return v
	}
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		v.Kind, v.Tag, v.Value = yaml.MappingNode, "!!map", ""
	}
	if v.Kind != yaml.MappingNode {
		return nil
	}
	return v
}

// setAdded sets m[key][label] to the round's number, adding the entry the
// first time and updating it in later rounds (it is doc's own node).
func setAdded(doc, m *yaml.Node, key, label string, round int) {
	nodes := added[doc]
	if nodes == nil {
		nodes = map[string]*yaml.Node{}
		added[doc] = nodes
	}
	v := nodes[key]
	if v == nil {
		labels := mapping(m, key)
		if labels == nil {
			return
		}
		if v = field(labels, label); v == nil {
			v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle}
			labels.Content = append(labels.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: label}, v)
		}
		nodes[key] = v
	}
	v.Value = fmt.Sprint(round)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
