package station

import (
	"context"
	"errors"
	"fmt"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The write operations of the station, shared by the JSON API, the forms and
// the importer. Each validates first and writes in one replica transaction.

func (s *Station) newID() (ident.ID, error) { return ident.NewTimeOrdered(s.now()) }

// written tells the sync client that there is something to send.
func (s *Station) written() {
	if s.sync != nil {
		s.sync.Kick()
	}
}

// CreateWorker registers a person. The same id number registered here before
// is a *ConflictError carrying the existing id; registered at another station
// (the row came from the hub), the values merge into that same row.
func (s *Station) CreateWorker(ctx context.Context, w records.Worker) (ident.ID, error) {
	if err := w.ValidateOn(s.now()); err != nil {
		return ident.Zero, err
	}
	id := w.ID(s.key)
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		return s.createWorkerTx(ctx, tx, id, &w)
	})
	if err != nil {
		return id, err
	}
	s.written()
	return id, nil
}

func (s *Station) createWorkerTx(ctx context.Context, tx *replica.Tx, id ident.ID, w *records.Worker) error {
	row, err := tx.Row(ctx, records.Workers, id)
	if err != nil {
		return fmt.Errorf("create worker: %w", err)
	}
	cols := w.Columns()
	if row == nil || row[replica.DeletedColumn] == int64(1) {
		cols = append(cols, replica.ColumnValue{Column: "station", Value: s.cfg.Name})
		if row != nil {
			cols = append(cols, replica.ColumnValue{Column: replica.DeletedColumn, Value: int64(0)})
		}
	} else if row["station"] == s.cfg.Name || row["station"] == nil {
		return &ConflictError{ID: id, Field: "id_number", Key: records.KeyDuplicate}
	}
	if _, err := s.edit(ctx, tx, replica.Edit{Table: records.Workers, Row: id, Set: cols}); err != nil {
		return fmt.Errorf("create worker: %w", err)
	}
	return nil
}

// UpdateWorker changes the named fields of a worker: apply sets them on the
// current record, fields lists which ones to write (JSON names). Fields not
// named are not written, so a conflict on them stays for someone who saw it.
func (s *Station) UpdateWorker(ctx context.Context, id ident.ID, apply func(w *records.Worker) ([]string, error)) error {
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		cur, err := workerInTx(ctx, tx, id)
		if err != nil {
			return err
		}
		w := cur.Worker
		fields, err := apply(&w)
		if err != nil {
			return err
		}
		if err := w.Validate(); err != nil {
			return err
		}
		if w.IDNumber != cur.IDNumber {
			return &records.FieldError{Field: "id_number", Key: records.KeyUnknownField, Args: []any{"id_number"}}
		}
		want := map[string]bool{}
		for _, f := range fields {
			want[f] = true
		}
		var set []replica.ColumnValue
		for _, cv := range w.Columns() {
			if want[cv.Column] && cv.Column != "id_number" {
				set = append(set, cv)
			}
		}
		if len(set) == 0 {
			return nil
		}
		if err := s.checkMembershipTx(ctx, tx, id, set); err != nil {
			return err
		}
		if _, err := s.edit(ctx, tx, replica.Edit{Table: records.Workers, Row: id, Set: set}); err != nil {
			return fmt.Errorf("update worker: %w", err)
		}
		return nil
	})
	if err == nil {
		s.written()
	}
	return err
}

func workerInTx(ctx context.Context, tx *replica.Tx, id ident.ID) (*WorkerView, error) {
	row, err := tx.Row(ctx, records.Workers, id)
	if err != nil {
		return nil, fmt.Errorf("read worker: %w", err)
	}
	if row == nil || row[replica.DeletedColumn] == int64(1) {
		return nil, fmt.Errorf("worker %s: %w", id, ErrNotFound)
	}
	return workerFromMap(id, row), nil
}

// requireWorker checks, inside tx, that the worker a record refers to exists.
func requireWorker(ctx context.Context, tx *replica.Tx, field, hexID string) (ident.ID, error) {
	id, err := ident.ParseID(hexID)
	if err != nil {
		return id, &records.FieldError{Field: field, Key: records.KeyNoWorker}
	}
	if _, err := workerInTx(ctx, tx, id); errors.Is(err, ErrNotFound) {
		return id, &records.FieldError{Field: field, Key: records.KeyNoWorker}
	} else if err != nil {
		return id, err
	}
	return id, nil
}

// SetMonthStatus records a worker's status for a month. A month holds one
// status per worker: a second one for the same month replaces the first.
// created says whether the month had none.
func (s *Station) SetMonthStatus(ctx context.Context, m records.MonthStatus) (id ident.ID, created bool, err error) {
	if err := m.Validate(); err != nil {
		return id, false, err
	}
	id = m.ID(s.key)
	_, err = s.r.Update(ctx, func(tx *replica.Tx) error {
		created, err = s.setMonthStatusTx(ctx, tx, id, &m)
		return err
	})
	if err == nil {
		s.written()
	}
	return id, created, err
}

// setMonthStatusTx writes the validated status m, whose row id is id, inside
// tx: the write of SetMonthStatus, which the monthly sheet's import shares.
func (s *Station) setMonthStatusTx(ctx context.Context, tx *replica.Tx, id ident.ID, m *records.MonthStatus) (created bool, err error) {
	if _, err := requireWorker(ctx, tx, "worker_id", m.WorkerID); err != nil {
		return false, err
	}
	row, err := tx.Row(ctx, records.MonthlyStatus, id)
	if err != nil {
		return false, fmt.Errorf("set monthly status: %w", err)
	}
	created = row == nil || row[replica.DeletedColumn] == int64(1)
	set := append(m.Columns(), replica.ColumnValue{Column: "station", Value: s.cfg.Name})
	if row != nil && row[replica.DeletedColumn] == int64(1) {
		set = append(set, replica.ColumnValue{Column: replica.DeletedColumn, Value: int64(0)})
	}
	if _, err := s.edit(ctx, tx, replica.Edit{Table: records.MonthlyStatus, Row: id, Set: set}); err != nil {
		return false, fmt.Errorf("set monthly status: %w", err)
	}
	return created, nil
}

// AddUnemployment records an unemployment registration. A worker may hold
// one open registration: the check and the write are one transaction.
func (s *Station) AddUnemployment(ctx context.Context, u records.UnemploymentRegistration) (ident.ID, error) {
	if err := u.Validate(); err != nil {
		return ident.Zero, err
	}
	id, err := s.newID()
	if err != nil {
		return id, err
	}
	_, err = s.r.Update(ctx, func(tx *replica.Tx) error {
		if _, err := requireWorker(ctx, tx, "worker_id", u.WorkerID); err != nil {
			return err
		}
		if u.Open() && !u.Voided() {
			// A void registration is not open (OpenRegistration).
			existing, err := openUnemployment(ctx, tx, u.WorkerID, ident.Zero)
			if err != nil {
				return err
			}
			if !existing.IsZero() {
				return &ConflictError{ID: existing, Field: "worker_id", Key: records.KeyOpenRegistered}
			}
		}
		set := append(u.Columns(), replica.ColumnValue{Column: "station", Value: s.cfg.Name})
		_, err := s.edit(ctx, tx, replica.Edit{Table: records.Unemployment, Row: id, Set: set})
		return err
	})
	if err != nil {
		return id, err
	}
	s.written()
	return id, nil
}

// Deregister closes an open unemployment registration.
func (s *Station) Deregister(ctx context.Context, id ident.ID, on, reason string) error {
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		row, err := tx.Row(ctx, records.Unemployment, id)
		if err != nil {
			return err
		}
		if row == nil || row[replica.DeletedColumn] == int64(1) {
			return fmt.Errorf("registration %s: %w", id, ErrNotFound)
		}
		u := records.UnemploymentRegistration{WorkerID: str(row["worker_id"]), PlaceType: str(row["place_type"]),
			RegisteredOn: str(row["registered_on"]), Reason: str(row["reason"]),
			DeregisteredOn: on, DeregistrationReason: reason}
		if u.DeregisteredOn == "" {
			return &records.FieldError{Field: "deregistered_on", Key: records.KeyRequired}
		}
		if err := u.Validate(); err != nil {
			return err
		}
		_, err = s.edit(ctx, tx, replica.Edit{Table: records.Unemployment, Row: id, Set: []replica.ColumnValue{
			{Column: "deregistered_on", Value: u.DeregisteredOn},
			{Column: "deregistration_reason", Value: u.DeregistrationReason},
		}})
		return err
	})
	if err == nil {
		s.written()
	}
	return err
}

// AddJobseeker records a job-seeking registration.
func (s *Station) AddJobseeker(ctx context.Context, j records.JobseekerRegistration) (ident.ID, error) {
	if j.RegisteredOn == "" {
		j.RegisteredOn = s.Today()
	}
	if err := j.Validate(); err != nil {
		return ident.Zero, err
	}
	return s.addRow(ctx, records.Jobseeker, j.WorkerID, j.Columns())
}

// AddFollowup records a follow-up of the assistance ledger.
func (s *Station) AddFollowup(ctx context.Context, f records.Followup) (ident.ID, error) {
	if err := f.Validate(); err != nil {
		return ident.Zero, err
	}
	return s.addRow(ctx, records.Followups, f.WorkerID, f.Columns())
}

func (s *Station) addRow(ctx context.Context, table, workerID string, cols []replica.ColumnValue) (ident.ID, error) {
	id, err := s.newID()
	if err != nil {
		return id, err
	}
	_, err = s.r.Update(ctx, func(tx *replica.Tx) error {
		if _, err := requireWorker(ctx, tx, "worker_id", workerID); err != nil {
			return err
		}
		set := append(cols, replica.ColumnValue{Column: "station", Value: s.cfg.Name})
		if _, err := s.edit(ctx, tx, replica.Edit{Table: table, Row: id, Set: set}); err != nil {
			return fmt.Errorf("add %s: %w", table, err)
		}
		return nil
	})
	if err != nil {
		return id, err
	}
	s.written()
	return id, nil
}

// CreateGig posts a gig.
func (s *Station) CreateGig(ctx context.Context, g records.Gig) (ident.ID, error) {
	if err := g.Validate(); err != nil {
		return ident.Zero, err
	}
	id, err := s.newID()
	if err != nil {
		return id, err
	}
	set := append(g.Columns(), replica.ColumnValue{Column: "station", Value: s.cfg.Name})
	_, err = s.r.Update(ctx, func(tx *replica.Tx) error {
		if g.JobFairID != "" {
			if err := requireProgrammeRow(ctx, tx, "job_fair_id", records.JobFairs, g.JobFairID); err != nil {
				return err
			}
		}
		_, err := s.edit(ctx, tx, replica.Edit{Table: records.Gigs, Row: id, Set: set})
		return err
	})
	if err != nil {
		return id, fmt.Errorf("create gig: %w", err)
	}
	s.written()
	return id, nil
}

// UpdateGig changes the named fields of a gig (see UpdateWorker).
func (s *Station) UpdateGig(ctx context.Context, id ident.ID, apply func(g *records.Gig) ([]string, error)) error {
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		row, err := tx.Row(ctx, records.Gigs, id)
		if err != nil {
			return fmt.Errorf("read gig: %w", err)
		}
		if row == nil || row[replica.DeletedColumn] == int64(1) {
			return fmt.Errorf("gig %s: %w", id, ErrNotFound)
		}
		if poster, _ := row["station"].(string); poster != s.cfg.Name {
			// Only the posting station (or the county) edits a gig: the hub
			// would refuse it (DESIGN "Trust"), so say it now.
			return &records.FieldError{Field: "station", Key: records.KeyNotPoster}
		}
		g := gigFromMap(id, row).Gig
		fields, err := apply(&g)
		if err != nil {
			return err
		}
		if err := g.Validate(); err != nil {
			return err
		}
		want := map[string]bool{}
		for _, f := range fields {
			want[f] = true
		}
		var set []replica.ColumnValue
		for _, cv := range g.Columns() {
			if want[cv.Column] {
				set = append(set, cv)
			}
		}
		if len(set) == 0 {
			return nil
		}
		if want["job_fair_id"] && g.JobFairID != "" {
			// The job fair named must be one the station holds.
			if err := requireProgrammeRow(ctx, tx, "job_fair_id", records.JobFairs, g.JobFairID); err != nil {
				return err
			}
		}
		_, err = s.edit(ctx, tx, replica.Edit{Table: records.Gigs, Row: id, Set: set})
		return err
	})
	if err == nil {
		s.written()
	}
	return err
}

// Place puts a worker into an open gig. The gig's headcount is checked in the
// same transaction; the placement that fills it marks the gig filled.
func (s *Station) Place(ctx context.Context, p records.Placement) (ident.ID, error) {
	if p.PlacedOn == "" {
		p.PlacedOn = s.Today()
	}
	if err := p.Validate(); err != nil {
		return ident.Zero, err
	}
	id, err := s.newID()
	if err != nil {
		return id, err
	}
	_, err = s.r.Update(ctx, func(tx *replica.Tx) error {
		wid, err := requireWorker(ctx, tx, "worker_id", p.WorkerID)
		if err != nil {
			return err
		}
		// A person who left the station's lists (迁出, 死亡) is placed
		// in no gig until they return (Station.Return).
		wrow, err := tx.Row(ctx, records.Workers, wid)
		if err != nil {
			return fmt.Errorf("read worker: %w", err)
		}
		if left, _ := wrow["left_reason"].(string); left != "" {
			return &ConflictError{ID: wid, Field: "worker_id", Key: records.KeyAlreadyLeft}
		}
		gid, _ := ident.ParseID(p.GigID)
		row, err := tx.Row(ctx, records.Gigs, gid)
		if err != nil {
			return fmt.Errorf("read gig: %w", err)
		}
		if row == nil || row[replica.DeletedColumn] == int64(1) {
			return &records.FieldError{Field: "gig_id", Key: records.KeyNoGig}
		}
		g := gigFromMap(gid, row)
		if p.Status != records.PlacementPlaced {
			_, err := s.edit(ctx, tx, replica.Edit{Table: records.Placements, Row: id,
				Set: append(p.Columns(), replica.ColumnValue{Column: "station", Value: s.cfg.Name})})
			return err
		}
		if g.Status != records.GigOpen {
			return &ConflictError{ID: gid, Field: "gig_id", Key: records.KeyGigNotOpen}
		}
		var placed, same int64
		err = tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(worker_id = ?), 0) FROM placements
			WHERE gig_id = ? AND fs_deleted = 0 AND status = ?`, p.WorkerID, p.GigID, records.PlacementPlaced).Scan(&placed, &same)
		if err != nil {
			return fmt.Errorf("count placements: %w", err)
		}
		if same > 0 {
			return &ConflictError{ID: gid, Field: "worker_id", Key: records.KeyAlreadyPlaced}
		}
		// The county's count (GigView.Placed): the hub's, or this
		// station's own when its latest placements have not reached the hub.
		county, err := gigPlacedByCounty(ctx, tx, gid)
		if err != nil {
			return err
		}
		placed = max(placed, county)
		if placed >= g.Headcount {
			return &ConflictError{ID: gid, Field: "gig_id", Key: records.KeyGigFull}
		}
		if _, err := s.edit(ctx, tx, replica.Edit{Table: records.Placements, Row: id,
			Set: append(p.Columns(), replica.ColumnValue{Column: "station", Value: s.cfg.Name})}); err != nil {
			return fmt.Errorf("place worker: %w", err)
		}
		if placed+1 == g.Headcount {
			_, err = s.edit(ctx, tx, replica.Edit{Table: records.Gigs, Row: gid,
				Set: []replica.ColumnValue{{Column: "status", Value: records.GigFilled}}})
		}
		return err
	})
	if err != nil {
		return id, err
	}
	s.written()
	return id, nil
}

// gigPlacedByCounty reads the hub's count of the people placed in a gig
// (records.GigFill; 0 when the hub has sent none).
func gigPlacedByCounty(ctx context.Context, tx *replica.Tx, gid ident.ID) (int64, error) {
	row, err := tx.Row(ctx, records.GigFill, gid)
	if err != nil {
		return 0, fmt.Errorf("read gig fill: %w", err)
	}
	if row == nil || row[replica.DeletedColumn] == int64(1) {
		return 0, nil
	}
	n, _ := row["placed"].(int64)
	return n, nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}
