// Package hubmetrics is the hub's Prometheus metrics: the counters the
// sync sessions bump where the work happens (atomic, no lock on the upload
// path), and the gauges read from the hub's core when /metrics is scraped
// (sessions, stations' lag and last contact, open conflicts, database and
// backup). Each hub has its own metrics.Set (VictoriaMetrics/metrics, the
// Prometheus text format without client_golang's dependencies), never the
// process-wide default, so one process may hold several hubs (tests do).
// Station labels are the enrolled stations' names, read at each scrape: a
// revoked station's series end with it.
package hubmetrics

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"fieldsync/hub"
)

// Options configure New.
type Options struct {
	// BackupDir is hub serve --backup-dir: the age of its newest backup is
	// reported ("" reports none).
	BackupDir string
}

// Metrics are one hub's metrics.
type Metrics struct {
	h   *hub.Hub
	o   Options
	set *metrics.Set

	// Counted by the sync sessions (hubsync).
	ChangesApplied *metrics.Counter // station changes in committed uploads
	ChangesRefused *metrics.Counter // changes (or columns) the hub refused
	Joins          *metrics.Counter // workers another station holds who entered a station's scope
	BytesReceived  *metrics.Counter // sync frames from stations
	BytesSent      *metrics.Counter // sync frames to stations
	ApplySeconds   *Histogram       // time to apply one upload (a group of batches), commit included
	BatchChanges   *Histogram       // changes in each batch a station sent
}

// Metric names.
const (
	prefix = "fieldsync_hub_"
)

// New makes the metrics of h.
func New(h *hub.Hub, o Options) *Metrics {
	set := metrics.NewSet()
	m := &Metrics{h: h, o: o, set: set,
		ChangesApplied: set.NewCounter(prefix + "changes_applied_total"),
		ChangesRefused: set.NewCounter(prefix + "changes_refused_total"),
		Joins:          set.NewCounter(prefix + "joins_total"),
		BytesReceived:  set.NewCounter(prefix + "received_bytes_total"),
		BytesSent:      set.NewCounter(prefix + "sent_bytes_total"),
		ApplySeconds: NewHistogram(prefix+"apply_seconds", 1e-9,
			[]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}),
		BatchChanges: NewHistogram(prefix+"batch_changes", 1,
			[]float64{1, 10, 50, 100, 250, 500, 1000, 2500, 5000}),
	}
	set.RegisterMetricsWriter(m.ApplySeconds.WritePrometheus)
	set.RegisterMetricsWriter(m.BatchChanges.WritePrometheus)
	return m
}

// ObserveApply counts an upload of n changes that took d and was
// committed, with what the hub refused and the joins it made.
func (m *Metrics) ObserveApply(n, refused, joins int, d time.Duration) {
	m.ChangesApplied.Add(n)
	if refused > 0 {
		m.ChangesRefused.Add(refused)
	}
	if joins > 0 {
		m.Joins.Add(joins)
	}
	m.ApplySeconds.Observe(uint64(max(d, 0)))
}

// WritePrometheus writes every metric in the Prometheus text format: the
// counters, then what the core says now, then the process's.
func (m *Metrics) WritePrometheus(ctx context.Context, w io.Writer) error {
	var buf bytes.Buffer
	m.set.WritePrometheus(&buf)
	if err := m.writeState(ctx, &buf); err != nil {
		return err
	}
	// The process's own (go_*, process_*: memory, goroutines, open files),
	// which thousands of idle sessions show first.
	metrics.WriteProcessMetrics(&buf)
	_, err := w.Write(buf.Bytes())
	return err
}

func (m *Metrics) writeState(ctx context.Context, w io.Writer) error {
	st, err := m.h.Status(ctx)
	if err != nil {
		return err
	}
	now := m.h.Now()
	connected := 0
	// One family after the other, each with its HELP and TYPE.
	families := []struct{ name, help string }{
		{"station_online", "1 while an enrolled station has a live session (station_* series name enrolled, not revoked, stations)"},
		{"station_last_contact_timestamp_seconds", "when the station last sent a frame"},
		{"station_last_contact_age_seconds", "since the station last sent a frame"},
		{"station_pending_down_changes", "hub log entries the connected station has not acknowledged"},
		{"station_pending_up_changes", "the connected station's changes received, not yet committed"},
	}
	lines := make([][]string, len(families))
	for _, s := range st {
		if s.Revoked {
			continue
		}
		l := `{station="` + labelValue(s.Name) + `"}`
		online := 0
		if s.Online {
			online = 1
			connected++
		}
		lines[0] = append(lines[0], fmt.Sprintf("%s %d", l, online))
		if !s.LastSeen.IsZero() {
			lines[1] = append(lines[1], fmt.Sprintf("%s %d", l, s.LastSeen.Unix()))
			lines[2] = append(lines[2], fmt.Sprintf("%s %.3f", l, now.Sub(s.LastSeen).Seconds()))
		}
		if s.Session != nil {
			lines[3] = append(lines[3], fmt.Sprintf("%s %d", l, s.Session.PendingDown))
			lines[4] = append(lines[4], fmt.Sprintf("%s %d", l, s.Session.PendingUp))
		}
	}
	gauge(w, prefix+"sessions_connected", "station sync sessions connected now")
	fmt.Fprintf(w, "%ssessions_connected %d\n", prefix, connected)
	for i, f := range families {
		if len(lines[i]) == 0 {
			continue
		}
		gauge(w, prefix+f.name, f.help)
		for _, l := range lines[i] {
			fmt.Fprintf(w, "%s%s%s\n", prefix, f.name, l)
		}
	}

	kinds, err := m.h.OpenConflictsByKind(ctx)
	if err != nil {
		return err
	}
	gauge(w, prefix+"open_conflicts", "open conflicts in the county's queue, by kind")
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		fmt.Fprintf(w, "%sopen_conflicts{kind=\"%s\"} %d\n", prefix, labelValue(k), kinds[k])
	}

	size, err := m.h.DatabaseSize(ctx)
	if err != nil {
		return err
	}
	gauge(w, prefix+"database_bytes", "the hub database file")
	fmt.Fprintf(w, "%sdatabase_bytes %d\n", prefix, size.Main)
	gauge(w, prefix+"wal_bytes", "the hub database's write-ahead log")
	fmt.Fprintf(w, "%swal_bytes %d\n", prefix, size.WAL)
	if m.o.BackupDir != "" {
		if last, ok := hub.LastBackup(m.o.BackupDir); ok {
			gauge(w, prefix+"backup_age_seconds", "since the newest backup in --backup-dir was written")
			fmt.Fprintf(w, "%sbackup_age_seconds %.0f\n", prefix, now.Sub(last).Seconds())
		}
	}
	return nil
}

// gauge writes a gauge family's HELP and TYPE lines.
func gauge(w io.Writer, name, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
}

// labelValue escapes a label value for the text format.
func labelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// Handler serves the metrics (GET /metrics). It does not check who asks:
// mount it behind a login or on a listener of its own.
func (m *Metrics) Handler(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := m.WritePrometheus(r.Context(), &buf); err != nil {
			if log != nil {
				log.ErrorContext(r.Context(), "metrics", "err", err)
			}
			http.Error(w, "metrics unavailable: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
	})
}
