package station

import (
	"context"
	"slices"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
)

// matchNames lists the workers of ms by name.
func matchNames(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Worker.Name)
	}
	return out
}

// A completed course counts as its skill in matching, for a gig and a
// regular job alike: the trained person matches a posting asking for the
// skill as one who has it on their record does (same score, the skill
// marked as trained); an enrolment not completed, or in a course of another
// skill, does not count.
func TestMatchTrainedSkills(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	person := func(seq int, name string, skills ...string) ident.ID {
		w := testWorker(idNumber("19900101", seq))
		w.Name, w.Skills = name, skills
		id, err := f.st.CreateWorker(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	trained := person(11, "阿拉坦")
	onRecord := person(13, "宝音", "电工")
	notDone := person(15, "朝鲁")
	otherCourse := person(17, "达来")
	course := func(name, skill string) string {
		id, err := f.st.SaveProgramme(ctx, records.Trainings, ident.Zero, &records.Training{Course: name, Kind: "技能",
			Skill: skill, StartOn: "2026-09-01", EndOn: "2026-09-30"})
		if err != nil {
			t.Fatal(err)
		}
		return id.String()
	}
	electric, weld := course("低压电工", "电工"), course("焊工", "电焊")
	enrol := func(w ident.ID, c string, done bool, certNo string) {
		e := &records.TrainingEnrolment{WorkerID: w.String(), TrainingID: c, Completed: done}
		if certNo != "" {
			e.CertificateKind, e.CertificateNo = "专项职业能力证书", certNo
		}
		if _, err := f.st.SaveProgramme(ctx, records.TrainingEnrolments, ident.Zero, e); err != nil {
			t.Fatal(err)
		}
	}
	enrol(trained, electric, true, "Z-1")
	enrol(notDone, electric, false, "")
	enrol(otherCourse, weld, true, "")

	if sk, err := f.st.TrainedSkills(ctx, trained); err != nil || !slices.Equal(sk, []string{"电工"}) {
		t.Fatalf("trained skills: %v %v", sk, err)
	}
	gig := testGig(5)
	gig.Title, gig.Occupation, gig.Skills = "线路检修", "电工", []string{"电工"}
	job := gig
	job.Title, job.Kind, job.WageUnit, job.Settlement, job.Wage = "物业电工", records.GigKindJob, records.MonthlyWageUnit,
		records.MonthlySettlement, 4500
	for _, g := range []records.Gig{gig, job} {
		gid, err := f.st.CreateGig(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := f.st.GigMatches(ctx, gid, 50)
		if err != nil {
			t.Fatal(err)
		}
		names := matchNames(ms)
		slices.Sort(names)
		if !slices.Equal(names, []string{"宝音", "阿拉坦"}) {
			t.Fatalf("%s (%s) matches %v, want the trained and the skilled", g.Title, g.Kind, names)
		}
		for _, m := range ms {
			wantTrained := []string{}
			if m.Worker.ID != trained && m.Worker.ID != onRecord {
				t.Errorf("%s matched %s", g.Title, m.Worker.Name)
			}
			if m.Worker.ID == trained {
				wantTrained = []string{"电工"}
			}
			if !slices.Equal(m.Skills, []string{"电工"}) || !slices.Equal(m.Trained, wantTrained) || m.Score != ms[0].Score {
				t.Errorf("%s: match of %s: %+v", g.Title, m.Worker.Name, m)
			}
		}
	}
	ms, err := f.st.WorkerMatches(ctx, trained)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, m := range ms {
		kinds = append(kinds, m.Gig.Kind)
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{records.GigKindJob, records.GigKindCasual}) {
		t.Fatalf("the trained person's matches: %v, want the job and the gig", kinds)
	}
	if ms, err := f.st.WorkerMatches(ctx, notDone); err != nil || len(ms) != 0 {
		t.Fatalf("an enrolment not completed matched: %v %v", ms, err)
	}
}

// An older worker's matches (the station's thresholds: a man from 50)
// list the postings that suit older workers first, even one that scores
// less; a younger worker's go by score alone.
func TestMatchOlderPrefersSuitsOlder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	older, err := f.st.CreateWorker(ctx, testWorker(idNumber("19700101", 11))) // a man of 56
	if err != nil {
		t.Fatal(err)
	}
	younger, err := f.st.CreateWorker(ctx, testWorker(idNumber("19950101", 13)))
	if err != nil {
		t.Fatal(err)
	}
	near := testGig(5) // the township: scores more
	near.Title, near.AgeMax = "近处采摘", 0
	far := near // another township of the county, suits older workers
	far.Title, far.Place, far.SuitsOlder = "大龄专岗", "150421101", true
	for _, g := range []records.Gig{near, far} {
		if _, err := f.st.CreateGig(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		w     ident.ID
		first string
	}{{older, "大龄专岗"}, {younger, "近处采摘"}} {
		ms, err := f.st.WorkerMatches(ctx, tc.w)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || ms[0].Gig.Title != tc.first {
			var got []string
			for _, m := range ms {
				got = append(got, m.Gig.Title)
			}
			t.Errorf("worker %s: matches %v, want %s first", tc.w, got, tc.first)
		}
	}
}

// A certificate number is unique per kind among the station's enrolments:
// another person's, or another enrolment of the same person's, is refused
// naming certificate_no; the enrolment keeping its own number saves.
func TestCertificateUnique(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, err := f.st.CreateWorker(ctx, testWorker(idNumber("19800101", 11)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.st.SaveProgramme(ctx, records.Trainings, ident.Zero, &records.Training{Course: "安全生产", Kind: "安全",
		StartOn: "2026-09-01"})
	if err != nil {
		t.Fatal(err)
	}
	e := &records.TrainingEnrolment{WorkerID: a.String(), TrainingID: c.String(), Completed: true,
		CertificateKind: "培训合格证书", CertificateNo: "A-1"}
	id, err := f.st.SaveProgramme(ctx, records.TrainingEnrolments, ident.Zero, e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SaveProgramme(ctx, records.TrainingEnrolments, id, e); err != nil {
		t.Fatalf("saving an enrolment with its own number: %v", err)
	}
	again := *e
	_, err = f.st.SaveProgramme(ctx, records.TrainingEnrolments, ident.Zero, &again)
	if fe, ok := records.AsFieldError(err); !ok || fe.Field != "certificate_no" || fe.Key != records.KeyCertificateTaken {
		t.Fatalf("a second enrolment with the number: %v", err)
	}
	if n, err := f.st.Enrolments(ctx, EnrolmentQuery{WorkerID: a.String()}); err != nil || len(n) != 1 {
		t.Fatalf("enrolments after the refusal: %v %v", n, err)
	}
}
