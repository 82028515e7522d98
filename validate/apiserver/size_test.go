package apiserver

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// TestDataOverOneMiB: a ConfigMap or Secret whose data is over 1 MiB is
// "too long" at data, with its size, not at the object ("[]").
func TestDataOverOneMiB(t *testing.T) {
	half := strings.Repeat("x", 600_000)
	for _, doc := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {a: " + half + ", b: " + half + "}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {a: " + half + "}\nbinaryData: {b: " + strings.Repeat("eHh4", 200_000) + "}\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: big}\nstringData: {a: " + half + ", b: " + half + "}\n",
	} {
		errs, _ := Validate(decode(t, doc))
		var tooLong []*field.Error
		for _, e := range errs {
			if e.Type == field.ErrorTypeTooLong {
				tooLong = append(tooLong, e)
			}
		}
		if len(tooLong) != 1 || tooLong[0].Field != "data" || !strings.Contains(tooLong[0].Detail, "is 1200000 bytes (1.1 MiB), more than the 1048576 bytes") {
			t.Errorf("%.40s...: %v", doc, errs)
		}
	}
}
