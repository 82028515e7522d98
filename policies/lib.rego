# METADATA
# title: kvet helpers
# description: Pod templates and containers of every workload kind, with the path to each.
package kvet.lib

# Where the pod spec lives, by kind.
pod_spec_paths := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"ReplicationController": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
	"PodTemplate": ["template", "spec"],
}

# Kinds whose pods run for ever (probes make sense there).
long_running := {"Deployment", "StatefulSet", "DaemonSet"}

kind := input.kind

# The object's name, or its generateName when it has none.
name := n if {
	n := object.get(input, ["metadata", "name"], "")
	n != ""
} else := object.get(input, ["metadata", "generateName"], "")

# The path of the pod spec of input (undefined for other kinds).
pod_spec_path := pod_spec_paths[input.kind]

# The pod spec of input (undefined when there is none).
pod_spec := spec if {
	spec := object.get(input, pod_spec_path, null)
	is_object(spec)
}

# Containers of input: {"container", "path", "init"} for regular and init containers.
containers contains {"container": c, "path": array.concat(pod_spec_path, ["containers", i]), "init": false} if {
	some i, c in pod_spec.containers
}

containers contains {"container": c, "path": array.concat(pod_spec_path, ["initContainers", i]), "init": true} if {
	some i, c in pod_spec.initContainers
}

# A short description of the object for messages: "Deployment web".
subject := sprintf("%s %s", [kind, name])
