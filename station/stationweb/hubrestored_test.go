package stationweb

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// When the station last found the hub restored from a backup (and synced
// again from it) shows on the home page and in /api/sync; never, nothing.
func TestSyncShowsHubRestored(t *testing.T) {
	src := &stubSync{}
	src.status.Connected = true
	g := newFixture(t, func(o *Options) { o.Sync = src })
	if r := g.api("GET", "/api/sync", nil); r.body["hub_restored_at"] != nil {
		t.Fatalf("never restored: %v", r.body)
	}
	if home := g.serve(httptest.NewRequest("GET", "/", nil)); strings.Contains(home.raw, `id="hub-restored"`) {
		t.Fatal("the home page shows a restore that never happened")
	}
	src.status.HubRestoredAt = testNow.Add(-time.Hour)
	if r := g.api("GET", "/api/sync", nil); r.body["hub_restored_at"] != "2026-11-15T08:30:00Z" {
		t.Fatalf("restored: %v", r.body)
	}
	home := g.serve(httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(home.raw, "县级集线器从备份恢复") || !strings.Contains(home.raw, `id="hub-restored"`) {
		t.Fatalf("home page without the restore:\n%s", home.raw)
	}
}
