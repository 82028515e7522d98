// Command floor is the benchmark's reference: it reads every manifest file
// below its arguments and parses every document into a go.yaml.in/yaml/v3
// node tree, and nothing else: the least work a YAML linter that knows
// positions must do. bench/run compares kvet's CPU time with it.
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
	"runtime"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

func main() {
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "files parsed at once")
	flag.Parse()
	var files []string
	for _, root := range flag.Args() {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".yaml", ".yml", ".json":
				if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
					files = append(files, p)
				}
			}
			return nil
		})
	}
	var mu sync.Mutex
	docs := 0
	var wg sync.WaitGroup
	next := make(chan string)
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for f := range next {
				data, err := os.ReadFile(f)
				if err != nil {
					continue
				}
				dec := yaml.NewDecoder(bytes.NewReader(data))
				for {
					var node yaml.Node
					if err := dec.Decode(&node); err != nil {
						if !errors.Is(err, io.EOF) {
							n++ // the broken document
						}
						break
					}
					n++
				}
			}
			mu.Lock()
			docs += n
			mu.Unlock()
		}()
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	fmt.Printf("%d files, %d documents\n", len(files), docs)
}
