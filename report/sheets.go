package report

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"fieldsync/glossary"
	"fieldsync/records"
)

// Sheets of the monthly report, in the order of the workbook. The names are
// what WriteCSV takes.
const (
	SheetSummary     = "summary"
	SheetEmployed    = "employed"
	SheetUnemployed  = "unemployed"
	SheetWillingAway = "willing_away"
	SheetLedger      = "ledger"
	SheetTownships   = "townships"
	SheetVillages    = "villages"
	SheetGigs        = "gigs"
	SheetWelfare     = "welfare"
	SheetWorkshops   = "workshops"
	SheetShared      = "shared"
	SheetWorkRelief  = "work_relief"
	SheetExport      = "export"
	SheetTraining    = "training"
	SheetStartups    = "startups"
	SheetRights      = "rights"
	SheetReturns     = "returns"
	SheetJobFairs    = "job_fairs"
	SheetPostings    = "postings"
)

// Sheets lists the sheet names in workbook order.
var Sheets = []string{SheetSummary, SheetEmployed, SheetUnemployed, SheetWillingAway, SheetLedger, SheetTownships,
	SheetVillages, SheetGigs, SheetWelfare, SheetWorkshops, SheetShared, SheetWorkRelief, SheetExport,
	SheetTraining, SheetStartups, SheetRights, SheetReturns, SheetJobFairs, SheetPostings}

// SheetTitles are the sheets' titles (their tabs in the workbook), by name.
var SheetTitles = map[string]string{
	SheetSummary: "汇总", SheetEmployed: "就业人员清单", SheetUnemployed: "失业人员清单",
	SheetWillingAway: "有意愿外出人员清单", SheetLedger: "就业帮扶台账", SheetTownships: "苏木乡镇",
	SheetVillages: "嘎查村汇总", SheetGigs: "零工", SheetRoster: "人员台账",
	SheetWelfare: "乡村公益性岗位", SheetWorkshops: "就业帮扶车间", SheetShared: "共享用工", SheetWorkRelief: "以工代赈",
	SheetExport: "劳务输出", SheetTraining: "职业技能培训", SheetStartups: "创业扶持", SheetRights: "劳动维权",
	SheetReturns: "返乡人员", SheetJobFairs: "招聘活动", SheetPostings: "岗位发布",
}

// ErrUnknownSheet is returned by WriteCSV for a sheet name not in Sheets.
var ErrUnknownSheet = fmt.Errorf("unknown sheet (want one of %s)", strings.Join(Sheets, ", "))

// sheet is one table of the report: xlsx and CSV write the same rows.
type sheet struct {
	name, title string
	header      []string
	widths      []float64
	// rows calls yield with each row's values; the slice is reused for the
	// next row, and yield may modify it.
	rows func(ctx context.Context, yield func([]any) error) error
}

// workbook computes what every sheet needs once.
type workbook struct {
	db    *sql.DB
	month string
	opt   Options
	names areaNameMap

	figOnce sync.Once
	fig     *Figures
	figErr  error

	people peopleData // the people sheets' rows, read once
}

func newWorkbook(ctx context.Context, db *sql.DB, month string, opt Options) (*workbook, error) {
	opt = opt.withDefaults()
	if _, err := parsePeriod(month); err != nil {
		return nil, err
	}
	names, err := areaNames(ctx, db)
	if err != nil {
		return nil, err
	}
	return &workbook{db: db, month: month, opt: opt, names: names}, nil
}

// figures computes the month's figures once, for the sheets that show them;
// concurrent callers wait for the first. With a usable Live they are
// Dashboard's; without, they are counted from the roster (rosterFigures)
// rather than by Dashboard's queries, which would read it all again.
func (b *workbook) figures(ctx context.Context) (*Figures, error) {
	b.figOnce.Do(func() {
		if l := b.opt.Live; l != nil {
			if p, err := parsePeriod(b.month); err == nil && l.usable(p, b.opt) {
				b.fig, b.figErr = Dashboard(ctx, b.db, b.month, nil, b.opt)
				return
			}
		}
		b.fig, b.figErr = b.rosterFigures(ctx)
	})
	return b.fig, b.figErr
}

func (b *workbook) sheet(name string) (*sheet, error) {
	switch name {
	case SheetSummary:
		return b.summary(), nil
	case SheetEmployed:
		return b.list(name, records.ListEmployed), nil
	case SheetUnemployed:
		return b.list(name, records.ListUnemployed), nil
	case SheetWillingAway:
		return b.list(name, records.ListWillingAway), nil
	case SheetLedger:
		return b.ledger(), nil
	case SheetTownships:
		return b.townships(), nil
	case SheetVillages:
		return b.villages(), nil
	case SheetGigs:
		return b.gigs(), nil
	case SheetRoster:
		return b.rosterSheet(), nil
	case SheetWelfare:
		return b.welfareSheet(), nil
	case SheetWorkshops:
		return b.workshopSheet(), nil
	case SheetShared:
		return b.sharedSheet(), nil
	case SheetWorkRelief:
		return b.workReliefSheet(), nil
	case SheetExport:
		return b.exportSheet(), nil
	case SheetTraining:
		return b.trainingSheet(), nil
	case SheetStartups:
		return b.startupSheet(), nil
	case SheetRights:
		return b.rightsSheet(), nil
	case SheetReturns:
		return b.returnsSheet(), nil
	case SheetJobFairs:
		return b.jobFairSheet(), nil
	case SheetPostings:
		return b.postingSheet(), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownSheet, name)
}

// areaName is the name of the place with code, or code itself when neither
// the division table nor the station directory names it.
func (b *workbook) areaName(code string) string {
	if n := b.names.name(code); n != "" {
		return n
	}
	return code
}

func tagList(tags []string) string { return strings.Join(glossary.DisplayAll(tags), "、") }

func yesNo(v bool) string {
	if v {
		return "是"
	}
	return "否"
}

// list is the sheet of one of the three lists: its people, by village.
// The lists overlap (ListCount): 就业 and 失业 by the status, 有意愿外出 by
// the month's flag, so the last two columns say both.
func (b *workbook) list(name, list string) *sheet {
	on := func(s *rosterStatus) bool { return s.list == list }
	if list == records.ListWillingAway {
		on = func(s *rosterStatus) bool { return s.willing }
	}
	return &sheet{
		name: name, title: SheetTitles[name],
		header: []string{"序号", "苏木乡镇", "嘎查村", "姓名", "身份证号", "性别", "年龄", "大龄", "人员类别", "务工地域",
			"务工地点", "行业", "就业形式", "月收入(元)", "核实方式", "核实人", "核实日期", "本月状态", "有意愿外出"},
		widths: []float64{7, 14, 14, 10, 21, 6, 6, 6, 22, 10, 18, 12, 12, 11, 10, 10, 12, 10, 11},
		rows: func(ctx context.Context, yield func([]any) error) error {
			r, err := b.roster(ctx)
			if err != nil {
				return err
			}
			c, i := b.personCache(), 0
			row := make([]any, 0, 19)
			for k := range r.people {
				x := &r.people[k]
				if x.status < 0 || !on(&r.status[x.status]) {
					continue
				}
				i++
				p := r.person(x, c, nil)
				town, village := c.areaNames(x)
				row = append(row[:0], i, town, village, p.Name, p.IDNumber, p.Sex,
					p.Age, yesNo(p.Older), x.tags.text, glossary.Display(p.WorkScope), p.Place, p.Industry, glossary.Display(p.EmploymentForm),
					incomeCell(&p), glossary.Display(p.VerifiedByMethod), p.VerifiedBy, p.VerifiedAt, p.List, yesNo(p.WillingAway))
				if err := yield(row); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// ledger is the assistance ledger's monthly update of every person of either
// group (脱贫人口, 防止返贫监测对象).
func (b *workbook) ledger() *sheet {
	return &sheet{
		name: SheetLedger, title: SheetTitles[SheetLedger],
		header: []string{"序号", "苏木乡镇", "嘎查村", "姓名", "身份证号", "性别", "年龄", "人员类别", "监测类型", "本月状态",
			"务工地域", "就业形式", "月收入(元)", "本月帮扶次数", "近六个月帮扶次数", "最近帮扶日期", "最近帮扶方式",
			"服务类型", "帮扶结果"},
		widths: []float64{7, 14, 14, 10, 21, 6, 6, 22, 14, 12, 10, 12, 11, 12, 16, 13, 12, 12, 30},
		rows: func(ctx context.Context, yield func([]any) error) error {
			// The follow-ups are read on a second connection meanwhile.
			var read sync.WaitGroup
			read.Go(func() { _, _ = b.ledgerFacts(ctx) })
			r, err := b.roster(ctx)
			read.Wait()
			if err != nil {
				return err
			}
			facts, err := b.ledgerFacts(ctx)
			if err != nil {
				return err
			}
			c, i := b.personCache(), 0
			row := make([]any, 0, 19)
			for k := range r.people {
				x := &r.people[k]
				if !x.inGroups {
					continue
				}
				// A worker added between the two reads has no follow-up
				// read yet: the zero facts.
				l := facts[x.id]
				i++
				p := r.person(x, c, &l)
				status := p.List
				if status == "" {
					status = "本月未更新"
				} else if p.WillingAway {
					status += "（" + records.ListWillingAway + "）"
				}
				town, village := c.areaNames(x)
				row = append(row[:0], i, town, village, p.Name, p.IDNumber, p.Sex,
					p.Age, x.tags.text, p.MonitorType, status, glossary.Display(p.WorkScope), glossary.Display(p.EmploymentForm), incomeCell(&p),
					p.FollowupsMonth, p.FollowupsSix, p.LastFollowup, glossary.Display(p.LastMethod), p.LastService, p.LastOutcome)
				if err := yield(row); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// villages is the totals by village, straight from the figures: the
// village's township and names, then areaColumns.
func (b *workbook) villages() *sheet {
	header := []string{"苏木乡镇代码", "苏木乡镇", "嘎查村代码", "嘎查村"}
	widths := []float64{12, 14, 15, 14}
	return &sheet{
		name: SheetVillages, title: SheetTitles[SheetVillages],
		header: append(header, areaHeaders()...), widths: append(widths, areaWidths()...),
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			row := make([]any, 0, len(header)+len(areaColumns))
			for i := range fig.Villages {
				v := &fig.Villages[i]
				row = append(row[:0], v.Township, b.names.name(v.Township), v.Code, v.Name)
				for _, c := range areaColumns {
					row = append(row, c.value(v))
				}
				if err := yield(row); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// summary is the month's main figures, one per row.
func (b *workbook) summary() *sheet {
	return &sheet{
		name: SheetSummary, title: SheetTitles[SheetSummary],
		header: []string{"类别", "指标", "数值"},
		widths: []float64{18, 30, 14},
		rows: func(ctx context.Context, yield func([]any) error) error {
			f, err := b.figures(ctx)
			if err != nil {
				return err
			}
			rows := [][]any{
				{"月份", "统计月份", f.Month},
				{"劳动力", "登记人数", f.Workers},
				{glossary.ThreeLists[0], "就业人员", f.Lists.Count.Employed},
				{glossary.ThreeLists[0], "就业人员较上月", f.Lists.Change.Employed},
				{glossary.ThreeLists[0], "失业人员", f.Lists.Count.Unemployed},
				{glossary.ThreeLists[0], "失业人员较上月", f.Lists.Change.Unemployed},
				{glossary.ThreeLists[0], "有意愿外出人员", f.Lists.Count.WillingAway},
				{glossary.ThreeLists[0], "有意愿外出人员较上月", f.Lists.Change.WillingAway},
			}
			for _, g := range f.Assistance {
				rows = append(rows, []any{g.Group, "人数", g.People}, []any{g.Group, "就业", g.Lists.Employed},
					[]any{g.Group, "失业", g.Lists.Unemployed}, []any{g.Group, "有意愿外出", g.Lists.WillingAway},
					[]any{g.Group, "本月未更新状态", g.NoStatus})
				for _, k := range g.ByScope {
					rows = append(rows, []any{g.Group, "就业·" + glossary.Display(k.Key), k.Count})
				}
				for _, k := range g.ByForm {
					rows = append(rows, []any{g.Group, "就业形式·" + glossary.Display(k.Key), k.Count})
				}
				for _, k := range g.ByIncome {
					rows = append(rows, []any{g.Group, "月收入·" + k.Key, k.Count})
				}
			}
			rows = append(rows,
				[]any{"帮扶台账", "脱贫人口和监测对象", f.Ledger.People},
				[]any{"帮扶台账", "本月帮扶次数", f.Ledger.Followups},
				[]any{"帮扶台账", "本月未帮扶人数", f.Ledger.NoneThisMonth},
				[]any{"帮扶台账", "六个月未帮扶人数", f.Ledger.NoneSixMonths},
				[]any{"大龄劳动力", fmt.Sprintf("人数（男≥%d岁，女≥%d岁）", f.Older.MaleAge, f.Older.FemaleAge), f.Older.People},
				[]any{"大龄劳动力", "就业", f.Older.Lists.Employed},
				[]any{"大龄劳动力", "失业", f.Older.Lists.Unemployed},
				[]any{"大龄劳动力", "有意愿外出", f.Older.Lists.WillingAway},
			)
			rows = append(rows, gigSummaryRows(&f.Gigs)...)
			rows = append(rows, householdRows(f.Households)...)
			rows = append(rows, programmeSummaryRows(&f.Programmes)...)
			rows = append(rows, monthSummaryRows(f)...)
			rows = append(rows, serviceSummaryRows(&f.Services)...)
			for _, r := range rows {
				if err := yield(r); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// incomeCell is a person's monthly income as a sheet shows it: the number,
// 未填报 for a status without one, nothing without a status.
func incomeCell(p *Person) any {
	switch {
	case p.MonthlyIncome != nil:
		return *p.MonthlyIncome
	case p.List != "":
		return records.IncomeNotReported
	}
	return nil
}
