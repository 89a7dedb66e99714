package sample

import (
	"encoding/binary"
	"fmt"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Services returns a station's records of the county's services to people
// (records/services.go) for the people Workers made (their edits),
// deterministic for their order and opt.Now: four courses (技能, 安全,
// 农业技术, 乡村工匠) with their enrolments, those who completed holding a
// certificate; the county's expert roster; two start-ups, one with a
// 创业担保贷款, the other with a 一次性创业补贴 and an expert's guidance;
// returnees, some of them going out again (再次外出: those on this month's
// 有意愿外出 list first); two labour-rights cases, one closed (办结) with
// its outcome; two job fairs (a 春风行动 and a 大龄专场) with the postings
// published there, regular jobs (全职, 元/月, 月结) among them and some
// suiting older workers; and a 职业健康体检 on some older workers (edits of
// their rows, the two health-check columns). Every date is past (a return
// never after today); certificate numbers are unique per kind. Each edit
// but the health checks is valid for records.CheckChange as a new row, the
// health checks as an edit of the person's row. Fewer than 20 people make
// nothing.
func Services(workers []replica.Edit, opt ProgrammeOptions) ([]replica.Edit, error) {
	if len(workers) < 20 {
		return nil, nil
	}
	if opt.Now.IsZero() {
		return nil, fmt.Errorf("sample services: no current time")
	}
	today := time.Date(opt.Now.Year(), opt.Now.Month(), opt.Now.Day(), 0, 0, 0, 0, time.UTC)
	thisMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	date := func(t time.Time) string { return t.Format(records.DateLayout) }
	money := func(v float64) *float64 { return &v }
	p := &programmes{opt: opt}

	willing := map[string]bool{}
	month := thisMonth.Format(records.MonthLayout)
	for _, e := range opt.History {
		// 有意愿外出 is stored as 失业 with the month's willing_away flag.
		if e.Table == records.MonthlyStatus && columnValue(e, "month") == month &&
			(columnValue(e, "willing_away") == true || columnValue(e, "list_type") == records.ListWillingAway) {
			w, _ := columnValue(e, "worker_id").(string)
			willing[w] = true
		}
	}
	older := func(w replica.Edit) bool {
		id, _ := columnValue(w, "id_number").(string)
		return records.DefaultOlder.Older(id, today)
	}
	// Each service picks its people from the end of the list, away from
	// the programmes', which pick from the start.
	used := map[ident.ID]bool{}
	pick := func(n int, ok func(replica.Edit) bool) []replica.Edit {
		var out []replica.Edit
		for i := len(workers) - 1; i >= 0 && len(out) < n; i-- {
			if w := workers[i]; !used[w.Row] && ok(w) {
				used[w.Row] = true
				out = append(out, w)
			}
		}
		return out
	}
	anyone := func(replica.Edit) bool { return true }
	village, _ := columnValue(workers[0], "hukou_village").(string)
	if len(village) != 12 {
		village = Village(0)
	}
	town := village[:9]

	// 培训: four courses, three of them over, one running.
	type course struct {
		id                     ident.ID
		running                bool
		certKind, certLevel    string
		certPrefix             string
		people                 int
		subsidyPerHead         float64
		start, end             time.Time
		name, kind, skill, who string
	}
	courses := []*course{
		{name: "焊工职业技能培训（初级）", kind: "技能", skill: "焊工", who: "阿鲁科尔沁旗职业技术学校",
			certKind: records.CertificateSkillLevel, certLevel: records.CertificateLevels[0], certPrefix: "S15042126",
			people: 5, subsidyPerHead: 1500, start: thisMonth.AddDate(0, -4, 4), end: thisMonth.AddDate(0, -4, 24)},
		{name: "外出务工人员安全生产培训", kind: "安全", who: "旗应急管理局", certKind: "培训合格证书",
			certPrefix: "AQ2026", people: 4, subsidyPerHead: 300, start: thisMonth.AddDate(0, -2, 9),
			end: thisMonth.AddDate(0, -2, 11)},
		{name: "设施农业种植技术培训", kind: "农业技术", skill: "设施农业", who: "旗农牧局农业技术推广站",
			people: 4, subsidyPerHead: 800, start: thisMonth.AddDate(0, -1, 14), end: thisMonth.AddDate(0, 1, 14),
			running: true},
		{name: "乡村工匠（蒙古族刺绣）培训", kind: "乡村工匠", skill: "蒙古族刺绣", who: "乌兰刺绣专业合作社",
			certKind: "专项职业能力证书", certPrefix: "ZX2026", people: 3, subsidyPerHead: 1200,
			start: thisMonth.AddDate(0, -6, 0), end: thisMonth.AddDate(0, -5, 0)},
	}
	for i, c := range courses {
		c.id = p.add(records.Trainings, fmt.Sprintf("training/%d", i), &records.Training{Course: c.name, Kind: c.kind,
			Skill: c.skill, Provider: c.who, StartOn: date(c.start), EndOn: date(c.end), Place: "天山镇职业培训基地",
			Subsidy: money(c.subsidyPerHead)})
		for j, w := range pick(c.people, anyone) {
			e := &records.TrainingEnrolment{WorkerID: w.Row.String(), TrainingID: c.id.String()}
			// The last of each finished course did not complete it.
			if !c.running && j < c.people-1 {
				e.Completed, e.CompletedOn = true, date(c.end)
				e.SubsidyPaid, e.PaidOn = money(c.subsidyPerHead), date(c.end.AddDate(0, 0, 20))
				if c.certKind != "" {
					// A number of the row's own (the id it will have),
					// so that two stations' samples give none twice.
					name := fmt.Sprintf("enrolment/%d/%d", i, j)
					id := opt.Key.Derive(records.TrainingEnrolments, "sample/"+opt.Station+"/"+name)
					e.CertificateKind = c.certKind
					e.CertificateNo = fmt.Sprintf("%s%08d", c.certPrefix, binary.BigEndian.Uint32(id[:4])%100000000)
					if c.certKind == records.CertificateSkillLevel {
						e.CertificateLevel = c.certLevel
					}
				}
			}
			p.add(records.TrainingEnrolments, fmt.Sprintf("enrolment/%d/%d", i, j), e)
		}
	}

	// 创业服务专家队伍.
	experts := []ident.ID{
		p.add(records.Experts, "expert/0", &records.Expert{Name: "其木格", Field: "开业指导",
			Organisation: "阿鲁科尔沁旗创业服务中心", Phone: "13947600011"}),
		p.add(records.Experts, "expert/1", &records.Expert{Name: "刘建国", Field: "财务税务",
			Organisation: "旗税务局纳税服务股", Phone: "13947600012"}),
		p.add(records.Experts, "expert/2", &records.Expert{Name: "巴图", Field: "市场营销",
			Organisation: "赤峰市电子商务协会", Notes: "擅长农畜产品网络销售"}),
	}

	// 返乡入乡创业: two start-ups and their support.
	founders := pick(2, anyone)
	if len(founders) == 2 {
		beef := p.add(records.Startups, "startup/0", &records.Startup{WorkerID: founders[0].Row.String(),
			Business: "草原牛肉干加工坊", Sector: "农畜产品加工", StartedOn: date(thisMonth.AddDate(0, -8, 0)),
			Place: town, JobsCreated: 6, Incubator: "阿鲁科尔沁旗返乡入乡创业园"})
		p.add(records.StartupSupport, "support/0", &records.Support{WorkerID: founders[0].Row.String(),
			StartupID: beef.String(), Kind: records.SupportLoan, Amount: money(200000), Lender: "阿鲁科尔沁旗农村商业银行",
			StartOn: date(thisMonth.AddDate(0, -7, 9)), EndOn: date(thisMonth.AddDate(2, -7, 8))})
		p.add(records.StartupSupport, "support/1", &records.Support{WorkerID: founders[0].Row.String(),
			StartupID: beef.String(), Kind: "场地", StartOn: date(thisMonth.AddDate(0, -8, 0)), Notes: "创业园免租三年"})
		shop := p.add(records.Startups, "startup/1", &records.Startup{WorkerID: founders[1].Row.String(),
			Business: "嘎查电商服务站", Sector: "电子商务", StartedOn: date(thisMonth.AddDate(0, -3, 0)), Place: village,
			JobsCreated: 2})
		p.add(records.StartupSupport, "support/2", &records.Support{WorkerID: founders[1].Row.String(),
			StartupID: shop.String(), Kind: records.SupportSubsidy, Amount: money(5000),
			StartOn: date(thisMonth.AddDate(0, -2, 14))})
		p.add(records.StartupSupport, "support/3", &records.Support{WorkerID: founders[1].Row.String(),
			StartupID: shop.String(), Kind: records.SupportExpert, StartOn: date(thisMonth.AddDate(0, -3, 19)),
			ExpertID: experts[2].String(), Advice: "开设网店销售牛羊肉和奶制品，统一包装和品牌"})
	}

	// 返乡: returnees; those willing to go out again go out again.
	from := []string{"北京市大兴区", "江苏省苏州市", "鄂尔多斯市", "呼和浩特市", "天津市", "包头市"}
	for i, w := range pick(6, func(w replica.Edit) bool { return willing[w.Row.String()] }) {
		p.add(records.Returns, fmt.Sprintf("return/w%d", i), &records.Return{WorkerID: w.Row.String(),
			ReturnedOn: date(thisMonth.AddDate(0, -1-i%3, 5+i)), FromPlace: from[i%len(from)],
			Reason: []string{"季节性返乡", "务工结束", "照顾家庭"}[i%3], Intention: records.IntentAway})
	}
	stay := []string{"就近就业", "创业", "暂无", "就近就业"}
	for i, w := range pick(4, func(w replica.Edit) bool { return !willing[w.Row.String()] }) {
		p.add(records.Returns, fmt.Sprintf("return/s%d", i), &records.Return{WorkerID: w.Row.String(),
			ReturnedOn: date(thisMonth.AddDate(0, -2-i%2, 10+i)), FromPlace: from[(i+2)%len(from)],
			Reason: []string{"企业停产裁员", "返乡创业", "身体原因", "照顾家庭"}[i], Intention: stay[i]})
	}

	// 劳动权益: a case of unpaid wages closed with its outcome, one of
	// compensation at arbitration.
	if cases := pick(2, anyone); len(cases) == 2 {
		p.add(records.RightsCases, "rights/0", &records.RightsCase{WorkerID: cases[0].Row.String(), Kind: "欠薪",
			Employer: "鄂尔多斯市某建筑劳务公司", AmountClaimed: money(18600), ReceivedOn: date(thisMonth.AddDate(0, -3, 2)),
			Referral: "劳动监察", Status: records.RightsClosed, ClosedOn: date(thisMonth.AddDate(0, -2, 15)),
			Outcome: "劳动保障监察大队责令限期支付，企业已全额支付", AmountRecovered: money(18600)})
		p.add(records.RightsCases, "rights/1", &records.RightsCase{WorkerID: cases[1].Row.String(), Kind: "经济补偿",
			Employer: "包头市某物流公司", AmountClaimed: money(9000), ReceivedOn: date(thisMonth.AddDate(0, -1, 7)),
			Referral: "劳动仲裁", Status: "办理中", Notes: "已申请劳动仲裁，等待开庭"})
	}

	// 招聘活动: a 春风行动 two months ago and a 大龄专场 this month, with
	// the postings published there.
	spring := p.add(records.JobFairs, "fair/0", &records.JobFair{Title: "春风行动农民工专场招聘会", Kind: "春风行动",
		HeldOn: date(thisMonth.AddDate(0, -2, 9)), EndOn: date(thisMonth.AddDate(0, -2, 10)), Place: "天山镇人力资源市场",
		Organiser: "阿鲁科尔沁旗人力资源和社会保障局", Employers: 36, Postings: 520, Attendees: 1200, Agreements: 210})
	olderFair := p.add(records.JobFairs, "fair/1", &records.JobFair{Title: "大龄农牧民工专场招聘会", Kind: "大龄专场",
		HeldOn: date(thisMonth.AddDate(0, 0, min(today.Day(), 3)-1)), Place: "天山镇就业服务站",
		Organiser: "阿鲁科尔沁旗公共就业服务中心", Employers: 12, Postings: 80, Attendees: 150, Agreements: 34})
	start := date(today.AddDate(0, 0, 7))
	expires := date(today.AddDate(0, 1, 0))
	postings := []struct {
		fair            ident.ID
		title, occ      string
		job, older      bool
		wage            float64
		unit, settle    string
		headcount, aMax int64
		employer        string
		skills          []string
	}{
		{spring, "焊工（长期）", "焊工", true, false, 6500, records.MonthlyWageUnit, records.MonthlySettlement, 4, 50,
			"赤峰市某机械制造公司", []string{"焊工"}},
		{spring, "牧场饲养员", "牧场放牧", true, false, 4800, records.MonthlyWageUnit, records.MonthlySettlement, 3, 55,
			"草原牧业合作社", nil},
		{spring, "春耕农机手", "农机驾驶", false, false, 260, "元/天", "日结", 5, 55, "嘎查种植合作社", []string{"农机驾驶"}},
		{olderFair, "小区保洁员", "保洁", true, true, 2400, records.MonthlyWageUnit, records.MonthlySettlement, 6, 0,
			"县城家政服务中心", nil},
		{olderFair, "门卫（大龄优先）", "门卫", true, true, 2600, records.MonthlyWageUnit, records.MonthlySettlement, 2, 0,
			"天山镇某物业公司", nil},
		{olderFair, "羊绒分拣（计件）", "羊绒分拣", false, true, 3, "元/件", "周结", 10, 0, "草原羊绒厂", nil},
		{ident.Zero, "养老护理员", "养老护理员", true, true, 3800, records.MonthlyWageUnit, records.MonthlySettlement, 3, 0,
			"阿鲁科尔沁旗颐养中心", []string{"养老护理员"}},
	}
	for i, g := range postings {
		kind := records.GigKindCasual
		if g.job {
			kind = records.GigKindJob
		}
		rec := &records.Gig{Title: g.title, Occupation: g.occ, Headcount: g.headcount, Wage: g.wage, WageUnit: g.unit,
			Settlement: g.settle, Place: town, StartDate: start, AgeMin: 18, AgeMax: g.aMax, Employer: g.employer,
			Contact: fmt.Sprintf("1394760%04d", 100+i), Skills: g.skills, Status: records.GigOpen, ExpiresOn: expires,
			Kind: kind, SuitsOlder: g.older}
		if !g.fair.IsZero() {
			rec.JobFairID = g.fair.String()
		}
		if rec.Skills == nil {
			rec.Skills = []string{}
		}
		p.add(records.Gigs, fmt.Sprintf("posting/%d", i), rec)
	}

	// 职业健康体检 on some older workers: their row's two columns.
	results := []string{"未见异常", "未见异常", "其他疾病或异常", "需复查", "未见异常"}
	for i, w := range pick(len(results), older) {
		hc := &records.HealthCheck{On: date(thisMonth.AddDate(0, -1-2*i, 12)), Result: results[i]}
		if err := hc.ValidateOn(today); err != nil && p.err == nil {
			p.err = fmt.Errorf("sample health check %d: %w", i, err)
		}
		p.out = append(p.out, replica.Edit{Table: records.Workers, Row: w.Row, Set: hc.Columns()})
	}
	return p.out, p.err
}
