package hubweb_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/browsertest"
	"fieldsync/internal/hubtest"
	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// enrollAt enrols a station in the village with code, for a session to the
// test's hub.
func enrollAt(t *testing.T, h *hubtest.AccessServer, name, code string) syncproto.Enrollment {
	t.Helper()
	e, err := h.Hub.AddStation(context.Background(), name, code, false)
	if err != nil {
		t.Fatal(err)
	}
	e.HubURL = h.URL()
	return e
}

// pageText is a page's text as a reader sees it: without tags (and so
// without the codes a place's tooltip holds).
func pageText(body string) string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " "))
}

// twelveDigits is a division code as a page must not show it.
var twelveDigits = regexp.MustCompile(`\d{12}`)

// healthHub is a hub with five stations, each needing attention for its
// own reason or none: 静站 never connected (silent), 旧站 was last seen
// three days ago and its session ended in an error, 东站 is online and had
// a phone and a monthly income refused, 钟站's clock is ten minutes off,
// 西站 is online with a join waiting for the county.
func healthHub(t *testing.T) (*hubtest.AccessServer, string) {
	t.Helper()
	h := hubtest.NewAccessServer(t, "http", hub.Options{JoinsPerDay: 1})
	enrollAt(t, h, "静站", "150421100203")
	enrollAt(t, h, "旧站", "150421100204")
	enrollAt(t, h, "钟站", "150421100200")
	east := hubtest.NewHostile(t, h.Server, enrollAt(t, h, "东站", "150421100201"))
	west := hubtest.NewHostile(t, h.Server, enrollAt(t, h, "西站", "150421100202"))
	now := h.Hub.Now()
	h.Hub.NoteSession("旧站", now.Add(-3*24*time.Hour-time.Hour), 0, "read: i/o timeout")
	h.Hub.NoteSession("钟站", now.Add(-time.Hour), 10*time.Minute, "")

	key := east.Enr.Key
	naren, other := hubtest.IDNumber(61), hubtest.IDNumber(62)
	wid := key.Derive(records.Workers, naren)
	east.Connect()
	east.Do(hubtest.WorkerEdit(key, naren, "娜仁", "13500000061"), hubtest.WorkerEdit(key, other, "其其格", "13500000062"))
	status := hubtest.StatusEdit(key, wid, "2026-11", records.ListEmployed)
	east.Do(status)
	east.Do(replica.Edit{Table: records.Workers, Row: wid, Set: []replica.ColumnValue{{Column: "phone", Value: "12345"}}},
		replica.Edit{Table: records.MonthlyStatus, Row: status.Row, Set: []replica.ColumnValue{{Column: "monthly_income", Value: -100.0}}})
	west.Connect()
	west.Do(hubtest.WorkerEdit(west.Enr.Key, naren, "娜仁", "13500000061"))
	west.Do(hubtest.WorkerEdit(west.Enr.Key, other, "其其格", "13500000062"))
	return h, wid.String()
}

// The overview names every station and its 嘎查村 and 苏木乡镇 (no code in its
// text), shows their refused changes and waiting requests, the last contact
// as an age, a clock beyond the hub's tolerance, and lists the silent
// station first, then each by its most urgent reason; it reloads itself;
// /api/stations serves the same facts.
func TestHealthOverview(t *testing.T) {
	h, _ := healthHub(t)
	c := h.LoggedIn("viewer1", access.RoleViewer)
	resp, err := c.Get(h.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r := resp.Header.Get("Refresh"); !strings.Contains(r, "url=/?auto=1") {
		t.Errorf("the overview does not reload itself: Refresh %q", r)
	}
	st, _, body := hubtest.Page(t, c, h.URL()+"/")
	if st != http.StatusOK {
		t.Fatalf("overview: %d\n%s", st, body)
	}
	table := between(body, `id="stations"`, "</table>")
	text := pageText(table)
	for _, want := range []string{"静站", "旧站", "东站", "钟站", "西站", places.Name("150421100201"), places.Name("150421100203"),
		places.Name("150421100"), "沉默", "3 天前", "+10m0s", "有被拒修改", "有待县级决定的请求", "时钟偏差过大", "连接出错",
		"read: i/o timeout"} {
		if !strings.Contains(text, want) {
			t.Errorf("the overview lacks %q:\n%s", want, text)
		}
	}
	if m := twelveDigits.FindString(pageText(body)); m != "" {
		t.Errorf("the overview shows the code %s:\n%s", m, pageText(body))
	}
	last := -1
	for _, name := range []string{"静站", "旧站", "东站", "钟站", "西站"} {
		at := strings.Index(table, `data-station="`+name+`"`)
		if at <= last {
			t.Errorf("%s at %d, after the station before it (%d): want silent, error, refused, clock, waiting", name, at, last)
		}
		last = at
	}
	row := func(name string) string { return between(table, `data-station="`+name+`"`, "</tr>") }
	if r := row("东站"); !strings.Contains(r, `#refusals" class="err">2</a>`) {
		t.Errorf("东站's two refused changes:\n%s", r)
	}
	if r := row("西站"); !strings.Contains(r, `class="err">1</a>`) || !strings.Contains(r, "/requests?station=") {
		t.Errorf("西站's waiting join:\n%s", r)
	}
	if r := row("钟站"); !strings.Contains(r, `<td class="n err">&#43;10m0s</td>`) {
		t.Errorf("钟站's clock:\n%s", r)
	}
	if !strings.Contains(body, `href="/stations/`+url.PathEscape("东站")) && !strings.Contains(strings.ToLower(body), strings.ToLower(`href="/stations/`+url.PathEscape("东站"))) {
		t.Errorf("the names do not link to the stations' pages:\n%s", table)
	}

	viewer := h.AdminToken("viewer2", access.RoleViewer)
	code, api := h.Call("GET", "/api/stations", viewer)
	if code != http.StatusOK {
		t.Fatalf("/api/stations: %d %v", code, api)
	}
	got := map[string]map[string]any{}
	var order []string
	for _, s := range api["stations"].([]any) {
		m := s.(map[string]any)
		got[m["name"].(string)] = m
		order = append(order, m["name"].(string))
	}
	if fmt.Sprint(order) != "[静站 旧站 东站 钟站 西站]" {
		t.Errorf("/api/stations' order: %v", order)
	}
	if e := got["东站"]; e["refused"] != 2.0 || e["village"] != places.Name("150421100201") || e["township"] != places.Name("150421100") ||
		e["online"] != true || e["division_code"] != "150421100201" {
		t.Errorf("/api/stations' 东站: %v", e)
	}
	if w := got["西站"]; w["requests_waiting"] != 1.0 || fmt.Sprint(w["attention"]) != "[waiting]" {
		t.Errorf("/api/stations' 西站: %v", w)
	}
	if s := got["静站"]; s["silent"] != true || fmt.Sprint(s["attention"]) != "[silent]" {
		t.Errorf("/api/stations' 静站: %v", s)
	}
	if s := got["钟站"]; s["clock_off"] != true || s["clock_offset_ns"] != float64(10*time.Minute) {
		t.Errorf("/api/stations' 钟站: %v", s)
	}
}

// A station's page: its health in full, its refused changes with the
// person's name (a worker's own and a monthly status's, id numbers
// masked), the table's and the column's Chinese names, and a link to its
// conflicts.
func TestStationHealthPage(t *testing.T) {
	h, wid := healthHub(t)
	c := h.LoggedIn("viewer1", access.RoleViewer)
	st, _, body := hubtest.Page(t, c, h.URL()+"/stations/"+url.PathEscape("东站"))
	if st != http.StatusOK {
		t.Fatalf("东站's page: %d\n%s", st, body)
	}
	refusals := between(body, `id="refusals"`, "</table>")
	rows := strings.Split(refusals, `<tr class="refusal">`)[1:]
	if len(rows) != 2 {
		t.Fatalf("东站's refusals: want the phone and the income\n%s", refusals)
	}
	for _, want := range []struct{ table, column string }{
		{"人员信息", records.FieldLabel("zh", "phone")}, {"月度就业状态", records.FieldLabel("zh", "monthly_income")},
	} {
		found := false
		for _, r := range rows {
			if strings.Contains(r, want.table) && strings.Contains(r, want.column) {
				found = true
				if !strings.Contains(r, `<a href="/workers/`+wid+`">娜仁</a>`) || !strings.Contains(r, records.MaskIDNumber(hubtest.IDNumber(61))) {
					t.Errorf("the refusal of %s %s does not name its person:\n%s", want.table, want.column, r)
				}
			}
		}
		if !found {
			t.Errorf("no refusal of %s %s:\n%s", want.table, want.column, refusals)
		}
	}
	if strings.Contains(body, hubtest.IDNumber(61)) {
		t.Error("the station page shows a whole id number")
	}
	facts := pageText(between(body, `id="station-health"`, "</table>"))
	for _, want := range []string{"在线", "近30天被拒修改", "2", "待上传", "待下发", "容许 ±5m0s", "查看该站的冲突"} {
		if !strings.Contains(facts, want) {
			t.Errorf("东站's health lacks %q:\n%s", want, facts)
		}
	}
	if !strings.Contains(strings.ToLower(body), strings.ToLower(`href="/conflicts?station=`+url.QueryEscape("东站")+`"`)) {
		t.Errorf("东站's page does not link to its conflicts:\n%s", body)
	}
	if !strings.Contains(between(body, `id="station-summary"`, "</p>"), placeSpan("150421100201")) {
		t.Errorf("东站's summary does not name its village:\n%s", body)
	}
	// The API's refusals name the person too.
	viewer := h.AdminToken("viewer2", access.RoleViewer)
	_, api := h.Call("GET", "/api/stations/"+url.PathEscape("东站")+"/refusals", viewer)
	for _, f := range api["refusals"].([]any) {
		if m := f.(map[string]any); m["worker_name"] != "娜仁" || m["worker_id"] != wid || m["id_number"] != records.MaskIDNumber(hubtest.IDNumber(61)) {
			t.Errorf("an API refusal without its person: %v", m)
		}
	}
	// 旧站 is offline: what waits is unknown, its last contact an age.
	_, _, body = hubtest.Page(t, c, h.URL()+"/stations/"+url.PathEscape("旧站"))
	facts = pageText(between(body, `id="station-health"`, "</table>"))
	for _, want := range []string{"离线", "3 天前", "离线时未知", "read: i/o timeout"} {
		if !strings.Contains(facts, want) {
			t.Errorf("旧站's health lacks %q:\n%s", want, facts)
		}
	}
}

// A real browser at 1366×768: the overview and a station's page fit the
// window's width, even with a long unbroken error (a wide table scrolls in
// its box, the page does not).
func TestBrowserHealthFits(t *testing.T) {
	h, _ := healthHub(t)
	h.Hub.NoteSession("旧站", h.Hub.Now().Add(-80*time.Hour), 0, "dial tcp: lookup "+
		strings.Repeat("hubofthecountyemploymentoffice.", 8)+"example: no such host")
	h.AddAdmin("alice", access.RoleViewer)
	b := browsertest.New(t)
	type css = chromedp.CSS
	b.Do(
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(h.URL()+"/login"),
		chromedp.WaitVisible(css(`#password`)),
		chromedp.SendKeys(css(`#user`), "alice"),
		chromedp.SendKeys(css(`#password`), hubtest.Password("alice")),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#stations`)),
	)
	overflow := `String(document.documentElement.scrollWidth - document.documentElement.clientWidth)`
	if d := b.Get(chromedp.Evaluate[string](overflow)); d != "0" {
		t.Errorf("the overview scrolls sideways by %s px at 1366×768", d)
	}
	if text := b.Get(chromedp.Text(css(`#stations`))); !strings.Contains(text, "东站") || !strings.Contains(text, places.Name("150421100201")) {
		t.Errorf("the overview in the browser: %q", text)
	}
	b.Do(
		chromedp.Click(css(`tr[data-station="东站"] a.station-name`)),
		chromedp.WaitVisible(css(`#refusals`)),
	)
	if d := b.Get(chromedp.Evaluate[string](overflow)); d != "0" {
		t.Errorf("东站's page scrolls sideways by %s px at 1366×768", d)
	}
	if text := b.Get(chromedp.Text(css(`#refusals`))); !strings.Contains(text, "娜仁") {
		t.Errorf("东站's refusals in the browser: %q", text)
	}
}
