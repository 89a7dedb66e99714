package report

import (
	"context"
	"strings"

	"fieldsync/glossary"
)

// gigColumn is one figure of the gig sheet: the month's (本月) or the
// board's as it stands (截至目前), its header saying which.
type gigColumn struct {
	header string
	width  float64
	value  func(g *GigGroup) any
}

// gigColumns are the gig sheet's figures, in order: the month's first.
var gigColumns = []gigColumn{
	{GigMonthLabel + "发布岗位数", 13, func(g *GigGroup) any { return g.Month.Posted }},
	{GigMonthLabel + "发布需求人数", 14, func(g *GigGroup) any { return g.Month.PostedHeadcount }},
	{GigMonthLabel + "招满岗位数", 13, func(g *GigGroup) any { return g.Month.Filled }},
	{GigMonthLabel + "到期未招满岗位数", 18, func(g *GigGroup) any { return g.Month.Expired }},
	{GigMonthLabel + "上岗人次", 11, func(g *GigGroup) any { return g.Month.Placed }},
	{GigMonthLabel + "离岗或取消人次", 16, func(g *GigGroup) any { return g.Month.Ended }},
	{GigBoardLabel + "岗位数", 12, func(g *GigGroup) any { return g.Gigs }},
	{GigBoardLabel + "招聘中", 12, func(g *GigGroup) any { return g.Open }},
	{GigBoardLabel + "已招满", 12, func(g *GigGroup) any { return g.Filled }},
	{GigBoardLabel + "已关闭", 12, func(g *GigGroup) any { return g.Closed }},
	{GigBoardLabel + "需求人数", 14, func(g *GigGroup) any { return g.Headcount }},
	{GigBoardLabel + glossary.OnTheJob[0] + "人数", 16, func(g *GigGroup) any { return g.Placed }},
	{GigBoardLabel + glossary.FillRate[0], 16, func(g *GigGroup) any { return g.FillRate }},
	{GigBoardLabel + "平均招满天数", 18, func(g *GigGroup) any {
		if g.MeanDaysToFill == nil {
			return nil
		}
		return *g.MeanDaysToFill
	}},
}

// Groups of the gig sheet's rows.
const (
	gigByOccupation = "按工种"
	gigByTownship   = "按苏木乡镇"
)

// gigs is the gig sheet (零工): the total, then by occupation (most gigs
// first) and by the place's 苏木乡镇 (by code), each with the month's
// figures and the board's as it stands.
func (b *workbook) gigs() *sheet {
	header := []string{"分组", "代码", "名称"}
	widths := []float64{12, 12, 16}
	for _, c := range gigColumns {
		header, widths = append(header, c.header), append(widths, c.width)
	}
	return &sheet{
		name: SheetGigs, title: SheetTitles[SheetGigs],
		header: header, widths: widths,
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			row := make([]any, 0, len(header))
			emit := func(group, code, name string, g *GigGroup) error {
				row = append(row[:0], group, code, name)
				for _, c := range gigColumns {
					row = append(row, c.value(g))
				}
				return yield(row)
			}
			total := GigGroup{GigTotals: fig.Gigs.GigTotals, Month: fig.Gigs.Month}
			if err := emit(TotalLabel, "", TotalLabel, &total); err != nil {
				return err
			}
			for i := range fig.Gigs.ByOccupation {
				g := &fig.Gigs.ByOccupation[i]
				if err := emit(gigByOccupation, "", areaLabel(g.Key, ""), g); err != nil {
					return err
				}
			}
			for i := range fig.Gigs.ByTownship {
				g := &fig.Gigs.ByTownship[i]
				if err := emit(gigByTownship, g.Key, areaLabel(g.Key, g.Name), g); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// gigSummaryRows are the summary sheet's gig rows: the month's figures
// (零工（本月）) and the board's as it stands (零工（截至目前）), named as
// the gig sheet's columns are.
func gigSummaryRows(g *GigFigures) [][]any {
	month, board := "零工（"+GigMonthLabel+"）", "零工（"+GigBoardLabel+"）"
	total := GigGroup{GigTotals: g.GigTotals, Month: g.Month}
	var rows [][]any
	for _, c := range gigColumns {
		v := c.value(&total)
		if v == nil {
			continue // no mean time to fill
		}
		cat, name := board, strings.TrimPrefix(c.header, GigBoardLabel)
		if n, ok := strings.CutPrefix(c.header, GigMonthLabel); ok {
			cat, name = month, n
		}
		rows = append(rows, []any{cat, name, v})
	}
	return rows
}
