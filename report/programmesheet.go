package report

import (
	"context"

	"fieldsync/glossary"
	"fieldsync/records"
)

// The programme sheets of the monthly report (乡村公益性岗位, 就业帮扶车间,
// 共享用工, 以工代赈, 劳务输出), each straight from Figures.Programmes, and
// their rows of the summary sheet. docs/REPORTS.md lists the columns.

// Titles of the programme figures the summary sheet and the dashboard share.
const (
	TitleWelfarePeople        = "乡村公益性岗位在岗人数"
	TitleWorkshops            = "就业帮扶车间（本月有在岗人员）"
	TitleWorkshopPoverty      = "就业帮扶车间吸纳脱贫人口"
	TitleSharedAgreements     = "共享用工协议（本月有效）"
	TitleWorkReliefPeople     = "以工代赈人数"
	TitleWorkReliefPay        = "以工代赈本月发放劳务报酬（元）"
	TitleExportPeople         = "本月有组织劳务输出人数"
	TitleProgrammeNotEmployed = "在乡村公益性岗位/就业帮扶车间但当月状态不是就业"
)

// Groups of the export sheet's rows.
const (
	exportByDestination = "按输出地"
	exportByPartner     = "按协作地区"
	exportByGroup       = "按人员类别"
	exportByTownship    = "按苏木乡镇"
)

// welfareColumn is one count of the welfare sheet.
type welfareColumn struct {
	header string
	width  float64
	value  func(c *WelfareCounts) int
}

// welfareColumns are the welfare sheet's counts, in order: the people in
// posts and by group, contracts ending, exits and by reason, assessed and
// by result.
func welfareColumns() []welfareColumn {
	cols := []welfareColumn{{"在岗人数", 10, func(c *WelfareCounts) int { return c.People }}}
	for _, g := range ProgrammeGroups {
		cols = append(cols, welfareColumn{"在岗·" + glossary.Display(g), 12, func(c *WelfareCounts) int { return bucketOf(c.ByGroup, g) }})
	}
	cols = append(cols,
		welfareColumn{"本月合同到期", 13, func(c *WelfareCounts) int { return c.ContractsEnding }},
		welfareColumn{"本月退出", 10, func(c *WelfareCounts) int { return c.Exits }})
	for _, r := range records.WelfareExitReasons {
		cols = append(cols, welfareColumn{"退出·" + r, 12, func(c *WelfareCounts) int { return bucketOf(c.ExitsByReason, r) }})
	}
	cols = append(cols, welfareColumn{"本月考核人数", 13, func(c *WelfareCounts) int { return c.Assessed }})
	for _, r := range records.AssessmentResults {
		cols = append(cols, welfareColumn{"考核·" + r, 12, func(c *WelfareCounts) int { return bucketOf(c.ByResult, r) }})
	}
	return cols
}

// bucketOf is the count of key k in b (0 when absent).
func bucketOf(b []Bucket, k string) int {
	for _, x := range b {
		if x.Key == k {
			return x.Count
		}
	}
	return 0
}

// welfareSheet is the 公益性岗位 sheet: a row per 苏木乡镇 of the people's
// residence (code order, 未填 for none), then the total.
func (b *workbook) welfareSheet() *sheet {
	cols := welfareColumns()
	header, widths := []string{"苏木乡镇代码", "苏木乡镇"}, []float64{12, 14}
	for _, c := range cols {
		header, widths = append(header, c.header), append(widths, c.width)
	}
	return &sheet{
		name: SheetWelfare, title: SheetTitles[SheetWelfare], header: header, widths: widths,
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			row := make([]any, 0, len(header))
			emit := func(code, name string, c *WelfareCounts) error {
				row = append(row[:0], code, name)
				for _, col := range cols {
					row = append(row, col.value(c))
				}
				return yield(row)
			}
			w := &fig.Programmes.Welfare
			for i := range w.ByTownship {
				t := &w.ByTownship[i]
				if err := emit(t.Code, areaLabel(t.Code, t.Name), &t.WelfareCounts); err != nil {
					return err
				}
			}
			return emit("", TotalLabel, &w.WelfareCounts)
		},
	}
}

// workshopSheet is the 就业帮扶车间 sheet: every workshop (by village code,
// then name) with the people it employs in the month and of them 脱贫人口,
// then the total.
func (b *workbook) workshopSheet() *sheet {
	return &sheet{
		name: SheetWorkshops, title: SheetTitles[SheetWorkshops],
		header: []string{"车间名称", "嘎查村代码", "嘎查村", "本月在岗人数", "其中脱贫人口"},
		widths: []float64{24, 15, 14, 13, 13},
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			w := &fig.Programmes.Workshops
			for _, r := range w.ByWorkshop {
				if err := yield([]any{r.Name, r.Village, r.VillageName, r.People, r.Poverty}); err != nil {
					return err
				}
			}
			return yield([]any{TotalLabel, "", "", w.People, w.Poverty})
		},
	}
}

// sharedSheet is the 共享用工 sheet: the agreements active in the month and
// their people by host employer (most agreements first), then the total.
func (b *workbook) sharedSheet() *sheet {
	return &sheet{
		name: SheetShared, title: SheetTitles[SheetShared],
		header: []string{"用工单位（缺工企业）", "本月有效协议数", "共享人数"},
		widths: []float64{28, 15, 10},
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			s := &fig.Programmes.Shared
			for _, h := range s.ByHost {
				if err := yield([]any{areaLabel(h.Host, ""), h.Agreements, h.People}); err != nil {
					return err
				}
			}
			return yield([]any{TotalLabel, s.Agreements, s.People})
		},
	}
}

// workReliefSheet is the 以工代赈 sheet: each project with people in the
// month or pay in the year (by name), then the total.
func (b *workbook) workReliefSheet() *sheet {
	return &sheet{
		name: SheetWorkRelief, title: SheetTitles[SheetWorkRelief],
		header: []string{"以工代赈项目", "本月在岗人数", "本月发放劳务报酬（元）", "本年累计发放劳务报酬（元）"},
		widths: []float64{28, 13, 22, 26},
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			w := &fig.Programmes.WorkRelief
			for _, p := range w.ByProject {
				if err := yield([]any{p.Name, p.People, p.PayMonth, p.PayYear}); err != nil {
					return err
				}
			}
			return yield([]any{TotalLabel, w.People, w.PayMonth, w.PayYear})
		},
	}
}

// exportSheet is the 劳务输出 sheet: the people sent out in the month, in
// all, by destination, by partner region, by group and by 苏木乡镇.
func (b *workbook) exportSheet() *sheet {
	return &sheet{
		name: SheetExport, title: SheetTitles[SheetExport],
		header: []string{"分组", "代码", "名称", "输出人数"},
		widths: []float64{12, 12, 24, 10},
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			e := &fig.Programmes.Export
			if err := yield([]any{TotalLabel, "", TotalLabel, e.People}); err != nil {
				return err
			}
			for _, g := range []struct {
				group   string
				buckets []Bucket
			}{{exportByDestination, e.ByDestination}, {exportByPartner, e.ByPartner}, {exportByGroup, e.ByGroup}} {
				for _, k := range g.buckets {
					name := k.Key
					if g.group == exportByGroup {
						name = glossary.Display(name)
					}
					if err := yield([]any{g.group, "", name, k.Count}); err != nil {
						return err
					}
				}
			}
			for _, k := range e.ByTownship {
				if err := yield([]any{exportByTownship, k.Key, areaLabel(k.Key, b.names.name(k.Key)), k.Count}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// programmeSummaryRows are the summary sheet's rows of the programmes.
func programmeSummaryRows(p *ProgrammeFigures) [][]any {
	const welfare, shops, shared, relief, export = "乡村公益性岗位", "就业帮扶车间", "共享用工", "以工代赈", "有组织劳务输出"
	w := &p.Welfare
	rows := [][]any{{welfare, "在岗人数", w.People}}
	for _, g := range w.ByGroup {
		rows = append(rows, []any{welfare, "在岗·" + glossary.Display(g.Key), g.Count})
	}
	rows = append(rows,
		[]any{welfare, "本月合同到期人数", w.ContractsEnding},
		[]any{welfare, "本月退出人数", w.Exits},
		[]any{welfare, "本月考核人数", w.Assessed},
		[]any{shops, "车间数", p.Workshops.Workshops},
		[]any{shops, "本月有在岗人员的车间数", p.Workshops.WithPeople},
		[]any{shops, "本月在岗人数", p.Workshops.People},
		[]any{shops, "其中脱贫人口", p.Workshops.Poverty},
		[]any{shared, "本月有效协议数", p.Shared.Agreements},
		[]any{shared, "共享人数", p.Shared.People},
		[]any{relief, "本月在岗人数", p.WorkRelief.People},
		[]any{relief, "本月发放劳务报酬（元）", p.WorkRelief.PayMonth},
		[]any{relief, "本年累计发放劳务报酬（元）", p.WorkRelief.PayYear},
		[]any{export, "本月输出批次", p.Export.Batches},
		[]any{export, "本月输出人数", p.Export.People},
	)
	return rows
}
