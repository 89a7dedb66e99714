package hubweb_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// The dashboard shows the services' headline figures as cards opening
// their sheet of the month's report, in the township when filtered (the
// returnee card) or the county's, marked; the API has them, and the
// rights figures there are counts and sums only.
func TestDashboardServiceCards(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	const month = "2026-11"
	key := h.Hub.Replica().Key()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id := func() ident.ID {
		at = at.Add(time.Second)
		x, err := ident.NewTimeOrdered(at)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	var edits []replica.Edit
	var workers []string
	for i, village := range []string{"150421100001", "150421100001", "150421200001"} {
		w := hubtest.WorkerEdit(key, hubtest.IDNumber(i+1), "工人", "13900000000")
		w.Set = append(w.Set, replica.ColumnValue{Column: "residence_village", Value: village})
		edits = append(edits, w, hubtest.StatusEdit(key, w.Row, month, records.ListEmployed))
		workers = append(workers, w.Row.String())
	}
	for _, w := range workers {
		edits = append(edits, replica.Edit{Table: records.Returns, Row: id(), Set: (&records.Return{WorkerID: w,
			ReturnedOn: "2026-11-05", FromPlace: "北京", Reason: records.ReturnReasons[0], Intention: records.IntentAway}).Columns()})
	}
	amount := 12000.0
	edits = append(edits,
		replica.Edit{Table: records.RightsCases, Row: id(), Set: (&records.RightsCase{WorkerID: workers[0], Kind: "欠薪",
			Employer: "某建筑公司", ReceivedOn: "2026-10-01", Status: records.RightsClosed, ClosedOn: "2026-11-20",
			Outcome: "调解结案", AmountRecovered: &amount}).Columns()},
		replica.Edit{Table: records.JobFairs, Row: id(), Set: (&records.JobFair{Title: "春风行动", Kind: "春风行动",
			HeldOn: "2026-11-12", Place: "人力资源市场", Attendees: 100, Agreements: 25}).Columns()})
	if _, err := h.Hub.Write(context.Background(), edits...); err != nil {
		t.Fatal(err)
	}
	c := h.LoggedIn("查看员", access.RoleViewer)
	st, _, body := hubtest.Page(t, c, h.URL()+"/dashboard?month="+month)
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", st, body)
	}
	card := func(body, name string) string {
		i := strings.Index(body, `id="card-`+name+`"`)
		if i < 0 {
			t.Fatalf("no card %s", name)
		}
		return body[i : i+strings.Index(body[i:], "</a>")]
	}
	for name, want := range map[string][]string{
		"service_returnees":        {`href="/dashboard/report.csv?month=2026-11&amp;sheet=returns"`, `<span class="dash-card-value">3</span>`},
		"service_rights_recovered": {`sheet=rights"`, `<span class="dash-card-value">12000.00</span>`},
		"service_rights_opened":    {`<span class="dash-card-value">0</span>`},
		"service_job_fairs":        {`sheet=job_fairs"`, `<span class="dash-card-value">1</span>`},
		"service_agreements":       {`<span class="dash-card-value">25</span>`},
		"service_trained":          {`sheet=training"`, `<span class="dash-card-value">0</span>`},
		"service_jobs_posted":      {`sheet=postings"`},
	} {
		got := card(body, name)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("card %s lacks %q:\n%s", name, w, got)
			}
		}
	}
	// The card's sheet opens.
	st, _, sheet := hubtest.Page(t, c, h.URL()+"/dashboard/report.csv?month="+month+"&sheet=returns")
	if st != http.StatusOK || !strings.Contains(sheet, "合计,,合计,3") {
		t.Errorf("returns sheet: %d\n%s", st, sheet)
	}
	_, _, body = hubtest.Page(t, c, h.URL()+"/dashboard?month="+month+"&township=150421100")
	if got := card(body, "service_returnees"); !strings.Contains(got, `<span class="dash-card-value">2</span>`) {
		t.Errorf("returnee card in the township:\n%s", got)
	}
	if got := card(body, "service_job_fairs"); !strings.Contains(got, "全旗县") {
		t.Errorf("job fair card in the township is not marked county-wide:\n%s", got)
	}
	st, api := h.Call("GET", "/api/dashboard?month="+month, h.AdminToken("查看员2", access.RoleViewer))
	svcs, _ := api["services"].(map[string]any)
	rights, _ := svcs["rights"].(map[string]any)
	if st != http.StatusOK || rights["closed"] != float64(1) || rights["recovered"] != float64(12000) {
		t.Errorf("api: %d %v", st, svcs)
	}
	if raw := strings.Join([]string{body, sheet}, ""); strings.Contains(raw, "某建筑公司") {
		t.Error("the dashboard names a rights case's employer")
	}
}
