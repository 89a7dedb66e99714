package report

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fieldsync/records"
	"fieldsync/webkit"
)

// Options carry the thresholds a deployment configures; the zero value uses
// the defaults below, which are the one place they are written down.
type Options struct {
	// Older sets the ages from which a person counts as an older worker (大龄),
	// the same thresholds the station configuration holds. Zero uses
	// records.DefaultOlder (men from 50, women from 40).
	Older records.OlderThresholds
	// IncomeBands are the lower bounds (元/月) of the income bands after the
	// first: {1000, 3000, 5000} makes <1000, 1000–2999, 3000–4999, ≥5000.
	IncomeBands []float64
	// SilentAfter is how long a station may go without syncing before it
	// counts as silent. Zero means DefaultSilentAfter.
	SilentAfter time.Duration
	// Location is the time zone of gig posting days (a gig's posting time is
	// the millisecond stamp in its time-ordered id). Nil means China Standard
	// Time (UTC+8), which needs no time-zone database on the station PC.
	Location *time.Location
	// Unmasked writes full id numbers into the report file instead of masked
	// ones. The dashboard and its JSON always mask.
	Unmasked bool
	// Now is the clock (nil: time.Now). It stamps the figures and measures
	// station silence.
	Now func() time.Time
	// Live, when set and loaded, is where Dashboard (and so the report's
	// summary and village sheets) counts from: facts kept up to date with
	// the replica's log instead of queries over every row (see Live). The
	// figures are the same.
	Live *Live
	// OpenConflicts, when set, counts the conflicts open per station (by
	// StationHealth.Name): the station figures take their OpenConflicts from
	// it, and StationFigures.ConflictsKnown tells the page to show the
	// column. The hub's conflict queue provides it.
	OpenConflicts func(ctx context.Context) (map[string]int, error)
	// Station, when set, restricts the figures and the sheets to one
	// station's own report (see stationscope.go): its people (workers whose
	// station column is Station) with their statuses and follow-ups, and the
	// gigs it posted with the placements it recorded. Live is not used then.
	Station string
}

// Defaults.
var (
	DefaultIncomeBands = []float64{1000, 3000, 5000}
	DefaultSilentAfter = 7 * 24 * time.Hour
	chinaTime, _       = webkit.LoadZone(webkit.DefaultZone) // embedded: cannot fail
)

// withDefaults fills the zero fields of o.
func (o Options) withDefaults() Options {
	if o.Older == (records.OlderThresholds{}) {
		o.Older = records.DefaultOlder
	}
	if len(o.IncomeBands) == 0 {
		o.IncomeBands = DefaultIncomeBands
	}
	if o.SilentAfter <= 0 {
		o.SilentAfter = DefaultSilentAfter
	}
	if o.Location == nil {
		o.Location = chinaTime
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// ErrBadMonth is returned for a month not in the form YYYY-MM.
var ErrBadMonth = errors.New("month must be YYYY-MM")

// period holds the dates a month's figures need, as the text the tables hold.
type period struct {
	Month     string // 2026-11
	Prev      string // 2026-10
	First     string // 2026-11-01
	Last      string // 2026-11-30
	SixFirst  string // 2026-06-01: start of the six months ending with Month
	EndYear   int    // 2026: for ages at the month's end
	EndMMDD   string // 1130
	FirstTime time.Time
}

func parsePeriod(month string) (period, error) {
	if !records.ValidMonth(month) {
		return period{}, fmt.Errorf("%w: %q", ErrBadMonth, month)
	}
	t, err := time.Parse(records.MonthLayout, month)
	if err != nil {
		return period{}, fmt.Errorf("%w: %q", ErrBadMonth, month)
	}
	last := t.AddDate(0, 1, -1)
	return period{
		Month: month, Prev: t.AddDate(0, -1, 0).Format(records.MonthLayout),
		First: t.Format(records.DateLayout), Last: last.Format(records.DateLayout),
		SixFirst: t.AddDate(0, -5, 0).Format(records.DateLayout),
		EndYear:  last.Year(), EndMMDD: last.Format("0102"), FirstTime: t,
	}, nil
}

// incomeBandLabels names the bands of bounds: <1000, 1000–2999, …, ≥5000.
func incomeBandLabels(bounds []float64) []string {
	out := make([]string, 0, len(bounds)+1)
	for i, b := range bounds {
		if i == 0 {
			out = append(out, fmt.Sprintf("<%g", b))
			continue
		}
		out = append(out, fmt.Sprintf("%g–%g", bounds[i-1], b-1))
	}
	return append(out, fmt.Sprintf("≥%g", bounds[len(bounds)-1]))
}
