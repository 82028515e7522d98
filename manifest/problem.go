package manifest

// Problem codes: each is the id of a built-in rule whose finding the
// loader reports (see rules/loader.go for their docs).
const (
	CodeSyntax        = "yaml-syntax"
	CodeDuplicateKey  = "duplicate-key"
	CodeUnknownField  = "unknown-field"
	CodeInvalidType   = "invalid-type"
	CodeInvalidObject = "invalid-object"
	CodeLimit         = "input-limit"
)

// A Problem is something wrong with the input itself, found while loading:
// a syntax error, a duplicate key, an unknown field, a value of the wrong
// type, a document that is not an object. It becomes a finding.
type Problem struct {
	Code    string
	Source  *Source
	Pos     Position
	Path    Path // field path inside the object, nil when not known
	Message string
	Help    string
	// Object is the object the problem is in, nil when the document could
	// not be read as an object at all.
	Object *Object
	// DocIndex is the index of the document in its file.
	DocIndex int
	// Fix, when set, resolves the problem (kvet fix).
	Fix *Fix
}
