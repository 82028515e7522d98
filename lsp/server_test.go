package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	protocol "github.com/tliron/glsp/protocol_3_16"

	_ "github.com/kvetdev/kvet/internal/golden" // go test ./... -update passes here too
	"github.com/kvetdev/kvet/kubeversion"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
	"github.com/kvetdev/kvet/rules"
	"github.com/kvetdev/kvet/validate"
)

func defaultChecker(string) (*Checker, error) {
	return &Checker{Check: validate.Options{
		Rules:    rules.All(),
		Settings: rule.Settings{KubeVersion: kubeversion.Latest()},
		Enabled: func(id string) bool {
			r := rules.Lookup(id)
			return r == nil || r.DefaultOn()
		},
	}}, nil
}

// client is the test's side of the connection: it records the
// diagnostics the server publishes.
type client struct {
	conn  *jsonrpc2.Conn
	diags chan published
}

// published is what a client reads of publishDiagnostics (glsp's own
// IntegerOrString does not decode: its UnmarshalJSON has a value
// receiver, so a client reads the code itself).
type published struct {
	URI         protocol.DocumentUri `json:"uri"`
	Diagnostics []struct {
		Range           protocol.Range               `json:"range"`
		Severity        *protocol.DiagnosticSeverity `json:"severity"`
		Code            any                          `json:"code"`
		CodeDescription *protocol.CodeDescription    `json:"codeDescription"`
		Source          *string                      `json:"source"`
		Message         string                       `json:"message"`
		Related         []struct {
			Location protocol.Location `json:"location"`
			Message  string            `json:"message"`
		} `json:"relatedInformation"`
	} `json:"diagnostics"`
}

func (c *client) Handle(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) {
	if req.Method == protocol.ServerTextDocumentPublishDiagnostics && req.Params != nil {
		var p published
		if json.Unmarshal(*req.Params, &p) == nil {
			c.diags <- p
		}
	}
}

func start(t *testing.T, root string, debounce time.Duration) *client {
	t.Helper()
	return startWith(t, root, debounce, defaultChecker)
}

func startWith(t *testing.T, root string, debounce time.Duration, setup func(string) (*Checker, error)) *client {
	t.Helper()
	a, b := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		New(Options{Setup: setup, Debounce: debounce}).Serve(ctx, a)
		close(done)
	}()
	c := &client{diags: make(chan published, 16)}
	c.conn = jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(b, jsonrpc2.VSCodeObjectCodec{}), c)
	t.Cleanup(func() {
		_ = c.conn.Close()
		cancel()
		<-done
	})
	uri := "file://" + root
	var res json.RawMessage
	if err := c.conn.Call(ctx, "initialize", protocol.InitializeParams{RootURI: &uri}, &res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res), `"hoverProvider":true`) {
		t.Fatalf("capabilities: %s", res)
	}
	_ = c.conn.Notify(ctx, "initialized", struct{}{})
	return c
}

func (c *client) wait(t *testing.T, uri protocol.DocumentUri) published {
	t.Helper()
	for {
		select {
		case p := <-c.diags:
			if p.URI == uri {
				return p
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no diagnostics for %s", uri)
		}
	}
}

// waitUntil waits for a publication for uri that ok accepts, and returns
// it; earlier publications for uri (a re-publication that was already on
// its way) are skipped. Fails after 10 s with the last one seen.
func (c *client) waitUntil(t *testing.T, uri protocol.DocumentUri, ok func(published) bool) (published, bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	var last published
	for {
		select {
		case p := <-c.diags:
			if p.URI != uri {
				continue
			}
			if ok(p) {
				return p, true
			}
			last = p
		case <-deadline:
			return last, false
		}
	}
}

func codes(p published) string {
	var out []string
	for _, d := range p.Diagnostics {
		out = append(out, fmt.Sprintf("%d:%d-%d %v", d.Range.Start.Line, d.Range.Start.Character, d.Range.End.Character, d.Code))
	}
	return strings.Join(out, " ")
}

const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16.3
`

const service = `apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector: {app: db}
  ports: [{port: 5432}]
`

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The open document is linted with the workspace's other files as
// context: the StatefulSet's Service is in svc.yaml, not headless.
func TestDiagnosticsUseTheWorkspace(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "svc.yaml", service)
	sts := writeFile(t, root, "sts.yaml", statefulSet)
	c := start(t, root, 10*time.Millisecond)
	uri := "file://" + sts
	ctx := context.Background()
	_ = c.conn.Notify(ctx, "textDocument/didOpen", protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: uri, LanguageID: "yaml", Version: 1, Text: statefulSet}})
	got := c.wait(t, uri)
	if !strings.Contains(codes(got), "5:15-17 statefulset-headless-service") {
		t.Fatalf("diagnostics = %s; want the Service in svc.yaml found and reported not headless at serviceName", codes(got))
	}
	var msg string
	for _, d := range got.Diagnostics {
		if d.Code == "statefulset-headless-service" {
			msg = d.Message
			if *d.Severity != protocol.DiagnosticSeverityError || d.CodeDescription == nil || *d.Source != "kvet" {
				t.Errorf("diagnostic = %+v", d)
			}
			// The other object, the Service, is related information.
			if len(d.Related) != 1 || d.Related[0].Location.URI != "file://"+filepath.Join(root, "svc.yaml") ||
				d.Related[0].Location.Range.Start.Line != 0 || d.Related[0].Message != "Service db" {
				t.Errorf("related information = %+v, want the Service at svc.yaml line 1", d.Related)
			}
		}
	}
	if !strings.Contains(msg, "headless") || !strings.Contains(msg, "help: ") {
		t.Errorf("message = %q", msg)
	}

	// An edit that fixes it (typed, then debounced) clears it.
	fixed := strings.Replace(statefulSet, "serviceName: db", "serviceName: db # ok", 1)
	_ = c.conn.Notify(ctx, "textDocument/didChange", protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri}, Version: 2},
		ContentChanges: []any{protocol.TextDocumentContentChangeEventWhole{Text: fixed}},
	})
	got = c.wait(t, uri)
	if !strings.Contains(codes(got), "statefulset-headless-service") {
		t.Fatalf("after a neutral edit: %s", codes(got))
	}

	// Hover on the finding shows the rule's documentation.
	var hover protocol.Hover
	if err := c.conn.Call(ctx, "textDocument/hover", protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri}, Position: protocol.Position{Line: 5, Character: 16}}}, &hover); err != nil {
		t.Fatal(err)
	}
	if mc, ok := hover.Contents.(protocol.MarkupContent); !ok || mc.Kind != protocol.MarkupKindMarkdown || !strings.Contains(mc.Value, "## Why is this bad?") {
		t.Errorf("hover = %+v", hover.Contents)
	}

	// The code action inserts an ignore comment above the line; the text
	// with it has no such finding.
	var actions []protocol.CodeAction
	if err := c.conn.Call(ctx, "textDocument/codeAction", protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri},
		Range: protocol.Range{Start: protocol.Position{Line: 5}, End: protocol.Position{Line: 5, Character: 3}}}, &actions); err != nil {
		t.Fatal(err)
	}
	if len(actions) != 1 || actions[0].Edit == nil {
		t.Fatalf("actions = %+v", actions)
	}
	edit := actions[0].Edit.Changes[uri][0]
	if edit.NewText != "  # kvet:ignore statefulset-headless-service -- reason\n" || edit.Range.Start.Line != 5 {
		t.Fatalf("edit = %+v", edit)
	}
	edited := applyChange(fixed, protocol.TextDocumentContentChangeEvent{Range: &edit.Range, Text: edit.NewText})
	_ = c.conn.Notify(ctx, "textDocument/didChange", protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri}, Version: 3},
		ContentChanges: []any{protocol.TextDocumentContentChangeEvent{Range: &edit.Range, Text: edit.NewText}},
	})
	got = c.wait(t, uri)
	if strings.Contains(codes(got), "statefulset-headless-service") {
		t.Fatalf("after the ignore comment: %s\n%s", codes(got), edited)
	}
}

// Changing the Service (open in the editor too) lints the StatefulSet
// again: what refers to the changed objects is re-checked.
func TestChangeRelintsWhatRefersToIt(t *testing.T) {
	root := t.TempDir()
	svc := writeFile(t, root, "svc.yaml", service)
	sts := writeFile(t, root, "sts.yaml", statefulSet)
	c := start(t, root, 10*time.Millisecond)
	ctx := context.Background()
	stsURI, svcURI := "file://"+sts, "file://"+svc
	_ = c.conn.Notify(ctx, "textDocument/didOpen", protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: stsURI, Version: 1, Text: statefulSet}})
	if got := c.wait(t, stsURI); !strings.Contains(codes(got), "statefulset-headless-service") {
		t.Fatalf("first: %s", codes(got))
	}
	_ = c.conn.Notify(ctx, "textDocument/didOpen", protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: svcURI, Version: 1, Text: service}})
	c.wait(t, svcURI)
	headless := strings.Replace(service, "spec:\n", "spec:\n  clusterIP: None\n", 1)
	_ = c.conn.Notify(ctx, "textDocument/didChange", protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: svcURI}, Version: 2},
		ContentChanges: []any{protocol.TextDocumentContentChangeEventWhole{Text: headless}},
	})
	// The Service's objects changed? Its labels did not; but its spec
	// did, and the key is kind/name/labels: a neutral change to keys
	// re-lints nothing, so rename it to show the re-lint.
	renamed := strings.Replace(headless, "name: db", "name: other", 1)
	_ = c.conn.Notify(ctx, "textDocument/didChange", protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: svcURI}, Version: 3},
		ContentChanges: []any{protocol.TextDocumentContentChangeEventWhole{Text: renamed}},
	})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case p := <-c.diags:
			if p.URI == stsURI {
				// The Service named db is gone: now a warning that it is
				// not among the linted files.
				if strings.Contains(codes(p), "statefulset-headless-service") {
					for _, d := range p.Diagnostics {
						if d.Code == "statefulset-headless-service" && *d.Severity == protocol.DiagnosticSeverityWarning {
							return
						}
					}
				}
			}
		case <-deadline:
			t.Fatal("the StatefulSet was not linted again after its Service was renamed")
		}
	}
}

func TestDiagnosticRangesAreUTF16(t *testing.T) {
	text := "a: x\nname: \"😀é\" # ok\n"
	// Column 7 (characters) is the quote; the emoji is two UTF-16 units.
	d := Diagnostics(text, []rule.Finding{{Rule: "r", Severity: rule.Warning, Line: 2, Column: 8, Span: 2}})
	r := d[0].Range
	if r.Start.Line != 1 || r.Start.Character != 7 || r.End.Character != 10 {
		t.Errorf("range = %+v, want line 1, 7-10", r)
	}
	// No span: to the end of the line's text.
	d = Diagnostics(text, []rule.Finding{{Rule: "r", Line: 1, Column: 4}})
	if r := d[0].Range; r.Start.Character != 3 || r.End.Character != 4 {
		t.Errorf("range = %+v, want 3-4", r)
	}
}

func TestApplyIncrementalChange(t *testing.T) {
	text := "a: 1\nb: 😀x\n"
	r := protocol.Range{Start: protocol.Position{Line: 1, Character: 3}, End: protocol.Position{Line: 1, Character: 5}}
	if got := applyChange(text, protocol.TextDocumentContentChangeEvent{Range: &r, Text: "y"}); got != "a: 1\nb: yx\n" {
		t.Errorf("got %q", got)
	}
}

// BenchmarkRelintOneFile is the editor's loop: a workspace of 1,000
// objects in 100 files, one file (10 objects) edited and linted again.
func BenchmarkRelintOneFile(b *testing.B) {
	root := b.TempDir()
	var edited string
	for f := range 100 {
		var sb strings.Builder
		for i := range 10 {
			fmt.Fprintf(&sb, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d%d-%d}\nspec:\n  selector: {matchLabels: {app: a%d}}\n  template:\n    metadata: {labels: {app: a%d}}\n    spec:\n      containers: [{name: c, image: 'nginx:1.27'}]\n", f, i, i, i)
		}
		p := filepath.Join(root, fmt.Sprintf("f%03d.yaml", f))
		if err := os.WriteFile(p, []byte(sb.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		if f == 50 {
			edited = sb.String()
		}
	}
	s := New(Options{Setup: defaultChecker})
	c, _ := defaultChecker(root)
	s.checker = c
	res := manifest.Load([]string{root}, manifest.Options{})
	for _, o := range res.Objects {
		s.files[o.Source.Path] = append(s.files[o.Source.Path], o)
	}
	if len(res.Objects) != 1000 {
		b.Fatalf("%d objects", len(res.Objects))
	}
	path := filepath.Join(root, "f050.yaml")
	b.ResetTimer()
	for b.Loop() {
		fs, objs, err := s.Lint(path, edited)
		if err != nil || len(objs) != 10 {
			b.Fatal(err, len(objs), fs)
		}
	}
}
