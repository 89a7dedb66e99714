package report

import (
	"context"
	"database/sql"
	"fmt"
)

// The gig side of Live: one record per gig holding what the gig figures
// count, read with the same rules as queryGigs.

// liveGig is one gig's contribution to the gig figures: the board's (its
// status, headcount, placed count, whether and how fast it was filled) and
// the days the month's figures compare (GigMonth), as the text the tables
// hold ("" for NULL, which no month's range holds).
type liveGig struct {
	exists                    bool
	occupation, place, status uint16 // interned
	headcount, placed         int
	reached                   bool
	days                      float64
	posted                    string   // the posting day (postedDayExpr, UTC+8)
	fill                      string   // the day of the headcount-th placement, when reached
	expires                   string   // expires_on
	placedOn                  []string // placed_on of its placements with status placed
	endedOn                   []string // ended_on of its placements left or cancelled
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
		coalesce(max(0, julianday(fill_on) - julianday(posted)), 0), posted, fill_on, expires
		FROM (SELECT g.*, r.placed_on AS fill_on
			FROM (SELECT g.id, g.fs_deleted, coalesce(g.occupation, '') AS occ, coalesce(g.place, '') AS place,
				coalesce(g.status, '') AS status, max(coalesce(g.headcount, 0), 0) AS hc, ` + postedDayExpr("g.id") + ` AS posted,
				g.expires_on AS expires, (SELECT count(*) ` + placedOf + `) AS n
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
		var g liveGig
		var deleted bool
		if err := rows.Scan(&id, &deleted, &occupation, &place, &status, &g.headcount, &g.placed, &g.reached,
			&g.days, &posted, &fill, &expires); err != nil {
			return fmt.Errorf("read gigs: %w", err)
		}
		g.exists = !deleted
		g.occupation, g.place, g.status = l.strs.of(occupation), l.strs.of(place), l.strs.of(status)
		g.posted, g.fill, g.expires = posted.String, fill.String, expires.String
		l.gigs[id] = &g
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
		if placed {
			g.placedOn = append(g.placedOn, day.String)
		} else {
			g.endedOn = append(g.endedOn, day.String)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read placement days: %w", err)
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
	first, last := p.First, p.Last
	in := func(day string) bool { return day >= first && day <= last }
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
		m := &r.month
		if in(g.posted) {
			m.Posted++
			m.PostedHeadcount += g.headcount
		}
		m.Filled += b2i(g.reached && in(g.fill))
		m.Expired += b2i(in(g.expires) && (!g.reached || g.fill > g.expires))
		for _, d := range g.placedOn {
			m.Placed += b2i(in(d))
		}
		for _, d := range g.endedOn {
			m.Ended += b2i(in(d))
		}
	}
	out := make([]gigRow, 0, len(by))
	for _, r := range by {
		out = append(out, *r)
	}
	return out
}
