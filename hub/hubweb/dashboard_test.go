package hubweb_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/browsertest"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// employed is lists.count.employed of GET /api/dashboard.
func employed(t *testing.T, h *hubtest.AccessServer, month, token string) float64 {
	t.Helper()
	st, body := h.Call("GET", "/api/dashboard?month="+month, token)
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d %v", st, body)
	}
	lists, _ := body["lists"].(map[string]any)
	count, _ := lists["count"].(map[string]any)
	n, ok := count["employed"].(float64)
	if !ok {
		t.Fatalf("dashboard without lists.count.employed: %v", body)
	}
	return n
}

// The dashboard API and the report downloads: refusals, a bad month, and
// figures that follow the hub's data, written at the hub and synced.
func TestDashboardAPI(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	ctx := context.Background()
	const month = "2026-11"
	for _, p := range []string{"/api/dashboard?month=" + month, "/api/report.xlsx?month=" + month, "/api/report.csv?month=" + month} {
		if resp, _ := h.Get(p, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a token: %s", p, resp.Status)
		}
	}
	tok := h.AdminToken("查看员", access.RoleViewer)
	for _, p := range []string{"/api/dashboard?month=2026-13", "/api/dashboard?month=11", "/api/report.xlsx?month=x", "/api/report.csv?month=2026-1"} {
		st, body := h.Call("GET", p, tok)
		if st != http.StatusBadRequest || body["field"] != "month" || body["error"] == "" {
			t.Errorf("%s: %d %v", p, st, body)
		}
	}
	if st, body := h.Call("GET", "/api/report.csv?month="+month+"&sheet=nope", tok); st != http.StatusBadRequest || body["field"] != "sheet" {
		t.Errorf("unknown sheet: %d %v", st, body)
	}
	if n := employed(t, h, month, tok); n != 0 {
		t.Fatalf("empty hub: %v employed", n)
	}

	// Three workers written at the hub: two employed, one unemployed.
	key := h.Hub.Replica().Key()
	var edits []replica.Edit
	var ids []ident.ID
	for i := range 3 {
		w := hubtest.WorkerEdit(key, hubtest.IDNumber(i+1), "工人", "13900000000")
		ids = append(ids, w.Row)
		edits = append(edits, w)
	}
	edits = append(edits, hubtest.StatusEdit(key, ids[0], month, records.ListEmployed),
		hubtest.StatusEdit(key, ids[1], month, records.ListEmployed), hubtest.StatusEdit(key, ids[2], month, records.ListUnemployed))
	if _, err := h.Hub.Write(ctx, edits...); err != nil {
		t.Fatal(err)
	}
	if n := employed(t, h, month, tok); n != 2 {
		t.Fatalf("after writing: %v employed, want 2", n)
	}

	// A station registers a worker, employed this month: the figures follow.
	e := h.Enroll("乌兰花镇站")
	s := hubtest.NewStation(t, e, syncclient.Config{})
	w := hubtest.WorkerEdit(e.Key, hubtest.IDNumber(9), "巴特尔", "13900000009")
	s.Write(w, hubtest.StatusEdit(e.Key, w.Row, month, records.ListEmployed))
	s.Start()
	hubtest.WaitFor(t, 20*time.Second, "the station's worker on the dashboard", func() bool { return employed(t, h, month, tok) == 3 })
	_, body := h.Call("GET", "/api/dashboard?month="+month, tok)
	stations, _ := body["stations"].(map[string]any)
	if rows, _ := stations["stations"].([]any); len(rows) != 1 {
		t.Errorf("dashboard stations: %v", stations)
	}

	resp, b := h.Get("/api/report.xlsx?month="+month, tok)
	// A Chinese name for the download (RFC 6266 filename*), the old ASCII
	// one for clients that take only filename.
	if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != http.StatusOK ||
		!strings.Contains(cd, `filename="report-2026-11.xlsx"`) ||
		!strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("2026年11月就业监测月报.xlsx")) {
		t.Fatalf("report.xlsx: %s %q", resp.Status, cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rows, err := f.GetRows("就业人员清单"); err != nil || len(rows) != 1+3 {
		t.Fatalf("employed sheet: %v, %d rows", err, len(rows))
	}

	resp, b = h.Get("/api/report.csv?month="+month+"&sheet=employed", tok)
	if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != http.StatusOK ||
		!strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("2026年11月就业监测月报-就业人员清单.csv")) {
		t.Fatalf("report.csv: %s %q", resp.Status, cd)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 1+3 {
		t.Fatalf("employed csv: %v, %d records", err, len(recs))
	}
	if resp, _ := h.Get("/api/report.csv?month="+month, tok); resp.StatusCode != http.StatusOK {
		t.Fatalf("summary csv: %s", resp.Status)
	}
}

// The dashboard page renders the month's charts as inline SVG with their
// tables and the known figures; the status page links to it.
func TestDashboardPage(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	const month = "2026-11"
	key := h.Hub.Replica().Key()
	var edits []replica.Edit
	for i := range 4 {
		w := hubtest.WorkerEdit(key, hubtest.IDNumber(i+1), "工人", "13900000000")
		edits = append(edits, w, hubtest.StatusEdit(key, w.Row, month, records.ListEmployed))
	}
	if _, err := h.Hub.Write(context.Background(), edits...); err != nil {
		t.Fatal(err)
	}
	if st, loc, _ := hubtest.Page(t, h.Client(), h.URL()+"/dashboard?month="+month); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("dashboard without a login: %d %q", st, loc)
	}
	c := h.LoggedIn("查看员", access.RoleViewer)
	st, _, body := hubtest.Page(t, c, h.URL()+"/dashboard?month="+month)
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", st, body)
	}
	for _, want := range []string{"<svg", `<span class="dash-card-value">4</span>`, "较上月 &#43;4", `id="chart-lists_change"`,
		"report.xlsx?month=2026-11", "sheet=employed", "</html>",
		`<option value="2026-11" selected>2026年11月</option>`, ">2026年11月就业监测月报.xlsx</a>", ">2026年11月就业监测月报-汇总.csv</a>"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	// The layout's one script file; no script in the page itself (the
	// Content-Security-Policy allows none).
	if strings.Count(body, "<script") != strings.Count(body, `<script src="/static/`) {
		t.Error("dashboard has an inline script")
	}
	if strings.Contains(body, ">summary.csv") || strings.Contains(body, `type="month"`) {
		t.Error("dashboard shows an English download name or the English month input")
	}
	if st, _, body := hubtest.Page(t, c, h.URL()+"/dashboard?month=2026-11&lang=en"); st != http.StatusOK || !strings.Contains(body, "Employment dashboard") ||
		!strings.Contains(body, "on last month") {
		t.Errorf("dashboard in English: %d", st)
	}
	hubtest.Page(t, c, h.URL()+"/dashboard?lang=zh")
	if st, _, body := hubtest.Page(t, c, h.URL()+"/dashboard?month=2026-13"); st != http.StatusBadRequest || !strings.Contains(body, "月份：") || !strings.Contains(body, "YYYY-MM") {
		t.Errorf("bad month: %d", st)
	}
	if st, _, body := hubtest.Page(t, c, h.URL()+"/dashboard?month=2026-11&township=1504"); st != http.StatusBadRequest || !strings.Contains(body, "苏木乡镇：") {
		t.Errorf("bad township: %d", st)
	}
	if _, _, body := hubtest.Page(t, c, h.URL()+"/"); !strings.Contains(body, `href="/dashboard"`) {
		t.Error("status page without a link to the dashboard")
	}
	resp, err := c.Get(h.URL() + "/dashboard/report.csv?month=" + month + "&sheet=employed")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Count(strings.TrimSpace(string(b)), "\n") != 4 {
		t.Fatalf("csv download: %s\n%s", resp.Status, b)
	}
}

// A real browser: from the status page to the dashboard, whose totals, charts
// and tables show the known figures; the month picker changes the month.
func TestBrowserDashboard(t *testing.T) {
	b := browsertest.New(t)
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	key := h.Hub.Replica().Key()
	var edits []replica.Edit
	for i := range 5 {
		w := hubtest.WorkerEdit(key, hubtest.IDNumber(i+1), "工人", "13900000000")
		list := records.ListEmployed
		if i == 4 {
			list = records.ListUnemployed
		}
		edits = append(edits, w, hubtest.StatusEdit(key, w.Row, "2026-11", list))
	}
	if _, err := h.Hub.Write(context.Background(), edits...); err != nil {
		t.Fatal(err)
	}
	h.AddAdmin("alice", access.RoleViewer)
	do, get := b.Do, b.Get
	type css = chromedp.CSS
	do(
		chromedp.Navigate(h.URL()+"/"),
		chromedp.WaitVisible(css(`#password`)),
		chromedp.SendKeys(css(`#user`), "alice"),
		chromedp.SendKeys(css(`#password`), hubtest.Password("alice")),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#dashboard`)),
		chromedp.Navigate(h.URL()+"/dashboard?month=2026-11"),
		chromedp.WaitVisible(css(`#cards`)),
		// The charts are folded: a click opens one.
		chromedp.Click(css(`#chart-lists_change summary`)),
		chromedp.WaitVisible(css(`#chart-lists_change svg`)),
	)
	if text := get(chromedp.Text(css(`#card-employed`))); !strings.Contains(text, "4") || !strings.Contains(text, "+4") {
		t.Fatalf("employed card: %q", text)
	}
	if text := get(chromedp.Text(css(`#card-unemployed`))); !strings.Contains(text, "1") || !strings.Contains(text, "+1") {
		t.Fatalf("unemployed card: %q", text)
	}
	if text := get(chromedp.Text(css(`#chart-lists_change table`))); !strings.Contains(text, "就业") || !strings.Contains(text, "4") {
		t.Fatalf("chart table: %q", text)
	}
	do(
		chromedp.Navigate(h.URL()+"/dashboard?month=2026-10"),
		chromedp.WaitVisible(css(`#cards`)),
	)
	if text := get(chromedp.Text(css(`#card-employed`))); !strings.Contains(text, "0") || !strings.Contains(text, "+0") {
		t.Fatalf("October employed card: %q", text)
	}
}
