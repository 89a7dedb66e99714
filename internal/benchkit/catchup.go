package benchkit

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/faultproxy"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// catchupWorld is the state just before a station that was offline for 30
// days comes back: closed files (a hub's folder and the station's database)
// that each run copies, so that the uncut and the cut run start from the
// same bytes.
type catchupWorld struct {
	hubDir, stationDir string
	enr                syncproto.Enrollment
	own                uint64 // the station's last log sequence: what the hub must commit
	gigs, fills        int    // what the station must hold at the end
}

// catchupResult is what one catch-up run measured.
type catchupResult struct {
	elapsed time.Duration
	stats   faultproxy.Stats
	cpu     time.Duration // CPU of this process (hub and station) during the run
}

// measureCatchup: a station offline 30 days (its own month of statuses and
// follow-ups; meanwhile another station posted gigs and placed its people
// in them, which reach this station as the gigs and their counts) syncs through a link throttled to LinkRate each way with
// LinkRTT round trips. Its time is compared with the time the bytes that
// crossed the link need at that rate (the larger direction: the link is full
// duplex). Then the same catch-up from the same files with every connection
// cut after CutEvery bytes: the bytes that crossed, over those of the uncut
// run.
func measureCatchup(ctx context.Context, e *env) ([]Row, error) {
	w, err := buildCatchupWorld(ctx, e)
	if err != nil {
		return nil, err
	}
	link := faultproxy.Link{Rate: e.sz.LinkRate, Delay: e.sz.LinkRTT / 2}
	plain, err := runCatchup(ctx, e, w, link, 30*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("uncut catch-up: %w", err)
	}
	needUp, needDown := plain.stats.BytesUp, plain.stats.BytesDown
	rate := float64(e.sz.LinkRate)
	if rate == 0 { // unthrottled (profiling): no bound to speak of
		rate = math.Inf(1)
	}
	bound := time.Duration(float64(max(needUp, needDown)) / rate * float64(time.Second))
	rows := []Row{{ID: "catchup", What: fmt.Sprintf("catch-up after 30 days offline over %d kbit/s, %s RTT", e.sz.LinkRate*8/1000, e.sz.LinkRTT), Figure: plain.elapsed.Seconds(), Unit: "s",
		Limit: bound.Seconds(), LimitUnit: "s the bytes need at the link rate", Ratio: plain.elapsed.Seconds() / bound.Seconds(), Target: atMost(1.5),
		Note: fmt.Sprintf("%d own changes up, %d incoming down; %d B up, %d B down (%.1f / %.1f B a change); link %d B/s each way, RTT %s; sum of both ways at the rate %.1fs; process CPU %.1fs",
			e.sz.CatchupOwn, e.sz.CatchupIncoming, needUp, needDown, float64(needUp)/float64(e.sz.CatchupOwn), float64(needDown)/float64(e.sz.CatchupIncoming),
			e.sz.LinkRate, e.sz.LinkRTT, float64(needUp+needDown)/float64(e.sz.LinkRate), plain.cpu.Seconds())}}
	link.CutAfter = e.sz.CutEvery
	// A link that cuts before one batch crosses it never makes progress:
	// give up after five times the uncut run (and say so).
	cut, err := runCatchup(ctx, e, w, link, max(2*time.Minute, 5*plain.elapsed))
	if err != nil {
		rows = append(rows, Row{ID: "catchup-cut", What: "the same catch-up, connection cut every 256 KB", Err: err.Error(), Figure: math.NaN(), Ratio: math.NaN()})
		return rows, nil
	}
	sent, need := cut.stats.BytesUp+cut.stats.BytesDown, needUp+needDown
	rows = append(rows, Row{ID: "catchup-cut", What: fmt.Sprintf("the same catch-up, connection cut every %d KB", e.sz.CutEvery>>10),
		Figure: float64(sent), Unit: "B sent", Limit: float64(need), LimitUnit: "B the uncut run needed", Ratio: float64(sent) / float64(need), Target: atMost(1.1),
		Note: fmt.Sprintf("%d connections, %d cuts, %.1fs (uncut %.1fs), station reconnects with its default backoff", cut.stats.Conns, cut.stats.Cuts, cut.elapsed.Seconds(), plain.elapsed.Seconds())})
	return rows, nil
}

// buildCatchupWorld enrols two stations at a new hub. Station A registers
// its workers and syncs them, then goes offline and records a month: a
// status for every worker (one import) and follow-ups (one transaction
// each, as staff save them) until it has CatchupOwn changes. Station B
// meanwhile posts gigs and places workers: CatchupIncoming county-wide
// changes, synced to the hub. Everything is closed at the end.
func buildCatchupWorld(ctx context.Context, e *env) (w *catchupWorld, err error) {
	h, err := startHub(ctx, e, hub.Options{})
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := h.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close hub: %w", cerr)
		}
	}()
	enA, err := h.enroll(ctx, "站A")
	if err != nil {
		return nil, err
	}
	enB, err := h.enroll(ctx, "站B")
	if err != nil {
		return nil, err
	}
	stationDir := e.path("catchup-station")
	if err := os.MkdirAll(stationDir, 0o700); err != nil {
		return nil, fmt.Errorf("station folder: %w", err)
	}
	a, err := openStation(ctx, e, filepath.Join(stationDir, "station.db"), enA, "NORMAL")
	if err != nil {
		return nil, err
	}
	defer a.Close()
	b, err := openStation(ctx, e, e.path("station-b.db"), enB, "NORMAL")
	if err != nil {
		return nil, err
	}
	defer b.Close()

	// A registers its workers and syncs them while the link is up.
	workers := sample.Workers(e.sz.CatchupWorkers, 4, enA.Key, enA.StationID)
	if err := a.write(ctx, workers, txRows); err != nil {
		return nil, err
	}
	if err := syncOnce(ctx, h, a); err != nil {
		return nil, err
	}

	// B, meanwhile, posts gigs and places its workers in them.
	nGigs := e.sz.CatchupIncoming / 2
	nPlace := e.sz.CatchupIncoming - nGigs
	bWorkers := sample.Workers(50, 5, enB.Key, enB.StationID)
	gigs := sample.Gigs(nGigs, 5, time.Now(), enB.StationID)
	rng := rand.New(rand.NewPCG(5, 5))
	var placements []replica.Edit
	for i := range nPlace {
		id, err := ident.NewTimeOrdered(time.Now().Add(time.Duration(i) * time.Millisecond))
		if err != nil {
			return nil, fmt.Errorf("placement id: %w", err)
		}
		p := records.Placement{GigID: gigs[rng.IntN(len(gigs))].Row.String(), WorkerID: bWorkers[rng.IntN(len(bWorkers))].Row.String(),
			Status: records.PlacementPlaced, PlacedOn: time.Now().AddDate(0, 0, -rng.IntN(30)).Format(records.DateLayout)}
		placements = append(placements, replica.Edit{Table: records.Placements, Row: id, Set: p.Columns()})
	}
	if err := b.write(ctx, bWorkers, txRows); err != nil {
		return nil, err
	}
	// Gigs and placements as staff save them: a few at a time.
	if err := b.write(ctx, gigs, 10); err != nil {
		return nil, err
	}
	if err := b.write(ctx, placements, 10); err != nil {
		return nil, err
	}
	if err := syncOnce(ctx, h, b); err != nil {
		return nil, err
	}

	// A's month offline: a status for every worker, then follow-ups.
	month := time.Now().Format("2006-01")
	var own []replica.Edit
	for i, wk := range workers {
		if len(own) == e.sz.CatchupOwn {
			break
		}
		st := records.MonthStatus{WorkerID: wk.Row.String(), Month: month, ListType: records.ListTypes[i%3], VerifiedByMethod: "电话",
			VerifiedBy: "张三", VerifiedAt: month + fmt.Sprintf("-%02d", 1+i%28)}
		if st.ListType == records.ListEmployed {
			st.WorkScope, st.EmploymentForm, st.MonthlyIncome = records.WorkScopes[i%4], records.EmploymentForms[i%5], records.Income(float64(rng.IntN(80))*100)
		}
		own = append(own, replica.Edit{Table: records.MonthlyStatus, Row: st.ID(enA.Key), Set: st.Columns()})
	}
	if err := a.write(ctx, own, txRows); err != nil {
		return nil, err
	}
	followups := followupEdits(rng, workers, e.sz.CatchupOwn-len(own), time.Now().AddDate(0, 0, -30), 30)
	if err := a.write(ctx, followups, 1); err != nil {
		return nil, err
	}
	last, err := a.rep.MaxSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("station log: %w", err)
	}
	gigsAt, err := rowCount(ctx, h.hub.Replica(), records.Gigs)
	if err != nil {
		return nil, err
	}
	// B's placements reach A only as its gigs' counts (gig_fill): they name
	// B's people.
	fillAt, err := rowCount(ctx, h.hub.Replica(), records.GigFill)
	if err != nil {
		return nil, err
	}
	return &catchupWorld{hubDir: h.dir, stationDir: stationDir, enr: enA, own: last, gigs: gigsAt, fills: fillAt}, nil
}

// followupEdits makes n follow-ups of the given workers, dated over days
// from first.
func followupEdits(rng *rand.Rand, workers []replica.Edit, n int, first time.Time, days int) []replica.Edit {
	out := make([]replica.Edit, 0, n)
	contents := []string{"电话回访，了解务工情况", "入户走访，宣传稳岗政策", "推荐零工岗位两个", "了解培训意愿，登记求职意向"}
	for i := range n {
		at := first.Add(time.Duration(rng.IntN(days*86400)) * time.Second)
		id, err := ident.NewTimeOrdered(at)
		if err != nil {
			id = ident.Key("followup").Derive(records.Followups, fmt.Sprint(i, at.UnixNano()))
		}
		f := records.Followup{WorkerID: workers[rng.IntN(len(workers))].Row.String(), Date: at.Format(records.DateLayout),
			Method: records.FollowupMethods[rng.IntN(3)], ServiceType: "政策宣传", Content: contents[rng.IntN(len(contents))], Staff: "李四"}
		out = append(out, replica.Edit{Table: records.Followups, Row: id, Set: f.Columns()})
	}
	return out
}

// syncOnce runs a station's client until the hub has committed its log and
// the station holds its scope as the hub does (the same count of rows in
// every table the scope covers), then stops it.
func syncOnce(ctx context.Context, h *hubNode, s *stationNode) error {
	last, err := s.rep.MaxSeq(ctx)
	if err != nil {
		return fmt.Errorf("station log: %w", err)
	}
	if err := s.start(syncclient.Config{MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}); err != nil {
		return err
	}
	defer s.stop()
	return waitUntil(ctx, 10*time.Minute, s.enr.StationID+"'s sync", func() (bool, error) {
		c, err := h.upCursor(ctx, s.enr.Site)
		if err != nil || c < last {
			return false, err
		}
		for _, t := range []string{records.Gigs, records.Placements, records.Stations} {
			atHub, err := rowCount(ctx, h.hub.Replica(), t)
			if err != nil {
				return false, err
			}
			here, err := rowCount(ctx, s.rep, t)
			if err != nil || here != atHub {
				return false, err
			}
		}
		return true, nil
	})
}

// runCatchup copies the world, serves its hub behind a fault proxy with the
// given link, starts the station's client (the station program's defaults)
// through it, and waits until the hub has committed the station's month and
// the station holds every gig and placement.
func runCatchup(ctx context.Context, e *env, w *catchupWorld, link faultproxy.Link, within time.Duration) (catchupResult, error) {
	var res catchupResult
	hubDir, stDir := e.path("catchup-hub-copy"), e.path("catchup-station-copy")
	if err := copyDir(w.hubDir, hubDir); err != nil {
		return res, err
	}
	if err := copyDir(w.stationDir, stDir); err != nil {
		return res, err
	}
	h, err := serveHub(ctx, e, hub.Options{Dir: hubDir})
	if err != nil {
		return res, err
	}
	defer h.Close()
	p, err := faultproxy.New(ctx, h.addr, link)
	if err != nil {
		return res, fmt.Errorf("fault proxy: %w", err)
	}
	defer p.Close()
	en := w.enr
	en.HubURL = "http://" + p.Addr()
	a, err := openStation(ctx, e, filepath.Join(stDir, "station.db"), en, "")
	if err != nil {
		return res, err
	}
	defer a.Close()
	start, cpu0 := time.Now(), cpuTime()
	if err := a.start(syncclient.Config{}); err != nil {
		return res, err
	}
	err = waitUntil(ctx, within, "the catch-up", func() (bool, error) {
		c, err := h.upCursor(ctx, en.Site)
		if err != nil || c < w.own {
			return false, err
		}
		g, err := rowCount(ctx, a.rep, records.Gigs)
		if err != nil || g < w.gigs {
			return false, err
		}
		fl, err := rowCount(ctx, a.rep, records.GigFill)
		return fl >= w.fills, err
	})
	res.elapsed, res.cpu, res.stats = time.Since(start), cpuTime()-cpu0, p.Stats()
	a.stop()
	if err != nil {
		return res, fmt.Errorf("%w (%d connections, %d cuts, %d B up, %d B down)", err, res.stats.Conns, res.stats.Cuts, res.stats.BytesUp, res.stats.BytesDown)
	}
	return res, nil
}
