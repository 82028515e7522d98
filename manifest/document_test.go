package manifest

import (
	"reflect"
	"strings"
	"testing"
)

func parseDocs(t *testing.T, text string, limits Limits) (docs []*Document, problems []Problem, lasts int) {
	t.Helper()
	ParseDocuments(&Source{Path: "d.yaml", Data: []byte(text)}, limits, func(p Parsed) {
		docs = append(docs, p.Docs...)
		problems = append(problems, p.Problems...)
		if p.Last {
			lasts++
		}
	})
	return docs, problems, lasts
}

// Every document is kept whatever its shape, and the limits hold for a
// document that is not a mapping too.
func TestParseDocuments(t *testing.T) {
	docs, problems, lasts := parseDocs(t, "hello\n---\n# only a comment\n---\n[1, {a: 2}]\n---\nkind: X\n", Limits{})
	if len(docs) != 3 || len(problems) != 0 || lasts != 1 {
		t.Fatalf("docs %d, problems %v, last batches %d", len(docs), problems, lasts)
	}
	for i, want := range []any{"hello", []any{int64(1), map[string]any{"a": int64(2)}}, map[string]any{"kind": "X"}} {
		if got := docs[i].Value(); !reflect.DeepEqual(got, want) {
			t.Errorf("document %d = %#v, want %#v", i, got, want)
		}
	}
	if docs[2].Index != 3 || docs[2].Pos().Line != 7 {
		t.Errorf("third document: index %d, line %d", docs[2].Index, docs[2].Pos().Line)
	}

	_, _, lasts = parseDocs(t, "", Limits{})
	if lasts != 1 {
		t.Errorf("an empty file gave %d last batches, want 1", lasts)
	}

	bomb := "- &a [x, x, x, x]\n- &b [*a, *a, *a, *a]\n- &c [*b, *b, *b, *b]\n- [*c, *c, *c, *c]\n"
	docs, problems, _ = parseDocs(t, bomb, Limits{MaxNodes: 100})
	if len(docs) != 0 || len(problems) != 1 || problems[0].Code != CodeLimit || !strings.Contains(problems[0].Message, "more than 100 YAML nodes") {
		t.Errorf("list alias bomb: docs %d, problems %+v", len(docs), problems)
	}
}
