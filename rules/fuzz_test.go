package rules

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// FuzzCronSchedule: schedule and time zone validation never panic, and
// whatever parses yields a next run that is after the start or zero (never
// fires), as the rule assumes.
func FuzzCronSchedule(f *testing.F) {
	for _, s := range []string{"*/1 * * * *", "0 3 * *", "@hourly", "@every 5m", "0 0 30 2 *", "61 * * * *", "CRON_TZ=UTC 0 3 * * *", "0 0 29 2 *"} {
		f.Add(s, "Europe/Zurich")
	}
	f.Add("* * * * *", "Local")
	f.Add("0 0 * * 1-5", "../../etc/passwd")
	f.Fuzz(func(t *testing.T, sched, tz string) {
		_ = ValidateTimeZone(tz)
		s, err := ParseSchedule(sched)
		if err != nil {
			return
		}
		from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		if spec, ok := s.(*cron.SpecSchedule); ok {
			if next := spec.Next(from); !next.IsZero() && !next.After(from) {
				t.Fatalf("%q: next run %v is not after %v", sched, next, from)
			}
		}
	})
}
