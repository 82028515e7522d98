package manifest

import "context"

// CodeRender is the code of a chart or kustomization that could not be
// rendered: a template's required or fail, a nil pointer, bad syntax, a
// missing dependency, values that break values.schema.json.
const CodeRender = "render-error"

// A Renderer turns a folder of sources that are not manifests themselves
// (a Helm chart, a kustomize root) into the manifests they produce. The
// loader asks it about each folder it walks or is given, and about the
// folders above each file it is given (a changed template re-renders its
// chart).
type Renderer interface {
	// Root reports whether dir is a folder this renderer builds; a root's
	// files are then not read as manifests.
	Root(dir string) bool
	// Render builds the root dir: each rendered Source carries an Origin
	// that maps its lines back to the files the user edits. A root that
	// fails to render gives problems (at the file and line of the cause)
	// and no sources, or some sources and some problems.
	Render(ctx context.Context, dir string) ([]*Source, []Problem)
}

// Origin maps positions in a rendered Source back to the files the user
// edits (a template, a values file). It must be safe for concurrent use.
type Origin interface {
	// Place returns where the text at line and column of the rendered
	// source (the value of the field path, when known) comes from.
	Place(line, column int, path Path) Place
}

// A VariantOrigin is the Origin of one of several renderings of the same
// files (a chart rendered with each of its value sets): the same finding
// from several of them is reported once, naming them.
type VariantOrigin interface {
	Origin
	// Variant names the rendering ("values-prod.yaml").
	Variant() string
}

// Place is a position in a source file.
type Place struct {
	Source       *Source
	Line, Column int
}

// RenderedSource returns a Source for rendered text named path (how
// findings name it when no better place is known), mapped back by origin.
func RenderedSource(path string, data []byte, origin Origin) *Source {
	return &Source{Path: path, Data: data, Origin: origin}
}
