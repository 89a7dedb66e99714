package stationweb

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"fieldsync/station"
)

// A restored station says so on its home page and in /api/sync: when, from
// which backup date, the sites, and how many changes the hub had not
// acknowledged when the backup was taken. A station never restored says
// nothing.
func TestRestoredLine(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	if r := b.get("/"); r.status != http.StatusOK || strings.Contains(r.raw, `id="restored"`) {
		t.Fatalf("a station never restored: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/sync", nil); r.body["restored"] != nil {
		t.Fatalf("/api/sync of a station never restored: %v", r.body)
	}
	note := station.RestoreNote{At: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
		BackupAt: time.Date(2026, 11, 29, 1, 30, 0, 0, time.UTC), BackupFile: "bk.db",
		From: "00000000000000aa", To: "00000000000000bb", Unacked: 3}
	v, _ := json.Marshal(note)
	if err := f.r.SetState(t.Context(), "station.restored", v); err != nil {
		t.Fatal(err)
	}
	home := b.get("/").raw
	for _, want := range []string{`id="restored"`, "2026-12-03 08:00", "2026-11-29 09:30", "00000000000000aa", "00000000000000bb", "3 条"} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	r := f.api("GET", "/api/sync", nil)
	got, _ := r.body["restored"].(map[string]any)
	if got == nil || got["from_site"] != "00000000000000aa" || got["to_site"] != "00000000000000bb" || got["unacked"] != float64(3) {
		t.Fatalf("/api/sync: %v", r.body)
	}

	// Once the sync client has asked the hub which of them it lacks and
	// stamped those again: how many, being sent, then sent.
	for _, tc := range []struct {
		resent string
		acked  uint64
		want   string
	}{
		{`{"changes":2,"last_seq":5}`, 4, "2 条备份中未上传的修改正在重新上传"},
		{`{"changes":2,"last_seq":5}`, 5, "2 条备份中未上传的修改已重新上传"},
		{`{"changes":0}`, 0, "备份中未确认的修改县里均已收到"},
		{`{"changes":0,"retried":true}`, 0, "请核对备份日期之前最后录入的记录"},
		{`{"skipped":"the backup's site is not the site left"}`, 0, "请核对备份日期之前最后录入的记录"},
	} {
		if err := f.r.SetState(t.Context(), "sync.restored_resent", []byte(tc.resent)); err != nil {
			t.Fatal(err)
		}
		if err := f.r.SetCursor(t.Context(), "hub-up", tc.acked); err != nil {
			t.Fatal(err)
		}
		if home := b.get("/").raw; !strings.Contains(home, tc.want) {
			t.Errorf("%s, acked %d: the home page lacks %q", tc.resent, tc.acked, tc.want)
		}
	}
}
