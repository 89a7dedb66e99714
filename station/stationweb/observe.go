package stationweb

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"fieldsync/internal/sqlitesize"
)

// The station's probes and metrics, for the PC's own monitoring (a service
// manager, a local Prometheus agent), served to loopback clients only and
// without login:
//
//	GET /healthz   200 "ok" while the database answers, else 503 and why
//	GET /readyz    the same: the station loads nothing before it serves
//	GET /metrics   Prometheus text (observeMetrics)
//
// Anyone else gets 403, even when the station listens beyond loopback.

// observePaths skip the login and CSRF middleware.
var observePaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// healthTimeout bounds the health check's query.
const healthTimeout = 5 * time.Second

func (s *Server) routesObserve(mux *http.ServeMux) {
	set := s.observeMetrics()
	mux.Handle("GET /healthz", loopbackOnly(http.HandlerFunc(s.healthz)))
	mux.Handle("GET /readyz", loopbackOnly(http.HandlerFunc(s.healthz)))
	mux.Handle("GET /metrics", loopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		set.WritePrometheus(&buf)
		metrics.WriteProcessMetrics(&buf) // go_*, process_*: memory, goroutines, open files
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
	})))
}

// loopbackOnly answers 403 to a client that is not on this PC.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromStationPC(r) {
			http.Error(w, "forbidden: only this PC may ask", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	var one int
	if err := s.r.DB().QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		s.log.WarnContext(r.Context(), "health check failed", "err", err)
		http.Error(w, "database: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// observeMetrics are the station's metrics, in a metrics.Set of their own
// (VictoriaMetrics/metrics; never the process-wide default set), read when
// scraped: the sync client's status and the database's size.
//
//	fieldsync_station_pending_changes             own changes the hub has not acknowledged
//	fieldsync_station_sync_connected              1 while a sync session is up
//	fieldsync_station_last_sync_timestamp_seconds the last successful sync (absent if never)
//	fieldsync_station_sync_error                  1 while the last sync ended in an error
//	fieldsync_station_clock_offset_seconds        the hub's clock minus this PC's, as last measured
//	fieldsync_station_database_bytes, fieldsync_station_wal_bytes
//
// A standalone station (no hub) has only the database's.
func (s *Server) observeMetrics() *metrics.Set {
	set := metrics.NewSet()
	set.RegisterMetricsWriter(func(w io.Writer) {
		if s.sync != nil {
			st := s.sync.Status()
			metrics.WriteGaugeUint64(w, "fieldsync_station_pending_changes", uint64(max(st.PendingUp, 0)))
			metrics.WriteGaugeUint64(w, "fieldsync_station_sync_connected", boolGauge(st.Connected))
			if !st.LastSync.IsZero() {
				metrics.WriteGaugeUint64(w, "fieldsync_station_last_sync_timestamp_seconds", uint64(st.LastSync.Unix()))
			}
			metrics.WriteGaugeUint64(w, "fieldsync_station_sync_error", boolGauge(st.LastError != ""))
			metrics.WriteGaugeFloat64(w, "fieldsync_station_clock_offset_seconds", st.ClockOffset.Seconds())
		}
		ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
		defer cancel()
		size, err := sqlitesize.Of(ctx, s.r.DB())
		if err != nil {
			s.log.Warn("metrics: database size", "err", err)
			return
		}
		metrics.WriteGaugeUint64(w, "fieldsync_station_database_bytes", uint64(size.Main))
		metrics.WriteGaugeUint64(w, "fieldsync_station_wal_bytes", uint64(size.WAL))
	})
	return set
}

func boolGauge(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
