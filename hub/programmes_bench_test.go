package hub_test

import (
	"context"
	"testing"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// BenchmarkProgrammeLists reads the county's welfare lists over 4,000
// part-time placements (each with its month's assessment and status)
// among 20,000 people: the 应退出 list of the month, all placements, the
// posts with how many hold each.
func BenchmarkProgrammeLists(b *testing.B) {
	const people, placed, posts = 20000, 4000, 200
	dir := b.TempDir()
	if err := hub.Init(dir, "测试县", "http://127.0.0.1:1"); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	hb, err := hub.Open(ctx, hub.Options{Dir: dir, Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { hb.Close() })
	h := &struct{ hub *hub.Hub }{hb}
	key := h.hub.Replica().Key()
	month := h.hub.Now().In(h.hub.Zone()).Format(records.MonthLayout)
	start := month + "-01"
	var postIDs []ident.ID
	for i := range posts {
		id, err := h.hub.SaveCountyProgramme(ctx, records.WelfarePosts, ident.ID{}, &records.WelfarePost{Name: "岗位",
			Village: "150421100001", Kind: records.WelfarePostKinds[i%len(records.WelfarePostKinds)], Headcount: 30,
			Subsidy: 500, PartTime: true, Employer: "县"}, access.Actor{User: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		postIDs = append(postIDs, id)
	}
	var edits []replica.Edit
	flush := func() {
		if _, err := h.hub.Write(ctx, edits...); err != nil {
			b.Fatal(err)
		}
		edits = edits[:0]
	}
	for i := range people {
		w := hubtest.WorkerEdit(key, hubtest.IDNumber(i), "某某", "")
		edits = append(edits, w)
		if i < placed {
			pl := hubtest.NewRowID(b)
			p := records.WelfarePlacement{WorkerID: w.Row.String(), PostID: postIDs[i%posts].String(),
				ContractKind: records.ContractKinds[0], ContractStart: start, ContractEnd: records.LastContractDay(start),
				InsuranceKind: records.InsuranceKinds[0], InsuranceStart: start, InsuranceEnd: records.LastContractDay(start),
				PartTime: true}
			income := float64(i % 1500)
			a := records.WelfareAssessment{WorkerID: w.Row.String(), PlacementID: pl.String(), Month: month,
				Result: records.AssessmentResults[1], OtherIncome: &income}
			edits = append(edits, replica.Edit{Table: records.WelfarePlacements, Row: pl, Set: p.Columns()},
				replica.Edit{Table: records.WelfareAssessments, Row: hubtest.NewRowID(b), Set: a.Columns()},
				hubtest.StatusEdit(key, w.Row, month, records.ListEmployed))
		}
		if len(edits) >= 2000 {
			flush()
		}
	}
	flush()
	f := hub.ProgrammeFilter{Month: month}
	b.Run("exits", func(b *testing.B) {
		for b.Loop() {
			if exits, err := h.hub.WelfareExitList(ctx, f); err != nil || len(exits) == 0 {
				b.Fatal(len(exits), err)
			}
		}
	})
	b.Run("placements", func(b *testing.B) {
		for b.Loop() {
			if rows, err := h.hub.WelfarePlacementList(ctx, f); err != nil || len(rows) != placed {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("posts", func(b *testing.B) {
		for b.Loop() {
			if rows, err := h.hub.WelfarePostList(ctx, f); err != nil || len(rows) != posts {
				b.Fatal(len(rows), err)
			}
		}
	})
}
