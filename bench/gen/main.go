// Command gen writes a scaled benchmark corpus: it copies the documents
// of a source corpus over and over, with metadata.name (and namespace)
// varied so that nothing collides, until the wanted number of documents
// is reached. With -single it writes them all into one file.
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

// original names, by node, so each round's suffix replaces the last one.
var original = map[*yaml.Node]string{}

// vary renames the document for a later round so names do not collide.
func vary(doc *yaml.Node, round int) []byte {
	if round > 0 {
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "metadata" && root.Content[i+1].Kind == yaml.MappingNode {
				md := root.Content[i+1]
				for j := 0; j+1 < len(md.Content); j += 2 {
					if md.Content[j].Value == "name" || md.Content[j].Value == "namespace" {
						v := md.Content[j+1]
						base, ok := original[v]
						if !ok {
							base = v.Value
							original[v] = base
						}
						v.Value = fmt.Sprintf("%s-r%d", base, round)
					}
				}
			}
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	must(enc.Encode(doc))
	return b.Bytes()
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
