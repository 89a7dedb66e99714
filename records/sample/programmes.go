package sample

import (
	"fmt"
	"slices"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// ProgrammeOptions is what Programmes needs besides the people.
type ProgrammeOptions struct {
	Now     time.Time // the current time, in the county's zone
	Station string    // the station that records the programmes
	Key     ident.Key
	// History is the people's history (History's edits): the people put
	// in welfare posts are among those who never worked 区外 in it, and
	// those sent out among those who want to go out to work.
	History []replica.Edit
}

// Programmes returns a station's records of the county's placement
// programmes (records/programmes.go) for the people Workers made (their
// edits), deterministic for their order and Now: two welfare posts, one of
// them part-time, with a placement each for a few people (脱贫人口 first),
// one contract ending this month, and the last two months' 考核; a
// workshop with the 脱贫人口 working in it; a shared-employment agreement;
// a work-relief project with the people it paid; a partner region and an
// export batch sent there with a few people. Nobody is both in a welfare
// post and sent out, nor in a welfare post in a month worked 区外, so the
// records break none of the hub's rules. Each edit is valid for
// records.CheckChange as a new row. Fewer than 20 people make nothing.
func Programmes(workers []replica.Edit, opt ProgrammeOptions) ([]replica.Edit, error) {
	if len(workers) < 20 {
		return nil, nil
	}
	if opt.Now.IsZero() {
		return nil, fmt.Errorf("sample programmes: no current time")
	}
	today := time.Date(opt.Now.Year(), opt.Now.Month(), opt.Now.Day(), 0, 0, 0, 0, time.UTC)
	thisMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	date := func(t time.Time) string { return t.Format(records.DateLayout) }
	p := &programmes{opt: opt}

	// Who did what in the history: worked 区外 some month; on the list
	// 有意愿外出 this month.
	away, willing := map[string]bool{}, map[string]bool{}
	month := thisMonth.Format(records.MonthLayout)
	for _, e := range opt.History {
		if e.Table != records.MonthlyStatus {
			continue
		}
		w, _ := columnValue(e, "worker_id").(string)
		if columnValue(e, "work_scope") == records.ScopeAway {
			away[w] = true
		}
		// 有意愿外出 is stored as 失业 with the month's willing_away flag.
		if columnValue(e, "month") == month && (columnValue(e, "willing_away") == true ||
			columnValue(e, "list_type") == records.ListWillingAway) {
			willing[w] = true
		}
	}
	poor := func(w replica.Edit) bool {
		tags, _ := columnValue(w, "tags").([]string)
		return slices.Contains(tags, "脱贫人口")
	}
	used := map[ident.ID]bool{}
	pick := func(n int, ok func(replica.Edit) bool) []ident.ID {
		var out []ident.ID
		for _, first := range []bool{true, false} { // 脱贫人口 first
			for _, w := range workers {
				if len(out) == n {
					return out
				}
				if !used[w.Row] && poor(w) == first && ok(w) {
					used[w.Row] = true
					out = append(out, w.Row)
				}
			}
		}
		return out
	}
	village, _ := columnValue(workers[0], "hukou_village").(string)
	if len(village) != 12 {
		village = Village(0)
	}

	// 乡村公益性岗位: a full-time post and a part-time one.
	posts := []ident.ID{
		p.add(records.WelfarePosts, "post/1", &records.WelfarePost{Name: "嘎查保洁员", Village: village,
			Kind: "保洁环卫", Headcount: 3, Subsidy: 1000, Employer: "嘎查村民委员会", StartOn: date(thisMonth.AddDate(-1, 0, 0))}),
		p.add(records.WelfarePosts, "post/2", &records.WelfarePost{Name: "草原管护员", Village: village,
			Kind: "护林防火", Headcount: 3, Subsidy: 600, PartTime: true, Employer: "苏木林草工作站",
			Notes: "非全日制，可兼顾灵活就业"}),
	}
	local := pick(5, func(w replica.Edit) bool { return !away[w.Row.String()] })
	for i, w := range local {
		// The first person's contract ends this month; the others' began
		// one to four months ago.
		start := thisMonth.AddDate(0, -1-i%4, 0)
		if i == 0 {
			start = thisMonth.AddDate(-1, 1, 0)
		}
		end := records.LastContractDay(date(start))
		post := posts[i%2]
		pl := &records.WelfarePlacement{WorkerID: w.String(), PostID: post.String(),
			ContractKind: records.ContractKinds[i%2], ContractStart: date(start), ContractEnd: end,
			InsuranceKind: records.InsuranceKinds[i%2], InsurancePolicy: fmt.Sprintf("PICC2026%04d", i+1),
			InsuranceStart: date(start), InsuranceEnd: end, PartTime: i%2 == 1}
		placement := p.add(records.WelfarePlacements, fmt.Sprintf("placement/%d", i), pl)
		for back := 1; back <= 2; back++ {
			m := thisMonth.AddDate(0, -back, 0)
			if m.Before(start) {
				continue
			}
			a := &records.WelfareAssessment{WorkerID: w.String(), PlacementID: placement.String(),
				Month: m.Format(records.MonthLayout), Result: records.AssessmentResults[(i+back)%3]}
			if pl.PartTime {
				income := float64(600 + 500*i) // the last one's flexible work pays well
				a.OtherIncome = &income
			}
			p.add(records.WelfareAssessments, fmt.Sprintf("assessment/%d/%d", i, back), a)
		}
	}

	// 就业帮扶车间 and the 脱贫人口 working in it.
	workshop := p.add(records.Workshops, "workshop", &records.Workshop{Name: "民族刺绣就业帮扶车间", Village: village,
		Operator: "乌兰刺绣专业合作社", Industry: "手工艺品", RecognisedOn: date(thisMonth.AddDate(0, -8, 0)),
		Contact: "13947500001"})
	for i, w := range pick(4, func(w replica.Edit) bool { return poor(w) }) {
		wage := float64(2200 + 100*i)
		p.add(records.WorkshopJobs, fmt.Sprintf("workshop-job/%d", i), &records.WorkshopJob{WorkerID: w.String(),
			WorkshopID: workshop.String(), StartOn: date(thisMonth.AddDate(0, -6+i, 0)), MonthlyWage: &wage})
	}

	// 共享用工: one worker lent from a firm with spare hands.
	for i, w := range pick(1, func(replica.Edit) bool { return true }) {
		p.add(records.SharedEmployment, fmt.Sprintf("shared/%d", i), &records.SharedJob{WorkerID: w.String(),
			OriginalEmployer: "鄂尔多斯市某建材公司", ContractEnd: date(thisMonth.AddDate(1, 6, -1)),
			HostEmployer: "伊利乳业某牧场", StartOn: date(thisMonth.AddDate(0, -1, 0)),
			EndOn: date(thisMonth.AddDate(0, 3, -1)), Notes: "冬季淡季共享用工"})
	}

	// 以工代赈: a project and the people it paid.
	budget := 120000.0
	project := p.add(records.WorkReliefProjects, "project", &records.WorkReliefProject{Name: "嘎查灌溉渠道修缮",
		Place: village[:9], Owner: "旗发展和改革委员会", StartOn: date(thisMonth.AddDate(0, -5, 0)),
		EndOn: date(thisMonth.AddDate(0, -2, -1)), PayBudget: &budget})
	for i, w := range pick(3, func(w replica.Edit) bool { return !willing[w.Row.String()] }) {
		start := thisMonth.AddDate(0, -5, 0)
		p.add(records.WorkReliefJobs, fmt.Sprintf("relief-job/%d", i), &records.WorkReliefJob{WorkerID: w.String(),
			ProjectID: project.String(), StartOn: date(start), EndOn: date(thisMonth.AddDate(0, -2, -1)),
			Pay: float64(6000 + 1500*i), PaidOn: date(thisMonth.AddDate(0, -2, 4))})
	}

	// 劳务协作 and 有组织劳务输出: a partner region, a batch sent there.
	region := p.add(records.PartnerRegions, "region", &records.PartnerRegion{Name: "北京市", Kind: "对口支援",
		Notes: "京蒙协作"})
	batch := p.add(records.ExportBatches, "batch", &records.ExportBatch{SentOn: date(thisMonth.AddDate(0, 0, min(today.Day(), 3)-1)),
		Destination: "北京市大兴区", Employer: "北京某物业服务公司", PartnerRegionID: region.String(),
		LabourBrand: "草原保姆", Notes: "点对点输送"})
	sent := pick(4, func(w replica.Edit) bool { return willing[w.Row.String()] })
	if len(sent) < 2 {
		sent = append(sent, pick(2, func(w replica.Edit) bool { return true })...)
	}
	for i, w := range sent {
		p.add(records.ExportMembers, fmt.Sprintf("member/%d", i), &records.ExportMember{WorkerID: w.String(),
			BatchID: batch.String()})
	}
	return p.out, p.err
}

// programmes collects the edits Programmes makes.
type programmes struct {
	opt ProgrammeOptions
	out []replica.Edit
	err error
}

// add validates rec and adds it as a new row of table (its id derived from
// the station and name) with the station column; it returns the row's id.
func (p *programmes) add(table, name string, rec interface {
	Validate() error
	Columns() []replica.ColumnValue
}) ident.ID {
	id := p.opt.Key.Derive(table, "sample/"+p.opt.Station+"/"+name)
	if err := rec.Validate(); err != nil && p.err == nil {
		p.err = fmt.Errorf("sample %s %s: %w", table, name, err)
	}
	p.out = append(p.out, replica.Edit{Table: table, Row: id,
		Set: append(rec.Columns(), replica.ColumnValue{Column: "station", Value: p.opt.Station})})
	return id
}
