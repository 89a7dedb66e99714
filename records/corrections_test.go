package records

import (
	"testing"
)

// The version-2 columns (voids, leaving, households, ended placements)
// follow the same rules at the station (Validate) and at the hub
// (CheckChange), each error naming its field.
func TestCorrectionsValidate(t *testing.T) {
	cases := []struct {
		name       string
		rec        checkedRecord
		field, key string
	}{
		{"void with date", &Followup{WorkerID: checkWID, Date: "2026-03-01", Method: "电话", ServiceType: "x", Content: "x",
			Void: Void{VoidReason: "录错人", VoidedOn: "2026/3/2"}}, "", ""},
		{"void without date", &Followup{WorkerID: checkWID, Date: "2026-03-01", Method: "电话", ServiceType: "x", Content: "x",
			Void: Void{VoidReason: "录错人"}}, "voided_on", KeyRequired},
		{"void date without reason", &JobseekerRegistration{WorkerID: checkWID, IntendedWork: "x", WorkType: "零工",
			RegisteredOn: "2026-03-01", Void: Void{VoidedOn: "2026-03-02"}}, "voided_on", KeyOnlyWith},
		{"status voided", &MonthStatus{WorkerID: checkWID, Month: "2026-11", ListType: ListUnemployed, VerifiedByMethod: "电话",
			VerifiedBy: "x", VerifiedAt: "2026-11-02", WillingAway: true, Void: Void{VoidReason: "重复", VoidedOn: "20261103"}}, "", ""},
		{"unemployment void bad date", &UnemploymentRegistration{WorkerID: checkWID, PlaceType: "户籍地", RegisteredOn: "2026-03-01",
			Reason: "x", Void: Void{VoidReason: "x", VoidedOn: "2026-02-30"}}, "voided_on", KeyDate},
		{"left", &Worker{IDNumber: goodID, Name: "x", Ethnicity: "汉族", HukouVillage: "150102001001", Education: "初中",
			LabourAbility: "普通劳动力", Leave: Leave{LeftReason: "迁出", LeftOn: "2026-05-01", LeftTo: "包头市"}}, "", ""},
		{"left bad reason", &Worker{IDNumber: goodID, Name: "x", Ethnicity: "汉族", HukouVillage: "150102001001", Education: "初中",
			LabourAbility: "普通劳动力", Leave: Leave{LeftReason: "出嫁", LeftOn: "2026-05-01"}}, "left_reason", KeyEnum},
		{"left no date", &Worker{IDNumber: goodID, Name: "x", Ethnicity: "汉族", HukouVillage: "150102001001", Education: "初中",
			LabourAbility: "普通劳动力", Leave: Leave{LeftReason: "死亡"}}, "left_on", KeyRequired},
		{"left to without reason", &Worker{IDNumber: goodID, Name: "x", Ethnicity: "汉族", HukouVillage: "150102001001", Education: "初中",
			LabourAbility: "普通劳动力", Leave: Leave{LeftTo: "包头"}}, "left_to", KeyOnlyWith},
		{"bad household id", &Worker{IDNumber: goodID, Name: "x", Ethnicity: "汉族", HukouVillage: "150102001001", Education: "初中",
			LabourAbility: "普通劳动力", HouseholdID: "12"}, "household_id", KeyBadValue},
		{"household", &Household{WorkerID: checkWID, Village: "150421100207", MonitorType: "边缘易致贫户", ZeroEmployment: true}, "", ""},
		{"household bad type", &Household{WorkerID: checkWID, MonitorType: "贫困户"}, "monitor_type", KeyEnum},
		{"household bad village", &Household{WorkerID: checkWID, Village: "东双山村"}, "village", KeyDivision},
		{"household no head", &Household{}, "worker_id", KeyRequired},
		{"placement ended", &Placement{GigID: gid, WorkerID: checkWID, Status: PlacementLeft, PlacedOn: "2026-09-01", EndedOn: "2026-09-05"}, "", ""},
		{"placement ended while placed", &Placement{GigID: gid, WorkerID: checkWID, PlacedOn: "2026-09-01", EndedOn: "2026-09-05"},
			"ended_on", KeyInconsistent},
		{"placement ended before placed", &Placement{GigID: gid, WorkerID: checkWID, Status: PlacementCancelled, PlacedOn: "2026-09-01",
			EndedOn: "2026-08-05"}, "ended_on", KeyBeforeStart},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.rec.Validate()
			if c.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			fe, ok := AsFieldError(err)
			if !ok || fe.Field != c.field || fe.Key != c.key {
				t.Fatalf("got %v, want %s/%s", err, c.field, c.key)
			}
			if msg := fe.Message("zh"); msg == "" || msg == c.key {
				t.Fatalf("no Chinese message: %q", msg)
			}
		})
	}
}

func TestCorrectionsCheckChange(t *testing.T) {
	rows := validRows(t)
	cases := []struct {
		name   string
		table  string
		before map[string]any
		fields map[string]any
		want   string
	}{
		{"void a follow-up", Followups, rows[Followups], map[string]any{"void_reason": "录错人", "voided_on": "2026-03-02"}, ""},
		{"void without its date", Followups, rows[Followups], map[string]any{"void_reason": "录错人"}, "void_reason/" + KeyInconsistent},
		{"void date alone", MonthlyStatus, rows[MonthlyStatus], map[string]any{"voided_on": "2026-03-02"}, "voided_on/" + KeyOnlyWith},
		{"un-void", Jobseeker, with(with(rows[Jobseeker], "void_reason", "x"), "voided_on", "2026-03-02"),
			map[string]any{"void_reason": nil, "voided_on": nil}, ""},
		{"month willing", MonthlyStatus, rows[MonthlyStatus], map[string]any{"willing_away": int64(1)}, ""},
		{"month willing 2", MonthlyStatus, rows[MonthlyStatus], map[string]any{"willing_away": int64(2)}, "willing_away/" + KeyBadValue},
		{"leave", Workers, rows[Workers], map[string]any{"left_reason": "死亡", "left_on": "2026-06-01"}, ""},
		{"leave date alone", Workers, rows[Workers], map[string]any{"left_on": "2026-06-01"}, "left_on/" + KeyOnlyWith},
		{"household upper hex", Workers, rows[Workers], map[string]any{"household_id": "ABCDEF0123456789ABCDEF0123456789"}, "household_id/" + KeyNotCanonical},
		{"new household", Households, nil, map[string]any{"worker_id": checkWID, "village": "150421100207", "monitor_type": "突发严重困难户", "zero_employment": int64(1)}, ""},
		{"household bad type", Households, rows[Households], map[string]any{"monitor_type": "x"}, "monitor_type/" + KeyEnum},
		{"new household no head", Households, nil, map[string]any{"zero_employment": int64(1)}, "worker_id/" + KeyRequired},
		{"placement ends", Placements, rows[Placements], map[string]any{"status": PlacementLeft, "ended_on": "2026-09-03"}, ""},
		{"placement end alone", Placements, rows[Placements], map[string]any{"ended_on": "2026-09-03"}, "ended_on/" + KeyInconsistent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before map[string]any
			if c.before != nil {
				before = stored(c.before)
			}
			if got := errFields(CheckChange(c.table, before, c.fields, checkNow)); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
