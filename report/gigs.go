package report

import (
	"context"
	"fmt"
	"sort"

	"fieldsync/records"
)

// placedOf filters the placements of gig g that count: status placed.
const placedOf = `FROM placements p WHERE p.gig_id = lower(hex(g.id)) AND p.status = 'placed' AND p.fs_deleted = 0`

// gigRow sums the gigs of one occupation, place and status.
type gigRow struct {
	occupation, place, status string
	gigs, headcount, placed   int
	placedCapped, reached     int
	days                      float64
}

func queryGigs(ctx context.Context, db queryer, args []any, opt Options) ([]gigRow, error) {
	placedOf := placedOf + stationOnly(opt, "p")
	rows, err := db.QueryContext(ctx, `WITH ranked AS (SELECT gig_id, placed_on,
			row_number() OVER (PARTITION BY gig_id ORDER BY placed_on, id) AS rn
			FROM placements p WHERE status = 'placed' AND fs_deleted = 0`+stationOnly(opt, "p")+`)
		SELECT occ, place, status, count(*), sum(hc), sum(n), sum(min(n, hc)),
		sum(fill_on IS NOT NULL), coalesce(sum(max(0, julianday(fill_on) - julianday(posted))), 0)
		FROM (SELECT g.*, r.placed_on AS fill_on
			FROM (SELECT g.id, coalesce(g.occupation, '') AS occ, coalesce(g.place, '') AS place,
				coalesce(g.status, '') AS status, max(coalesce(g.headcount, 0), 0) AS hc, `+postedDayExpr("g.id")+` AS posted,
				(SELECT count(*) `+placedOf+`) AS n
				FROM gigs g WHERE g.fs_deleted = 0`+stationOnly(opt, "g")+`) AS g
			LEFT JOIN ranked r ON r.gig_id = lower(hex(g.id)) AND r.rn = g.hc AND g.hc > 0)
		GROUP BY occ, place, status`, stationArgs(args, opt)...)
	if err != nil {
		return nil, fmt.Errorf("count gigs: %w", err)
	}
	defer rows.Close()
	var out []gigRow
	for rows.Next() {
		var r gigRow
		if err := rows.Scan(&r.occupation, &r.place, &r.status, &r.gigs, &r.headcount, &r.placed, &r.placedCapped,
			&r.reached, &r.days); err != nil {
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

// buildGigs sums the gig rows overall, by occupation and by place.
func buildGigs(rows []gigRow, names areaNameMap) GigFigures {
	var f GigFigures
	byOcc, byPlace := map[string]*GigGroup{}, map[string]*GigGroup{}
	for _, r := range rows {
		f.add(r)
		for _, m := range []struct {
			groups map[string]*GigGroup
			key    string
		}{{byOcc, r.occupation}, {byPlace, r.place}} {
			g := m.groups[m.key]
			if g == nil {
				g = &GigGroup{Key: m.key}
				m.groups[m.key] = g
			}
			g.add(r)
		}
	}
	f.finish()
	list := func(groups map[string]*GigGroup, named bool) []GigGroup {
		out := make([]GigGroup, 0, len(groups))
		for _, g := range groups {
			g.finish()
			if named {
				g.Name = names.name(g.Key)
			}
			out = append(out, *g)
		}
		// Most gigs first, then by key.
		sort.Slice(out, func(i, j int) bool {
			if out[i].Gigs != out[j].Gigs {
				return out[i].Gigs > out[j].Gigs
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	f.ByOccupation, f.ByPlace = list(byOcc, false), list(byPlace, true)
	return f
}
