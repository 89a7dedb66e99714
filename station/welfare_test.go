package station

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
)

// welfareSetup holds a station with people and welfare posts.
type welfareSetup struct {
	f       *fixture
	people  []string // worker ids
	post    string   // headcount 1, in the people's hukou village
	bigPost string   // headcount 5, in another village
}

const (
	homeVillage  = "150421100201"
	otherVillage = "150421100202"
)

func newWelfareSetup(t *testing.T) *welfareSetup {
	t.Helper()
	ctx := context.Background()
	ws := &welfareSetup{f: newFixture(t)}
	for i, birth := range []string{"19700101", "19800202", "19550303", "19900404"} {
		tags := []string{records.TagLifted}
		if i == 2 {
			tags = append(tags, "残疾") // 71 and disabled: no limit applies
		}
		w, err := ws.f.st.CreateWorker(ctx, records.Worker{IDNumber: idNumber(birth, i+1), Name: fmt.Sprintf("人员%d", i),
			Ethnicity: "蒙古族", HukouVillage: homeVillage, Education: "初中", LabourAbility: "普通劳动力", Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		ws.people = append(ws.people, w.String())
	}
	for _, p := range []struct {
		dst     *string
		village string
		n       int64
	}{{&ws.post, homeVillage, 1}, {&ws.bigPost, otherVillage, 5}} {
		id, err := ws.f.st.SaveProgramme(ctx, records.WelfarePosts, ident.Zero, &records.WelfarePost{Name: "保洁员",
			Village: p.village, Kind: "保洁环卫", Headcount: p.n, Subsidy: 500, Employer: "村委会"})
		if err != nil {
			t.Fatal(err)
		}
		*p.dst = id.String()
	}
	return ws
}

func placementFor(worker, post, start, end string) *records.WelfarePlacement {
	return &records.WelfarePlacement{WorkerID: worker, PostID: post, ContractKind: "劳务协议",
		ContractStart: start, ContractEnd: end, InsuranceKind: "工伤保险", InsuranceStart: start, InsuranceEnd: end}
}

// The welfare rules that need other rows each refuse, naming the field: a
// second placement of one person overlapping the first, a post placed
// beyond its headcount, an assessment of another person's placement or of
// a month outside the term. What they allow is written, with no age or
// disability limit.
func TestWelfareRules(t *testing.T) {
	ctx := context.Background()
	ws := newWelfareSetup(t)
	st := ws.f.st
	a, b, old := ws.people[0], ws.people[1], ws.people[2]
	first, err := st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero,
		placementFor(a, ws.post, "2026-03-01", "2027-02-28"))
	if err != nil {
		t.Fatal(err)
	}
	exited := placementFor(old, ws.bigPost, "2026-01-01", "2026-12-31")
	exited.ExitOn, exited.ExitReason = "2026-06-01", "本人申请"
	if _, err := st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero, exited); err != nil {
		t.Fatalf("a placement of a person of 71 with a disability: %v", err)
	}
	assessOf := func(worker string, placement ident.ID, month string) *records.WelfareAssessment {
		return &records.WelfareAssessment{WorkerID: worker, PlacementID: placement.String(), Month: month, Result: "合格"}
	}
	for _, tc := range []struct {
		name  string
		table string
		id    ident.ID
		rec   ProgrammeRecord
		field string // "" when written
		key   string
	}{
		{"second placement overlapping", records.WelfarePlacements, ident.Zero,
			placementFor(a, ws.bigPost, "2026-11-01", "2027-10-31"), "contract_start", records.KeyInWelfarePost},
		{"second placement inside the first", records.WelfarePlacements, ident.Zero,
			placementFor(a, ws.bigPost, "2026-04-01", "2026-05-31"), "contract_start", records.KeyInWelfarePost},
		{"editing the placement itself", records.WelfarePlacements, first,
			placementFor(a, ws.post, "2026-03-01", "2027-02-27"), "", ""},
		{"a post of headcount 1 taken", records.WelfarePlacements, ident.Zero,
			placementFor(b, ws.post, "2027-02-27", "2027-06-30"), "post_id", records.KeyPostFull},
		{"the post after the first contract ends", records.WelfarePlacements, ident.Zero,
			placementFor(b, ws.post, "2027-03-01", "2027-06-30"), "", ""},
		{"after an exit, the next placement", records.WelfarePlacements, ident.Zero,
			placementFor(old, ws.post, "2026-06-01", "2026-06-30"), "post_id", records.KeyPostFull},
		{"after an exit, another post", records.WelfarePlacements, ident.Zero,
			placementFor(old, ws.bigPost, "2026-06-01", "2026-06-30"), "", ""},
		{"assessment of another's placement", records.WelfareAssessments, ident.Zero,
			assessOf(b, first, "2026-04"), "placement_id", records.KeyOtherPlacement},
		{"assessment before the term", records.WelfareAssessments, ident.Zero,
			assessOf(a, first, "2026-02"), "month", records.KeyOutsideTerm},
		{"assessment after the term", records.WelfareAssessments, ident.Zero,
			assessOf(a, first, "2027-03"), "month", records.KeyOutsideTerm},
		{"assessment in the term", records.WelfareAssessments, ident.Zero,
			assessOf(a, first, "2027-02"), "", ""},
	} {
		_, err := st.SaveProgramme(ctx, tc.table, tc.id, tc.rec)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		fe, ok := records.AsFieldError(err)
		if !ok || fe.Field != tc.field || fe.Key != tc.key {
			t.Errorf("%s: got %v, want %s on %s", tc.name, err, tc.key, tc.field)
		}
	}
	// The refusal names the other placement's term.
	_, err = st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero, placementFor(a, ws.bigPost, "2026-12-01", "2027-01-31"))
	if fe, ok := records.AsFieldError(err); !ok || !slices.Contains(fe.Args, any("2026-03-01至2027-02-27")) {
		t.Fatalf("overlap refusal %v does not name the other term", err)
	}
	if msg := (&records.FieldError{Field: "post_id", Key: records.KeyPostFull, Args: []any{int64(1)}}).Message("zh"); msg !=
		"该乡村公益性岗位在此期间已满员（定员1人）" {
		t.Fatalf("headcount message %q", msg)
	}
}

// A placement counts the other placements at once on every day of its
// term: three people of a post of two never overlap all at once.
func TestWelfareHeadcountOverTime(t *testing.T) {
	ctx := context.Background()
	ws := newWelfareSetup(t)
	st := ws.f.st
	post, err := st.SaveProgramme(ctx, records.WelfarePosts, ident.Zero, &records.WelfarePost{Name: "护林员",
		Village: homeVillage, Kind: "护林防火", Headcount: 2, Employer: "林业站"})
	if err != nil {
		t.Fatal(err)
	}
	p := post.String()
	steps := []struct {
		rec  *records.WelfarePlacement
		full bool
	}{
		{placementFor(ws.people[0], p, "2026-01-01", "2026-06-30"), false},
		{placementFor(ws.people[1], p, "2026-04-01", "2026-12-31"), false},
		// Both are there in May: a third from May is one too many.
		{placementFor(ws.people[2], p, "2026-05-01", "2026-08-31"), true},
		// From July only the second is: a third fits.
		{placementFor(ws.people[2], p, "2026-07-01", "2026-08-31"), false},
		// From April two are there already.
		{placementFor(ws.people[3], p, "2026-02-01", "2026-07-15"), true},
	}
	for i, s := range steps {
		_, err := st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero, s.rec)
		fe, ok := records.AsFieldError(err)
		if s.full != (ok && fe.Key == records.KeyPostFull) || (!s.full && err != nil) {
			t.Errorf("step %d: %v, full = %v", i, err, s.full)
		}
	}
}

// monthStatus reads a person's status of a month: list, form, scope,
// place, method, verifier, date ("" fields when none).
func monthStatus(t *testing.T, f *fixture, worker, month string) []string {
	t.Helper()
	var v [7]sql.NullString
	err := f.r.DB().QueryRow(`SELECT list_type, employment_form, work_scope, place, verified_by_method, verified_by,
		verified_at FROM monthly_status WHERE worker_id = ? AND month = ? AND fs_deleted = 0`, worker, month).
		Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6])
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = s.String
	}
	return out
}

// A placement or a workshop job active in the station's month writes that
// month's status when the person has none (本村 at the post's village, else
// 乡外县内), in the same transaction; a month with a status keeps it, and a
// placement of another month writes none.
func TestProgrammeMonthStatus(t *testing.T) {
	ctx := context.Background()
	ws := newWelfareSetup(t)
	st := ws.f.st
	month, today := "2026-11", "2026-11-15"
	a, b, c, d := ws.people[0], ws.people[1], ws.people[2], ws.people[3]
	// b already has November's status.
	if _, _, err := st.SetMonthStatus(ctx, records.MonthStatus{WorkerID: b, Month: month, ListType: records.ListUnemployed,
		VerifiedByMethod: "电话", VerifiedBy: "其其格", VerifiedAt: "2026-11-02"}); err != nil {
		t.Fatal(err)
	}
	workshop, err := st.SaveProgramme(ctx, records.Workshops, ident.Zero, &records.Workshop{Name: "扶贫车间",
		Village: otherVillage})
	if err != nil {
		t.Fatal(err)
	}
	staff := WithUser(ctx, "其其格")
	for _, s := range []struct {
		ctx   context.Context
		table string
		rec   ProgrammeRecord
	}{
		{ctx, records.WelfarePlacements, placementFor(a, ws.post, "2026-11-20", "2027-11-19")},
		{ctx, records.WelfarePlacements, placementFor(b, ws.bigPost, "2026-10-01", "2027-09-30")},
		{ctx, records.WelfarePlacements, placementFor(c, ws.bigPost, "2025-01-01", "2025-12-31")},
		{staff, records.WorkshopJobs, &records.WorkshopJob{WorkerID: d, WorkshopID: workshop.String(), StartOn: "2026-09-01"}},
		{staff, records.WorkshopJobs, &records.WorkshopJob{WorkerID: c, WorkshopID: workshop.String(), StartOn: "2026-09-01",
			EndOn: "2026-10-31"}},
	} {
		if _, err := st.SaveProgramme(s.ctx, s.table, ident.Zero, s.rec); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, worker string
		want         []string
	}{
		{"welfare post in the hukou village", a,
			[]string{records.ListEmployed, records.FormWelfare, "本村", homeVillage, "数据比对", "系统", today}},
		{"a month with a status keeps it", b,
			[]string{records.ListUnemployed, "", "", "", "电话", "其其格", "2026-11-02"}},
		{"a placement and a job of other months", c, nil},
		{"workshop in another village", d,
			[]string{records.ListEmployed, FormWorkshop, "乡外县内", otherVillage, "数据比对", "其其格", today}},
	} {
		if got := monthStatus(t, ws.f, tc.worker, month); !slices.Equal(got, tc.want) {
			t.Errorf("%s: status %q, want %q", tc.name, got, tc.want)
		}
	}
	// The person now on the list of the employed.
	counts, err := st.ListCounts(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	if counts[records.ListEmployed] != 2 {
		t.Fatalf("employed in %s: %d, want 2 (%v)", month, counts[records.ListEmployed], counts)
	}
}
