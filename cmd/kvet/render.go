package main

import (
	"path/filepath"

	flag "github.com/spf13/pflag"

	"github.com/kvetdev/kvet/config"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/render/helm"
)

// helmFlags are helm template's flags, for the charts kvet renders.
type helmFlags struct {
	values, set, setString []string
	releaseName, namespace string
}

func (h *helmFlags) define(fs *flag.FlagSet) {
	fs.StringArrayVarP(&h.values, "values", "f", nil, "values file for the charts rendered, as helm template -f (repeatable)")
	fs.StringArrayVar(&h.set, "set", nil, "a chart value, as helm template --set a.b=c (repeatable)")
	fs.StringArrayVar(&h.setString, "set-string", nil, "a chart value kept a string, as helm template --set-string (repeatable)")
	fs.StringVar(&h.releaseName, "release-name", "release-name", "the charts' .Release.Name")
	fs.StringVar(&h.namespace, "namespace", "default", "the charts' .Release.Namespace")
}

// renderers are the renderers of a run: Helm charts, with the flags'
// values, or the configuration's value sets for the chart.
func (h *helmFlags) renderers(cfg *config.Config, kubeVersion string) []manifest.Renderer {
	opts := helm.Options{
		KubeVersion: kubeVersion, ReleaseName: h.releaseName, Namespace: h.namespace,
		Values: helm.ValueSet{Files: h.values, Set: h.set, SetString: h.setString},
	}
	if len(cfg.Charts) > 0 && len(h.values)+len(h.set)+len(h.setString) == 0 {
		opts.Sets = func(dir string) []helm.ValueSet {
			abs, err := filepath.Abs(dir)
			if err != nil {
				return nil
			}
			for _, c := range cfg.Charts {
				p, err := filepath.Abs(filepath.Join(cfg.Dir, c.Path))
				if err != nil || p != abs {
					continue
				}
				var sets []helm.ValueSet
				for _, v := range c.Values {
					set := helm.ValueSet{Name: v.Name, Set: v.Set, SetString: v.SetString}
					for _, f := range v.Files {
						set.Files = append(set.Files, filepath.Join(cfg.Dir, f))
					}
					sets = append(sets, set)
				}
				return sets
			}
			return nil
		}
	}
	return []manifest.Renderer{helm.New(opts)}
}
