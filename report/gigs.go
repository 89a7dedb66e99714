package report

import (
	"context"
	"fmt"
	"sort"

	"fieldsync/records"
)

// placedOf filters the placements of gig g that count: status placed.
const placedOf = `FROM placements p WHERE p.gig_id = lower(hex(g.id)) AND p.status = 'placed' AND p.fs_deleted = 0`

// gigRow sums the gigs of one occupation, place and status: the board as it
// stands (gigs … days) and the month asked (posted … ended, see GigMonth).
type gigRow struct {
	occupation, place, status string
	gigs, headcount, placed   int
	placedCapped, reached     int
	days                      float64
	month                     GigMonth
}

// endedStates are the placement states whose ended_on counts as the end of
// a placement (GigMonth.Ended); a placement still placed has none.
const endedStates = `('` + records.PlacementLeft + `', '` + records.PlacementCancelled + `')`

func queryGigs(ctx context.Context, db queryer, args []any, opt Options) ([]gigRow, error) {
	placedOf := placedOf + stationOnly(opt, "p")
	rows, err := db.QueryContext(ctx, `WITH ranked AS (SELECT gig_id, placed_on,
			row_number() OVER (PARTITION BY gig_id ORDER BY placed_on, id) AS rn
			FROM placements p WHERE status = 'placed' AND fs_deleted = 0`+stationOnly(opt, "p")+`),
		month_placements AS (SELECT gig_id,
			sum(status = 'placed' AND placed_on BETWEEN :first AND :last) AS placed_in,
			sum(status IN `+endedStates+` AND ended_on BETWEEN :first AND :last) AS ended_in
			FROM placements p WHERE fs_deleted = 0`+stationOnly(opt, "p")+`
			AND (placed_on BETWEEN :first AND :last OR ended_on BETWEEN :first AND :last) GROUP BY gig_id)
		SELECT occ, place, status, count(*), sum(hc), sum(n), sum(min(n, hc)),
		sum(fill_on IS NOT NULL), coalesce(sum(max(0, julianday(fill_on) - julianday(posted))), 0),
		coalesce(sum(posted BETWEEN :first AND :last), 0),
		coalesce(sum(CASE WHEN posted BETWEEN :first AND :last THEN hc ELSE 0 END), 0),
		coalesce(sum(fill_on BETWEEN :first AND :last), 0),
		coalesce(sum(expires BETWEEN :first AND :last AND (fill_on IS NULL OR fill_on > expires)), 0),
		coalesce(sum(m.placed_in), 0), coalesce(sum(m.ended_in), 0)
		FROM (SELECT g.*, r.placed_on AS fill_on
			FROM (SELECT g.id, coalesce(g.occupation, '') AS occ, coalesce(g.place, '') AS place,
				coalesce(g.status, '') AS status, max(coalesce(g.headcount, 0), 0) AS hc, `+postedDayExpr("g.id")+` AS posted,
				g.expires_on AS expires, (SELECT count(*) `+placedOf+`) AS n
				FROM gigs g WHERE g.fs_deleted = 0`+stationOnly(opt, "g")+`) AS g
			LEFT JOIN ranked r ON r.gig_id = lower(hex(g.id)) AND r.rn = g.hc AND g.hc > 0) AS g
		LEFT JOIN month_placements m ON m.gig_id = lower(hex(g.id))
		GROUP BY occ, place, status`, stationArgs(args, opt)...)
	if err != nil {
		return nil, fmt.Errorf("count gigs: %w", err)
	}
	defer rows.Close()
	var out []gigRow
	for rows.Next() {
		var r gigRow
		m := &r.month
		if err := rows.Scan(&r.occupation, &r.place, &r.status, &r.gigs, &r.headcount, &r.placed, &r.placedCapped,
			&r.reached, &r.days, &m.Posted, &m.PostedHeadcount, &m.Filled, &m.Expired, &m.Placed, &m.Ended); err != nil {
			return nil, fmt.Errorf("count gigs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count gigs: %w", err)
	}
	return out, nil
}

func (t *GigTotals) add(r gigRow) {
	t.Gigs += r.gigs
	switch r.status {
	case records.GigOpen:
		t.Open += r.gigs
	case records.GigFilled:
		t.Filled += r.gigs
	case records.GigClosed:
		t.Closed += r.gigs
	}
	t.Headcount += r.headcount
	t.Placed += r.placed
	t.placedCapped += r.placedCapped
	t.Reached += r.reached
	t.daysToFill += r.days
}

func (t *GigTotals) finish() {
	if t.Headcount > 0 {
		t.FillRate = float64(t.placedCapped) / float64(t.Headcount)
	}
	if t.Reached > 0 {
		d := t.daysToFill / float64(t.Reached)
		t.MeanDaysToFill = &d
	}
}

// plus is m with n's counts added.
func (m GigMonth) plus(n GigMonth) GigMonth {
	return GigMonth{Posted: m.Posted + n.Posted, PostedHeadcount: m.PostedHeadcount + n.PostedHeadcount,
		Filled: m.Filled + n.Filled, Expired: m.Expired + n.Expired, Placed: m.Placed + n.Placed, Ended: m.Ended + n.Ended}
}

// gigTownship is the township a gig's place (a 6-, 9- or 12-digit division
// code) lies in: a village's first 9 digits, a township itself; a county
// (6 digits), an empty place or anything else is its own group.
func gigTownship(place string) string {
	if len(place) == 12 {
		return place[:9]
	}
	return place
}

// buildGigs sums the gig rows overall, by occupation, by place and by the
// place's township.
func buildGigs(rows []gigRow, names areaNameMap) GigFigures {
	var f GigFigures
	byOcc, byPlace, byTown := map[string]*GigGroup{}, map[string]*GigGroup{}, map[string]*GigGroup{}
	for _, r := range rows {
		f.add(r)
		f.Month = f.Month.plus(r.month)
		for _, m := range []struct {
			groups map[string]*GigGroup
			key    string
		}{{byOcc, r.occupation}, {byPlace, r.place}, {byTown, gigTownship(r.place)}} {
			g := m.groups[m.key]
			if g == nil {
				g = &GigGroup{Key: m.key}
				m.groups[m.key] = g
			}
			g.add(r)
			g.Month = g.Month.plus(r.month)
		}
	}
	f.finish()
	list := func(groups map[string]*GigGroup, named, byKey bool) []GigGroup {
		out := make([]GigGroup, 0, len(groups))
		for _, g := range groups {
			g.finish()
			if named {
				g.Name = names.name(g.Key)
			}
			out = append(out, *g)
		}
		// Most gigs first, then by key; or by key alone.
		sort.Slice(out, func(i, j int) bool {
			if !byKey && out[i].Gigs != out[j].Gigs {
				return out[i].Gigs > out[j].Gigs
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	f.ByOccupation, f.ByPlace, f.ByTownship = list(byOcc, false, false), list(byPlace, true, false), list(byTown, true, true)
	return f
}
