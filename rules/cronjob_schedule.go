package rules

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones for spec.timeZone, whatever the machine has installed

	"github.com/robfig/cron/v3"

	"github.com/kvetdev/kvet/manifest"
	"github.com/kvetdev/kvet/rule"
)

// CronJobSchedule checks a CronJob's schedule and timeZone the way the
// API server and the CronJob controller read them.
var CronJobSchedule = &rule.Rule{
	ID:       "cronjob-schedule",
	Severity: rule.Error,
	Kinds:    []string{"batch/*/CronJob"},
	Check:    checkCronJobSchedule,
	Doc: `A CronJob's schedule must be a cron expression Kubernetes accepts, and should fire.

## What it does
Parses ` + "`spec.schedule`" + ` with github.com/robfig/cron/v3's standard parser, the
library and parser the CronJob controller uses: five fields (minute, hour,
day of month, month, day of week) or a descriptor such as ` + "`@hourly`" + `. It also
checks ` + "`spec.timeZone`" + ` against the time zone database. A schedule that can
never fire (February 30th) is a warning; one that runs every minute gets an
info note.

## Why is this bad?
The API server rejects a schedule it cannot parse, and a ` + "`TZ=`" + ` or ` + "`CRON_TZ=`" + `
prefix (use ` + "`spec.timeZone`" + `). A valid schedule that never matches a date
creates a CronJob that silently never runs.

## Example
` + "```yaml" + `
spec:
  schedule: "0 3 * *"        # four fields
  timeZone: Europe/Bern   # not a zone
` + "```" + `

## Use instead
` + "```yaml" + `
spec:
  schedule: "0 3 * * *"      # every day at 03:00
  timeZone: Europe/Zurich
` + "```",
}

var schedulePath = manifest.Path{}.Field("spec").Field("schedule")

// ParseSchedule parses a schedule as the CronJob controller does. It never
// panics: robfig/cron slices out of range on a TZ= or CRON_TZ= prefix with
// nothing after it ("TZ="), so such a prefix without a space is an error
// here, and any other panic of the parser becomes an error too.
func ParseSchedule(s string) (sched cron.Schedule, err error) {
	if (strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=")) && !strings.Contains(s, " ") {
		return nil, errString("a TZ= or CRON_TZ= prefix must be followed by a space and the schedule")
	}
	defer func() {
		if v := recover(); v != nil {
			sched, err = nil, fmt.Errorf("cannot parse the schedule: %v", v)
		}
	}()
	return cron.ParseStandard(s)
}

func checkCronJobSchedule(pass *rule.Pass, o *manifest.Object) {
	sched, ok := o.Value("spec", "schedule").(string)
	if !ok {
		return // absent or not a string: the loader or the API checks report it
	}
	tz, hasTZ := o.Value("spec", "timeZone").(string)
	if strings.Contains(sched, "TZ") {
		pass.Reportf(schedulePath, "remove the prefix and set spec.timeZone, e.g. timeZone: Etc/UTC",
			"schedule %q uses TZ or CRON_TZ, which the API server rejects; use the timeZone field instead", sched)
		return
	}
	s, err := ParseSchedule(sched)
	if err != nil {
		pass.Reportf(schedulePath, `write five fields: minute hour day-of-month month day-of-week, e.g. "0 3 * * *", or a descriptor such as @daily`,
			"schedule %q is not a valid cron expression: %v", sched, err)
		return
	}
	if hasTZ {
		if err := ValidateTimeZone(tz); err != nil {
			pass.Reportf(manifest.Path{}.Field("spec").Field("timeZone"), "use an IANA time zone name such as Etc/UTC or Europe/Zurich",
				"timeZone %q: %v", tz, err)
		}
	}
	spec5, ok := s.(*cron.SpecSchedule)
	if !ok {
		return // @every: fires by construction
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if spec5.Next(from).IsZero() {
		pass.Report(rule.Diagnostic{Path: schedulePath, Severity: rule.Warning,
			Message: "schedule " + `"` + sched + `"` + " never fires: no date matches its day-of-month and month",
			Help:    "check the day of month against the month (there is no February 30th or April 31st)"})
		return
	}
	const allMinutes = 1<<60 - 1
	if spec5.Minute&allMinutes == allMinutes {
		pass.Report(rule.Diagnostic{Path: schedulePath, Severity: rule.Info,
			Message: "schedule " + `"` + sched + `"` + " runs a new Job every minute",
			Help:    "make sure each run finishes within a minute, or set concurrencyPolicy: Forbid"})
	}
}

// ValidateTimeZone checks a CronJob time zone as the API server does.
func ValidateTimeZone(tz string) error {
	if tz == "" {
		return errString("must not be empty")
	}
	if strings.EqualFold(tz, "Local") {
		return errString("Local is not allowed: it depends on the controller's machine")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return errString("unknown time zone")
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }
