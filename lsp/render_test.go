package lsp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kvetdev/kvet/internal/testfs"
	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/render/helm"
	"github.com/kvetdev/kvet/render/kustomize"
)

// renderChecker is the default checker with Helm charts and kustomize
// roots rendered, as kvet lsp sets it up.
func renderChecker(root string) (*Checker, error) {
	c, _ := defaultChecker(root)
	c.Load.Renderers = []manifest.Renderer{helm.New(helm.Options{})}
	c.Kustomize = &kustomize.Options{}
	return c, nil
}

const lspTemplate = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27.0
          imagePullPolicy: {{ .Values.pullPolicy }}
          ports:
            - containerPort: 80
              protocol: TCPX
`

// TestRenderedFiles: opening a chart's template or values file, or a
// kustomize base, publishes the findings of the chart's rendering or of
// the overlays' builds mapped back to that file (none of the false
// errors of linting them as manifests: "{{" in a template, a base's
// ClusterRoleBinding subject without the namespace its overlays set);
// saving a values file renders the chart again, and the chart's other
// open files get their diagnostics again too.
func TestRenderedFiles(t *testing.T) {
	root := t.TempDir()
	testfs.Write(t, root, map[string]string{
		"charts/web/Chart.yaml":                   "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"charts/web/values.yaml":                  "image: nginx:1.27.0\npullPolicy: Sometimes\n",
		"charts/web/templates/deploy.yaml":        lspTemplate,
		"deploy/base/kustomization.yaml":          "resources:\n- job.yaml\n- rbac.yaml\n",
		"deploy/base/job.yaml":                    "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  ttlSecondsAfterFinished: 60\n  template:\n    spec:\n      restartPolicy: Always\n      containers:\n      - name: m\n        image: busybox:1.36\n",
		"deploy/base/rbac.yaml":                   "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: view\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: ServiceAccount\n  name: default\n",
		"deploy/overlays/dev/kustomization.yaml":  "namespace: dev\nresources:\n- ../../base\n",
		"deploy/overlays/prod/kustomization.yaml": "namespace: prod\nresources:\n- ../../base\n",
	})
	c := startWith(t, root, 10*time.Millisecond, renderChecker)
	ctx := context.Background()
	open := func(name string) (protocol.DocumentUri, published) {
		t.Helper()
		p := filepath.Join(root, name)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		uri := "file://" + p
		_ = c.conn.Notify(ctx, "textDocument/didOpen", protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: uri, LanguageID: "yaml", Version: 1, Text: string(data)}})
		return uri, c.wait(t, uri)
	}
	tplURI, got := open("charts/web/templates/deploy.yaml")
	if codes(got) != "17:24-25 api-not-supported" {
		t.Errorf("template: %s; want the literal protocol line only", codes(got))
	}
	valuesURI, got := open("charts/web/values.yaml")
	if codes(got) != "1:12-13 api-not-supported" {
		t.Errorf("values.yaml: %s; want pullPolicy", codes(got))
	}
	_, got = open("deploy/base/job.yaml")
	if codes(got) != "8:21-27 job-restart-policy" || !strings.Contains(got.Diagnostics[0].Message, "(seen in deploy/overlays/dev, deploy/overlays/prod)") {
		t.Errorf("base job.yaml: %s %+v; want restartPolicy, seen through the overlays", codes(got), got.Diagnostics)
	}
	if _, got = open("deploy/base/rbac.yaml"); len(got.Diagnostics) != 0 {
		t.Errorf("base rbac.yaml: %s; the overlays set the subject's namespace", codes(got))
	}

	// A typed change to a rendered file is not linted (the chart is
	// rendered from the disk); saving it is.
	fixed := "image: nginx:1.27.0\npullPolicy: Never\n"
	testfs.Write(t, root, map[string]string{"charts/web/values.yaml": fixed})
	_ = c.conn.Notify(ctx, "textDocument/didSave", protocol.DidSaveTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: valuesURI}, Text: &fixed})
	// Publications made before the save may still be on their way: wait
	// for the one that reflects it.
	if got, ok := c.waitUntil(t, valuesURI, func(p published) bool { return len(p.Diagnostics) == 0 }); !ok {
		t.Errorf("values.yaml after saving the fix: %s", codes(got))
	}
	if got, ok := c.waitUntil(t, tplURI, func(p published) bool { return codes(p) == "17:24-25 api-not-supported" }); !ok {
		t.Errorf("the template after saving values.yaml: %s", codes(got))
	}
}
