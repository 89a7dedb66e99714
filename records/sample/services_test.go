package sample

import (
	"slices"
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
)

// The services' sample records pass the hub's checks (the health checks as
// edits of the person's row), cover every service table and what the demo
// shows (certificates, a loan, a subsidy and a guidance, returnees going
// out again, a case closed with its outcome, two job fairs with postings,
// regular jobs and postings suiting older workers, older workers'
// health checks), name only rows they make, and give no certificate
// number twice.
func TestServices(t *testing.T) {
	workers := Workers(300, 1, testKey, "甲站")
	hist := history(t, workers, 1, nil)
	opt := ProgrammeOptions{Now: testNow, Station: "甲站", Key: testKey, History: hist}
	edits, err := Services(workers, opt)
	if err != nil {
		t.Fatal(err)
	}
	byRow := map[string]replica.Edit{}
	for _, w := range workers {
		byRow[w.Row.String()] = w
	}
	made := map[string]map[string]bool{} // table -> ids
	var rows []replica.Edit
	healthChecks := 0
	for _, e := range edits {
		if e.Table == records.Workers {
			w, ok := byRow[e.Row.String()]
			if !ok {
				t.Fatalf("a health check of %s, not a sample person", e.Row)
			}
			if errs := records.CheckChange(records.Workers, values(w), values(e), testNow); len(errs) > 0 {
				t.Errorf("the health check of %s refused: %v", e.Row, errs[0])
			}
			if id, _ := columnValue(w, "id_number").(string); !records.DefaultOlder.Older(id, testNow) {
				t.Errorf("a health check of %s, not an older worker", e.Row)
			}
			healthChecks++
			continue
		}
		rows = append(rows, e)
		if made[e.Table] == nil {
			made[e.Table] = map[string]bool{}
		}
		made[e.Table][e.Row.String()] = true
		if columnValue(e, "station") != "甲站" {
			t.Errorf("%s %s: station %v", e.Table, e.Row, columnValue(e, "station"))
		}
		if w, ok := columnValue(e, "worker_id").(string); ok && byRow[w].Row.IsZero() {
			t.Errorf("%s %s names %s, not a sample person", e.Table, e.Row, w)
		}
	}
	checkAll(t, rows, testNow)
	for _, tb := range append(slices.Clone(records.ServiceCountyTables), records.ServicePersonTables...) {
		if len(made[tb]) == 0 {
			t.Errorf("no sample %s", tb)
		}
	}
	// Every reference names a row the sample makes.
	for _, e := range rows {
		for _, ref := range records.RefsFrom(e.Table) {
			if v, _ := columnValue(e, ref.Column).(string); v != "" && !made[ref.Table][v] {
				t.Errorf("%s %s: %s %s is no sample %s", e.Table, e.Row, ref.Column, v, ref.Table)
			}
		}
	}
	certs := map[string]bool{}
	var certificates, loans, subsidies, guidance, away, closed, jobs, older, atFairs int
	today := testNow.Format(records.DateLayout)
	for _, e := range rows {
		switch e.Table {
		case records.TrainingEnrolments:
			if no, _ := columnValue(e, "certificate_no").(string); no != "" {
				k := columnValue(e, "certificate_kind").(string) + "/" + no
				if certs[k] {
					t.Errorf("certificate %s twice", k)
				}
				certs[k] = true
				certificates++
			}
		case records.StartupSupport:
			switch columnValue(e, "support_kind") {
			case records.SupportLoan:
				loans++
			case records.SupportSubsidy:
				subsidies++
			case records.SupportExpert:
				guidance++
			}
		case records.Returns:
			if d := columnValue(e, "returned_on").(string); d > today {
				t.Errorf("a return on %s, after today", d)
			}
			if columnValue(e, "intention") == records.IntentAway {
				away++
			}
		case records.RightsCases:
			if columnValue(e, "case_status") == records.RightsClosed && columnValue(e, "case_outcome") != nil {
				closed++
			}
		case records.Gigs:
			if columnValue(e, "kind") == records.GigKindJob && columnValue(e, "wage_unit") == records.MonthlyWageUnit &&
				columnValue(e, "settlement") == records.MonthlySettlement {
				jobs++
			}
			if columnValue(e, "suits_older") == true {
				older++
			}
			if columnValue(e, "job_fair_id") != nil {
				atFairs++
			}
		}
	}
	kinds := map[any]bool{}
	for _, e := range rows {
		if e.Table == records.Trainings {
			kinds[columnValue(e, "kind")] = true
		}
	}
	for _, k := range []string{"技能", "安全", "农业技术", "乡村工匠"} {
		if !kinds[k] {
			t.Errorf("no sample course of kind %s", k)
		}
	}
	if certificates < 3 || loans == 0 || subsidies == 0 || guidance == 0 || away < 2 || away == len(made[records.Returns]) ||
		closed != 1 || len(made[records.RightsCases]) < 2 || len(made[records.JobFairs]) != 2 || jobs < 2 || older < 2 ||
		atFairs < 4 || healthChecks < 3 {
		t.Errorf("certificates %d, loans %d, subsidies %d, guidance %d, returnees going out again %d of %d, cases closed "+
			"with outcome %d of %d, fairs %d, jobs %d, postings suiting older workers %d, at fairs %d, health checks %d: "+
			"too few to show", certificates, loans, subsidies, guidance, away, len(made[records.Returns]), closed,
			len(made[records.RightsCases]), len(made[records.JobFairs]), jobs, older, atFairs, healthChecks)
	}
	// Another station's sample gives none of these certificate numbers.
	otherWorkers := Workers(200, 2, testKey, "乙站")
	other, err := Services(otherWorkers, ProgrammeOptions{Now: testNow, Station: "乙站", Key: testKey,
		History: history(t, otherWorkers, 2, nil)})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range other {
		if no, _ := columnValue(e, "certificate_no").(string); no != "" &&
			certs[columnValue(e, "certificate_kind").(string)+"/"+no] {
			t.Errorf("certificate %s in both stations' samples", no)
		}
	}
	again, _ := Services(workers, opt)
	if len(again) != len(edits) || again[len(again)-1].Row != edits[len(edits)-1].Row {
		t.Error("the services are not deterministic")
	}
	if few, err := Services(workers[:10], opt); err != nil || few != nil {
		t.Errorf("ten people: %d edits, %v", len(few), err)
	}
}
