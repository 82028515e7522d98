package rule

// Ids of the findings the engine itself reports. Each is also a declared
// rule (package rules) with its documentation, so that kvet explain, the
// configuration and ignores can address it like any other.
const (
	// InternalError is a rule or policy that crashed, timed out or ran out
	// of its memory budget on an object.
	InternalError = "internal-error"
	// UnusedIgnore is an ignore directive that matched no finding.
	UnusedIgnore = "unused-ignore"
)
