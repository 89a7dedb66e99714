package stationweb

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fieldsync/station"
)

// Oversized bodies and deeply nested JSON get a clear 4xx with an error
// message, on every JSON endpoint that takes a body; the station keeps
// serving.
func TestHostileJSONBodies(t *testing.T) {
	f := newFixture(t, nil)
	id := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	bodies := map[string]string{
		"oversized":     `{"name":"` + strings.Repeat("a", 12<<20) + `"}`,
		"nested object": strings.Repeat(`{"a":`, 200_000) + "1" + strings.Repeat("}", 200_000),
		"nested array":  `{"tags":` + strings.Repeat("[", 500_000) + strings.Repeat("]", 500_000) + `}`,
		"unterminated":  strings.Repeat("[", 1_000_000),
		"binary":        "\x00\xff\xfe\x1f<script>",
	}
	endpoints := []struct{ method, path string }{
		{"POST", "/api/workers"}, {"PATCH", "/api/workers/" + id}, {"POST", "/api/monthly-status"},
		{"POST", "/api/unemployment-registrations"}, {"POST", "/api/jobseeker-registrations"},
		{"POST", "/api/followups"}, {"POST", "/api/gigs"}, {"POST", "/api/placements"},
	}
	for _, ep := range endpoints {
		for name, body := range bodies {
			r := f.api(ep.method, ep.path, body)
			if r.status < 400 || r.status >= 500 || r.body["error"] == nil || r.body["error"] == "" {
				t.Errorf("%s %s with %s: %d %.200s, want a 4xx with an error", ep.method, ep.path, name, r.status, r.raw)
			}
		}
	}
	if r := f.api("GET", "/api/workers/"+id, nil); r.status != http.StatusOK {
		t.Fatalf("station broken after hostile bodies: %d", r.status)
	}
}

// Hostile strings: SQL, HTML, control characters, invalid UTF-8, very long
// values. Each is either stored and read back unchanged, or refused with a
// 400 naming the field; and whatever is stored renders escaped.
func TestHostileStringsRoundTrip(t *testing.T) {
	f := newFixture(t, nil)
	values := []string{
		`'); DROP TABLE workers; --`,
		`" OR 1=1 --`,
		`<script>alert("x")</script>`,
		`<img src=x onerror=alert(1)>`,
		"tab\there\nnew line\r\n",
		"nul\x00byte",
		"bell\x07esc\x1b[31m",
		"\u202eRTL override",
		"emoji 🐑 and 𠀀",
		strings.Repeat("长", 2000),
		strings.Repeat("长", 2001),
		// Invalid UTF-8: see regress_invalid_utf8_replaced_test.go.
	}
	for i, v := range values {
		want := strings.TrimSpace(v) // fields are trimmed, by design
		body := workerBody(idNumber("19800101", 100+i))
		body["notes"] = v
		r := f.api("POST", "/api/workers", body)
		switch r.status {
		case http.StatusCreated:
			id := r.body["id"].(string)
			g := f.api("GET", "/api/workers/"+id, nil)
			if got := g.body["notes"]; got != want {
				t.Errorf("value %d: stored %q, read back %q", i, v, got)
			}
			var stored string
			if err := f.r.DB().QueryRow(`SELECT notes FROM workers WHERE id = ?`, mustID(t, id)).Scan(&stored); err != nil || stored != want {
				t.Errorf("value %d: the replica holds %q (%v), want %q", i, stored, err, want)
			}
			page := f.api("GET", "/workers/"+id, nil)
			if strings.Contains(page.raw, "<script>alert") || strings.Contains(page.raw, "<img src=x") {
				t.Errorf("value %d: rendered unescaped in the worker page", i)
			}
			list := f.api("GET", "/workers", nil)
			if strings.Contains(list.raw, "<script>alert") || strings.Contains(list.raw, "<img src=x") {
				t.Errorf("value %d: rendered unescaped in the worker list", i)
			}
		case http.StatusBadRequest:
			if r.body["field"] != "notes" {
				t.Errorf("value %d refused without naming the field: %s", i, r.raw)
			}
		default:
			t.Errorf("value %d: %d %s", i, r.status, r.raw)
		}
	}
}

// The disk fills up under the station (a file-size limit on a child
// process, SIGXFSZ ignored, as a full disk answers EFBIG/ENOSPC): writes fail
// with a clear error, nothing is corrupted, and with the limit lifted the
// same directory takes writes again.
func TestHostileDiskFull(t *testing.T) {
	if !fileSizeLimitWorks {
		t.Skip("fills the disk with a Unix file-size limit")
	}
	if os.Getenv("FIELDSYNC_DISKFULL_CHILD") != "" {
		diskFullChild(t)
		return
	}
	dir := t.TempDir()
	cfg, err := station.InitStandalone(context.Background(), dir, "满盘嘎查")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestHostileDiskFull$", "-test.v")
	cmd.Env = append(os.Environ(), "FIELDSYNC_DISKFULL_CHILD="+dir)
	out, _ := cmd.CombinedOutput()
	s := string(out)
	var written int
	if _, err := fmt.Sscanf(s[strings.Index(s, "WRITTEN=")+len("WRITTEN="):], "%d", &written); err != nil || !strings.Contains(s, "WRITTEN=") {
		t.Fatalf("child: %s", s)
	}
	if !strings.Contains(s, "REFUSED=") {
		t.Fatalf("the child never hit the limit: %s", s)
	}
	refusal := s[strings.Index(s, "REFUSED="):]
	refusal = refusal[:strings.IndexByte(refusal, '\n')]
	t.Logf("after %d workers: %s", written, refusal)
	if !strings.Contains(refusal, "status=5") && !strings.Contains(refusal, "status=4") {
		t.Fatalf("the full disk was not reported as an error: %s", refusal)
	}
	// Reported as what it is, not as an internal error: in the API, in the
	// web UI's error page, and in the log.
	if !strings.Contains(refusal, "status=507") || !strings.Contains(refusal, "磁盘已满") {
		t.Errorf("the API did not say the disk is full: %s", refusal)
	}
	if !strings.Contains(s, "WEB=status=507") || !strings.Contains(s[strings.Index(s, "WEB="):], "磁盘已满") {
		t.Errorf("the web UI did not say the disk is full: %s", s)
	}
	if !strings.Contains(s, "LOG=") || !strings.Contains(s, "problem=disk_full") {
		t.Errorf("the full disk was not logged as such: %s", s)
	}
	// Reopen without the limit: intact, every acknowledged worker there,
	// and writes resume.
	f := openFixture(t, dir, cfg, nil)
	var check string
	if err := f.r.DB().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	var n int
	if err := f.r.DB().QueryRow(`SELECT count(*) FROM workers`).Scan(&n); err != nil || n < written {
		t.Fatalf("%d workers after the disk filled, %d acknowledged (%v)", n, written, err)
	}
	f.mustCreate("/api/workers", workerBody(idNumber("19900101", 999)))
}

// diskFullChild writes workers under a small file-size limit until refused.
func diskFullChild(t *testing.T) {
	dir := os.Getenv("FIELDSYNC_DISKFULL_CHILD")
	cfg, err := station.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, _ error) error {
		if fi != nil && fi.Size() > size {
			size = fi.Size()
		}
		return nil
	})
	// Ignore SIGXFSZ so that the write fails with EFBIG instead of killing us.
	signalIgnoreXFSZ()
	lim := uint64(size + 256<<10)
	if err := limitFileSize(lim); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	var logBuf bytes.Buffer
	f := openFixture(t, dir, cfg, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logBuf, nil)) })
	written := 0
	for i := range 20000 {
		body := workerBody(idNumber(fmt.Sprintf("19%02d0101", 50+i%50), i))
		body["notes"] = strings.Repeat("满", 1000)
		body["name"] = fmt.Sprintf("满盘%d", i)
		r := f.api("POST", "/api/workers", body)
		if r.status == http.StatusCreated {
			written++
			continue
		}
		if r.status == http.StatusConflict {
			continue
		}
		fmt.Printf("WRITTEN=%d\nREFUSED=status=%d %s\n", written, r.status, strings.TrimSpace(r.raw))
		// The same through the web UI, with the disk still full.
		form := workerForm(idNumber("19450101", 1))
		form.Set("notes", strings.Repeat("满", 1000))
		wr := f.browser().post("/workers/new", form)
		fmt.Printf("WEB=status=%d %s\n", wr.status, strings.Join(strings.Fields(wr.raw), " "))
		fmt.Printf("LOG=%s\n", strings.ReplaceAll(logBuf.String(), "\n", " | "))
		return
	}
	fmt.Printf("WRITTEN=%d\n", written)
}

// A read-only database file: opening the station or writing to it fails
// with an error that names the problem, not a crash.
func TestHostileReadOnlyDatabase(t *testing.T) {
	dir := t.TempDir()
	cfg, err := station.InitStandalone(context.Background(), dir, "只读嘎查")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, station.DBFile)
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// Root ignores permission bits: make the file immutable instead.
		if out, err := exec.Command("chattr", "+i", db).CombinedOutput(); err != nil {
			t.Skipf("running as root and chattr +i is unavailable (%v: %s): cannot make a read-only file", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("chattr", "-i", db).Run() })
	}
	r, err := station.OpenReplica(context.Background(), dir, cfg, nil)
	if err != nil {
		if !strings.Contains(strings.ToLower(err.Error()), "read") && !strings.Contains(err.Error(), "permission") {
			t.Fatalf("opening a read-only database: unclear error %q", err)
		}
		t.Logf("open refused: %v", err)
		return
	}
	defer r.Close()
	s, err := serverFor(r, cfg, nil, Options{})
	if err != nil {
		t.Fatalf("station: %v", err)
	}
	f := &fixture{t: t, dir: dir, cfg: cfg, r: r, st: s.Station(), s: s, h: s.Handler()}
	res := f.api("POST", "/api/workers", workerBody(idNumber("19800101", 11)))
	if res.status < 400 || res.body["error"] == nil {
		t.Fatalf("write to a read-only database: %d %s", res.status, res.raw)
	}
	t.Logf("write refused: %d %s", res.status, res.raw)
	if res.status != http.StatusServiceUnavailable || !strings.Contains(res.body["error"].(string), "数据库只读") {
		t.Errorf("the API did not say the database is read-only: %d %s", res.status, res.raw)
	}
	page := f.browser().post("/workers/new", workerForm(idNumber("19800101", 13)))
	if page.status != http.StatusServiceUnavailable || !strings.Contains(page.raw, "数据库只读") {
		t.Errorf("the web UI did not say the database is read-only: %d %.300s", page.status, page.raw)
	}
}
