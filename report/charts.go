package report

import (
	"slices"

	"fieldsync/glossary"
	"fieldsync/records"
)

// maxBars bounds the labels of a chart drawn from a long breakdown; the
// table beneath a chart (Figures) still has every row.
const maxBars = 15

// Charts are the dashboard's charts of f, in page order. Each is drawn by
// ChartSVG and has its data in Table(), from the same figures.
func Charts(f *Figures) []Chart {
	lists := []string{records.ListEmployed, records.ListUnemployed, records.ListWillingAway}
	var out []Chart

	towns := Chart{ID: "lists_by_township", Title: glossary.ThreeLists[0] + "人数（按苏木乡镇）", Unit: "人"}
	for _, l := range lists {
		towns.Series = append(towns.Series, Series{Name: l})
	}
	for _, t := range f.Lists.Townships {
		towns.Labels = append(towns.Labels, areaLabel(t.Code, t.Name))
		for i, l := range lists {
			towns.Series[i].Values = append(towns.Series[i].Values, float64(t.Count.Get(l)))
		}
	}
	out = append(out, towns)

	change := Chart{ID: "lists_change", Title: glossary.ThreeLists[0] + "较上月", Unit: "人", Labels: lists,
		Series: []Series{{Name: f.PrevMonth}, {Name: f.Month}}}
	for _, l := range lists {
		change.Series[0].Values = append(change.Series[0].Values, float64(f.Lists.Prev.Get(l)))
		change.Series[1].Values = append(change.Series[1].Values, float64(f.Lists.Count.Get(l)))
	}
	out = append(out, change)

	status := Chart{ID: "assistance_status", Title: "脱贫人口和监测对象本月状态", Unit: "人",
		Labels: append(append([]string{}, lists...), "本月未更新")}
	scope := Chart{ID: "assistance_scope", Title: "就业的脱贫人口和监测对象：务工地域", Unit: "人"}
	form := Chart{ID: "assistance_form", Title: "就业的脱贫人口和监测对象：就业形式", Unit: "人"}
	income := Chart{ID: "assistance_income", Title: "就业的脱贫人口和监测对象：月收入（元）", Unit: "人"}
	for _, g := range f.Assistance {
		s := Series{Name: g.Group}
		for _, l := range lists {
			s.Values = append(s.Values, float64(g.Lists.Get(l)))
		}
		s.Values = append(s.Values, float64(g.NoStatus))
		status.Series = append(status.Series, s)
		addBuckets(&scope, g.Group, g.ByScope)
		addBuckets(&form, g.Group, g.ByForm)
		addBuckets(&income, g.Group, g.ByIncome)
	}
	out = append(out, status, scope, form, income)

	gaps := Chart{ID: "ledger_gaps", Title: "帮扶台账：未帮扶人数（按嘎查村）", Unit: "人",
		Series: []Series{{Name: "本月未帮扶"}, {Name: "六个月未帮扶"}}}
	for _, v := range f.Ledger.ByVillage {
		gaps.Labels = append(gaps.Labels, areaLabel(v.Code, v.Name))
		gaps.Series[0].Values = append(gaps.Series[0].Values, float64(v.NoneThisMonth))
		gaps.Series[1].Values = append(gaps.Series[1].Values, float64(v.NoneSixMonths))
	}
	out = append(out, gaps)

	older := Chart{ID: "older", Title: "大龄劳动力本月状态", Unit: "人",
		Labels: append(append([]string{}, lists...), "本月未更新"), Series: []Series{{Name: "大龄劳动力"}}}
	for _, l := range lists {
		older.Series[0].Values = append(older.Series[0].Values, float64(f.Older.Lists.Get(l)))
	}
	older.Series[0].Values = append(older.Series[0].Values, float64(f.Older.NoStatus))
	out = append(out, older)

	month := Chart{ID: "gigs_month_by_township", Title: "零工（" + GigMonthLabel + "）：发布、招满与上岗（按苏木乡镇）", Unit: "个/人次",
		Series: []Series{{Name: "发布岗位数"}, {Name: "招满岗位数"}, {Name: "到期未招满岗位数"}, {Name: "上岗人次"}}}
	for i, g := range f.Gigs.ByTownship {
		if i == maxBars {
			break
		}
		month.Labels = append(month.Labels, areaLabel(g.Key, g.Name))
		for k, v := range []int{g.Month.Posted, g.Month.Filled, g.Month.Expired, g.Month.Placed} {
			month.Series[k].Values = append(month.Series[k].Values, float64(v))
		}
	}
	out = append(out, month)

	gigs := Chart{ID: "gigs_by_occupation", Title: "零工（" + GigBoardLabel + "）：需求与上岗（按工种）", Unit: "人",
		Series: []Series{{Name: "需求人数"}, {Name: glossary.OnTheJob[0]}}}
	for i, g := range f.Gigs.ByOccupation {
		if i == maxBars {
			break
		}
		gigs.Labels = append(gigs.Labels, areaLabel(g.Key, g.Name))
		gigs.Series[0].Values = append(gigs.Series[0].Values, float64(g.Headcount))
		gigs.Series[1].Values = append(gigs.Series[1].Values, float64(g.Placed))
	}
	out = append(out, gigs)

	// Charts with nothing to draw are left out.
	kept := out[:0]
	for _, c := range out {
		if len(c.Labels) > 0 && len(c.Series) > 0 {
			kept = append(kept, c)
		}
	}
	return kept
}

func addBuckets(c *Chart, name string, bs []Bucket) {
	for _, b := range bs {
		if l := glossary.Display(b.Key); !slices.Contains(c.Labels, l) {
			c.Labels = append(c.Labels, l)
		}
	}
	s := Series{Name: name}
	for _, l := range c.Labels {
		v := 0.0
		for _, b := range bs {
			if glossary.Display(b.Key) == l {
				v = float64(b.Count)
			}
		}
		s.Values = append(s.Values, v)
	}
	c.Series = append(c.Series, s)
}

func areaLabel(code, name string) string {
	switch {
	case name != "":
		return name
	case code == "":
		return NotRecorded
	}
	return code
}
