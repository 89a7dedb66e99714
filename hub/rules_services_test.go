package hub_test

import (
	"context"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// certificateScene is two stations syncing with a hub, each with a person
// of its own, and a course the county runs.
type certificateScene struct {
	t      *testing.T
	h      *hubtest.Server
	a, b   *hubtest.Station
	aw, bw ident.ID
	course ident.ID
}

func newCertificateScene(t *testing.T) *certificateScene {
	t.Helper()
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	s := &certificateScene{t: t, h: h, a: hubtest.NewStation(t, ea, syncclient.Config{}), b: hubtest.NewStation(t, eb, syncclient.Config{})}
	wa := hubtest.WithStation(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(9200), "阿拉坦", "13800009200"), "站A")
	wb := hubtest.WithStation(hubtest.WorkerEdit(eb.Key, hubtest.IDNumber(9201), "巴特尔", "13800009201"), "站B")
	s.aw, s.bw = wa.Row, wb.Row
	s.a.Write(wa)
	s.b.Write(wb)
	var err error
	s.course, err = h.Hub.SaveCountyProgramme(context.Background(), records.Trainings, ident.ID{},
		&records.Training{Course: "电工培训", Kind: "技能", Skill: "电工", StartOn: "2026-03-01"}, access.Actor{User: "县管理员"})
	if err != nil {
		t.Fatal(err)
	}
	s.a.Start()
	s.b.Start()
	return s
}

// enrol is an enrolment of worker w in the course at station st, completed
// with certificate number no.
func (s *certificateScene) enrol(row, w ident.ID, st, no string) replica.Edit {
	s.t.Helper()
	e := records.TrainingEnrolment{WorkerID: w.String(), TrainingID: s.course.String(), Completed: true,
		CompletedOn: "2026-03-20", CertificateKind: records.CertificateSkillLevel, CertificateNo: no,
		CertificateLevel: records.CertificateLevels[0]}
	if err := e.Validate(); err != nil {
		s.t.Fatal(err)
	}
	return hubtest.WithStation(replica.Edit{Table: records.TrainingEnrolments, Row: row, Set: e.Columns()}, st)
}

func (s *certificateScene) sync(what string) {
	s.t.Helper()
	hubtest.WaitFor(s.t, 20*time.Second, what, func() bool {
		return hubtest.Converged(s.t, s.h.Hub, s.a) && hubtest.Converged(s.t, s.h.Hub, s.b)
	})
}

func (s *certificateScene) conflicts(status string) []hub.Conflict {
	s.t.Helper()
	list, _, err := s.h.Hub.Conflicts(context.Background(), hub.ConflictFilter{Kind: hub.KindCertificateDuplicate, Status: status})
	if err != nil {
		s.t.Fatal(err)
	}
	return list
}

// Two stations each record, offline, a certificate of the same kind and
// number: the hub keeps both enrolments and raises one conflict for the
// county, naming both enrolments and stations; B's number corrected
// settles it. A number of another kind raises nothing.
func TestRuleCertificateDuplicate(t *testing.T) {
	s := newCertificateScene(t)
	ea, eb := hubtest.NewRowID(t), hubtest.NewRowID(t)
	s.a.Write(s.enrol(ea, s.aw, "站A", "S15000001"))
	s.b.Write(s.enrol(eb, s.bw, "站B", "S15000001"))
	s.sync("both enrolments at the hub")
	open := s.conflicts(hub.StatusOpen)
	if len(open) != 1 {
		t.Fatalf("%d open certificate conflicts, want 1", len(open))
	}
	c := open[0]
	if c.Table != records.TrainingEnrolments || len(c.Values) != 2 || len(c.Stations) != 2 {
		t.Errorf("conflict %+v: want the two enrolments of both stations", c)
	}
	rows := map[string]bool{}
	for _, v := range c.Values {
		rows[v.Row] = true
		if v.Value != "S15000001" || v.Column != "certificate_no" || v.Note != records.CertificateSkillLevel {
			t.Errorf("value %+v", v)
		}
	}
	if !rows[ea.String()] || !rows[eb.String()] {
		t.Errorf("values %+v do not name both enrolments", c.Values)
	}
	if c.Label != records.CertificateSkillLevel+" S15000001" {
		t.Errorf("label %q", c.Label)
	}
	for _, e := range []ident.ID{ea, eb} {
		if hubtest.StationValue(t, s.h.Hub.Replica(), records.TrainingEnrolments, e, "certificate_no") != "S15000001" {
			t.Error("the hub did not keep both enrolments")
		}
	}
	s.b.Write(s.enrol(eb, s.bw, "站B", "S15000002"))
	s.sync("B's correction")
	if open := s.conflicts(hub.StatusOpen); len(open) != 0 {
		t.Fatalf("still open after the correction: %+v", open)
	}
	done := s.conflicts(hub.StatusResolved)
	if len(done) != 1 || done[0].Resolution == nil || done[0].Resolution.How != "cleared" {
		t.Fatalf("resolved %+v, want one cleared", done)
	}

	// The same number of another kind is another certificate.
	other := s.enrol(hubtest.NewRowID(t), s.bw, "站B", "S15000001")
	for i := range other.Set {
		if other.Set[i].Column == "certificate_kind" {
			other.Set[i].Value = "职业资格证书"
		}
	}
	s.b.Write(other)
	s.sync("a number of another kind")
	if open := s.conflicts(hub.StatusOpen); len(open) != 0 {
		t.Errorf("another kind's number raised: %+v", open)
	}
}

// A conflict dismissed by the county is not raised again by the same
// enrolments being edited, only by a third one; deleting enrolments down to
// one settles it.
func TestRuleCertificateDismissedAndDeleted(t *testing.T) {
	s := newCertificateScene(t)
	ea, eb := hubtest.NewRowID(t), hubtest.NewRowID(t)
	s.a.Write(s.enrol(ea, s.aw, "站A", "Z001"))
	s.b.Write(s.enrol(eb, s.bw, "站B", "Z001"))
	s.sync("both enrolments")
	open := s.conflicts(hub.StatusOpen)
	if len(open) != 1 {
		t.Fatalf("%d open, want 1", len(open))
	}
	who := access.Actor{User: "carol", Remote: "127.0.0.1"}
	if _, err := s.h.Hub.ResolveConflict(context.Background(), who, open[0].ID, hub.ResolveRequest{Action: hub.ActionDismiss}); err != nil {
		t.Fatal(err)
	}
	e := s.enrol(eb, s.bw, "站B", "Z001")
	e.Set = append(e.Set, replica.ColumnValue{Column: "paid_on", Value: "2026-04-01"})
	s.b.Write(e)
	s.sync("an edit of B's enrolment")
	if open := s.conflicts(hub.StatusOpen); len(open) != 0 {
		t.Errorf("a dismissed conflict raised again by the same enrolments: %+v", open)
	}
	ec := hubtest.NewRowID(t)
	s.a.Write(s.enrol(ec, s.aw, "站A", "Z001"))
	s.sync("a third enrolment")
	if open := s.conflicts(hub.StatusOpen); len(open) != 1 || len(open[0].Values) != 3 {
		t.Fatalf("a third holder: %+v", open)
	}
	s.a.Write(replica.Edit{Table: records.TrainingEnrolments, Row: ec, Delete: true},
		replica.Edit{Table: records.TrainingEnrolments, Row: ea, Delete: true})
	s.sync("A deletes its two")
	if open := s.conflicts(hub.StatusOpen); len(open) != 0 {
		t.Errorf("open after the deletes: %+v", open)
	}
}
