package station

import (
	"context"
	"errors"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
)

// labourPerson registers a person at f's station and returns the id.
func labourPerson(t *testing.T, f *fixture, seq int) ident.ID {
	t.Helper()
	id, err := f.st.CreateWorker(context.Background(), records.Worker{IDNumber: idNumber("19800101", seq), Name: "巴特尔",
		Ethnicity: "蒙古族", HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// wantLabourRefusal checks that err refuses field with key (any key when key is "").
func wantLabourRefusal(t *testing.T, what string, err error, field, key string) {
	t.Helper()
	fe, ok := records.AsFieldError(err)
	if field == "" {
		if err != nil {
			t.Errorf("%s: %v, want it accepted", what, err)
		}
		return
	}
	if !ok || fe.Field != field || (key != "" && fe.Key != key) {
		t.Errorf("%s: got %v, want a refusal of %s (%s)", what, err, field, key)
	}
}

func TestSharedEmploymentRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	w, other := labourPerson(t, f, 1), labourPerson(t, f, 3)
	job := func(worker ident.ID, start, end string) *records.SharedJob {
		return &records.SharedJob{WorkerID: worker.String(), OriginalEmployer: "鄂尔多斯某煤矿", ContractEnd: "2026-12-31",
			HostEmployer: "包头某物流", StartOn: start, EndOn: end}
	}
	first, err := f.st.SaveProgramme(ctx, records.SharedEmployment, ident.Zero, job(w, "2026-03-01", "2026-08-31"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		id         ident.ID
		rec        *records.SharedJob
		field, key string
	}{
		{"end after the original contract", ident.Zero, job(w, "2026-10-01", "2027-01-31"), "end_on", records.KeyBeyondContract},
		{"overlaps the first agreement", ident.Zero, job(w, "2026-06-01", "2026-09-30"), "start_on", records.KeySharedOverlap},
		{"inside the first agreement", ident.Zero, job(w, "2026-04-01", "2026-04-30"), "start_on", records.KeySharedOverlap},
		{"starts on the first's last day", ident.Zero, job(w, "2026-08-31", "2026-09-30"), "start_on", records.KeySharedOverlap},
		{"the first agreement edited", first, job(w, "2026-03-01", "2026-09-15"), "", ""},
		{"after the first", ident.Zero, job(w, "2026-09-16", "2026-12-31"), "", ""},
		{"another person, same term", ident.Zero, job(other, "2026-03-01", "2026-08-31"), "", ""},
	} {
		_, err := f.st.SaveProgramme(ctx, records.SharedEmployment, tc.id, tc.rec)
		wantLabourRefusal(t, tc.name, err, tc.field, tc.key)
	}
	// The refusal names the agreement in the way.
	_, err = f.st.SaveProgramme(ctx, records.SharedEmployment, ident.Zero, job(w, "2026-05-01", "2026-05-31"))
	if fe, ok := records.AsFieldError(err); !ok || fe.Message("zh") != "该人员在此期间已有另一份共享用工协议（2026-03-01至2026-09-15）" {
		t.Errorf("overlap message: %v", err)
	}
}

func TestWorkReliefJobWithinProject(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	w := labourPerson(t, f, 1)
	project := func(start, end string) ident.ID {
		id, err := f.st.SaveProgramme(ctx, records.WorkReliefProjects, ident.Zero, &records.WorkReliefProject{
			Name: "嘎查道路硬化", Place: "150421100201", Owner: "乡政府", StartOn: start, EndOn: end})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	closed, open := project("2026-04-01", "2026-10-31"), project("2026-04-01", "")
	job := func(p ident.ID, start, end string) *records.WorkReliefJob {
		return &records.WorkReliefJob{WorkerID: w.String(), ProjectID: p.String(), StartOn: start, EndOn: end, Pay: 3200}
	}
	for _, tc := range []struct {
		name       string
		rec        *records.WorkReliefJob
		field, key string
	}{
		{"starts before the project", job(closed, "2026-03-20", "2026-05-01"), "start_on", records.KeyOutsideProject},
		{"ends after the project", job(closed, "2026-05-01", "2026-11-15"), "end_on", records.KeyOutsideProject},
		{"no end in a project that ends", job(closed, "2026-05-01", ""), "end_on", records.KeyOutsideProject},
		{"starts after the project ended", job(closed, "2026-11-01", "2026-11-30"), "start_on", records.KeyOutsideProject},
		{"within the project", job(closed, "2026-04-01", "2026-10-31"), "", ""},
		{"open project, open job", job(open, "2026-06-01", ""), "", ""},
		{"open project, job before it", job(open, "2026-01-01", ""), "start_on", records.KeyOutsideProject},
		{"no such project", job(ident.ID{1}, "2026-06-01", ""), "project_id", records.KeyNoProgrammeRow},
	} {
		_, err := f.st.SaveProgramme(ctx, records.WorkReliefJobs, ident.Zero, tc.rec)
		wantLabourRefusal(t, tc.name, err, tc.field, tc.key)
	}
	// The projects' terms now hold a job each (04-01..10-31 and 06-01..open):
	// a new term may not leave it out.
	edit := func(start, end string) *records.WorkReliefProject {
		return &records.WorkReliefProject{Name: "嘎查道路硬化", Place: "150421100201", StartOn: start, EndOn: end}
	}
	for _, tc := range []struct {
		name       string
		id         ident.ID
		rec        *records.WorkReliefProject
		field, key string
	}{
		{"start moved after a job's", closed, edit("2026-05-01", "2026-10-31"), "start_on", records.KeyJobsOutside},
		{"end moved before a job's", closed, edit("2026-04-01", "2026-09-30"), "end_on", records.KeyJobsOutside},
		{"an end with an open job", open, edit("2026-04-01", "2026-12-31"), "end_on", records.KeyJobsOutside},
		{"a longer term", closed, edit("2026-03-01", "2026-12-31"), "", ""},
	} {
		_, err := f.st.SaveProgramme(ctx, records.WorkReliefProjects, tc.id, tc.rec)
		wantLabourRefusal(t, tc.name, err, tc.field, tc.key)
	}
}

// labourWelfarePlacement places worker in a new welfare post from start to end
// (exit when not "").
func labourWelfarePlacement(t *testing.T, f *fixture, worker ident.ID, start, end, exit string) {
	t.Helper()
	ctx := context.Background()
	post, err := f.st.SaveProgramme(ctx, records.WelfarePosts, ident.Zero, &records.WelfarePost{Name: "护林员",
		Village: "150421100201", Kind: "护林防火", Headcount: 1, Subsidy: 600, Employer: "红旗嘎查村委会"})
	if err != nil {
		t.Fatal(err)
	}
	p := &records.WelfarePlacement{WorkerID: worker.String(), PostID: post.String(), ContractKind: "劳务协议",
		ContractStart: start, ContractEnd: end, InsuranceKind: "人身意外伤害保险", InsuranceStart: start, InsuranceEnd: end}
	if exit != "" {
		p.ExitOn, p.ExitReason = exit, "外出务工"
	}
	if _, err := f.st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero, p); err != nil {
		t.Fatal(err)
	}
}

func TestExportRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	held, left, free := labourPerson(t, f, 1), labourPerson(t, f, 3), labourPerson(t, f, 5)
	labourWelfarePlacement(t, f, held, "2026-03-01", "2027-02-28", "")
	labourWelfarePlacement(t, f, left, "2026-03-01", "2027-02-28", "2026-05-01")
	region, err := f.st.SaveProgramme(ctx, records.PartnerRegions, ident.Zero, &records.PartnerRegion{Name: "北京市", Kind: "东西部协作"})
	if err != nil {
		t.Fatal(err)
	}
	batch := func(day string) ident.ID {
		id, _, err := f.st.SaveExportBatch(ctx, ident.Zero, &records.ExportBatch{SentOn: day, Destination: "北京市大兴区",
			PartnerRegionID: region.String()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	may, feb := batch("2026-05-10"), batch("2026-02-10")
	for _, tc := range []struct {
		name       string
		worker     ident.ID
		batch      ident.ID
		field, key string
	}{
		{"in a welfare post on the day", held, may, "worker_id", records.KeyInWelfarePost},
		{"before the welfare contract", held, feb, "", ""},
		{"after leaving the post", left, may, "", ""},
		{"in the post before leaving", left, feb, "", ""},
		{"never in a welfare post", free, may, "", ""},
	} {
		_, err := f.st.SaveProgramme(ctx, records.ExportMembers, ident.Zero,
			&records.ExportMember{WorkerID: tc.worker.String(), BatchID: tc.batch.String()})
		wantLabourRefusal(t, tc.name, err, tc.field, tc.key)
		if tc.key == records.KeyInWelfarePost {
			if fe, _ := records.AsFieldError(err); fe == nil || fe.Args[0] != "2026-03-01至2027-02-28" {
				t.Errorf("%s: the refusal names %v, want the placement's term", tc.name, err)
			}
		}
	}
	// Moving the February batch (held was sent in it) into the placement.
	_, err = f.st.SaveProgramme(ctx, records.ExportBatches, feb, &records.ExportBatch{SentOn: "2026-04-10", Destination: "北京市大兴区"})
	wantLabourRefusal(t, "batch moved into a welfare term", err, "sent_on", records.KeyInWelfarePost)
	// A partner region that does not exist.
	_, _, err = f.st.SaveExportBatch(ctx, ident.Zero, &records.ExportBatch{SentOn: "2026-06-01", Destination: "天津市",
		PartnerRegionID: ident.ID{7}.String()}, nil)
	wantLabourRefusal(t, "unknown partner region", err, "partner_region_id", records.KeyNoProgrammeRow)
}

// A batch given with its people is written whole or not at all: one
// person refused (here in a welfare post, or not held) refuses the batch
// and every member, and says which person.
func TestExportBatchWithPeopleIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a, b, inPost := labourPerson(t, f, 1), labourPerson(t, f, 3), labourPerson(t, f, 5)
	labourWelfarePlacement(t, f, inPost, "2026-03-01", "2027-02-28", "")
	count := func(table string) int {
		var n int
		if err := f.r.DB().QueryRow(`SELECT count(*) FROM ` + table + ` WHERE fs_deleted = 0`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	rec := func() *records.ExportBatch {
		return &records.ExportBatch{SentOn: "2026-06-01", Destination: "江苏省苏州市", Employer: "某电子厂", LabourBrand: "草原保姆"}
	}
	for _, tc := range []struct {
		name   string
		people []string
		index  int
		field  string
	}{
		{"a person in a welfare post", []string{a.String(), idNumber("19800101", 3), inPost.String()}, 3, "worker_id"},
		{"a person not held", []string{a.String(), idNumber("19900101", 7)}, 2, "worker_id"},
		{"not a person at all", []string{"乌云"}, 1, "worker_id"},
	} {
		_, _, err := f.st.SaveExportBatch(ctx, ident.Zero, rec(), tc.people)
		var pe *BatchPersonError
		if !errors.As(err, &pe) || pe.Index != tc.index {
			t.Fatalf("%s: got %v, want person %d refused", tc.name, err, tc.index)
		}
		if fe, ok := records.AsFieldError(pe.Err); !ok || fe.Field != tc.field {
			t.Errorf("%s: the person's refusal is %v, want %s", tc.name, pe.Err, tc.field)
		}
		if n, m := count(records.ExportBatches), count(records.ExportMembers); n != 0 || m != 0 {
			t.Fatalf("%s: %d batches and %d members written, want none", tc.name, n, m)
		}
	}
	// Accepted: an id number resolves to the person held; a person twice is sent once.
	id, added, err := f.st.SaveExportBatch(ctx, ident.Zero, rec(), []string{a.String(), idNumber("19800101", 3), a.String()})
	if err != nil || len(added) != 2 || count(records.ExportMembers) != 2 {
		t.Fatalf("batch with two people: %v, %d added, %d members", err, len(added), count(records.ExportMembers))
	}
	page, err := f.st.LabourRows(ctx, LabourQuery{Table: records.ExportMembers, BatchID: id.String()})
	if err != nil || page.Total != 2 {
		t.Fatalf("members listed: %v %+v", err, page)
	}
	for _, m := range page.Rows {
		if w := m["worker_id"]; w != a.String() && w != b.String() {
			t.Errorf("member %v is neither person sent", w)
		}
	}
	// Adding again: already sent, nothing new; removing one leaves the other.
	if again, err := f.st.AddExportPeople(ctx, id, []string{b.String()}); err != nil || len(again) != 0 {
		t.Fatalf("add a person already sent: %v, %d added", err, len(again))
	}
	if err := f.st.RemoveExportPerson(ctx, id, b); err != nil || count(records.ExportMembers) != 1 {
		t.Fatalf("remove a person: %v, %d left", err, count(records.ExportMembers))
	}
	if err := f.st.RemoveExportPerson(ctx, id, b); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove a person not sent: %v", err)
	}
}
