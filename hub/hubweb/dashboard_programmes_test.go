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

// The dashboard shows the placement programmes' headline figures as cards
// linking to the hub's programme pages, in the township when filtered (the
// welfare and export cards) or the county's, marked; the API has them.
func TestDashboardProgrammeCards(t *testing.T) {
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
		w.Set = append(w.Set, replica.ColumnValue{Column: "residence_village", Value: village},
			replica.ColumnValue{Column: "tags", Value: []string{"脱贫人口"}})
		edits = append(edits, w, hubtest.StatusEdit(key, w.Row, month, records.ListEmployed))
		workers = append(workers, w.Row.String())
	}
	post := id()
	edits = append(edits, replica.Edit{Table: records.WelfarePosts, Row: post, Set: (&records.WelfarePost{Name: "保洁岗",
		Village: "150421100001", Kind: records.WelfarePostKinds[0], Headcount: 3, Employer: "镇政府"}).Columns()})
	for _, w := range workers {
		edits = append(edits, replica.Edit{Table: records.WelfarePlacements, Row: id(), Set: (&records.WelfarePlacement{
			WorkerID: w, PostID: post.String(), ContractKind: records.ContractKinds[0], ContractStart: "2026-11-10",
			ContractEnd: "2027-11-09", InsuranceKind: records.InsuranceKinds[0], InsuranceStart: "2026-11-10",
			InsuranceEnd: "2027-11-09"}).Columns()})
	}
	shop := id()
	edits = append(edits, replica.Edit{Table: records.Workshops, Row: shop, Set: (&records.Workshop{Name: "车间",
		Village: "150421200001"}).Columns()},
		replica.Edit{Table: records.WorkshopJobs, Row: id(), Set: (&records.WorkshopJob{WorkerID: workers[2],
			WorkshopID: shop.String(), StartOn: "2026-10-01"}).Columns()})
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
		"programme_welfare":          {`href="/programmes/welfare"`, `<span class="dash-card-value">3</span>`, "较上月 &#43;3"},
		"programme_workshops":        {`href="/programmes/workshops"`, `<span class="dash-card-value">1</span>`},
		"programme_workshop_poverty": {`href="/programmes/workshops"`, `<span class="dash-card-value">1</span>`},
		"programme_shared":           {`href="/programmes/shared"`, `<span class="dash-card-value">0</span>`},
		"programme_work_relief":      {`href="/programmes/work-relief"`},
		"programme_work_relief_pay":  {`href="/programmes/work-relief"`, `<span class="dash-card-value">0.00</span>`},
		"programme_export":           {`href="/programmes/export"`},
	} {
		got := card(body, name)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("card %s lacks %q:\n%s", name, w, got)
			}
		}
	}
	// Filtered to the first township: its two welfare people; the workshop
	// card is the county's, marked.
	_, _, body = hubtest.Page(t, c, h.URL()+"/dashboard?month="+month+"&township=150421100")
	if got := card(body, "programme_welfare"); !strings.Contains(got, `<span class="dash-card-value">2</span>`) {
		t.Errorf("welfare card in the township:\n%s", got)
	}
	if got := card(body, "programme_workshops"); !strings.Contains(got, "全旗县") {
		t.Errorf("workshop card in the township is not marked county-wide:\n%s", got)
	}
	st, api := h.Call("GET", "/api/dashboard?month="+month, h.AdminToken("查看员2", access.RoleViewer))
	progs, _ := api["programmes"].(map[string]any)
	welfare, _ := progs["welfare"].(map[string]any)
	if st != http.StatusOK || welfare["people"] != float64(3) || progs["not_employed"] != float64(0) {
		t.Errorf("api: %d %v", st, progs)
	}
}
