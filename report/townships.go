package report

import "context"

// areaColumn is one count of a VillageRow as the village and township sheets
// show it: a township's value is the sum of its villages', the total row's
// the sum of all. A figure VillageRow gains becomes a column of both sheets
// by one line in areaColumns.
type areaColumn struct {
	header string
	width  float64
	value  func(v *VillageRow) int
}

// areaColumns are the counts of the village and township sheets, in order.
var areaColumns = []areaColumn{
	{"登记人数", 10, func(v *VillageRow) int { return v.Workers }},
	{GroupPoverty, 10, func(v *VillageRow) int { return v.Poverty }},
	{GroupMonitored, 16, func(v *VillageRow) int { return v.Monitored }},
	{"大龄", 8, func(v *VillageRow) int { return v.Older }},
	{"就业", 8, func(v *VillageRow) int { return v.Lists.Employed }},
	{"就业较上月", 11, func(v *VillageRow) int { return v.Change.Employed }},
	{"失业", 8, func(v *VillageRow) int { return v.Lists.Unemployed }},
	{"失业较上月", 11, func(v *VillageRow) int { return v.Change.Unemployed }},
	{"有意愿外出", 11, func(v *VillageRow) int { return v.Lists.WillingAway }},
	{"有意愿外出较上月", 16, func(v *VillageRow) int { return v.Change.WillingAway }},
	{"本月未帮扶", 11, func(v *VillageRow) int { return v.NoneThisMonth }},
	{"六个月未帮扶", 13, func(v *VillageRow) int { return v.NoneSixMonths }},
	// The month's flows, registrations, work away and data gaps
	// (monthfacts.go), titled as their drill-down figures.
	{"就业转失业", 11, func(v *VillageRow) int { return v.Flows.ToUnemployed }},
	{"失业转就业", 11, func(v *VillageRow) int { return v.Flows.ToEmployed }},
	{"新增有意愿外出", 14, func(v *VillageRow) int { return v.Flows.NewWillingAway }},
	{"返乡", 8, func(v *VillageRow) int { return v.Flows.Returned }},
	{"本月失业登记", 13, func(v *VillageRow) int { return v.Registrations.UnemploymentNew }},
	{"本月注销失业登记", 16, func(v *VillageRow) int { return v.Registrations.UnemploymentClosed }},
	{"月末失业登记在册", 16, func(v *VillageRow) int { return v.Registrations.UnemploymentOpen }},
	{"本月求职登记", 13, func(v *VillageRow) int { return v.Registrations.JobseekerNew }},
	{"外出务工", 10, func(v *VillageRow) int { return v.Away.Away }},
	{"区外务工", 10, func(v *VillageRow) int { return v.Away.OutsideRegion }},
	{"旗县内务工", 11, func(v *VillageRow) int { return v.Away.InCounty }},
	{"未登记电话", 11, func(v *VillageRow) int { return v.Quality.NoPhone }},
	{"本月状态未核实", 14, func(v *VillageRow) int { return v.Quality.Unverified }},
}

func areaHeaders() []string {
	out := make([]string, len(areaColumns))
	for i, c := range areaColumns {
		out[i] = c.header
	}
	return out
}

func areaWidths() []float64 {
	out := make([]float64, len(areaColumns))
	for i, c := range areaColumns {
		out[i] = c.width
	}
	return out
}

// TotalLabel names the row of a sheet that sums all the others.
const TotalLabel = "合计"

// townshipRow is one township of the township sheet: its villages' sums.
type townshipRow struct {
	code     string
	villages int
	sums     []int // by areaColumns
}

// townshipRows sums the village rows (ordered by code, so each township's
// villages are adjacent) by township, in code order, and all of them.
func townshipRows(villages []VillageRow) (towns []townshipRow, total townshipRow) {
	total = townshipRow{sums: make([]int, len(areaColumns))}
	for i := range villages {
		v := &villages[i]
		if len(towns) == 0 || towns[len(towns)-1].code != v.Township {
			towns = append(towns, townshipRow{code: v.Township, sums: make([]int, len(areaColumns))})
		}
		t := &towns[len(towns)-1]
		t.villages++
		total.villages++
		for k, c := range areaColumns {
			n := c.value(v)
			t.sums[k] += n
			total.sums[k] += n
		}
	}
	return towns, total
}

// townships is the totals by 苏木乡镇 (the first 9 digits of the residence
// village; 未填 for people without one), each the sum of its village rows,
// then the total of all.
func (b *workbook) townships() *sheet {
	header := []string{"苏木乡镇代码", "苏木乡镇", "嘎查村数"}
	widths := []float64{12, 14, 9}
	return &sheet{
		name: SheetTownships, title: SheetTitles[SheetTownships],
		header: append(header, areaHeaders()...), widths: append(widths, areaWidths()...),
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			towns, total := townshipRows(fig.Villages)
			row := make([]any, 0, len(header)+len(areaColumns))
			emit := func(code, name string, t *townshipRow) error {
				row = append(row[:0], code, name, t.villages)
				for _, n := range t.sums {
					row = append(row, n)
				}
				return yield(row)
			}
			for i := range towns {
				t := &towns[i]
				name := b.names.name(t.code)
				if t.code == "" {
					name = NotRecorded
				}
				if err := emit(t.code, name, t); err != nil {
					return err
				}
			}
			return emit("", TotalLabel, &total)
		},
	}
}
