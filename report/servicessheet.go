package report

import (
	"context"

	"fieldsync/glossary"
	"fieldsync/records"
)

// The services' sheets of the monthly report (培训, 创业扶持, 劳动维权, 返乡人员,
// 招聘活动, 岗位发布), each straight from Figures.Services, and their rows of
// the summary sheet. docs/REPORTS.md lists the columns. Rights cases are
// counts and sums only.

// Titles of the service figures the summary sheet and the dashboard share.
const (
	TitleTrained          = "本月培训人数"
	TitleCertificates     = "本月取得证书数"
	TitleStartupsNew      = "本月新增创业项目"
	TitleStartupJobs      = "创业项目带动就业人数"
	TitleLoansMonth       = "本月发放创业担保贷款（元）"
	TitleRightsOpened     = "本月受理劳动维权案件"
	TitleRightsRecovered  = "本月办结追回金额（元）"
	TitleReturnees        = "本月返乡人数"
	TitleReturneesAway    = "本月返乡·有意再次外出"
	TitleJobFairs         = "本月招聘会场次"
	TitleJobFairAgreed    = "本月招聘会达成意向人数"
	TitleJobsPosted       = "本月发布全职岗位"
	TitleGigsPosted       = "本月发布零工"
	TitleOlderPostsPosted = "本月发布适合大龄岗位"
)

// Rows of the grouped services sheets.
const (
	groupByKind      = "按类型"
	groupByReferral  = "按转办去向"
	groupByIntention = "按返乡后意向"
	groupByReason    = "按返乡原因"
	groupByPeople    = "按人员类别"
	groupByTownship  = "按苏木乡镇"
	groupCertKind    = "证书·按类型"
	groupCertLevel   = "证书·按等级"
	postingsOlder    = "其中适合大龄"
)

// trainingColumn is one count of the training sheet.
type trainingColumn struct {
	header string
	width  float64
	value  func(c *TrainingCounts) int
}

func trainingColumns() []trainingColumn {
	cols := []trainingColumn{{"培训人数", 10, func(c *TrainingCounts) int { return c.Trained }}}
	for _, k := range records.TrainingKinds {
		cols = append(cols, trainingColumn{"培训·" + k, 12, func(c *TrainingCounts) int { return bucketOf(c.ByKind, k) }})
	}
	for _, g := range ProgrammeGroups {
		cols = append(cols, trainingColumn{"培训·" + glossary.Display(g), 12, func(c *TrainingCounts) int { return bucketOf(c.ByGroup, g) }})
	}
	return append(cols,
		trainingColumn{"本月结业人数", 13, func(c *TrainingCounts) int { return c.Completed }},
		trainingColumn{"本月取得证书数", 14, func(c *TrainingCounts) int { return c.Certificates }})
}

// trainingSheet is the 培训 sheet: a row per 苏木乡镇 of the people's
// residence (code order, 未填 for none), then the total.
func (b *workbook) trainingSheet() *sheet {
	cols := trainingColumns()
	header, widths := []string{"苏木乡镇代码", "苏木乡镇"}, []float64{12, 14}
	for _, c := range cols {
		header, widths = append(header, c.header), append(widths, c.width)
	}
	return &sheet{
		name: SheetTraining, title: SheetTitles[SheetTraining], header: header, widths: widths,
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			row := make([]any, 0, len(header))
			emit := func(code, name string, c *TrainingCounts) error {
				row = append(row[:0], code, name)
				for _, col := range cols {
					row = append(row, col.value(c))
				}
				return yield(row)
			}
			t := &fig.Services.Training
			for i := range t.ByTownship {
				a := &t.ByTownship[i]
				if err := emit(a.Code, areaLabel(a.Code, a.Name), &a.TrainingCounts); err != nil {
					return err
				}
			}
			return emit("", TotalLabel, &t.TrainingCounts)
		},
	}
}

// startupSheet is the 创业扶持 sheet: the support given in the month by
// kind (rows, people, amount), then the total of rows and amounts.
func (b *workbook) startupSheet() *sheet {
	return &sheet{
		name: SheetStartups, title: SheetTitles[SheetStartups],
		header: []string{"扶持类型", "本月笔数", "本月人数", "本月金额（元）"},
		widths: []float64{18, 10, 10, 16},
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			var n int
			var amount float64
			for _, r := range fig.Services.Startups.Support {
				n += r.Count
				amount += r.Amount
				if err := yield([]any{r.Kind, r.Count, r.People, r.Amount}); err != nil {
					return err
				}
			}
			return yield([]any{TotalLabel, n, "", amount})
		},
	}
}

// bucketGroup is one group of rows of a grouped sheet.
type bucketGroup struct {
	group   string
	buckets []Bucket
}

// groupedRows yields the rows of a grouped sheet: group, name, count.
func groupedRows(yield func([]any) error, groups ...bucketGroup) error {
	for _, g := range groups {
		for _, k := range g.buckets {
			name := k.Key
			if g.group == groupByPeople {
				name = glossary.Display(name)
			}
			if err := yield([]any{g.group, name, k.Count}); err != nil {
				return err
			}
		}
	}
	return nil
}

// rightsSheet is the 劳动维权 sheet: the cases received in the month, in
// all, by kind and by referral. Counts only.
func (b *workbook) rightsSheet() *sheet {
	return &sheet{
		name: SheetRights, title: SheetTitles[SheetRights],
		header: []string{"分组", "名称", "本月受理件数"},
		widths: []float64{14, 16, 14},
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			r := &fig.Services.Rights
			if err := yield([]any{TotalLabel, TotalLabel, r.Opened}); err != nil {
				return err
			}
			return groupedRows(yield, bucketGroup{groupByKind, r.OpenedByKind}, bucketGroup{groupByReferral, r.OpenedByReferral})
		},
	}
}

// returnsSheet is the 返乡人员 sheet: the returnees of the month, in all, by
// intention, by reason, by group and by 苏木乡镇.
func (b *workbook) returnsSheet() *sheet {
	return &sheet{
		name: SheetReturns, title: SheetTitles[SheetReturns],
		header: []string{"分组", "代码", "名称", "本月返乡人数"},
		widths: []float64{14, 12, 18, 14},
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			r := &fig.Services.Returns
			if err := yield([]any{TotalLabel, "", TotalLabel, r.People}); err != nil {
				return err
			}
			err = groupedRows(func(row []any) error { return yield([]any{row[0], "", row[1], row[2]}) },
				bucketGroup{groupByIntention, r.ByIntention}, bucketGroup{groupByReason, r.ByReason},
				bucketGroup{groupByPeople, r.ByGroup})
			if err != nil {
				return err
			}
			for _, k := range r.ByTownship {
				if err := yield([]any{groupByTownship, k.Key, areaLabel(k.Key, b.names.name(k.Key)), k.Count}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// jobFairSheet is the 招聘活动 sheet: the fairs held in the month by kind,
// then the total.
func (b *workbook) jobFairSheet() *sheet {
	return &sheet{
		name: SheetJobFairs, title: SheetTitles[SheetJobFairs],
		header: []string{"招聘会类型", "场次", "参会企业数", "提供岗位数", "入场求职人数", "达成意向人数"},
		widths: []float64{16, 8, 12, 12, 14, 14},
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			j := &fig.Services.JobFairs
			for _, r := range append(j.ByKind, JobFairRow{Kind: TotalLabel, Fairs: j.Fairs, Employers: j.Employers,
				Offered: j.Offered, Attendees: j.Attendees, Agreements: j.Agreements}) {
				if err := yield([]any{r.Kind, r.Fairs, r.Employers, r.Offered, r.Attendees, r.Agreements}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// postingSheet is the 岗位发布 sheet: the postings by kind (零工, 全职), their
// total, and of them those suiting older workers.
func (b *workbook) postingSheet() *sheet {
	return &sheet{
		name: SheetPostings, title: SheetTitles[SheetPostings],
		header: []string{"岗位类型", "本月发布", "本月发布招聘人数", "本月上岗人数", "在招（现状）", "已招满（现状）"},
		widths: []float64{14, 10, 16, 13, 13, 14},
		rows: func(ctx context.Context, yield func([]any) error) error {
			fig, err := b.figures(ctx)
			if err != nil {
				return err
			}
			p := &fig.Services.Postings
			var total PostingRow
			emit := func(kind string, r PostingRow) error {
				return yield([]any{kind, r.Posted, r.PostedHeadcount, r.Placed, r.Open, r.Filled})
			}
			for _, r := range p.ByKind {
				total = PostingRow{Posted: total.Posted + r.Posted, PostedHeadcount: total.PostedHeadcount + r.PostedHeadcount,
					Placed: total.Placed + r.Placed, Open: total.Open + r.Open, Filled: total.Filled + r.Filled}
				if err := emit(r.Kind, r); err != nil {
					return err
				}
			}
			if err := emit(TotalLabel, total); err != nil {
				return err
			}
			return emit(postingsOlder, p.SuitsOlder)
		},
	}
}

// serviceSummaryRows are the summary sheet's rows of the services.
func serviceSummaryRows(s *ServiceFigures) [][]any {
	const training, startups, rights, returns, fairs, postings = "职业技能培训", "返乡入乡创业", "劳动权益维护", "返乡人员",
		"招聘活动", "岗位发布"
	t := &s.Training
	rows := [][]any{{training, "本月开班课程", t.Courses}, {training, "本月培训人数", t.Trained}}
	for _, k := range t.ByKind {
		rows = append(rows, []any{training, "培训·" + k.Key, k.Count})
	}
	for _, g := range t.ByGroup {
		rows = append(rows, []any{training, "培训·" + glossary.Display(g.Key), g.Count})
	}
	rows = append(rows, []any{training, "本月结业人数", t.Completed}, []any{training, "本月取得证书数", t.Certificates})
	for _, k := range t.CertificatesByKind {
		rows = append(rows, []any{training, "证书·" + k.Key, k.Count})
	}
	for _, k := range t.CertificatesByLevel {
		rows = append(rows, []any{training, "证书等级·" + k.Key, k.Count})
	}
	rows = append(rows, []any{training, "本月发放培训补贴人数", t.SubsidyPeople}, []any{training, "本月发放培训补贴（元）", t.SubsidyPaid})
	st := &s.Startups
	rows = append(rows,
		[]any{startups, "创业项目数（现状）", st.Startups},
		[]any{startups, "创业人数（现状）", st.People},
		[]any{startups, "带动就业人数（现状）", st.JobsCreated},
		[]any{startups, "入驻创业园或孵化基地", st.InIncubator},
		[]any{startups, "本月新增创业项目", st.New},
		[]any{startups, "本月新增项目带动就业人数", st.NewJobsCreated})
	for _, r := range st.Support {
		rows = append(rows, []any{startups, "本月" + r.Kind + "·笔数", r.Count}, []any{startups, "本月" + r.Kind + "·金额（元）", r.Amount})
	}
	rows = append(rows,
		[]any{startups, "在贷创业担保贷款笔数", st.LoansActive},
		[]any{startups, "在贷创业担保贷款金额（元）", st.LoansActiveAmount})
	r := &s.Rights
	rows = append(rows,
		[]any{rights, "本月受理案件", r.Opened},
		[]any{rights, "本月受理涉及人数", r.OpenedPeople},
		[]any{rights, "本月受理涉及金额（元）", r.AmountClaimed},
		[]any{rights, "本月办结案件", r.Closed},
		[]any{rights, "本月办结追回金额（元）", r.Recovered},
		[]any{rights, "月末未办结案件", r.Open})
	rt := &s.Returns
	rows = append(rows, []any{returns, "本月返乡人数", rt.People})
	for _, k := range rt.ByIntention {
		rows = append(rows, []any{returns, "意向·" + k.Key, k.Count})
	}
	rows = append(rows, []any{returns, "本年累计返乡人数", rt.Year})
	j := &s.JobFairs
	rows = append(rows,
		[]any{fairs, "本月招聘会场次", j.Fairs},
		[]any{fairs, "参会企业数", j.Employers},
		[]any{fairs, "提供岗位数", j.Offered},
		[]any{fairs, "入场求职人数", j.Attendees},
		[]any{fairs, "达成意向人数", j.Agreements},
		[]any{fairs, "在招聘会发布的零工和岗位", j.Postings})
	for _, p := range s.Postings.ByKind {
		rows = append(rows, []any{postings, "本月发布" + p.Kind, p.Posted}, []any{postings, "本月" + p.Kind + "上岗人数", p.Placed})
	}
	rows = append(rows, []any{postings, "本月发布适合大龄岗位", s.Postings.SuitsOlder.Posted},
		[]any{postings, "在招适合大龄岗位（现状）", s.Postings.SuitsOlder.Open})
	return rows
}
