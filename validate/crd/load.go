package crd

import (
	"errors"
	"fmt"

	"github.com/kvetdev/kvet/manifest"
)

// Load reads the CustomResourceDefinitions in paths (files or folders,
// walked as kvet lint walks them) for validate.Options.Context: they are
// not linted, only used to check custom resources. Objects of other kinds
// are left out. A path that cannot be read, or a CRD file with a syntax
// error, an unknown field or a value of the wrong type, is an error
// naming its file:line:column. The CRDs are kept without their node
// trees, as the engine keeps the run's own (rule.Rule.ContextTyped).
func Load(paths []string, opts manifest.Options) ([]*manifest.Object, error) {
	res := manifest.Load(paths, opts)
	var errs []error
	errs = append(errs, res.Errors...)
	for _, p := range res.Problems {
		errs = append(errs, fmt.Errorf("%s:%d:%d: %s", p.Source.Path, p.Pos.Line, p.Pos.Column, p.Message))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var out []*manifest.Object
	for _, o := range res.Objects {
		if o.Kind != "CustomResourceDefinition" || o.Group() != "apiextensions.k8s.io" {
			continue
		}
		src := o.Source.Excerpt(o.Pos().Line, o.LastLine())
		if o.Typed != nil {
			o.DropTree()
		}
		o.Source = src
		out = append(out, o)
	}
	return out, nil
}
