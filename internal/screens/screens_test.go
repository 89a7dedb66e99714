package screens_test

import (
	"bytes"
	"context"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/chromium"
	"fieldsync/internal/hubtest"
	"fieldsync/internal/screens"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/station/stationweb"
	"fieldsync/syncclient"
)

// needChromium skips the test without Chromium, except under CI=true,
// where a missing browser is a failure (as internal/browsertest does).
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromium.Path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required on CI: %v", err)
		}
		t.Skipf("chromium not installed (%v): apt-get install chromium", err)
	}
}

// A real hub (two stations, a field conflict between them, an owner) and a
// real station with a sample of people, households, gigs and three months
// of history: every page of both lists is shot as a 1366×768 PNG, and the
// crawl finds no nav link missing from the lists.
//
// Then the run fails, naming them, on a page answering an error and on a
// nav link to a page the list forgot (here: the hub's list without
// /requests, /dashboard, /conflicts, /stations), and still saves the pages
// it could.
func TestScreens(t *testing.T) {
	needChromium(t)
	hubURL := demoHub(t)
	t.Run("every page", func(t *testing.T) { everyPageShot(t, hubURL) })
	t.Run("forgotten and broken pages named", func(t *testing.T) { forgottenAndBrokenNamed(t, hubURL) })
}

func everyPageShot(t *testing.T, hubURL string) {
	stationURL := demoStation(t, "乌兰嘎查服务站")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	shots, err := screens.Run(ctx, screens.Options{Dir: dir},
		screens.Hub(hubURL, "admin", hubtest.Password("admin")),
		screens.Station("乌兰嘎查服务站", stationURL))
	if err != nil {
		t.Fatalf("screens: %v", err)
	}
	want := len(screens.HubPages) + len(screens.StationPages)
	if len(shots) != want {
		t.Fatalf("%d screenshots, want %d (one a page)", len(shots), want)
	}
	for _, sites := range []struct {
		label string
		pages []screens.Page
	}{{"hub", screens.HubPages}, {"station-乌兰嘎查服务站", screens.StationPages}} {
		for _, p := range sites.pages {
			i := slices.IndexFunc(shots, func(s screens.Shot) bool { return s.Site == sites.label && s.Page == p.Name })
			if i < 0 {
				t.Errorf("%s: no screenshot of %s", sites.label, p.Name)
				continue
			}
			file := shots[i].File
			if !strings.HasPrefix(filepath.Base(file), sites.label+"-") || !strings.HasSuffix(file, "-"+p.Name+".png") {
				t.Errorf("%s %s: file %s does not say what it is", sites.label, p.Name, file)
			}
			checkPNG(t, file)
		}
	}
}

func forgottenAndBrokenNamed(t *testing.T, hubURL string) {
	site := screens.Hub(hubURL, "admin", hubtest.Password("admin"))
	site.Pages = []screens.Page{
		{Name: "login", Path: "/login"},
		{Name: "status", Path: "/"},
		{Name: "workers", Path: "/workers"},
		{Name: "broken", Path: "/no-such-page"},
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	shots, err := screens.Run(ctx, screens.Options{Dir: t.TempDir()}, site)
	if err == nil {
		t.Fatal("no error for a forgotten page and a page answering 404")
	}
	for _, want := range []string{"nav link /requests", "nav link /dashboard", "page broken (/no-such-page)", "HTTP 404"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q:\n%v", want, err)
		}
	}
	if len(shots) != 3 {
		t.Errorf("%d pages saved, want the 3 that answered", len(shots))
	}
}

// checkPNG decodes file and checks the screen's size.
func checkPNG(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Error(err)
		return
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return
	}
	if cfg.Width != screens.Width || cfg.Height != screens.Height {
		t.Errorf("%s: %d×%d, want %d×%d", file, cfg.Width, cfg.Height, screens.Width, screens.Height)
	}
}

// demoHub is a hub with an owner "admin" and two stations that registered
// the same person offline with different phones (a field conflict).
func demoHub(t *testing.T) string {
	t.Helper()
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	h.AddAdmin("admin", access.RoleOwner)
	ea, eb := h.Enroll("乌兰嘎查服务站"), h.Enroll("红格尔嘎查服务站")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	shared := hubtest.IDNumber(21)
	a.Write(hubtest.WorkerEdit(ea.Key, shared, "娜仁", "13500000001"))
	b.Write(hubtest.WorkerEdit(eb.Key, shared, "娜仁", "13500000002"))
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "both stations to converge", func() bool {
		return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	return h.URL()
}

// demoStation is a standalone station named name with sample people,
// households, gigs and three months of their history, served on 127.0.0.1.
func demoStation(t *testing.T, name string) string {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	cfg, err := station.InitStandalone(ctx, dir, name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := station.OpenReplica(ctx, dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	st, err := station.New(station.Options{Replica: r, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	now := st.Now().In(st.Zone())
	workers := sample.Workers(40, 1, r.Key(), name)
	households, err := sample.Households(workers, 1, r.Key(), name)
	if err != nil {
		t.Fatal(err)
	}
	gigs := sample.Gigs(10, 3, now, name)
	var slots []sample.GigSlot
	for _, g := range gigs {
		slots = append(slots, sample.GigSlot{ID: g.Row, Free: 2})
	}
	history, err := sample.History(workers, 1, sample.HistoryOptions{Months: 3, Now: now, Station: name, Key: r.Key(), Gigs: slots})
	if err != nil {
		t.Fatal(err)
	}
	edits := slices.Concat(workers, households, gigs, history)
	for i := 0; i < len(edits); i += 500 {
		if _, err := r.Write(ctx, edits[i:min(i+500, len(edits))]...); err != nil {
			t.Fatalf("sample at the station: %v", err)
		}
	}
	if n := countRows(t, r, records.Workers); n != len(workers) {
		t.Fatalf("station holds %d workers, want %d", n, len(workers))
	}
	s, err := stationweb.New(stationweb.Options{Station: st})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func countRows(t *testing.T, r *replica.Replica, table string) int {
	t.Helper()
	var n int
	if err := r.DB().QueryRowContext(t.Context(), "SELECT count(*) FROM "+table+" WHERE fs_deleted = 0").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
