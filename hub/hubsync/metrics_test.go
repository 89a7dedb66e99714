package hubsync_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// metricValue is the value of the series named (labels included) in a
// Prometheus text, and whether it is there.
func metricValue(text, series string) (float64, bool) {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}

// The sessions count what they do where they do it, and a scrape reads the
// stations' state: the series name enrolled stations only.
func TestSessionMetrics(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	m := h.Sync.Metrics()
	scrape := func() string {
		t.Helper()
		var buf bytes.Buffer
		if err := m.WritePrometheus(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	a := hubtest.NewStation(t, h.Enroll("甲站"), syncclient.Config{})
	h.Enroll("乙站")
	const n = 3
	edits := make([]replica.Edit, n)
	for i := range edits {
		edits[i] = hubtest.WorkerEdit(a.Rep.Key(), hubtest.IDNumber(i), "工人"+strconv.Itoa(i), "13800000000")
	}
	a.Write(edits...)
	a.Start()
	hubtest.WaitFor(t, 20*time.Second, "the station's changes applied", func() bool {
		v, _ := metricValue(scrape(), "fieldsync_hub_changes_applied_total")
		return v >= n
	})
	text := scrape()
	for series, want := range map[string]float64{
		"fieldsync_hub_sessions_connected":           1,
		`fieldsync_hub_station_online{station="甲站"}`: 1,
		`fieldsync_hub_station_online{station="乙站"}`: 0,
	} {
		if v, ok := metricValue(text, series); !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v\n%s", series, v, ok, want, text)
		}
	}
	for _, series := range []string{"fieldsync_hub_received_bytes_total", "fieldsync_hub_sent_bytes_total",
		"fieldsync_hub_apply_seconds_count", "fieldsync_hub_batch_changes_count", "fieldsync_hub_database_bytes",
		`fieldsync_hub_station_last_contact_timestamp_seconds{station="甲站"}`} {
		if v, ok := metricValue(text, series); !ok || v <= 0 {
			t.Errorf("%s = %v (present %v), want > 0\n%s", series, v, ok, text)
		}
	}
	if _, ok := metricValue(text, `fieldsync_hub_station_pending_down_changes{station="甲站"}`); !ok {
		t.Errorf("no lag for the connected station:\n%s", text)
	}
	if strings.Contains(text, "工人") || strings.Contains(text, hubtest.IDNumber(0)) {
		t.Errorf("metrics hold personal data:\n%s", text)
	}
	if err := h.Hub.RevokeStation(context.Background(), "乙站"); err != nil {
		t.Fatal(err)
	}
	if text := scrape(); strings.Contains(text, "乙站") {
		t.Errorf("a revoked station keeps its series:\n%s", text)
	}
}
