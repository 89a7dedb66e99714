package hub_test

import (
	"testing"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// serviceScene is two attackers' stations (站A, 站B) speaking to a hub, each
// with one person of its own.
type serviceScene struct {
	t      *testing.T
	h      *hubtest.Server
	a, b   *hubtest.Hostile
	aw, bw ident.ID // 站A's person, 站B's person
}

func newServiceScene(t *testing.T) *serviceScene {
	t.Helper()
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	s := &serviceScene{t: t, h: h, a: hubtest.NewHostile(t, h, ea), b: hubtest.NewHostile(t, h, eb)}
	s.a.Connect()
	s.b.Connect()
	wa := hubtest.WithStation(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(9100), "站A的人", "13800009100"), "站A")
	wb := hubtest.WithStation(hubtest.WorkerEdit(eb.Key, hubtest.IDNumber(9101), "站B的人", "13800009101"), "站B")
	s.aw, s.bw = wa.Row, wb.Row
	s.a.Do(wa)
	s.b.Do(wb)
	return s
}

// row is an edit making a new row of rec in table at station st,
// validated first unless raw (an attacker's values).
func (s *serviceScene) row(st, table string, rec interface {
	Validate() error
	Columns() []replica.ColumnValue
}, raw bool) replica.Edit {
	s.t.Helper()
	if !raw {
		if err := rec.Validate(); err != nil {
			s.t.Fatalf("%s: %v", table, err)
		}
	}
	return hubtest.WithStation(hubtest.EnteredBy(replica.Edit{Table: table, Row: hubtest.NewRowID(s.t), Set: rec.Columns()},
		"站员"), st)
}

// value is a column of a row at the hub.
func (s *serviceScene) value(table string, id ident.ID, col string) any {
	s.t.Helper()
	return hubtest.StationValue(s.t, s.h.Hub.Replica(), table, id, col)
}

// refusal is the refusal of a row's column (col "" for a whole change),
// or nil.
func (s *serviceScene) refusal(row ident.ID, col string) *hubtest.Refusal {
	s.t.Helper()
	for _, r := range hubtest.Refusals(s.t, s.h.Hub.Replica()) {
		if r.Row == row.String() && r.Column == col {
			return &r
		}
	}
	return nil
}

// wantRefused fails unless the hub refused the row's column with key.
func (s *serviceScene) wantRefused(what string, row ident.ID, col, key string) {
	s.t.Helper()
	r := s.refusal(row, col)
	if r == nil || r.ReasonKey != key {
		s.t.Errorf("%s: refusal %+v, want %s on %q", what, r, key, col)
	}
}

// The course, expert and job fair the scenes' tests use, made at 站A.
func (s *serviceScene) countyRows() (course, expert, fair replica.Edit) {
	s.t.Helper()
	course = s.row("站A", records.Trainings, &records.Training{Course: "电焊工培训", Kind: "技能", Skill: "电焊工",
		StartOn: "2026-03-01", EndOn: "2026-03-20"}, false)
	expert = s.row("站A", records.Experts, &records.Expert{Name: "王专家", Field: "开业指导"}, false)
	fair = s.row("站A", records.JobFairs, &records.JobFair{Title: "春风行动专场", Kind: "春风行动", HeldOn: "2026-02-20",
		Place: "旗人力资源市场"}, false)
	return course, expert, fair
}

// A station's record of a person outside its scope (an enrolment, a
// start-up, its support, a return) is refused, and the hub holds none of
// them; the same records of its own person are accepted.
func TestServicePersonRecordsOutOfScope(t *testing.T) {
	s := newServiceScene(t)
	course, _, _ := s.countyRows()
	s.a.Do(course)
	recs := func(w ident.ID) []replica.Edit {
		startup := s.row("站A", records.Startups, &records.Startup{WorkerID: w.String(), Business: "牛肉干作坊",
			StartedOn: "2026-01-10", Place: "150421100001", JobsCreated: 3}, false)
		amount := 5000.0
		return []replica.Edit{
			s.row("站A", records.TrainingEnrolments, &records.TrainingEnrolment{WorkerID: w.String(),
				TrainingID: course.Row.String()}, false),
			startup,
			s.row("站A", records.StartupSupport, &records.Support{WorkerID: w.String(), StartupID: startup.Row.String(),
				Kind: records.SupportSubsidy, Amount: &amount, StartOn: "2026-02-01"}, false),
			s.row("站A", records.Returns, &records.Return{WorkerID: w.String(), ReturnedOn: "2026-01-05", FromPlace: "鄂尔多斯",
				Reason: "务工结束", Intention: records.IntentAway}, false),
		}
	}
	foreign := recs(s.bw)
	s.a.Do(foreign...)
	for _, e := range foreign {
		s.wantRefused(e.Table+" of 站B's person", e.Row, "", records.KeyOutOfScope)
		if snap, err := s.h.Hub.Replica().Snapshot(t.Context(), e.Table, e.Row); err != nil || len(snap) != 0 {
			t.Errorf("the hub holds %s of 站B's person: %v %v", e.Table, snap, err)
		}
	}
	own := recs(s.aw)
	s.a.Do(own...)
	for _, e := range own {
		if s.value(e.Table, e.Row, replica.DeletedColumn) != int64(0) || s.refusal(e.Row, "") != nil {
			t.Errorf("%s of 站A's own person did not reach the hub", e.Table)
		}
	}
}

// A course, an expert and a job fair are edited and deleted only by the
// station that made them: 站B's edit and delete of 站A's are refused
// (not_maker), and the rows stay as 站A wrote them.
func TestServiceCountyRowsMaker(t *testing.T) {
	s := newServiceScene(t)
	course, expert, fair := s.countyRows()
	s.a.Do(course, expert, fair)
	s.b.Catchup()
	for _, c := range []struct {
		e        replica.Edit
		col, was string
	}{{course, "course", "电焊工培训"}, {expert, "name", "王专家"}, {fair, "title", "春风行动专场"}} {
		s.b.Do(replica.Edit{Table: c.e.Table, Row: c.e.Row, Set: []replica.ColumnValue{{Column: c.col, Value: "站B改的"}}})
		s.wantRefused(c.e.Table+" edited by 站B", c.e.Row, "", records.KeyNotMaker)
		s.b.Catchup()
		s.b.Do(replica.Edit{Table: c.e.Table, Row: c.e.Row, Delete: true})
		if v := s.value(c.e.Table, c.e.Row, c.col); v != c.was {
			t.Errorf("%s after 站B's edit: %v", c.e.Table, v)
		}
		if s.value(c.e.Table, c.e.Row, replica.DeletedColumn) != int64(0) {
			t.Errorf("%s deleted by 站B", c.e.Table)
		}
	}
	n := 0
	for _, r := range hubtest.Refusals(t, s.h.Hub.Replica()) {
		if r.Station == "站B" && r.ReasonKey == records.KeyNotMaker {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d not_maker refusals of 站B, want 6 (an edit and a delete of each row)", n)
	}
}

// A course with an enrolment, an expert named by a guidance and a job fair
// named by a posting are not deleted while named (in_use); deleted in the
// same batch as what named them, they are.
func TestServiceRowsInUse(t *testing.T) {
	s := newServiceScene(t)
	course, expert, fair := s.countyRows()
	enrol := s.row("站A", records.TrainingEnrolments, &records.TrainingEnrolment{WorkerID: s.aw.String(),
		TrainingID: course.Row.String(), Completed: true, CompletedOn: "2026-03-20"}, false)
	guidance := s.row("站A", records.StartupSupport, &records.Support{WorkerID: s.aw.String(), Kind: records.SupportExpert,
		StartOn: "2026-03-02", ExpertID: expert.Row.String(), Advice: "办理营业执照"}, false)
	gig := hubtest.WithStation(hubtest.GigEdit(t, "招聘会上的岗位"), "站A")
	gig.Set = append(gig.Set, replica.ColumnValue{Column: "job_fair_id", Value: fair.Row.String()})
	s.a.Do(course, expert, fair, enrol, guidance, gig)
	for _, e := range []replica.Edit{enrol, guidance, gig} {
		if s.value(e.Table, e.Row, replica.DeletedColumn) != int64(0) {
			t.Fatalf("%s did not reach the hub: %+v", e.Table, hubtest.Refusals(t, s.h.Hub.Replica()))
		}
	}
	named := []replica.Edit{course, expert, fair}
	var dels []replica.Edit
	for _, e := range named {
		dels = append(dels, replica.Edit{Table: e.Table, Row: e.Row, Delete: true})
	}
	s.a.Do(dels...)
	for _, e := range named {
		if s.value(e.Table, e.Row, replica.DeletedColumn) != int64(0) {
			t.Errorf("the hub deleted %s while it is named", e.Table)
		}
		s.wantRefused(e.Table+" deleted while named", e.Row, "", records.KeyInUse)
	}
	// The station takes the hub's restored rows before deleting again (see
	// TestProgrammeRowInUse).
	s.a.Catchup()
	// The deletes of the named rows first in the batch: the hub screens
	// them after the batch's other changes.
	s.a.Do(append(dels, replica.Edit{Table: enrol.Table, Row: enrol.Row, Delete: true},
		replica.Edit{Table: guidance.Table, Row: guidance.Row, Delete: true},
		replica.Edit{Table: gig.Table, Row: gig.Row, Delete: true})...)
	for _, e := range append(named, enrol, guidance, gig) {
		if s.value(e.Table, e.Row, replica.DeletedColumn) != int64(1) {
			t.Errorf("%s not deleted with what named it", e.Table)
		}
	}
}

// The hub refuses, naming the field, what the station's forms refuse: a
// loan whose end is not after its start (not_after), a return dated after
// tomorrow by the hub's clock (future_date), a posting whose pay does not
// fit its kind (kind_pay), and an edit of an existing return into the
// future, which keeps the hub's date.
func TestServiceCheckChange(t *testing.T) {
	s := newServiceScene(t)
	amount := 50000.0
	loan := s.row("站A", records.StartupSupport, &records.Support{WorkerID: s.aw.String(), Kind: records.SupportLoan,
		Amount: &amount, Lender: "农商银行", StartOn: "2026-03-01", EndOn: "2026-03-01"}, true)
	future := s.h.Hub.Now().In(s.h.Hub.Zone()).AddDate(0, 0, 3).Format(records.DateLayout)
	ret := s.row("站A", records.Returns, &records.Return{WorkerID: s.aw.String(), ReturnedOn: future, FromPlace: "包头",
		Reason: "务工结束", Intention: "暂无"}, true)
	job := hubtest.WithStation(hubtest.GigEdit(t, "月薪岗位"), "站A")
	job.Set = append(job.Set, replica.ColumnValue{Column: "kind", Value: records.GigKindJob})
	s.a.Do(loan, ret, job)
	s.wantRefused("a loan ending on its start", loan.Row, "end_on", records.KeyNotAfter)
	s.wantRefused("a return in the future", ret.Row, "returned_on", records.KeyFutureDate)
	if r := s.refusal(job.Row, "wage_unit"); r == nil || r.ReasonKey != records.KeyKindPay {
		if r2 := s.refusal(job.Row, "settlement"); r2 == nil || r2.ReasonKey != records.KeyKindPay {
			t.Errorf("a 全职 posting paid 元/天: refusals %+v", hubtest.Refusals(t, s.h.Hub.Replica()))
		}
	}
	for _, e := range []replica.Edit{loan, ret, job} {
		if v := s.value(e.Table, e.Row, replica.DeletedColumn); v != nil && v != int64(1) {
			t.Errorf("the hub holds the refused %s live", e.Table)
		}
	}
	// A valid return, then an edit moving it into the future.
	ok := s.row("站A", records.Returns, &records.Return{WorkerID: s.aw.String(), ReturnedOn: "2026-01-05", FromPlace: "包头",
		Reason: "务工结束", Intention: "暂无"}, false)
	s.a.Do(ok)
	s.a.Catchup()
	s.a.Do(replica.Edit{Table: records.Returns, Row: ok.Row, Set: []replica.ColumnValue{{Column: "returned_on", Value: future}}})
	s.wantRefused("a return moved into the future", ok.Row, "returned_on", records.KeyFutureDate)
	if v := s.value(records.Returns, ok.Row, "returned_on"); v != "2026-01-05" {
		t.Errorf("the return's date at the hub: %v", v)
	}
	// A loan ending after its start is accepted.
	good := s.row("站A", records.StartupSupport, &records.Support{WorkerID: s.aw.String(), Kind: records.SupportLoan,
		Amount: &amount, Lender: "农商银行", StartOn: "2026-03-01", EndOn: "2028-02-29"}, false)
	s.a.Do(good)
	if s.value(records.StartupSupport, good.Row, "end_on") != "2028-02-29" {
		t.Errorf("a valid loan was refused: %+v", s.refusal(good.Row, "end_on"))
	}
}

// Deletes of county-wide rows naming each other in one batch are screened
// referrers first, whatever the batch's order: a partner region deleted
// before the export batch naming it, in the same batch, is deleted.
func TestCountyWideDeletesInRankOrder(t *testing.T) {
	s := newServiceScene(t)
	region := s.row("站A", records.PartnerRegions, &records.PartnerRegion{Name: "宁波市", Kind: "东西部协作"}, false)
	batch := s.row("站A", records.ExportBatches, &records.ExportBatch{SentOn: "2026-03-01", Destination: "浙江省宁波市",
		PartnerRegionID: region.Row.String()}, false)
	s.a.Do(region, batch)
	if s.value(records.ExportBatches, batch.Row, replica.DeletedColumn) != int64(0) {
		t.Fatalf("the batch did not reach the hub: %+v", hubtest.Refusals(t, s.h.Hub.Replica()))
	}
	s.a.Do(replica.Edit{Table: records.PartnerRegions, Row: region.Row, Delete: true},
		replica.Edit{Table: records.ExportBatches, Row: batch.Row, Delete: true})
	for _, e := range []replica.Edit{region, batch} {
		if s.value(e.Table, e.Row, replica.DeletedColumn) != int64(1) {
			t.Errorf("%s not deleted: %+v", e.Table, s.refusal(e.Row, ""))
		}
	}
}
