package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/syncproto"
)

// stationAPI drives a served station's JSON API on loopback.
type stationAPI struct {
	t    *testing.T
	base string
}

func (a stationAPI) call(method, path string, body any) (int, map[string]any) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(res.Body)
	json.Unmarshal(raw, &m)
	if m == nil {
		m = map[string]any{"raw": string(raw)}
	}
	return res.StatusCode, m
}

func (a stationAPI) register(idn, name string) string {
	a.t.Helper()
	code, m := a.call("POST", "/api/workers", map[string]any{"id_number": idn, "name": name, "phone": "13800138000",
		"ethnicity": "汉族", "hukou_village": "150421100201", "education": "初中", "labour_ability": "普通劳动力"})
	if code != http.StatusCreated {
		a.t.Fatalf("register %s: %d %v", name, code, m)
	}
	return m["id"].(string)
}

func (a stationAPI) rename(id, name string) {
	a.t.Helper()
	if code, m := a.call("PATCH", "/api/workers/"+id, map[string]any{"name": name}); code != http.StatusOK {
		a.t.Fatalf("rename %s: %d %v", id, code, m)
	}
}

// name reads a worker's name at the station ("" when it has none).
func (a stationAPI) name(id string) string {
	a.t.Helper()
	code, m := a.call("GET", "/api/workers/"+id, nil)
	if code != http.StatusOK {
		return ""
	}
	s, _ := m["name"].(string)
	return s
}

// waitSynced polls /api/sync until the station is connected with nothing
// pending and ok() holds.
func (a stationAPI) waitSynced(what string, ok func() bool) {
	a.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, m := a.call("GET", "/api/sync", nil)
		if m["connected"] == true && m["pending"] == float64(0) && ok() {
			return
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("%s: not synced: %v", what, m)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not synchronisation
	}
}

func hubName(t *testing.T, h *hubtest.Server, id string) string {
	t.Helper()
	row, err := ident.ParseID(id)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	h.Hub.Replica().DB().QueryRow(`SELECT name FROM workers WHERE id = ?`, row[:]).Scan(&name)
	return name
}

// A station restored from its own backup loses nothing: what it did after
// the backup comes back from the hub, its new edits reach the hub (under a
// new site: the old one's sequence numbers are the hub's acknowledged ones),
// and no conflict is invented on either side.
func TestRestoreFromOwnBackupLosesNothing(t *testing.T) {
	ctx := t.Context()
	h := hubtest.NewServer(t, "http", hub.Options{})
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
	defer stop()
	api := stationAPI{t: t, base: "http://" + addr}
	waitGet(t, http.DefaultClient, api.base+"/api/sync")

	// Before the backup: two workers, one renamed; all at the hub.
	ids := map[string]string{}
	want := map[string]string{}
	for i, name := range []string{"巴图", "其木格"} {
		ids[name] = api.register(hubtest.IDNumber(i), name)
		want[ids[name]] = name
	}
	api.rename(ids["巴图"], "巴图尔")
	want[ids["巴图"]] = "巴图尔"
	api.waitSynced("before the backup", func() bool { return hubName(t, h, ids["巴图"]) == "巴图尔" })

	backup := filepath.Join(t.TempDir(), "usb", "bk.db")
	os.MkdirAll(filepath.Dir(backup), 0o700)
	if out, _, err := runCmd(ctx, "", "backup", "--dir", dir, "--out", backup); err != nil || !strings.Contains(out, backup) {
		t.Fatalf("backup while serving: %v %s", err, out)
	}
	// Restore refuses while the station serves, and changes nothing.
	if _, _, err := runCmd(ctx, "", "restore", "--dir", dir, "--from", backup); !errors.Is(err, station.ErrServing) {
		t.Fatalf("restore while serving: %v", err)
	}

	// After the backup: a new worker, and a rename of one from before; both
	// reach the hub.
	ids["乌兰"] = api.register(hubtest.IDNumber(2), "乌兰")
	want[ids["乌兰"]] = "乌兰"
	api.rename(ids["其木格"], "其木格玛")
	want[ids["其木格"]] = "其木格玛"
	api.waitSynced("after the backup", func() bool {
		return hubName(t, h, ids["乌兰"]) == "乌兰" && hubName(t, h, ids["其木格"]) == "其木格玛"
	})
	stop()

	// The PC's disk fails; the station is restored from the backup.
	out, _, err := runCmd(ctx, "", "restore", "--dir", dir, "--from", backup)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	for _, s := range []string{"已从备份", "restored from", "新站点号", "before-restore-"} {
		if !strings.Contains(out, s) {
			t.Errorf("restore output lacks %q:\n%s", s, out)
		}
	}
	cfg, err := station.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Site == e.Site.String() {
		t.Fatal("the restored station kept its old site")
	}

	stop = startServe(t, &logs, "serve", "--dir", dir, "--addr", addr)
	defer stop()
	waitGet(t, http.DefaultClient, api.base+"/api/sync")
	// Everything it had before the restore is back, what it did after the
	// backup included (from the hub).
	api.waitSynced("after the restore", func() bool {
		for id, name := range want {
			if api.name(id) != name {
				return false
			}
		}
		return true
	})
	// Its new edits reach the hub: a new worker, and a rename of a worker
	// the hub sent back.
	ids["娜仁"] = api.register(hubtest.IDNumber(3), "娜仁")
	want[ids["娜仁"]] = "娜仁"
	api.rename(ids["乌兰"], "乌兰图雅")
	want[ids["乌兰"]] = "乌兰图雅"
	// A worker the backup holds, renamed after the backup (the rename came
	// back from the hub), renamed again: it replaces the hub's value.
	api.rename(ids["其木格"], "其木格娜")
	want[ids["其木格"]] = "其木格娜"
	api.waitSynced("new edits", func() bool {
		return hubName(t, h, ids["娜仁"]) == "娜仁" && hubName(t, h, ids["乌兰"]) == "乌兰图雅" &&
			hubName(t, h, ids["其木格"]) == "其木格娜"
	})
	_, m := api.call("GET", "/api/sync", nil)
	if r, _ := m["restored"].(map[string]any); r == nil || r["from_site"] != e.Site.String() {
		t.Errorf("/api/sync does not show the restore: %v", m)
	}
	if home := waitGet(t, http.DefaultClient, api.base+"/"); !strings.Contains(home, `id="restored"`) ||
		!strings.Contains(home, "从") || !strings.Contains(home, e.Site.String()) {
		t.Errorf("the home page does not show the restore:\n%s", home)
	}
	stop()

	if n, err := h.Hub.OpenConflictCount(ctx); err != nil || n != 0 {
		t.Fatalf("hub: %d open conflicts (%v), want none", n, err)
	}
	st, err := h.Hub.Stations(ctx)
	if err != nil || len(st) != 1 || st[0].SiteHex != cfg.Site {
		t.Fatalf("hub enrolls %v (%v), want site %s", st, err, cfg.Site)
	}
	r, err := station.OpenReplica(ctx, dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for id, name := range want {
		row, _ := ident.ParseID(id)
		heads, err := r.Heads(ctx, records.Workers, row)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range heads {
			if c.Conflict {
				t.Errorf("station: %s column %s in conflict", name, c.Column)
			}
		}
		if got := hubName(t, h, id); got != name {
			t.Errorf("hub has %q, want %q", got, name)
		}
	}
	if n, err := r.CountSince(ctx, 0, replica.SiteID(0)); err != nil || n == 0 {
		t.Fatalf("log: %d %v", n, err)
	}
}

// A station restored on a new PC takes over from the backup alone (it
// carries the settings); the old PC, back online, is refused by the hub:
// its site was left, and nothing it writes reaches the county.
func TestRestoreOnNewPCOldPCRefused(t *testing.T) {
	ctx := t.Context()
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("白音嘎查")
	codeFile := filepath.Join(t.TempDir(), "code.txt")
	if err := os.WriteFile(codeFile, []byte(e.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	oldDir := filepath.Join(t.TempDir(), "old-pc")
	if _, _, err := runCmd(ctx, "", "init", "--dir", oldDir, "--enroll-file", codeFile); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	oldAddr := freeAddr(t)
	stop := startServe(t, &logs, "serve", "--dir", oldDir, "--addr", oldAddr)
	oldAPI := stationAPI{t: t, base: "http://" + oldAddr}
	waitGet(t, http.DefaultClient, oldAPI.base+"/api/sync")
	want := map[string]string{}
	for i, name := range []string{"巴图", "其木格"} {
		want[oldAPI.register(hubtest.IDNumber(i), name)] = name
	}
	oldAPI.waitSynced("before the backup", func() bool { return true })
	backup := filepath.Join(t.TempDir(), "bk.db")
	if _, _, err := runCmd(ctx, "", "backup", "--dir", oldDir, "--out", backup); err != nil {
		t.Fatal(err)
	}
	id := oldAPI.register(hubtest.IDNumber(2), "乌兰")
	want[id] = "乌兰"
	oldAPI.waitSynced("after the backup", func() bool { return hubName(t, h, id) == "乌兰" })
	stop()

	newDir := filepath.Join(t.TempDir(), "new-pc")
	if out, _, err := runCmd(ctx, "", "restore", "--dir", newDir, "--from", backup); err != nil {
		t.Fatalf("restore on a new PC: %v %s", err, out)
	}
	newAddr := freeAddr(t)
	stopNew := startServe(t, &logs, "serve", "--dir", newDir, "--addr", newAddr)
	defer stopNew()
	newAPI := stationAPI{t: t, base: "http://" + newAddr}
	waitGet(t, http.DefaultClient, newAPI.base+"/api/sync")
	newAPI.waitSynced("on the new PC", func() bool {
		for id, name := range want {
			if newAPI.name(id) != name {
				return false
			}
		}
		return true
	})

	// The old PC comes back.
	stopOld := startServe(t, &logs, "serve", "--dir", oldDir, "--addr", oldAddr)
	defer stopOld()
	waitGet(t, http.DefaultClient, oldAPI.base+"/api/sync")
	stray := oldAPI.register(hubtest.IDNumber(4), "旧电脑")
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, m := oldAPI.call("GET", "/api/sync", nil)
		if msg, _ := m["last_error"].(string); strings.Contains(msg, "re-enroll") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the old PC was not refused: %v", m)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not synchronisation
	}
	if hubName(t, h, stray) != "" {
		t.Fatal("the old PC's edit reached the hub under the site the station left")
	}
}

// restoredStation is a station enrolled at a hub that went out of reach
// after its first sync; what it records while the hub is away is in its
// backup, unacknowledged.
type restoredStation struct {
	t       *testing.T
	h       *hubtest.Server
	hubAddr string
	e       syncproto.Enrollment
	dir     string
	api     stationAPI
	stop    func()
	logs    *lockedBuffer
	backup  string
	before  string // a worker the hub acknowledged before the backup
}

// newOfflineStation starts a station, syncs a first worker, and takes the
// hub down.
func newOfflineStation(t *testing.T) *restoredStation {
	ctx := t.Context()
	s := &restoredStation{t: t, h: hubtest.NewServer(t, "http", hub.Options{}), logs: &lockedBuffer{}}
	s.e = s.h.Enroll("白音嘎查")
	codeFile := filepath.Join(t.TempDir(), "code.txt")
	if err := os.WriteFile(codeFile, []byte(s.e.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	s.dir = filepath.Join(t.TempDir(), "old-pc")
	if _, _, err := runCmd(ctx, "", "init", "--dir", s.dir, "--enroll-file", codeFile); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	s.stop = startServe(t, s.logs, "serve", "--dir", s.dir, "--addr", addr)
	t.Cleanup(s.stop)
	s.api = stationAPI{t: t, base: "http://" + addr}
	waitGet(t, http.DefaultClient, s.api.base+"/api/sync")
	s.before = s.api.register(hubtest.IDNumber(0), "巴图")
	s.api.waitSynced("first sync", func() bool { return hubName(t, s.h, s.before) == "巴图" })
	s.hubAddr = s.h.Addr
	s.h.Stop()
	return s
}

func (s *restoredStation) takeBackup() {
	s.t.Helper()
	s.backup = filepath.Join(s.t.TempDir(), "usb", "bk.db")
	os.MkdirAll(filepath.Dir(s.backup), 0o700)
	if _, _, err := runCmd(s.t.Context(), "", "backup", "--dir", s.dir, "--out", s.backup); err != nil {
		s.t.Fatal(err)
	}
}

func (s *restoredStation) hubUp() {
	s.h.Open()
	s.h.Serve(s.hubAddr)
}

// restoreOnNewPC restores the backup into a new directory and serves it.
func (s *restoredStation) restoreOnNewPC() (stationAPI, station.Config) {
	t := s.t
	dir := filepath.Join(t.TempDir(), "new-pc")
	if out, _, err := runCmd(t.Context(), "", "restore", "--dir", dir, "--from", s.backup); err != nil {
		t.Fatalf("restore on a new PC: %v %s", err, out)
	}
	cfg, err := station.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	stop := startServe(t, s.logs, "serve", "--dir", dir, "--addr", addr)
	t.Cleanup(stop)
	api := stationAPI{t: t, base: "http://" + addr}
	waitGet(t, http.DefaultClient, api.base+"/api/sync")
	return api, cfg
}

// noConflicts checks that neither the hub nor the station has a column in
// conflict for the workers, and returns the sites of the hub's heads of
// each worker.
func (s *restoredStation) noConflicts(api stationAPI, ids ...string) map[string][]string {
	t := s.t
	if n, err := s.h.Hub.OpenConflictCount(t.Context()); err != nil || n != 0 {
		t.Errorf("hub: %d open conflicts (%v), want none", n, err)
	}
	sites := map[string][]string{}
	for _, id := range ids {
		row, err := ident.ParseID(id)
		if err != nil {
			t.Fatal(err)
		}
		heads, err := s.h.Hub.Replica().Heads(t.Context(), records.Workers, row)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range heads {
			if c.Conflict {
				t.Errorf("hub: worker %s column %s in conflict: %v", id, c.Column, c.Heads)
			}
			for _, hd := range c.Heads {
				sites[id] = append(sites[id], hd.Version.Site.String())
			}
		}
		_, m := api.call("GET", "/api/workers/"+id, nil)
		if conf, _ := m["conflicts"].(map[string]any); len(conf) > 0 {
			t.Errorf("station: worker %s in conflict: %v", id, conf)
		}
	}
	return sites
}

// A station restored from its own backup sends the changes only the backup
// holds: the hub was out of reach when worker X was registered, the backup
// was taken, and the PC died before the hub was back. X reaches the hub
// from the restored station, as a change of its new site, with no conflict.
func TestRestoreResendsChangesOnlyTheBackupHolds(t *testing.T) {
	s := newOfflineStation(t)
	x := s.api.register(hubtest.IDNumber(1), "乌兰")
	s.takeBackup()
	s.stop() // the PC dies with the hub still out of reach

	api, cfg := s.restoreOnNewPC()
	// While the hub is out of reach, nothing is sent and nothing is lost:
	// X shows as pending.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, m := api.call("GET", "/api/sync", nil)
		// (巴图 too, when the hub's ack of it had not reached the station
		// before the hub went away.)
		if e, _ := m["last_error"].(string); e != "" && m["pending"].(float64) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restored station does not say the hub is out of reach: %v", m)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not synchronisation
	}
	s.hubUp()
	api.waitSynced("after the restore", func() bool {
		return hubName(t, s.h, x) == "乌兰" && api.name(x) == "乌兰" && api.name(s.before) == "巴图"
	})
	sites := s.noConflicts(api, x, s.before)
	if !slices.Contains(sites[x], cfg.Site) {
		t.Errorf("X's heads at the hub are of sites %v, want the new site %s among them", sites[x], cfg.Site)
	}
	if slices.Contains(sites[s.before], cfg.Site) {
		t.Errorf("a worker the hub acknowledged before the backup was stamped again: sites %v", sites[s.before])
	}
	_, m := api.call("GET", "/api/sync", nil)
	r, _ := m["restored"].(map[string]any)
	resent, _ := r["resent"].(map[string]any)
	n, _ := resent["changes"].(float64)
	if n == 0 || resent["sent"] != true {
		t.Fatalf("/api/sync does not show the changes sent again: %v", m["restored"])
	}
	home := waitGet(t, http.DefaultClient, api.base+"/")
	if want := fmt.Sprintf("%d 条备份中未上传的修改已重新上传", int(n)); !strings.Contains(home, want) {
		t.Errorf("the home page lacks %q:\n%s", want, home)
	}
}

// The changes the hub received after the backup are not stamped again: X,
// in the backup unacknowledged, reached the hub after the backup and was
// renamed there (the rename reached the hub too) before the PC died. After
// the restore the rename shows at the station and the hub, X keeps the old
// site's versions, and nothing is in conflict.
func TestRestoreDoesNotResendWhatTheHubReceivedAfterTheBackup(t *testing.T) {
	s := newOfflineStation(t)
	x := s.api.register(hubtest.IDNumber(1), "乌兰")
	s.takeBackup()
	s.hubUp()
	s.api.waitSynced("X after the backup", func() bool { return hubName(t, s.h, x) == "乌兰" })
	s.api.rename(x, "乌兰图雅")
	s.api.waitSynced("the rename", func() bool { return hubName(t, s.h, x) == "乌兰图雅" })
	s.stop()

	api, cfg := s.restoreOnNewPC()
	api.waitSynced("after the restore", func() bool {
		return api.name(x) == "乌兰图雅" && api.name(s.before) == "巴图"
	})
	// The re-send has run (the session that moved the station follows it).
	_, m := api.call("GET", "/api/sync", nil)
	r, _ := m["restored"].(map[string]any)
	resent, _ := r["resent"].(map[string]any)
	if resent == nil || resent["changes"] != float64(0) {
		t.Fatalf("/api/sync: want the re-send done with nothing stamped again: %v", m["restored"])
	}
	if got := hubName(t, s.h, x); got != "乌兰图雅" {
		t.Fatalf("hub has %q", got)
	}
	sites := s.noConflicts(api, x, s.before)
	if slices.Contains(sites[x], cfg.Site) {
		t.Errorf("X was stamped again: its heads at the hub are of sites %v", sites[x])
	}
	home := waitGet(t, http.DefaultClient, api.base+"/")
	if !strings.Contains(home, "备份中未确认的修改县里均已收到") {
		t.Errorf("the home page does not say the hub had every change:\n%s", home)
	}
}
