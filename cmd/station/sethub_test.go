package main

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/station"
	"fieldsync/syncproto"
)

// A hub moves to a new address with a new key while a station holds
// changes it could not send: `station set-hub` with the line of `hub
// station code` keeps the station's database, site and unsent changes,
// and it syncs everything, without loss or invented conflicts. Lines of
// another station or deployment, and a serving station, are refused.
func TestSetHubMovedHub(t *testing.T) {
	ctx := t.Context()
	h := hubtest.NewServer(t, "https", hub.Options{})
	e := h.Enroll("白音嘎查")
	codeFile := filepath.Join(t.TempDir(), "code.txt")
	if err := os.WriteFile(codeFile, []byte(e.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "st")
	if _, _, err := runCmd(ctx, "", "init", "--dir", dir, "--enroll-file", codeFile); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	var logs lockedBuffer
	stop := startServe(t, &logs, "serve", "--dir", dir, "--addr", addr)
	api := stationAPI{t: t, base: "http://" + addr}
	waitGet(t, http.DefaultClient, api.base+"/api/sync")
	ids := map[string]string{}
	want := map[string]string{}
	for i, name := range []string{"巴图", "其木格"} {
		ids[name] = api.register(hubtest.IDNumber(i), name)
		want[ids[name]] = name
	}
	api.waitSynced("before the move", func() bool { return hubName(t, h, ids["其木格"]) == "其木格" })

	// The hub goes away; the station goes on working.
	h.Stop()
	ids["乌兰"] = api.register(hubtest.IDNumber(2), "乌兰")
	want[ids["乌兰"]] = "乌兰"
	api.rename(ids["巴图"], "巴图尔")
	want[ids["巴图"]] = "巴图尔"
	if _, m := api.call("GET", "/api/sync", nil); m["pending"] == float64(0) {
		t.Fatalf("no changes pending while the hub is away: %v", m)
	}

	// The hub comes back at a new address with a new key the station
	// never received.
	h.Open()
	if _, err := h.Hub.RotateTLS(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Hub.SwitchTLS(ctx, true); err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(h.Dir, "cert.pem"), filepath.Join(h.Dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	h.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	oldURL := h.URL()
	// Hold the old port while the hub listens again: the system may hand
	// the port just closed out again (seen in CI), and the hub would not
	// have moved.
	if u, err := url.Parse(oldURL); err == nil {
		if hold, err := net.Listen("tcp", u.Host); err == nil {
			defer hold.Close()
		}
	}
	h.Serve("127.0.0.1:0")
	if h.URL() == oldURL {
		t.Fatal("the hub did not move")
	}
	line, err := h.Hub.StationCode(ctx, "白音嘎查")
	if err != nil {
		t.Fatal(err)
	}
	line.HubURL = h.URL()

	if _, _, err := runCmd(ctx, line.String(), "set-hub", "--dir", dir, "--enroll", "-"); !errors.Is(err, station.ErrServing) {
		t.Fatalf("set-hub while serving: %v", err)
	}
	stop()
	other := h.Enroll("红格尔")
	otherKey, _ := ident.NewKey()
	foreign := line
	foreign.Key = otherKey
	for _, tc := range []struct {
		line syncproto.Enrollment
		want []string
	}{
		{other, []string{"红格尔", "白音嘎查"}},
		{foreign, []string{"deployment", "部署"}},
	} {
		_, _, err := runCmd(ctx, tc.line.String(), "set-hub", "--dir", dir, "--enroll", "-")
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("set-hub with %s's line: %v, want it to name %q", tc.line.StationID, err, w)
			}
		}
	}
	before, err := station.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	lineFile := filepath.Join(t.TempDir(), "line.txt")
	if err := os.WriteFile(lineFile, []byte(line.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(ctx, "", "set-hub", "--dir", dir, "--enroll-file", lineFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, h.URL()) {
		t.Errorf("set-hub output does not name the new address:\n%s", out)
	}
	after, err := station.LoadConfig(dir)
	if err != nil || after.Site != before.Site || after.Key != before.Key || after.Name != before.Name {
		t.Fatalf("set-hub changed the station: %+v -> %+v (%v)", before, after, err)
	}

	stop = startServe(t, &logs, "serve", "--dir", dir, "--addr", addr)
	defer stop()
	waitGet(t, http.DefaultClient, api.base+"/api/sync")
	api.waitSynced("after set-hub", func() bool {
		for id, name := range want {
			if hubName(t, h, id) != name {
				return false
			}
		}
		return true
	})
	if n, err := h.Hub.OpenConflictCount(ctx); err != nil || n != 0 {
		t.Fatalf("hub: %d open conflicts (%v), want none", n, err)
	}
	if _, dup := hubtest.OwnChanges(t, h.Hub.Replica(), e.Site); dup != 0 {
		t.Fatalf("the hub logged %d of the station's changes twice", dup)
	}
	st, err := h.Hub.Stations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Name == "白音嘎查" && s.SiteHex != before.Site {
			t.Fatalf("the hub enrolls the station under site %s, want %s", s.SiteHex, before.Site)
		}
	}
}

// The next key's pin the hub publishes reaches station.json, so that the
// station still trusts the hub after a restart and the switch.
func TestServeKeepsPublishedPins(t *testing.T) {
	ctx := t.Context()
	h := hubtest.NewServer(t, "https", hub.Options{})
	e := h.Enroll("白音嘎查")
	st, err := h.Hub.RotateTLS(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(e.Pins, st.Next) {
		t.Fatal("the enrollment was made before the rotation, yet holds the next pin")
	}
	dir := filepath.Join(t.TempDir(), "st")
	if _, _, err := runCmd(ctx, e.String(), "init", "--dir", dir, "--enroll", "-"); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	var logs lockedBuffer
	stop := startServe(t, &logs, "serve", "--dir", dir, "--addr", addr)
	defer stop()
	hubtest.WaitFor(t, 10*time.Second, "station.json to hold the next pin", func() bool {
		cfg, err := station.LoadConfig(dir)
		if err != nil {
			return false
		}
		got, err := syncproto.ParseEnrollment(cfg.Enrollment)
		return err == nil && slices.Contains(got.Pins, st.Next) && slices.Contains(got.Pins, st.Current)
	})
}
