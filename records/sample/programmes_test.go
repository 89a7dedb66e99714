package sample

import (
	"slices"
	"testing"

	"fieldsync/records"
)

// The programmes' sample records pass the hub's checks, cover every table
// and what the demo shows (part-time posts, a contract ending this month,
// 脱贫人口 in the workshop, people paid and sent out), and break none of
// the hub's rules across them.
func TestProgrammes(t *testing.T) {
	workers := Workers(300, 1, testKey, "甲站")
	hist := history(t, workers, 1, nil)
	edits, err := Programmes(workers, ProgrammeOptions{Now: testNow, Station: "甲站", Key: testKey, History: hist})
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, edits, testNow)
	byTable := map[string]int{}
	for _, e := range edits {
		byTable[e.Table]++
		if columnValue(e, "station") != "甲站" {
			t.Errorf("%s %s: station %v", e.Table, e.Row, columnValue(e, "station"))
		}
	}
	for _, tb := range append(slices.Clone(records.ProgrammeCountyTables), records.ProgrammePersonTables...) {
		if byTable[tb] == 0 {
			t.Errorf("no sample %s", tb)
		}
	}
	tags := map[string][]string{}
	for _, w := range workers {
		tags[w.Row.String()], _ = columnValue(w, "tags").([]string)
	}
	away := map[string][]string{} // worker -> months 区外
	for _, e := range hist {
		if e.Table == records.MonthlyStatus && columnValue(e, "work_scope") == records.ScopeAway {
			w := columnValue(e, "worker_id").(string)
			away[w] = append(away[w], columnValue(e, "month").(string))
		}
	}
	willing := map[string]bool{} // on this month's 有意愿外出 list
	for _, e := range hist {
		if e.Table == records.MonthlyStatus && columnValue(e, "month") == "2026-12" && columnValue(e, "willing_away") == true {
			willing[columnValue(e, "worker_id").(string)] = true
		}
	}
	inPost := map[string]bool{}
	endingNow, partTime := 0, 0
	for _, e := range edits {
		w, _ := columnValue(e, "worker_id").(string)
		switch e.Table {
		case records.WelfarePlacements:
			if inPost[w] {
				t.Errorf("%s placed twice", w)
			}
			inPost[w] = true
			if len(away[w]) > 0 {
				t.Errorf("%s is in a welfare post and worked 区外 in %v", w, away[w])
			}
			if end := columnValue(e, "contract_end").(string); end == "2026-12-31" {
				endingNow++
			}
			if columnValue(e, "part_time") == true {
				partTime++
			}
		case records.WorkshopJobs:
			if !slices.Contains(tags[w], "脱贫人口") {
				t.Errorf("%s works in the workshop and is not 脱贫人口: %v", w, tags[w])
			}
		}
	}
	for _, e := range edits {
		if w, _ := columnValue(e, "worker_id").(string); e.Table == records.ExportMembers && inPost[w] {
			t.Errorf("%s is in a welfare post and was sent out", w)
		}
		if w, _ := columnValue(e, "worker_id").(string); e.Table == records.ExportMembers && !willing[w] {
			t.Errorf("%s was sent out and is not on this month's 有意愿外出 list", w)
		}
	}
	if endingNow != 1 || partTime == 0 || byTable[records.WelfarePlacements] < 4 || byTable[records.ExportMembers] < 2 {
		t.Errorf("%d contracts ending this month, %d part-time placements, %v: too few to show", endingNow, partTime, byTable)
	}
	again, _ := Programmes(workers, ProgrammeOptions{Now: testNow, Station: "甲站", Key: testKey, History: hist})
	if len(again) != len(edits) || again[len(again)-1].Row != edits[len(edits)-1].Row {
		t.Error("the programmes are not deterministic")
	}
	if few, err := Programmes(workers[:10], ProgrammeOptions{Now: testNow, Station: "甲站", Key: testKey}); err != nil || few != nil {
		t.Errorf("ten people: %d edits, %v", len(few), err)
	}
}
