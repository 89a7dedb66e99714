package report

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// withConflicts sets each station's OpenConflicts from opt.OpenConflicts,
// when set; it returns a copy and leaves in as it is.
func withConflicts(ctx context.Context, in []StationHealth, opt Options) ([]StationHealth, error) {
	if opt.OpenConflicts == nil {
		return in, nil
	}
	open, err := opt.OpenConflicts(ctx)
	if err != nil {
		return nil, fmt.Errorf("open conflicts: %w", err)
	}
	out := make([]StationHealth, len(in))
	for i, s := range in {
		s.OpenConflicts = open[s.Name]
		out[i] = s
	}
	return out, nil
}

// Silent reports whether a station counts as silent at now: not online,
// and never synced or not within after (Options.SilentAfter). The hub's
// station health page and the dashboard's station figures both ask here.
func Silent(online bool, lastSync, now time.Time, after time.Duration) bool {
	return !online && (lastSync.IsZero() || now.Sub(lastSync) > after)
}

// buildStations derives the station figures from what the hub passed in.
func buildStations(in []StationHealth, opt Options) StationFigures {
	now := opt.Now()
	f := StationFigures{Stations: make([]StationRow, 0, len(in)), SilentDays: int(opt.SilentAfter.Hours() / 24),
		ConflictsKnown: opt.OpenConflicts != nil}
	for _, s := range in {
		r := StationRow{StationHealth: s, DaysSinceSync: -1}
		if !s.LastSync.IsZero() {
			r.DaysSinceSync = max(0, int(now.Sub(s.LastSync).Hours()/24))
		}
		r.Silent = Silent(s.Online, s.LastSync, now, opt.SilentAfter)
		if r.Silent {
			f.Silent++
		}
		if s.Online {
			f.Online++
		}
		f.PendingUp += s.PendingUp
		f.PendingDown += s.PendingDown
		f.OpenConflicts += s.OpenConflicts
		f.Stations = append(f.Stations, r)
	}
	// Silent stations first, then the longest silent, then by name.
	sort.SliceStable(f.Stations, func(i, j int) bool {
		a, b := f.Stations[i], f.Stations[j]
		if a.Silent != b.Silent {
			return a.Silent
		}
		if !a.LastSync.Equal(b.LastSync) {
			return a.LastSync.Before(b.LastSync)
		}
		return a.Name < b.Name
	})
	return f
}
