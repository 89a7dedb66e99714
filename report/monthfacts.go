package report

import (
	"context"
	"fmt"
	"sort"

	"fieldsync/records"
)

// The month's flows, registrations, work away and data gaps (FlowFigures,
// RegistrationFigures, AwayFigures, QualityFigures). The queries (monthSQL)
// and Live read, for each worker, the same few facts (workerMonth); one
// function (monthRow.add) counts them, so both ways agree by construction
// of the rules and only the reading differs.

// monthStatus is what the month's figures know of a status statusOf picks.
type monthStatus struct {
	set        bool
	list       string // the list it counts under (records.StatusList): 就业, 失业 or ""
	willing    bool   // on 有意愿外出 (records.StatusList)
	scope      string // work_scope
	unverified bool   // verified_at, verified_by_method or verified_by NULL or empty
}

// workerMonth is one worker's facts of the month.
type workerMonth struct {
	cur, prev monthStatus
	noPhone   bool
	// An unemployment registration registered, deregistered in the
	// month, open at its end; a job-seeking registration registered in it.
	uNew, uClosed, uOpen, jNew bool
}

// monthRow counts one village's month figures.
type monthRow struct {
	village string
	flows   FlowFigures
	regs    RegistrationFigures
	quality QualityFigures
}

// The work scopes (records.WorkScopes, in order) besides records.ScopeAway.
var (
	scopeVillage   = records.WorkScopes[0]
	scopeInCounty  = records.WorkScopes[1]
	scopeOutCounty = records.WorkScopes[2]
)

// outsideCounty reports whether a work scope is outside the county: 县外区内
// or 区外.
func outsideCounty(scope string) bool {
	return scope == scopeOutCounty || scope == records.ScopeAway
}

// add counts n workers with the facts x.
func (r *monthRow) add(x *workerMonth, n int) {
	cl, cw, pl, pw := x.cur.list, x.cur.willing, x.prev.list, x.prev.willing
	if !x.prev.set {
		pl, pw = "", false
	}
	if x.cur.set {
		if x.prev.set {
			if pl == records.ListEmployed && cl == records.ListUnemployed {
				r.flows.ToUnemployed += n
			}
			if pl == records.ListUnemployed && cl == records.ListEmployed {
				r.flows.ToEmployed += n
			}
			if pl == records.ListEmployed && outsideCounty(x.prev.scope) &&
				!(cl == records.ListEmployed && outsideCounty(x.cur.scope)) {
				r.flows.Returned += n
			}
		}
		if cw && !pw {
			r.flows.NewWillingAway += n
		}
		if x.cur.unverified {
			r.quality.Unverified += n
		}
	}
	if x.noPhone {
		r.quality.NoPhone += n
	}
	if x.uNew {
		r.regs.UnemploymentNew += n
	}
	if x.uClosed {
		r.regs.UnemploymentClosed += n
	}
	if x.uOpen {
		r.regs.UnemploymentOpen += n
	}
	if x.jNew {
		r.regs.JobseekerNew += n
	}
}

// unverifiedExpr is a status row's "not verified" (QualityFigures), over
// the columns of monthly_status.
const unverifiedExpr = `(coalesce(verified_at, '') = '' OR coalesce(verified_by_method, '') = '' OR coalesce(verified_by, '') = '')`

// monthStatusOf is statusOf with the columns the month's figures read.
func monthStatusOf(param string) string {
	return `SELECT worker_id, list_type, work_scope, willing_away, ` + unverifiedExpr + ` AS unverified,
	max(coalesce(verified_at, '') || char(1) || hex(id)) AS latest
	FROM monthly_status WHERE month = :` + param + ` AND fs_deleted = 0 AND void_reason IS NULL GROUP BY worker_id`
}

// Registration rules, over a registration row: registered in the month,
// deregistered in the month, open at the month's end.
const (
	regNewExpr    = `(registered_on >= :first AND registered_on <= :last)`
	regClosedExpr = `(deregistered_on >= :first AND deregistered_on <= :last)`
	regOpenExpr   = `(registered_on <> '' AND registered_on <= :last AND (coalesce(deregistered_on, '') = '' OR deregistered_on > :last))`
)

// monthSQL reads the workers' month facts, grouped (workerMonth and a count).
func monthSQL(opt Options) string {
	return `WITH c AS (` + monthStatusOf("month") + `), p AS (` + monthStatusOf("prev") + `),
	u AS (SELECT worker_id, max(` + regNewExpr + `) AS n, max(` + regClosedExpr + `) AS cl, max(` + regOpenExpr + `) AS op
		FROM unemployment_registrations WHERE fs_deleted = 0 AND void_reason IS NULL AND worker_id IS NOT NULL GROUP BY worker_id),
	j AS (SELECT worker_id FROM jobseeker_registrations WHERE fs_deleted = 0 AND void_reason IS NULL
		AND ` + regNewExpr + ` AND worker_id IS NOT NULL GROUP BY worker_id)
	SELECT ` + villageExpr + ` AS k_v, c.worker_id IS NOT NULL AS k_cs, coalesce(c.list_type, '') AS k_cl,
		coalesce(c.willing_away, 0) = 1 AS k_cw, coalesce(c.work_scope, '') AS k_csc, coalesce(c.unverified, 0) AS k_cu,
		p.worker_id IS NOT NULL AS k_ps, coalesce(p.list_type, '') AS k_pl, coalesce(p.willing_away, 0) = 1 AS k_pw,
		coalesce(p.work_scope, '') AS k_psc, coalesce(w.phone, '') = '' AS k_np, coalesce(u.n, 0) AS k_un, coalesce(u.cl, 0) AS k_ucl,
		coalesce(u.op, 0) AS k_uop, j.worker_id IS NOT NULL AS k_jn, count(*)
	FROM workers w LEFT JOIN c ON c.worker_id = lower(hex(w.id)) LEFT JOIN p ON p.worker_id = lower(hex(w.id))
		LEFT JOIN u ON u.worker_id = lower(hex(w.id)) LEFT JOIN j ON j.worker_id = lower(hex(w.id))
	WHERE +w.fs_deleted = 0 AND w.left_reason IS NULL` + stationOnly(opt, "w") + `
	GROUP BY k_v, k_cs, k_cl, k_cw, k_csc, k_cu, k_ps, k_pl, k_pw, k_psc, k_np, k_un, k_ucl, k_uop, k_jn`
}

// queryMonth counts the month's facts by village from the tables.
func queryMonth(ctx context.Context, db queryer, args []any, opt Options) ([]monthRow, error) {
	rows, err := db.QueryContext(ctx, monthSQL(opt), stationArgs(args, opt)...)
	if err != nil {
		return nil, fmt.Errorf("count the month's flows and registrations: %w", err)
	}
	defer rows.Close()
	by := map[string]*monthRow{}
	for rows.Next() {
		var v string
		var x workerMonth
		var n int
		if err := rows.Scan(&v, &x.cur.set, &x.cur.list, &x.cur.willing, &x.cur.scope, &x.cur.unverified,
			&x.prev.set, &x.prev.list, &x.prev.willing, &x.prev.scope, &x.noPhone, &x.uNew, &x.uClosed, &x.uOpen, &x.jNew,
			&n); err != nil {
			return nil, fmt.Errorf("count the month's flows and registrations: %w", err)
		}
		x.cur.list, x.cur.willing = records.StatusList(x.cur.list, x.cur.willing)
		x.prev.list, x.prev.willing = records.StatusList(x.prev.list, x.prev.willing)
		r := by[v]
		if r == nil {
			r = &monthRow{village: v}
			by[v] = r
		}
		r.add(&x, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count the month's flows and registrations: %w", err)
	}
	out := make([]monthRow, 0, len(by))
	for _, v := range sortedKeys(by) {
		out = append(out, *by[v])
	}
	return out, nil
}

// buildMonth adds the month's flows, registrations, work away (from the
// month's statuses, cur) and data gaps to f and its village rows.
func buildMonth(f *Figures, names areaNameMap, cur []statusRow, months []monthRow) {
	at := map[string]int{}
	for i := range f.Villages {
		at[f.Villages[i].Code] = i
	}
	row := func(v string) *VillageRow {
		i, ok := at[v]
		if !ok {
			// A village of no person counted (never, as every fact is of a
			// counted worker): a row of its own, in code order.
			f.Villages = append(f.Villages, VillageRow{Code: v, Name: names.name(v), Township: township(v)})
			sort.Slice(f.Villages, func(i, j int) bool { return f.Villages[i].Code < f.Villages[j].Code })
			clear(at)
			for i := range f.Villages {
				at[f.Villages[i].Code] = i
			}
			i = at[v]
		}
		return &f.Villages[i]
	}
	for _, m := range months {
		r := row(m.village)
		r.Flows.add(m.flows)
		r.Registrations.add(m.regs)
		r.Quality.add(m.quality)
		f.Flows.add(m.flows)
		f.Registrations.add(m.regs)
		f.Quality.add(m.quality)
	}
	for _, s := range cur {
		if l, _ := records.StatusList(s.list, s.willing); l != records.ListEmployed {
			continue
		}
		var a AwayFigures
		switch s.scope {
		case scopeOutCounty:
			a.Away = s.n
		case records.ScopeAway:
			a.Away, a.OutsideRegion = s.n, s.n
		case scopeVillage, scopeInCounty:
			a.InCounty = s.n
		default:
			continue
		}
		row(s.village).Away.add(a)
		f.Away.add(a)
	}
}

// monthSummaryRows are the summary sheet's (汇总) rows of the month's flows,
// registrations, work away and data gaps: 类别, 指标 (the DrillFigure's
// title), 数值.
func monthSummaryRows(f *Figures) [][]any {
	var out [][]any
	for _, c := range []struct {
		category string
		figures  []string
	}{
		{"本月流动", []string{FigToUnemployed, FigToEmployed, FigNewWillingAway, FigReturned}},
		{"失业和求职登记", []string{FigUnemploymentNew, FigUnemploymentClosed, FigUnemploymentOpen, FigJobseekerNew}},
		{"就业人员务工地域", []string{FigAway, FigOutsideRegion, FigInCounty}},
		{"数据质量", []string{FigNoPhone, FigUnverified, FigNoStatus, FigProgrammeNotEmployed}},
	} {
		for _, name := range c.figures {
			d, _ := DrillFigureNamed(name)
			out = append(out, []any{c.category, d.Title, d.Value(f)})
		}
	}
	return out
}
