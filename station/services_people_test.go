package station

import (
	"context"
	"errors"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
)

// The older workers are those over the station's own thresholds
// (Config.Older), not the defaults, on the station's today.
func TestOlderWorkersThresholds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mk := func(birth string, seq int) ident.ID {
		id, err := f.st.CreateWorker(ctx, records.Worker{IDNumber: idNumber(birth, seq), Name: "巴特尔",
			Ethnicity: "蒙古族", HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	man46 := mk("19800101", 11)   // 46: older at 45, not at the default 50
	woman36 := mk("19900101", 12) // 36: older at 35, not at the default 40
	mk("19950101", 14)            // 31: older at neither
	cfg := f.cfg
	cfg.Older = records.OlderThresholds{Male: 45, Female: 35}
	st, err := New(Options{Replica: f.r, Config: cfg, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	list, all, due, err := st.OlderWorkers(ctx, false)
	if err != nil || all != 2 || due != 2 || len(list) != 2 {
		t.Fatalf("older at 45/35: %+v all %d due %d %v", list, all, due, err)
	}
	got := map[string]bool{list[0].WorkerID: true, list[1].WorkerID: true}
	if !got[man46.String()] || !got[woman36.String()] {
		t.Fatalf("older at 45/35: %+v", list)
	}
	if list, all, _, err := f.st.OlderWorkers(ctx, false); err != nil || all != 0 || len(list) != 0 {
		t.Fatalf("older at the defaults: %+v %v", list, err)
	}
	// A check today is not due; the list keeps the due ones only when asked.
	if err := st.SaveHealthCheck(ctx, man46, records.HealthCheck{On: "2026-11-15", Result: "未见异常"}); err != nil {
		t.Fatal(err)
	}
	if list, all, due, err := st.OlderWorkers(ctx, true); err != nil || all != 2 || due != 1 || len(list) != 1 ||
		list[0].WorkerID != woman36.String() {
		t.Fatalf("due only: %+v all %d due %d %v", list, all, due, err)
	}
	// The check is written to the worker's row alone: the person's other
	// fields are as they were.
	wv, err := st.Worker(ctx, man46)
	if err != nil || wv.Name != "巴特尔" || wv.Education != "初中" {
		t.Fatalf("the person after the check: %+v %v", wv, err)
	}
}

// The month's returnees are those who came back from its first day to its
// last; a return dated after the station's today is refused and marks
// nobody, even meaning 再次外出.
func TestReturneesOfMonth(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.st.CreateWorker(ctx, records.Worker{IDNumber: idNumber("19800101", 11), Name: "巴特尔",
		Ethnicity: "蒙古族", HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"})
	if err != nil {
		t.Fatal(err)
	}
	ret := func(on, intention string) error {
		_, err := f.st.SaveProgramme(ctx, records.Returns, ident.Zero, &records.Return{WorkerID: id.String(),
			ReturnedOn: on, FromPlace: "北京", Reason: "务工结束", Intention: intention})
		return err
	}
	for _, on := range []string{"2026-10-31", "2026-11-01", "2026-11-15"} {
		if err := ret(on, "暂无"); err != nil {
			t.Fatalf("return on %s: %v", on, err)
		}
	}
	err = ret("2026-11-16", records.IntentAway)
	var fe *records.FieldError
	if !errors.As(err, &fe) || fe.Field != "returned_on" || fe.Key != records.KeyFutureDate {
		t.Fatalf("a return tomorrow: %v", err)
	}
	if wv, err := f.st.Worker(ctx, id); err != nil || wv.WillingAway {
		t.Fatalf("a refused return marked the person: %+v %v", wv, err)
	}
	list, err := f.st.Returnees(ctx, "2026-11")
	if err != nil || len(list) != 2 || list[0].ReturnedOn != "2026-11-01" || list[1].ReturnedOn != "2026-11-15" {
		t.Fatalf("returnees of 2026-11: %+v %v", list, err)
	}
	if list, err := f.st.Returnees(ctx, "2026-10"); err != nil || len(list) != 1 {
		t.Fatalf("returnees of 2026-10: %+v %v", list, err)
	}
	if _, err := f.st.Returnees(ctx, "2026-1"); !errors.As(err, &fe) || fe.Field != "month" {
		t.Fatalf("a bad month: %v", err)
	}
}
