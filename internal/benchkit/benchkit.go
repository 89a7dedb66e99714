// Package benchkit measures fieldsync against the physical limits of the
// machine it runs on (issue 8): every figure beside its limit, measured in
// the same run (interleaved batch by batch where the two can be), and the
// ratio of the two checked against a target. cmd/fieldbench runs it and
// scripts/bench wraps that; the report figures come from the report
// package's own benchmarks, parsed from `go test -bench` output (ParseGoBench).
//
// Every measurement runs real parts: SQLite files in a temporary folder, a
// real hub serving WebSocket on 127.0.0.1, real sync clients, and
// internal/faultproxy for the throttled 2G-like link. Nothing leaves
// 127.0.0.1.
package benchkit

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"regexp"
	"time"

	"fieldsync/ident"
)

// Sizes are the workloads of one run.
type Sizes struct {
	// ImportWorkers are imported at a station, 1,000 a transaction.
	ImportWorkers int
	// ApplyWorkers are applied at a fresh hub replica (its initial sync).
	ApplyWorkers int
	// SyncWorkers are uploaded station → hub on loopback.
	SyncWorkers int
	// Catch-up: the station's workers, its own changes while offline, and
	// the changes other stations made in its scope meanwhile.
	CatchupWorkers, CatchupOwn, CatchupIncoming int
	// LinkRate is the throttled link's rate each way, bytes/s (64 kbit/s =
	// 8,000); LinkRTT its round trip; CutEvery the bytes after which the
	// cut run resets each connection.
	LinkRate int
	LinkRTT  time.Duration
	CutEvery int64
	// IdleStations connect at once; IdleWindow is how long the hub's CPU is
	// watched while they are idle.
	IdleStations int
	IdleWindow   time.Duration
	// SizeWorkers are kept a year at a station (DBSizeFollowups follow-ups
	// each, a status every month) for the database size row.
	SizeWorkers, SizeFollowups int
}

// Full are the sizes issue 8 names.
func Full() Sizes {
	return Sizes{
		ImportWorkers: 50_000, ApplyWorkers: 100_000, SyncWorkers: 100_000,
		CatchupWorkers: 2_000, CatchupOwn: 10_000, CatchupIncoming: 20_000,
		LinkRate: 8_000, LinkRTT: 300 * time.Millisecond, CutEvery: 256 << 10,
		IdleStations: 5_000, IdleWindow: 60 * time.Second,
		SizeWorkers: 5_000, SizeFollowups: 10,
	}
}

// Quick are sizes for a sanity run of a minute or two: the same rows, a
// tenth of the work, the link four times faster (the ratios of the
// throttled rows hold at any rate the machine can fill).
func Quick() Sizes {
	return Sizes{
		ImportWorkers: 5_000, ApplyWorkers: 10_000, SyncWorkers: 10_000,
		CatchupWorkers: 200, CatchupOwn: 1_000, CatchupIncoming: 2_000,
		LinkRate: 32_000, LinkRTT: 300 * time.Millisecond, CutEvery: 96 << 10,
		IdleStations: 300, IdleWindow: 5 * time.Second,
		SizeWorkers: 500, SizeFollowups: 10,
	}
}

// Tiny are sizes for the package's own test: every row runs, in seconds.
func Tiny() Sizes {
	return Sizes{
		ImportWorkers: 1_000, ApplyWorkers: 1_000, SyncWorkers: 1_000,
		CatchupWorkers: 20, CatchupOwn: 100, CatchupIncoming: 200,
		LinkRate: 200_000, LinkRTT: 20 * time.Millisecond, CutEvery: 32 << 10,
		IdleStations: 10, IdleWindow: 500 * time.Millisecond,
		SizeWorkers: 50, SizeFollowups: 2,
	}
}

// Config configures Run.
type Config struct {
	Sizes Sizes
	// Dir holds the run's databases (a temporary folder when empty; it is
	// removed at the end either way).
	Dir string
	// Only, when set, runs the measurements whose id matches it.
	Only *regexp.Regexp
	// Child is the command line that runs RunIdleClients in another process
	// (cmd/fieldbench: itself with "idle-clients"); it gets the hub address
	// as its last argument.
	Child []string
	// ChildEnv is added to the child's environment.
	ChildEnv []string
	// Logger tells the run's progress; NodeLogger gets the hubs' and
	// stations' own logs (both discarded when nil).
	Logger, NodeLogger *slog.Logger
}

// Target is what a row must reach: Value compared by Op ("≥" or "≤") with
// the row's ratio, or with its figure when the row has no limit.
type Target struct {
	Op    string  `json:"op"`
	Value float64 `json:"value"`
}

// Row is one line of the results.
type Row struct {
	ID     string  `json:"id"`
	What   string  `json:"what"`
	Figure float64 `json:"figure"`
	Unit   string  `json:"unit"`
	// Limit is the physical limit the figure is measured against in the same
	// run (0 when there is none), in LimitUnit.
	Limit     float64 `json:"limit,omitempty"`
	LimitUnit string  `json:"limit_unit,omitempty"`
	// Ratio is the figure over the limit (for rates) or the limit over the
	// figure (for times and sizes the limit bounds from below): the number
	// the target speaks of. NaN when there is no limit.
	Ratio  float64 `json:"-"`
	Target *Target `json:"target,omitempty"`
	// Pass is nil when the row has no target or failed to run.
	Pass *bool `json:"pass,omitempty"`
	// Note says how the figure was made and anything the reader should know
	// (the CPU-time ratio beside the wall-time one, sizes, skips).
	Note string `json:"note,omitempty"`
	Err  string `json:"error,omitempty"`
	// Seconds is how long the measurement took.
	Seconds float64 `json:"seconds"`
}

// ratioJSON is Ratio for encoding/json, which refuses NaN.
func (r Row) ratioJSON() *float64 {
	if math.IsNaN(r.Ratio) || math.IsInf(r.Ratio, 0) {
		return nil
	}
	v := r.Ratio
	return &v
}

// judge sets Pass from the target.
func (r *Row) judge() {
	if r.Target == nil || r.Err != "" {
		return
	}
	v := r.Ratio
	if math.IsNaN(v) {
		v = r.Figure
	}
	if math.IsNaN(v) {
		return
	}
	ok := v >= r.Target.Value
	if r.Target.Op == "≤" {
		ok = v <= r.Target.Value
	}
	r.Pass = &ok
}

func atLeast(v float64) *Target { return &Target{Op: "≥", Value: v} }
func atMost(v float64) *Target  { return &Target{Op: "≤", Value: v} }

// measurement is one step of a run; it returns one or more rows.
type measurement struct {
	id  string
	run func(ctx context.Context, e *env) ([]Row, error)
	// rows names the rows the step makes, for a table that shows which
	// failed when the step does.
	rows []Row
}

// env is what the measurements share.
type env struct {
	cfg Config
	sz  Sizes
	dir string
	log *slog.Logger
	// nodeLog is for the hubs and stations.
	nodeLog *slog.Logger
	key     ident.Key
	n       int // databases made so far, for unique names
}

// path returns a new file name in the run's folder.
func (e *env) path(name string) string {
	e.n++
	return fmt.Sprintf("%s/%02d-%s", e.dir, e.n, name)
}

// steps lists the measurements in the order they run: the cheap engine rows
// first, the long throttled and many-connection rows last.
func steps() []measurement {
	return []measurement{
		{id: "import", run: measureImport, rows: []Row{{ID: "import", What: "station batched import"}, {ID: "import-station-indexes", What: "station batched import, with the station's page indexes"}}},
		{id: "apply", run: measureApply, rows: []Row{{ID: "hub-apply", What: "hub Apply, initial sync"}}},
		{id: "sync", run: measureSync, rows: []Row{{ID: "sync", What: "end-to-end sync station → hub"}, {ID: "wire", What: "bytes on the wire per worker"}}},
		{id: "dbsize", run: measureDBSize, rows: []Row{{ID: "dbsize", What: "station database per worker after a year"}, {ID: "dbsize-untrimmed", What: "the same, never trimmed"}}},
		{id: "catchup", run: measureCatchup, rows: []Row{{ID: "catchup", What: "catch-up after 30 days offline, 2G link"}, {ID: "catchup-cut", What: "the same catch-up, cut every 256 KB"}}},
		{id: "idle", run: measureIdle, rows: []Row{{ID: "idle-memory", What: "hub memory per idle connection"}, {ID: "idle-gig", What: "gig posted at one station reaching all"}, {ID: "idle-cpu", What: "hub CPU while idle"}}},
	}
}

// Run runs every measurement cfg selects and returns their rows. A
// measurement that fails gives rows with Err set; Run goes on with the next.
// It returns an error only when it cannot run at all, or when ctx ends.
func Run(ctx context.Context, cfg Config) ([]Row, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dir, err := os.MkdirTemp(cfg.Dir, "fieldbench-")
	if err != nil {
		return nil, fmt.Errorf("benchmark folder: %w", err)
	}
	defer os.RemoveAll(dir)
	nodeLog := cfg.NodeLogger
	if nodeLog == nil {
		nodeLog = slog.New(slog.DiscardHandler)
	}
	e := &env{cfg: cfg, sz: cfg.Sizes, dir: dir, log: log, nodeLog: nodeLog, key: ident.Key("fieldbench deployment key")}
	var rows []Row
	for _, m := range steps() {
		if cfg.Only != nil && !cfg.Only.MatchString(m.id) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return rows, err
		}
		log.Info("measuring", "step", m.id)
		start := time.Now()
		got, err := m.run(ctx, e)
		secs := time.Since(start).Seconds()
		if err != nil {
			if ctx.Err() != nil {
				return rows, ctx.Err()
			}
			log.Error("measurement failed", "step", m.id, "err", err)
			got = nil
			for _, r := range m.rows {
				r.Err, r.Ratio, r.Figure = err.Error(), math.NaN(), math.NaN()
				got = append(got, r)
			}
		}
		for i := range got {
			got[i].Seconds = secs
			got[i].judge()
		}
		rows = append(rows, got...)
	}
	return rows, nil
}
