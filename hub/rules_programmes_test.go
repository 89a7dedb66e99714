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

// programmeScene is two stations syncing with a hub, both holding one
// person, and a welfare post station A made.
type programmeScene struct {
	t      *testing.T
	h      *hubtest.Server
	a, b   *hubtest.Station
	key    ident.Key
	worker ident.ID
	post   ident.ID
}

func newProgrammeScene(t *testing.T) *programmeScene {
	t.Helper()
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	s := &programmeScene{t: t, h: h, key: ea.Key,
		a: hubtest.NewStation(t, ea, syncclient.Config{}), b: hubtest.NewStation(t, eb, syncclient.Config{})}
	num := hubtest.IDNumber(41)
	s.worker = s.key.Derive(records.Workers, num)
	s.post = hubtest.NewRowID(t)
	post := records.WelfarePost{Name: "村道保洁员", Village: "150421100001", Kind: records.WelfarePostKinds[0], Headcount: 2,
		Subsidy: 800, Employer: "嘎查村委会"}
	if err := post.Validate(); err != nil {
		t.Fatal(err)
	}
	s.a.Write(hubtest.WithStation(hubtest.WorkerEdit(s.key, num, "乌日娜", "13700000041"), "站A"),
		hubtest.WithStation(replica.Edit{Table: records.WelfarePosts, Row: s.post, Set: post.Columns()}, "站A"))
	s.b.Write(hubtest.WithStation(hubtest.WorkerEdit(s.key, num, "乌日娜", "13700000041"), "站B"))
	s.a.Start()
	s.b.Start()
	s.sync("the post to reach B")
	if hubtest.RowCount(t, s.b.Rep, records.WelfarePosts) != 1 {
		t.Fatal("station B does not hold A's post")
	}
	return s
}

// sync waits until both stations and the hub agree.
func (s *programmeScene) sync(what string) {
	s.t.Helper()
	hubtest.WaitFor(s.t, 20*time.Second, what, func() bool {
		return hubtest.Converged(s.t, s.h.Hub, s.a) && hubtest.Converged(s.t, s.h.Hub, s.b)
	})
}

// placement is a welfare placement of the person in the post over
// start..end, insured over it.
func (s *programmeScene) placement(row ident.ID, station, start, end, exit string) replica.Edit {
	s.t.Helper()
	p := records.WelfarePlacement{WorkerID: s.worker.String(), PostID: s.post.String(), ContractKind: records.ContractKinds[0],
		ContractStart: start, ContractEnd: end, InsuranceKind: records.InsuranceKinds[0], InsuranceStart: start,
		InsuranceEnd: end}
	if exit != "" {
		p.ExitOn, p.ExitReason = exit, "本人申请"
	}
	if err := p.Validate(); err != nil {
		s.t.Fatal(err)
	}
	return hubtest.WithStation(replica.Edit{Table: records.WelfarePlacements, Row: row, Set: p.Columns()}, station)
}

// away is the person's status of month, employed 区外 (or scope).
func (s *programmeScene) away(month, scope string) replica.Edit {
	s.t.Helper()
	m := records.MonthStatus{WorkerID: s.worker.String(), Month: month, ListType: records.ListEmployed, WorkScope: scope,
		EmploymentForm: records.EmploymentForms[0], MonthlyIncome: records.Income(4000), VerifiedByMethod: "电话",
		VerifiedBy: "张三", VerifiedAt: month + "-05"}
	if err := m.Validate(); err != nil {
		s.t.Fatal(err)
	}
	return hubtest.WithStation(replica.Edit{Table: records.MonthlyStatus, Row: m.ID(s.key), Set: m.Columns()}, "站B")
}

// conflicts lists the conflicts of kind with status (open or resolved).
func (s *programmeScene) conflicts(kind, status string) []hub.Conflict {
	s.t.Helper()
	list, _, err := s.h.Hub.Conflicts(context.Background(), hub.ConflictFilter{Kind: kind, Status: status})
	if err != nil {
		s.t.Fatal(err)
	}
	return list
}

// raised waits for the one open conflict of kind, of the person, with
// values from both stations, and returns it.
func (s *programmeScene) raised(kind string, values int) hub.Conflict {
	s.t.Helper()
	s.sync("both stations' records to reach the hub")
	open := s.conflicts(kind, hub.StatusOpen)
	if len(open) != 1 {
		s.t.Fatalf("%s: %d open conflicts, want 1: %+v", kind, len(open), open)
	}
	c := open[0]
	if c.Row != s.worker.String() || c.WorkerID != s.worker.String() || c.WorkerName != "乌日娜" {
		s.t.Errorf("%s does not name the person: %+v", kind, c)
	}
	if len(c.Values) != values || len(c.Stations) != 2 {
		s.t.Errorf("%s: values %+v, stations %v; want %d values from both stations", kind, c.Values, c.Stations, values)
	}
	return c
}

// cleared checks the conflict was settled by the rule holding again.
func (s *programmeScene) cleared(kind string) {
	s.t.Helper()
	s.sync("the correction to reach the hub")
	if open := s.conflicts(kind, hub.StatusOpen); len(open) != 0 {
		s.t.Fatalf("%s still open after the correction: %+v", kind, open)
	}
	done := s.conflicts(kind, hub.StatusResolved)
	if len(done) != 1 || done[0].Resolution == nil || done[0].Resolution.How != "cleared" {
		s.t.Fatalf("%s: resolved %+v, want one cleared", kind, done)
	}
}

// none checks no conflict of kind was ever raised.
func (s *programmeScene) none(kind string) {
	s.t.Helper()
	if all := s.conflicts(kind, "all"); len(all) != 0 {
		s.t.Errorf("%s raised: %+v", kind, all)
	}
}

// One person placed in welfare posts by two stations over overlapping
// terms is in two posts at once; B's contract moved to start the day after
// A's ends (adjacent, not overlapping) settles it. A's placement ending
// early by an exit, with B's starting on the exit day, raises nothing.
func TestRuleTwoWelfarePosts(t *testing.T) {
	s := newProgrammeScene(t)
	pa, pb := hubtest.NewRowID(t), hubtest.NewRowID(t)
	s.a.Write(s.placement(pa, "站A", "2026-01-01", "2026-12-31", ""))
	s.b.Write(s.placement(pb, "站B", "2026-12-31", "2027-06-30", ""))
	c := s.raised(hub.KindTwoWelfare, 2)
	if c.Table != records.WelfarePlacements {
		t.Errorf("table %s", c.Table)
	}
	rows := map[string]bool{}
	for _, v := range c.Values {
		rows[v.Row] = true
		if v.Column != "post_id" || v.Value != "村道保洁员" {
			t.Errorf("value %+v does not name the post", v)
		}
	}
	if !rows[pa.String()] || !rows[pb.String()] {
		t.Errorf("values %+v do not name both placements", c.Values)
	}
	s.b.Write(s.placement(pb, "站B", "2027-01-01", "2027-06-30", ""))
	s.cleared(hub.KindTwoWelfare)

	// A exits on 2026-10-01, so holds the post through 09-30; B's new
	// placement from 10-01 is adjacent.
	s.a.Write(s.placement(pa, "站A", "2026-01-01", "2026-12-31", "2026-10-01"))
	s.b.Write(s.placement(hubtest.NewRowID(t), "站B", "2026-10-01", "2026-12-31", ""))
	s.sync("the exit and the next placement")
	if open := s.conflicts(hub.KindTwoWelfare, hub.StatusOpen); len(open) != 0 {
		t.Errorf("adjacent terms raised: %+v", open)
	}
}

// A month 区外 at one station while the person's welfare placement at
// another covers it; the month put back 本县 settles it. A month 区外
// outside the term raises nothing.
func TestRuleWelfarePostAndAwayMonth(t *testing.T) {
	s := newProgrammeScene(t)
	s.a.Write(s.placement(hubtest.NewRowID(t), "站A", "2026-03-15", "2026-09-14", ""))
	s.b.Write(s.away("2026-02", records.ScopeAway), s.away("2026-10", records.ScopeAway))
	s.sync("months outside the term")
	s.none(hub.KindWelfareAwayMonth)

	s.b.Write(s.away("2026-09", records.ScopeAway))
	c := s.raised(hub.KindWelfareAwayMonth, 2)
	if c.Values[0].Column != "month" || c.Values[0].Value != "2026-09" || c.Values[1].Column != "post_id" {
		t.Errorf("values %+v: want the month, then the placement", c.Values)
	}
	s.b.Write(s.away("2026-09", records.WorkScopes[0]))
	s.cleared(hub.KindWelfareAwayMonth)
}

// A person sent in station B's export batch on a day station A's welfare
// placement covers; the batch's date moved past the term (a change to the
// batch alone, which touches its members) settles it. Being sent the day
// after the term raises nothing.
func TestRuleExportInWelfarePost(t *testing.T) {
	s := newProgrammeScene(t)
	s.a.Write(s.placement(hubtest.NewRowID(t), "站A", "2026-01-01", "2026-06-30", ""))
	batch, member := hubtest.NewRowID(t), hubtest.NewRowID(t)
	sent := func(on string) replica.Edit {
		b := records.ExportBatch{SentOn: on, Destination: "江苏省苏州市", Employer: "电子厂"}
		if err := b.Validate(); err != nil {
			t.Fatal(err)
		}
		return hubtest.WithStation(replica.Edit{Table: records.ExportBatches, Row: batch, Set: b.Columns()}, "站B")
	}
	m := records.ExportMember{WorkerID: s.worker.String(), BatchID: batch.String()}
	s.b.Write(sent("2026-07-01"), hubtest.WithStation(replica.Edit{Table: records.ExportMembers, Row: member, Set: m.Columns()}, "站B"))
	s.sync("a batch the day after the term")
	s.none(hub.KindExportInWelfare)

	s.b.Write(sent("2026-06-30"))
	c := s.raised(hub.KindExportInWelfare, 2)
	if c.Values[0].Row != member.String() || c.Values[0].Value != "2026-06-30" || c.Values[0].Note != "江苏省苏州市" {
		t.Errorf("values %+v: want the member's place in the batch first", c.Values)
	}
	s.b.Write(sent("2026-08-01"))
	s.cleared(hub.KindExportInWelfare)
}

// A conflict an administrator dismissed is not raised again by the same
// records (a later edit of the person's months), only by a new record.
func TestRuleProgrammesDismissed(t *testing.T) {
	s := newProgrammeScene(t)
	s.a.Write(s.placement(hubtest.NewRowID(t), "站A", "2026-01-01", "2026-12-31", ""))
	s.b.Write(s.placement(hubtest.NewRowID(t), "站B", "2026-05-01", "2026-12-31", ""))
	c := s.raised(hub.KindTwoWelfare, 2)
	if _, err := s.h.Hub.ResolveConflict(context.Background(), access.Actor{User: "carol", Remote: "127.0.0.1"}, c.ID, hub.ResolveRequest{Action: hub.ActionDismiss}); err != nil {
		t.Fatal(err)
	}
	s.b.Write(s.away("2027-03", records.ScopeAway)) // touches the person, breaks nothing new
	s.sync("an unrelated month")
	if open := s.conflicts(hub.KindTwoWelfare, hub.StatusOpen); len(open) != 0 {
		t.Errorf("a dismissed conflict was raised again by the same records: %+v", open)
	}
	s.b.Write(s.placement(hubtest.NewRowID(t), "站B", "2026-11-01", "2026-12-31", ""))
	s.raised(hub.KindTwoWelfare, 3)
}

// The county's own edits at the hub raise and settle the rules as a
// station's do: a batch the county made, sending the person while in A's
// welfare post, then moved past the term.
func TestRuleProgrammesCountyEdits(t *testing.T) {
	s := newProgrammeScene(t)
	s.a.Write(s.placement(hubtest.NewRowID(t), "站A", "2026-01-01", "2026-12-31", ""))
	s.sync("A's placement")
	batch := hubtest.NewRowID(t)
	sent := func(on string) replica.Edit {
		b := records.ExportBatch{SentOn: on, Destination: "北京市"}
		if err := b.Validate(); err != nil {
			t.Fatal(err)
		}
		return hubtest.WithStation(replica.Edit{Table: records.ExportBatches, Row: batch, Set: b.Columns()}, records.County)
	}
	m := records.ExportMember{WorkerID: s.worker.String(), BatchID: batch.String()}
	ctx := context.Background()
	if _, err := s.h.Hub.Write(ctx, sent("2026-05-01"), hubtest.WithStation(replica.Edit{Table: records.ExportMembers,
		Row: hubtest.NewRowID(t), Set: m.Columns()}, records.County)); err != nil {
		t.Fatal(err)
	}
	c := s.raised(hub.KindExportInWelfare, 2)
	if c.Stations[0] != records.County && c.Stations[1] != records.County {
		t.Errorf("stations %v: want the county's among them", c.Stations)
	}
	if _, err := s.h.Hub.Write(ctx, sent("2027-01-05")); err != nil {
		t.Fatal(err)
	}
	s.cleared(hub.KindExportInWelfare)
}
