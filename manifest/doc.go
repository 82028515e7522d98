// Package manifest loads Kubernetes manifests for every kvet command: it
// walks files and folders (and reads stdin), splits YAML and JSON streams
// into documents, parses each once into a yaml.v3 node tree, and from that
// tree gives the typed k8s.io/api object, the position of every field, and
// the raw (map) view on demand.
//
// Loading is also where hostile input is stopped: size, node and depth
// limits, duplicate keys, invalid UTF-8 and characters YAML does not allow,
// syntax errors (one broken document never hides the next), and files that
// are not regular or lead outside the linted tree. Everything wrong with the
// input itself is a Problem at its file:line:column; scalars are read as
// kubectl reads them (YAML 1.1, yaml11.go).
//
// The stages after loading (rules, the API server's validation, Rego
// policies, reports) read objects through this package and refer to fields
// with Path values, never by re-parsing text. Views of an object that
// belong to one of them are built there and kept with the object through a
// Memo: policy/input's Rego input value, so that this package does not
// depend on OPA (TestDoesNotImportOPA).
package manifest
