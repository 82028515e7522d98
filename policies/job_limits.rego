# METADATA
# title: Jobs are bounded
# description: Jobs set ttlSecondsAfterFinished and activeDeadlineSeconds.
# custom:
#   id: job-limits
#   severity: low
#   group: reliability
#   help: "set spec.ttlSecondsAfterFinished (e.g. 3600) and spec.activeDeadlineSeconds (e.g. 600)"
#   doc:
#     what: A Job has no ttlSecondsAfterFinished or no activeDeadlineSeconds.
#     why: >-
#       Without a TTL finished Jobs and their pods pile up in the cluster;
#       without a deadline a stuck Job runs (and holds its resources) for ever.
#     example: |
#       kind: Job
#       spec:
#         template: ...
#     fix: |
#       spec:
#         ttlSecondsAfterFinished: 3600
#         activeDeadlineSeconds: 600
package kvet.job_limits

import data.kvet.lib

deny contains {
	"msg": sprintf("%s: spec.%s is not set", [lib.subject, field]),
	"path": ["spec"],
	"id": "job-limits",
	"severity": "low",
} if {
	input.kind == "Job"
	some field in ["ttlSecondsAfterFinished", "activeDeadlineSeconds"]
	not has_field(field)
}

has_field(field) if input.spec[field] != null
