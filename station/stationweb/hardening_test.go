package stationweb

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fieldsync/station"
	"fieldsync/webkit"
)

// lockedBuffer is a log destination handlers may write from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func get(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestHostRebindingRefused: a page that rebinds its own name to 127.0.0.1
// reaches the station with its own name in Host; the station refuses it
// and answers only to its own address names.
func TestHostRebindingRefused(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19800101", 11)
	id := f.mustCreate("/api/workers", workerBody(idn))
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, c := range []struct {
		host string
		ok   bool
	}{
		{fmt.Sprintf("rebind.example:%d", port), false},
		{"rebind.example", false},
		{fmt.Sprintf("127.0.0.1:%d", port), true},
		{fmt.Sprintf("localhost:%d", port), true},
		{fmt.Sprintf("127.0.0.1:%d", port+1), false},
	} {
		for _, path := range []string{"/api/workers/" + id, "/workers/" + id, "/gigs/export?format=csv"} {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.Host = c.host
			status, body := get(t, req)
			if c.ok {
				if status != 200 {
					t.Errorf("Host %s %s: %d", c.host, path, status)
				}
				continue
			}
			if (status != http.StatusMisdirectedRequest && status != http.StatusForbidden) || strings.Contains(body, idn) ||
				strings.Contains(body, "巴图") || !strings.Contains(body, "拒绝") {
				t.Errorf("Host %s %s: %d %s", c.host, path, status, body)
			}
		}
	}
}

// TestCrossOriginWriteRefused: a page on another site posting to the
// station (a form or fetch) is refused, whatever its content type.
func TestCrossOriginWriteRefused(t *testing.T) {
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	body := `{"id_number":"` + idNumber("19800101", 11) + `","name":"巴图","phone":"13800138000","ethnicity":"蒙古族",` +
		`"hukou_village":"150421100201","education":"初中","labour_ability":"普通劳动力"}`
	for _, h := range []map[string]string{
		{"Origin": "http://evil.example"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/api/workers", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		if status, b := get(t, req); status != http.StatusForbidden || !strings.Contains(b, "拒绝") {
			t.Errorf("cross-origin POST %v: %d %s", h, status, b)
		}
		form := workerForm(idNumber("19800101", 11))
		req, _ = http.NewRequest("POST", srv.URL+"/workers/new", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		if status, _ := get(t, req); status != http.StatusForbidden {
			t.Errorf("cross-origin form %v: %d", h, status)
		}
	}
	var n int
	if err := f.r.DB().QueryRow(`SELECT count(*) FROM workers`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("workers after cross-origin posts: %d %v", n, err)
	}
	// The station's own pages still post.
	req, _ := http.NewRequest("POST", srv.URL+"/api/workers", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", srv.URL)
	if status, b := get(t, req); status != http.StatusCreated {
		t.Fatalf("same-origin POST: %d %s", status, b)
	}
}

// TestSecurityHeadersOnEveryResponse: pages, static files, API answers and
// errors all carry a CSP that allows only the station's own scripts and
// styles, and forbids framing.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	for _, r := range []resp{
		b.get("/"), b.get("/workers"), b.get("/workers/new"), b.get("/workers/nope"), b.get("/static/style.css"),
		b.get("/static/placepicker.js"), b.get("/login"), b.get("/gigs/export?format=csv"), b.get("/refusals"),
		f.api("GET", "/api/workers", nil), f.api("GET", "/api/nope", nil), f.api("POST", "/api/workers", "{"),
	} {
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%d response: CSP %q", r.status, csp)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%d response: headers %v", r.status, r.header)
		}
	}
	// Nothing inline that the CSP would block. A script of the station's
	// own static folder, loaded by src with nothing inside the tag, is not
	// inline: it is taken out before looking.
	inline := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=|javascript:`)
	ownScript := regexp.MustCompile(`<script src="/static/[a-z]+\.js" defer></script>`)
	err := fs.WalkDir(templateFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templateFS, p)
		if m := inline.Find(ownScript.ReplaceAll(src, nil)); m != nil {
			t.Errorf("%s: inline %q is blocked by the CSP", p, m)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExportNeutralisesFormulas: a value a spreadsheet would run as a
// formula, typed at any station, is exported as text.
func TestExportNeutralisesFormulas(t *testing.T) {
	f := newFixture(t, nil)
	const evil = `=cmd|' /C calc'!A0`
	g := gigBody()
	g["title"] = evil
	g["employer"] = "+1+1"
	f.mustCreate("/api/gigs", g)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	ms := map[string]any{"worker_id": wid, "month": "2026-11", "list_type": "就业", "work_scope": "区外",
		"place": "@SUM(1+1)", "employment_form": "单位", "monthly_income": 3000,
		"verified_by_method": "数据比对", "verified_by": "-2+3", "verified_at": "2026-11-10"}
	if r := f.api("POST", "/api/monthly-status", ms); r.status/100 != 2 {
		t.Fatalf("monthly status: %d %s", r.status, r.raw)
	}
	b := f.browser()
	checkCSV := func(path string, want map[string]bool) {
		t.Helper()
		r := b.get(path)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.raw)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.raw, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Errorf("%s: cell %q runs as a formula", path, cell)
				}
				delete(want, cell)
			}
		}
		for cell := range want {
			t.Errorf("%s: no cell %q", path, cell)
		}
	}
	checkCSV("/gigs/export?format=csv", map[string]bool{"'" + evil: true, "'+1+1": true})
	checkCSV("/lists/export?format=csv&month=2026-11&list=employed",
		map[string]bool{"'@SUM(1+1)": true, "'-2+3": true})
	// The workbook stores such a value as a string, never as a formula.
	r := b.get("/gigs/export?format=xlsx")
	x, err := excelize.OpenReader(strings.NewReader(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetName(0)
	if v, _ := x.GetCellValue(sheet, "A2"); v != evil {
		t.Errorf("xlsx A2 = %q", v)
	}
	if fm, _ := x.GetCellFormula(sheet, "A2"); fm != "" {
		t.Errorf("xlsx A2 holds formula %q", fm)
	}
	if ty, _ := x.GetCellType(sheet, "A2"); ty == excelize.CellTypeFormula {
		t.Errorf("xlsx A2 typed as a formula")
	}
}

// TestAPILockout: guessing a staff password over the basic-auth API locks
// the account; the right password then no longer works, every failure is
// logged with the remote address (never the password), and the log does
// not name an unknown user.
func TestAPILockout(t *testing.T) {
	dir := t.TempDir()
	cfg, err := station.InitStandalone(t.Context(), dir, "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	users, err := station.LoadUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Set("lisi", "correct horse"); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	f := openFixture(t, dir, cfg, func(o *Options) {
		o.Users, o.RequireLogin = users, true
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	try := func(user, pw string) resp {
		req := httptest.NewRequest("GET", "/api/workers", nil)
		req.SetBasicAuth(user, pw)
		return f.serve(req)
	}
	for i := range 30 {
		if r := try("lisi", fmt.Sprintf("guess-%02d", i)); r.status != 401 && r.status != 429 {
			t.Fatalf("guess %d: %d", i, r.status)
		}
	}
	r := try("lisi", "correct horse")
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body["error"].(string), "稍后再试") {
		t.Fatalf("right password after 30 guesses: %d %v", r.status, r.body)
	}
	try("password-typed-as-name", "x")
	out := logs.String()
	if !strings.Contains(out, "login failed") || !strings.Contains(out, "remote=192.0.2.1") || !strings.Contains(out, "via=api") {
		t.Fatalf("failed API logins not logged:\n%s", out)
	}
	if strings.Contains(out, "guess-") || strings.Contains(out, "password-typed-as-name") {
		t.Fatalf("log holds a password or an unknown user name:\n%s", out)
	}
	// Another address is not locked out by this one's failures per address,
	// but the user is: the lock protects the account.
	req := httptest.NewRequest("GET", "/api/workers", nil)
	req.RemoteAddr = "192.0.2.99:1234"
	req.SetBasicAuth("lisi", "correct horse")
	if r := f.serve(req); r.status != http.StatusTooManyRequests {
		t.Fatalf("locked user from another address: %d", r.status)
	}
}

// TestInitMakesDirPrivate: a station directory that existed before init,
// readable by all, is made 0700 and its files 0600.
func TestInitMakesDirPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := filepath.Join(t.TempDir(), "st")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := station.InitStandalone(t.Context(), dir, "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("dir mode %v %v", st.Mode().Perm(), err)
		}
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			st, err := os.Stat(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v", e.Name(), st.Mode().Perm())
			}
		}
	}
	check()
	// Opening it (serve) keeps the -wal and -shm files private too.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := station.OpenReplica(context.Background(), dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.DB().Exec(`SELECT 1`); err != nil {
		t.Fatal(err)
	}
	check()
}

// TestPagesShowShanghaiTime: the last sync time shows in the station's
// zone (Asia/Shanghai by default), not the PC's.
func TestPagesShowShanghaiTime(t *testing.T) {
	src := &stubSync{}
	src.status.Connected = true
	src.status.LastSync = testNow // 09:30 UTC is 17:30 in Shanghai
	f := newFixture(t, func(o *Options) { o.Sync = src })
	if home := f.serve(httptest.NewRequest("GET", "/", nil)); !strings.Contains(home.raw, "2026-11-15 17:30") {
		t.Fatalf("home page does not show the Shanghai time:\n%s", home.raw)
	}
}

// TestBodyReadTimeout: a request whose body trickles in a byte at a time is
// cut once the read timeout has passed.
func TestBodyReadTimeout(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.HTTP.ReadTimeout = 300 * time.Millisecond })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/workers HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", ln.Addr())
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		io.Copy(io.Discard, c) // returns when the station closes the connection
	}()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-closed:
			return
		case <-tick.C:
			c.Write([]byte(" "))
		case <-deadline:
			t.Fatal("a trickling body was not cut")
		}
	}
}

// TestCertificateAndInsecureBanner: a station serving TLS shows its
// certificate's fingerprint for staff to compare; one started with
// --insecure-http warns on its pages.
func TestCertificateAndInsecureBanner(t *testing.T) {
	f := newFixture(t, nil)
	home := f.serve(httptest.NewRequest("GET", "/", nil))
	if strings.Contains(home.raw, `id="fingerprint"`) || strings.Contains(home.raw, `id="insecure-warning"`) {
		t.Fatal("a loopback station shows TLS notes")
	}
	cert, err := station.Certificate(f.dir, testNow)
	if err != nil {
		t.Fatal(err)
	}
	fp := webkit.CertFingerprint(cert)
	g := openFixture(t, t.TempDir(), f.cfg, func(o *Options) { o.TLSFingerprint = fp })
	for _, path := range []string{"/", "/login"} {
		if r := g.serve(httptest.NewRequest("GET", path, nil)); !strings.Contains(r.raw, fp) || !strings.Contains(r.raw, "证书指纹") {
			t.Fatalf("%s does not show the fingerprint:\n%s", path, r.raw)
		}
	}
	h := openFixture(t, t.TempDir(), f.cfg, func(o *Options) { o.InsecureHTTP = true })
	if r := h.serve(httptest.NewRequest("GET", "/", nil)); !strings.Contains(r.raw, `id="insecure-warning"`) ||
		!strings.Contains(r.raw, "不加密") {
		t.Fatalf("no warning on an insecure station:\n%s", r.raw)
	}
}

// TestConfiguredZone: the zone comes from the station's config.
func TestConfiguredZone(t *testing.T) {
	src := &stubSync{}
	src.status.LastSync = testNow
	dir := t.TempDir()
	cfg, err := station.InitStandalone(t.Context(), dir, "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TimeZone = "America/New_York"
	f := openFixture(t, dir, cfg, func(o *Options) { o.Sync = src })
	if home := f.serve(httptest.NewRequest("GET", "/", nil)); !strings.Contains(home.raw, "2026-11-15 04:30") {
		t.Fatalf("home page does not show New York time:\n%s", home.raw)
	}
	cfg.TimeZone = "Mars/Olympus"
	if err := station.SaveConfig(dir, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := station.LoadConfig(dir); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Fatalf("bad zone: %v", err)
	}
}
