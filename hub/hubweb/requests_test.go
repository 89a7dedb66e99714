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
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// requestsOf lists requests through the API, failing the test on an error.
func requestsOf(t *testing.T, h *hubtest.AccessServer, token, query string) []map[string]any {
	t.Helper()
	st, body := h.Call("GET", "/api/requests"+query, token)
	if st != http.StatusOK {
		t.Fatalf("GET /api/requests%s: %d %v", query, st, body)
	}
	var out []map[string]any
	for _, r := range body["requests"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

// refusalAt finds the live refusal row at a station for a row.
func refusalAt(t *testing.T, s *hubtest.Station, row ident.ID) (hubtest.Refusal, bool) {
	t.Helper()
	for _, f := range hubtest.Refusals(t, s.Rep) {
		if f.Row == row.String() {
			return f, true
		}
	}
	return hubtest.Refusal{}, false
}

// deletedAt is a row's delete marker at a replica (nil without the row).
func deletedAt(t *testing.T, r *replica.Replica, id ident.ID) any {
	return hubtest.StationValue(t, r, records.Workers, id, replica.DeletedColumn)
}

// sameRows reports whether the station holds exactly the hub's rows and
// merge state for its scope.
func sameRows(t *testing.T, h *hub.Hub, s *hubtest.Station) bool {
	t.Helper()
	hh, hn, err := h.Replica().ContentHash(t.Context(), h.ScopeFilter(s.Name))
	if err != nil {
		t.Fatal(err)
	}
	sh, sn, err := s.Rep.ContentHash(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return hh == sh && hn == sn
}

// The county decides joins and deletions, end to end on 127.0.0.1 with two
// real stations syncing, JoinsPerDay 1:
//   - B registers P, whom A holds: join 1, accepted; then Q, whom A also
//     holds: join 2, past the cap, waiting; the API lists both, waiting
//     first, with the person's masked id number; B's own replica holds a
//     refusal row "waiting" for Q, and A's later edit of Q does not reach B;
//   - a viewer may not approve (403); a resolver approves through the API:
//     B receives Q's record (A's edit) and its refusal row turns "approved";
//     approving again is 409 naming the state; an unknown id is 404;
//   - A deletes P while B holds P: nothing is deleted, at the hub nor at B,
//     and a deletion request waits; a form without its CSRF token is
//     refused; in Chromium a resolver opens /requests, clicks 拒绝 on it and
//     sees 已拒绝, and A gets P back;
//   - A writes a bad phone straight into its replica: the hub refuses it,
//     and the station's page and API list the refusal with its reason.
func TestRequestsJoinAndDelete(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{JoinsPerDay: 1})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	pNum, qNum, rNum := hubtest.IDNumber(41), hubtest.IDNumber(42), hubtest.IDNumber(43)
	pID, qID, rID := ea.Key.Derive(records.Workers, pNum), ea.Key.Derive(records.Workers, qNum), ea.Key.Derive(records.Workers, rNum)
	a.Write(hubtest.WorkerEdit(ea.Key, pNum, "巴特尔", "13500000041"), hubtest.WorkerEdit(ea.Key, qNum, "其其格", "13500000042"),
		hubtest.WorkerEdit(ea.Key, rNum, "乌云", "13500000043"))
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "A to converge", func() bool { return hubtest.Converged(t, h.Hub, a) })
	viewer := h.AdminToken("viewer1", access.RoleViewer)
	resolver := h.AdminToken("resolver1", access.RoleResolver)

	// Join 1, within the cap; then join 2, past it.
	b.Write(hubtest.WorkerEdit(eb.Key, pNum, "巴特尔", "13500000041"))
	hubtest.WaitFor(t, 20*time.Second, "join 1 at the hub", func() bool {
		return len(requestsOf(t, h, viewer, "?station="+url.QueryEscape("站B"))) == 1
	})
	b.Write(hubtest.WorkerEdit(eb.Key, qNum, "其其格", "13500000042"))
	hubtest.WaitFor(t, 20*time.Second, "join 2 waiting", func() bool {
		return len(requestsOf(t, h, viewer, "?state=waiting")) == 1
	})
	list := requestsOf(t, h, viewer, "?station="+url.QueryEscape("站B")+"&kind=join")
	if len(list) != 2 || list[0]["worker_id"] != qID.String() || list[0]["state"] != hub.RequestWaiting ||
		list[1]["worker_id"] != pID.String() || list[1]["state"] != hub.RequestAccepted {
		t.Fatalf("joins of B: %v", list)
	}
	if list[0]["name"] != "其其格" || list[0]["id_number"] != records.MaskIDNumber(qNum) || list[0]["kind"] != "join" ||
		!strings.Contains(fmt.Sprint(list[0]["holders"]), "站A") || list[0]["decided_by"] != nil {
		t.Errorf("the waiting join: %v", list[0])
	}
	if body := fmt.Sprint(h.Get("/api/requests", viewer)); strings.Contains(body, qNum) {
		t.Errorf("the list shows a whole id number")
	}
	joinID := int64(list[0]["id"].(float64))
	// The batch that only made the join wait wakes B: its refusal row
	// (state waiting) reaches B with no other write.
	hubtest.WaitFor(t, 20*time.Second, "B's refusal row for Q (waiting)", func() bool {
		f, ok := refusalAt(t, b, qID)
		return ok && f.State == records.RefusalWaiting
	})
	// While the join waits, what A adds to Q stays out of B's replica: B
	// receives A's later note on P (B holds P), not the one on Q before it.
	a.Write(replica.Edit{Table: records.Workers, Row: qID, Set: []replica.ColumnValue{{Column: "notes", Value: "A站补充"}}})
	a.Write(replica.Edit{Table: records.Workers, Row: pID, Set: []replica.ColumnValue{{Column: "notes", Value: "P的备注"}}})
	hubtest.WaitFor(t, 20*time.Second, "A's note on P at B", func() bool {
		return hubtest.StationValue(t, b.Rep, records.Workers, pID, "notes") == "P的备注"
	})
	if v := hubtest.StationValue(t, b.Rep, records.Workers, qID, "notes"); v == "A站补充" {
		t.Fatalf("A's note reached B while the join waits")
	}

	// The decision.
	approve := fmt.Sprintf("/api/requests/%d/approve", joinID)
	if st, body := h.Call("POST", approve, viewer); st != http.StatusForbidden {
		t.Errorf("a viewer approves: %d %v", st, body)
	}
	if st, body := h.Call("POST", approve, ""); st != http.StatusUnauthorized {
		t.Errorf("approve without a token: %d %v", st, body)
	}
	st, body := h.Call("POST", approve, resolver)
	if st != http.StatusOK || body["state"] != hub.RequestApproved || body["decided_by"] != "resolver1" {
		t.Fatalf("approve: %d %v", st, body)
	}
	hubtest.WaitFor(t, 20*time.Second, "Q's record at B", func() bool {
		return hubtest.StationValue(t, b.Rep, records.Workers, qID, "notes") == "A站补充"
	})
	hubtest.WaitFor(t, 20*time.Second, "B's refusal row approved", func() bool {
		f, ok := refusalAt(t, b, qID)
		return ok && f.State == records.RefusalApproved
	})
	if st, body := h.Call("POST", approve, resolver); st != http.StatusConflict || !strings.Contains(fmt.Sprint(body["error"]), "已批准") {
		t.Errorf("approve twice: %d %v", st, body)
	}
	if st, body := h.Call("POST", fmt.Sprintf("/api/requests/%d/decline", joinID), resolver); st != http.StatusConflict {
		t.Errorf("decline an approved join: %d %v", st, body)
	}
	if st, body := h.Call("POST", "/api/requests/99999/approve", resolver); st != http.StatusNotFound {
		t.Errorf("approve an unknown request: %d %v", st, body)
	}
	if st, body := h.Call("GET", "/api/requests?state=lost", viewer); st != http.StatusBadRequest || body["field"] != "state" {
		t.Errorf("a bad state filter: %d %v", st, body)
	}

	// A deletes P, whom B holds too: the county decides.
	a.Write(replica.Edit{Table: records.Workers, Row: pID, Delete: true})
	var delID int64
	hubtest.WaitFor(t, 20*time.Second, "the deletion request", func() bool {
		for _, r := range requestsOf(t, h, viewer, "?kind=delete&state=waiting") {
			if r["worker_id"] == pID.String() && r["station"] == "站A" {
				delID = int64(r["id"].(float64))
				return true
			}
		}
		return false
	})
	hubtest.WaitFor(t, 20*time.Second, "B to converge", func() bool { return hubtest.Converged(t, h.Hub, b) })
	if d := deletedAt(t, h.Hub.Replica(), pID); fmt.Sprint(d) != "0" {
		t.Errorf("P at the hub while the deletion waits: deleted %v", d)
	}
	if d := deletedAt(t, b.Rep, pID); fmt.Sprint(d) != "0" {
		t.Errorf("P at B while the deletion waits: deleted %v", d)
	}
	if d := deletedAt(t, a.Rep, pID); fmt.Sprint(d) != "1" {
		t.Fatalf("P at A after A deleted it: deleted %v", d)
	}

	// The page: a form without its CSRF token is refused; in Chromium the
	// resolver declines the deletion.
	web := h.LoggedIn("resolver2", access.RoleResolver)
	decline := fmt.Sprintf("%s/requests/%d/decline", h.URL(), delID)
	if resp, _ := hubtest.Post(t, web, decline, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("decline without a CSRF token: %s", resp.Status)
	}
	vweb := h.LoggedIn("viewer2", access.RoleViewer)
	st, _, page := hubtest.Page(t, vweb, h.URL()+"/requests")
	if st != http.StatusOK || !strings.Contains(page, "巴特尔") || strings.Contains(page, `class="decline"`) ||
		!strings.Contains(page, `id="nav-waiting">1<`) {
		t.Errorf("the viewer's requests page (no buttons, one waiting): %d\n%s", st, page)
	}
	if st, _, en := hubtest.Page(t, vweb, h.URL()+"/requests?lang=en&kind=delete"); st != http.StatusOK ||
		!strings.Contains(en, "Joins and deletion requests") || !strings.Contains(en, "Waiting for the county") || strings.Contains(en, "其其格") {
		t.Errorf("the requests page in English, deletions only: %d\n%s", st, en)
	}
	hubtest.Page(t, vweb, h.URL()+"/requests?lang=zh") // the pages remember a language: back to Chinese
	if resp, _ := hubtest.Post(t, vweb, decline, url.Values{"csrf": {hubtest.CSRFPattern.FindStringSubmatch(page)[1]}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer declines: %s", resp.Status)
	}
	h.AddAdmin("carol", access.RoleResolver)
	br := browsertest.New(t)
	type css = chromedp.CSS
	row := fmt.Sprintf("#r%d", delID)
	br.Do(
		chromedp.Navigate(h.URL()+"/login"),
		chromedp.WaitVisible(css(`#password`)),
		chromedp.SendKeys(css(`#user`), "carol"),
		chromedp.SendKeys(css(`#password`), hubtest.Password("carol")),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#stations`)),
		chromedp.Navigate(h.URL()+"/workers"),
		chromedp.WaitVisible(css(`#nav-waiting`)),
		chromedp.Click(css(`#nav-requests`)),
		chromedp.WaitVisible(css(row+` button.decline`)),
	)
	if s := br.Get(chromedp.Text(css(row + ` .state`))); s != "等待县级决定" {
		t.Errorf("the deletion's state before: %q", s)
	}
	if s := br.Get(chromedp.Text(css(row + ` button.approve`))); s != "确认删除" {
		t.Errorf("the deletion's approve button: %q", s)
	}
	br.Do(
		chromedp.Click(css(row+` button.decline`)),
		chromedp.WaitVisible(css(`#notice`)),
	)
	if s := br.Get(chromedp.Text(css(row + ` .state`))); s != "已拒绝" {
		t.Errorf("the deletion's state after 拒绝: %q", s)
	}
	if s := br.Get(chromedp.Text(css(row))); !strings.Contains(s, "carol") {
		t.Errorf("the row names who decided: %q", s)
	}
	hubtest.WaitFor(t, 20*time.Second, "A to get P back", func() bool {
		return fmt.Sprint(deletedAt(t, a.Rep, pID)) == "0"
	})
	// A and the hub agree on every row of A's scope (A's refused delete is
	// in A's log only: the hub never logs what it refused).
	hubtest.WaitFor(t, 20*time.Second, "A to hold the hub's rows", func() bool { return sameRows(t, h.Hub, a) })
	if d := deletedAt(t, h.Hub.Replica(), pID); fmt.Sprint(d) != "0" {
		t.Errorf("P at the hub after the decline: deleted %v", d)
	}

	// A bad value written straight into A's replica: refused, and shown.
	a.Write(replica.Edit{Table: records.Workers, Row: rID, Set: []replica.ColumnValue{{Column: "phone", Value: "12345"}}})
	var refusal map[string]any
	hubtest.WaitFor(t, 20*time.Second, "the refusal of the bad phone", func() bool {
		st, body := h.Call("GET", "/api/stations/"+url.PathEscape("站A")+"/refusals", viewer)
		if st != http.StatusOK {
			t.Fatalf("refusals: %d %v", st, body)
		}
		for _, f := range body["refusals"].([]any) {
			if m := f.(map[string]any); m["row"] == rID.String() && m["column"] == "phone" {
				refusal = m
				return true
			}
		}
		return false
	})
	if refusal["value"] != "12345" || refusal["state"] != records.RefusalRefused || refusal["table"] != records.Workers ||
		!strings.Contains(fmt.Sprint(refusal["reason"]), "联系电话") {
		t.Errorf("the refusal: %v", refusal)
	}
	st, _, page = hubtest.Page(t, vweb, h.URL()+"/stations/"+url.PathEscape("站A"))
	if st != http.StatusOK || !strings.Contains(page, "未被县级接受的修改") || !strings.Contains(page, "12345") ||
		!strings.Contains(page, fmt.Sprint(refusal["reason"])) || !strings.Contains(page, "删除请求") {
		t.Errorf("A's page: %d\n%s", st, page)
	}
	st, _, page = hubtest.Page(t, vweb, h.URL()+"/stations/"+url.PathEscape("站B"))
	if st != http.StatusOK || !strings.Contains(page, "其其格") || !strings.Contains(page, records.MaskIDNumber(qNum)) ||
		strings.Contains(page, qNum) || !strings.Contains(page, "已批准") {
		t.Errorf("B's page: %d\n%s", st, page)
	}
	if st, _, _ := hubtest.Page(t, vweb, h.URL()+"/stations/"+url.PathEscape("站C")); st != http.StatusNotFound {
		t.Errorf("an unknown station's page: %d", st)
	}
	if st, body := h.Call("GET", "/api/stations/"+url.PathEscape("站C")+"/refusals", viewer); st != http.StatusNotFound {
		t.Errorf("an unknown station's refusals: %d %v", st, body)
	}
}
