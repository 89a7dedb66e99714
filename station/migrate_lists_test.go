package station

import (
	"context"
	"errors"
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
)

// oldWillingRows writes n monthly statuses as a station of schema version 1
// did (list_type 有意愿外出, no willing_away) for station name.
func oldWillingRows(t *testing.T, s *Station, name string, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		w := records.Worker{IDNumber: idNumber("19800101", i), Name: "巴图", Ethnicity: "蒙古族", HukouVillage: "150421100201",
			Education: "初中", LabourAbility: "普通劳动力"}
		id, err := s.CreateWorker(context.Background(), w)
		if err != nil {
			t.Fatal(err)
		}
		m := records.MonthStatus{WorkerID: id.String(), Month: "2026-10"}
		_, err = s.r.Write(context.Background(), replica.Edit{Table: records.MonthlyStatus, Row: m.ID(s.key),
			Set: []replica.ColumnValue{{Column: "worker_id", Value: id.String()}, {Column: "month", Value: "2026-10"},
				{Column: "list_type", Value: records.ListWillingAway}, {Column: "verified_by_method", Value: "电话"},
				{Column: "verified_by", Value: "李四"}, {Column: "verified_at", Value: "2026-10-08"},
				{Column: "station", Value: name}}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func countShapes(t *testing.T, s *Station) (old, migrated int) {
	t.Helper()
	err := s.r.DB().QueryRow(`SELECT coalesce(sum(list_type = '有意愿外出'), 0),
		coalesce(sum(list_type = '失业' AND willing_away = 1), 0) FROM monthly_status`).Scan(&old, &migrated)
	if err != nil {
		t.Fatal(err)
	}
	return old, migrated
}

// TestMigrateWillingListsResumes: a migration stopped between two batches
// (as a killed process would be) leaves each row old or new, and the next
// start finishes it; once finished it does nothing; rows another station
// recorded are left to it.
func TestMigrateWillingListsResumes(t *testing.T) {
	f := newFixture(t)
	s := f.st
	own := migrateBatch + 7
	oldWillingRows(t, s, f.cfg.Name, 0, own)
	oldWillingRows(t, s, "其他站", own, 3) // another station's: left to it
	stop := errors.New("killed")
	n, err := s.migrateWillingLists(t.Context(), func(int) error { return stop })
	if !errors.Is(err, stop) || n != migrateBatch {
		t.Fatalf("first run: %d, %v", n, err)
	}
	if old, done := countShapes(t, s); old != own-migrateBatch+3 || done != migrateBatch {
		t.Fatalf("after the stop: %d old, %d new", old, done)
	}
	// The next start (the database reopened) finishes.
	f.r.Close()
	f = openFixture(t, f.dir, f.cfg)
	s = f.st
	if n, err := s.MigrateWillingLists(t.Context()); err != nil || n != own-migrateBatch {
		t.Fatalf("second start: %d, %v", n, err)
	}
	if old, done := countShapes(t, s); old != 3 || done != own {
		t.Fatalf("after: %d old, %d new", old, done)
	}
	// Each row was rewritten through the engine, by the upgrade.
	var by string
	var n2 int
	if err := f.r.DB().QueryRow(`SELECT entered_by, count(*) FROM monthly_status WHERE list_type = '失业'
		GROUP BY entered_by`).Scan(&by, &n2); err != nil || by != UpgradeUser || n2 != own {
		t.Fatalf("entered_by %q ×%d, %v", by, n2, err)
	}
	// Finished: it does not look again.
	if n, err := s.MigrateWillingLists(t.Context()); err != nil || n != 0 {
		t.Fatalf("third start: %d, %v", n, err)
	}
	// The lists count the same before and after: the other station's old
	// rows as 失业 and willing too.
	c, err := s.ListCounts(t.Context(), "2026-10")
	if err != nil || c[records.ListUnemployed] != own+3 || c[records.ListWillingAway] != own+3 || c[records.ListEmployed] != 0 {
		t.Fatalf("counts %v %v", c, err)
	}
}
