package rules

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
	openapierrors "k8s.io/kube-openapi/pkg/validation/errors"
)

// TestSchemaHelp holds schemaHelp to kube-openapi's own wording: each
// error is made by the library's constructor, as the apiextensions
// server's schema validation makes it, and must get a help that says
// what the CRD wants.
func TestSchemaHelp(t *testing.T) {
	p := field.NewPath("spec", "size")
	for _, c := range []struct {
		err  error
		want string
	}{
		{openapierrors.ExceedsMaximumInt("spec.size", "body", 10, false, 11), "use a value of at most 10 (the CRD's maximum)"},
		{openapierrors.ExceedsMaximum("spec.size", "body", 1.5, true, 2.0), "use a value below 1.5 (the CRD's exclusive maximum)"},
		{openapierrors.ExceedsMinimumInt("spec.size", "body", 1, false, 0), "use a value of at least 1 (the CRD's minimum)"},
		{openapierrors.ExceedsMinimumInt("spec.size", "body", 0, true, 0), "use a value above 0 (the CRD's exclusive minimum)"},
		{openapierrors.NotMultipleOf("spec.size", "body", 4, 3), "use a multiple of 4"},
		{openapierrors.FailedPattern("spec.size", "body", `^[a-z]+$`, "A"), "change the value to match the CRD's pattern ^[a-z]+$"},
		{openapierrors.TooShort("spec.size", "body", 2, "a"), "make it at least 2 characters long"},
		{openapierrors.TooLong("spec.size", "body", 3, "abcd"), "shorten it to at most 3 characters"},
		{openapierrors.TooFewItems("spec.size", "body", 2, nil), "give at least 2 items"},
		{openapierrors.TooManyItems("spec.size", "body", 2, nil), "give at most 2 items"},
		{openapierrors.TooFewProperties("spec.size", "body", 1, 0), "give at least 1 fields"},
		{openapierrors.InvalidType("spec.size", "body", "boolean", "string"), "write the value without quotes: the CRD wants a boolean"},
		{openapierrors.InvalidType("spec.size", "body", "integer,string", "boolean"), "give an integer or string here, not a boolean"},
		{openapierrors.InvalidType("spec.size", "body", "string", "integer"), "quote the value: the CRD wants a string"},
		{openapierrors.InvalidType("spec.size", "body", "object", "array"), "give an object here, not an array"},
		{openapierrors.InvalidType("spec.size", "body", "uuid", "not-a-uuid"), "give a valid uuid (the CRD's format)"},
		{openapierrors.EnumFail("spec.size", "body", "x", []any{"a"}), "fix the value; the API server rejects it"},
	} {
		got := schemaHelp(field.Invalid(p, nil, c.err.Error()))
		if got != c.want {
			t.Errorf("%s:\n got  %q\n want %q", c.err, got, c.want)
		}
	}
	if got := schemaHelp(field.Required(p, "")); got != "set spec.size" {
		t.Errorf("required: got %q, want apiHelp's", got)
	}
}
