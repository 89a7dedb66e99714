package hub

import (
	"context"
	"fmt"
	"time"

	"fieldsync/records"
	"fieldsync/report"
)

// dashboardCacheSize is how many months' figures the hub keeps.
const dashboardCacheSize = 24

// liveEvery is how often the hub looks for new changes to count into the
// dashboard's live facts: a debounce, so that a station's burst of batches
// costs one update.
const liveEvery = 5 * time.Second

// While stations upload (a batch applied within liveQuiet), the warm-up
// waits, up to liveMaxLag after its last update: the upload gets the CPU,
// and the facts catch up in one update when it ends. A dashboard request
// meanwhile brings the facts up to date itself (Dashboard syncs Live first),
// so only its speed lags, never its figures.
const (
	liveQuiet  = time.Second
	liveMaxLag = time.Minute
)

// figuresCache is the hub's cache of dashboard figures, keyed by the
// replica's version (its MaxSeq), made on first use (the hub's routes make
// it as the hub starts serving). It counts from a report.Live, which a
// goroutine of the hub loads (seconds at county scale; until then the cache
// queries the tables) and then keeps up to date, and it keeps this month's
// figures warm after each change, until the hub closes.
func (h *Hub) figuresCache() *report.Cache {
	h.figOnce.Do(func() {
		h.figures = report.NewCache(dashboardCacheSize)
		live := report.NewLive(h.rep)
		h.figures.SetLive(live)
		if h.enter() {
			go func() {
				defer h.wg.Done()
				h.followLive(h.ctx, live)
			}()
		}
	})
	return h.figures
}

// followLive loads live, then, when the hub's log moved, counts the new
// changes and computes this month's figures into the cache, so that a page
// view rarely waits. It waits liveEvery between updates, and at least
// liveShare times as long as the last update took, so that while stations
// upload the figures take a bounded share of the hub's CPU (they lag
// instead), and while batches keep arriving it waits for a pause of
// liveQuiet, up to liveMaxLag. It returns when ctx ends.
func (h *Hub) followLive(ctx context.Context, live *report.Live) {
	var done uint64
	last := time.Now() // the last update, or the start
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if live.Ready() && time.Since(time.Unix(0, h.uploadAt.Load())) < liveQuiet && time.Since(last) < liveMaxLag {
			t.Reset(liveQuiet)
			continue
		}
		wait := liveEvery
		if seq := h.lastSeq.Load(); seq != done || !live.Ready() {
			start := time.Now()
			err := live.Sync(ctx)
			if err == nil {
				_, err = h.Dashboard(ctx, h.now().In(h.zone).Format("2006-01"))
			}
			took := time.Since(start)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				h.log.WarnContext(ctx, "dashboard live figures", "err", err)
			default:
				done, last = seq, time.Now()
				h.log.DebugContext(ctx, "dashboard live figures", "seq", live.Seq(), "took", took)
			}
			wait = max(wait, liveShare*took)
		}
		t.Reset(wait)
	}
}

// liveShare bounds the share of time the live figures take: they wait
// liveShare times as long as their last update took (at most one part in
// liveShare+1).
const liveShare = 10

// reportOptions are the report options of the hub: its clock, its live
// facts, the defaults for the rest.
func (h *Hub) reportOptions() report.Options {
	return report.Options{Now: h.now, Location: h.zone, Live: h.figuresCache().Live(), OpenConflicts: h.OpenConflictsByStation}
}

// StationHealth is what the hub knows of each enrolled, not revoked station,
// in the form the dashboard's station figures take (their open conflicts
// come from Options.OpenConflicts, see reportOptions).
func (h *Hub) StationHealth(ctx context.Context) ([]report.StationHealth, error) {
	st, err := h.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]report.StationHealth, 0, len(st))
	for _, s := range st {
		if s.Revoked {
			continue
		}
		sh := report.StationHealth{Name: s.Name, LastSync: s.LastSeen, Online: s.Online}
		if s.Session != nil {
			sh.PendingUp, sh.PendingDown = s.Session.PendingUp, int(s.Session.PendingDown)
		}
		out = append(out, sh)
	}
	return out, nil
}

// Dashboard returns every figure of the dashboard for month (YYYY-MM),
// recomputed only when the hub's data changed since last asked.
func (h *Hub) Dashboard(ctx context.Context, month string) (*report.Figures, error) {
	if !records.ValidMonth(month) {
		return nil, fmt.Errorf("dashboard: %w: %q", report.ErrBadMonth, month)
	}
	seq, err := h.rep.MaxSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	stations, err := h.StationHealth(ctx)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return h.figuresCache().Dashboard(ctx, h.rep.DB(), seq, month, stations, h.reportOptions())
}

// Ready reports whether the dashboard's live facts are loaded (the hub's
// /readyz): false until their first load ends. It starts the load, as
// StartDashboard does, if nothing has.
func (h *Hub) Ready() bool { return h.figuresCache().Live().Ready() }

// StartDashboard starts the dashboard's live figures (see figuresCache); the
// web adapter calls it as the hub starts serving.
func (h *Hub) StartDashboard() { h.figuresCache() }

// ReportOptions are the options the monthly report is made with: the hub's
// clock, its live facts, its open conflicts.
func (h *Hub) ReportOptions() report.Options { return h.reportOptions() }
