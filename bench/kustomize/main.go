// Command kustomize is the kustomize benchmark's helper: -gen writes a
// kustomize repository (a base of -apps Deployments with their Services
// and ConfigMaps, and overlays/dev, staging and prod, each with a name
// prefix, a namespace, labels, images, replicas and a patch); -build DIR
// prints DIR's build as kustomize build does (krusty, the same library
// kvet uses), the other side of `kustomize build DIR | kvet lint -`.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

func main() {
	gen := flag.String("gen", "", "write a kustomize repository into this folder")
	apps := flag.Int("apps", 50, "applications in the base (-gen)")
	build := flag.String("build", "", "print the build of this kustomization folder")
	flag.Parse()
	var err error
	switch {
	case *gen != "":
		err = write(*gen, *apps)
	case *build != "":
		err = run(*build)
	default:
		err = fmt.Errorf("give -gen DIR or -build DIR")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kustomize:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return err
	}
	out, err := m.AsYaml()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}

const app = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app%[1]d
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app%[1]d
  template:
    metadata:
      labels:
        app: app%[1]d
    spec:
      containers:
      - name: app
        image: registry.example.com/app%[1]d:1.0.%[1]d
        ports:
        - containerPort: 8080
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {memory: 128Mi}
        envFrom:
        - configMapRef:
            name: app%[1]d
---
apiVersion: v1
kind: Service
metadata:
  name: app%[1]d
spec:
  selector:
    app: app%[1]d
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app%[1]d
data:
  LOG_LEVEL: info
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate%[1]d
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: registry.example.com/app%[1]d:latest
`

func write(dir string, n int) error {
	var res []string
	for i := range n {
		name := fmt.Sprintf("app%d.yaml", i)
		res = append(res, "- "+name)
		if err := put(filepath.Join(dir, "base", name), fmt.Sprintf(app, i)); err != nil {
			return err
		}
	}
	if err := put(filepath.Join(dir, "base", "kustomization.yaml"), "resources:\n"+strings.Join(res, "\n")+"\n"); err != nil {
		return err
	}
	for j, env := range []string{"dev", "staging", "prod"} {
		k := fmt.Sprintf(`namePrefix: %[1]s-
namespace: %[1]s
labels:
- pairs:
    env: %[1]s
resources:
- ../../base
images:
- name: registry.example.com/app0
  newTag: "2.%[2]d"
replicas:
- name: app1
  count: %[2]d
patches:
- path: patch.yaml
  target:
    kind: Deployment
`, env, j+2)
		patch := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: any
spec:
  template:
    spec:
      containers:
      - name: app
        imagePullPolicy: Always
`
		if err := put(filepath.Join(dir, "overlays", env, "kustomization.yaml"), k); err != nil {
			return err
		}
		if err := put(filepath.Join(dir, "overlays", env, "patch.yaml"), patch); err != nil {
			return err
		}
	}
	return nil
}

func put(path, data string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(data), 0o644)
}
