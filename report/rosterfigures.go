package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// rosterFigures computes the month's figures for a workbook whose options
// give no usable Live (the hub's command line, a station): the people, this
// month's statuses and the ledger's gaps are counted from the roster and the
// ledger facts that the people sheets read anyway, by the rules of
// Dashboard's queries (sqlPeople, sqlStatuses, the gaps query; Live.rows
// counts the same from the hub's facts); last month's lists and the gigs are
// queried. Counting again what the sheets hold took 4–5 s of CPU off the
// report. TestRosterFiguresAgree checks that the figures equal Dashboard's.
func (b *workbook) rosterFigures(ctx context.Context) (*Figures, error) {
	p, err := parsePeriod(b.month)
	if err != nil {
		return nil, err
	}
	args := p.args(b.opt)
	var prev []prevRow
	var gigRows []gigRow
	var months []monthRow
	var progs ProgrammeFigures
	var svcs ServiceFigures
	// The queries run while the roster and the ledger are read.
	err = parallel(ctx,
		func(ctx context.Context) error {
			return withConn(ctx, b.db, func(q queryer) (err error) { prev, err = queryPrev(ctx, q, args, b.opt); return })
		},
		func(ctx context.Context) error {
			return withConn(ctx, b.db, func(q queryer) (err error) { gigRows, err = queryGigs(ctx, q, args, b.opt); return })
		},
		func(ctx context.Context) error {
			return withConn(ctx, b.db, func(q queryer) (err error) { months, err = queryMonth(ctx, q, args, b.opt); return })
		},
		func(ctx context.Context) error {
			return withConn(ctx, b.db, func(q queryer) (err error) {
				progs, err = queryProgrammes(ctx, q, p, b.opt, nil)
				return
			})
		},
		func(ctx context.Context) error {
			return withConn(ctx, b.db, func(q queryer) (err error) {
				svcs, err = queryServices(ctx, q, p, b.opt, nil)
				return
			})
		})
	if err != nil {
		return nil, fmt.Errorf("figures %s: %w", b.month, err)
	}
	r, err := b.roster(ctx)
	if err != nil {
		return nil, err
	}
	facts, err := b.ledgerFacts(ctx)
	if err != nil {
		return nil, err
	}
	people, cur, gaps := r.dashboardRows(facts, b.opt)
	stations, err := withConflicts(ctx, nil, b.opt)
	if err != nil {
		return nil, fmt.Errorf("figures %s: %w", b.month, err)
	}
	f := buildFigures(p, b.opt, b.names, people, cur, prev, gaps, gigRows, stations)
	buildMonth(f, b.names, cur, months)
	f.Programmes = progs
	f.Programmes.name(b.names)
	f.Services = svcs
	f.Services.name(b.names)
	return withHouseholds(ctx, b.db, f)
}

// dashboardRows counts the roster as sqlPeople, sqlStatuses and the gaps
// query count the tables: by village, the workers and those of each group,
// older or older men; the month's statuses by village, groups, older, list,
// scope, form and income band; the ledger's people and their follow-ups.
func (r *roster) dashboardRows(facts map[string]ledgerFacts, opt Options) (people []peopleRow, cur []statusRow,
	gaps []gapRow) {
	type statusKey struct {
		village                   string
		poverty, monitored, older bool
		list, scope, form         string
		willing                   bool
		band                      int
	}
	peopleBy := map[string]*peopleRow{}
	gapBy := map[string]*gapRow{}
	curBy := map[statusKey]int{}
	for i := range r.people {
		x := &r.people[i]
		var poverty, monitored bool
		if x.tags != nil {
			poverty, monitored = x.tags.poverty, x.tags.monitored
		}
		pr := peopleBy[x.village]
		if pr == nil {
			pr = &peopleRow{village: x.village}
			peopleBy[x.village] = pr
		}
		pr.n++
		pr.poverty += b2i(poverty)
		pr.monitored += b2i(monitored)
		pr.older += b2i(x.older)
		pr.olderMen += b2i(x.older && maleID(x.idNumber))
		if x.status >= 0 {
			s := &r.status[x.status]
			curBy[statusKey{village: x.village, poverty: poverty, monitored: monitored, older: x.older,
				list: s.list, willing: s.willing, scope: s.scope, form: s.form,
				band: incomeBand(s.income, opt.IncomeBands)}]++
		}
		if x.inGroups {
			g := gapBy[x.village]
			if g == nil {
				g = &gapRow{village: x.village}
				gapBy[x.village] = g
			}
			l := facts[x.id] // a worker added between the two reads: no follow-up read
			g.people++
			g.followups += l.month
			if l.month == 0 {
				g.none++
				if l.six == 0 {
					g.six++
				}
			}
		}
	}
	for _, pr := range peopleBy {
		people = append(people, *pr)
	}
	for _, g := range gapBy {
		gaps = append(gaps, *g)
	}
	for k, n := range curBy {
		cur = append(cur, statusRow{village: k.village, poverty: k.poverty, monitored: k.monitored, older: k.older,
			list: k.list, willing: k.willing, scope: k.scope, form: k.form, band: k.band, n: n})
	}
	// In the order the queries return them (GROUP BY), so that whatever
	// builds on the order sees the same.
	slices.SortFunc(people, func(a, b peopleRow) int { return strings.Compare(a.village, b.village) })
	slices.SortFunc(gaps, func(a, b gapRow) int { return strings.Compare(a.village, b.village) })
	slices.SortFunc(cur, func(a, b statusRow) int {
		for _, c := range []int{strings.Compare(a.village, b.village), cmpBool(a.poverty, b.poverty),
			cmpBool(a.monitored, b.monitored), cmpBool(a.older, b.older), strings.Compare(a.list, b.list),
			cmpBool(a.willing, b.willing),
			strings.Compare(a.scope, b.scope), strings.Compare(a.form, b.form), a.band - b.band} {
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return people, cur, gaps
}

func cmpBool(a, b bool) int { return b2i(a) - b2i(b) }

// maleID is maleExpr in Go: the 17th character of the id number (SQLite's
// characters, see olderID) is an odd digit.
func maleID(id string) bool {
	plain := true
	for i := 0; i < len(id) && i < 17; i++ {
		if id[i] >= 0x80 || id[i] == 0 {
			plain = false
			break
		}
	}
	if plain {
		return len(id) >= 17 && strings.IndexByte("13579", id[16]) >= 0
	}
	c := sqlChars(id)
	return len(c) >= 17 && len(c[16]) == 1 && strings.IndexByte("13579", c[16][0]) >= 0
}
