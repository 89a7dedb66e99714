package stationweb

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"fieldsync/dbbackup"
	"fieldsync/internal/browsertest"
	"fieldsync/station"
)

// backupFixture is a station that asks staff to log in, with an
// administrator (站长) and a staff member (wang5).
func backupFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, nil)
	users, err := station.LoadUsers(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"站长", "wang5"} {
		if err := users.Set(u, "correct horse"); err != nil {
			t.Fatal(err)
		}
	}
	// A backup holds every record: its administrator also reads the
	// labour-rights cases.
	if err := users.SetRights("站长", true); err != nil {
		t.Fatal(err)
	}
	f.r.Close()
	cfg := f.cfg
	cfg.Admins = []string{"站长"}
	return openFixture(t, f.dir, cfg, func(o *Options) { o.Users = users; o.RequireLogin = true })
}

// waitFile polls dir until it holds one finished file matching pattern.
func waitFile(t *testing.T, dir, pattern string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(m) == 1 {
			if _, err := os.Stat(m[0] + ".crdownload"); os.IsNotExist(err) {
				return m[0]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s in %s: %v", pattern, dir, m)
		}
		time.Sleep(50 * time.Millisecond) // polling the file system, not synchronisation
	}
}

// TestBrowserBackupToUSB: the station administrator's home page offers
// 备份到U盘; its button downloads fieldsync-<站名>-<date>.db, a station
// database that passes dbbackup.Check; on the station PC a folder path
// works too, and a missing folder is named in the error. A staff member
// who is not an administrator sees no button and is refused (403).
func TestBrowserBackupToUSB(t *testing.T) {
	b := browsertest.New(t)
	f := backupFixture(t)
	body, _ := json.Marshal(workerBody(idNumber("19800101", 11)))
	if r := f.apiAs("站长", "POST", "/api/workers", string(body)); r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.raw)
	}
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	downloads := t.TempDir()
	type css = chromedp.CSS
	b.Do(
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
			return err
		}),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(css(`#user`)),
		chromedp.SendKeys(css(`#user`), "站长"),
		chromedp.SendKeys(css(`#password`), "correct horse"),
		chromedp.Submit(css(`#password`)),
		chromedp.WaitVisible(css(`#backup-link`)),
		chromedp.Click(css(`#backup-link`)),
		chromedp.WaitVisible(css(`#backup-download`)),
		chromedp.Click(css(`#backup-download`)),
	)
	got := waitFile(t, downloads, "fieldsync-*.db")
	if name := filepath.Base(got); !strings.HasPrefix(name, "fieldsync-红旗嘎查-") {
		t.Fatalf("downloaded as %s", name)
	}
	if err := dbbackup.Check(t.Context(), got, station.StationTables...); err != nil {
		t.Fatalf("the downloaded backup: %v", err)
	}

	// On the station PC (the test's browser is on loopback): a folder.
	usb := filepath.Join(t.TempDir(), "U盘")
	b.Do(
		chromedp.Navigate(srv.URL+"/backup"),
		chromedp.WaitVisible(css(`#f-folder`)),
		chromedp.SendKeys(css(`#f-folder`), usb),
		chromedp.Click(css(`#backup-folder`)),
		chromedp.WaitVisible(css(`#backup-error`)),
	)
	if msg := b.Get(chromedp.Text(css(`#backup-error`))); !strings.Contains(msg, "文件夹") || !strings.Contains(msg, "不存在") {
		t.Fatalf("missing folder: %q", msg)
	}
	if err := os.Mkdir(usb, 0o700); err != nil {
		t.Fatal(err)
	}
	b.Do(
		chromedp.Click(css(`#backup-folder`)),
		chromedp.WaitVisible(css(`#backup-saved`)),
	)
	saved := waitFile(t, usb, "fieldsync-*.db")
	if err := dbbackup.Check(t.Context(), saved, station.StationTables...); err != nil {
		t.Fatalf("the backup in the folder: %v", err)
	}
	log, err := f.st.AuditLog(t.Context(), 10)
	if err != nil || len(log) != 2 || log[0].Action != station.AuditBackup || log[0].User != "站长" {
		t.Fatalf("audit log %v, %v: want two backups by 站长", log, err)
	}

	// A staff member who is not an administrator.
	b.Do(
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#backup-link`)),
		chromedp.Submit(css(`form[action="/logout"]`)),
		chromedp.WaitVisible(css(`#user`)),
		chromedp.SendKeys(css(`#user`), "wang5"),
		chromedp.SendKeys(css(`#password`), "correct horse"),
		chromedp.Submit(css(`#password`)),
		chromedp.WaitVisible(css(`#pending`)),
	)
	if links := b.Get(chromedp.Evaluate[string](`String(document.querySelectorAll('#backup-link').length)`)); links != "0" {
		t.Fatal("a staff member who is not an administrator sees 备份到U盘")
	}
	staff := f.browser()
	if r := staff.post("/login", url.Values{"user": {"wang5"}, "password": {"correct horse"}}); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	if r := staff.get("/backup"); r.status != http.StatusForbidden {
		t.Fatalf("GET /backup as staff: %d", r.status)
	}
	for _, p := range []string{"/backup/download", "/backup/folder"} {
		if r := staff.post(p, url.Values{"folder": {usb}}); r.status != http.StatusForbidden {
			t.Fatalf("POST %s as staff: %d", p, r.status)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(usb, "*.db")); len(m) != 1 {
		t.Fatalf("staff wrote a backup: %v", m)
	}
}
