package report

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fieldsync/records"
	"fieldsync/replica"
)

// The gig board of the month's gig figures: gigs posted over five months,
// with expiry days, placements placed, left and cancelled (with and without
// the day they ended), deleted gigs and placements, and places at every
// level (village, township, county); and a plain-Go model of the figures.

type gbGig struct {
	mGig
	expires string // "" none
}

type gbPlacement struct {
	mPlacement
	ended string // "" none (a station of schema version 1)
}

type gigBoard struct {
	gigs       []*gbGig
	placements []*gbPlacement
}

// gigPlaces are the gigs' places: villages of two townships, a township, the
// county, and a village whose township the division table lacks.
var gigPlaces = []string{"150421100200", "150421100201", "150421200203", "150421100", "150421", "150421999001"}

func genGigBoard(t testing.TB, n int, seed uint64) *gigBoard {
	rng := rand.New(rand.NewPCG(seed, 5))
	b := &gigBoard{}
	occs := []string{"保洁", "装卸搬运", "采摘", ""}
	for i := range n {
		// Posted from 2026-09-01 to 2026-12-31, at any hour (UTC): the
		// day in UTC+8 is another one for the hours from 16.
		posted := time.Date(2026, 9, 1, rng.IntN(24), rng.IntN(60), 0, 0, time.UTC).AddDate(0, 0, rng.IntN(122))
		g := &gbGig{mGig: mGig{id: newID(t, posted), occ: occs[rng.IntN(len(occs))], place: gigPlaces[rng.IntN(len(gigPlaces))],
			status: records.GigStatuses[rng.IntN(3)], headcount: 1 + rng.IntN(3), posted: posted, deleted: rng.IntN(15) == 0}}
		if rng.IntN(4) > 0 {
			g.expires = posted.AddDate(0, 0, rng.IntN(45)).Format(records.DateLayout)
		}
		b.gigs = append(b.gigs, g)
		for k := rng.IntN(6); k > 0; k-- {
			on := posted.AddDate(0, 0, rng.IntN(50)-2)
			p := &gbPlacement{mPlacement: mPlacement{id: newID(t, posted.Add(time.Duration(k)*time.Minute)), gig: g.id.String(),
				status: records.PlacementPlaced, placedOn: on.Format(records.DateLayout), deleted: rng.IntN(15) == 0}}
			switch rng.IntN(6) {
			case 0:
				p.status = records.PlacementLeft
			case 1:
				p.status = records.PlacementCancelled
			}
			if p.status != records.PlacementPlaced && rng.IntN(3) > 0 {
				p.ended = on.AddDate(0, 0, rng.IntN(30)).Format(records.DateLayout)
			}
			b.placements = append(b.placements, p)
		}
		if i == 0 {
			// Two placements the same day: the id orders them.
			for range 2 {
				b.placements = append(b.placements, &gbPlacement{mPlacement: mPlacement{id: newID(t, posted), gig: g.id.String(),
					status: records.PlacementPlaced, placedOn: posted.Format(records.DateLayout)}})
			}
		}
	}
	// Days that are not YYYY-MM-DD (no station writes them; a hand-made row
	// may): compared as text, as the tables hold them.
	posted := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	odd := &gbGig{mGig: mGig{id: newID(t, posted), occ: "保洁", place: gigPlaces[0], status: records.GigOpen, headcount: 2,
		posted: posted}, expires: "2026-11-15 08:00"}
	b.gigs = append(b.gigs, odd)
	for k, d := range [][2]string{{"2026-11-20 09:00", ""}, {"2026-11-2", ""}, {"2026-11-04", "2026-11-2"}, {"2026-10-30", "2026-11-20 18:00"}} {
		p := &gbPlacement{mPlacement: mPlacement{id: newID(t, posted.Add(time.Duration(k)*time.Minute)), gig: odd.id.String(),
			status: records.PlacementPlaced, placedOn: d[0]}, ended: d[1]}
		if d[1] != "" {
			p.status = records.PlacementLeft
		}
		b.placements = append(b.placements, p)
	}
	return b
}

func (b *gigBoard) edits() []replica.Edit {
	var out, dels []replica.Edit
	for _, g := range b.gigs {
		set := []replica.ColumnValue{{Column: "title", Value: "岗位"}, {Column: "occupation", Value: g.occ},
			{Column: "place", Value: g.place}, {Column: "status", Value: g.status}, {Column: "headcount", Value: int64(g.headcount)}}
		if g.expires != "" {
			set = append(set, replica.ColumnValue{Column: "expires_on", Value: g.expires})
		}
		out = append(out, replica.Edit{Table: records.Gigs, Row: g.id, Set: set})
		if g.deleted {
			dels = append(dels, replica.Edit{Table: records.Gigs, Row: g.id, Delete: true})
		}
	}
	for _, p := range b.placements {
		out = append(out, b.placementEdit(p))
		if p.deleted {
			dels = append(dels, replica.Edit{Table: records.Placements, Row: p.id, Delete: true})
		}
	}
	return append(out, dels...)
}

func (b *gigBoard) placementEdit(p *gbPlacement) replica.Edit {
	mp := records.Placement{GigID: p.gig, WorkerID: testKey.Derive(records.Workers, "someone").String(), Status: p.status,
		PlacedOn: p.placedOn, EndedOn: p.ended}
	return replica.Edit{Table: records.Placements, Row: p.id, Set: mp.Columns()}
}

// gigMonthWant is the model's month figures: in total and by key.
type gigMonthWant struct {
	total                 GigMonth
	byOcc, byPlace, byTwn map[string]GigMonth
}

// expect is the model of GigMonth (docs/REPORTS.md, "Gigs").
func (b *gigBoard) expect(month string) gigMonthWant {
	p, _ := parsePeriod(month)
	in := func(d string) bool { return d != "" && d >= p.First && d <= p.Last }
	w := gigMonthWant{byOcc: map[string]GigMonth{}, byPlace: map[string]GigMonth{}, byTwn: map[string]GigMonth{}}
	for _, g := range b.gigs {
		if g.deleted {
			continue
		}
		var m GigMonth
		if in(g.posted.In(chinaTime).Format(records.DateLayout)) {
			m.Posted, m.PostedHeadcount = 1, g.headcount
		}
		var placed []*gbPlacement
		for _, pl := range b.placements {
			if pl.gig != g.id.String() || pl.deleted {
				continue
			}
			switch {
			case pl.status == records.PlacementPlaced:
				placed = append(placed, pl)
				if in(pl.placedOn) {
					m.Placed++
				}
			case in(pl.ended):
				m.Ended++
			}
		}
		slices.SortFunc(placed, func(a, b *gbPlacement) int {
			if a.placedOn != b.placedOn {
				return cmpString(a.placedOn, b.placedOn)
			}
			return bytes.Compare(a.id[:], b.id[:])
		})
		fill := ""
		if len(placed) >= g.headcount {
			fill = placed[g.headcount-1].placedOn
		}
		if in(fill) {
			m.Filled = 1
		}
		if in(g.expires) && (fill == "" || fill > g.expires) {
			m.Expired = 1
		}
		twn := g.place
		if len(twn) == 12 {
			twn = twn[:9]
		}
		w.total = w.total.plus(m)
		w.byOcc[g.occ] = w.byOcc[g.occ].plus(m)
		w.byPlace[g.place] = w.byPlace[g.place].plus(m)
		w.byTwn[twn] = w.byTwn[twn].plus(m)
	}
	return w
}

// checkGigMonth fails unless the month's gig figures are the model's.
func checkGigMonth(t *testing.T, month string, got GigFigures, want gigMonthWant) {
	t.Helper()
	if got.Month != want.total {
		t.Errorf("%s: gig month %+v, want %+v", month, got.Month, want.total)
	}
	for _, c := range []struct {
		name   string
		groups []GigGroup
		want   map[string]GigMonth
	}{{"occupation", got.ByOccupation, want.byOcc}, {"place", got.ByPlace, want.byPlace}, {"township", got.ByTownship, want.byTwn}} {
		keys := map[string]bool{}
		for _, g := range c.groups {
			keys[g.Key] = true
			if g.Month != c.want[g.Key] {
				t.Errorf("%s: by %s %q: %+v, want %+v", month, c.name, g.Key, g.Month, c.want[g.Key])
			}
		}
		for k := range c.want {
			if !keys[k] {
				t.Errorf("%s: by %s: no group %q", month, c.name, k)
			}
		}
	}
	for i := 1; i < len(got.ByTownship); i++ {
		if got.ByTownship[i-1].Key >= got.ByTownship[i].Key {
			t.Errorf("%s: townships not in code order: %q, %q", month, got.ByTownship[i-1].Key, got.ByTownship[i].Key)
		}
	}
}

var gigMonths = []string{"2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01"}

// The month's gig figures, from the queries and from Live, are the model's,
// for months before, during and after the board's; and they follow changes
// that arrive by sync (a placement that ends, one that fills a gig, a gig
// deleted, a gig posted).
func TestGigMonthFigures(t *testing.T) {
	b := genGigBoard(t, 160, 21)
	r := openHubReplica(t, filepath.Join(t.TempDir(), "hub.db"))
	writeEdits(t, r, b.edits())
	ctx := context.Background()
	l := NewLive(r)
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var seen GigMonth // every figure is non-zero in some month: the test can fail
	for _, m := range gigMonths {
		f := sameFigures(t, r, l, m)
		want := b.expect(m)
		checkGigMonth(t, m, f.Gigs, want)
		for _, v := range []struct {
			n   int
			max *int
		}{{want.total.Posted, &seen.Posted}, {want.total.Filled, &seen.Filled}, {want.total.Expired, &seen.Expired},
			{want.total.Placed, &seen.Placed}, {want.total.Ended, &seen.Ended}} {
			*v.max = max(*v.max, v.n)
		}
		if m == "2026-08" && want.total != (GigMonth{}) {
			t.Errorf("a month before the board has gig figures: %+v", want.total)
		}
	}
	if seen.Posted == 0 || seen.Filled == 0 || seen.Expired == 0 || seen.Placed == 0 || seen.Ended == 0 {
		t.Fatalf("the board leaves a figure at 0 in every month: %+v", seen)
	}

	// Changes by sync.
	before := b.expect("2026-11").total
	other := openReplica(t, filepath.Join(t.TempDir(), "station.db"))
	var open, gone *gbGig
	for _, g := range b.gigs {
		if g.deleted {
			continue
		}
		if open == nil && !b.reached(g) {
			open = g
		} else if gone == nil {
			gone = g
		}
	}
	var ends *gbPlacement
	for _, p := range b.placements {
		if !p.deleted && p.status == records.PlacementPlaced && p.gig != gone.id.String() && p.gig != open.id.String() {
			ends = p
			break
		}
	}
	if open == nil || gone == nil || ends == nil {
		t.Fatal("nothing to change")
	}
	var edits []replica.Edit
	ends.status, ends.ended = records.PlacementLeft, "2026-11-20"
	if ends.placedOn > ends.ended {
		ends.placedOn = "2026-11-02"
	}
	edits = append(edits, b.placementEdit(ends))
	for k := range open.headcount {
		p := &gbPlacement{mPlacement: mPlacement{id: newID(t, fixedNow.Add(time.Duration(k)*time.Second)), gig: open.id.String(),
			status: records.PlacementPlaced, placedOn: "2026-11-25"}}
		b.placements = append(b.placements, p)
		edits = append(edits, b.placementEdit(p))
	}
	gone.deleted = true
	edits = append(edits, replica.Edit{Table: records.Gigs, Row: gone.id, Delete: true})
	posted := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC) // 2026-12-01 in UTC+8
	g := &gbGig{mGig: mGig{id: newID(t, posted), occ: "保洁", place: gigPlaces[0], status: records.GigOpen, headcount: 2,
		posted: posted}, expires: "2026-12-31"}
	b.gigs = append(b.gigs, g)
	edits = append(edits, replica.Edit{Table: records.Gigs, Row: g.id, Set: []replica.ColumnValue{{Column: "title", Value: "岗位"},
		{Column: "occupation", Value: g.occ}, {Column: "place", Value: g.place}, {Column: "status", Value: g.status},
		{Column: "headcount", Value: int64(g.headcount)}, {Column: "expires_on", Value: g.expires}}})
	changes, err := other.Write(ctx, edits...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(ctx, changes, "", 0); err != nil {
		t.Fatal(err)
	}
	for _, m := range gigMonths {
		f := sameFigures(t, r, l, m)
		checkGigMonth(t, m, f.Gigs, b.expect(m))
	}
	if nov := b.expect("2026-11").total; nov.Filled <= before.Filled || nov.Ended <= before.Ended {
		t.Errorf("the changes did not reach November: %+v, before %+v", nov, before)
	}
}

// reached reports whether the model's gig g has reached its headcount.
func (b *gigBoard) reached(g *gbGig) bool {
	n := 0
	for _, p := range b.placements {
		if p.gig == g.id.String() && !p.deleted && p.status == records.PlacementPlaced {
			n++
		}
	}
	return n >= g.headcount
}
