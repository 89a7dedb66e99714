package station

import (
	"context"
	"testing"

	"fieldsync/records"
)

// dueFixture is a station (today 2026-11-15) with people whose follow-ups
// set these next dates:
//
//	阿拉坦  2026-11-01 (latest; overdue 14 days)
//	宝音    2026-11-05 then a later follow-up due 2026-12-20 (not due)
//	朝鲁    2026-11-15 (due today)
//	达来    2026-11-20 (due in 5 days)
//	额尔敦  2026-11-10, then a later follow-up setting no next date
//	富来    no follow-up
//	格日勒  2026-11-12 (overdue 3 days)
type dueFixture struct {
	*fixture
	ids map[string]string
}

func newDueFixture(t *testing.T) *dueFixture {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t)
	df := &dueFixture{fixture: f, ids: map[string]string{}}
	add := func(st *Station, seq int, name string) {
		w := testWorker(idNumber("19800101", seq))
		w.Name = name
		id, err := st.CreateWorker(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		df.ids[name] = id.String()
	}
	fu := func(st *Station, wid, date, next string) {
		_, err := st.AddFollowup(ctx, records.Followup{WorkerID: wid, Date: date, Method: "电话",
			ServiceType: "岗位推荐", Content: "推荐岗位", NextDue: next, Staff: "李四"})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, n := range []string{"阿拉坦", "宝音", "朝鲁", "达来", "额尔敦", "富来", "格日勒"} {
		add(f.st, 11+2*i, n)
	}
	fu(f.st, df.ids["阿拉坦"], "2026-10-01", "2026-11-01")
	// The later follow-up is written first: "latest" is by date, not order.
	fu(f.st, df.ids["宝音"], "2026-11-10", "2026-12-20")
	fu(f.st, df.ids["宝音"], "2026-10-05", "2026-11-05")
	fu(f.st, df.ids["朝鲁"], "2026-11-01", "2026-11-15")
	fu(f.st, df.ids["达来"], "2026-11-02", "2026-11-20")
	fu(f.st, df.ids["额尔敦"], "2026-10-10", "2026-11-10")
	fu(f.st, df.ids["额尔敦"], "2026-11-11", "")
	fu(f.st, df.ids["格日勒"], "2026-11-03", "2026-11-12")
	return df
}

// The home page counts people, by their latest follow-up only: 宝音's old
// overdue date and 额尔敦's (both followed up since) do not count.
func TestHomeCountLatestFollowupOnly(t *testing.T) {
	df := newDueFixture(t)
	c, err := df.st.StationCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.FollowupsDue != 3 { // 阿拉坦, 格日勒, 朝鲁
		t.Fatalf("follow-ups due: %d, want 3", c.FollowupsDue)
	}
}

func TestDueFollowups(t *testing.T) {
	df := newDueFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		within int
		want   []string // names, most overdue first
		days   []int
	}{
		{0, []string{"阿拉坦", "格日勒", "朝鲁"}, []int{14, 3, 0}},
		{4, []string{"阿拉坦", "格日勒", "朝鲁"}, []int{14, 3, 0}},
		{5, []string{"阿拉坦", "格日勒", "朝鲁", "达来"}, []int{14, 3, 0, -5}},
		{90, []string{"阿拉坦", "格日勒", "朝鲁", "达来", "宝音"}, []int{14, 3, 0, -5, -35}},
	} {
		got, err := df.st.DueFollowups(ctx, "2026-11-15", tc.within)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("within %d: %d people %+v, want %v", tc.within, len(got), got, tc.want)
		}
		for i, p := range got {
			if p.Name != tc.want[i] || p.DaysOverdue != tc.days[i] || p.WorkerID != df.ids[p.Name] {
				t.Errorf("within %d #%d: %+v, want %s %d days", tc.within, i, p, tc.want[i], tc.days[i])
			}
		}
	}
	got, err := df.st.DueFollowups(ctx, "2026-11-15", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := DuePerson{WorkerID: df.ids["阿拉坦"], Name: "阿拉坦", Phone: "13800138000", Due: "2026-11-01",
		DaysOverdue: 14, LastAt: "2026-10-01", LastMethod: "电话"}
	if got[0] != want {
		t.Errorf("first: %+v, want %+v", got[0], want)
	}
	for _, bad := range []int{-1, MaxDueWithin + 1} {
		if _, err := df.st.DueFollowups(ctx, "2026-11-15", bad); err == nil {
			t.Errorf("within %d accepted", bad)
		} else if fe, ok := records.AsFieldError(err); !ok || fe.Field != "within" {
			t.Errorf("within %d: %v", bad, err)
		}
	}
	if _, err := df.st.DueFollowups(ctx, "2026-13-01", 0); err == nil {
		t.Error("bad as-of date accepted")
	}
}
