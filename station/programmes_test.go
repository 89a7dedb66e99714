package station

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// SaveProgramme refuses, naming the field, a record of a person the
// station does not hold, a post that does not exist, and an edit of a
// county-wide row another station (or the county) made; it writes the
// rest with the station's name.
func TestSaveProgrammeRefuses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	w, err := f.st.CreateWorker(ctx, records.Worker{IDNumber: idNumber("19700101", 1), Name: "乌云", Ethnicity: "蒙古族",
		HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"})
	if err != nil {
		t.Fatal(err)
	}
	post := &records.WelfarePost{Name: "村保洁员", Village: "150421100201", Kind: "保洁环卫", Headcount: 2, Subsidy: 500,
		Employer: "红旗嘎查村委会"}
	postID, err := f.st.SaveProgramme(ctx, records.WelfarePosts, ident.Zero, post)
	if err != nil {
		t.Fatal(err)
	}
	placement := func(worker, post string) *records.WelfarePlacement {
		return &records.WelfarePlacement{WorkerID: worker, PostID: post, ContractKind: "劳务协议",
			ContractStart: "2026-03-01", ContractEnd: "2027-02-28", InsuranceKind: "工伤保险",
			InsuranceStart: "2026-03-01", InsuranceEnd: "2027-02-28"}
	}
	stranger := "0000000000000000000000000000000a"
	for _, tc := range []struct {
		name  string
		rec   ProgrammeRecord
		field string
	}{
		{"unknown person", placement(stranger, postID.String()), "worker_id"},
		{"unknown post", placement(w.String(), stranger), "post_id"},
	} {
		_, err := f.st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero, tc.rec)
		fe, ok := records.AsFieldError(err)
		if !ok || fe.Field != tc.field {
			t.Errorf("%s: got %v, want a refusal of %s", tc.name, err, tc.field)
		}
	}
	pid, err := f.st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero, placement(w.String(), postID.String()))
	if err != nil {
		t.Fatal(err)
	}
	// The same person spelled in capitals is the same person: the second
	// overlapping placement is refused, not let through as another id.
	_, err = f.st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero,
		placement(strings.ToUpper(w.String()), strings.ToUpper(postID.String())))
	if fe, ok := records.AsFieldError(err); !ok || fe.Key != records.KeyInWelfarePost {
		t.Fatalf("a second placement with the id in capitals: %v, want %s", err, records.KeyInWelfarePost)
	}
	// One assessment a month per placement.
	assess := func() *records.WelfareAssessment {
		return &records.WelfareAssessment{WorkerID: w.String(), PlacementID: pid.String(), Month: "2026-04", Result: "合格"}
	}
	if _, err := f.st.SaveProgramme(ctx, records.WelfareAssessments, ident.Zero, assess()); err != nil {
		t.Fatal(err)
	}
	_, err = f.st.SaveProgramme(ctx, records.WelfareAssessments, ident.Zero, assess())
	if fe, ok := records.AsFieldError(err); !ok || fe.Field != "month" || fe.Key != records.KeyMonthAssessed {
		t.Fatalf("a second assessment of April: %v, want %s on month", err, records.KeyMonthAssessed)
	}
	// A placement with an assessment is not deleted from under it.
	var inUse *ConflictError
	if err := f.st.DeleteProgramme(ctx, records.WelfarePlacements, pid); !errors.As(err, &inUse) || inUse.Key != records.KeyInUse {
		t.Fatalf("delete of a placement with an assessment: %v", err)
	}
	var station string
	if err := f.r.DB().QueryRow(`SELECT station FROM welfare_placements WHERE id = ?`, pid[:]).Scan(&station); err != nil ||
		station != f.cfg.Name {
		t.Fatalf("placement's station = %q, %v; want %q", station, err, f.cfg.Name)
	}
	// A post the county made (as the hub's relay would bring it).
	county, _ := ident.NewTimeOrdered(testNow)
	set := append(post.Columns(), replica.ColumnValue{Column: "station", Value: records.County})
	if _, err := f.r.Write(ctx, replica.Edit{Table: records.WelfarePosts, Row: county, Set: set}); err != nil {
		t.Fatal(err)
	}
	post.Headcount = 5
	_, err = f.st.SaveProgramme(ctx, records.WelfarePosts, county, post)
	if fe, ok := records.AsFieldError(err); !ok || fe.Key != records.KeyNotMaker {
		t.Fatalf("edit of the county's post: %v, want %s", err, records.KeyNotMaker)
	}
	// A post a placement names is not deleted.
	var conflict *ConflictError
	if err := f.st.DeleteProgramme(ctx, records.WelfarePosts, postID); !errors.As(err, &conflict) || conflict.Key != records.KeyInUse {
		t.Fatalf("delete of a post in use: %v", err)
	}
}

// A person sent out in an export batch is not placed in a welfare post
// whose term holds that day (the rule the station applies the other way
// round when it sends a person).
func TestWelfarePlacementAfterSendingOut(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	w, err := f.st.CreateWorker(ctx, records.Worker{IDNumber: idNumber("19750101", 2), Name: "巴特尔", Ethnicity: "蒙古族",
		HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"})
	if err != nil {
		t.Fatal(err)
	}
	post, err := f.st.SaveProgramme(ctx, records.WelfarePosts, ident.Zero, &records.WelfarePost{Name: "护林员",
		Village: "150421100201", Kind: "护林防火", Headcount: 1, Employer: "嘎查村委会"})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := f.st.SaveProgramme(ctx, records.ExportBatches, ident.Zero, &records.ExportBatch{SentOn: "2026-06-10",
		Destination: "浙江省宁波市"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SaveProgramme(ctx, records.ExportMembers, ident.Zero,
		&records.ExportMember{WorkerID: w.String(), BatchID: batch.String()}); err != nil {
		t.Fatal(err)
	}
	place := func(start, end string) error {
		_, err := f.st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero, &records.WelfarePlacement{
			WorkerID: w.String(), PostID: post.String(), ContractKind: "劳务协议", ContractStart: start, ContractEnd: end,
			InsuranceKind: "工伤保险", InsuranceStart: start, InsuranceEnd: end})
		return err
	}
	err = place("2026-06-01", "2026-12-31")
	if fe, ok := records.AsFieldError(err); !ok || fe.Field != "contract_start" || fe.Key != records.KeySentOut {
		t.Fatalf("a placement over the day the person was sent out: %v, want %s", err, records.KeySentOut)
	}
	if err := place("2026-06-11", "2026-12-31"); err != nil {
		t.Fatalf("a placement from the day after: %v", err)
	}
}

// A person who left the station's lists (迁出, 死亡) gets no new programme
// or service record, as a gig placement refuses them: their records stay
// and may still be edited (an exit written after they left).
func TestSaveProgrammeRefusesLeftPerson(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	w, err := f.st.CreateWorker(ctx, records.Worker{IDNumber: idNumber("19700101", 2), Name: "巴特尔", Ethnicity: "蒙古族",
		HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"})
	if err != nil {
		t.Fatal(err)
	}
	shop, err := f.st.SaveProgramme(ctx, records.Workshops, ident.Zero, &records.Workshop{Name: "车间", Village: "150421100201"})
	if err != nil {
		t.Fatal(err)
	}
	job := &records.WorkshopJob{WorkerID: w.String(), WorkshopID: shop.String(), StartOn: "2026-01-01"}
	jid, err := f.st.SaveProgramme(ctx, records.WorkshopJobs, ident.Zero, job)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.Leave(ctx, w, records.Leave{LeftReason: "迁出", LeftOn: "2026-06-01"}); err != nil {
		t.Fatal(err)
	}
	var left *ConflictError
	_, err = f.st.SaveProgramme(ctx, records.WorkshopJobs, ident.Zero,
		&records.WorkshopJob{WorkerID: w.String(), WorkshopID: shop.String(), StartOn: "2026-07-01"})
	if !errors.As(err, &left) || left.Field != "worker_id" || left.Key != records.KeyAlreadyLeft {
		t.Fatalf("a new record of a person who left: %v, want %s on worker_id", err, records.KeyAlreadyLeft)
	}
	job.EndOn = "2026-05-31"
	if _, err := f.st.SaveProgramme(ctx, records.WorkshopJobs, jid, job); err != nil {
		t.Fatalf("ending the job of a person who left: %v", err)
	}
}

// A post's headcount is not lowered below the people it holds at once:
// two placements at the same time keep it at two; once they no longer
// overlap, one is enough.
func TestPostHeadcountNotBelowHeld(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	post := &records.WelfarePost{Name: "护林员", Village: "150421100201", Kind: "护林防火", Headcount: 2, Subsidy: 600,
		Employer: "红旗嘎查村委会"}
	postID, err := f.st.SaveProgramme(ctx, records.WelfarePosts, ident.Zero, post)
	if err != nil {
		t.Fatal(err)
	}
	var placements, workers []ident.ID
	for i, start := range []string{"2026-01-01", "2026-03-01"} {
		w, err := f.st.CreateWorker(ctx, records.Worker{IDNumber: idNumber("19700101", 10+i), Name: "护林员", Ethnicity: "汉族",
			HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"})
		if err != nil {
			t.Fatal(err)
		}
		pid, err := f.st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero, &records.WelfarePlacement{
			WorkerID: w.String(), PostID: postID.String(), ContractKind: "劳务协议", ContractStart: start,
			ContractEnd: "2026-12-31", InsuranceKind: "工伤保险", InsuranceStart: start, InsuranceEnd: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		placements, workers = append(placements, pid), append(workers, w)
	}
	post.Headcount = 1
	_, err = f.st.SaveProgramme(ctx, records.WelfarePosts, postID, post)
	if fe, ok := records.AsFieldError(err); !ok || fe.Field != "headcount" || fe.Key != records.KeyBelowPlaced {
		t.Fatalf("headcount 1 under two people at once: %v, want %s on headcount", err, records.KeyBelowPlaced)
	}
	// The first leaves before the second starts: one at a time.
	p := &records.WelfarePlacement{WorkerID: workers[0].String(), PostID: postID.String(), ContractKind: "劳务协议",
		ContractStart: "2026-01-01", ContractEnd: "2026-12-31", InsuranceKind: "工伤保险", InsuranceStart: "2026-01-01",
		InsuranceEnd: "2026-12-31", ExitOn: "2026-03-01", ExitReason: "本人申请"}
	if _, err := f.st.SaveProgramme(ctx, records.WelfarePlacements, placements[0], p); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SaveProgramme(ctx, records.WelfarePosts, postID, post); err != nil {
		t.Fatalf("headcount 1 with one person at a time: %v", err)
	}
}
