package rules

import (
	"strings"
	"sync"

	"github.com/distribution/reference"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// ImagePinned checks that every container image names a version.
var ImagePinned = &rule.Rule{
	ID:       "image-pinned",
	Severity: rule.Warning,
	Kinds: []string{"v1/Pod", "v1/PodTemplate", "v1/ReplicationController", "*/Deployment", "*/StatefulSet",
		"*/DaemonSet", "*/ReplicaSet", "batch/*/Job", "batch/*/CronJob"},
	Check: checkImagePinned,
	Doc: `A container image has no tag, uses the "latest" tag, or is not a valid image reference.

## What it does
Parses the image of every container and init container of a pod template
(Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
Job, CronJob, PodTemplate) as the kubelet does, with
github.com/distribution/reference, and reports an image without a tag or
digest, with the tag "latest", or that is not a valid reference at all. A
missing image is left to api-required.

## Why is this bad?
Untagged and "latest" images change under your feet: two pods of the same
Deployment can run different code, and a rollback does not bring the old
code back. An image that is not a valid reference (upper case, a stray
space, an unrendered template) never starts: the pod stays in
InvalidImageName.

## Example
` + "```yaml" + `
containers:
  - name: web
    image: nginx:latest
` + "```" + `

## Use instead
Pin a version tag, or better a digest:
` + "```yaml" + `
containers:
  - name: web
    image: nginx:1.27.2   # or nginx@sha256:...
` + "```",
}

func checkImagePinned(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	check := func(list string, i int, name, image string) {
		if image == "" {
			return // api-required reports a missing image
		}
		path := ref.Path.Field(list).Item(i).Field("image")
		named, err := parseImage(image)
		if err != nil {
			help := "write the image as [registry/]name[:tag][@digest], in lower case, e.g. nginx:1.27.2"
			if strings.ContainsAny(image, "${}<>") {
				help = "this looks like an unrendered placeholder: lint the rendered manifest (helm template, kustomize build, envsubst)"
			}
			// reference.Parse words the problem without the "library/"
			// that normalizing adds to a short name.
			if _, perr := reference.Parse(image); perr != nil {
				err = perr
			}
			pass.Reportf(path, help,
				"container %q: image %q is not a valid image reference (%v); the kubelet cannot pull it", name, image, err)
			return
		}
		if _, digested := named.(reference.Digested); digested {
			return
		}
		help := "pin a version tag or a digest, e.g. " + reference.FamiliarName(named) + ":1.2.3 or " + reference.FamiliarName(named) + "@sha256:…"
		tagged, ok := named.(reference.Tagged)
		switch {
		case !ok:
			pass.Reportf(path, help, "container %q uses image %q, which has no tag or digest, so it means :latest", name, image)
		case tagged.Tag() == "latest":
			pass.Reportf(path, help, "container %q uses image %q; the latest tag is not pinned to a version", name, image)
		}
	}
	for i, c := range ref.Spec.InitContainers {
		check("initContainers", i, c.Name, c.Image)
	}
	for i, c := range ref.Spec.Containers {
		check("containers", i, c.Name, c.Image)
	}
}

// parsedImage is what ParseNormalizedNamed made of an image reference.
type parsedImage struct {
	named reference.Named
	err   error
}

// images caches parsed image references: parsing is a handful of regular
// expressions, and the same few images recur across a repository's
// manifests.
var images sync.Map // string -> parsedImage

func parseImage(image string) (reference.Named, error) {
	if p, ok := images.Load(image); ok {
		return p.(parsedImage).named, p.(parsedImage).err
	}
	named, err := reference.ParseNormalizedNamed(image)
	images.Store(image, parsedImage{named, err})
	return named, err
}
