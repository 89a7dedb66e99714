package fieldsim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"fieldsync/internal/faultproxy"
	"fieldsync/records"
)

// Edges are the scenarios of an ordinary day of operations (DESIGN "Edges":
// clocks that were wrong, and next to them restores and upgrades): each is
// played once a round on a station of its own, set up like an ordinary
// station and synced at the start, whose link and process no random fault
// touches. Its writes go to the ledger like every other station's, so the
// round's checks (nothing acknowledged lost, every replica holding exactly
// its scope) cover it; the scenario adds its own checks and figures, which
// the summary prints on one line and scripts/soak totals.
//
// To add one: write its play function and append it to edges.

// edge is one scenario.
type edge struct {
	name string
	// play runs during the fault phase (ctx ends with the round, not with
	// the faults). It reports problems with s.problem and returns figures.
	play func(ctx context.Context, s *sim, st *simStation, rng *rand.Rand) []Figure
	// previous: the station is set up and first run by the previous
	// release (Config.PreviousBinDir); played only when it is given.
	previous bool
}

// edges lists every scenario; Config.Edges picks some.
var edges = []edge{
	{name: "clock-fixed-week-ahead", play: clockFixedWeekAhead},
	{name: "station-restore", play: stationRestore},
	// Before hub-restore: a station of the previous release that synced
	// before a hub restore is refused until upgraded.
	{name: "station-upgrade", play: stationUpgrade, previous: true},
	{name: "hub-restore", play: hubRestore},
}

// EdgeNames lists the scenarios a round can play.
func EdgeNames() []string {
	var out []string
	for _, e := range edges {
		out = append(out, e.name)
	}
	return out
}

// Figure is one measure of a scenario. Seconds are the worst of a soak's
// rounds; counts add up.
type Figure struct {
	Name    string
	Value   float64
	Seconds bool
}

func count(name string, n int) Figure { return Figure{Name: name, Value: float64(n)} }

func seconds(name string, d time.Duration) Figure {
	return Figure{Name: name, Value: d.Seconds(), Seconds: true}
}

// EdgeReport is what one scenario found.
type EdgeReport struct {
	Name, Station string
	Figures       []Figure
	// Lost and Diverged are the round's checks for the scenario's station.
	Lost, Diverged int
}

func (r *EdgeReport) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "edge %s: station=%s", r.Name, r.Station)
	for _, f := range r.Figures {
		if f.Seconds {
			fmt.Fprintf(&b, " %s=%.1fs", f.Name, f.Value)
		} else {
			fmt.Fprintf(&b, " %s=%d", f.Name, int64(f.Value))
		}
	}
	fmt.Fprintf(&b, " lost=%d diverged=%d", r.Lost, r.Diverged)
	return b.String()
}

// pickEdges returns the scenarios names selects (nil: all that can be
// played, those needing the previous release only with it; "none": none).
func pickEdges(names []string, previous bool) ([]edge, error) {
	if names == nil {
		var out []edge
		for _, e := range edges {
			if !e.previous || previous {
				out = append(out, e)
			}
		}
		return out, nil
	}
	var out []edge
	for _, n := range names {
		if n == "none" || n == "" {
			continue
		}
		found := false
		for _, e := range edges {
			if e.name == n {
				if e.previous && !previous {
					return nil, fmt.Errorf("fieldsim: edge scenario %q needs the previous release's binaries (-previous)", n)
				}
				out, found = append(out, e), true
			}
		}
		if !found {
			return nil, fmt.Errorf("fieldsim: no edge scenario %q (have %s)", n, strings.Join(EdgeNames(), ", "))
		}
	}
	return out, nil
}

// playEdges runs each edge station's scenario, one after another, from a
// quarter into the fault phase; the station's workload waits until its
// scenario is over.
func (s *sim) playEdges(faultCtx, ctx context.Context) {
	sleep(faultCtx, s.cfg.Duration/8)
	for i, st := range s.stations {
		if st.edge == nil || ctx.Err() != nil {
			continue
		}
		rep := &EdgeReport{Name: st.edge.name, Station: st.name}
		rep.Figures = st.edge.play(ctx, s, st, s.stream(uint64(500+i)))
		s.mu.Lock()
		s.edgeReports = append(s.edgeReports, rep)
		s.mu.Unlock()
		st.holdEdits.Store(false)
	}
}

// setSkew restarts a station with its wall clock moved by d (its calendar
// set wrong, or set right again).
func (s *sim) setSkew(ctx context.Context, st *simStation, d time.Duration) error {
	if err := st.proc.stop(15 * time.Second); err != nil {
		return err
	}
	st.proc.setEnv(clockSkewEnv, d.String())
	st.skew = d
	return st.proc.start(ctx)
}

// clockSkewEnv moves a station's wall clock (cmd/station reads it).
const clockSkewEnv = "FIELDSYNC_CLOCK_SKEW"

var restampedRE = regexp.MustCompile(`(\d+) 条修改已重新盖时间戳`)

// restampedCount reads from a station's warning how many changes it
// stamped again since it started.
func restampedCount(ss syncState) int {
	m := restampedRE.FindStringSubmatch(ss.Warning)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// clockFixedWeekAhead: a station that synced with the right time has its
// calendar set a week ahead, records work offline (registrations and a
// worker edited twice), reaches the hub and is refused; staff set the
// calendar right (one more edit before the link is back). All its work
// must reach the county within a minute of the fix.
func clockFixedWeekAhead(ctx context.Context, s *sim, st *simStation, rng *rand.Rand) []Figure {
	const week = 7 * 24 * time.Hour
	w := &workload{sim: s, st: st, rng: rng}
	var figs []Figure
	fail := func(format string, args ...any) []Figure {
		s.problem("clock-fixed-week-ahead at %s: "+format, append([]any{st.name}, args...)...)
		return figs
	}
	st.proxy.Set(faultproxy.Link{Down: true})
	if err := s.setSkew(ctx, st, week); err != nil {
		return fail("set the calendar a week ahead: %v", err)
	}
	recorded := 0
	edit := func(id string, phone string) bool {
		f := map[string]any{"phone": phone}
		row := s.workerID(id)
		_, ok := w.send(ctx, "edit", records.Workers, http.MethodPatch, "/api/workers/"+row.String(), f, row, f)
		return ok
	}
	var first string
	for i := range 3 + rng.IntN(4) {
		idn := s.ledger.freshIDNumber(rng)
		if _, ok := w.register(ctx, idn, w.phone()); !ok {
			return fail("registering a worker offline was not acknowledged")
		}
		if i == 0 {
			first = idn
		}
		recorded++
	}
	for range 2 {
		if !edit(first, w.phone()) {
			return fail("editing a worker offline was not acknowledged")
		}
		recorded++
	}
	figs = append(figs, count("recorded", recorded))

	// The link comes back: the hub refuses what was stamped a week ahead.
	st.proxy.Set(faultproxy.Link{})
	refused, restamped := false, 0
	deadline := time.Now().Add(60 * time.Second)
	for !refused && time.Now().Before(deadline) && ctx.Err() == nil {
		ss, err := st.api.sync(ctx)
		if err == nil {
			refused = strings.Contains(ss.LastError, "ahead")
			restamped = restampedCount(ss)
			if restamped > 0 {
				break // it recovered on its own: the offset measured against the hub corrects its clock
			}
		}
		sleep(ctx, 20*time.Millisecond)
	}
	if !refused && restamped == 0 {
		return fail("the hub never refused the changes stamped a week ahead")
	}
	figs = append(figs, count("refused", map[bool]int{true: 1}[refused]))
	// Staff set the calendar right, offline, and record one more edit.
	st.proxy.Set(faultproxy.Link{Down: true})
	sleep(ctx, 300*time.Millisecond) // a session under way when the link went down ends
	if ss, err := st.api.sync(ctx); err == nil {
		restamped = max(restamped, restampedCount(ss))
	}
	if err := s.setSkew(ctx, st, 0); err != nil {
		return fail("set the calendar right: %v", err)
	}
	fixed := time.Now()
	if !edit(first, w.phone()) {
		return fail("an edit after the fix was not acknowledged")
	}
	figs = append(figs, count("recorded-after-fix", 1))
	st.proxy.Set(faultproxy.Link{})
	// All of it reaches the county: the hub acknowledged every change.
	deadline = fixed.Add(time.Minute)
	var last syncState
	for {
		ss, err := st.api.sync(ctx)
		if err == nil {
			last = ss
			if ss.Connected && ss.Pending == 0 && ss.LastError == "" {
				break
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			figs = append(figs, seconds("fix-to-county", time.Since(fixed)))
			return fail("its work had not reached the county a minute after the fix: %+v", last)
		}
		sleep(ctx, 50*time.Millisecond)
	}
	figs = append(figs, seconds("fix-to-county", time.Since(fixed)))
	restamped += restampedCount(last)
	figs = append(figs, count("restamped", restamped))
	if restamped < recorded {
		s.problem("clock-fixed-week-ahead at %s: %d changes stamped again, want at least the %d recorded a week ahead", st.name, restamped, recorded)
	}
	return figs
}
