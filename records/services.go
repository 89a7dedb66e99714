package records

import (
	"time"

	"fieldsync/replica"
)

// The county's services to people (人社部发〔2022〕76号 (三)(八)(九)(十)(十一)
// (十二), 内人社发〔2022〕94号 三): training (courses and who took them, with
// the certificates they earned), start-up support (the county's expert
// roster, a person's start-ups and the support each got), labour-rights
// cases, returnees, and recruitment events (job fairs, whose postings are
// gigs or regular jobs naming the fair).
//
// Courses, experts and job fairs name no person: like the programmes'
// county-wide rows, every station receives them whole and only their maker
// (a station, or the county: County) edits them. Enrolments, start-ups,
// start-up support, rights cases and returns are a person's records, kept
// by worker_id: they follow the person into a station's scope. Rights cases
// are read only by those allowed to (a station's staff with the rights
// permission, the hub's read_rights): everywhere else they are masked.

// Service table names.
const (
	Trainings          = "trainings"
	TrainingEnrolments = "training_enrolments"
	Experts            = "experts"
	Startups           = "startups"
	StartupSupport     = "startup_support"
	RightsCases        = "rights_cases"
	Returns            = "returns"
	JobFairs           = "job_fairs"
)

// ServiceCountyTables are the service tables that name no person.
var ServiceCountyTables = []string{Trainings, Experts, JobFairs}

// ServicePersonTables are the service tables of a person's records, each
// with its worker_id column.
var ServicePersonTables = []string{TrainingEnrolments, Startups, StartupSupport, RightsCases, Returns}

// CountyWideTables are every table of county-wide rows a station makes
// and only their maker edits: the programmes' and the services'.
var CountyWideTables = append(append([]string(nil), ProgrammeCountyTables...), ServiceCountyTables...)

// PersonRecordTables are every programme and service table of a person's
// records (worker_id).
var PersonRecordTables = append(append([]string(nil), ProgrammePersonTables...), ServicePersonTables...)

// Ref is a column of table From naming a row of table Table (empty when
// the reference is optional and not given).
type Ref struct{ From, Column, Table string }

// Refs are the references between programme and service rows (and a
// gig's job fair): a row may name only one that exists, and a row others
// name is not deleted while they do (in_use).
var Refs = []Ref{
	{WelfarePlacements, "post_id", WelfarePosts},
	{WelfareAssessments, "placement_id", WelfarePlacements},
	{WorkshopJobs, "workshop_id", Workshops},
	{WorkReliefJobs, "project_id", WorkReliefProjects},
	{ExportMembers, "batch_id", ExportBatches},
	{ExportBatches, "partner_region_id", PartnerRegions},
	{TrainingEnrolments, "training_id", Trainings},
	{StartupSupport, "startup_id", Startups},
	{StartupSupport, "expert_id", Experts},
	{Gigs, "job_fair_id", JobFairs},
}

// RefsFrom lists the references of rows of table from.
func RefsFrom(from string) []Ref {
	var out []Ref
	for _, r := range Refs {
		if r.From == from {
			out = append(out, r)
		}
	}
	return out
}

// RefsTo lists the references naming rows of table to.
func RefsTo(to string) []Ref {
	var out []Ref
	for _, r := range Refs {
		if r.Table == to {
			out = append(out, r)
		}
	}
	return out
}

// The services' enumerations.
var (
	// TrainingKinds are the kinds of course (76号 (十)).
	TrainingKinds = []string{"技能", "安全", "新职业新业态", "农业技术", "乡村工匠"}
	// CertificateKinds are the certificates a course may end in.
	CertificateKinds = []string{CertificateSkillLevel, "职业资格证书", "专项职业能力证书", "培训合格证书"}
	// CertificateLevels are the five levels of a 职业技能等级证书 (and of a
	// 职业资格证书).
	CertificateLevels = []string{"五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"}
	// ExpertFields are what an expert of the 创业服务专家队伍 advises on.
	ExpertFields = []string{"政策咨询", "开业指导", "项目评审", "创业计划", "市场营销", "财务税务", "法律服务", "其他"}
	// SupportKinds are the kinds of start-up support (76号 (八)).
	SupportKinds = []string{SupportLoan, SupportSubsidy, "场地", "税费减免", SupportExpert}
	// RightsKinds are the kinds of labour-rights case (76号 (十一)).
	RightsKinds = []string{"欠薪", "经济补偿", "劳动合同", "工伤", "社保", "其他"}
	// RightsReferrals are where a case is referred.
	RightsReferrals = []string{"劳动监察", "劳动仲裁", "法律援助"}
	// RightsStatuses are a case's states, through to RightsClosed.
	RightsStatuses = []string{"受理", "办理中", RightsClosed}
	// ReturnReasons are why a person came back.
	ReturnReasons = []string{"务工结束", "企业停产裁员", "照顾家庭", "返乡创业", "身体原因", "季节性返乡", "其他"}
	// ReturnIntentions are what a returnee means to do next; IntentAway is
	// the one that marks the person willing to work away.
	ReturnIntentions = []string{IntentAway, "就近就业", "创业", "暂无"}
	// JobFairKinds are the kinds of recruitment event (76号 (九)(十二)).
	JobFairKinds = []string{"农民工专场", "大龄专场", "线上", "春风行动", "其他"}
	// GigKinds: a posting is a gig (零工: paid by the day, hour or piece,
	// settled daily, weekly or on completion) or a regular job (全职: paid
	// and settled by the month). A gig without a kind (an older station's)
	// is a 零工.
	GigKinds = []string{GigKindCasual, GigKindJob}
	// HealthResults are the conclusions of a 职业健康体检.
	HealthResults = []string{"未见异常", "其他疾病或异常", "需复查", "职业禁忌证", "疑似职业病"}
)

// Values the services' rules name.
const (
	CertificateSkillLevel = "职业技能等级证书"
	SupportLoan           = "创业担保贷款"
	SupportSubsidy        = "一次性创业补贴"
	SupportExpert         = "专家指导"
	RightsClosed          = "办结"
	IntentAway            = "再次外出"
	GigKindCasual         = "零工"
	GigKindJob            = "全职"
	// MonthlyWageUnit and MonthlySettlement are a regular job's pay.
	MonthlyWageUnit   = "元/月"
	MonthlySettlement = "月结"
)

// Keys of the services' rules.
const (
	// KeyCertificateTaken: another enrolment holds a certificate of the
	// same kind with the same number.
	KeyCertificateTaken = "certificate_taken"
	// KeyKindPay: a regular job is paid and settled by the month, a gig
	// not.
	KeyKindPay = "kind_pay"
	// KeyFutureDate: a date that has not come yet (a return).
	KeyFutureDate = "future_date"
	// KeyNotAfter: an end that is not after its start (a loan's).
	KeyNotAfter = "not_after"
	// KeyMoreThan: a count above the count it is part of.
	KeyMoreThan = "more_than"
	// KeyRightsHidden: the user may not read labour-rights cases.
	KeyRightsHidden = "rights_hidden"
)

func init() {
	for k, m := range map[string][2]string{
		KeyCertificateTaken: {"%[1]s已被另一条培训记录使用（同一证书类型的证书编号不能重复）", "%[1]s is already used by another enrolment (a certificate number is unique per kind)"},
		KeyKindPay:          {"%[1]s不符：全职岗位按月计薪（元/月）、按月结算（月结），零工按天、时或件计薪，日结、周结或完工结", "%[1]s does not fit the kind: a regular job is paid by the month and settled monthly, a gig by the day, hour or piece"},
		KeyFutureDate:       {"%[1]s不能晚于今天", "%[1]s cannot be after today"},
		KeyNotAfter:         {"%[1]s必须晚于%[2]s", "%[1]s must be after %[2]s"},
		KeyMoreThan:         {"%[1]s不能多于%[2]s", "%[1]s cannot be more than %[2]s"},
		KeyRightsHidden:     {"无权查看劳动权益维护记录", "you may not read labour-rights cases"},
	} {
		messages[k] = m
	}
	for k, l := range map[string][2]string{
		"course":              {"课程名称", "course"},
		"skill":               {"培训工种（技能）", "skill trained"},
		"provider":            {"培训机构", "training provider"},
		"training_id":         {"培训课程", "course"},
		"completed":           {"已结业", "completed"},
		"completed_on":        {"结业日期", "completed on"},
		"certificate_kind":    {"证书类型", "certificate kind"},
		"certificate_no":      {"证书编号", "certificate number"},
		"certificate_level":   {"证书等级", "certificate level"},
		"subsidy_paid":        {"已发放培训补贴（元）", "training subsidy paid (yuan)"},
		"expert_field":        {"专业领域", "field"},
		"organisation":        {"所在单位", "organisation"},
		"business":            {"经营项目（字号）", "business"},
		"sector":              {"行业", "sector"},
		"started_on":          {"创业日期", "started on"},
		"jobs_created":        {"带动就业人数", "jobs created"},
		"incubator":           {"入驻创业园或孵化基地", "park or incubator"},
		"startup_id":          {"创业项目", "start-up"},
		"support_kind":        {"扶持类型", "support kind"},
		"amount":              {"金额（元）", "amount (yuan)"},
		"lender":              {"经办银行", "lender"},
		"expert_id":           {"创业服务专家", "expert"},
		"advice":              {"指导内容", "advice given"},
		"rights_kind":         {"案件类型", "case kind"},
		"amount_claimed":      {"涉及金额（元）", "amount claimed (yuan)"},
		"received_on":         {"受理日期", "received on"},
		"referral":            {"转办去向", "referred to"},
		"case_status":         {"办理状态", "case status"},
		"closed_on":           {"办结日期", "closed on"},
		"case_outcome":        {"处理结果", "outcome"},
		"amount_recovered":    {"追回金额（元）", "amount recovered (yuan)"},
		"returned_on":         {"返乡日期", "return date"},
		"from_place":          {"返乡前务工地", "came back from"},
		"return_reason":       {"返乡原因", "reason for returning"},
		"intention":           {"返乡后意向", "intention"},
		"fair_kind":           {"招聘会类型", "event kind"},
		"held_on":             {"举办日期", "held on"},
		"organiser":           {"主办单位", "organiser"},
		"employers":           {"参会企业数", "employers"},
		"postings":            {"提供岗位数", "postings"},
		"attendees":           {"入场求职人数", "attendees"},
		"agreements":          {"达成意向人数", "agreements reached"},
		"job_fair_id":         {"招聘会", "job fair"},
		"suits_older":         {"适合大龄", "suits older workers"},
		"health_check_on":     {"职业健康体检日期", "health check date"},
		"health_check_result": {"职业健康体检结论", "health check result"},
	} {
		if _, ok := fieldLabels[k]; !ok {
			fieldLabels[k] = l
		}
	}
	checkRules[Trainings] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			t := &Training{}
			return t, map[string]any{"course": &t.Course, "kind": &t.Kind, "skill": &t.Skill, "provider": &t.Provider,
				"start_on": &t.StartOn, "end_on": &t.EndOn, "place": &t.Place, "subsidy": &t.Subsidy, "notes": &t.Notes}
		},
		template: map[string]any{"course": "x", "kind": TrainingKinds[0], "start_on": earliest},
		partners: map[string][]string{"end_on": {"start_on"}},
	}
	checkRules[TrainingEnrolments] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			e := &TrainingEnrolment{}
			return e, map[string]any{"worker_id": &e.WorkerID, "training_id": &e.TrainingID, "completed": &e.Completed,
				"completed_on": &e.CompletedOn, "certificate_kind": &e.CertificateKind,
				"certificate_no": &e.CertificateNo, "certificate_level": &e.CertificateLevel,
				"subsidy_paid": &e.SubsidyPaid, "paid_on": &e.PaidOn}
		},
		// The template has completed the course, so that a certificate
		// column is judged alone; a certificate's kind, number and level go
		// together (partners).
		template: map[string]any{"worker_id": templateID, "training_id": templateID, "completed": int64(1)},
		fill:     map[string]any{"completed": int64(0)},
		partners: map[string][]string{
			"completed_on":      {"completed"},
			"certificate_kind":  {"completed", "certificate_no", "certificate_level"},
			"certificate_no":    {"certificate_kind"},
			"certificate_level": {"certificate_kind"},
		},
	}
	checkRules[Experts] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			x := &Expert{}
			return x, map[string]any{"name": &x.Name, "expert_field": &x.Field, "organisation": &x.Organisation,
				"phone": &x.Phone, "notes": &x.Notes}
		},
		template: map[string]any{"name": "x", "expert_field": ExpertFields[0]},
	}
	checkRules[Startups] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			s := &Startup{}
			return s, map[string]any{"worker_id": &s.WorkerID, "business": &s.Business, "sector": &s.Sector,
				"started_on": &s.StartedOn, "place": &s.Place, "jobs_created": &s.JobsCreated,
				"incubator": &s.Incubator, "notes": &s.Notes}
		},
		template: map[string]any{"worker_id": templateID, "business": "x", "started_on": earliest, "place": "150102"},
	}
	checkRules[StartupSupport] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			s := &Support{}
			return s, map[string]any{"worker_id": &s.WorkerID, "startup_id": &s.StartupID, "support_kind": &s.Kind,
				"amount": &s.Amount, "lender": &s.Lender, "start_on": &s.StartOn, "end_on": &s.EndOn,
				"expert_id": &s.ExpertID, "advice": &s.Advice, "notes": &s.Notes}
		},
		template: map[string]any{"worker_id": templateID, "support_kind": "场地", "start_on": earliest},
		partners: map[string][]string{
			"amount": {"support_kind"}, "lender": {"support_kind"}, "end_on": {"support_kind", "start_on"},
			"expert_id": {"support_kind"}, "advice": {"support_kind"},
		},
	}
	checkRules[RightsCases] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			c := &RightsCase{}
			return c, map[string]any{"worker_id": &c.WorkerID, "rights_kind": &c.Kind, "employer": &c.Employer,
				"amount_claimed": &c.AmountClaimed, "received_on": &c.ReceivedOn, "referral": &c.Referral,
				"case_status": &c.Status, "closed_on": &c.ClosedOn, "case_outcome": &c.Outcome,
				"amount_recovered": &c.AmountRecovered, "notes": &c.Notes}
		},
		template: map[string]any{"worker_id": templateID, "rights_kind": RightsKinds[0], "employer": "x",
			"received_on": earliest, "case_status": RightsStatuses[0]},
		fill: map[string]any{"case_status": RightsClosed},
		partners: map[string][]string{
			"closed_on": {"case_status", "received_on"}, "case_outcome": {"case_status"},
		},
	}
	checkRules[Returns] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			r := &Return{}
			return r, map[string]any{"worker_id": &r.WorkerID, "returned_on": &r.ReturnedOn, "from_place": &r.FromPlace,
				"return_reason": &r.Reason, "intention": &r.Intention, "notes": &r.Notes}
		},
		template: map[string]any{"worker_id": templateID, "returned_on": earliest, "from_place": "x",
			"return_reason": ReturnReasons[0], "intention": ReturnIntentions[0]},
	}
	checkRules[JobFairs] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			f := &JobFair{}
			return f, map[string]any{"title": &f.Title, "fair_kind": &f.Kind, "held_on": &f.HeldOn, "end_on": &f.EndOn,
				"place": &f.Place, "organiser": &f.Organiser, "employers": &f.Employers, "postings": &f.Postings,
				"attendees": &f.Attendees, "agreements": &f.Agreements, "notes": &f.Notes}
		},
		template: map[string]any{"title": "x", "fair_kind": JobFairKinds[0], "held_on": earliest, "place": "x"},
		partners: map[string][]string{"end_on": {"held_on"}, "agreements": {"attendees"}},
	}
}

// serviceTables are the service tables of schema version 2, in wire order
// (appended after the programmes'; never reordered).
func serviceTables() []*replica.Table {
	return []*replica.Table{
		{Name: Trainings, Since: 2, DeletedID: 11, Columns: []replica.Column{
			text(0, "course"), text(1, "kind"), text(2, "skill"), text(3, "provider"), text(4, "start_on"),
			text(5, "end_on"), text(6, "place"), number(7, "subsidy"), text(8, "notes"), text(9, "station"),
			text(10, EnteredBy),
		}},
		{Name: TrainingEnrolments, Since: 2, DeletedID: 11, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "training_id"), integer(2, "completed"), text(3, "completed_on"),
			text(4, "certificate_kind"), text(5, "certificate_no"), text(6, "certificate_level"),
			number(7, "subsidy_paid"), text(8, "paid_on"), text(9, "station"), text(10, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}, {"training_id"}, {"certificate_no"}}},
		{Name: Experts, Since: 2, DeletedID: 7, Columns: []replica.Column{
			text(0, "name"), text(1, "expert_field"), text(2, "organisation"), text(3, "phone"), text(4, "notes"),
			text(5, "station"), text(6, EnteredBy),
		}},
		{Name: Startups, Since: 2, DeletedID: 10, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "business"), text(2, "sector"), text(3, "started_on"), text(4, "place"),
			integer(5, "jobs_created"), text(6, "incubator"), text(7, "notes"), text(8, "station"), text(9, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}}},
		{Name: StartupSupport, Since: 2, DeletedID: 12, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "startup_id"), text(2, "support_kind"), number(3, "amount"), text(4, "lender"),
			text(5, "start_on"), text(6, "end_on"), text(7, "expert_id"), text(8, "advice"), text(9, "notes"),
			text(10, "station"), text(11, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}, {"startup_id"}, {"expert_id"}}},
		{Name: RightsCases, Since: 2, DeletedID: 13, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "rights_kind"), text(2, "employer"), number(3, "amount_claimed"),
			text(4, "received_on"), text(5, "referral"), text(6, "case_status"), text(7, "closed_on"), text(8, "case_outcome"),
			number(9, "amount_recovered"), text(10, "notes"), text(11, "station"), text(12, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}}},
		{Name: Returns, Since: 2, DeletedID: 8, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "returned_on"), text(2, "from_place"), text(3, "return_reason"),
			text(4, "intention"), text(5, "notes"), text(6, "station"), text(7, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}, {"returned_on"}}},
		{Name: JobFairs, Since: 2, DeletedID: 13, Columns: []replica.Column{
			text(0, "title"), text(1, "fair_kind"), text(2, "held_on"), text(3, "end_on"), text(4, "place"),
			text(5, "organiser"), integer(6, "employers"), integer(7, "postings"), integer(8, "attendees"),
			integer(9, "agreements"), text(10, "notes"), text(11, "station"), text(12, EnteredBy),
		}},
	}
}

// Training is a course (培训): its kind, the skill (工种) it trains, who
// gives it, when and where, and the subsidy standard per person (元/人).
// A person who completes it, or holds a certificate from it, counts as
// holding its skill in matching.
type Training struct {
	Course   string   `json:"course"`
	Kind     string   `json:"kind"`
	Skill    string   `json:"skill"`
	Provider string   `json:"provider"`
	StartOn  string   `json:"start_on"`
	EndOn    string   `json:"end_on"`
	Place    string   `json:"place"`
	Subsidy  *float64 `json:"subsidy"`
	Notes    string   `json:"notes"`
}

// Validate normalises t and checks its rules: the dates in order.
func (t *Training) Validate() error {
	trim(&t.Course, &t.Kind, &t.Skill, &t.Provider, &t.StartOn, &t.EndOn, &t.Place, &t.Notes)
	if err := required("course", t.Course, maxText); err != nil {
		return err
	}
	if err := enum("kind", t.Kind, TrainingKinds, true); err != nil {
		return err
	}
	if err := maxLen("skill", t.Skill, maxShort); err != nil {
		return err
	}
	if err := maxLen("provider", t.Provider, maxText); err != nil {
		return err
	}
	if err := dateRange("start_on", &t.StartOn, true, "end_on", &t.EndOn); err != nil {
		return err
	}
	if err := maxLen("place", t.Place, maxText); err != nil {
		return err
	}
	if t.Subsidy != nil {
		if err := money("subsidy", *t.Subsidy); err != nil {
			return err
		}
	}
	return maxLen("notes", t.Notes, maxLong)
}

// Columns lists the column values of t.
func (t *Training) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "course", Value: t.Course}, {Column: "kind", Value: t.Kind}, {Column: "skill", Value: opt(t.Skill)},
		{Column: "provider", Value: opt(t.Provider)}, {Column: "start_on", Value: t.StartOn},
		{Column: "end_on", Value: opt(t.EndOn)}, {Column: "place", Value: opt(t.Place)},
		{Column: "subsidy", Value: optFloat(t.Subsidy)}, {Column: "notes", Value: opt(t.Notes)},
	}
}

// TrainingEnrolment is a person on a course: whether (and when) they
// completed it, the certificate it earned (kind, number unique per kind,
// level) and the training subsidy paid.
type TrainingEnrolment struct {
	WorkerID         string   `json:"worker_id"`
	TrainingID       string   `json:"training_id"`
	Completed        bool     `json:"completed"`
	CompletedOn      string   `json:"completed_on"`
	CertificateKind  string   `json:"certificate_kind"`
	CertificateNo    string   `json:"certificate_no"`
	CertificateLevel string   `json:"certificate_level"`
	SubsidyPaid      *float64 `json:"subsidy_paid"`
	PaidOn           string   `json:"paid_on"`
}

// Validate normalises e and checks its rules: a completion date or a
// certificate only for a completed course; a certificate's kind and number
// together, and a level for a 职业技能等级证书.
func (e *TrainingEnrolment) Validate() error {
	trim(&e.WorkerID, &e.TrainingID, &e.CompletedOn, &e.CertificateKind, &e.CertificateNo, &e.CertificateLevel,
		&e.PaidOn)
	if err := rowID("worker_id", &e.WorkerID); err != nil {
		return err
	}
	if err := refID("training_id", &e.TrainingID); err != nil {
		return err
	}
	if err := date("completed_on", &e.CompletedOn, false); err != nil {
		return err
	}
	if e.CompletedOn != "" && !e.Completed {
		return fieldErr("completed_on", KeyOnlyWith, Label("completed"))
	}
	if err := enum("certificate_kind", e.CertificateKind, CertificateKinds, false); err != nil {
		return err
	}
	if e.CertificateKind != "" && !e.Completed {
		return fieldErr("certificate_kind", KeyOnlyWith, Label("completed"))
	}
	if err := maxLen("certificate_no", e.CertificateNo, maxShort); err != nil {
		return err
	}
	if err := enum("certificate_level", e.CertificateLevel, CertificateLevels, false); err != nil {
		return err
	}
	switch {
	case e.CertificateNo != "" && e.CertificateKind == "":
		return fieldErr("certificate_kind", KeyRequired)
	case e.CertificateKind != "" && e.CertificateNo == "":
		return fieldErr("certificate_no", KeyRequired)
	case e.CertificateKind == CertificateSkillLevel && e.CertificateLevel == "":
		return fieldErr("certificate_level", KeyRequired)
	case e.CertificateLevel != "" && e.CertificateKind == "":
		return fieldErr("certificate_level", KeyOnlyWith, Label("certificate_kind"))
	}
	if e.SubsidyPaid != nil {
		if err := money("subsidy_paid", *e.SubsidyPaid); err != nil {
			return err
		}
	}
	return date("paid_on", &e.PaidOn, false)
}

// Columns lists the column values of e.
func (e *TrainingEnrolment) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: e.WorkerID}, {Column: "training_id", Value: e.TrainingID},
		{Column: "completed", Value: e.Completed}, {Column: "completed_on", Value: opt(e.CompletedOn)},
		{Column: "certificate_kind", Value: opt(e.CertificateKind)},
		{Column: "certificate_no", Value: opt(e.CertificateNo)},
		{Column: "certificate_level", Value: opt(e.CertificateLevel)},
		{Column: "subsidy_paid", Value: optFloat(e.SubsidyPaid)}, {Column: "paid_on", Value: opt(e.PaidOn)},
	}
}

// Expert is a member of the county's 创业服务专家队伍.
type Expert struct {
	Name         string `json:"name"`
	Field        string `json:"expert_field"`
	Organisation string `json:"organisation"`
	Phone        string `json:"phone"`
	Notes        string `json:"notes"`
}

// Validate normalises x and checks its rules.
func (x *Expert) Validate() error {
	trim(&x.Name, &x.Field, &x.Organisation, &x.Phone, &x.Notes)
	if err := required("name", x.Name, maxShort); err != nil {
		return err
	}
	if err := enum("expert_field", x.Field, ExpertFields, true); err != nil {
		return err
	}
	if err := maxLen("organisation", x.Organisation, maxText); err != nil {
		return err
	}
	if x.Phone != "" {
		p, ok := NormalizePhone(x.Phone)
		if !ok {
			return fieldErr("phone", KeyPhone)
		}
		x.Phone = p
	}
	return maxLen("notes", x.Notes, maxLong)
}

// Columns lists the column values of x.
func (x *Expert) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "name", Value: x.Name}, {Column: "expert_field", Value: x.Field},
		{Column: "organisation", Value: opt(x.Organisation)}, {Column: "phone", Value: opt(x.Phone)},
		{Column: "notes", Value: opt(x.Notes)},
	}
}

// Startup is a business a person started (返乡入乡创业): what, in which
// sector, when and where, the jobs it created and the park or incubator it
// sits in.
type Startup struct {
	WorkerID    string `json:"worker_id"`
	Business    string `json:"business"`
	Sector      string `json:"sector"`
	StartedOn   string `json:"started_on"`
	Place       string `json:"place"`
	JobsCreated int64  `json:"jobs_created"`
	Incubator   string `json:"incubator"`
	Notes       string `json:"notes"`
}

// Validate normalises s and checks its rules.
func (s *Startup) Validate() error {
	trim(&s.WorkerID, &s.Business, &s.Sector, &s.StartedOn, &s.Place, &s.Incubator, &s.Notes)
	if err := rowID("worker_id", &s.WorkerID); err != nil {
		return err
	}
	if err := required("business", s.Business, maxText); err != nil {
		return err
	}
	if err := maxLen("sector", s.Sector, maxShort); err != nil {
		return err
	}
	if err := date("started_on", &s.StartedOn, true); err != nil {
		return err
	}
	if !placeRE.MatchString(s.Place) {
		if s.Place == "" {
			return fieldErr("place", KeyRequired)
		}
		return fieldErr("place", KeyPlace)
	}
	if s.JobsCreated < 0 {
		return fieldErr("jobs_created", KeyNegative)
	}
	if s.JobsCreated > 100000 {
		return fieldErr("jobs_created", KeyTooMany, Label("jobs_created"), 100000)
	}
	if err := maxLen("incubator", s.Incubator, maxText); err != nil {
		return err
	}
	return maxLen("notes", s.Notes, maxLong)
}

// Columns lists the column values of s.
func (s *Startup) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: s.WorkerID}, {Column: "business", Value: s.Business},
		{Column: "sector", Value: opt(s.Sector)}, {Column: "started_on", Value: s.StartedOn},
		{Column: "place", Value: s.Place}, {Column: "jobs_created", Value: optInt(s.JobsCreated)},
		{Column: "incubator", Value: opt(s.Incubator)}, {Column: "notes", Value: opt(s.Notes)},
	}
}

// Support is one piece of start-up support a person got: a 创业担保贷款
// (amount, lender, from start to end), a 一次性创业补贴 (amount), premises,
// tax relief, or an expert's guidance (the expert and what was advised).
// start_on is the day it was granted (the loan's start); startup_id names
// the start-up it served, when there is one.
type Support struct {
	WorkerID  string   `json:"worker_id"`
	StartupID string   `json:"startup_id"`
	Kind      string   `json:"support_kind"`
	Amount    *float64 `json:"amount"`
	Lender    string   `json:"lender"`
	StartOn   string   `json:"start_on"`
	EndOn     string   `json:"end_on"`
	ExpertID  string   `json:"expert_id"`
	Advice    string   `json:"advice"`
	Notes     string   `json:"notes"`
}

// Validate normalises s and checks its rules: a loan has an amount, a
// lender and an end after its start; a subsidy an amount; a guidance its
// expert and what was advised; a lender, an end or an expert only with
// their kinds.
func (s *Support) Validate() error {
	trim(&s.WorkerID, &s.StartupID, &s.Kind, &s.Lender, &s.StartOn, &s.EndOn, &s.ExpertID, &s.Advice, &s.Notes)
	if err := rowID("worker_id", &s.WorkerID); err != nil {
		return err
	}
	if err := optionalRowID("startup_id", &s.StartupID); err != nil {
		return fieldErr("startup_id", KeyNoProgrammeRow)
	}
	if err := enum("support_kind", s.Kind, SupportKinds, true); err != nil {
		return err
	}
	if s.Amount != nil {
		if err := money("amount", *s.Amount); err != nil {
			return err
		}
	}
	if err := maxLen("lender", s.Lender, maxText); err != nil {
		return err
	}
	if err := date("start_on", &s.StartOn, true); err != nil {
		return err
	}
	if err := date("end_on", &s.EndOn, false); err != nil {
		return err
	}
	if err := optionalRowID("expert_id", &s.ExpertID); err != nil {
		return fieldErr("expert_id", KeyNoProgrammeRow)
	}
	if err := maxLen("advice", s.Advice, maxLong); err != nil {
		return err
	}
	loan, expert := s.Kind == SupportLoan, s.Kind == SupportExpert
	switch {
	case (loan || s.Kind == SupportSubsidy) && (s.Amount == nil || *s.Amount == 0):
		return fieldErr("amount", KeyRequired)
	case loan && s.Lender == "":
		return fieldErr("lender", KeyRequired)
	case !loan && s.Lender != "":
		return fieldErr("lender", KeyOnlyWith, SupportLoan)
	case loan && s.EndOn == "":
		return fieldErr("end_on", KeyRequired)
	case !loan && s.EndOn != "":
		return fieldErr("end_on", KeyOnlyWith, SupportLoan)
	case loan && s.EndOn <= s.StartOn:
		return fieldErr("end_on", KeyNotAfter, Label("start_on"))
	case expert && s.ExpertID == "":
		return fieldErr("expert_id", KeyRequired)
	case !expert && s.ExpertID != "":
		return fieldErr("expert_id", KeyOnlyWith, SupportExpert)
	case expert && s.Advice == "":
		return fieldErr("advice", KeyRequired)
	}
	return maxLen("notes", s.Notes, maxLong)
}

// Columns lists the column values of s.
func (s *Support) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: s.WorkerID}, {Column: "startup_id", Value: opt(s.StartupID)},
		{Column: "support_kind", Value: s.Kind}, {Column: "amount", Value: optFloat(s.Amount)},
		{Column: "lender", Value: opt(s.Lender)}, {Column: "start_on", Value: s.StartOn},
		{Column: "end_on", Value: opt(s.EndOn)}, {Column: "expert_id", Value: opt(s.ExpertID)},
		{Column: "advice", Value: opt(s.Advice)}, {Column: "notes", Value: opt(s.Notes)},
	}
}

// RightsCase is a labour-rights case (劳动权益维护) a station took for a
// person: what kind, against which employer, the amount claimed, when it
// was received, where it was referred, its status through to 办结 (which
// needs the day and the outcome: "案结事了") and the amount recovered.
type RightsCase struct {
	WorkerID        string   `json:"worker_id"`
	Kind            string   `json:"rights_kind"`
	Employer        string   `json:"employer"`
	AmountClaimed   *float64 `json:"amount_claimed"`
	ReceivedOn      string   `json:"received_on"`
	Referral        string   `json:"referral"`
	Status          string   `json:"case_status"`
	ClosedOn        string   `json:"closed_on"`
	Outcome         string   `json:"case_outcome"`
	AmountRecovered *float64 `json:"amount_recovered"`
	Notes           string   `json:"notes"`
}

// Validate normalises c and checks its rules: a case is closed (办结) only
// with its closing day (not before it was received) and an outcome, and a
// closing day only when closed. A missing status is 受理.
func (c *RightsCase) Validate() error {
	trim(&c.WorkerID, &c.Kind, &c.Employer, &c.ReceivedOn, &c.Referral, &c.Status, &c.ClosedOn, &c.Outcome, &c.Notes)
	if c.Status == "" {
		c.Status = RightsStatuses[0]
	}
	if err := rowID("worker_id", &c.WorkerID); err != nil {
		return err
	}
	if err := enum("rights_kind", c.Kind, RightsKinds, true); err != nil {
		return err
	}
	if err := required("employer", c.Employer, maxText); err != nil {
		return err
	}
	for _, m := range []struct {
		field string
		v     *float64
	}{{"amount_claimed", c.AmountClaimed}, {"amount_recovered", c.AmountRecovered}} {
		if m.v != nil {
			if err := money(m.field, *m.v); err != nil {
				return err
			}
		}
	}
	if err := date("received_on", &c.ReceivedOn, true); err != nil {
		return err
	}
	if err := enum("referral", c.Referral, RightsReferrals, false); err != nil {
		return err
	}
	if err := enum("case_status", c.Status, RightsStatuses, true); err != nil {
		return err
	}
	if err := date("closed_on", &c.ClosedOn, false); err != nil {
		return err
	}
	if err := maxLen("case_outcome", c.Outcome, maxLong); err != nil {
		return err
	}
	closed := c.Status == RightsClosed
	switch {
	case closed && c.ClosedOn == "":
		return fieldErr("closed_on", KeyRequired)
	case !closed && c.ClosedOn != "":
		return fieldErr("closed_on", KeyOnlyWith, RightsClosed)
	case c.ClosedOn != "" && c.ClosedOn < c.ReceivedOn:
		return fieldErr("closed_on", KeyBeforeStart, Label("received_on"))
	case closed && c.Outcome == "":
		return fieldErr("case_outcome", KeyRequired)
	}
	return maxLen("notes", c.Notes, maxLong)
}

// Columns lists the column values of c.
func (c *RightsCase) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: c.WorkerID}, {Column: "rights_kind", Value: c.Kind},
		{Column: "employer", Value: c.Employer}, {Column: "amount_claimed", Value: optFloat(c.AmountClaimed)},
		{Column: "received_on", Value: c.ReceivedOn}, {Column: "referral", Value: opt(c.Referral)},
		{Column: "case_status", Value: c.Status}, {Column: "closed_on", Value: opt(c.ClosedOn)},
		{Column: "case_outcome", Value: opt(c.Outcome)}, {Column: "amount_recovered", Value: optFloat(c.AmountRecovered)},
		{Column: "notes", Value: opt(c.Notes)},
	}
}

// Return is a person coming back home (返乡): when, from where, why, and
// what they mean to do next. The date may not be after today: the
// station's forms check it with ValidateOn, the hub with CheckChange (a
// day's grace for the stations' clocks).
type Return struct {
	WorkerID   string `json:"worker_id"`
	ReturnedOn string `json:"returned_on"`
	FromPlace  string `json:"from_place"`
	Reason     string `json:"return_reason"`
	Intention  string `json:"intention"`
	Notes      string `json:"notes"`
}

// Validate normalises r and checks its rules (all but the date's being
// past: ValidateOn).
func (r *Return) Validate() error {
	trim(&r.WorkerID, &r.ReturnedOn, &r.FromPlace, &r.Reason, &r.Intention, &r.Notes)
	if err := rowID("worker_id", &r.WorkerID); err != nil {
		return err
	}
	if err := date("returned_on", &r.ReturnedOn, true); err != nil {
		return err
	}
	if err := required("from_place", r.FromPlace, maxText); err != nil {
		return err
	}
	if err := enum("return_reason", r.Reason, ReturnReasons, true); err != nil {
		return err
	}
	if err := enum("intention", r.Intention, ReturnIntentions, true); err != nil {
		return err
	}
	return maxLen("notes", r.Notes, maxLong)
}

// ValidateOn is Validate, and refuses a return date after today.
func (r *Return) ValidateOn(today time.Time) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return NotFuture("returned_on", r.ReturnedOn, today)
}

// NotFuture refuses, naming field, a date (a valid one) after today's.
func NotFuture(field, d string, today time.Time) error {
	if d > today.Format(DateLayout) {
		return fieldErr(field, KeyFutureDate)
	}
	return nil
}

// Columns lists the column values of r.
func (r *Return) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: r.WorkerID}, {Column: "returned_on", Value: r.ReturnedOn},
		{Column: "from_place", Value: r.FromPlace}, {Column: "return_reason", Value: r.Reason},
		{Column: "intention", Value: r.Intention}, {Column: "notes", Value: opt(r.Notes)},
	}
}

// JobFair is a recruitment event (招聘活动): its kind (a 农民工 or 大龄
// special, online, 春风行动), when and where, who organised it, and its
// counts: employers, postings offered, job seekers who came, agreements
// reached. The postings published there are gigs and jobs naming it
// (job_fair_id).
type JobFair struct {
	Title      string `json:"title"`
	Kind       string `json:"fair_kind"`
	HeldOn     string `json:"held_on"`
	EndOn      string `json:"end_on"`
	Place      string `json:"place"`
	Organiser  string `json:"organiser"`
	Employers  int64  `json:"employers"`
	Postings   int64  `json:"postings"`
	Attendees  int64  `json:"attendees"`
	Agreements int64  `json:"agreements"`
	Notes      string `json:"notes"`
}

// Validate normalises f and checks its rules: the dates in order, counts
// not negative, agreements not more than attendees (when both are given).
func (f *JobFair) Validate() error {
	trim(&f.Title, &f.Kind, &f.HeldOn, &f.EndOn, &f.Place, &f.Organiser, &f.Notes)
	if err := required("title", f.Title, maxText); err != nil {
		return err
	}
	if err := enum("fair_kind", f.Kind, JobFairKinds, true); err != nil {
		return err
	}
	if err := dateRange("held_on", &f.HeldOn, true, "end_on", &f.EndOn); err != nil {
		return err
	}
	if err := required("place", f.Place, maxText); err != nil {
		return err
	}
	if err := maxLen("organiser", f.Organiser, maxText); err != nil {
		return err
	}
	for _, n := range []struct {
		field string
		v     int64
	}{{"employers", f.Employers}, {"postings", f.Postings}, {"attendees", f.Attendees}, {"agreements", f.Agreements}} {
		if n.v < 0 {
			return fieldErr(n.field, KeyNegative)
		}
		if n.v > 1000000 {
			return fieldErr(n.field, KeyTooMany, Label(n.field), 1000000)
		}
	}
	if f.Attendees > 0 && f.Agreements > f.Attendees {
		return fieldErr("agreements", KeyMoreThan, Label("attendees"))
	}
	return maxLen("notes", f.Notes, maxLong)
}

// Columns lists the column values of f.
func (f *JobFair) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "title", Value: f.Title}, {Column: "fair_kind", Value: f.Kind}, {Column: "held_on", Value: f.HeldOn},
		{Column: "end_on", Value: opt(f.EndOn)}, {Column: "place", Value: f.Place},
		{Column: "organiser", Value: opt(f.Organiser)}, {Column: "employers", Value: optInt(f.Employers)},
		{Column: "postings", Value: optInt(f.Postings)}, {Column: "attendees", Value: optInt(f.Attendees)},
		{Column: "agreements", Value: optInt(f.Agreements)}, {Column: "notes", Value: opt(f.Notes)},
	}
}

// HealthCheck is a person's latest 职业健康体检: its date (not after
// today) and conclusion, both or neither. It is written to the worker's
// row by its own form (Worker.Columns leaves it alone, so that editing a
// person never clears it).
type HealthCheck struct {
	On     string `json:"health_check_on"`
	Result string `json:"health_check_result"`
}

// Validate normalises h and checks its rules (all but the date's being
// past: ValidateOn).
func (h *HealthCheck) Validate() error {
	trim(&h.On, &h.Result)
	if err := date("health_check_on", &h.On, false); err != nil {
		return err
	}
	if err := enum("health_check_result", h.Result, HealthResults, false); err != nil {
		return err
	}
	switch {
	case h.On != "" && h.Result == "":
		return fieldErr("health_check_result", KeyRequired)
	case h.On == "" && h.Result != "":
		return fieldErr("health_check_on", KeyRequired)
	}
	return nil
}

// ValidateOn is Validate, and refuses a check dated after today.
func (h *HealthCheck) ValidateOn(today time.Time) error {
	if err := h.Validate(); err != nil {
		return err
	}
	return NotFuture("health_check_on", h.On, today)
}

// Columns lists the column values of h.
func (h *HealthCheck) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{{Column: "health_check_on", Value: opt(h.On)},
		{Column: "health_check_result", Value: opt(h.Result)}}
}

// HealthCheckDue reports whether a person's 职业健康体检 is due on today:
// never checked, or last checked a year or more ago.
func HealthCheckDue(lastOn string, today time.Time) bool {
	if lastOn == "" {
		return true
	}
	t, err := time.Parse(DateLayout, lastOn)
	if err != nil {
		return true
	}
	return !t.AddDate(1, 0, 0).After(today)
}

// checkKind is the rule tying a posting's kind to its pay: a regular
// job (全职) paid 元/月 and settled 月结, a gig neither.
func (g *Gig) checkKind() error {
	if g.Kind == "" {
		g.Kind = GigKindCasual
	}
	if err := enum("kind", g.Kind, GigKinds, true); err != nil {
		return err
	}
	job := g.Kind == GigKindJob
	switch {
	case job != (g.WageUnit == MonthlyWageUnit):
		return fieldErr("wage_unit", KeyKindPay)
	case job != (g.Settlement == MonthlySettlement):
		return fieldErr("settlement", KeyKindPay)
	}
	if optionalRowID("job_fair_id", &g.JobFairID) != nil {
		return fieldErr("job_fair_id", KeyNoProgrammeRow)
	}
	return nil
}

// futureReturn is the refusal of a change to a return that sets a date
// after the day after now (a day's grace, as futureBirth), or nil.
func futureReturn(table string, fields map[string]any, now time.Time) *FieldError {
	d, ok := fields["returned_on"].(string)
	if table != Returns || !ok {
		return nil
	}
	if err := NotFuture("returned_on", d, now.AddDate(0, 0, 1)); err != nil {
		fe, _ := AsFieldError(err)
		return fe
	}
	return nil
}
