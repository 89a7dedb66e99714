package report

import (
	"context"
	"database/sql"
	"fmt"

	"fieldsync/records"
)

// The gig side of Live: one record per gig holding what the gig figures
// count, read with the same rules as queryGigs.

// liveGig is one gig's contribution to the gig figures: the board's (its
// status, headcount, placed count, whether and how fast it was filled) and
// the days the month's figures compare (GigMonth), each a gigDay.
type liveGig struct {
	exists                    bool
	occupation, place, status uint16 // interned
	headcount, placed         int
	reached                   bool
	days                      float64
	posted, fill, expires     gigDay   // the posting day (postedDayExpr, UTC+8), the fill day when reached, expires_on
	placedOn                  []gigDay // of its placements with status placed
	endedOn                   []gigDay // ended_on of its placements left or cancelled
	odd                       map[*gigDay]string
	// What the services' posting figures ask (PostingFigures): a regular
	// job (kind 全职) or not, suiting older workers, the job fair named.
	job, older bool
	fair       string
}

// gigDay is a day as the tables hold it, held small: YYYYMMDD for a
// YYYY-MM-DD text (numbers order as such texts do), 0 for NULL or "" (which
// no month's range holds), oddDay for any other text, which the gig keeps
// in odd (keyed by the day's address: the slices are not appended to once
// read).
type gigDay int32

const oddDay gigDay = -1

// gigDayOf is the gigDay of text d (ok false: NULL).
func gigDayOf(d string, ok bool) gigDay {
	if !ok || d == "" {
		return 0
	}
	if v, ok := dateNum([]byte(d)); ok {
		return gigDay(v)
	}
	return oddDay
}

// keepOdd records the text of day at for an oddDay.
func (g *liveGig) keepOdd(at *gigDay, d string) {
	if *at != oddDay {
		return
	}
	if g.odd == nil {
		g.odd = map[*gigDay]string{}
	}
	g.odd[at] = d
}

// text is the text of day at, as the tables hold it ("" for NULL).
func (g *liveGig) text(at *gigDay) string {
	switch d := *at; {
	case d == oddDay:
		return g.odd[at]
	case d == 0:
		return ""
	default:
		return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
	}
}

// monthRange is a month's first and last day, as gigDays and as text.
type monthRange struct {
	first, last         gigDay
	firstText, lastText string
}

// in reports whether day at of g is in the month, compared as text.
func (m *monthRange) in(g *liveGig, at *gigDay) bool {
	switch d := *at; d {
	case 0:
		return false
	case oddDay:
		t := g.odd[at]
		return t >= m.firstText && t <= m.lastText
	default:
		return d >= m.first && d <= m.last
	}
}

// gigFactsSQL computes each gig's facts as queryGigs does, one row per gig:
// every gig, or (one) the gig whose hex id is :gig.
func gigFactsSQL(one bool) string {
	gigWhere, placementWhere := "", ""
	if one {
		gigWhere, placementWhere = ` WHERE g.id = unhex(:gig)`, ` AND gig_id = :gig`
	}
	return `WITH ranked AS (SELECT gig_id, placed_on,
			row_number() OVER (PARTITION BY gig_id ORDER BY placed_on, id) AS rn
			FROM placements WHERE status = 'placed' AND fs_deleted = 0` + placementWhere + `)
		SELECT lower(hex(id)), fs_deleted, occ, place, status, hc, n, fill_on IS NOT NULL,
		coalesce(max(0, julianday(fill_on) - julianday(posted)), 0), posted, fill_on, expires, job, older, fair
		FROM (SELECT g.*, r.placed_on AS fill_on
			FROM (SELECT g.id, g.fs_deleted, coalesce(g.occupation, '') AS occ, coalesce(g.place, '') AS place,
				coalesce(g.status, '') AS status, max(coalesce(g.headcount, 0), 0) AS hc, ` + postedDayExpr("g.id") + ` AS posted,
				g.expires_on AS expires, (SELECT count(*) ` + placedOf + `) AS n,
				coalesce(g.kind = '` + records.GigKindJob + `', 0) AS job, coalesce(g.suits_older, 0) = 1 AS older,
				coalesce(g.job_fair_id, '') AS fair
				FROM gigs g` + gigWhere + `) AS g
			LEFT JOIN ranked r ON r.gig_id = lower(hex(g.id)) AND r.rn = g.hc AND g.hc > 0)`
}

// gigDatesSQL reads the days of the placements the month's figures count:
// placed_on of those placed, ended_on of those left or cancelled; of every
// gig, or (one) of gig :gig.
func gigDatesSQL(one bool) string {
	where := ""
	if one {
		where = ` AND gig_id = :gig`
	}
	return `SELECT gig_id, status = 'placed', CASE WHEN status = 'placed' THEN placed_on ELSE ended_on END
		FROM placements WHERE fs_deleted = 0 AND (status = 'placed' OR status IN ` + endedStates + ` AND ended_on IS NOT NULL)` + where
}

// readGigs reads the facts of every gig, or of the gig with hex id gig.
func (l *Live) readGigs(ctx context.Context, q queryer, gig string) error {
	args := []any{sql.Named("tz_offset", liveTZOffset)}
	if gig != "" {
		args = append(args, sql.Named("gig", gig))
	}
	rows, err := q.QueryContext(ctx, gigFactsSQL(gig != ""), args...)
	if err != nil {
		return fmt.Errorf("read gigs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, occupation, place, status string
		var posted, fill, expires sql.NullString
		g := &liveGig{}
		var deleted bool
		if err := rows.Scan(&id, &deleted, &occupation, &place, &status, &g.headcount, &g.placed, &g.reached,
			&g.days, &posted, &fill, &expires, &g.job, &g.older, &g.fair); err != nil {
			return fmt.Errorf("read gigs: %w", err)
		}
		g.exists = !deleted
		g.occupation, g.place, g.status = l.strs.of(occupation), l.strs.of(place), l.strs.of(status)
		for _, d := range []struct {
			at   *gigDay
			text sql.NullString
		}{{&g.posted, posted}, {&g.fill, fill}, {&g.expires, expires}} {
			*d.at = gigDayOf(d.text.String, d.text.Valid)
			g.keepOdd(d.at, d.text.String)
		}
		l.gigs[id] = g
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read gigs: %w", err)
	}
	rows.Close()
	return l.readGigDates(ctx, q, args, gig != "")
}

// readGigDates adds the placement days of gigDatesSQL to the gigs read.
func (l *Live) readGigDates(ctx context.Context, q queryer, args []any, one bool) error {
	rows, err := q.QueryContext(ctx, gigDatesSQL(one), args[1:]...)
	if err != nil {
		return fmt.Errorf("read placement days: %w", err)
	}
	defer rows.Close()
	var odd []struct {
		g      *liveGig
		placed bool
		at     int
		text   string
	}
	for rows.Next() {
		var gig, day sql.NullString
		var placed bool
		if err := rows.Scan(&gig, &placed, &day); err != nil {
			return fmt.Errorf("read placement days: %w", err)
		}
		g := l.gigs[gig.String]
		if g == nil {
			continue // a placement of no gig read: counted nowhere
		}
		d := gigDayOf(day.String, day.Valid)
		days := &g.endedOn
		if placed {
			days = &g.placedOn
		}
		if d == oddDay {
			odd = append(odd, struct {
				g      *liveGig
				placed bool
				at     int
				text   string
			}{g, placed, len(*days), day.String})
		}
		*days = append(*days, d)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read placement days: %w", err)
	}
	// The slices are complete: their days' addresses are final.
	for _, o := range odd {
		days := o.g.endedOn
		if o.placed {
			days = o.g.placedOn
		}
		o.g.keepOdd(&days[o.at], o.text)
	}
	return nil
}

// readGigOf reads which gig each placement is of.
func (l *Live) readGigOf(ctx context.Context, q queryer) error {
	rows, err := q.QueryContext(ctx, `SELECT lower(hex(id)), gig_id FROM placements WHERE gig_id IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("read placements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, g string
		if err := rows.Scan(&p, &g); err != nil {
			return fmt.Errorf("read placements: %w", err)
		}
		l.gigOf[p] = g
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read placements: %w", err)
	}
	return nil
}

// gigRows counts the gig facts as queryGigs counts the tables, for p's
// month. The caller holds l.mu.
func (l *Live) gigRows(p period) []gigRow {
	m := monthRange{first: gigDay(datePart(p.First)), last: gigDay(datePart(p.Last)), firstText: p.First, lastText: p.Last}
	by := map[uint64]*gigRow{}
	for _, g := range l.gigs {
		if !g.exists {
			continue
		}
		k := uint64(g.occupation)<<32 | uint64(g.place)<<16 | uint64(g.status)
		r := by[k]
		if r == nil {
			r = &gigRow{occupation: l.strs.str[g.occupation], place: l.strs.str[g.place], status: l.strs.str[g.status]}
			by[k] = r
		}
		r.gigs++
		r.headcount += g.headcount
		r.placed += g.placed
		r.placedCapped += min(g.placed, g.headcount)
		r.reached += b2i(g.reached)
		r.days += g.days
		gm := &r.month
		if m.in(g, &g.posted) {
			gm.Posted++
			gm.PostedHeadcount += g.headcount
		}
		gm.Filled += b2i(g.reached && m.in(g, &g.fill))
		if m.in(g, &g.expires) && (!g.reached || g.fillAfterExpiry()) {
			gm.Expired++
		}
		for i := range g.placedOn {
			gm.Placed += b2i(m.in(g, &g.placedOn[i]))
		}
		for i := range g.endedOn {
			gm.Ended += b2i(m.in(g, &g.endedOn[i]))
		}
	}
	out := make([]gigRow, 0, len(by))
	for _, r := range by {
		out = append(out, *r)
	}
	return out
}

// fillAfterExpiry reports whether g's fill day is after its expires_on, as
// their texts compare.
func (g *liveGig) fillAfterExpiry() bool {
	if g.fill > 0 && g.expires > 0 {
		return g.fill > g.expires
	}
	return g.text(&g.fill) > g.text(&g.expires)
}
