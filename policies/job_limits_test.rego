package kvet.job_limits_test

import data.kvet.job_limits

job(spec) := {"kind": "Job", "metadata": {"name": "j"}, "spec": object.union({"template": {"spec": {"containers": []}}}, spec)}

test_unbounded_denied if {
	count(job_limits.deny) == 2 with input as job({})
}

test_ttl_only_denied if {
	rs := job_limits.deny with input as job({"ttlSecondsAfterFinished": 60})
	count(rs) == 1
	some r in rs
	contains(r.msg, "activeDeadlineSeconds")
}

test_bounded_allowed if {
	count(job_limits.deny) == 0 with input as job({"ttlSecondsAfterFinished": 0, "activeDeadlineSeconds": 600})
}

test_other_kinds_ignored if {
	count(job_limits.deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {}}
}
