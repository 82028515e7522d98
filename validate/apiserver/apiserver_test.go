package apiserver

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

// decode decodes a YAML manifest into the k8s.io/api Go type of its
// apiVersion/kind, as kvet's loader does.
func decode(t testing.TB, doc string) (schema.GroupVersionKind, runtime.Object) {
	t.Helper()
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	gv, err := schema.ParseGroupVersion(tm.APIVersion)
	if err != nil {
		t.Fatal(err)
	}
	gvk := gv.WithKind(tm.Kind)
	obj, err := scheme().New(gvk)
	if err != nil {
		t.Fatalf("new %s: %v", gvk, err)
	}
	if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
		t.Fatalf("yaml decode %s: %v", gvk, err)
	}
	return gvk, obj
}

type wantErr struct {
	typ  field.ErrorType
	path string
}

func render(errs field.ErrorList) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  %s %s (bad value %q): %s", e.Type, e.Field, BadValueString(e), e.Detail)
	}
	return b.String()
}

const podSpec = `
      containers:
      - name: app
        image: nginx:1.27`

var cases = []struct {
	name string
	doc  string
	want []wantErr // nil: the object must be valid
}{
	// ---------------- invalid objects ----------------
	{"job restartPolicy Always", `
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  template:
    spec:
      restartPolicy: Always` + podSpec,
		[]wantErr{{field.ErrorTypeRequired, "spec.template.spec.restartPolicy"}}},
	{"job without restartPolicy (defaulted to Always)", `
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  template:
    spec:` + podSpec,
		[]wantErr{{field.ErrorTypeRequired, "spec.template.spec.restartPolicy"}}},
	{"cronjob 4-field schedule", `
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 0 * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: app
            image: busybox`,
		[]wantErr{{field.ErrorTypeInvalid, "spec.schedule"}}},
	{"cronjob timeZone garbage", `
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 0 * * *"
  timeZone: "Mars/Olympus_Mons"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: app
            image: busybox`,
		[]wantErr{{field.ErrorTypeInvalid, "spec.timeZone"}}},
	{"daemonset selector does not match template", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: other}
    spec:` + podSpec,
		[]wantErr{{field.ErrorTypeInvalid, "spec.template.metadata.labels"}}},
	{"statefulset podManagementPolicy Sometimes", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  podManagementPolicy: Sometimes
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:` + podSpec,
		[]wantErr{{field.ErrorTypeInvalid, "spec.podManagementPolicy"}}},
	{"deployment volumeMount names missing volume", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx
        volumeMounts:
        - name: data
          mountPath: /data`,
		[]wantErr{{field.ErrorTypeNotFound, "spec.template.spec.containers[0].volumeMounts[0].name"}}},
	{"service invalid port", `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
  - port: 70000
    targetPort: 8080`,
		[]wantErr{{field.ErrorTypeInvalid, "spec.ports[0].port"}}},
	{"configmap invalid key", `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  "bad key!": x`,
		[]wantErr{{field.ErrorTypeInvalid, "data[bad key!]"}}},
	{"pdb minAvailable and maxUnavailable", `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  maxUnavailable: 1
  selector:
    matchLabels: {app: web}`,
		[]wantErr{{field.ErrorTypeInvalid, "spec"}}},
	{"hpa v2 minReplicas > maxReplicas", `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 5
  maxReplicas: 2`,
		[]wantErr{{field.ErrorTypeInvalid, "spec.maxReplicas"}}},
	{"hpa v1 minReplicas > maxReplicas", `
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 5
  maxReplicas: 2`,
		[]wantErr{{field.ErrorTypeInvalid, "spec.maxReplicas"}}},
	{"ingress bad pathType", `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Sometimes
        backend:
          service: {name: web, port: {number: 80}}`,
		[]wantErr{{field.ErrorTypeNotSupported, "spec.rules[0].http.paths[0].pathType"}}},
	{"networkpolicy bad port", `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np}
spec:
  podSelector: {}
  ingress:
  - ports:
    - port: 0`,
		[]wantErr{{field.ErrorTypeInvalid, "spec.ingress[0].ports[0].port"}}},
	{"pod without containers", `
apiVersion: v1
kind: Pod
metadata: {name: empty}
spec:
  containers: []`,
		[]wantErr{{field.ErrorTypeRequired, "spec.containers"}}},

	{"pod apparmor annotation and field disagree", `
apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: runtime/default
spec:
  containers:
  - name: app
    image: nginx
    securityContext:
      appArmorProfile: {type: Unconfined}`,
		[]wantErr{{field.ErrorTypeForbidden, "spec.containers[0].securityContext.appArmorProfile.type"}}},
	{"rolebinding without roleRef name (declarative validation)", `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ""}
subjects:
- kind: ServiceAccount
  name: builder`,
		[]wantErr{{field.ErrorTypeRequired, "roleRef.name"}}},
	{"job with a selector but no manualSelector", `
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  selector:
    matchLabels: {app: pi}
  template:
    metadata:
      labels: {app: pi}
    spec:
      restartPolicy: Never` + podSpec,
		[]wantErr{{field.ErrorTypeInvalid, "spec.selector"}}},
	{"job with invalid name", `
apiVersion: batch/v1
kind: Job
metadata: {name: Pi_Job}
spec:
  template:
    spec:
      restartPolicy: Never` + podSpec,
		[]wantErr{{field.ErrorTypeInvalid, "metadata.name"}}},

	// ---------------- valid objects ----------------
	{"valid job", `
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  backoffLimit: 4
  template:
    spec:
      restartPolicy: Never` + podSpec, nil},
	{"valid pod with scheduling gates and matchLabelKeys", `
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, tier: fe}
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: runtime/default
spec:
  schedulingGates: [{name: example.com/wait}]
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector: {matchLabels: {app: web}}
        matchLabelKeys: [tier]
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: DoNotSchedule
    labelSelector: {matchLabels: {app: web}}
    matchLabelKeys: [tier]
  containers: [{name: app, image: nginx}]`, nil},
	{"valid job with manual selector", `
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  manualSelector: true
  selector:
    matchLabels: {app: pi}
  template:
    metadata:
      labels: {app: pi}
    spec:
      restartPolicy: OnFailure` + podSpec, nil},
	{"valid cronjob", `
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ops}
spec:
  schedule: "0 3 * * *"
  timeZone: Europe/Berlin
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure` + strings.ReplaceAll(podSpec, "\n      ", "\n          "), nil},
	{"valid pod", `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:` + strings.ReplaceAll(podSpec, "\n      ", "\n  "), nil},
	{"valid deployment", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx
        ports: [{containerPort: 80}]
        volumeMounts: [{name: data, mountPath: /data}]
      volumes:
      - name: data
        emptyDir: {}`, nil},
	{"valid replicaset", `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:` + podSpec, nil},
	{"valid statefulset", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:` + podSpec + `
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}`, nil},
	{"valid daemonset", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:` + podSpec, nil},
	{"valid service", `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
  - name: http
    port: 80
    targetPort: 8080`, nil},
	{"valid configmap", `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  app.properties: "a=b"`, nil},
	{"valid secret", `
apiVersion: v1
kind: Secret
metadata: {name: creds}
type: Opaque
stringData:
  password: hunter2`, nil},
	{"valid pvc", `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}`, nil},
	{"valid serviceaccount", `
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder}`, nil},
	{"valid pdb", `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 50%
  selector:
    matchLabels: {app: web}`, nil},
	{"valid hpa v2", `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 70}`, nil},
	{"valid hpa v1", `
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 10
  targetCPUUtilizationPercentage: 80`, nil},
	{"valid ingress", `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: nginx
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80}}`, nil},
	{"valid networkpolicy", `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np}
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {matchLabels: {app: client}}
    ports:
    - port: 80`, nil},
	{"valid namespace", `
apiVersion: v1
kind: Namespace
metadata: {name: team-a}`, nil},
	{"valid replicationcontroller", `
apiVersion: v1
kind: ReplicationController
metadata: {name: web}
spec:
  replicas: 1
  selector: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:` + podSpec, nil},
	{"valid role", `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]`, nil},
	{"valid clusterrole", `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- nonResourceURLs: [/healthz]
  verbs: [get]`, nil},
	{"valid rolebinding", `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- kind: ServiceAccount
  name: builder`, nil},
	{"valid clusterrolebinding", `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: read}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- kind: ServiceAccount
  name: builder
  namespace: default`, nil},
	{"valid priorityclass", `
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000000`, nil},
	{"valid storageclass", `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: ebs.csi.aws.com
reclaimPolicy: Delete`, nil},
	{"valid limitrange", `
apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
    defaultRequest: {cpu: 100m}`, nil},
	{"valid resourcequota", `
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota}
spec:
  hard: {pods: "10"}`, nil},
}

func TestValidate(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gvk, obj := decode(t, tc.doc)
			before := obj.DeepCopyObject()
			errs, ok := Validate(gvk, obj)
			if !ok {
				t.Fatalf("%s not supported", gvk)
			}
			if !equality.Semantic.DeepEqual(before, obj) {
				t.Errorf("Validate modified the caller's object")
			}
			var got []wantErr
			for _, e := range errs {
				got = append(got, wantErr{e.Type, e.Field})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors:\n got %v%s\nwant %v", got, render(errs), tc.want)
			}
		})
	}
}

func TestDecodesToAPITypes(t *testing.T) {
	_, obj := decode(t, cases[0].doc)
	if _, ok := obj.(*batchv1.Job); !ok {
		t.Fatalf("decoded %T, want *batchv1.Job", obj)
	}
}
