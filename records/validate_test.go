package records

import (
	"strings"
	"testing"
	"time"

	"fieldsync/ident"
)

const goodID = "11010519491231002X"

func goodWorker() Worker {
	return Worker{IDNumber: goodID, Name: "张三", Phone: "13800138000", Ethnicity: "蒙古族",
		HukouVillage: "150102001001", Education: "初中", LabourAbility: "普通劳动力",
		Tags: []string{"脱贫人口", "农民工", "农民工"}, Skills: []string{" 电焊 ", "瓦工"}}
}

func TestWorkerValidate(t *testing.T) {
	w := goodWorker()
	w.IDNumber = " 110105 19491231 002x "
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	if w.IDNumber != goodID || strings.Join(w.Tags, ",") != "农民工,脱贫人口" || strings.Join(w.Skills, ",") != "瓦工,电焊" {
		t.Fatalf("not normalised: %+v", w)
	}
	cases := []struct {
		edit       func(*Worker)
		field, key string
		zh         string
	}{
		{func(w *Worker) { w.IDNumber = "" }, "id_number", KeyRequired, "公民身份号码不能为空"},
		{func(w *Worker) { w.IDNumber = "1101051949123100" }, "id_number", KeyIDLength, "应为18位"},
		{func(w *Worker) { w.IDNumber = "11010519491231A02X" }, "id_number", KeyIDChars, "只能包含数字"},
		{func(w *Worker) { w.IDNumber = "110105194913310020" }, "id_number", KeyIDDate, "出生日期"},
		{func(w *Worker) { w.IDNumber = "110105194912310021" }, "id_number", KeyIDChecksum, "校验位错误"},
		{func(w *Worker) { w.Name = " " }, "name", KeyRequired, "姓名不能为空"},
		{func(w *Worker) { w.Name = strings.Repeat("名", 51) }, "name", KeyTooLong, "过长"},
		{func(w *Worker) { w.Phone = "12800138000" }, "phone", KeyPhone, "手机号码"},
		{func(w *Worker) { w.Phone = "1380013800" }, "phone", KeyPhone, "手机号码"},
		{func(w *Worker) { w.Ethnicity = "" }, "ethnicity", KeyRequired, "民族不能为空"},
		{func(w *Worker) { w.HukouVillage = "15010200100" }, "hukou_village", KeyDivision, "12位"},
		{func(w *Worker) { w.HukouVillage = "" }, "hukou_village", KeyRequired, "不能为空"},
		{func(w *Worker) { w.ResidenceVillage = "abc" }, "residence_village", KeyDivision, "12位"},
		{func(w *Worker) { w.Education = "幼儿园" }, "education", KeyEnum, "初中"},
		{func(w *Worker) { w.LabourAbility = "" }, "labour_ability", KeyRequired, "劳动能力"},
		{func(w *Worker) { w.Tags = []string{"富人"} }, "tags", KeyEnum, "脱贫人口"},
		{func(w *Worker) { w.MonitorType = "x" }, "monitor_type", KeyEnum, "边缘易致贫户"},
		{func(w *Worker) { w.Notes = strings.Repeat("x", 2001) }, "notes", KeyTooLong, "2000"},
		// A monitoring type needs the category 防止返贫监测对象.
		{func(w *Worker) { w.MonitorType = "突发严重困难户" }, "monitor_type", KeyMonitorTag, "防止返贫监测对象"},
		{func(w *Worker) { w.MonitorType = "突发严重困难户"; w.Tags = []string{"农民工"} }, "monitor_type", KeyMonitorTag,
			"监测对象类型需在人员类别中选择"},
		// 边缘易致贫户 with 脱贫人口 is refused.
		{func(w *Worker) {
			w.MonitorType = "边缘易致贫户"
			w.Tags = []string{"脱贫人口", "防止返贫监测对象"}
		},
			"monitor_type", KeyEdgeLifted, "人员类别不能有“脱贫人口”"},
	}
	for _, c := range cases {
		w := goodWorker()
		c.edit(&w)
		err := w.Validate()
		fe, ok := AsFieldError(err)
		if !ok || fe.Field != c.field || fe.Key != c.key {
			t.Errorf("%s/%s: got %v", c.field, c.key, err)
			continue
		}
		if msg := fe.Message("zh"); !strings.Contains(msg, c.zh) {
			t.Errorf("%s/%s: zh message %q lacks %q", c.field, c.key, msg, c.zh)
		}
		if msg := fe.Message("en"); msg == "" || msg == fe.Message("zh") {
			t.Errorf("%s/%s: no English text: %q", c.field, c.key, msg)
		}
	}
	for _, ok := range []Worker{
		{Tags: []string{"防止返贫监测对象"}, MonitorType: "边缘易致贫户"},
		{Tags: []string{"脱贫人口", "防止返贫监测对象"}, MonitorType: "脱贫不稳定户"},
		{Tags: []string{"防止返贫监测对象"}},
	} {
		w := goodWorker()
		w.Tags, w.MonitorType = ok.Tags, ok.MonitorType
		if err := w.Validate(); err != nil {
			t.Errorf("tags %v, monitor type %q: %v", ok.Tags, ok.MonitorType, err)
		}
	}
	w = goodWorker()
	w.Education = "技校"
	if err := w.Validate(); err != nil || w.Education != "中专" {
		t.Fatalf("education alias: %v %q", err, w.Education)
	}
}

func TestIDMessagesDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range []string{KeyIDLength, KeyIDChars, KeyIDDate, KeyIDChecksum} {
		m := Message("zh", k, "公民身份号码")
		if seen[m] {
			t.Fatalf("duplicate message %q", m)
		}
		seen[m] = true
	}
}

var wid = ident.ID{1}.String()

func TestRecordValidate(t *testing.T) {
	type tc struct {
		name       string
		v          interface{ Validate() error }
		field, key string
	}
	ms := func(f func(*MonthStatus)) *MonthStatus {
		m := &MonthStatus{WorkerID: wid, Month: "2026-11", ListType: "employed", WorkScope: "本村",
			EmploymentForm: "单位", MonthlyIncome: Income(3000), VerifiedByMethod: "电话", VerifiedBy: "李四", VerifiedAt: "2026-11-03"}
		f(m)
		return m
	}
	un := func(f func(*UnemploymentRegistration)) *UnemploymentRegistration {
		u := &UnemploymentRegistration{WorkerID: wid, PlaceType: "户籍地", RegisteredOn: "2026-10-01", Reason: "合同到期"}
		f(u)
		return u
	}
	js := func(f func(*JobseekerRegistration)) *JobseekerRegistration {
		j := &JobseekerRegistration{WorkerID: wid, IntendedWork: "保洁", ExpectedWage: 150, WageUnit: "元/天",
			WorkType: "零工", RegisteredOn: "2026-10-01"}
		f(j)
		return j
	}
	fu := func(f func(*Followup)) *Followup {
		x := &Followup{WorkerID: wid, Date: "2026-10-01", Method: "电话", ServiceType: "岗位推荐", Content: "推荐保洁岗位"}
		f(x)
		return x
	}
	gig := func(f func(*Gig)) *Gig {
		g := &Gig{Title: "摘枸杞", Occupation: "采摘工", Headcount: 5, Wage: 150, WageUnit: "元/天", Settlement: "日结",
			Place: "150102001", StartDate: "2026-11-01", EndDate: "2026-11-10", AgeMin: 18, AgeMax: 60,
			Employer: "某合作社", Contact: "13800138000"}
		f(g)
		return g
	}
	pl := func(f func(*Placement)) *Placement {
		p := &Placement{GigID: wid, WorkerID: wid, PlacedOn: "2026-11-01"}
		f(p)
		return p
	}
	cases := []tc{
		{"ms ok", ms(func(*MonthStatus) {}), "", ""},
		{"ms unemployed no scope", ms(func(m *MonthStatus) {
			m.ListType = "失业"
			m.WorkScope = ""
			m.EmploymentForm = ""
			m.MonthlyIncome = nil
		}), "", ""},
		{"ms income unknown", ms(func(m *MonthStatus) { m.MonthlyIncome = nil }), "", ""},
		{"ms income zero", ms(func(m *MonthStatus) { m.MonthlyIncome = Income(0) }), "", ""},
		// An unemployed person's status carries no place, industry, form or income.
		{"ms unemployed income 0", ms(func(m *MonthStatus) {
			m.ListType, m.EmploymentForm, m.MonthlyIncome = "失业", "", Income(0)
		}), "", ""},
		{"ms unemployed form", ms(func(m *MonthStatus) { m.ListType, m.MonthlyIncome = "失业", nil }),
			"employment_form", KeyUnemployedField},
		{"ms unemployed income", ms(func(m *MonthStatus) { m.ListType, m.EmploymentForm = "失业", "" }),
			"monthly_income", KeyUnemployedField},
		{"ms unemployed industry", ms(func(m *MonthStatus) {
			m.ListType, m.EmploymentForm, m.MonthlyIncome, m.Industry = "unemployed", "", nil, "建筑业"
		}), "industry", KeyUnemployedField},
		{"ms unemployed place", ms(func(m *MonthStatus) {
			m.ListType, m.EmploymentForm, m.MonthlyIncome, m.Place = "失业", "", nil, "呼和浩特"
		}), "place", KeyUnemployedField},
		// A public-welfare post is never outside the region.
		{"ms welfare away", ms(func(m *MonthStatus) { m.EmploymentForm, m.WorkScope = "公益性岗位", "区外" }),
			"employment_form", KeyWelfareAway},
		{"ms welfare local", ms(func(m *MonthStatus) { m.EmploymentForm, m.WorkScope = "公益性岗位", "乡外县内" }), "", ""},
		{"ms welfare willing away", ms(func(m *MonthStatus) {
			m.ListType, m.WillingAway, m.EmploymentForm, m.WorkScope = "就业", true, "公益性岗位", "区外"
		}), "employment_form", KeyWelfareAway},
		{"ms worker", ms(func(m *MonthStatus) { m.WorkerID = "zz" }), "worker_id", KeyNoWorker},
		{"ms month", ms(func(m *MonthStatus) { m.Month = "2026-13" }), "month", KeyMonth},
		{"ms month form", ms(func(m *MonthStatus) { m.Month = "2026-1" }), "month", KeyMonth},
		{"ms list", ms(func(m *MonthStatus) { m.ListType = "退休" }), "list_type", KeyEnum},
		{"ms scope", ms(func(m *MonthStatus) { m.WorkScope = "" }), "work_scope", KeyRequired},
		{"ms scope enum", ms(func(m *MonthStatus) { m.WorkScope = "外国" }), "work_scope", KeyEnum},
		{"ms form", ms(func(m *MonthStatus) { m.EmploymentForm = "打工" }), "employment_form", KeyEnum},
		{"ms income", ms(func(m *MonthStatus) { m.MonthlyIncome = Income(-1) }), "monthly_income", KeyNegative},
		{"ms method", ms(func(m *MonthStatus) { m.VerifiedByMethod = "猜" }), "verified_by_method", KeyEnum},
		{"ms by", ms(func(m *MonthStatus) { m.VerifiedBy = "" }), "verified_by", KeyRequired},
		{"ms at", ms(func(m *MonthStatus) { m.VerifiedAt = "2026/11/31" }), "verified_at", KeyDate},
		{"un ok", un(func(*UnemploymentRegistration) {}), "", ""},
		{"un place", un(func(u *UnemploymentRegistration) { u.PlaceType = "外地" }), "place_type", KeyEnum},
		{"un date", un(func(u *UnemploymentRegistration) { u.RegisteredOn = "2026-02-30" }), "registered_on", KeyDate},
		{"un reason", un(func(u *UnemploymentRegistration) { u.Reason = "" }), "reason", KeyRequired},
		{"un dereg before", un(func(u *UnemploymentRegistration) { u.DeregisteredOn = "2026-09-01"; u.DeregistrationReason = "就业" }), "deregistered_on", KeyBeforeStart},
		{"un dereg reason", un(func(u *UnemploymentRegistration) { u.DeregisteredOn = "2026-11-01" }), "deregistration_reason", KeyRequired},
		{"js ok", js(func(*JobseekerRegistration) {}), "", ""},
		{"js work", js(func(j *JobseekerRegistration) { j.IntendedWork = "" }), "intended_work", KeyRequired},
		{"js wage", js(func(j *JobseekerRegistration) { j.ExpectedWage = -5 }), "expected_wage", KeyNegative},
		{"js unit", js(func(j *JobseekerRegistration) { j.WageUnit = "元/年" }), "wage_unit", KeyEnum},
		{"js type", js(func(j *JobseekerRegistration) { j.WorkType = "兼职" }), "work_type", KeyEnum},
		{"js from", js(func(j *JobseekerRegistration) { j.AvailableFrom = "明天" }), "available_from", KeyDate},
		{"fu ok", fu(func(*Followup) {}), "", ""},
		{"fu date", fu(func(f *Followup) { f.Date = "" }), "date", KeyRequired},
		{"fu method", fu(func(f *Followup) { f.Method = "微信" }), "method", KeyEnum},
		{"fu service", fu(func(f *Followup) { f.ServiceType = "" }), "service_type", KeyRequired},
		{"fu content", fu(func(f *Followup) { f.Content = "" }), "content", KeyRequired},
		{"fu next", fu(func(f *Followup) { f.NextDue = "2026-09-01" }), "next_due", KeyBeforeStart},
		{"gig ok", gig(func(*Gig) {}), "", ""},
		{"gig title", gig(func(g *Gig) { g.Title = "" }), "title", KeyRequired},
		{"gig occupation", gig(func(g *Gig) { g.Occupation = "" }), "occupation", KeyRequired},
		{"gig headcount", gig(func(g *Gig) { g.Headcount = 0 }), "headcount", KeyPositive},
		{"gig wage", gig(func(g *Gig) { g.Wage = -1 }), "wage", KeyNegative},
		{"gig unit", gig(func(g *Gig) { g.WageUnit = "元/周" }), "wage_unit", KeyEnum},
		{"gig settlement", gig(func(g *Gig) { g.Settlement = "年结" }), "settlement", KeyEnum},
		// A gig is paid by the day, hour or piece; a regular job (全职) by
		// the month, settled monthly.
		{"gig paid by the month", gig(func(g *Gig) { g.WageUnit = "元/月" }), "wage_unit", KeyKindPay},
		{"gig settled monthly", gig(func(g *Gig) { g.Settlement = "月结" }), "settlement", KeyKindPay},
		{"job ok", gig(func(g *Gig) { g.Kind, g.WageUnit, g.Settlement = GigKindJob, "元/月", "月结" }), "", ""},
		{"job paid by the day", gig(func(g *Gig) { g.Kind, g.Settlement = GigKindJob, "月结" }), "wage_unit", KeyKindPay},
		{"job settled daily", gig(func(g *Gig) { g.Kind, g.WageUnit = GigKindJob, "元/月" }), "settlement", KeyKindPay},
		{"gig kind", gig(func(g *Gig) { g.Kind = "兼职" }), "kind", KeyEnum},
		{"gig fair", gig(func(g *Gig) { g.JobFairID = "x" }), "job_fair_id", KeyNoProgrammeRow},
		{"gig place", gig(func(g *Gig) { g.Place = "1501" }), "place", KeyPlace},
		{"gig start", gig(func(g *Gig) { g.StartDate = "" }), "start_date", KeyRequired},
		{"gig end", gig(func(g *Gig) { g.EndDate = "2026-10-01" }), "end_date", KeyStartAfterEnd},
		{"gig age min", gig(func(g *Gig) { g.AgeMin = 10 }), "age_min", KeyAgeRange},
		{"gig age max", gig(func(g *Gig) { g.AgeMax = 17; g.AgeMin = 30 }), "age_max", KeyAgeRange},
		{"gig employer", gig(func(g *Gig) { g.Employer = "" }), "employer", KeyRequired},
		{"gig contact", gig(func(g *Gig) { g.Contact = "" }), "contact", KeyRequired},
		{"gig status", gig(func(g *Gig) { g.Status = "done" }), "status", KeyEnum},
		{"gig expires", gig(func(g *Gig) { g.ExpiresOn = "x" }), "expires_on", KeyDate},
		{"pl ok", pl(func(*Placement) {}), "", ""},
		{"pl gig", pl(func(p *Placement) { p.GigID = "" }), "gig_id", KeyRequired},
		{"pl status", pl(func(p *Placement) { p.Status = "x" }), "status", KeyEnum},
		{"pl date", pl(func(p *Placement) { p.PlacedOn = "" }), "placed_on", KeyRequired},
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

func TestOlder(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	// 11010519491231002X: a woman born 1949-12-31.
	if a := Age(goodID, now); a != 76 {
		t.Fatalf("age = %d", a)
	}
	f17 := "11010519860101001"
	man := f17 + string(ident.CheckDigit(f17)) // 17th digit 1: a man of 40
	f17 = "11010519860101002"
	woman := f17 + string(ident.CheckDigit(f17))
	o := OlderThresholds{Male: 50, Female: 40}
	if o.Older(man, now) || !o.Older(woman, now) {
		t.Fatal("40/50 rule wrong")
	}
	o = OlderThresholds{Male: 40, Female: 45}
	if !o.Older(man, now) || o.Older(woman, now) {
		t.Fatal("configured thresholds ignored")
	}
	if Age(woman, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)) != 39 {
		t.Fatal("age before birthday")
	}
}
