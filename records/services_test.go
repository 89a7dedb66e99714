package records

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// The services' rules, one table case each (issue 19, item 7): course and
// event dates in order; a loan's end after its start; a rights case closed
// only with an outcome; a return date not in the future; a certificate's
// kind, number and level together.
func TestServiceRules(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef"
	training := func(f func(*Training)) checkedRecord {
		r := &Training{Course: "电焊工培训", Kind: "技能", Skill: "电焊", StartOn: "2026-03-01", EndOn: "2026-03-20"}
		f(r)
		return r
	}
	enrol := func(f func(*TrainingEnrolment)) checkedRecord {
		r := &TrainingEnrolment{WorkerID: id, TrainingID: id, Completed: true, CompletedOn: "2026-03-20",
			CertificateKind: CertificateSkillLevel, CertificateNo: "S0001", CertificateLevel: "五级/初级工"}
		f(r)
		return r
	}
	support := func(f func(*Support)) checkedRecord {
		amount := 200000.0
		r := &Support{WorkerID: id, Kind: SupportLoan, Amount: &amount, Lender: "农商银行", StartOn: "2026-01-10",
			EndOn: "2028-01-09"}
		f(r)
		return r
	}
	rights := func(f func(*RightsCase)) checkedRecord {
		r := &RightsCase{WorkerID: id, Kind: "欠薪", Employer: "某建筑公司", ReceivedOn: "2026-04-01"}
		f(r)
		return r
	}
	ret := func(f func(*Return)) checkedRecord {
		r := &Return{WorkerID: id, ReturnedOn: "2026-01-20", FromPlace: "广东省东莞市", Reason: "务工结束", Intention: IntentAway}
		f(r)
		return r
	}
	fair := func(f func(*JobFair)) checkedRecord {
		r := &JobFair{Title: "春风行动专场", Kind: "春风行动", HeldOn: "2026-02-20", Place: "旗人社局广场",
			Attendees: 300, Agreements: 41}
		f(r)
		return r
	}
	cases := []struct {
		name       string
		v          checkedRecord
		field, key string
	}{
		{"course ok", training(func(*Training) {}), "", ""},
		{"course kind", training(func(r *Training) { r.Kind = "烹饪" }), "kind", KeyEnum},
		{"course dates", training(func(r *Training) { r.EndOn = "2026-02-28" }), "end_on", KeyBeforeStart},
		{"course start", training(func(r *Training) { r.StartOn = "" }), "start_on", KeyRequired},
		{"enrolment ok", enrol(func(*TrainingEnrolment) {}), "", ""},
		{"enrolment not completed", enrol(func(r *TrainingEnrolment) { r.Completed = false; r.CompletedOn = "" }),
			"certificate_kind", KeyOnlyWith},
		{"enrolment completed on", enrol(func(r *TrainingEnrolment) { r.Completed = false }), "completed_on", KeyOnlyWith},
		{"certificate number", enrol(func(r *TrainingEnrolment) { r.CertificateNo = "" }), "certificate_no", KeyRequired},
		{"certificate kind", enrol(func(r *TrainingEnrolment) { r.CertificateKind, r.CertificateLevel = "", "" }),
			"certificate_kind", KeyRequired},
		{"certificate level", enrol(func(r *TrainingEnrolment) { r.CertificateLevel = "" }), "certificate_level", KeyRequired},
		{"certificate level alone", enrol(func(r *TrainingEnrolment) { r.CertificateKind, r.CertificateNo = "", "" }),
			"certificate_level", KeyOnlyWith},
		{"enrolment course", enrol(func(r *TrainingEnrolment) { r.TrainingID = "" }), "training_id", KeyRequired},
		{"expert ok", &Expert{Name: "王老师", Field: "开业指导", Phone: "13800000000"}, "", ""},
		{"expert field", &Expert{Name: "王老师", Field: "算命"}, "expert_field", KeyEnum},
		{"expert phone", &Expert{Name: "王老师", Field: "开业指导", Phone: "123"}, "phone", KeyPhone},
		{"startup ok", &Startup{WorkerID: id, Business: "牧家乐", StartedOn: "2026-05-01", Place: "150421", JobsCreated: 3}, "", ""},
		{"startup place", &Startup{WorkerID: id, Business: "牧家乐", StartedOn: "2026-05-01"}, "place", KeyRequired},
		{"startup jobs", &Startup{WorkerID: id, Business: "牧家乐", StartedOn: "2026-05-01", Place: "150421", JobsCreated: -1},
			"jobs_created", KeyNegative},
		{"loan ok", support(func(*Support) {}), "", ""},
		{"loan end not after start", support(func(r *Support) { r.EndOn = r.StartOn }), "end_on", KeyNotAfter},
		{"loan end before start", support(func(r *Support) { r.EndOn = "2025-12-31" }), "end_on", KeyNotAfter},
		{"loan no end", support(func(r *Support) { r.EndOn = "" }), "end_on", KeyRequired},
		{"loan no lender", support(func(r *Support) { r.Lender = "" }), "lender", KeyRequired},
		{"loan no amount", support(func(r *Support) { r.Amount = nil }), "amount", KeyRequired},
		{"subsidy lender", support(func(r *Support) { r.Kind, r.EndOn = SupportSubsidy, "" }), "lender", KeyOnlyWith},
		{"guidance ok", support(func(r *Support) {
			r.Kind, r.Amount, r.Lender, r.EndOn, r.ExpertID, r.Advice = SupportExpert, nil, "", "", id, "核算成本"
		}), "", ""},
		{"guidance no expert", support(func(r *Support) {
			r.Kind, r.Amount, r.Lender, r.EndOn, r.Advice = SupportExpert, nil, "", "", "核算成本"
		}), "expert_id", KeyRequired},
		{"guidance no advice", support(func(r *Support) {
			r.Kind, r.Amount, r.Lender, r.EndOn, r.ExpertID = SupportExpert, nil, "", "", id
		}), "advice", KeyRequired},
		{"support kind", support(func(r *Support) { r.Kind = "贴息" }), "support_kind", KeyEnum},
		{"case ok", rights(func(*RightsCase) {}), "", ""},
		{"case closed ok", rights(func(r *RightsCase) { r.Status, r.ClosedOn, r.Outcome = RightsClosed, "2026-05-01", "足额追回" }), "", ""},
		{"case closed without outcome", rights(func(r *RightsCase) { r.Status, r.ClosedOn = RightsClosed, "2026-05-01" }),
			"case_outcome", KeyRequired},
		{"case closed without date", rights(func(r *RightsCase) { r.Status, r.Outcome = RightsClosed, "足额追回" }),
			"closed_on", KeyRequired},
		{"case closed date while open", rights(func(r *RightsCase) { r.ClosedOn = "2026-05-01" }), "closed_on", KeyOnlyWith},
		{"case closed before received", rights(func(r *RightsCase) {
			r.Status, r.ClosedOn, r.Outcome = RightsClosed, "2026-03-01", "足额追回"
		}), "closed_on", KeyBeforeStart},
		{"case referral", rights(func(r *RightsCase) { r.Referral = "法院" }), "referral", KeyEnum},
		{"case amount", rights(func(r *RightsCase) { v := -1.0; r.AmountRecovered = &v }), "amount_recovered", KeyNegative},
		{"return ok", ret(func(*Return) {}), "", ""},
		{"return intention", ret(func(r *Return) { r.Intention = "随便" }), "intention", KeyEnum},
		{"return from", ret(func(r *Return) { r.FromPlace = "" }), "from_place", KeyRequired},
		{"fair ok", fair(func(*JobFair) {}), "", ""},
		{"fair dates", fair(func(r *JobFair) { r.EndOn = "2026-02-19" }), "end_on", KeyBeforeStart},
		{"fair agreements", fair(func(r *JobFair) { r.Agreements = 301 }), "agreements", KeyMoreThan},
		{"fair kind", fair(func(r *JobFair) { r.Kind = "庙会" }), "fair_kind", KeyEnum},
		{"health ok", &HealthCheck{On: "2026-01-05", Result: "未见异常"}, "", ""},
		{"health without result", &HealthCheck{On: "2026-01-05"}, "health_check_result", KeyRequired},
		{"health without date", &HealthCheck{Result: "未见异常"}, "health_check_on", KeyRequired},
	}
	for _, c := range cases {
		err := c.v.Validate()
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		fe, ok := AsFieldError(err)
		if !ok || fe.Field != c.field || fe.Key != c.key {
			t.Errorf("%s: got %v, want %s/%s", c.name, err, c.field, c.key)
		}
	}
}

// A return date and a health check may not be after today, at the
// station (ValidateOn, its clock) and at the hub (CheckChange, with a
// day's grace for the station's clock).
func TestServiceDatesNotFuture(t *testing.T) {
	today := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	r := &Return{WorkerID: "0123456789abcdef0123456789abcdef", ReturnedOn: "2026-12-07", FromPlace: "北京",
		Reason: "务工结束", Intention: "暂无"}
	if fe, ok := AsFieldError(r.ValidateOn(today)); !ok || fe.Field != "returned_on" || fe.Key != KeyFutureDate {
		t.Errorf("a return tomorrow: %v", r.ValidateOn(today))
	}
	r.ReturnedOn = "2026-12-06"
	if err := r.ValidateOn(today); err != nil {
		t.Errorf("a return today: %v", err)
	}
	h := &HealthCheck{On: "2026-12-07", Result: "未见异常"}
	if fe, ok := AsFieldError(h.ValidateOn(today)); !ok || fe.Field != "health_check_on" || fe.Key != KeyFutureDate {
		t.Errorf("a check tomorrow: %v", h.ValidateOn(today))
	}
	row := map[string]any{"worker_id": "0123456789abcdef0123456789abcdef", "returned_on": "2026-12-08",
		"from_place": "北京", "return_reason": "务工结束", "intention": "暂无"}
	errs := CheckChange(Returns, nil, row, today)
	if len(errs) != 1 || errs[0].Field != "returned_on" || errs[0].Key != KeyFutureDate {
		t.Errorf("the hub took a return two days ahead: %v", errs)
	}
	row["returned_on"] = "2026-12-07" // a station's clock a day ahead
	if errs := CheckChange(Returns, nil, row, today); len(errs) != 0 {
		t.Errorf("the hub refused a return a day ahead: %v", errs)
	}
}

// The hub judges a station's change to each service table column by
// column, as the forms do: a closed case sent without its outcome is
// refused on the column the change set; a gig's kind changed to 全职
// without its monthly pay is refused on the kind; a v1 station's gig (no
// kind) is a 零工.
func TestServiceCheckChange(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	id := "0123456789abcdef0123456789abcdef"
	open := map[string]any{"worker_id": id, "rights_kind": "欠薪", "employer": "某公司", "received_on": "2026-04-01",
		"case_status": "受理"}
	if errs := CheckChange(RightsCases, nil, open, now); len(errs) != 0 {
		t.Fatalf("a new case: %v", errs)
	}
	errs := CheckChange(RightsCases, open, map[string]any{"case_status": RightsClosed, "closed_on": "2026-05-01"}, now)
	if len(errs) == 0 {
		t.Fatal("the hub took a case closed without an outcome")
	}
	closedRefused := false
	for _, fe := range errs {
		if fe.Field != "case_status" && fe.Field != "closed_on" {
			t.Errorf("refused %s (%s), want a column the change set", fe.Field, fe.Key)
		}
		closedRefused = closedRefused || fe.Field == "case_status"
	}
	if !closedRefused {
		// Refusing closed_on alone would leave the hub a case 办结 with
		// neither its closing day nor its outcome.
		t.Errorf("the hub took case_status 办结 of a case closed without an outcome: %v", errs)
	}
	gig := map[string]any{"title": "x", "occupation": "x", "headcount": int64(1), "wage": float64(150),
		"wage_unit": "元/天", "settlement": "日结", "place": "150102", "start_date": "2026-01-01", "employer": "x",
		"contact": "x", "status": GigOpen, "skills": []string{}}
	if errs := CheckChange(Gigs, nil, gig, now); len(errs) != 0 {
		t.Fatalf("a v1 gig without kind: %v", errs)
	}
	errs = CheckChange(Gigs, gig, map[string]any{"kind": GigKindJob}, now)
	if len(errs) != 1 || errs[0].Field != "kind" {
		t.Errorf("a gig made a job without monthly pay: %v", errs)
	}
	if errs := CheckChange(Gigs, gig, map[string]any{"kind": GigKindJob, "wage_unit": MonthlyWageUnit,
		"settlement": MonthlySettlement, "wage": float64(4500), "suits_older": int64(1)}, now); len(errs) != 0 {
		t.Errorf("a gig made a job with monthly pay: %v", errs)
	}
	for _, table := range append(append([]string(nil), ServiceCountyTables...), ServicePersonTables...) {
		if errs := CheckChange(table, nil, map[string]any{"no_such": "x"}, now); len(errs) == 0 {
			t.Errorf("%s: the hub took an unknown column", table)
		}
	}
}

// Every table's record type names its columns as its JSON fields (the
// hub decodes a stored row into it by name to judge a typed value, and
// the API's error names the field it refuses), embedded parts included.
func TestRecordJSONNamesAreColumns(t *testing.T) {
	for table, rules := range checkRules {
		rec, ptrs := rules.bind()
		names := map[string]bool{}
		var walk func(reflect.Type)
		walk = func(rt reflect.Type) {
			for i := range rt.NumField() {
				f := rt.Field(i)
				tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if f.Anonymous && tag == "" {
					walk(f.Type)
					continue
				}
				names[tag] = true
			}
		}
		walk(reflect.TypeOf(rec).Elem())
		for col := range ptrs {
			if !names[col] {
				t.Errorf("%s: column %s is no JSON field of %T", table, col, rec)
			}
		}
	}
}
