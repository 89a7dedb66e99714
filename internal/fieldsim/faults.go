package fieldsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"fieldsync/ident"
	"fieldsync/internal/faultproxy"
	"fieldsync/records"
)

// dur returns a random duration in [lo, hi).
func dur(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// injectStation degrades one station's link and kills the station, one fault
// after another, until ctx ends.
func (s *sim) injectStation(ctx context.Context, st *simStation, w *workload, rng *rand.Rand) {
	if st.yearAhead {
		s.yearAheadStation(ctx, st, rng)
		return
	}
	if st.edge != nil {
		return // calm: its scenario drives it (playEdges)
	}
	hold := func(l faultproxy.Link, d time.Duration) {
		st.proxy.Set(l)
		sleep(ctx, d)
		if !st.calm.Load() {
			st.proxy.Set(faultproxy.Link{})
		}
	}
	for ctx.Err() == nil {
		sleep(ctx, dur(rng, time.Second, 4*time.Second))
		if ctx.Err() != nil || st.calm.Load() {
			continue
		}
		switch k := rng.IntN(100); {
		case k < 16:
			s.fault("cut-at-offset")
			hold(faultproxy.Link{CutAfter: 100 + rng.Int64N(80_000)}, dur(rng, 2*time.Second, 10*time.Second))
		case k < 24:
			s.fault("cut-now")
			st.proxy.CutAll()
		case k < 36:
			s.fault("delay-jitter")
			hold(faultproxy.Link{Delay: dur(rng, 20*time.Millisecond, 400*time.Millisecond),
				Jitter: dur(rng, 0, 150*time.Millisecond)}, dur(rng, 3*time.Second, 12*time.Second))
		case k < 50:
			// 2G: 40 kbit/s, 600 ms round trips.
			s.fault("2g")
			hold(faultproxy.Link{Rate: 5000, Delay: 300 * time.Millisecond, Jitter: 60 * time.Millisecond},
				dur(rng, 5*time.Second, 20*time.Second))
		case k < 62:
			s.fault("link-down")
			hold(faultproxy.Link{Down: true}, dur(rng, 2*time.Second, s.cfg.MaxDown))
		case k < 72:
			s.fault("flap")
			end := time.Now().Add(dur(rng, 4*time.Second, 12*time.Second))
			down := false
			for time.Now().Before(end) && ctx.Err() == nil && !st.calm.Load() {
				down = !down
				st.proxy.Set(faultproxy.Link{Down: down})
				sleep(ctx, dur(rng, 200*time.Millisecond, 2*time.Second))
			}
			if !st.calm.Load() {
				st.proxy.Set(faultproxy.Link{})
			}
		case k < 88:
			s.fault("kill-station")
			st.proc.kill()
			sleep(ctx, dur(rng, 100*time.Millisecond, 3*time.Second))
			s.restart(st.proc)
		default:
			s.killDuringImport(ctx, st, w, rng)
		}
	}
}

// restart starts a killed process again, retrying (its port may linger).
func (s *sim) restart(p *proc) {
	// Not the fault context: a restart must finish even as the phase ends.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var err error
	for range 3 {
		if err = p.start(ctx); err == nil {
			return
		}
		sleep(ctx, time.Second)
	}
	s.problem("restart %s: %v", p.name, err)
}

// killDuringImport sends a web import and SIGKILLs the station while it is
// being written. Rows of an import the station finished (200) are
// acknowledged writes; the others may or may not be there.
func (s *sim) killDuringImport(ctx context.Context, st *simStation, w *workload, rng *rand.Rand) {
	st.holdEdits.Store(true) // the workload's rng is not shared: import rows come from here
	csv, idns := importCSV(s, rng, 300+rng.IntN(1200))
	st.holdEdits.Store(false)
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		code, body, err := st.api.importCSV(ctx, csv)
		done <- result{code, body, err}
	}()
	sleep(ctx, dur(rng, 5*time.Millisecond, 250*time.Millisecond))
	s.fault("kill-import")
	st.proc.kill()
	wg.Wait()
	res := <-done
	end := time.Now()
	acked := res.err == nil && res.status == http.StatusOK
	if res.err == nil && res.status != http.StatusOK {
		s.problem("import at %s: %d", st.name, res.status)
	}
	if acked {
		// The report names how many rows were written: all of them, since
		// every id number is fresh.
		want := fmt.Sprintf(`<b id="imported">%d</b>`, len(idns))
		if !strings.Contains(res.body, want) {
			s.problem("import at %s answered 200 without importing all %d rows", st.name, len(idns))
			acked = false
		}
	}
	for _, idn := range idns {
		s.ledger.add(&write{Station: st.name, Op: "import", Table: records.Workers, Row: s.workerID(idn),
			Fields: map[string]any{}, Start: start, End: end, Acked: acked})
	}
	if acked {
		s.mu.Lock()
		s.imported += len(idns)
		s.mu.Unlock()
	}
	sleep(ctx, dur(rng, 100*time.Millisecond, 2*time.Second))
	s.restart(st.proc)
}

func importCSV(s *sim, rng *rand.Rand, n int) (string, []string) {
	w := &workload{sim: s, rng: rng}
	return w.importRows(n)
}

// injectHub SIGKILLs the hub now and then (mid-apply, mid-relay: whatever
// it is doing) and restarts it.
func (s *sim) injectHub(ctx context.Context, rng *rand.Rand) {
	for ctx.Err() == nil {
		sleep(ctx, dur(rng, 6*time.Second, 20*time.Second))
		if ctx.Err() != nil || s.calmHub() || !s.hubOp.TryLock() {
			continue
		}
		s.fault("kill-hub")
		s.hub.kill()
		sleep(ctx, dur(rng, 200*time.Millisecond, 3*time.Second))
		s.restart(s.hub)
		s.hubOp.Unlock()
	}
}

func (s *sim) calmHub() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scen != nil && s.scen.calmHub
}

// yearAheadStation records offline with its calendar a year ahead, then
// gets its link: the hub refuses its changes; at the next connection the
// offset measured against the hub has corrected its clock, it stamps them
// again and they go through (checked with every station's at the end).
// Its workload waits (holdEdits, set at setup) until the link is up.
func (s *sim) yearAheadStation(ctx context.Context, st *simStation, rng *rand.Rand) {
	w := &workload{sim: s, st: st, rng: rng}
	for i := 0; i < 3 && ctx.Err() == nil; i++ {
		w.register(ctx, s.ledger.freshIDNumber(w.rng), w.phone())
	}
	st.proxy.Set(faultproxy.Link{})
	st.holdEdits.Store(false)
	<-ctx.Done()
}

// scenario is the deliberate concurrent and causally ordered edits.
type scenario struct {
	calmHub bool
	// settled: registered at two stations offline (a conflict), then
	// edited at B after B saw both values: one head, SettledPhone.
	settled      ident.ID
	settledPhone string
	// open: registered at two stations offline and left: a conflict whose
	// heads hold both phones.
	open       ident.ID
	openPhones [2]string
	a, b       *simStation
	ok         bool
}

// runScenario partitions two stations, makes the same people's records at
// both, heals, and settles one of the two conflicts from B.
func (s *sim) runScenario(faultCtx, ctx context.Context, rng *rand.Rand) {
	if len(s.stations) < 2 || s.stations[1].yearAhead {
		return
	}
	sleep(faultCtx, s.cfg.Duration/4)
	if faultCtx.Err() != nil {
		return
	}
	a, b := s.stations[0], s.stations[1]
	sc := &scenario{a: a, b: b, calmHub: true}
	s.mu.Lock()
	s.scen = sc
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		sc.calmHub = false
		s.mu.Unlock()
		a.calm.Store(false)
		b.calm.Store(false)
	}()
	a.calm.Store(true)
	b.calm.Store(true)
	for _, st := range []*simStation{a, b} {
		st.proxy.Set(faultproxy.Link{Down: true})
		if !st.proc.running() {
			s.restart(st.proc)
		}
	}
	if !s.hub.running() {
		s.restart(s.hub)
	}
	// A fault begun before the stations were calmed (a kill, a kill during
	// an import, and its restart) may still be under way, and a process
	// that is running is not yet serving: wait out the one, then for the
	// other, or the scenario's offline writes would go unanswered.
	sleep(ctx, 4*time.Second)
	for _, st := range []*simStation{a, b} {
		deadline := time.Now().Add(60 * time.Second)
		for {
			if !st.proc.running() {
				s.restart(st.proc)
			}
			if _, err := st.api.sync(ctx); err == nil {
				break
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				s.problem("scenario: %s is not serving", st.name)
				return
			}
			sleep(ctx, 100*time.Millisecond)
		}
	}
	wa := &workload{sim: s, st: a, rng: rng}
	wb := &workload{sim: s, st: b, rng: rng}
	x, y := s.ledger.freshIDNumber(rng), s.ledger.freshIDNumber(rng)
	pa, pb := wa.phone(), wb.phone()
	sc.settled, sc.open = s.workerID(x), s.workerID(y)
	sc.openPhones = [2]string{pa, pb}
	for _, reg := range []struct {
		w     *workload
		idn   string
		phone string
	}{{wa, x, wa.phone()}, {wb, x, wb.phone()}, {wa, y, pa}, {wb, y, pb}} {
		if _, ok := reg.w.register(ctx, reg.idn, reg.phone); !ok {
			s.problem("scenario: %s did not acknowledge registering %s while offline", reg.w.st.name, reg.idn)
			return
		}
	}
	a.proxy.Set(faultproxy.Link{})
	b.proxy.Set(faultproxy.Link{})
	// B must come to hold both phones of x (a conflict it shows) before it
	// settles it.
	deadline := time.Now().Add(90 * time.Second)
	for {
		res, err := b.api.do(ctx, http.MethodGet, "/api/workers/"+sc.settled.String(), nil)
		if err == nil && res.Status == http.StatusOK {
			if c, _ := res.Body["conflicts"].(map[string]any); c != nil && c["phone"] != nil {
				break
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.problem("scenario: %s never showed the conflict on worker %s's phone (registered at %s and %s offline)", b.name, sc.settled, a.name, b.name)
			return
		}
		sleep(ctx, 250*time.Millisecond)
	}
	sc.settledPhone = wb.phone()
	f := map[string]any{"phone": sc.settledPhone}
	if _, ok := wb.send(ctx, "settle", records.Workers, http.MethodPatch, "/api/workers/"+sc.settled.String(), f, sc.settled, f); !ok {
		s.problem("scenario: %s did not acknowledge settling worker %s's phone", b.name, sc.settled)
		return
	}
	sc.ok = true
}

// hubAPI reads the hub's station list as an administrator.
type hubAPI struct {
	base, user, password string
	hc                   *http.Client
	mu                   sync.Mutex
	token                string
}

type hubStation struct {
	Name    string `json:"name"`
	Online  bool   `json:"online"`
	Session *struct {
		PendingUp   int    `json:"pending_up"`
		PendingDown uint64 `json:"pending_down"`
	} `json:"session"`
}

func (h *hubAPI) login(ctx context.Context) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.token != "" {
		return h.token, nil
	}
	b, _ := json.Marshal(map[string]string{"user": h.user, "password": h.password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/api/login", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("hub login: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return "", fmt.Errorf("hub login: %s %s", resp.Status, body)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("hub login: %w", err)
	}
	h.token = out.Token
	return h.token, nil
}

func (h *hubAPI) stations(ctx context.Context) (map[string]hubStation, error) {
	tok, err := h.login(ctx)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+"/api/stations", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := h.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("hub stations: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		h.mu.Lock()
		h.token = ""
		h.mu.Unlock()
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("hub stations: %s", resp.Status)
	}
	var out struct {
		Stations []hubStation `json:"stations"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("hub stations: %w", err)
	}
	m := map[string]hubStation{}
	for _, st := range out.Stations {
		m[st.Name] = st
	}
	return m, nil
}
