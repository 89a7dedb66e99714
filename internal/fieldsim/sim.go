// Package fieldsim is the fault simulator behind cmd/fieldsim and
// scripts/soak: it runs a real county hub and real station processes on
// 127.0.0.1, each station's sync link through a faultproxy, and while clients
// make random edits through the stations' HTTP APIs it cuts, slows and takes
// down links, SIGKILLs stations (also in the middle of an import) and the
// hub, and skews station clocks. Then it heals everything, waits for quiet,
// and checks that no acknowledged write was lost and that every replica holds
// exactly the rows of its scope (see Run).
//
// A run is seeded: the seed fixes the skews, the schedule of faults and the
// edits. Processes and links are real, so timing still varies between runs
// with the same seed; a failing run prints its seed and its work directory
// (kept, with every process's log) so it can be rerun and inspected.
package fieldsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fieldsync/ident"
	"fieldsync/internal/debugserve"
	"fieldsync/internal/faultproxy"
	"fieldsync/records"
	"fieldsync/syncproto"
)

// Config sets up a run. Zero values take the defaults.
type Config struct {
	// Seed fixes the random choices (0: one from the clock, printed).
	Seed int64
	// Stations is the number of ordinary stations (default 3); one more,
	// whose clock is a year ahead, joins unless NoYearAhead.
	Stations    int
	NoYearAhead bool
	// Edges names the scenarios of ordinary operations to play, each on a
	// station of its own (nil: all of EdgeNames; "none": none).
	Edges []string
	// Duration is how long faults are injected (default 60 s).
	Duration time.Duration
	// MaxDown bounds how long a link stays down in one fault (default 15 s).
	MaxDown time.Duration
	// Quiet bounds the wait for every station to catch up after healing
	// (default 3 minutes).
	Quiet time.Duration
	// BinDir holds hub and station binaries; when it has none they are
	// built into it. Default: a directory inside WorkDir.
	BinDir string
	// WorkDir holds the data directories and logs (default: a new temporary
	// directory, removed after a clean run unless Keep).
	WorkDir string
	Keep    bool
	// PreviousBinDir holds the previous release's hub and station
	// (BuildPrevious), for the station-upgrade scenario ("": not played).
	PreviousBinDir string
	// Log receives progress (default: discarded).
	Log *slog.Logger
}

// Summary is what a run found.
type Summary struct {
	Seed     int64
	Stations int
	Elapsed  time.Duration
	// Writes were acknowledged by a station (2xx); Unanswered got no answer
	// (the station was killed) and may or may not have been written. Rows
	// of imports are counted apart.
	Writes, Unanswered int
	// ImportedRows were acknowledged through the web import.
	ImportedRows int
	// Faults counts the faults injected, by kind.
	Faults map[string]int
	// Lost counts acknowledged writes missing at the hub or a station.
	Lost int
	// Diverged counts stations whose rows differ from the hub's for their scope.
	Diverged int
	// Conflicts counts the conflicts found where concurrent edits were made
	// on purpose (ConflictsWant of them).
	Conflicts, ConflictsWant int
	// KnownBugs counts hits of bugs that have a (skipped) regression test.
	KnownBugs map[string]int
	// Edges is what each scenario of ordinary operations found.
	Edges []EdgeReport
	// Restarted counts the times every process was started once more
	// because a station differed from the hub when they stopped.
	Restarted int
	// RestartedFor names the stations that differed then.
	RestartedFor []string
	// Problems lists every failed check.
	Problems []string
	// WorkDir is where the data and logs are (kept after a failure).
	WorkDir string
}

// OK reports whether every check passed.
func (s *Summary) OK() bool { return len(s.Problems) == 0 && s.Lost == 0 && s.Diverged == 0 }

// FaultKinds lists the fault counters in a fixed order.
var FaultKinds = []string{"cut-at-offset", "cut-now", "conn-cut", "delay-jitter", "2g", "link-down", "flap",
	"kill-station", "kill-import", "kill-hub", "skewed-clock", "year-ahead", "hub-restore"}

// Write prints the summary.
func (s *Summary) Write(w io.Writer) {
	verdict := "PASS"
	if !s.OK() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "fieldsim %s  seed=%d stations=%d elapsed=%s\n", verdict, s.Seed, s.Stations, s.Elapsed.Round(time.Second))
	// The problems first: CI shows the first lines of a failure and cut
	// them when they came last.
	for _, p := range s.Problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	fmt.Fprintf(w, "  writes acknowledged: %d (+%d rows imported), unanswered: %d\n", s.Writes, s.ImportedRows, s.Unanswered)
	var fs []string
	for _, k := range FaultKinds {
		fs = append(fs, fmt.Sprintf("%s=%d", k, s.Faults[k]))
	}
	fmt.Fprintf(w, "  faults: %s\n", strings.Join(fs, " "))
	if s.Restarted > 0 {
		fmt.Fprintf(w, "  started again to converge after stopping: %d (%s differed)\n", s.Restarted, strings.Join(s.RestartedFor, ", "))
	}
	fmt.Fprintf(w, "  conflicts recorded for concurrent edits: %d of %d\n", s.Conflicts, s.ConflictsWant)
	for _, k := range sortedKeys(s.KnownBugs) {
		fmt.Fprintf(w, "  known bug hit (not a failure, see its regress_ test): %s x%d\n", k, s.KnownBugs[k])
	}
	for i := range s.Edges {
		fmt.Fprintf(w, "  %s\n", s.Edges[i].line())
	}
	fmt.Fprintf(w, "  writes lost: %d   replicas diverged: %d   problems: %d\n", s.Lost, s.Diverged, len(s.Problems))
	if !s.OK() {
		fmt.Fprintf(w, "  reproduce: go run ./cmd/fieldsim -seed %d -stations %d   (data and logs kept in %s)\n", s.Seed, s.Stations, s.WorkDir)
	}
}

// ErrFailed is returned by Run when a check failed; the Summary says which.
var ErrFailed = errors.New("fieldsim: checks failed")

// sim is one run.
type sim struct {
	cfg        Config
	log        *slog.Logger
	rng        *rand.Rand
	dir        string
	hubBin     string
	stationBin string
	hub        *proc
	hubAddr    string
	hubDebug   string // the hub's debugserve address
	hubGoBase  int    // its goroutines with every station synced at the start
	hubHTTP    *hubAPI
	stations   []*simStation
	key        ident.Key
	ledger     ledger
	sharedIDs  []string
	procWG     sync.WaitGroup

	mu       sync.Mutex
	faults   map[string]int
	known    map[string]int
	lastDown map[string]uint64
	problems []string
	imported int
	scen     *scenario
	// hubOp is held while the hub is killed and restarted, or restored:
	// one such operation at a time.
	hubOp sync.Mutex
	// edgeReports: the scenarios of ordinary operations played so far.
	edgeReports []*EdgeReport
	edges       []edge
}

// simStation is one station process with its link.
type simStation struct {
	name      string
	dir       string
	site      string
	proc      *proc
	proxy     *faultproxy.Proxy
	api       *stationAPI
	skew      time.Duration
	yearAhead bool
	edge      *edge // the scenario of ordinary operations this station plays, if any
	// calm: a scenario needs this station's link as it set it.
	calm      atomic.Bool
	holdEdits atomic.Bool
	fdBase    int
	debug     string // the process's debugserve address
	goBase    int    // its goroutines once synced at the start
}

func (s *sim) problem(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.log.Warn("fieldsim problem", "problem", msg)
	s.mu.Lock()
	s.problems = append(s.problems, msg)
	s.mu.Unlock()
}

// knownBug counts a hit of a bug that has a skipped regression test: it is
// reported, but does not fail the round.
func (s *sim) knownBug(name string) {
	s.mu.Lock()
	s.known[name]++
	s.mu.Unlock()
}

func (s *sim) fault(kind string) {
	s.mu.Lock()
	s.faults[kind]++
	s.mu.Unlock()
}

func (s *sim) workerID(idn string) ident.ID {
	return s.key.Derive(records.Workers, idn)
}

// stream derives an independent random stream from the seed.
func (s *sim) stream(i uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(s.cfg.Seed), 0x5eed0000+i))
}

// Run performs one round: set up, fault phase, heal, verify. It returns the
// summary and ErrFailed (wrapped) if a check failed, or another error if the
// round could not be run at all.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if cfg.Seed == 0 {
		cfg.Seed = time.Now().UnixNano() & 0x7fffffff
	}
	if cfg.Stations <= 0 {
		cfg.Stations = 3
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 60 * time.Second
	}
	if cfg.MaxDown <= 0 {
		cfg.MaxDown = 15 * time.Second
	}
	if cfg.Quiet <= 0 {
		cfg.Quiet = 3 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	s := &sim{cfg: cfg, log: cfg.Log.With("seed", cfg.Seed), faults: map[string]int{}, known: map[string]int{}, lastDown: map[string]uint64{}}
	s.rng = s.stream(0)
	var err error
	if s.edges, err = pickEdges(cfg.Edges, cfg.PreviousBinDir != ""); err != nil {
		return nil, err
	}
	sum := &Summary{Seed: cfg.Seed, Stations: cfg.Stations, Faults: s.faults, KnownBugs: s.known}

	tmp := cfg.WorkDir == ""
	if tmp {
		d, err := os.MkdirTemp("", "fieldsim-*")
		if err != nil {
			return sum, fmt.Errorf("fieldsim: %w", err)
		}
		s.dir = d
	} else {
		s.dir = cfg.WorkDir
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return sum, fmt.Errorf("fieldsim: %w", err)
		}
	}
	sum.WorkDir = s.dir
	err = s.run(ctx, sum)
	s.shutdown()
	sum.Elapsed = time.Since(start)
	s.mu.Lock()
	sum.Problems = append(sum.Problems, s.problems...)
	sum.ImportedRows = s.imported
	for _, r := range s.edgeReports {
		sum.Edges = append(sum.Edges, *r)
	}
	s.mu.Unlock()
	if err != nil {
		return sum, err
	}
	if !sum.OK() {
		return sum, fmt.Errorf("%w (seed %d)", ErrFailed, cfg.Seed)
	}
	if tmp && !cfg.Keep {
		_ = os.RemoveAll(s.dir)
	}
	return sum, nil
}

// shutdown kills whatever still runs and closes the proxies.
func (s *sim) shutdown() {
	if s.hub != nil {
		s.hub.kill()
	}
	for _, st := range s.stations {
		if st.proc != nil {
			st.proc.kill()
		}
		if st.proxy != nil {
			_ = st.proxy.Close()
		}
	}
	s.procWG.Wait()
}

func (s *sim) run(ctx context.Context, sum *Summary) error {
	if err := s.setup(ctx); err != nil {
		return err
	}
	if err := s.startAll(ctx); err != nil {
		return err
	}
	s.log.Info("all stations synced once; injecting faults", "for", s.cfg.Duration)

	// The fault phase: workloads, injectors and the scenarios.
	faultCtx, stopFaults := context.WithTimeout(ctx, s.cfg.Duration)
	defer stopFaults()
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	var work, inject sync.WaitGroup
	loads := make([]*workload, len(s.stations))
	for i, st := range s.stations {
		loads[i] = &workload{sim: s, st: st, rng: s.stream(uint64(100 + i))}
		work.Add(1)
		go func() { defer work.Done(); loads[i].run(workCtx) }()
		inject.Add(1)
		go func() { defer inject.Done(); s.injectStation(faultCtx, st, loads[i], s.stream(uint64(200+i))) }()
	}
	inject.Add(3)
	go func() { defer inject.Done(); s.injectHub(faultCtx, s.stream(300)) }()
	go func() { defer inject.Done(); s.playEdges(faultCtx, ctx) }()
	go func() { defer inject.Done(); s.runScenario(faultCtx, ctx, s.stream(400)) }()
	inject.Wait()
	stopWork()
	work.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}

	// Heal.
	s.log.Info("healing: links up, every process running")
	for _, st := range s.stations {
		st.proxy.Set(faultproxy.Link{})
		if !st.proc.running() {
			if err := st.proc.start(ctx); err != nil {
				return err
			}
		}
	}
	if !s.hub.running() {
		if err := s.hub.start(ctx); err != nil {
			return err
		}
	}
	if err := s.waitQuiet(ctx); err != nil {
		s.problem("%v", err)
	}
	s.checkRunning(ctx)
	for _, st := range s.stations {
		ps := st.proxy.Stats()
		s.mu.Lock()
		s.faults["conn-cut"] += ps.Cuts
		s.mu.Unlock()
	}
	s.stopAll()
	// A station stopped while it applied a batch rolls the batch back and
	// has it again at its next start: not a divergence, but the check below
	// would see one. Such a station is started once more with the hub, and
	// the round waits for quiet again; what still differs then is reported
	// by verify. How often this was needed is in the summary.
	if names, err := s.divergedNow(ctx); err != nil {
		return err
	} else if len(names) > 0 {
		s.log.Warn("stations differ from the hub after stopping; starting everything once more", "stations", names)
		sum.Restarted++
		sum.RestartedFor = names
		for _, p := range append([]*proc{s.hub}, s.procsOf()...) {
			if err := p.start(ctx); err != nil {
				return err
			}
		}
		if err := s.waitQuiet(ctx); err != nil {
			s.problem("after starting again: %v", err)
		}
		s.stopAll()
	}
	for _, p := range append([]*proc{s.hub}, s.procsOf()...) {
		for _, e := range p.unexpectedExits() {
			s.problem("%s exited unexpectedly: %s (see %s)", p.name, e, p.logPath)
		}
	}
	for _, w := range s.ledger.all() {
		switch {
		case w.Op == "import":
		case w.Acked:
			sum.Writes++
		default:
			sum.Unanswered++
		}
	}
	return s.verify(ctx, sum)
}

// stopAll stops every process cleanly: each must exit 0 on SIGTERM.
func (s *sim) stopAll() {
	for _, st := range s.stations {
		if err := st.proc.stop(15 * time.Second); err != nil {
			s.problem("%v", err)
		}
	}
	if err := s.hub.stop(15 * time.Second); err != nil {
		s.problem("%v", err)
	}
}

func (s *sim) procsOf() []*proc {
	var out []*proc
	for _, st := range s.stations {
		out = append(out, st.proc)
	}
	return out
}

// setup makes the hub's and stations' directories with the real commands.
func (s *sim) setup(ctx context.Context) error {
	bin := s.cfg.BinDir
	if bin == "" {
		bin = filepath.Join(s.dir, "bin")
	}
	s.hubBin, s.stationBin = filepath.Join(bin, "hub"), filepath.Join(bin, "station")
	if !executable(s.hubBin) || !executable(s.stationBin) {
		s.log.Info("building hub and station", "into", bin)
		if err := Build(ctx, bin); err != nil {
			return err
		}
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	s.hubAddr = fmt.Sprintf("127.0.0.1:%d", port)
	hubDir := filepath.Join(s.dir, "hub")
	if _, err := runTool(ctx, "", s.hubBin, "init", "--dir", hubDir, "--name", "模拟县", "--url", "http://"+s.hubAddr); err != nil {
		return fmt.Errorf("fieldsim: %w", err)
	}
	pw := "fieldsim-" + fmt.Sprint(s.rng.Uint64())
	if _, err := runTool(ctx, pw+"\n", s.hubBin, "admin", "add", "--dir", hubDir, "--user", "fieldsim", "--role", "owner"); err != nil {
		return fmt.Errorf("fieldsim: %w", err)
	}
	s.hubHTTP = &hubAPI{base: "http://" + s.hubAddr, user: "fieldsim", password: pw, hc: &http.Client{Timeout: 10 * time.Second}}
	if s.hubDebug, err = debugAddr(); err != nil {
		return err
	}
	s.hub = &proc{name: "hub", bin: s.hubBin, args: []string{"serve", "--dir", hubDir, "--addr", s.hubAddr},
		env: []string{debugserve.Env + "=" + s.hubDebug}, logPath: filepath.Join(s.dir, "hub.log"), ready: "http://" + s.hubAddr + "/login", wg: &s.procWG}

	// Skews: minutes and hours, ahead and behind; the first station keeps
	// the true time.
	skews := []time.Duration{0, -3 * time.Hour, 2 * time.Hour, -7 * time.Minute, 4 * time.Minute, 9 * time.Hour, -26 * time.Hour}
	n := s.cfg.Stations
	yearAhead := -1
	if !s.cfg.NoYearAhead {
		yearAhead = n
		n++
	}
	firstEdge := n
	n += len(s.edges)
	for i := range n {
		st := &simStation{name: fmt.Sprintf("模拟站%02d", i+1), dir: filepath.Join(s.dir, fmt.Sprintf("station%02d", i+1))}
		switch {
		case i < s.cfg.Stations:
			if i > 0 {
				st.skew = skews[1+s.rng.IntN(len(skews)-1)]
				st.skew += time.Duration(s.rng.IntN(60_000)) * time.Millisecond
			}
		case i == yearAhead:
			st.yearAhead, st.skew = true, 365*24*time.Hour
			st.holdEdits.Store(true)
		default:
			// Its workload waits until its scenario is over.
			st.edge = &s.edges[i-firstEdge]
			st.holdEdits.Store(true)
		}
		code, err := runTool(ctx, "", s.hubBin, "station", "add", "--dir", hubDir, "--name", st.name,
			"--code", fmt.Sprintf("150421100%03d", 201+i))
		if err != nil {
			return fmt.Errorf("fieldsim: %w", err)
		}
		e, err := syncproto.ParseEnrollment(strings.TrimSpace(code))
		if err != nil {
			return fmt.Errorf("fieldsim: the hub's enrollment code: %w", err)
		}
		s.key = e.Key
		st.site = e.Site.String()
		// The station reaches the hub through its own proxy: the code
		// carries the hub's address, so give it the proxy's.
		link := faultproxy.Link{}
		if st.yearAhead {
			link.Down = true // it records offline first, with its wrong calendar
		}
		st.proxy, err = faultproxy.New(context.Background(), s.hubAddr, link)
		if err != nil {
			return err
		}
		e.HubURL = "http://" + st.proxy.Addr()
		bin := s.stationBin
		if st.edge != nil && st.edge.previous {
			bin = filepath.Join(s.cfg.PreviousBinDir, "station")
		}
		if _, err := runTool(ctx, e.String(), bin, "init", "--dir", st.dir, "--enroll", "-"); err != nil {
			return fmt.Errorf("fieldsim: %w", err)
		}
		port, err := freePort()
		if err != nil {
			return err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if st.debug, err = debugAddr(); err != nil {
			return err
		}
		env := []string{debugserve.Env + "=" + st.debug}
		if st.skew != 0 {
			env = append(env, fmt.Sprintf("FIELDSYNC_CLOCK_SKEW=%s", st.skew))
			if st.yearAhead {
				s.fault("year-ahead")
			} else {
				s.fault("skewed-clock")
			}
		}
		st.proc = &proc{name: st.name, bin: bin, args: []string{"serve", "--dir", st.dir, "--addr", addr},
			env: env, logPath: st.dir + ".log", ready: "http://" + addr + "/api/sync", wg: &s.procWG}
		st.api = &stationAPI{name: st.name, base: "http://" + addr, hc: &http.Client{Timeout: 30 * time.Second}}
		s.stations = append(s.stations, st)
	}
	// Id numbers that several stations register: the same person, one row.
	for range 6 {
		s.sharedIDs = append(s.sharedIDs, s.ledger.freshIDNumber(s.rng))
	}
	return nil
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// startAll starts the hub and the stations and waits until every ordinary
// station has synced once (a station more than the hub's tolerance ahead
// must learn its offset before it records anything).
func (s *sim) startAll(ctx context.Context) error {
	if err := s.hub.start(ctx); err != nil {
		return err
	}
	for _, st := range s.stations {
		if err := st.proc.start(ctx); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, st := range s.stations {
		if st.yearAhead {
			continue
		}
		for {
			ss, err := st.api.sync(ctx)
			if err == nil && ss.LastSync != nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("fieldsim: %s did not sync within 60 s of starting (%v, see %s)", st.name, err, st.proc.logPath)
			}
			sleep(ctx, 100*time.Millisecond)
		}
	}
	// File descriptor baselines, once the sessions are up.
	sleep(ctx, 500*time.Millisecond)
	for _, st := range s.stations {
		st.fdBase, _ = fdCount(st.proc.pid())
		st.goBase, _ = goroutines(ctx, st.debug)
	}
	s.hubGoBase, _ = goroutines(ctx, s.hubDebug)
	return nil
}

// waitQuiet waits until every station is connected with nothing to
// send, and the hub has nothing to send or apply for it, several times in a
// row.
func (s *sim) waitQuiet(ctx context.Context) error {
	deadline := time.Now().Add(s.cfg.Quiet)
	stable := 0
	var why string
	for stable < 3 {
		if time.Now().After(deadline) {
			return fmt.Errorf("no quiet within %v of healing: %s", s.cfg.Quiet, why)
		}
		why = s.busy(ctx)
		if why == "" {
			stable++
		} else {
			stable = 0
		}
		sleep(ctx, time.Second)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// busy says why the system is not quiet yet ("" when it is).
func (s *sim) busy(ctx context.Context) string {
	for _, st := range s.stations {
		ss, err := st.api.sync(ctx)
		if err != nil {
			return err.Error()
		}
		if !ss.Connected || ss.Pending > 0 {
			return fmt.Sprintf("%s connected=%v pending=%d last_error=%q", st.name, ss.Connected, ss.Pending, ss.LastError)
		}
	}
	hs, err := s.hubHTTP.stations(ctx)
	if err != nil {
		return err.Error()
	}
	for _, st := range s.stations {
		h, ok := hs[st.name]
		if !ok || h.Session == nil {
			return fmt.Sprintf("hub: no session of %s", st.name)
		}
		// pending_down is an upper bound (log entries after the station's
		// cursor, in scope or not) that can stay above 0 for a station that
		// holds everything: quiet is when it stops moving.
		s.mu.Lock()
		prev, seen := s.lastDown[st.name]
		s.lastDown[st.name] = h.Session.PendingDown
		s.mu.Unlock()
		if h.Session.PendingUp > 0 || (h.Session.PendingDown > 0 && (!seen || prev != h.Session.PendingDown)) {
			return fmt.Sprintf("hub: %s pending up %d down %d", st.name, h.Session.PendingUp, h.Session.PendingDown)
		}
	}
	return ""
}

// checkRunning checks what can only be seen while the processes run: file
// descriptors, and the year-ahead station showing that its clock is wrong
// and that it stamped its refused changes again.
func (s *sim) checkRunning(ctx context.Context) {
	for _, st := range s.stations {
		n, err := fdCount(st.proc.pid())
		if err != nil {
			s.problem("%s: %v", st.name, err)
			continue
		}
		if st.fdBase > 0 && n > st.fdBase+8 {
			s.problem("%s holds %d file descriptors after healing, %d at the start: a leak", st.name, n, st.fdBase)
		}
		if g, err := goroutines(ctx, st.debug); err != nil {
			s.problem("%s: %v", st.name, err)
		} else if st.goBase > 0 && g > st.goBase+goroutineSlack {
			s.problem("%s runs %d goroutines after healing, %d at the start: a leak", st.name, g, st.goBase)
		}
		if !st.yearAhead {
			continue
		}
		ss, err := st.api.sync(ctx)
		if err != nil {
			s.problem("%v", err)
			continue
		}
		if !ss.ClockWarning {
			s.problem("%s (clock a year ahead) does not warn about its clock: %+v", st.name, ss)
		}
		if ss.LastError != "" || !strings.Contains(ss.Warning, "本机时间已改正") {
			s.problem("%s (clock a year ahead) does not show that it stamped its refused changes again and sent them: %+v", st.name, ss)
		}
		home, err := st.api.page(ctx, "/")
		if err != nil {
			s.problem("%v", err)
		} else if !strings.Contains(home, `id="clock-warning"`) {
			s.problem("%s (clock a year ahead): the home page does not warn about the clock", st.name)
		}
	}
	// The hub: one descriptor per connected station and a few more.
	n, err := fdCount(s.hub.pid())
	if err != nil {
		s.problem("hub: %v", err)
	} else if limit := 24 + 2*len(s.stations); n > limit {
		s.problem("hub holds %d file descriptors after healing with %d stations (limit %d): a leak", n, len(s.stations), limit)
	}
	// Restarted or not, a hub with every station connected and quiet runs
	// about as many goroutines as at the start.
	if g, err := goroutines(ctx, s.hubDebug); err != nil {
		s.problem("hub: %v", err)
	} else if s.hubGoBase > 0 && g > s.hubGoBase+goroutineSlack {
		s.problem("hub runs %d goroutines after healing, %d at the start: a leak", g, s.hubGoBase)
	}
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
