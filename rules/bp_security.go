package rules

import (
	"path"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// ReadOnlyRootFilesystem asks containers for a read-only root filesystem.
var ReadOnlyRootFilesystem = &rule.Rule{
	ID: "read-only-root-filesystem", Severity: rule.Warning, Kinds: podKinds, Off: true, Sets: []string{"security"},
	Check: checkReadOnlyRootFilesystem,
	Doc: bpDoc("A container can write to its root filesystem.",
		`Reports every container and init container whose
securityContext.readOnlyRootFilesystem is not true. Pods whose spec.os.name
is windows are skipped (Windows does not support the field).`,
		`An attacker who gets code execution in a writable container can drop
tools and binaries into it, or change the application's own files. A
read-only root also keeps an application from filling the node's disk
through its writable layer.`,
		`containers:
  - name: web
    image: nginx:1.27.2`,
		`containers:
  - name: web
    image: nginx:1.27.2
    securityContext:
      readOnlyRootFilesystem: true
    volumeMounts:           # where it must write
      - {name: tmp, mountPath: /tmp}
volumes:
  - {name: tmp, emptyDir: {}}`),
}

func checkReadOnlyRootFilesystem(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok || isWindows(ref.Spec) {
		return
	}
	eachContainer(ref, func(list string, i int, c *corev1.Container) {
		if sc := c.SecurityContext; sc != nil && sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem {
			return
		}
		pass.Reportf(containerPath(ref, list, i).Field("securityContext").Field("readOnlyRootFilesystem"),
			"set securityContext.readOnlyRootFilesystem: true on the container, and mount an emptyDir where it must write (/tmp, caches)",
			"container %q can write to its root filesystem (securityContext.readOnlyRootFilesystem is not true)", c.Name)
	})
}

// DockerSocket reports a container runtime's socket mounted from the
// node.
var DockerSocket = &rule.Rule{
	ID: "docker-socket", Severity: rule.Error, Kinds: podKinds, Off: true, Sets: []string{"security"},
	Check: checkDockerSocket,
	Doc: bpDoc("A pod mounts the node's container runtime socket (docker.sock, containerd.sock, crio.sock).",
		`Reports a hostPath volume whose path is a container runtime's socket
(docker.sock, containerd.sock, crio.sock, dockershim.sock, cri-dockerd.sock)
or the directory that holds it (/var/run/docker, /run/containerd,
/var/run/crio, ...).`,
		`Whoever can talk to the runtime socket can start a privileged container
with the node's root filesystem mounted: the pod is root on the node,
whatever its securityContext says.`,
		`volumes:
  - name: docker
    hostPath:
      path: /var/run/docker.sock`,
		`# Build images without the node's daemon (kaniko, buildkit rootless),
# or talk to a remote builder over the network.
volumes:
  - name: workspace
    emptyDir: {}`),
}

var runtimeSockets = map[string]bool{
	"docker.sock": true, "containerd.sock": true, "crio.sock": true, "dockershim.sock": true, "cri-dockerd.sock": true,
}

var runtimeSocketDirs = map[string]bool{
	"/var/run/docker": true, "/run/docker": true, "/var/run/containerd": true, "/run/containerd": true,
	"/var/run/crio": true, "/run/crio": true,
}

func checkDockerSocket(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	for i, v := range ref.Spec.Volumes {
		if v.HostPath == nil || v.HostPath.Path == "" {
			continue
		}
		p := path.Clean(v.HostPath.Path)
		if !runtimeSockets[path.Base(p)] && !runtimeSocketDirs[p] {
			continue
		}
		what := "the container runtime socket"
		if runtimeSocketDirs[p] {
			what = "the folder of the container runtime socket"
		}
		pass.Reportf(ref.Path.Field("volumes").Item(i).Field("hostPath").Field("path"),
			"remove the volume "+strconv.Quote(v.Name)+" and its volumeMounts; build images without the node's daemon (kaniko, buildkit rootless)",
			"volume %q mounts %s %s from the node: the pod can start privileged containers, so it is root on the node", v.Name, what, v.HostPath.Path)
	}
}

// ServiceAccountToken asks pods not to mount a service account token.
var ServiceAccountToken = &rule.Rule{
	ID: "service-account-token", Severity: rule.Warning, Kinds: podKinds, Off: true, Sets: []string{"security"},
	Context: []string{"v1/ServiceAccount"}, ContextTyped: true,
	Check: checkServiceAccountToken,
	Doc: bpDoc("A pod mounts a Kubernetes API token it may not need.",
		`Reports a pod template whose spec.automountServiceAccountToken is not
false, unless it is unset and the pod's ServiceAccount, found in any file
of the run, sets automountServiceAccountToken: false.`,
		`Every pod gets a token of its ServiceAccount in
/var/run/secrets/kubernetes.io/serviceaccount unless told otherwise. Most
applications never call the API server; for them the token only helps an
attacker who got into the container to explore and act on the cluster.`,
		`spec:
  containers:
    - name: web
      image: nginx:1.27.2`,
		`spec:
  automountServiceAccountToken: false   # or keep true for pods that call the API
  containers:
    - name: web
      image: nginx:1.27.2`),
}

func checkServiceAccountToken(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	if a := ref.Spec.AutomountServiceAccountToken; a != nil && !*a {
		return
	}
	sa := ref.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	if ref.Spec.AutomountServiceAccountToken == nil && noAutomount(pass.Index)[rule.EffectiveNamespace(o)+"/"+sa] {
		return
	}
	pass.Reportf(ref.Path.Field("automountServiceAccountToken"),
		"set automountServiceAccountToken: false in the pod spec unless the pod calls the Kubernetes API",
		"the pod mounts a token of ServiceAccount %q (automountServiceAccountToken is not false)", sa)
}

// SecretInEnv reports secrets written as literal environment values.
var SecretInEnv = &rule.Rule{
	ID: "secret-in-env", Severity: rule.Warning, Kinds: podKinds, Off: true, Sets: []string{"security"},
	Check: checkSecretInEnv,
	Doc: bpDoc("A container's environment holds a literal secret (a password, token or private key).",
		`Reports an env entry with a literal value whose name says it is a secret
(SECRET, PASSWORD, PASSWD, PASSPHRASE, TOKEN, BEARER, API_KEY, APIKEY,
ACCESS_KEY, PRIVATE_KEY, CREDENTIAL, case-insensitive; AZURE_...KEY and
..._KEY_CONTENT), and any value that holds a private key
(-----BEGIN ... PRIVATE KEY-----). Names that point at a secret rather than hold
one (ending in _FILE, _PATH, _DIR, _NAME, _NAMESPACE, _REF, _ID, _VERSION,
_URL, _TTL, _ENABLED) and values that are empty, booleans, numbers,
absolute paths, $(VAR) references or placeholders (<your token>,
INSERT_TOKEN, the variable's own name) are not reported; kube-linter
reports those too.`,
		`The manifest is in version control, in CI logs and in every copy of the
rendered chart: a secret written in it is leaked to everyone who can read
those. It also cannot be rotated without a commit.`,
		`env:
  - name: DB_PASSWORD
    value: hunter2`,
		`env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: {name: db, key: password}`),
}

var secretWords = []string{"SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "BEARER", "API_KEY", "APIKEY",
	"ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"}

var notSecretSuffixes = []string{"_FILE", "_PATH", "_DIR", "_NAME", "_NAMESPACE", "_REF", "_ID", "_VERSION", "_URL", "_TTL", "_ENABLED"}

// secretName reports whether a variable or key name says it holds a
// secret.
func secretName(name string) bool {
	n := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
	for _, s := range notSecretSuffixes {
		if strings.HasSuffix(n, s) {
			return false
		}
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	// Cloud SDKs' key variables (AZURE_BATCH_KEY, OCI_CLI_KEY_CONTENT).
	return strings.HasPrefix(n, "AZURE_") && strings.HasSuffix(n, "KEY") || strings.HasSuffix(n, "_KEY_CONTENT")
}

// secretValue reports whether the value of name could be a secret at
// all: not empty, not a boolean, a number, an absolute path, a $(VAR)
// reference or a placeholder (<your token>, INSERT_TOKEN, the name itself).
func secretValue(name, v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "$(") || v == name ||
		strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">") || placeholder(v) {
		return false
	}
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "none", "null", "changeme":
		return false
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return false
	}
	return true
}

// placeholder reports whether v is an upper-case constant such as
// INSERT_TOKEN or SECRET, which samples write where a secret goes.
func placeholder(v string) bool {
	for _, r := range v {
		if (r < 'A' || r > 'Z') && r != '_' {
			return false
		}
	}
	return true
}

// privateKey reports whether v holds a PEM (or PEM-like) private key
// header: -----BEGIN RSA PRIVATE KEY-----, ---BEGIN OPENSSH PRIVATE KEY---.
func privateKey(v string) bool {
	for rest := v; ; {
		i := strings.Index(rest, "BEGIN ")
		if i < 0 {
			return false
		}
		line, _, _ := strings.Cut(rest[i:], "\n")
		if i > 0 && rest[i-1] == '-' && strings.Contains(line, "PRIVATE KEY-") {
			return true
		}
		rest = rest[i+len("BEGIN "):]
	}
}

func checkSecretInEnv(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	eachContainer(ref, func(list string, i int, c *corev1.Container) {
		for j, e := range c.Env {
			if e.Value == "" {
				continue
			}
			var what string
			switch {
			case privateKey(e.Value):
				what = "a private key"
			case secretName(e.Name) && secretValue(e.Name, e.Value):
				what = "a literal secret"
			default:
				continue
			}
			pass.Reportf(containerPath(ref, list, i).Field("env").Item(j).Field("value"),
				"put the value in a Secret and use valueFrom.secretKeyRef (or mount the Secret as a file)",
				"container %q: env %s holds %s in the manifest", c.Name, e.Name, what)
		}
	})
}

// SecretInConfigMap reports secrets stored in a ConfigMap.
var SecretInConfigMap = &rule.Rule{
	ID: "secret-in-configmap", Severity: rule.Warning, Kinds: []string{"v1/ConfigMap"}, Off: true, Sets: []string{"security"},
	Check: checkSecretInConfigMap,
	Doc: bpDoc("A ConfigMap holds a secret (a password, token or private key).",
		`Reports a ConfigMap data key whose name says it is a secret (the words of
secret-in-env) with a value that could be one, and any value holding a
PEM private key.`,
		`ConfigMaps are not meant for secrets: they are readable by anyone allowed
to read ConfigMaps (often every developer and many controllers), are not
encrypted at rest by the usual EncryptionConfiguration, and are printed by
kubectl describe. The manifest itself is in version control.`,
		`kind: ConfigMap
data:
  api_token: 3f9a1c0e77`,
		`kind: Secret
stringData:
  api_token: 3f9a1c0e77   # better: created from a secret store, not committed`),
}

func checkSecretInConfigMap(pass *rule.Pass, o *manifest.Object) {
	cm, ok := o.Typed.(*corev1.ConfigMap)
	if !ok {
		return
	}
	for k, v := range cm.Data {
		var what string
		switch {
		case privateKey(v):
			what = "a private key"
		case secretName(k) && secretValue(k, v) && !strings.Contains(v, "\n"):
			what = "a secret"
		default:
			continue
		}
		pass.Reportf(manifest.Path{}.Field("data").Field(k),
			"move the value to a Secret (created from a secret store, not committed) and reference that instead",
			"ConfigMap key %q holds %s; ConfigMaps are not for secrets", k, what)
	}
}

// SSHPort reports a container exposing port 22.
var SSHPort = &rule.Rule{
	ID: "ssh-port", Severity: rule.Warning, Kinds: podKinds, Off: true, Sets: []string{"security"},
	Check: checkSSHPort,
	Doc: bpDoc("A container exposes TCP port 22 (SSH).",
		`Reports a container port 22 with protocol TCP (the default).`,
		`An SSH server in a container is a second way in that bypasses the
cluster's access control and audit (kubectl exec is both), and it usually
comes with long-lived keys or passwords baked into the image.`,
		`ports:
  - containerPort: 22`,
		`# Remove the SSH server; use kubectl exec or kubectl debug to get a shell.
ports:
  - containerPort: 8080`),
}

func checkSSHPort(pass *rule.Pass, o *manifest.Object) {
	ref, ok := PodSpecOf(o)
	if !ok {
		return
	}
	eachContainer(ref, func(list string, i int, c *corev1.Container) {
		for j, p := range c.Ports {
			if p.ContainerPort == 22 && (p.Protocol == "" || p.Protocol == corev1.ProtocolTCP) {
				pass.Reportf(containerPath(ref, list, i).Field("ports").Item(j).Field("containerPort"),
					"remove the SSH server and its port; use kubectl exec or kubectl debug for a shell",
					"container %q exposes port 22, the SSH port", c.Name)
			}
		}
	})
}

type noAutomountKey struct{}

// noAutomount is the set of "namespace/name" of the run's ServiceAccounts
// that set automountServiceAccountToken: false, built once per run.
func noAutomount(ix *rule.Index) map[string]bool {
	return ix.Memo(noAutomountKey{}, func() any {
		m := map[string]bool{}
		for _, o := range ix.ByKind("", "ServiceAccount") {
			if sa, ok := o.Typed.(*corev1.ServiceAccount); ok && sa.AutomountServiceAccountToken != nil && !*sa.AutomountServiceAccountToken {
				m[rule.EffectiveNamespace(o)+"/"+o.Name] = true
			}
		}
		return m
	}).(map[string]bool)
}
