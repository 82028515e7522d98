// Command baseline is the comparison point for the probe's build time and
// binary size: it decodes a Job into k8s.io/api types (what kvet needs
// anyway) without importing validate/apiserver.
package main

import (
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"
)

func main() {
	var j batchv1.Job
	fmt.Println(yaml.Unmarshal([]byte("metadata: {name: pi}"), &j), j.Name)
}
