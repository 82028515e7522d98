package kvet.cronjob_history_test

import data.kvet.cronjob_history as history

cronjob(spec) := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": object.union({"schedule": "0 * * * *"}, spec)}

test_unset_denied if {
	count(history.deny) == 2 with input as cronjob({})
}

test_zero_limits_allowed if {
	count(history.deny) == 0 with input as cronjob({"successfulJobsHistoryLimit": 0, "failedJobsHistoryLimit": 0})
}

test_one_missing_denied if {
	rs := history.deny with input as cronjob({"successfulJobsHistoryLimit": 3})
	count(rs) == 1
	some r in rs
	r.path == ["spec"]
}
