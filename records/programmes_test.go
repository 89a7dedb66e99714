package records

import (
	"testing"
	"time"
)

const (
	testWorker = "0000000000000000000000000000000a"
	testRow    = "0000000000000000000000000000000b"
)

func validPlacement() *WelfarePlacement {
	return &WelfarePlacement{WorkerID: testWorker, PostID: testRow, ContractKind: "劳务协议",
		ContractStart: "2026-03-01", ContractEnd: "2027-02-28", InsuranceKind: "人身意外伤害保险",
		InsuranceStart: "2026-03-01", InsuranceEnd: "2027-02-28"}
}

// Each programme rule refuses its case naming the field, and the valid
// record passes.
func TestProgrammeRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rec   checkedRecord
		field string // "" when valid
		key   string
	}{
		{"placement valid", validPlacement(), "", ""},
		{"contract of a year and a day", func() checkedRecord {
			p := validPlacement()
			p.ContractEnd, p.InsuranceEnd = "2027-03-01", "2027-03-01"
			return p
		}(), "contract_end", KeyContractTooLong},
		{"contract end before start", func() checkedRecord { p := validPlacement(); p.ContractEnd = "2026-02-01"; return p }(),
			"contract_end", KeyBeforeStart},
		{"no insurance", func() checkedRecord { p := validPlacement(); p.InsuranceKind = ""; return p }(), "insurance_kind", KeyRequired},
		{"insurance starts late", func() checkedRecord { p := validPlacement(); p.InsuranceStart = "2026-03-02"; return p }(),
			"insurance_start", KeyInsuranceGap},
		{"insurance ends early", func() checkedRecord { p := validPlacement(); p.InsuranceEnd = "2027-02-27"; return p }(),
			"insurance_end", KeyInsuranceGap},
		{"exit without reason", func() checkedRecord { p := validPlacement(); p.ExitOn = "2026-06-01"; return p }(),
			"exit_reason", KeyRequired},
		{"exit before contract", func() checkedRecord {
			p := validPlacement()
			p.ExitOn, p.ExitReason = "2026-01-01", "本人申请"
			return p
		}(), "exit_on", KeyBeforeStart},
		{"shared valid", &SharedJob{WorkerID: testWorker, OriginalEmployer: "甲厂", ContractEnd: "2026-12-31",
			HostEmployer: "乙厂", StartOn: "2026-03-01", EndOn: "2026-12-31"}, "", ""},
		{"shared past the contract", &SharedJob{WorkerID: testWorker, OriginalEmployer: "甲厂", ContractEnd: "2026-12-31",
			HostEmployer: "乙厂", StartOn: "2026-03-01", EndOn: "2027-01-01"}, "end_on", KeyBeyondContract},
		{"post without village", &WelfarePost{Name: "保洁", Kind: "保洁环卫", Headcount: 2, Employer: "村委会"}, "village", KeyRequired},
		{"post of no one", &WelfarePost{Name: "保洁", Village: "150102001001", Kind: "保洁环卫", Employer: "村委会"}, "headcount", KeyPositive},
		{"project dates reversed", &WorkReliefProject{Name: "道路", Place: "150102", StartOn: "2026-05-01", EndOn: "2026-04-01"},
			"end_on", KeyBeforeStart},
		{"relief pay negative", &WorkReliefJob{WorkerID: testWorker, ProjectID: testRow, StartOn: "2026-05-01", Pay: -1},
			"pay", KeyNegative},
		{"batch without destination", &ExportBatch{SentOn: "2026-03-01"}, "destination", KeyRequired},
		{"member of no batch", &ExportMember{WorkerID: testWorker, BatchID: "x"}, "batch_id", KeyNoProgrammeRow},
		{"assessment month", &WelfareAssessment{WorkerID: testWorker, PlacementID: testRow, Month: "2026-13", Result: "合格"},
			"month", KeyMonth},
		{"partner kind", &PartnerRegion{Name: "宁波", Kind: "友好"}, "kind", KeyEnum},
		{"workshop job dates", &WorkshopJob{WorkerID: testWorker, WorkshopID: testRow, StartOn: "2026-05-01", EndOn: "2026-04-30"},
			"end_on", KeyBeforeStart},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rec.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid record refused: %v", err)
				}
				return
			}
			fe, ok := AsFieldError(err)
			if !ok || fe.Field != tc.field || fe.Key != tc.key {
				t.Fatalf("got %v, want %s on %s", err, tc.key, tc.field)
			}
			if msg := fe.Message("zh"); msg == "" || msg == tc.key {
				t.Errorf("no Chinese message for %s: %q", tc.key, msg)
			}
		})
	}
}

// The hub judges a station's programme change by the same rules: a new
// placement whose contract runs past a year is refused on contract_end,
// and an edit that stretches an accepted contract is refused on the column
// the change set.
func TestCheckChangeProgrammes(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	row := map[string]any{}
	for _, cv := range validPlacement().Columns() {
		row[cv.Column] = cv.Value
	}
	row["part_time"] = int64(0)
	if errs := CheckChange(WelfarePlacements, nil, row, now); len(errs) != 0 {
		t.Fatalf("valid new placement refused: %v", errs)
	}
	long := map[string]any{"contract_end": "2027-06-30", "insurance_end": "2027-06-30"}
	errs := CheckChange(WelfarePlacements, row, long, now)
	if len(errs) != 1 || errs[0].Field != "contract_end" || errs[0].Key != KeyContractTooLong {
		t.Fatalf("stretched contract: %v", errs)
	}
	short := map[string]any{"insurance_end": "2026-12-31"}
	errs = CheckChange(WelfarePlacements, row, short, now)
	if len(errs) != 1 || errs[0].Field != "insurance_end" || errs[0].Key != KeyInsuranceGap {
		t.Fatalf("insurance cut short: %v", errs)
	}
	for table := range map[string]bool{WelfarePosts: true, WelfareAssessments: true, Workshops: true, WorkshopJobs: true,
		SharedEmployment: true, WorkReliefProjects: true, WorkReliefJobs: true, PartnerRegions: true, ExportBatches: true,
		ExportMembers: true} {
		r := checkRules[table]
		if r.bind == nil {
			t.Fatalf("%s has no rules", table)
		}
		rec, ptrs := r.bind()
		for col, p := range ptrs {
			assign(p, r.template[col])
		}
		if err := rec.Validate(); err != nil {
			t.Errorf("%s: template is not valid: %v", table, err)
		}
	}
}

func TestLastContractDay(t *testing.T) {
	for start, want := range map[string]string{"2026-01-01": "2026-12-31", "2026-03-01": "2027-02-28",
		"2024-02-29": "2025-02-28", "2027-03-01": "2028-02-29"} {
		if got := LastContractDay(start); got != want {
			t.Errorf("LastContractDay(%s) = %s, want %s", start, got, want)
		}
	}
}
