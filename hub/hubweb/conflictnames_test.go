package hubweb_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/replica"
)

// withValue is e with column set to v (replaced, or added).
func withValue(e replica.Edit, column string, v any) replica.Edit {
	set := append([]replica.ColumnValue(nil), e.Set...)
	for i := range set {
		if set[i].Column == column {
			set[i].Value = v
			e.Set = set
			return e
		}
	}
	e.Set = append(set, replica.ColumnValue{Column: column, Value: v})
	return e
}

// namedConflicts is a hub where two stations registered 娜仁 offline with
// different residence villages and verified her November status with
// different staff: a conflict on her residence_village and one on her
// monthly status's verified_by.
func namedConflicts(t *testing.T) (h *hubtest.AccessServer, village, status int64) {
	t.Helper()
	h = hubtest.NewAccessServer(t, "http", hub.Options{})
	a := hubtest.NewHostile(t, h.Server, enrollAt(t, h, "东站", "150421100201"))
	b := hubtest.NewHostile(t, h.Server, enrollAt(t, h, "西站", "150421100202"))
	key := a.Enr.Key
	num := hubtest.IDNumber(71)
	wid := key.Derive(records.Workers, num)
	w := hubtest.WorkerEdit(key, num, "娜仁", "13500000071")
	st := hubtest.StatusEdit(key, wid, "2026-11", records.ListEmployed)
	aw, bw := a.Make(withValue(w, "residence_village", "150421100201")), b.Make(withValue(w, "residence_village", "150421100202"))
	as, bs := a.Make(st), b.Make(withValue(st, "verified_by", "李四"))
	a.Connect()
	a.Send(append(aw, as...))
	if _, perr := a.Await(); perr != nil {
		t.Fatal(perr)
	}
	b.Connect()
	b.Send(append(bw, bs...))
	if _, perr := b.Await(); perr != nil {
		t.Fatal(perr)
	}
	cs, _, err := h.Hub.Conflicts(t.Context(), hub.ConflictFilter{Kind: hub.KindField})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		switch {
		case c.Table == records.Workers && c.Column == "residence_village":
			village = c.ID
		case c.Table == records.MonthlyStatus && c.Column == "verified_by":
			status = c.ID
		}
	}
	if village == 0 || status == 0 {
		t.Fatalf("want conflicts on residence_village and verified_by: %+v", cs)
	}
	return h, village, status
}

// The queue and the conflict pages name places, not codes, and a monthly
// status's person; tables by their Chinese names; the queue's bulk form
// still resolves what it selects.
func TestConflictPagesNamePlacesAndPeople(t *testing.T) {
	h, village, status := namedConflicts(t)
	c := h.LoggedIn("resolver1", access.RoleResolver)
	east, west := places.Name("150421100201"), places.Name("150421100202")
	st, _, body := hubtest.Page(t, c, h.URL()+"/conflicts")
	if st != http.StatusOK {
		t.Fatalf("queue: %d\n%s", st, body)
	}
	if m := twelveDigits.FindString(pageText(body)); m != "" {
		t.Errorf("the queue shows the code %s:\n%s", m, pageText(body))
	}
	row := pageText(between(body, fmt.Sprintf(`<tr id="c%d"`, village), "</tr>"))
	if !strings.Contains(row, east) || !strings.Contains(row, west) || !strings.Contains(row, "娜仁") || !strings.Contains(row, "人员信息") {
		t.Errorf("the residence village conflict in the queue:\n%s", row)
	}
	row = pageText(between(body, fmt.Sprintf(`<tr id="c%d"`, status), "</tr>"))
	if !strings.Contains(row, "娜仁") || !strings.Contains(row, records.MaskIDNumber(hubtest.IDNumber(71))) ||
		!strings.Contains(row, "月度就业状态") || !strings.Contains(row, "李四") {
		t.Errorf("the monthly status conflict in the queue:\n%s", row)
	}
	if !strings.Contains(between(body, `name="table"`, "</select>"), `<option value="monthly_status">月度就业状态</option>`) {
		t.Errorf("the table filter without Chinese names:\n%s", between(body, `name="table"`, "</select>"))
	}

	_, _, page := hubtest.Page(t, c, fmt.Sprintf("%s/conflicts/%d", h.URL(), village))
	text := pageText(page)
	if m := twelveDigits.FindString(text); m != "" {
		t.Errorf("the conflict page shows the code %s:\n%s", m, text)
	}
	if vals := pageText(between(page, `id="values"`, `<h2>`)); !strings.Contains(vals, east) || !strings.Contains(vals, west) ||
		!strings.Contains(vals, "东站") || !strings.Contains(vals, "西站") {
		t.Errorf("the values of the residence village conflict:\n%s", vals)
	}
	if sum := pageText(between(page, `id="summary"`, "</p>")); !strings.Contains(sum, "娜仁") || !strings.Contains(sum, "人员信息") ||
		!strings.Contains(sum, records.FieldLabel("zh", "residence_village")) {
		t.Errorf("the residence village conflict's summary:\n%s", sum)
	}
	_, _, page = hubtest.Page(t, c, fmt.Sprintf("%s/conflicts/%d", h.URL(), status))
	if sum := pageText(between(page, `id="summary"`, "</p>")); !strings.Contains(sum, "娜仁") || !strings.Contains(sum, "月度就业状态") ||
		!strings.Contains(sum, records.FieldLabel("zh", "verified_by")) {
		t.Errorf("the monthly status conflict's summary:\n%s", sum)
	}

	// Bulk: both, the latest value each.
	csrf := hubtest.CSRFPattern.FindStringSubmatch(body)[1]
	resp, _ := hubtest.Post(t, c, h.URL()+"/conflicts/resolve", url.Values{"csrf": {csrf},
		"id": {fmt.Sprint(village), fmt.Sprint(status)}, "choose": {"latest"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "n=2&failed=0") {
		t.Fatalf("bulk resolve: %s %s", resp.Status, resp.Header.Get("Location"))
	}
	for _, id := range []int64{village, status} {
		if got, err := h.Hub.Conflict(t.Context(), id); err != nil || got.Status != hub.StatusResolved {
			t.Errorf("conflict %d after the bulk form: %v %v", id, got.Status, err)
		}
	}
}
