package hubweb_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/browsertest"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// phoneConflict sets up a hub and two running stations that registered the
// same person offline with different phones, and returns the conflict's id.
func phoneConflict(t *testing.T) (*hubtest.AccessServer, *hubtest.Station, *hubtest.Station, ident.ID, int64) {
	t.Helper()
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	shared := hubtest.IDNumber(21)
	wid := ea.Key.Derive(records.Workers, shared)
	a.Write(hubtest.WorkerEdit(ea.Key, shared, "娜仁", "13500000001"))
	b.Write(hubtest.WorkerEdit(eb.Key, shared, "娜仁", "13500000002"))
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "both stations to converge", func() bool {
		return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	cs, _, err := h.Hub.Conflicts(t.Context(), hub.ConflictFilter{Kind: hub.KindField})
	if err != nil || len(cs) != 1 {
		t.Fatalf("conflicts: %v %v", cs, err)
	}
	return h, a, b, wid, cs[0].ID
}

// The pages: the queue lists the conflict, the conflict page shows both
// values; a resolve form without its CSRF token, or from a viewer, is
// refused; a bad typed value shows the field's message; a good one resolves.
func TestConflictPages(t *testing.T) {
	h, a, _, wid, id := phoneConflict(t)
	viewer := h.LoggedIn("viewer1", access.RoleViewer)
	resolver := h.LoggedIn("resolver1", access.RoleResolver)
	st, _, body := hubtest.Page(t, resolver, h.URL()+"/conflicts")
	if st != http.StatusOK || !strings.Contains(body, "娜仁") || !strings.Contains(body, records.MaskPhone("13500000002")) ||
		strings.Contains(body, "13500000002") {
		t.Fatalf("queue page (phones masked): %d\n%s", st, body)
	}
	st, _, body = hubtest.Page(t, resolver, fmt.Sprintf("%s/conflicts/%d", h.URL(), id))
	if st != http.StatusOK || !strings.Contains(body, "站A") || !strings.Contains(body, "站B") || !strings.Contains(body, "13500000002") {
		t.Fatalf("conflict page: %d\n%s", st, body)
	}
	csrf := hubtest.CSRFPattern.FindStringSubmatch(body)[1]
	// The person's page lists the open conflict with the table's Chinese
	// name, not its code.
	if _, _, wbody := hubtest.Page(t, viewer, h.URL()+"/workers/"+wid.String()); !strings.Contains(wbody, "人员信息 · ") ||
		strings.Contains(wbody, ">workers") {
		t.Errorf("worker page names the conflict's table by its code:\n%s", wbody)
	}
	u := fmt.Sprintf("%s/conflicts/%d/resolve", h.URL(), id)
	if resp, _ := hubtest.Post(t, resolver, u, url.Values{"value": {"13500000009"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("resolve without CSRF: %s", resp.Status)
	}
	_, _, vbody := hubtest.Page(t, viewer, h.URL()+"/conflicts")
	if resp, _ := hubtest.Post(t, viewer, u, url.Values{"csrf": {hubtest.CSRFPattern.FindStringSubmatch(vbody)[1]}, "value": {"13500000009"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer resolves: %s", resp.Status)
	}
	resp, body := hubtest.Post(t, resolver, u, url.Values{"csrf": {csrf}, "value": {"12345"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "联系电话应为11位手机号码") {
		t.Errorf("bad phone: %s\n%s", resp.Status, body)
	}
	resp, _ = hubtest.Post(t, resolver, u, url.Values{"csrf": {csrf}, "value": {"13500000009"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: %s", resp.Status)
	}
	hubtest.WaitFor(t, 10*time.Second, "the typed value to reach A", func() bool {
		return hubtest.SettledAt(t, a.Rep, records.Workers, wid, "phone", "13500000009")
	})
	// The worker search masks; the worker page shows the history.
	_, _, body = hubtest.Page(t, viewer, h.URL()+"/workers?q="+url.QueryEscape("娜"))
	if !strings.Contains(body, records.MaskPhone("13500000009")) || strings.Contains(body, "13500000009") {
		t.Errorf("search result:\n%s", body)
	}
	_, _, body = hubtest.Page(t, viewer, h.URL()+"/workers/"+wid.String())
	if !strings.Contains(body, "resolver1") || !strings.Contains(body, "13500000001") {
		t.Errorf("worker page without its history:\n%s", body)
	}
}

// Station pages: a station manager enrols a station and gets its code on a
// printable sheet, then revokes it; a viewer sees the list but cannot enrol.
func TestStationPages(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	m := h.LoggedIn("manager1", access.RoleStationManager)
	v := h.LoggedIn("viewer1", access.RoleViewer)
	_, _, body := hubtest.Page(t, m, h.URL()+"/stations")
	csrf := hubtest.CSRFPattern.FindStringSubmatch(body)[1]
	resp, body := hubtest.Post(t, m, h.URL()+"/stations", url.Values{"csrf": {csrf}, "name": {"红格尔站"}, "division_code": {"150421001001"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="enrol-code"`) {
		t.Fatalf("enrol: %s\n%s", resp.Status, body)
	}
	if _, err := syncproto.ParseEnrollment(between(body, `id="enrol-code"`, "</pre>")); err != nil {
		t.Errorf("the sheet's code does not parse: %v", err)
	}
	resp, _ = hubtest.Post(t, m, h.URL()+"/stations", url.Values{"csrf": {csrf}, "name": {"红格尔站"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("enrol twice: %s", resp.Status)
	}
	_, _, vbody := hubtest.Page(t, v, h.URL()+"/stations")
	if !strings.Contains(vbody, "红格尔站") || strings.Contains(vbody, `id="enrol"`) {
		t.Errorf("viewer's station list:\n%s", vbody)
	}
	if resp, _ := hubtest.Post(t, v, h.URL()+"/stations/revoke", url.Values{"csrf": {hubtest.CSRFPattern.FindStringSubmatch(vbody)[1]}, "name": {"红格尔站"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer revokes: %s", resp.Status)
	}
	if resp, _ := hubtest.Post(t, m, h.URL()+"/stations/revoke", url.Values{"csrf": {csrf}, "name": {"红格尔站"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("revoke: %s", resp.Status)
	}
	sts, _ := h.Hub.Stations(t.Context())
	if len(sts) != 1 || !sts[0].Revoked {
		t.Errorf("stations after revoke: %+v", sts)
	}
}

// between returns the text after the element opening with start, up to end.
func between(s, start, end string) string {
	_, rest, _ := strings.Cut(s, start)
	_, rest, _ = strings.Cut(rest, ">")
	v, _, _ := strings.Cut(rest, end)
	return strings.TrimSpace(v)
}

// A real browser: log in, open the queue, open the conflict, choose a
// value, see it resolved and gone from the open queue; the station holds
// the chosen value.
func TestBrowserResolveConflict(t *testing.T) {
	br := browsertest.New(t)
	h, a, _, wid, id := phoneConflict(t)
	h.AddAdmin("resolver1", access.RoleResolver)
	type css = chromedp.CSS
	br.Do(
		chromedp.Navigate(h.URL()+"/conflicts"),
		chromedp.WaitVisible(css(`#password`)),
		chromedp.SendKeys(css(`#user`), "resolver1"),
		chromedp.SendKeys(css(`#password`), hubtest.Password("resolver1")),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#stations`)),
		chromedp.Click(css(`#conflicts`)),
		chromedp.WaitVisible(css(`#queue`)),
		chromedp.Click(css(fmt.Sprintf(`#c%d a`, id))),
		chromedp.WaitVisible(css(`#values`)),
	)
	if text := br.Get(chromedp.Text(css(`#values`))); !strings.Contains(text, "13500000001") || !strings.Contains(text, "13500000002") {
		t.Fatalf("values side by side: %q", text)
	}
	// Choose the first value (站A's or 站B's, in stamp order).
	first := br.Get(chromedp.Text(css(`#value-0 .v`)))
	br.Do(
		chromedp.Click(css(`#choose-0`)),
		chromedp.WaitVisible(css(`#resolution`)),
	)
	if st := br.Get(chromedp.Text(css(`#status`))); st != "已处理" {
		t.Fatalf("status after resolving: %q", st)
	}
	br.Do(chromedp.Navigate(h.URL()+"/conflicts"), chromedp.WaitVisible(css(`#total`)))
	if n := br.Get(chromedp.Text(css(`#total`))); n != "0" {
		t.Fatalf("open conflicts after resolving: %s", n)
	}
	hubtest.WaitFor(t, 10*time.Second, "the chosen value to reach the station", func() bool {
		return hubtest.SettledAt(t, a.Rep, records.Workers, wid, "phone", first)
	})
}

// TestResolveRefusesStaleView: a resolution that says which state of the
// conflict its administrator saw (updated) is refused with 409 once the
// conflict has changed since, and goes through with the current one.
func TestResolveRefusesStaleView(t *testing.T) {
	h, _, _, _, id := phoneConflict(t)
	tok := h.AdminToken("resolver2", access.RoleResolver)
	st, c := h.Call("GET", fmt.Sprintf("/api/conflicts/%d", id), tok)
	if st != http.StatusOK {
		t.Fatalf("read conflict: %d %v", st, c)
	}
	seen, err := time.Parse(time.RFC3339Nano, c["updated"].(string))
	if err != nil {
		t.Fatal(err)
	}
	stale := seen.Add(-time.Second).Format(time.RFC3339Nano)
	path := fmt.Sprintf("/api/conflicts/%d/resolve", id)
	if st, out := h.CallJSON("POST", path, tok, map[string]any{"choose": 0, "updated": stale}); st != http.StatusConflict || out["field"] != "updated" {
		t.Fatalf("resolution of a stale view: %d %v", st, out)
	}
	if st, out := h.CallJSON("POST", path, tok, map[string]any{"choose": 0, "updated": c["updated"]}); st != http.StatusOK || out["status"] != "resolved" {
		t.Fatalf("resolution of the current view: %d %v", st, out)
	}
}
