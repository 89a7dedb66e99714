package records

import (
	"encoding/json"
	"time"

	"fieldsync/replica"
)

// The county's placement programmes (人社部发〔2022〕76号, 内人社发〔2022〕94号):
// 乡村公益性岗位 (welfare posts, a person's placement in one, its monthly
// 考核), 就业帮扶车间 (workshops and who works in them), 共享用工 (shared
// employment), 以工代赈 (work-relief projects and the people they pay),
// 有组织劳务输出 (export batches and who was sent) with the partner regions
// of 劳务协作.
//
// Posts, workshops, projects, partner regions and export batches name no
// person: every station receives them whole, and only the station that made
// one (or the county, whose rows carry County as their station) edits it.
// Every other programme table is a person's record, kept by worker_id like a
// monthly status: it follows the person into a station's scope.

// Programme table names.
const (
	WelfarePosts       = "welfare_posts"
	WelfarePlacements  = "welfare_placements"
	WelfareAssessments = "welfare_assessments"
	Workshops          = "workshops"
	WorkshopJobs       = "workshop_jobs"
	SharedEmployment   = "shared_employment"
	WorkReliefProjects = "work_relief_projects"
	WorkReliefJobs     = "work_relief_jobs"
	PartnerRegions     = "partner_regions"
	ExportBatches      = "export_batches"
	ExportMembers      = "export_members"
)

// County is the station column of a row the county hub made itself (a
// welfare post, a workshop, a project, a partner region, an export batch):
// no station may be enrolled under this name, so no station edits such a
// row.
const County = "县级"

// ProgrammeCountyTables are the programme tables that name no person:
// every station receives them whole and the station (or county) that made
// a row is the only one to edit it.
var ProgrammeCountyTables = []string{WelfarePosts, Workshops, WorkReliefProjects, PartnerRegions, ExportBatches}

// ProgrammePersonTables are the programme tables of a person's records,
// each with its worker_id column.
var ProgrammePersonTables = []string{WelfarePlacements, WelfareAssessments, WorkshopJobs, SharedEmployment,
	WorkReliefJobs, ExportMembers}

// The programmes' enumerations.
var (
	// WelfarePostKinds are the kinds of 乡村公益性岗位.
	WelfarePostKinds = []string{"保洁环卫", "道路管护", "护林防火", "水利管护", "治安协管", "养老服务", "村务协理", "其他"}
	// ContractKinds: a welfare placement rests on a labour contract or a
	// service agreement (劳务协议), each at most a year.
	ContractKinds = []string{"劳动合同", "劳务协议"}
	// InsuranceKinds: the employer insures each person placed.
	InsuranceKinds = []string{"工伤保险", "人身意外伤害保险"}
	// WelfareExitReasons are why a person leaves a welfare post;
	// ExitIncomeAboveLine is the one the monthly check (应退出) asks for.
	WelfareExitReasons = []string{"合同期满", ExitIncomeAboveLine, "考核不合格", "本人申请", "外出务工", "死亡", "其他"}
	// AssessmentResults are a month's 考核 of a welfare placement.
	AssessmentResults = []string{"优秀", "合格", "基本合格", "不合格"}
	// PartnerKinds are the kinds of 劳务协作.
	PartnerKinds = []string{"东西部协作", "对口支援", "省内协作", "区域联盟"}
)

// ExitIncomeAboveLine is the exit reason of a part-time welfare worker whose
// other income passed the county's monitoring line.
const ExitIncomeAboveLine = "收入超过监测线"

// Keys of the programmes' rules.
const (
	// KeyContractTooLong: a welfare contract longer than one year.
	KeyContractTooLong = "contract_too_long"
	// KeyInsuranceGap: the insurance does not cover the contract's term.
	KeyInsuranceGap = "insurance_gap"
	// KeyBeyondContract: a sharing term past the original contract's end.
	KeyBeyondContract = "beyond_contract"
	// KeyInWelfarePost: the person already holds a welfare post then.
	KeyInWelfarePost = "in_welfare_post"
	// KeyNoProgrammeRow: the post, workshop, project, batch or placement
	// named does not exist (or is not the station's to see).
	KeyNoProgrammeRow = "no_programme_row"
	// KeyNotMaker: only the station (or county) that made a county-wide
	// programme row edits it.
	KeyNotMaker = "not_maker"
	// KeyCountyName: the name is the county's own.
	KeyCountyName = "county_name"
	// KeyInUse: a county-wide programme row other records still name.
	KeyInUse = "in_use"
	// KeyBelowPlaced: a post's headcount below the people it holds at once.
	KeyBelowPlaced = "below_placed"
)

func init() {
	for k, m := range map[string][2]string{
		KeyContractTooLong: {"%[1]s超过1年：乡村公益性岗位的劳动合同或劳务协议每次不超过1年（最晚%[2]s）", "%[1]s makes the contract longer than a year: a welfare post's contract or agreement lasts at most one year (at the latest %[2]s)"},
		KeyInsuranceGap:    {"%[1]s未覆盖合同期：用人单位须为上岗人员购买工伤保险或人身意外伤害保险，保险期须覆盖%[2]s", "%[1]s leaves the contract uncovered: the employer must insure the person over the whole term (%[2]s)"},
		KeyBeyondContract:  {"%[1]s不能晚于与原用人单位劳动合同的到期日（%[2]s）", "%[1]s cannot be after the end of the contract with the original employer (%[2]s)"},
		KeyInWelfarePost:   {"该人员在此期间已在另一个乡村公益性岗位上岗（%[2]s）", "this person already holds another village public-welfare post in that period (%[2]s)"},
		KeyNoProgrammeRow:  {"找不到该%[1]s", "no such %[1]s"},
		KeyNotMaker:        {"只有录入该记录的站点或县级可以修改", "only the station that made this record, or the county, may change it"},
		KeyCountyName:      {"%[1]s不能是“县级”", "%[1]s cannot be the county's own name (县级)"},
		KeyInUse:           {"仍有人员记录引用该记录，不能删除", "people's records still name this record; it cannot be deleted"},
		KeyBelowPlaced:     {"%[1]s不能少于同时在岗的人数（%[2]d人）", "%[1]s cannot be below the people holding the post at once (%[2]d)"},
	} {
		messages[k] = m
	}
	for k, l := range map[string][2]string{
		"post_id":            {"乡村公益性岗位", "welfare post"},
		"kind":               {"类别", "kind"},
		"subsidy":            {"岗位补贴标准（元/月）", "subsidy (yuan a month)"},
		"part_time":          {"非全日制", "part-time"},
		"start_on":           {"开始日期", "start date"},
		"end_on":             {"结束日期", "end date"},
		"contract_kind":      {"合同类型", "contract kind"},
		"contract_start":     {"合同开始日期", "contract start"},
		"contract_end":       {"合同结束日期", "contract end"},
		"insurance_kind":     {"保险类型", "insurance"},
		"insurance_policy":   {"保单号", "insurance policy"},
		"insurance_start":    {"保险开始日期", "insurance start"},
		"insurance_end":      {"保险结束日期", "insurance end"},
		"exit_on":            {"退出日期", "exit date"},
		"exit_reason":        {"退出原因", "exit reason"},
		"placement_id":       {"岗位安置记录", "welfare placement"},
		"result":             {"考核结果", "assessment result"},
		"other_income":       {"其他收入（元/月）", "other income (yuan a month)"},
		"operator":           {"经营主体", "operator"},
		"recognised_on":      {"认定日期", "recognised on"},
		"workshop_id":        {"就业帮扶车间", "workshop"},
		"monthly_wage":       {"月工资（元）", "monthly wage (yuan)"},
		"original_employer":  {"原用人单位", "original employer"},
		"host_employer":      {"用工单位（缺工企业）", "host employer"},
		"project_id":         {"以工代赈项目", "work-relief project"},
		"pay":                {"劳务报酬（元）", "pay (yuan)"},
		"paid_on":            {"发放日期", "paid on"},
		"owner":              {"项目单位", "project owner"},
		"pay_budget":         {"劳务报酬计划（元）", "planned pay (yuan)"},
		"sent_on":            {"输出日期", "sent on"},
		"destination":        {"输出地", "destination"},
		"partner_region_id":  {"协作地区", "partner region"},
		"labour_brand":       {"劳务品牌", "labour brand"},
		"batch_id":           {"输出批次", "export batch"},
		"people":             {"输出人员", "people sent"},
		"monitoring_line":    {"监测收入线（元/月）", "monitoring line (yuan a month)"},
		"recognition_target": {"认定标准（吸纳脱贫人口数）", "recognition threshold (people lifted out of poverty employed)"},
	} {
		if _, ok := fieldLabels[k]; !ok {
			fieldLabels[k] = l
		}
	}
	checkRules[WelfarePosts] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			p := &WelfarePost{}
			return p, map[string]any{"name": &p.Name, "village": &p.Village, "kind": &p.Kind, "headcount": &p.Headcount,
				"subsidy": &p.Subsidy, "part_time": &p.PartTime, "employer": &p.Employer, "start_on": &p.StartOn,
				"end_on": &p.EndOn, "notes": &p.Notes}
		},
		template: map[string]any{"name": "x", "village": "150102001001", "kind": WelfarePostKinds[0], "headcount": int64(1),
			"subsidy": float64(0), "part_time": int64(0), "employer": "x"},
		partners: map[string][]string{"end_on": {"start_on"}},
	}
	checkRules[WelfarePlacements] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			p := &WelfarePlacement{}
			return p, map[string]any{"worker_id": &p.WorkerID, "post_id": &p.PostID, "contract_kind": &p.ContractKind,
				"contract_start": &p.ContractStart, "contract_end": &p.ContractEnd, "insurance_kind": &p.InsuranceKind,
				"insurance_policy": &p.InsurancePolicy, "insurance_start": &p.InsuranceStart,
				"insurance_end": &p.InsuranceEnd, "part_time": &p.PartTime, "exit_on": &p.ExitOn,
				"exit_reason": &p.ExitReason}
		},
		// The template's contract is one day, insured from the earliest day
		// to the latest: any single date or insurance column is judged alone.
		template: map[string]any{"worker_id": templateID, "post_id": templateID, "contract_kind": ContractKinds[0],
			"contract_start": "2000-01-01", "contract_end": "2000-01-01", "insurance_kind": InsuranceKinds[0],
			"insurance_start": earliest, "insurance_end": "9999-12-31", "part_time": int64(0)},
		partners: map[string][]string{
			"contract_end":    {"contract_start"},
			"insurance_start": {"contract_start"},
			"insurance_end":   {"contract_end"},
			"exit_on":         {"contract_start"},
			"exit_reason":     {"exit_on"},
		},
	}
	checkRules[WelfareAssessments] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			a := &WelfareAssessment{}
			return a, map[string]any{"worker_id": &a.WorkerID, "placement_id": &a.PlacementID, "month": &a.Month,
				"result": &a.Result, "other_income": &a.OtherIncome, "notes": &a.Notes}
		},
		template: map[string]any{"worker_id": templateID, "placement_id": templateID, "month": "2026-01",
			"result": AssessmentResults[0]},
	}
	checkRules[Workshops] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			w := &Workshop{}
			return w, map[string]any{"name": &w.Name, "village": &w.Village, "operator": &w.Operator,
				"industry": &w.Industry, "recognised_on": &w.RecognisedOn, "contact": &w.Contact, "notes": &w.Notes}
		},
		template: map[string]any{"name": "x", "village": "150102001001"},
	}
	checkRules[WorkshopJobs] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			j := &WorkshopJob{}
			return j, map[string]any{"worker_id": &j.WorkerID, "workshop_id": &j.WorkshopID, "start_on": &j.StartOn,
				"end_on": &j.EndOn, "monthly_wage": &j.MonthlyWage}
		},
		template: map[string]any{"worker_id": templateID, "workshop_id": templateID, "start_on": earliest},
		partners: map[string][]string{"end_on": {"start_on"}},
	}
	checkRules[SharedEmployment] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			e := &SharedJob{}
			return e, map[string]any{"worker_id": &e.WorkerID, "original_employer": &e.OriginalEmployer,
				"contract_end": &e.ContractEnd, "host_employer": &e.HostEmployer, "start_on": &e.StartOn,
				"end_on": &e.EndOn, "notes": &e.Notes}
		},
		template: map[string]any{"worker_id": templateID, "original_employer": "x", "contract_end": "9999-12-31",
			"host_employer": "x", "start_on": earliest, "end_on": earliest},
		partners: map[string][]string{"end_on": {"start_on", "contract_end"}},
	}
	checkRules[WorkReliefProjects] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			p := &WorkReliefProject{}
			return p, map[string]any{"name": &p.Name, "place": &p.Place, "owner": &p.Owner, "start_on": &p.StartOn,
				"end_on": &p.EndOn, "pay_budget": &p.PayBudget, "notes": &p.Notes}
		},
		template: map[string]any{"name": "x", "place": "150102", "start_on": earliest},
		partners: map[string][]string{"end_on": {"start_on"}},
	}
	checkRules[WorkReliefJobs] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			j := &WorkReliefJob{}
			return j, map[string]any{"worker_id": &j.WorkerID, "project_id": &j.ProjectID, "start_on": &j.StartOn,
				"end_on": &j.EndOn, "pay": &j.Pay, "paid_on": &j.PaidOn}
		},
		template: map[string]any{"worker_id": templateID, "project_id": templateID, "start_on": earliest,
			"pay": float64(0)},
		partners: map[string][]string{"end_on": {"start_on"}, "paid_on": {"start_on"}},
	}
	checkRules[PartnerRegions] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			p := &PartnerRegion{}
			return p, map[string]any{"name": &p.Name, "kind": &p.Kind, "notes": &p.Notes}
		},
		template: map[string]any{"name": "x", "kind": PartnerKinds[0]},
	}
	checkRules[ExportBatches] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			b := &ExportBatch{}
			return b, map[string]any{"sent_on": &b.SentOn, "destination": &b.Destination, "employer": &b.Employer,
				"partner_region_id": &b.PartnerRegionID, "labour_brand": &b.LabourBrand, "notes": &b.Notes}
		},
		template: map[string]any{"sent_on": earliest, "destination": "x"},
	}
	checkRules[ExportMembers] = tableRules{
		bind: func() (checkedRecord, map[string]any) {
			m := &ExportMember{}
			return m, map[string]any{"worker_id": &m.WorkerID, "batch_id": &m.BatchID}
		},
		template: map[string]any{"worker_id": templateID, "batch_id": templateID},
	}
}

// programmeTables are the programme tables of schema version 2, in wire
// order (appended after households; never reordered).
func programmeTables() []*replica.Table {
	return []*replica.Table{
		{Name: WelfarePosts, Since: 2, DeletedID: 12, Columns: []replica.Column{
			text(0, "name"), text(1, "village"), text(2, "kind"), integer(3, "headcount"), number(4, "subsidy"),
			integer(5, "part_time"), text(6, "employer"), text(7, "start_on"), text(8, "end_on"), text(9, "notes"),
			text(10, "station"), text(11, EnteredBy),
		}},
		{Name: WelfarePlacements, Since: 2, DeletedID: 14, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "post_id"), text(2, "contract_kind"), text(3, "contract_start"),
			text(4, "contract_end"), text(5, "insurance_kind"), text(6, "insurance_policy"), text(7, "insurance_start"),
			text(8, "insurance_end"), integer(9, "part_time"), text(10, "exit_on"), text(11, "exit_reason"),
			text(12, "station"), text(13, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}, {"post_id"}}},
		{Name: WelfareAssessments, Since: 2, DeletedID: 8, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "placement_id"), text(2, "month"), text(3, "result"), number(4, "other_income"),
			text(5, "notes"), text(6, "station"), text(7, EnteredBy),
		}, Indexes: [][]string{{"worker_id", "month"}}},
		{Name: Workshops, Since: 2, DeletedID: 9, Columns: []replica.Column{
			text(0, "name"), text(1, "village"), text(2, "operator"), text(3, "industry"), text(4, "recognised_on"),
			text(5, "contact"), text(6, "notes"), text(7, "station"), text(8, EnteredBy),
		}},
		{Name: WorkshopJobs, Since: 2, DeletedID: 7, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "workshop_id"), text(2, "start_on"), text(3, "end_on"), number(4, "monthly_wage"),
			text(5, "station"), text(6, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}, {"workshop_id"}}},
		{Name: SharedEmployment, Since: 2, DeletedID: 9, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "original_employer"), text(2, "contract_end"), text(3, "host_employer"),
			text(4, "start_on"), text(5, "end_on"), text(6, "notes"), text(7, "station"), text(8, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}}},
		{Name: WorkReliefProjects, Since: 2, DeletedID: 9, Columns: []replica.Column{
			text(0, "name"), text(1, "place"), text(2, "owner"), text(3, "start_on"), text(4, "end_on"),
			number(5, "pay_budget"), text(6, "notes"), text(7, "station"), text(8, EnteredBy),
		}},
		{Name: WorkReliefJobs, Since: 2, DeletedID: 8, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "project_id"), text(2, "start_on"), text(3, "end_on"), number(4, "pay"),
			text(5, "paid_on"), text(6, "station"), text(7, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}, {"project_id"}}},
		{Name: PartnerRegions, Since: 2, DeletedID: 5, Columns: []replica.Column{
			text(0, "name"), text(1, "kind"), text(2, "notes"), text(3, "station"), text(4, EnteredBy),
		}},
		{Name: ExportBatches, Since: 2, DeletedID: 8, Columns: []replica.Column{
			text(0, "sent_on"), text(1, "destination"), text(2, "employer"), text(3, "partner_region_id"),
			text(4, "labour_brand"), text(5, "notes"), text(6, "station"), text(7, EnteredBy),
		}},
		{Name: ExportMembers, Since: 2, DeletedID: 4, Columns: []replica.Column{
			text(0, "worker_id"), text(1, "batch_id"), text(2, "station"), text(3, EnteredBy),
		}, Indexes: [][]string{{"worker_id"}, {"batch_id"}}},
	}
}

// WelfarePost is a 乡村公益性岗位: a post set by village and kind, with the
// subsidy standard it pays and how many people it takes.
type WelfarePost struct {
	Name      string  `json:"name"`
	Village   string  `json:"village"`
	Kind      string  `json:"kind"`
	Headcount int64   `json:"headcount"`
	Subsidy   float64 `json:"subsidy"`
	PartTime  bool    `json:"part_time"`
	// Employer is the 用人单位 that signs the contracts and insures the people.
	Employer string `json:"employer"`
	StartOn  string `json:"start_on"`
	EndOn    string `json:"end_on"`
	Notes    string `json:"notes"`
}

// Validate normalises p and checks its rules.
func (p *WelfarePost) Validate() error {
	trim(&p.Name, &p.Village, &p.Kind, &p.Employer, &p.StartOn, &p.EndOn, &p.Notes)
	if err := required("name", p.Name, maxText); err != nil {
		return err
	}
	if err := division("village", p.Village, true); err != nil {
		return err
	}
	if err := enum("kind", p.Kind, WelfarePostKinds, true); err != nil {
		return err
	}
	if p.Headcount < 1 {
		return fieldErr("headcount", KeyPositive)
	}
	if err := money("subsidy", p.Subsidy); err != nil {
		return err
	}
	if err := required("employer", p.Employer, maxText); err != nil {
		return err
	}
	if err := dateRange("start_on", &p.StartOn, false, "end_on", &p.EndOn); err != nil {
		return err
	}
	return maxLen("notes", p.Notes, maxLong)
}

// Columns lists the column values of p.
func (p *WelfarePost) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "name", Value: p.Name}, {Column: "village", Value: p.Village}, {Column: "kind", Value: p.Kind},
		{Column: "headcount", Value: p.Headcount}, {Column: "subsidy", Value: p.Subsidy},
		{Column: "part_time", Value: p.PartTime}, {Column: "employer", Value: p.Employer},
		{Column: "start_on", Value: opt(p.StartOn)}, {Column: "end_on", Value: opt(p.EndOn)},
		{Column: "notes", Value: opt(p.Notes)},
	}
}

// WelfarePlacement is a person's placement in a welfare post: the contract
// (at most a year), the insurance that must cover it, whether it is part
// time, and the exit. No age or disability limit applies beyond the rules
// (76号 (十六)).
type WelfarePlacement struct {
	WorkerID        string `json:"worker_id"`
	PostID          string `json:"post_id"`
	ContractKind    string `json:"contract_kind"`
	ContractStart   string `json:"contract_start"`
	ContractEnd     string `json:"contract_end"`
	InsuranceKind   string `json:"insurance_kind"`
	InsurancePolicy string `json:"insurance_policy"`
	InsuranceStart  string `json:"insurance_start"`
	InsuranceEnd    string `json:"insurance_end"`
	PartTime        bool   `json:"part_time"`
	ExitOn          string `json:"exit_on,omitempty"`
	ExitReason      string `json:"exit_reason,omitempty"`
}

// Validate normalises p and checks its rules: a contract of at most one
// year (contract_end), an insurance covering the whole contract
// (insurance_start, insurance_end), an exit with its reason.
func (p *WelfarePlacement) Validate() error {
	trim(&p.WorkerID, &p.PostID, &p.ContractKind, &p.ContractStart, &p.ContractEnd, &p.InsuranceKind,
		&p.InsurancePolicy, &p.InsuranceStart, &p.InsuranceEnd, &p.ExitOn, &p.ExitReason)
	if err := rowID("worker_id", &p.WorkerID); err != nil {
		return err
	}
	if err := refID("post_id", &p.PostID); err != nil {
		return err
	}
	if err := enum("contract_kind", p.ContractKind, ContractKinds, true); err != nil {
		return err
	}
	if err := dateRange("contract_start", &p.ContractStart, true, "contract_end", &p.ContractEnd); err != nil {
		return err
	}
	if p.ContractEnd == "" {
		return fieldErr("contract_end", KeyRequired)
	}
	if last := LastContractDay(p.ContractStart); p.ContractEnd > last {
		return fieldErr("contract_end", KeyContractTooLong, last)
	}
	if err := enum("insurance_kind", p.InsuranceKind, InsuranceKinds, true); err != nil {
		return err
	}
	if err := maxLen("insurance_policy", p.InsurancePolicy, maxShort); err != nil {
		return err
	}
	term := p.ContractStart + "至" + p.ContractEnd
	if err := date("insurance_start", &p.InsuranceStart, true); err != nil {
		return err
	}
	if p.InsuranceStart > p.ContractStart {
		return fieldErr("insurance_start", KeyInsuranceGap, term)
	}
	if err := date("insurance_end", &p.InsuranceEnd, true); err != nil {
		return err
	}
	if p.InsuranceEnd < p.ContractEnd {
		return fieldErr("insurance_end", KeyInsuranceGap, term)
	}
	if err := date("exit_on", &p.ExitOn, false); err != nil {
		return err
	}
	if err := enum("exit_reason", p.ExitReason, WelfareExitReasons, false); err != nil {
		return err
	}
	switch {
	case p.ExitOn != "" && p.ExitOn < p.ContractStart:
		return fieldErr("exit_on", KeyBeforeStart, Label("contract_start"))
	case p.ExitOn != "" && p.ExitReason == "":
		return fieldErr("exit_reason", KeyRequired)
	case p.ExitOn == "" && p.ExitReason != "":
		return fieldErr("exit_reason", KeyOnlyWith, Label("exit_on"))
	}
	return nil
}

// LastContractDay is the last day a welfare contract starting on start
// (a valid date) may run to: one year less a day (2026-03-01 → 2027-02-28).
func LastContractDay(start string) string {
	t, err := time.Parse(DateLayout, start)
	if err != nil {
		return start
	}
	return t.AddDate(1, 0, -1).Format(DateLayout)
}

// Until is the last day p holds its post: the day before the exit, or the
// contract's end.
func (p *WelfarePlacement) Until() string {
	if p.ExitOn != "" {
		if t, err := time.Parse(DateLayout, p.ExitOn); err == nil {
			return t.AddDate(0, 0, -1).Format(DateLayout)
		}
	}
	return p.ContractEnd
}

// Columns lists the column values of p.
func (p *WelfarePlacement) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: p.WorkerID}, {Column: "post_id", Value: p.PostID},
		{Column: "contract_kind", Value: p.ContractKind}, {Column: "contract_start", Value: p.ContractStart},
		{Column: "contract_end", Value: p.ContractEnd}, {Column: "insurance_kind", Value: p.InsuranceKind},
		{Column: "insurance_policy", Value: opt(p.InsurancePolicy)},
		{Column: "insurance_start", Value: p.InsuranceStart}, {Column: "insurance_end", Value: p.InsuranceEnd},
		{Column: "part_time", Value: p.PartTime}, {Column: "exit_on", Value: opt(p.ExitOn)},
		{Column: "exit_reason", Value: opt(p.ExitReason)},
	}
}

// WelfareAssessment is a month's 考核 of a welfare placement, with the
// person's income that month besides the post's subsidy (flexible work),
// which the monthly check compares with the county's monitoring line.
type WelfareAssessment struct {
	WorkerID    string   `json:"worker_id"`
	PlacementID string   `json:"placement_id"`
	Month       string   `json:"month"`
	Result      string   `json:"result"`
	OtherIncome *float64 `json:"other_income"`
	Notes       string   `json:"notes"`
}

// Validate normalises a and checks its rules.
func (a *WelfareAssessment) Validate() error {
	trim(&a.WorkerID, &a.PlacementID, &a.Month, &a.Result, &a.Notes)
	if err := rowID("worker_id", &a.WorkerID); err != nil {
		return err
	}
	if err := refID("placement_id", &a.PlacementID); err != nil {
		return err
	}
	if err := month("month", a.Month, true); err != nil {
		return err
	}
	if err := enum("result", a.Result, AssessmentResults, true); err != nil {
		return err
	}
	if a.OtherIncome != nil {
		if err := money("other_income", *a.OtherIncome); err != nil {
			return err
		}
	}
	return maxLen("notes", a.Notes, maxLong)
}

// Columns lists the column values of a.
func (a *WelfareAssessment) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: a.WorkerID}, {Column: "placement_id", Value: a.PlacementID},
		{Column: "month", Value: a.Month}, {Column: "result", Value: a.Result},
		{Column: "other_income", Value: optFloat(a.OtherIncome)}, {Column: "notes", Value: opt(a.Notes)},
	}
}

// Workshop is a 就业帮扶车间: a workshop that employs 脱贫人口 locally,
// recognised by the county by how many it employs.
type Workshop struct {
	Name         string `json:"name"`
	Village      string `json:"village"`
	Operator     string `json:"operator"`
	Industry     string `json:"industry"`
	RecognisedOn string `json:"recognised_on"`
	Contact      string `json:"contact"`
	Notes        string `json:"notes"`
}

// Validate normalises w and checks its rules.
func (w *Workshop) Validate() error {
	trim(&w.Name, &w.Village, &w.Operator, &w.Industry, &w.RecognisedOn, &w.Contact, &w.Notes)
	if err := required("name", w.Name, maxText); err != nil {
		return err
	}
	if err := division("village", w.Village, true); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		n       int
	}{{"operator", w.Operator, maxText}, {"industry", w.Industry, maxShort}, {"contact", w.Contact, maxShort}, {"notes", w.Notes, maxLong}} {
		if err := maxLen(f.name, f.v, f.n); err != nil {
			return err
		}
	}
	return date("recognised_on", &w.RecognisedOn, false)
}

// Columns lists the column values of w.
func (w *Workshop) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "name", Value: w.Name}, {Column: "village", Value: w.Village},
		{Column: "operator", Value: opt(w.Operator)}, {Column: "industry", Value: opt(w.Industry)},
		{Column: "recognised_on", Value: opt(w.RecognisedOn)}, {Column: "contact", Value: opt(w.Contact)},
		{Column: "notes", Value: opt(w.Notes)},
	}
}

// WorkshopJob is a person working in a workshop, from when (to when).
type WorkshopJob struct {
	WorkerID    string   `json:"worker_id"`
	WorkshopID  string   `json:"workshop_id"`
	StartOn     string   `json:"start_on"`
	EndOn       string   `json:"end_on"`
	MonthlyWage *float64 `json:"monthly_wage"`
}

// Validate normalises j and checks its rules.
func (j *WorkshopJob) Validate() error {
	trim(&j.WorkerID, &j.WorkshopID, &j.StartOn, &j.EndOn)
	if err := rowID("worker_id", &j.WorkerID); err != nil {
		return err
	}
	if err := refID("workshop_id", &j.WorkshopID); err != nil {
		return err
	}
	if err := dateRange("start_on", &j.StartOn, true, "end_on", &j.EndOn); err != nil {
		return err
	}
	if j.MonthlyWage != nil {
		return money("monthly_wage", *j.MonthlyWage)
	}
	return nil
}

// Columns lists the column values of j.
func (j *WorkshopJob) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: j.WorkerID}, {Column: "workshop_id", Value: j.WorkshopID},
		{Column: "start_on", Value: j.StartOn}, {Column: "end_on", Value: opt(j.EndOn)},
		{Column: "monthly_wage", Value: optFloat(j.MonthlyWage)},
	}
}

// SharedJob is a 共享用工 agreement for one person: the worker keeps the
// labour relation with the original employer and works for the host from
// start to end, which may not pass the end of the original contract.
// The API also takes the sharing term as "start" and "end".
type SharedJob struct {
	WorkerID         string `json:"worker_id"`
	OriginalEmployer string `json:"original_employer"`
	// ContractEnd is the end of the worker's contract with the original employer.
	ContractEnd  string `json:"contract_end"`
	HostEmployer string `json:"host_employer"`
	StartOn      string `json:"start_on"`
	EndOn        string `json:"end_on"`
	Notes        string `json:"notes"`
}

// Validate normalises e and checks its rules: end_on (the sharing's end)
// is required and not after contract_end.
func (e *SharedJob) Validate() error {
	trim(&e.WorkerID, &e.OriginalEmployer, &e.ContractEnd, &e.HostEmployer, &e.StartOn, &e.EndOn, &e.Notes)
	if err := rowID("worker_id", &e.WorkerID); err != nil {
		return err
	}
	if err := required("original_employer", e.OriginalEmployer, maxText); err != nil {
		return err
	}
	if err := date("contract_end", &e.ContractEnd, true); err != nil {
		return err
	}
	if err := required("host_employer", e.HostEmployer, maxText); err != nil {
		return err
	}
	if err := dateRange("start_on", &e.StartOn, true, "end_on", &e.EndOn); err != nil {
		return err
	}
	if e.EndOn == "" {
		return fieldErr("end_on", KeyRequired)
	}
	if e.EndOn > e.ContractEnd {
		return fieldErr("end_on", KeyBeyondContract, e.ContractEnd)
	}
	return maxLen("notes", e.Notes, maxLong)
}

// Columns lists the column values of e.
func (e *SharedJob) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: e.WorkerID}, {Column: "original_employer", Value: e.OriginalEmployer},
		{Column: "contract_end", Value: e.ContractEnd}, {Column: "host_employer", Value: e.HostEmployer},
		{Column: "start_on", Value: e.StartOn}, {Column: "end_on", Value: e.EndOn},
		{Column: "notes", Value: opt(e.Notes)},
	}
}

// WorkReliefProject is a 以工代赈 project: local works that hire local
// workers and pay them 劳务报酬.
type WorkReliefProject struct {
	Name      string   `json:"name"`
	Place     string   `json:"place"`
	Owner     string   `json:"owner"`
	StartOn   string   `json:"start_on"`
	EndOn     string   `json:"end_on"`
	PayBudget *float64 `json:"pay_budget"`
	Notes     string   `json:"notes"`
}

// Validate normalises p and checks its rules.
func (p *WorkReliefProject) Validate() error {
	trim(&p.Name, &p.Place, &p.Owner, &p.StartOn, &p.EndOn, &p.Notes)
	if err := required("name", p.Name, maxText); err != nil {
		return err
	}
	if !placeRE.MatchString(p.Place) {
		if p.Place == "" {
			return fieldErr("place", KeyRequired)
		}
		return fieldErr("place", KeyPlace)
	}
	if err := maxLen("owner", p.Owner, maxText); err != nil {
		return err
	}
	if err := dateRange("start_on", &p.StartOn, true, "end_on", &p.EndOn); err != nil {
		return err
	}
	if p.PayBudget != nil {
		if err := money("pay_budget", *p.PayBudget); err != nil {
			return err
		}
	}
	return maxLen("notes", p.Notes, maxLong)
}

// Columns lists the column values of p.
func (p *WorkReliefProject) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "name", Value: p.Name}, {Column: "place", Value: p.Place}, {Column: "owner", Value: opt(p.Owner)},
		{Column: "start_on", Value: p.StartOn}, {Column: "end_on", Value: opt(p.EndOn)},
		{Column: "pay_budget", Value: optFloat(p.PayBudget)}, {Column: "notes", Value: opt(p.Notes)},
	}
}

// WorkReliefJob is a person hired by a work-relief project, with the pay
// (劳务报酬) they received.
type WorkReliefJob struct {
	WorkerID  string  `json:"worker_id"`
	ProjectID string  `json:"project_id"`
	StartOn   string  `json:"start_on"`
	EndOn     string  `json:"end_on"`
	Pay       float64 `json:"pay"`
	PaidOn    string  `json:"paid_on"`
}

// Validate normalises j and checks its rules.
func (j *WorkReliefJob) Validate() error {
	trim(&j.WorkerID, &j.ProjectID, &j.StartOn, &j.EndOn, &j.PaidOn)
	if err := rowID("worker_id", &j.WorkerID); err != nil {
		return err
	}
	if err := refID("project_id", &j.ProjectID); err != nil {
		return err
	}
	if err := dateRange("start_on", &j.StartOn, true, "end_on", &j.EndOn); err != nil {
		return err
	}
	if err := money("pay", j.Pay); err != nil {
		return err
	}
	if err := date("paid_on", &j.PaidOn, false); err != nil {
		return err
	}
	if j.PaidOn != "" && j.PaidOn < j.StartOn {
		return fieldErr("paid_on", KeyBeforeStart, Label("start_on"))
	}
	return nil
}

// Columns lists the column values of j.
func (j *WorkReliefJob) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: j.WorkerID}, {Column: "project_id", Value: j.ProjectID},
		{Column: "start_on", Value: j.StartOn}, {Column: "end_on", Value: opt(j.EndOn)},
		{Column: "pay", Value: j.Pay}, {Column: "paid_on", Value: opt(j.PaidOn)},
	}
}

// PartnerRegion is a region the county works with in 劳务协作.
type PartnerRegion struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Notes string `json:"notes"`
}

// Validate normalises p and checks its rules.
func (p *PartnerRegion) Validate() error {
	trim(&p.Name, &p.Kind, &p.Notes)
	if err := required("name", p.Name, maxShort); err != nil {
		return err
	}
	if err := enum("kind", p.Kind, PartnerKinds, true); err != nil {
		return err
	}
	return maxLen("notes", p.Notes, maxLong)
}

// Columns lists the column values of p.
func (p *PartnerRegion) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{{Column: "name", Value: p.Name}, {Column: "kind", Value: p.Kind},
		{Column: "notes", Value: opt(p.Notes)}}
}

// ExportBatch is a batch of 有组织劳务输出 ("点对点"): where and to whom it
// went, when, under which partnership and 劳务品牌. Who was sent is each
// person's ExportMember row.
type ExportBatch struct {
	SentOn          string `json:"sent_on"`
	Destination     string `json:"destination"`
	Employer        string `json:"employer"`
	PartnerRegionID string `json:"partner_region_id"`
	LabourBrand     string `json:"labour_brand"`
	Notes           string `json:"notes"`
}

// Validate normalises b and checks its rules.
func (b *ExportBatch) Validate() error {
	trim(&b.SentOn, &b.Destination, &b.Employer, &b.PartnerRegionID, &b.LabourBrand, &b.Notes)
	if err := date("sent_on", &b.SentOn, true); err != nil {
		return err
	}
	if err := required("destination", b.Destination, maxText); err != nil {
		return err
	}
	if err := maxLen("employer", b.Employer, maxText); err != nil {
		return err
	}
	if err := optionalRowID("partner_region_id", &b.PartnerRegionID); err != nil {
		return err
	}
	if err := maxLen("labour_brand", b.LabourBrand, maxShort); err != nil {
		return err
	}
	return maxLen("notes", b.Notes, maxLong)
}

// Columns lists the column values of b.
func (b *ExportBatch) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "sent_on", Value: b.SentOn}, {Column: "destination", Value: b.Destination},
		{Column: "employer", Value: opt(b.Employer)}, {Column: "partner_region_id", Value: opt(b.PartnerRegionID)},
		{Column: "labour_brand", Value: opt(b.LabourBrand)}, {Column: "notes", Value: opt(b.Notes)},
	}
}

// ExportMember is one person sent in an export batch.
type ExportMember struct {
	WorkerID string `json:"worker_id"`
	BatchID  string `json:"batch_id"`
}

// Validate normalises m and checks its rules.
func (m *ExportMember) Validate() error {
	trim(&m.WorkerID, &m.BatchID)
	if err := rowID("worker_id", &m.WorkerID); err != nil {
		return err
	}
	return refID("batch_id", &m.BatchID)
}

// Columns lists the column values of m.
func (m *ExportMember) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{{Column: "worker_id", Value: m.WorkerID}, {Column: "batch_id", Value: m.BatchID}}
}

// refID checks a required reference to another programme row and writes it
// in its canonical form (as rowID).
func refID(field string, s *string) error {
	if *s == "" {
		return fieldErr(field, KeyRequired)
	}
	if err := optionalRowID(field, s); err != nil {
		return fieldErr(field, KeyNoProgrammeRow)
	}
	return nil
}

// dateRange normalises a start date and an optional end date and checks
// their order (the end is refused when before the start).
func dateRange(startField string, start *string, req bool, endField string, end *string) error {
	if err := date(startField, start, req); err != nil {
		return err
	}
	if err := date(endField, end, false); err != nil {
		return err
	}
	if *start != "" && *end != "" && *end < *start {
		return fieldErr(endField, KeyBeforeStart, Label(startField))
	}
	return nil
}

// UnmarshalJSON takes the sharing term as start and end too (the API's
// names), besides start_on and end_on (the stored columns', which win when
// both are given). Like encoding/json's own decoding, it leaves the fields
// b does not name as they were (a PATCH decodes over the stored record).
func (e *SharedJob) UnmarshalJSON(b []byte) error {
	type plain SharedJob
	var v struct {
		plain
		Start *string `json:"start"`
		End   *string `json:"end"`
	}
	orig := *e
	v.plain = plain(orig)
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*e = SharedJob(v.plain)
	if v.Start != nil && e.StartOn == orig.StartOn {
		e.StartOn = *v.Start
	}
	if v.End != nil && e.EndOn == orig.EndOn {
		e.EndOn = *v.End
	}
	return nil
}
