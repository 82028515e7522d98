package rules

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestAPIRuleForErrorType(t *testing.T) {
	for typ, want := range map[field.ErrorType]string{
		field.ErrorTypeRequired:     "api-required",
		field.ErrorTypeInvalid:      "api-invalid",
		field.ErrorTypeTypeInvalid:  "api-invalid",
		field.ErrorTypeNotSupported: "api-not-supported",
		field.ErrorTypeForbidden:    "api-forbidden",
		field.ErrorTypeDuplicate:    "api-duplicate",
		field.ErrorTypeNotFound:     "api-not-found",
		field.ErrorTypeTooLong:      "api-too-long",
		field.ErrorTypeTooMany:      "api-too-long",
		field.ErrorTypeInternal:     "api-internal",
	} {
		if got := apiRuleFor(typ).ID; got != want {
			t.Errorf("%s → %s, want %s", typ, got, want)
		}
	}
}
