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

// genBulkServices adds to a county genBulk wrote the services to people in
// realistic shares of its workers: 200 courses over the months, 3% of the
// workers enrolled (70% completed, half of them with a certificate, a
// subsidy paid to most who completed); 20 experts; 0.5% with a start-up,
// each with support (40% a guaranteed loan, 50% a one-off subsidy, 60% an
// expert's guidance, 10% premises); 0.2% with a labour-rights case (60%
// closed, most with an amount recovered); 5% returns; 20 job fairs over the
// months. Of the gigs genBulk wrote, 10% become regular jobs (全职, paid and
// settled by the month), 15% suit older workers and 5% name a job fair.
func genBulkServices(ctx context.Context, r *replica.Replica, cfg bulkConfig, logf func(string, ...any)) error {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 37))
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
		return fmt.Errorf("services: the county has no workers with a village")
	}
	var gigs []ident.ID
	grows, err := r.DB().QueryContext(ctx, `SELECT id FROM gigs ORDER BY id`)
	if err != nil {
		return err
	}
	for grows.Next() {
		var raw []byte
		if err := grows.Scan(&raw); err != nil {
			grows.Close()
			return err
		}
		var id ident.ID
		copy(id[:], raw)
		gigs = append(gigs, id)
	}
	grows.Close()
	if err := grows.Err(); err != nil {
		return err
	}
	first, _ := time.Parse("2006-01", cfg.Months[0])
	last, _ := time.Parse("2006-01", cfg.Months[len(cfg.Months)-1])
	days := int(last.AddDate(0, 1, 0).Sub(first).Hours() / 24)
	dayAt := func(n int) time.Time { return first.AddDate(0, 0, n) }
	date := func(t time.Time) string { return t.Format(records.DateLayout) }
	worker := func() string { return ids[rng.IntN(len(ids))] }
	money := func(v float64) *float64 { return &v }
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

	type course struct {
		id  string
		end time.Time
	}
	courses := make([]course, 200)
	for i := range courses {
		s := dayAt(rng.IntN(days - 10))
		t := records.Training{Course: fmt.Sprintf("培训班%d", i), Kind: records.TrainingKinds[rng.IntN(len(records.TrainingKinds))],
			Skill: "电工", Provider: "县职业培训学校", StartOn: date(s), EndOn: date(s.AddDate(0, 0, 7)),
			Place: villages[rng.IntN(len(villages))][:9], Subsidy: money(800)}
		id, err := add(records.Trainings, t.Columns())
		if err != nil {
			return err
		}
		courses[i] = course{id.String(), s.AddDate(0, 0, 7)}
	}
	for i := range share(0.03) {
		c := courses[rng.IntN(len(courses))]
		e := records.TrainingEnrolment{WorkerID: worker(), TrainingID: c.id}
		if rng.IntN(10) < 7 {
			e.Completed, e.CompletedOn = true, date(c.end)
			if rng.IntN(2) == 0 {
				e.CertificateKind = records.CertificateKinds[rng.IntN(len(records.CertificateKinds))]
				e.CertificateNo = fmt.Sprintf("Z%08d", i)
				if e.CertificateKind == records.CertificateSkillLevel {
					e.CertificateLevel = records.CertificateLevels[rng.IntN(3)]
				}
			}
			if rng.IntN(10) < 8 {
				e.SubsidyPaid, e.PaidOn = money(800), date(c.end.AddDate(0, 0, 20))
			}
		}
		if _, err := add(records.TrainingEnrolments, e.Columns()); err != nil {
			return err
		}
	}
	experts := make([]string, 20)
	for i := range experts {
		x := records.Expert{Name: fmt.Sprintf("专家%d", i), Field: records.ExpertFields[rng.IntN(len(records.ExpertFields))],
			Organisation: "县创业指导中心"}
		id, err := add(records.Experts, x.Columns())
		if err != nil {
			return err
		}
		experts[i] = id.String()
	}
	for range share(0.005) {
		s := dayAt(rng.IntN(days))
		st := records.Startup{WorkerID: worker(), Business: "养殖场", Sector: "农牧业", StartedOn: date(s),
			Place: villages[rng.IntN(len(villages))], JobsCreated: int64(rng.IntN(8))}
		if rng.IntN(5) == 0 {
			st.Incubator = "县返乡入乡创业园"
		}
		sid, err := add(records.Startups, st.Columns())
		if err != nil {
			return err
		}
		support := func(kind string, edit func(*records.Support)) error {
			sp := records.Support{WorkerID: st.WorkerID, StartupID: sid.String(), Kind: kind,
				StartOn: date(s.AddDate(0, 0, rng.IntN(30)))}
			edit(&sp)
			_, err := add(records.StartupSupport, sp.Columns())
			return err
		}
		if rng.IntN(10) < 4 {
			if err := support(records.SupportLoan, func(sp *records.Support) {
				sp.Amount, sp.Lender = money(float64(10+rng.IntN(21))*10000), "县农商银行"
				on, _ := time.Parse(records.DateLayout, sp.StartOn)
				sp.EndOn = date(on.AddDate(2, 0, 0))
			}); err != nil {
				return err
			}
		}
		if rng.IntN(2) == 0 {
			if err := support(records.SupportSubsidy, func(sp *records.Support) { sp.Amount = money(5000) }); err != nil {
				return err
			}
		}
		if rng.IntN(10) < 6 {
			if err := support(records.SupportExpert, func(sp *records.Support) {
				sp.ExpertID, sp.Advice = experts[rng.IntN(len(experts))], "开业指导"
			}); err != nil {
				return err
			}
		}
		if rng.IntN(10) == 0 {
			if err := support("场地", func(*records.Support) {}); err != nil {
				return err
			}
		}
	}
	for range share(0.002) {
		s := dayAt(rng.IntN(days))
		c := records.RightsCase{WorkerID: worker(), Kind: records.RightsKinds[rng.IntN(len(records.RightsKinds))],
			Employer: fmt.Sprintf("用工单位%d", rng.IntN(50)), AmountClaimed: money(float64(1+rng.IntN(50)) * 1000),
			ReceivedOn: date(s), Referral: records.RightsReferrals[rng.IntN(len(records.RightsReferrals))],
			Status: records.RightsStatuses[rng.IntN(2)]}
		if rng.IntN(10) < 6 {
			c.Status, c.ClosedOn, c.Outcome = records.RightsClosed, date(s.AddDate(0, 0, 5+rng.IntN(60))), "调解结案"
			if rng.IntN(10) < 8 {
				c.AmountRecovered = money(*c.AmountClaimed * 0.8)
			}
		}
		if _, err := add(records.RightsCases, c.Columns()); err != nil {
			return err
		}
	}
	for range share(0.05) {
		rt := records.Return{WorkerID: worker(), ReturnedOn: date(dayAt(rng.IntN(days))), FromPlace: "呼和浩特市",
			Reason:    records.ReturnReasons[rng.IntN(len(records.ReturnReasons))],
			Intention: records.ReturnIntentions[rng.IntN(len(records.ReturnIntentions))]}
		if _, err := add(records.Returns, rt.Columns()); err != nil {
			return err
		}
	}
	fairs := make([]string, 20)
	for i := range fairs {
		f := records.JobFair{Title: fmt.Sprintf("招聘会%d", i), Kind: records.JobFairKinds[rng.IntN(len(records.JobFairKinds))],
			HeldOn: date(dayAt(rng.IntN(days))), Place: "县人力资源市场", Organiser: "县人社局",
			Employers: int64(10 + rng.IntN(40)), Postings: int64(100 + rng.IntN(400)), Attendees: int64(200 + rng.IntN(800))}
		f.Agreements = int64(rng.IntN(int(f.Attendees) / 4))
		id, err := add(records.JobFairs, f.Columns())
		if err != nil {
			return err
		}
		fairs[i] = id.String()
	}
	for _, g := range gigs {
		var set []replica.ColumnValue
		if rng.IntN(10) == 0 {
			set = append(set, replica.ColumnValue{Column: "kind", Value: records.GigKindJob},
				replica.ColumnValue{Column: "wage", Value: float64(3000 + rng.IntN(30)*100)},
				replica.ColumnValue{Column: "wage_unit", Value: records.MonthlyWageUnit},
				replica.ColumnValue{Column: "settlement", Value: records.MonthlySettlement})
		}
		if rng.IntN(100) < 15 {
			set = append(set, replica.ColumnValue{Column: "suits_older", Value: true})
		}
		if rng.IntN(20) == 0 {
			set = append(set, replica.ColumnValue{Column: "job_fair_id", Value: fairs[rng.IntN(len(fairs))]})
		}
		if len(set) > 0 {
			if err := b.add(replica.Edit{Table: records.Gigs, Row: g, Set: set}); err != nil {
				return err
			}
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	logf("services: %d rows, %s", b.n, time.Since(start))
	return nil
}
