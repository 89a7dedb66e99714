package station

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

func pinnedDir(t *testing.T) (string, syncproto.Enrollment) {
	t.Helper()
	key, err := ident.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	site, err := replica.NewSiteID()
	if err != nil {
		t.Fatal(err)
	}
	e := syncproto.Enrollment{HubURL: "https://old.example:8443", StationID: "白音嘎查", Site: site, Token: "old-token", Key: key,
		CertPin: strings.Repeat("0c", 32)}
	dir := filepath.Join(t.TempDir(), "st")
	if _, err := InitEnrolled(t.Context(), dir, e.String()); err != nil {
		t.Fatal(err)
	}
	return dir, e
}

// The pins the hub publishes are kept in station.json's enrollment, the
// rest of it unchanged.
func TestSaveHubPins(t *testing.T) {
	dir, e := pinnedDir(t)
	before, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	pins := []string{strings.Repeat("ab", 32), strings.Repeat("cd", 32)}
	if err := SaveHubPins(dir, pins); err != nil {
		t.Fatal(err)
	}
	after, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := syncproto.ParseEnrollment(after.Enrollment)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Pins, pins) || got.CertPin != e.CertPin || got.Token != e.Token || got.HubURL != e.HubURL || got.Site != e.Site {
		t.Fatalf("enrollment after saving pins: %+v", got)
	}
	after.Enrollment = before.Enrollment
	if !slices.Equal([]string{after.Name, after.Site, after.Key}, []string{before.Name, before.Site, before.Key}) {
		t.Fatal("saving pins changed the station")
	}
}

// set-hub takes a new line for the same station (new address, pins,
// token) and keeps the station's site and database; it refuses a line of
// another deployment, another station or another site, a standalone
// station, and a station that serves.
func TestSetHub(t *testing.T) {
	dir, e := pinnedDir(t)
	moved := e
	moved.HubURL, moved.Token, moved.CertPin = "https://new.example:9443", "new-token", ""
	moved.Pins = []string{strings.Repeat("ef", 32)}

	otherKey, _ := ident.NewKey()
	otherSite, _ := replica.NewSiteID()
	for name, tc := range map[string]struct {
		line syncproto.Enrollment
		want string
	}{
		"deployment": {func() syncproto.Enrollment { x := moved; x.Key = otherKey; return x }(), "部署"},
		"station":    {func() syncproto.Enrollment { x := moved; x.StationID = "红格尔"; return x }(), "红格尔"},
		"site":       {func() syncproto.Enrollment { x := moved; x.Site = otherSite; return x }(), "hub station code"},
	} {
		if _, err := SetHub(t.Context(), dir, tc.line.String()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %q", name, err, tc.want)
		}
	}
	if _, err := SetHub(t.Context(), dir, "fieldsync1:garbage"); err == nil {
		t.Error("a damaged line accepted")
	}
	unlock, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SetHub(t.Context(), dir, moved.String()); !errors.Is(err, ErrServing) {
		t.Errorf("set-hub while serving: %v", err)
	}
	unlock()
	before, _ := LoadConfig(dir)
	cfg, err := SetHub(t.Context(), dir, moved.String()+"\n")
	if err != nil {
		t.Fatal(err)
	}
	got, err := syncproto.ParseEnrollment(cfg.Enrollment)
	if err != nil {
		t.Fatal(err)
	}
	if got.HubURL != moved.HubURL || got.Token != "new-token" || !slices.Equal(got.Pins, moved.Pins) || got.CertPin != "" ||
		cfg.Site != before.Site || cfg.Key != before.Key || cfg.Name != before.Name {
		t.Fatalf("after set-hub: %+v / %+v", cfg, got)
	}
	if loaded, err := LoadConfig(dir); err != nil || loaded.Enrollment != cfg.Enrollment {
		t.Fatalf("station.json not written: %v", err)
	}

	alone := filepath.Join(t.TempDir(), "alone")
	if _, err := InitStandalone(t.Context(), alone, "单机站"); err != nil {
		t.Fatal(err)
	}
	if _, err := SetHub(t.Context(), alone, moved.String()); err == nil || !strings.Contains(err.Error(), "standalone") {
		t.Errorf("set-hub on a standalone station: %v", err)
	}
}

// After a restore the station has a new site the hub learns at the next
// session; until then the hub's line names the site left, which set-hub
// takes, keeping the station's new site.
func TestSetHubAfterRestore(t *testing.T) {
	dir, e := pinnedDir(t)
	bk := filepath.Join(t.TempDir(), "bk.db")
	if err := BackupDir(t.Context(), dir, bk, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(t.Context(), dir, bk, time.Now()); err != nil {
		t.Fatal(err)
	}
	restored, err := LoadConfig(dir)
	if err != nil || restored.Site == e.Site.String() {
		t.Fatalf("restore kept the site: %v", err)
	}
	line := e // the hub still enrolls the site left
	line.HubURL, line.Token = "https://new.example:9443", "new-token"
	cfg, err := SetHub(t.Context(), dir, line.String())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := syncproto.ParseEnrollment(cfg.Enrollment)
	if cfg.Site != restored.Site || got.Site.String() != restored.Site || got.HubURL != line.HubURL {
		t.Fatalf("after set-hub: site %s, enrollment %+v; want site %s", cfg.Site, got, restored.Site)
	}
}
