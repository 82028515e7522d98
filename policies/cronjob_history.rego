# METADATA
# title: CronJobs limit their history
# description: CronJobs set successfulJobsHistoryLimit and failedJobsHistoryLimit.
# custom:
#   id: cronjob-history-limits
#   severity: low
#   group: reliability
#   help: "set spec.successfulJobsHistoryLimit and spec.failedJobsHistoryLimit (e.g. 3 and 1)"
#   doc:
#     what: A CronJob does not set successfulJobsHistoryLimit or failedJobsHistoryLimit.
#     why: >-
#       The defaults keep finished Jobs and their pods around; stating the
#       limits keeps the namespace tidy and makes the retention a decision.
#     example: |
#       kind: CronJob
#       spec:
#         schedule: "0 * * * *"
#     fix: |
#       spec:
#         successfulJobsHistoryLimit: 3
#         failedJobsHistoryLimit: 1
package kvet.cronjob_history

import data.kvet.lib

deny contains {
	"msg": sprintf("%s: spec.%s is not set", [lib.subject, field]),
	"path": ["spec"],
	"id": "cronjob-history-limits",
	"severity": "low",
} if {
	input.kind == "CronJob"
	some field in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"]
	not has_field(field)
}

has_field(field) if input.spec[field] != null
