package report

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"fieldsync/places"
	"fieldsync/records"
)

// Dashboard computes every figure of month (YYYY-MM) from the replica's
// tables. stations is what the hub's registry knows of its stations (nil on a
// station's own dashboard). The queries run three at a time, each on its own
// connection of db's pool. With Options.Station they are that station's
// own, counted as a workbook's (stations is not used).
func Dashboard(ctx context.Context, db *sql.DB, month string, stations []StationHealth, opt Options) (*Figures, error) {
	opt = opt.withDefaults()
	p, err := parsePeriod(month)
	if err != nil {
		return nil, err
	}
	var (
		names   areaNameMap
		people  []peopleRow
		cur     []statusRow
		prev    []prevRow
		gaps    []gapRow
		gigRows []gigRow
		months  []monthRow
		progs   ProgrammeFigures
		svcs    ServiceFigures
		progErr error
		svcErr  error
	)
	if opt.Station != "" {
		return stationFigures(ctx, db, month, opt)
	}
	if l := opt.Live; l != nil && l.usable(p, opt) {
		// The facts Live keeps, brought up to the end of the log first.
		if err := l.Sync(ctx); err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", month, err)
		}
		// The programmes are queried meanwhile (they are not Live's).
		var read sync.WaitGroup
		read.Go(func() {
			progErr = withConn(ctx, db, func(q queryer) (err error) { progs, err = queryProgrammes(ctx, q, p, opt, l); return })
		})
		read.Go(func() {
			svcErr = withConn(ctx, db, func(q queryer) (err error) { svcs, err = queryServices(ctx, q, p, opt, l); return })
		})
		err := withConn(ctx, db, func(q queryer) (err error) { names, err = areaNames(ctx, q); return })
		if err == nil {
			people, cur, prev, gaps, gigRows, months = l.rows(p, opt)
		}
		read.Wait()
		if err = cmp.Or(err, progErr, svcErr); err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", month, err)
		}
	} else {
		args := p.args(opt)
		// Each query on its own connection: SQLite reads them concurrently.
		on := func(fn func(ctx context.Context, q queryer) error) func(context.Context) error {
			return func(ctx context.Context) error {
				return withConn(ctx, db, func(q queryer) error { return fn(ctx, q) })
			}
		}
		err = parallel(ctx,
			on(func(ctx context.Context, q queryer) (err error) { names, err = areaNames(ctx, q); return }),
			on(func(ctx context.Context, q queryer) (err error) { people, err = queryPeople(ctx, q, args); return }),
			on(func(ctx context.Context, q queryer) (err error) { cur, err = queryStatuses(ctx, q, args, opt); return }),
			on(func(ctx context.Context, q queryer) (err error) { prev, err = queryPrev(ctx, q, args, opt); return }),
			on(func(ctx context.Context, q queryer) (err error) { gaps, err = queryGaps(ctx, q, args); return }),
			on(func(ctx context.Context, q queryer) (err error) { gigRows, err = queryGigs(ctx, q, args, opt); return }),
			on(func(ctx context.Context, q queryer) (err error) { months, err = queryMonth(ctx, q, args, opt); return }),
			on(func(ctx context.Context, q queryer) (err error) {
				progs, err = queryProgrammes(ctx, q, p, opt, nil)
				return
			}),
			on(func(ctx context.Context, q queryer) (err error) {
				svcs, err = queryServices(ctx, q, p, opt, nil)
				return
			}),
		)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", month, err)
		}
	}
	stations, err = withConflicts(ctx, stations, opt)
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", month, err)
	}
	f := buildFigures(p, opt, names, people, cur, prev, gaps, gigRows, stations)
	buildMonth(f, names, cur, months)
	f.Programmes = progs
	f.Programmes.name(names)
	f.Services = svcs
	f.Services.name(names)
	return withHouseholds(ctx, db, f)
}

// buildFigures makes the figures from the intermediate rows, however they
// were counted (queries, Live, or a workbook's roster).
func buildFigures(p period, opt Options, names areaNameMap, people []peopleRow, cur []statusRow,
	prev []prevRow, gaps []gapRow, gigRows []gigRow, stations []StationHealth) *Figures {
	f := &Figures{Month: p.Month, PrevMonth: p.Prev, GeneratedAt: opt.Now()}
	buildLists(f, names, cur, prev)
	buildGroups(f, opt, people, cur)
	buildLedger(f, names, gaps)
	buildVillages(f, names, people, gaps)
	f.Gigs = buildGigs(gigRows, names)
	f.Stations = buildStations(stations, opt)
	return f
}

// maxParallel bounds the connections one Dashboard takes from the pool it
// shares with the replica's writers (replica.Open allows four: one stays
// free for them).
const maxParallel = 3

// parallel runs fns, at most maxParallel at a time, and returns the first
// error; the others are cancelled through ctx.
func parallel(ctx context.Context, fns ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallel)
	errs := make([]error, len(fns))
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			if errs[i] = fn(ctx); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return ctx.Err()
}

// areaNameMap holds the names the station directory gives division codes: a
// station's 12-digit code names its village, its first 9 digits its township.
type areaNameMap map[string]string

// name is the name of the place with code: the division table's (package
// places), else the station directory's for a code the table lacks, else "".
func (m areaNameMap) name(code string) string {
	if p, ok := places.Lookup(code); ok {
		return p.Name
	}
	return m[code]
}

// areaNames reads the station directory's names (see areaNameMap).
func areaNames(ctx context.Context, db queryer) (areaNameMap, error) {
	rows, err := db.QueryContext(ctx, `SELECT coalesce(division_code, ''), coalesce(township, ''), coalesce(village, '')
		FROM stations WHERE fs_deleted = 0 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read station directory: %w", err)
	}
	defer rows.Close()
	out := areaNameMap{}
	for rows.Next() {
		var code, town, village string
		if err := rows.Scan(&code, &town, &village); err != nil {
			return nil, fmt.Errorf("read station directory: %w", err)
		}
		if len(code) == 12 && village != "" {
			out[code] = village
		}
		if len(code) >= 9 && town != "" {
			out[code[:9]] = town
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read station directory: %w", err)
	}
	return out, nil
}

// sqlPeople counts the registered workers of each village. It groups by the
// bare column so that an index on (residence_village, fs_deleted, …) streams
// the groups without a sort.
var sqlPeople = `SELECT coalesce(w.residence_village, ''), count(*), sum(` + povertyExpr + `), sum(` + monitoredExpr + `),
	sum(` + olderExpr + `), sum(` + olderExpr + ` AND ` + maleExpr + `)
	FROM workers w WHERE +w.fs_deleted = 0 AND w.left_reason IS NULL GROUP BY w.residence_village`

// peopleRow counts the registered workers of a village, and of them those in
// each group.
type peopleRow struct {
	village                                string
	n, poverty, monitored, older, olderMen int
}

func queryPeople(ctx context.Context, db queryer, args []any) ([]peopleRow, error) {
	rows, err := db.QueryContext(ctx, sqlPeople, args...)
	if err != nil {
		return nil, fmt.Errorf("count workers: %w", err)
	}
	defer rows.Close()
	var out []peopleRow
	for rows.Next() {
		var r peopleRow
		if err := rows.Scan(&r.village, &r.n, &r.poverty, &r.monitored, &r.older, &r.olderMen); err != nil {
			return nil, fmt.Errorf("count workers: %w", err)
		}
		// NULL and '' are one group.
		if k := len(out) - 1; k >= 0 && out[k].village == r.village {
			out[k].n += r.n
			out[k].poverty += r.poverty
			out[k].monitored += r.monitored
			out[k].older += r.older
			out[k].olderMen += r.olderMen
			continue
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count workers: %w", err)
	}
	return out, nil
}

// statusRow counts the month's statuses by village, group and breakdown.
type statusRow struct {
	village                   string
	poverty, monitored, older bool
	list, scope, form         string // list: list_type as stored
	willing                   bool   // willing_away (ListCount.addStatus)
	band                      int
	n                         int
}

func queryStatuses(ctx context.Context, db queryer, args []any, opt Options) ([]statusRow, error) {
	rows, err := db.QueryContext(ctx, sqlStatuses(opt), args...)
	if err != nil {
		return nil, fmt.Errorf("count statuses: %w", err)
	}
	defer rows.Close()
	var out []statusRow
	for rows.Next() {
		var r statusRow
		if err := rows.Scan(&r.village, &r.poverty, &r.monitored, &r.older, &r.list, &r.willing, &r.scope, &r.form, &r.band,
			&r.n); err != nil {
			return nil, fmt.Errorf("count statuses: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count statuses: %w", err)
	}
	return out, nil
}

// prevRow counts the previous month's lists by village.
type prevRow struct {
	village, list string // list: list_type as stored
	willing       bool
	n             int
}

func queryPrev(ctx context.Context, db queryer, args []any, opt Options) ([]prevRow, error) {
	q := `WITH s AS (` + statusCounted("prev") + `)
		SELECT ` + villageExpr + ` AS v, coalesce(s.list_type, '') AS l, coalesce(s.willing_away, 0) = 1 AS wa, count(*)
		FROM s CROSS JOIN workers w ON w.id = unhex(s.worker_id) AND w.fs_deleted = 0 AND w.left_reason IS NULL` + stationOnly(opt, "w") + ` GROUP BY v, l, wa`
	rows, err := db.QueryContext(ctx, q, stationArgs(args, opt)...)
	if err != nil {
		return nil, fmt.Errorf("count last month's statuses: %w", err)
	}
	defer rows.Close()
	var out []prevRow
	for rows.Next() {
		var r prevRow
		if err := rows.Scan(&r.village, &r.list, &r.willing, &r.n); err != nil {
			return nil, fmt.Errorf("count last month's statuses: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count last month's statuses: %w", err)
	}
	return out, nil
}

// gapRow counts, for one village and group, the people of the ledger and
// their follow-ups.
type gapRow struct {
	village                      string
	people, followups, none, six int
}

// followupIn tests for a follow-up of worker w dated between two parameters.
func followupIn(from, to string) string {
	return `EXISTS (SELECT 1 FROM followups f WHERE f.worker_id = lower(hex(w.id)) AND f.date >= :` + from +
		` AND f.date <= :` + to + ` AND f.fs_deleted = 0 AND f.void_reason IS NULL)`
}

const followupsInMonth = `(SELECT count(*) FROM followups f WHERE f.worker_id = lower(hex(w.id))
	AND f.date >= :first AND f.date <= :last AND f.fs_deleted = 0 AND f.void_reason IS NULL)`

func queryGaps(ctx context.Context, db queryer, args []any) ([]gapRow, error) {
	rows, err := db.QueryContext(ctx, `SELECT v, count(*), sum(n), sum(n = 0), sum(n = 0 AND NOT six) FROM (
		SELECT `+villageExpr+` AS v, `+followupsInMonth+` AS n, `+followupIn("six_first", "last")+` AS six
		FROM workers w WHERE +w.fs_deleted = 0 AND w.left_reason IS NULL AND `+inGroupsExpr+`) GROUP BY v`, args...)
	if err != nil {
		return nil, fmt.Errorf("count ledger gaps: %w", err)
	}
	defer rows.Close()
	var out []gapRow
	for rows.Next() {
		var r gapRow
		if err := rows.Scan(&r.village, &r.people, &r.followups, &r.none, &r.six); err != nil {
			return nil, fmt.Errorf("count ledger gaps: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count ledger gaps: %w", err)
	}
	return out, nil
}

// buildLists fills the three lists by township and village.
func buildLists(f *Figures, names areaNameMap, cur []statusRow, prev []prevRow) {
	type pair struct{ cur, prev ListCount }
	villages := map[string]*pair{}
	get := func(v string) *pair {
		p := villages[v]
		if p == nil {
			p = &pair{}
			villages[v] = p
		}
		return p
	}
	for _, r := range cur {
		get(r.village).cur.addStatus(r.list, r.willing, r.n)
	}
	for _, r := range prev {
		get(r.village).prev.addStatus(r.list, r.willing, r.n)
	}
	towns := map[string]*ListArea{}
	for _, v := range sortedKeys(villages) {
		p := villages[v]
		if p.cur.Total() == 0 && p.prev.Total() == 0 {
			continue
		}
		tc := township(v)
		t := towns[tc]
		if t == nil {
			t = &ListArea{Code: tc, Name: names.name(tc)}
			towns[tc] = t
		}
		t.Villages = append(t.Villages, ListArea{Code: v, Name: names.name(v), Count: p.cur, Prev: p.prev, Change: p.cur.minus(p.prev)})
		t.Count, t.Prev = t.Count.plus(p.cur), t.Prev.plus(p.prev)
		f.Lists.Count, f.Lists.Prev = f.Lists.Count.plus(p.cur), f.Lists.Prev.plus(p.prev)
	}
	f.Lists.Townships = []ListArea{}
	for _, tc := range sortedKeys(towns) {
		t := towns[tc]
		t.Change = t.Count.minus(t.Prev)
		f.Lists.Townships = append(f.Lists.Townships, *t)
	}
	f.Lists.Change = f.Lists.Count.minus(f.Lists.Prev)
}

// breakdown counts keys into buckets: first the known keys in their order,
// then any other key met (sorted), "" shown as 未填.
type breakdown struct {
	known  []string
	counts map[string]int
}

func newBreakdown(known []string) *breakdown {
	return &breakdown{known: known, counts: map[string]int{}}
}

func (b *breakdown) add(k string, n int) { b.counts[k] += n }

func (b *breakdown) buckets() []Bucket {
	out := make([]Bucket, 0, len(b.known))
	for _, k := range b.known {
		out = append(out, Bucket{Key: k, Count: b.counts[k]})
	}
	var other []string
	for k := range b.counts {
		if !slices.Contains(b.known, k) {
			other = append(other, k)
		}
	}
	sort.Strings(other)
	for _, k := range other {
		label := k
		if k == "" {
			label = NotRecorded
		}
		out = append(out, Bucket{Key: label, Count: b.counts[k]})
	}
	return out
}

// NotRecorded labels a breakdown's bucket of empty values.
const NotRecorded = "未填"

// buildGroups fills the assistance groups and the older workers.
func buildGroups(f *Figures, opt Options, people []peopleRow, cur []statusRow) {
	bands := incomeBandLabels(opt.IncomeBands)
	type acc struct {
		g                   *GroupFigures
		scope, form, income *breakdown
		withStatus          int
		in                  func(poverty, monitored, older bool) bool
	}
	mk := func(name string, in func(p, m, o bool) bool) *acc {
		return &acc{g: &GroupFigures{Group: name}, scope: newBreakdown(records.WorkScopes),
			form: newBreakdown(records.EmploymentForms), income: newBreakdown(bands), in: in}
	}
	accs := []*acc{
		mk(GroupPoverty, func(p, m, o bool) bool { return p }),
		mk(GroupMonitored, func(p, m, o bool) bool { return m }),
		mk("older", func(p, m, o bool) bool { return o }),
	}
	older := &f.Older
	older.MaleAge, older.FemaleAge = opt.Older.Male, opt.Older.Female
	for _, r := range people {
		f.Workers += r.n
		accs[0].g.People += r.poverty
		accs[1].g.People += r.monitored
		accs[2].g.People += r.older
		older.Men += r.olderMen
		older.Women += r.older - r.olderMen
	}
	for _, r := range cur {
		for _, a := range accs {
			if !a.in(r.poverty, r.monitored, r.older) {
				continue
			}
			a.withStatus += r.n
			a.g.Lists.addStatus(r.list, r.willing, r.n)
			if r.list == records.ListEmployed {
				a.scope.add(r.scope, r.n)
				a.form.add(r.form, r.n)
				if r.band >= 0 && r.band < len(bands) {
					a.income.add(bands[r.band], r.n)
				} else if r.band == noIncomeBand(opt.IncomeBands) {
					a.income.add(records.IncomeNotReported, r.n)
				}
			}
		}
	}
	for _, a := range accs {
		a.g.NoStatus = a.g.People - a.withStatus
		a.g.ByScope, a.g.ByForm, a.g.ByIncome = a.scope.buckets(), a.form.buckets(), a.income.buckets()
	}
	f.Assistance = []GroupFigures{*accs[0].g, *accs[1].g}
	o := accs[2].g
	older.People, older.Lists, older.NoStatus, older.ByScope = o.People, o.Lists, o.NoStatus, o.ByScope
}

// buildLedger fills the ledger gaps.
func buildLedger(f *Figures, names areaNameMap, gaps []gapRow) {
	l := &f.Ledger
	l.ByVillage = []GapArea{}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i].village < gaps[j].village })
	for _, r := range gaps {
		l.People += r.people
		l.Followups += r.followups
		l.NoneThisMonth += r.none
		l.NoneSixMonths += r.six
		l.ByVillage = append(l.ByVillage, GapArea{Code: r.village, Name: names.name(r.village), People: r.people,
			NoneThisMonth: r.none, NoneSixMonths: r.six})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// buildVillages fills the totals by village from the figures already built.
func buildVillages(f *Figures, names areaNameMap, people []peopleRow, gaps []gapRow) {
	rows := map[string]*VillageRow{}
	get := func(v string) *VillageRow {
		r := rows[v]
		if r == nil {
			r = &VillageRow{Code: v, Name: names.name(v), Township: township(v)}
			rows[v] = r
		}
		return r
	}
	for _, p := range people {
		r := get(p.village)
		r.Workers += p.n
		r.Poverty += p.poverty
		r.Monitored += p.monitored
		r.Older += p.older
	}
	for _, t := range f.Lists.Townships {
		for _, v := range t.Villages {
			r := get(v.Code)
			r.Lists, r.Change = v.Count, v.Change
		}
	}
	for _, g := range gaps {
		r := get(g.village)
		r.NoneThisMonth, r.NoneSixMonths = g.none, g.six
	}
	f.Villages = make([]VillageRow, 0, len(rows))
	for _, v := range sortedKeys(rows) {
		f.Villages = append(f.Villages, *rows[v])
	}
}

// sqlStatuses counts the month's statuses by village, group and breakdown.
func sqlStatuses(opt Options) string {
	return `WITH s AS (` + statusCounted("month") + `)
		SELECT v, p, m, o, l, wa, sc, fm, b, count(*) FROM (SELECT ` + villageExpr + ` AS v, ` + povertyExpr + ` AS p, ` +
		monitoredExpr + ` AS m, ` + olderExpr + ` AS o, coalesce(s.list_type, '') AS l,
		coalesce(s.willing_away, 0) = 1 AS wa, coalesce(s.work_scope, '') AS sc,
		coalesce(s.employment_form, '') AS fm, ` + bandExpr("s.monthly_income", opt.IncomeBands) + ` AS b
		FROM s CROSS JOIN workers w ON w.id = unhex(s.worker_id) AND w.fs_deleted = 0 AND w.left_reason IS NULL)
		GROUP BY v, p, m, o, l, wa, sc, fm, b`
}
