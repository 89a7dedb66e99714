package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// genBulkProgrammes adds to a county genBulk wrote the placement
// programmes in realistic shares of its workers: 2% in welfare posts (400
// posts of 10; contracts of up to a year starting over the months, 10%
// exited early, an assessment of the last month for 80% of them), 1% in
// workshops (100 workshops; jobs from a day of the months, a third ended),
// 0.5% shared, 1% on work-relief projects (50 projects; pay on a day of the
// months) and 2% sent out (200 batches over the months, 20 partner regions).
// A worker is drawn at random for each row, so a few hold two.
func genBulkProgrammes(ctx context.Context, r *replica.Replica, cfg bulkConfig, logf func(string, ...any)) error {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 27))
	b := &batcher{ctx: ctx, r: r, limit: 1000}
	start := time.Now()
	var ids, villages []string
	rows, err := r.DB().QueryContext(ctx, `SELECT lower(hex(id)), coalesce(residence_village, '') FROM workers ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
		if len(v) == 12 {
			villages = append(villages, v)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(ids) == 0 || len(villages) == 0 {
		return fmt.Errorf("programmes: the county has no workers with a village")
	}
	first, _ := time.Parse("2006-01", cfg.Months[0])
	last, _ := time.Parse("2006-01", cfg.Months[len(cfg.Months)-1])
	days := int(last.AddDate(0, 1, 0).Sub(first).Hours() / 24)
	dayAt := func(n int) time.Time { return first.AddDate(0, 0, n) }
	date := func(t time.Time) string { return t.Format(records.DateLayout) }
	worker := func() string { return ids[rng.IntN(len(ids))] }
	n := 0
	add := func(table string, cols []replica.ColumnValue) (ident.ID, error) {
		n++
		id, err := ident.NewTimeOrdered(first.Add(time.Duration(n) * time.Millisecond))
		if err != nil {
			return id, err
		}
		return id, b.add(replica.Edit{Table: table, Row: id, Set: cols})
	}
	share := func(s float64) int { return int(float64(len(ids)) * s) }

	posts := make([]string, 400)
	for i := range posts {
		p := records.WelfarePost{Name: fmt.Sprintf("公益岗%d", i), Village: villages[rng.IntN(len(villages))],
			Kind: records.WelfarePostKinds[rng.IntN(len(records.WelfarePostKinds))], Headcount: 10, Subsidy: 800,
			Employer: "镇政府"}
		id, err := add(records.WelfarePosts, p.Columns())
		if err != nil {
			return err
		}
		posts[i] = id.String()
	}
	lastMonth := cfg.Months[len(cfg.Months)-1]
	for range share(0.02) {
		s := dayAt(rng.IntN(days))
		e := s.AddDate(1, 0, -1)
		pl := records.WelfarePlacement{WorkerID: worker(), PostID: posts[rng.IntN(len(posts))],
			ContractKind: records.ContractKinds[rng.IntN(2)], ContractStart: date(s), ContractEnd: date(e),
			InsuranceKind: records.InsuranceKinds[rng.IntN(2)], InsuranceStart: date(s), InsuranceEnd: date(e),
			PartTime: rng.IntN(3) == 0}
		if rng.IntN(10) == 0 {
			pl.ExitOn = date(s.AddDate(0, 0, 1+rng.IntN(300)))
			pl.ExitReason = records.WelfareExitReasons[rng.IntN(len(records.WelfareExitReasons))]
		}
		id, err := add(records.WelfarePlacements, pl.Columns())
		if err != nil {
			return err
		}
		if rng.IntN(10) < 8 {
			a := records.WelfareAssessment{WorkerID: pl.WorkerID, PlacementID: id.String(), Month: lastMonth,
				Result: records.AssessmentResults[rng.IntN(len(records.AssessmentResults))]}
			if _, err := add(records.WelfareAssessments, a.Columns()); err != nil {
				return err
			}
		}
	}
	shops := make([]string, 100)
	for i := range shops {
		w := records.Workshop{Name: fmt.Sprintf("帮扶车间%d", i), Village: villages[rng.IntN(len(villages))]}
		id, err := add(records.Workshops, w.Columns())
		if err != nil {
			return err
		}
		shops[i] = id.String()
	}
	for range share(0.01) {
		s := dayAt(rng.IntN(days))
		j := records.WorkshopJob{WorkerID: worker(), WorkshopID: shops[rng.IntN(len(shops))], StartOn: date(s)}
		if rng.IntN(3) == 0 {
			j.EndOn = date(s.AddDate(0, 0, rng.IntN(200)))
		}
		if _, err := add(records.WorkshopJobs, j.Columns()); err != nil {
			return err
		}
	}
	for range share(0.005) {
		s := dayAt(rng.IntN(days))
		e := records.SharedJob{WorkerID: worker(), OriginalEmployer: "原单位", ContractEnd: date(s.AddDate(2, 0, 0)),
			HostEmployer: fmt.Sprintf("缺工企业%d", rng.IntN(30)), StartOn: date(s), EndOn: date(s.AddDate(0, 0, 30+rng.IntN(150)))}
		if _, err := add(records.SharedEmployment, e.Columns()); err != nil {
			return err
		}
	}
	projects := make([]string, 50)
	for i := range projects {
		p := records.WorkReliefProject{Name: fmt.Sprintf("以工代赈项目%d", i), Place: villages[rng.IntN(len(villages))][:6],
			StartOn: date(first)}
		id, err := add(records.WorkReliefProjects, p.Columns())
		if err != nil {
			return err
		}
		projects[i] = id.String()
	}
	for range share(0.01) {
		s := dayAt(rng.IntN(days))
		j := records.WorkReliefJob{WorkerID: worker(), ProjectID: projects[rng.IntN(len(projects))], StartOn: date(s),
			EndOn: date(s.AddDate(0, 0, 20+rng.IntN(60))), Pay: float64(1000 + rng.IntN(40)*100),
			PaidOn: date(s.AddDate(0, 0, 20))}
		if _, err := add(records.WorkReliefJobs, j.Columns()); err != nil {
			return err
		}
	}
	regions := make([]string, 20)
	for i := range regions {
		p := records.PartnerRegion{Name: fmt.Sprintf("协作地区%d", i), Kind: records.PartnerKinds[rng.IntN(len(records.PartnerKinds))]}
		id, err := add(records.PartnerRegions, p.Columns())
		if err != nil {
			return err
		}
		regions[i] = id.String()
	}
	batches := make([]string, 200)
	for i := range batches {
		bt := records.ExportBatch{SentOn: date(dayAt(rng.IntN(days))), Destination: fmt.Sprintf("输出地%d", rng.IntN(15)),
			Employer: "用工企业"}
		if rng.IntN(4) > 0 {
			bt.PartnerRegionID = regions[rng.IntN(len(regions))]
		}
		id, err := add(records.ExportBatches, bt.Columns())
		if err != nil {
			return err
		}
		batches[i] = id.String()
	}
	for range share(0.02) {
		m := records.ExportMember{WorkerID: worker(), BatchID: batches[rng.IntN(len(batches))]}
		if _, err := add(records.ExportMembers, m.Columns()); err != nil {
			return err
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	logf("programmes: %d rows, %s", b.n, time.Since(start))
	return nil
}
