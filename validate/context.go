package validate

import (
	"fmt"
	"strings"

	"github.com/kvetdev/kvet/manifest"
)

// LoadContext loads the objects of files and folders named by flags such
// as --admission-policies, for Options.Context: read through the loader
// (its limits, its folder walk) but not checked. An input that cannot be
// read, or a document that is not an object (a syntax error, an input
// limit), is an error naming its file:line:column; other problems (an
// unknown field) are left to a run that lints those files.
func LoadContext(paths []string, load manifest.Options) ([]*manifest.Object, error) {
	load.Prescan = nil
	res := manifest.Load(paths, load)
	var msgs []string
	for _, err := range res.Errors {
		msgs = append(msgs, err.Error())
	}
	for _, p := range res.Problems {
		if p.Object == nil {
			path := ""
			if p.Source != nil {
				path = p.Source.Path
			}
			msgs = append(msgs, fmt.Sprintf("%s:%d:%d: %s", path, p.Pos.Line, p.Pos.Column, p.Message))
		}
	}
	if len(msgs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return res.Objects, nil
}
