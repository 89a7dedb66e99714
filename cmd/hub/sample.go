package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
)

// cmdSample writes made-up demo records (never real people): county gigs,
// and workers registered at a station, put in its scope so that it
// receives them; with --months, a history of that many months for each of
// them (records/sample History) and the station's records of the placement
// programmes and of the services (records/sample Programmes, Services); with --conflicts, the steps of the demo's
// conflicts (records/sample Conflicts), which scripts/run takes: "prepare"
// before the stations' first sync, "offline" while they are not connected,
// which writes the county's edits and prints, one JSON line each, the
// requests to make at the stations' APIs.
func cmdSample(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("sample", stderr)
	station := fs.String("station", "", "station the workers are registered at (with --conflicts: station A)")
	workers := fs.Int("workers", 0, "number of workers")
	gigs := fs.Int("gigs", 0, "number of gigs")
	seed := fs.Int64("seed", 1, "random seed")
	months := fs.Int("months", 0, "also a history of this many months, up to the current one, for each worker "+
		"(monthly statuses, follow-ups, registrations, placements into the county's open gigs), "+
		"and the station's records of the placement programmes and the services")
	conflicts := fs.String("conflicts", "", `the demo's conflicts: "prepare" (before the stations' first sync) or "offline" `+
		`(the stations not connected: writes the county's edits, prints the stations' requests)`)
	other := fs.String("other", "", "with --conflicts: station B")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *workers > 0 && *station == "" {
		return errors.New("sample: workers need --station")
	}
	if *months < 0 || *months > 120 {
		return errors.New("sample: --months must be between 0 and 120")
	}
	if *conflicts != "" && (*station == "" || *other == "" || *station == *other) {
		return errors.New("sample: --conflicts needs --station A and --other B, two stations")
	}
	h, err := openHub(ctx, *dir, "")
	if err != nil {
		return err
	}
	defer h.Close()
	switch *conflicts {
	case "":
	case "prepare", "offline":
		return sampleConflicts(ctx, h, *conflicts, *station, *other, stdout)
	default:
		return fmt.Errorf("sample: --conflicts %q: want prepare or offline", *conflicts)
	}
	if *gigs > 0 {
		if _, err := h.Write(ctx, sample.Gigs(*gigs, *seed, time.Now(), h.Name())...); err != nil {
			return fmt.Errorf("sample gigs: %w", err)
		}
	}
	history, programmes, services := 0, 0, 0
	if *workers > 0 {
		edits := sample.Workers(*workers, *seed, h.Replica().Key(), *station)
		ids := make([]ident.ID, len(edits))
		for i, e := range edits {
			ids[i] = e.Row
		}
		if err := h.AddToScope(ctx, *station, ids); err != nil {
			return err
		}
		households, err := sample.Households(edits, *seed, h.Replica().Key(), *station)
		if err != nil {
			return err
		}
		if _, err := h.Write(ctx, append(slices.Clip(edits), households...)...); err != nil {
			return fmt.Errorf("sample workers: %w", err)
		}
		if *months > 0 {
			hist, err := sampleHistory(ctx, h, edits, *seed, *months, *station)
			if err != nil {
				return err
			}
			history = len(hist)
			progs, err := sample.Programmes(edits, sample.ProgrammeOptions{Now: h.Now().In(h.Zone()), Station: *station,
				Key: h.Replica().Key(), History: hist})
			if err != nil {
				return err
			}
			if _, err := h.Write(ctx, progs...); err != nil {
				return fmt.Errorf("sample programmes: %w", err)
			}
			programmes = len(progs)
			svcs, err := sample.Services(edits, sample.ProgrammeOptions{Now: h.Now().In(h.Zone()), Station: *station,
				Key: h.Replica().Key(), History: hist})
			if err != nil {
				return err
			}
			if _, err := h.Write(ctx, svcs...); err != nil {
				return fmt.Errorf("sample services: %w", err)
			}
			services = len(svcs)
		}
	}
	fmt.Fprintf(stdout, "wrote %d sample workers, %d gigs, %d records of their history, %d of the placement programmes "+
		"and %d of the services\n", *workers, *gigs, history, programmes, services)
	return nil
}

// sampleHistory writes the history of workers (their edits) at the hub:
// dated in the hub's zone, placing people in the county's open gigs with
// free places, and the gigs' fill as the hub keeps it. It returns the
// history's edits.
func sampleHistory(ctx context.Context, h *hub.Hub, workers []replica.Edit, seed int64, months int, station string) ([]replica.Edit, error) {
	slots, err := freeGigs(ctx, h.Replica().DB())
	if err != nil {
		return nil, err
	}
	edits, err := sample.History(workers, seed, sample.HistoryOptions{Months: months, Now: h.Now().In(h.Zone()),
		Station: station, Key: h.Replica().Key(), Gigs: slots})
	if err != nil {
		return nil, err
	}
	if _, err := h.Write(ctx, edits...); err != nil {
		return nil, fmt.Errorf("sample history: %w", err)
	}
	placed := map[string]bool{}
	for _, e := range edits {
		if e.Table != records.Placements {
			continue
		}
		for _, cv := range e.Set {
			if cv.Column == "gig_id" {
				placed[cv.Value.(string)] = true
			}
		}
	}
	if err := writeFill(ctx, h, slices.Sorted(maps.Keys(placed))); err != nil {
		return nil, err
	}
	return edits, nil
}

// countedPlacements counts a gig's placements that take a place.
const countedPlacements = `SELECT count(*) FROM placements WHERE gig_id = ? AND fs_deleted = 0 AND status = 'placed'`

// freeGigs lists the county's open gigs with places left, by id.
func freeGigs(ctx context.Context, db *sql.DB) ([]sample.GigSlot, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, coalesce(headcount, 0) FROM gigs
		WHERE fs_deleted = 0 AND status = ? ORDER BY id`, records.GigOpen)
	if err != nil {
		return nil, fmt.Errorf("sample: open gigs: %w", err)
	}
	var slots []sample.GigSlot
	for rows.Next() {
		var id []byte
		var s sample.GigSlot
		if err := rows.Scan(&id, &s.Free); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sample: open gigs: %w", err)
		}
		copy(s.ID[:], id)
		slots = append(slots, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sample: open gigs: %w", err)
	}
	out := slots[:0]
	for _, s := range slots {
		var n int
		if err := db.QueryRowContext(ctx, countedPlacements, s.ID.String()).Scan(&n); err != nil {
			return nil, fmt.Errorf("sample: placements: %w", err)
		}
		if s.Free -= n; s.Free > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}

// writeFill writes, for each gig, how many the county has placed in it
// (records.GigFill, which the hub keeps and the stations read).
func writeFill(ctx context.Context, h *hub.Hub, gigs []string) error {
	var edits []replica.Edit
	for _, g := range gigs {
		id, err := ident.ParseID(g)
		if err != nil {
			return fmt.Errorf("sample: gig %q: %w", g, err)
		}
		var n int64
		if err := h.Replica().DB().QueryRowContext(ctx, countedPlacements, g).Scan(&n); err != nil {
			return fmt.Errorf("sample: placements: %w", err)
		}
		edits = append(edits, replica.Edit{Table: records.GigFill, Row: id,
			Set: []replica.ColumnValue{{Column: "placed", Value: n}}})
	}
	if len(edits) == 0 {
		return nil
	}
	if _, err := h.Write(ctx, edits...); err != nil {
		return fmt.Errorf("sample: gig fill: %w", err)
	}
	return nil
}

// sampleConflicts does one step of the demo's conflicts between stations
// a and b.
func sampleConflicts(ctx context.Context, h *hub.Hub, step, a, b string, stdout io.Writer) error {
	db := h.Replica().DB()
	aPeople, err := samplePeople(ctx, db, a)
	if err != nil {
		return err
	}
	bPeople, err := samplePeople(ctx, db, b)
	if err != nil {
		return err
	}
	var bVillage string
	if err := db.QueryRowContext(ctx, `SELECT coalesce(division_code, '') FROM hub_stations WHERE name = ?`, b).Scan(&bVillage); err != nil {
		return fmt.Errorf("sample: station %s: %w", b, err)
	}
	if len(bVillage) != 12 {
		bVillage = sample.Village(1)
	}
	now := h.Now().In(h.Zone())
	plan, err := sample.Conflicts(sample.Cast{A: a, B: b, APeople: aPeople, BPeople: bPeople, Now: now,
		Key: h.Replica().Key(), HukouOfB: bVillage, Ethnicity: "蒙古族", Education: "初中", Labour: "普通劳动力",
		VerifiedBy: "其其格"})
	if err != nil {
		return err
	}
	if step == "prepare" {
		if err := h.AddToScope(ctx, b, plan.Shared); err != nil {
			return err
		}
		if _, err := h.Write(ctx, plan.Gig); err != nil {
			return fmt.Errorf("sample: gig: %w", err)
		}
		// What each station must hold before it goes offline: the gig,
		// and every person the offline requests name.
		for _, r := range plan.Waits() {
			if err := printRequest(stdout, r); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := h.Write(ctx, plan.HubEdits...); err != nil {
		return fmt.Errorf("sample: county edits: %w", err)
	}
	for _, r := range plan.Requests {
		if err := printRequest(stdout, r); err != nil {
			return err
		}
	}
	return nil
}

// printRequest prints a station request as one line for scripts/run:
// station, method, path and JSON body ("" for none), separated by tabs.
func printRequest(w io.Writer, r sample.Request) error {
	body := ""
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return fmt.Errorf("sample: request body: %w", err)
		}
		body = string(b)
	}
	_, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.Station, r.Method, r.Path, body)
	return err
}

// samplePeople lists a station's people (those it registered), by id
// number, and whether each has an open unemployment registration.
func samplePeople(ctx context.Context, db *sql.DB, station string) ([]sample.Person, error) {
	rows, err := db.QueryContext(ctx, `SELECT w.id, w.name, w.id_number, coalesce(w.phone, ''),
		EXISTS (SELECT 1 FROM unemployment_registrations u WHERE u.worker_id = lower(hex(w.id)) AND u.fs_deleted = 0
			AND coalesce(u.deregistered_on, '') = '')
		FROM workers w WHERE w.station = ? AND w.fs_deleted = 0 ORDER BY w.id_number`, station)
	if err != nil {
		return nil, fmt.Errorf("sample: people of %s: %w", station, err)
	}
	defer rows.Close()
	var out []sample.Person
	for rows.Next() {
		var id []byte
		var p sample.Person
		if err := rows.Scan(&id, &p.Name, &p.IDNumber, &p.Phone, &p.OpenRegistration); err != nil {
			return nil, fmt.Errorf("sample: people of %s: %w", station, err)
		}
		copy(p.ID[:], id)
		out = append(out, p)
	}
	return out, rows.Err()
}
