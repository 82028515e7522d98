package rules

import (
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// schemaHelps turn the details of kube-openapi's schema validation errors
// (k8s.io/kube-openapi/pkg/validation/errors, which the apiextensions
// server reports for custom resources) into what to do. Each pattern is
// matched against the error's detail; the first that matches gives the help.
var schemaHelps = []struct {
	re   *regexp.Regexp
	help func(m []string) string
}{
	{regexp.MustCompile(`should be less than or equal to (\S+)$`), func(m []string) string { return "use a value of at most " + m[1] + " (the CRD's maximum)" }},
	{regexp.MustCompile(`should be less than (\S+)$`), func(m []string) string { return "use a value below " + m[1] + " (the CRD's exclusive maximum)" }},
	{regexp.MustCompile(`should be greater than or equal to (\S+)$`), func(m []string) string { return "use a value of at least " + m[1] + " (the CRD's minimum)" }},
	{regexp.MustCompile(`should be greater than (\S+)$`), func(m []string) string { return "use a value above " + m[1] + " (the CRD's exclusive minimum)" }},
	{regexp.MustCompile(`should be a multiple of (\S+)$`), func(m []string) string { return "use a multiple of " + m[1] }},
	{regexp.MustCompile(`should match '(.*)'$`), func(m []string) string { return "change the value to match the CRD's pattern " + m[1] }},
	{regexp.MustCompile(`should be at least (\d+) chars long$`), func(m []string) string { return "make it at least " + m[1] + " characters long" }},
	{regexp.MustCompile(`should be at most (\d+) chars long$`), func(m []string) string { return "shorten it to at most " + m[1] + " characters" }},
	{regexp.MustCompile(`should have at least (\d+) items$`), func(m []string) string { return "give at least " + m[1] + " items" }},
	{regexp.MustCompile(`should have at most (\d+) items$`), func(m []string) string { return "give at most " + m[1] + " items" }},
	{regexp.MustCompile(`should have at least (\d+) properties$`), func(m []string) string { return "give at least " + m[1] + " fields" }},
	{regexp.MustCompile(`should have at most (\d+) properties$`), func(m []string) string { return "give at most " + m[1] + " fields" }},
	{regexp.MustCompile(`must be of type ([\w,-]+): "(.*)"$`), func(m []string) string {
		want := strings.Split(m[1], ",")
		for _, w := range want {
			if !jsonTypes[w] {
				return "give a valid " + m[1] + " (the CRD's format)"
			}
		}
		wants := strings.Join(want, " or ")
		switch {
		case m[2] == "string" && !slices.Contains(want, "string"):
			return "write the value without quotes: the CRD wants " + article(wants)
		case m[1] == "string" && m[2] != "object" && m[2] != "array":
			return "quote the value: the CRD wants " + article(wants)
		}
		return "give " + article(wants) + " here, not " + article(m[2])
	}},
	{regexp.MustCompile(`must validate one and only one schema \(oneOf\)`), func([]string) string {
		return "make the value match exactly one of the alternatives of the CRD's oneOf"
	}},
	{regexp.MustCompile(`must validate (at least one|all the) schemas? \((anyOf|allOf)\)`), func(m []string) string {
		return "make the value match the CRD's " + m[2]
	}},
	{regexp.MustCompile(`must not validate the schema \(not\)`), func([]string) string { return "change the value: the CRD's schema forbids this shape (not)" }},
}

var jsonTypes = map[string]bool{"boolean": true, "integer": true, "number": true, "string": true, "object": true, "array": true, "null": true}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// schemaHelp is the help of a custom resource's schema error: from the
// detail when kube-openapi's wording says what the CRD wants, else
// apiHelp's.
func schemaHelp(e *field.Error) string {
	if e.Type == field.ErrorTypeInvalid || e.Type == field.ErrorTypeTypeInvalid {
		for _, h := range schemaHelps {
			if m := h.re.FindStringSubmatch(e.Detail); m != nil {
				return h.help(m)
			}
		}
		if strings.Contains(e.Detail, "RFC 1123") && strings.HasSuffix(e.Field, "metadata.name") {
			return "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
		}
	}
	return apiHelp(e)
}
