package rules

import (
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// DuplicateEnv reports an environment variable set twice in a container.
var DuplicateEnv = &rule.Rule{
	ID:       "duplicate-env",
	Severity: rule.Warning,
	Kinds:    podKinds,
	Check:    checkDuplicateEnv,
	Doc: `A container sets the same environment variable twice.

## What it does
Reports every ` + "`env`" + ` entry of a container (or init container) whose name an
earlier entry of the same container already has, and names the earlier
entry's line.

## Why is this bad?
The API server accepts it and the last entry wins, silently: the first value
looks set but is not, and a change to it has no effect. Often a merge of two
edits (a Helm value and a patch) left both.

## Example
` + "```yaml" + `
env:
- {name: LOG_LEVEL, value: info}
- {name: LOG_LEVEL, value: debug}
` + "```" + `

## Use instead
` + "```yaml" + `
env:
- {name: LOG_LEVEL, value: debug}
` + "```",
}

func checkDuplicateEnv(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	for _, list := range []struct {
		key string
		n   int
	}{{"containers", len(ref.Spec.Containers)}, {"initContainers", len(ref.Spec.InitContainers)}} {
		for i := range list.n {
			c := &ref.Spec.Containers
			if list.key == "initContainers" {
				c = &ref.Spec.InitContainers
			}
			env := (*c)[i].Env
			if len(env) < 2 {
				continue
			}
			first := make(map[string]int, len(env))
			base := ref.Path.Field(list.key).Item(i).Field("env")
			for j, e := range env {
				k, seen := first[e.Name]
				if !seen {
					first[e.Name] = j
					continue
				}
				line := o.Locate(base.Item(k).Field("name")).Value.Line
				pass.Reportf(base.Item(j).Field("name"), "remove one of the two entries (the last one wins)",
					"env var %q is set twice in container %q: this entry overrides the one at line %d", e.Name, (*c)[i].Name, line)
			}
		}
	}
}
