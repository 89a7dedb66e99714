package station

import (
	"context"
	"fmt"
	"slices"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// ProgrammeRecord is a record of one of the county's placement programmes
// (records.WelfarePost, records.WelfarePlacement, ...): what SaveProgramme
// writes.
type ProgrammeRecord interface {
	Validate() error
	Columns() []replica.ColumnValue
}

// programmeCheck is a rule of one programme table that needs other rows (a
// person's second welfare post at once): it runs inside the write's
// transaction, after the record validated and its references were found,
// with the row's id (new or existing) and the record. It returns a
// *records.FieldError or *ConflictError naming the field to refuse.
type programmeCheck func(ctx context.Context, s *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error

// programmeChecks holds each table's rules that need other rows; a file of
// the programme adds its own in init.
var programmeChecks = map[string][]programmeCheck{}

// programmeAfter holds what a table's write does next in the same
// transaction (a welfare placement records the month's status); a file of
// the programme adds its own in init.
var programmeAfter = map[string][]programmeCheck{}

// SaveProgramme writes rec to a programme table, all of it in one
// transaction: a new row when id is zero (its id is returned), else the row
// id, which must exist and which only its maker edits when the table is
// county-wide. It refuses, naming the field: a record that does not
// validate; a person the station does not hold (worker_id) or a person's
// record moved to another person; a new record of a person who left the
// lists (a *ConflictError); a post, workshop, project, batch,
// placement, partner region, course, start-up or expert that does not exist
// (records.Refs);
// the table's own rules (programmeChecks).
func (s *Station) SaveProgramme(ctx context.Context, table string, id ident.ID, rec ProgrammeRecord) (ident.ID, error) {
	if err := rec.Validate(); err != nil {
		return id, err
	}
	if id.IsZero() {
		var err error
		if id, err = s.newID(); err != nil {
			return id, err
		}
	}
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		return s.saveProgrammeTx(ctx, tx, table, id, rec)
	})
	if err != nil {
		return id, err
	}
	s.written()
	return id, nil
}

// saveProgrammeTx is SaveProgramme's write inside tx, for an import that
// writes a whole sheet in one transaction. rec must have validated.
func (s *Station) saveProgrammeTx(ctx context.Context, tx *replica.Tx, table string, id ident.ID, rec ProgrammeRecord) error {
	if !isProgrammeTable(table) {
		return fmt.Errorf("save %s: not a programme table", table)
	}
	row, err := tx.Row(ctx, table, id)
	if err != nil {
		return fmt.Errorf("save %s: %w", table, err)
	}
	exists := row != nil && row[replica.DeletedColumn] != int64(1)
	if row != nil && !exists {
		return fmt.Errorf("%s %s: %w", table, id, ErrNotFound)
	}
	cols := rec.Columns()
	if slices.Contains(records.CountyWideTables, table) {
		if exists && str(row["station"]) != s.cfg.Name {
			return &records.FieldError{Field: "station", Key: records.KeyNotMaker}
		}
	} else {
		worker := columnText(cols, "worker_id")
		wid, err := requireWorker(ctx, tx, "worker_id", worker)
		if err != nil {
			return err
		}
		if exists && str(row["worker_id"]) != worker {
			return &records.FieldError{Field: "worker_id", Key: records.KeyWorkerFixed}
		}
		if !exists {
			// A person who left the lists gets no new record (as a gig
			// placement); the ones they have stay editable.
			wrow, err := tx.Row(ctx, records.Workers, wid)
			if err != nil {
				return fmt.Errorf("read worker: %w", err)
			}
			if str(wrow["left_reason"]) != "" {
				return &ConflictError{ID: wid, Field: "worker_id", Key: records.KeyAlreadyLeft}
			}
		}
	}
	for _, ref := range records.RefsFrom(table) {
		if v := columnText(cols, ref.Column); v != "" {
			if err := requireProgrammeRow(ctx, tx, ref.Column, ref.Table, v); err != nil {
				return err
			}
		}
	}
	for _, check := range programmeChecks[table] {
		if err := check(ctx, s, tx, id, rec); err != nil {
			return err
		}
	}
	set := append(cols, replica.ColumnValue{Column: "station", Value: s.cfg.Name})
	if exists {
		set = cols // the maker's station stays
	}
	if _, err := s.edit(ctx, tx, replica.Edit{Table: table, Row: id, Set: set}); err != nil {
		return fmt.Errorf("save %s: %w", table, err)
	}
	for _, after := range programmeAfter[table] {
		if err := after(ctx, s, tx, id, rec); err != nil {
			return err
		}
	}
	return nil
}

// DeleteProgramme deletes a programme row: a person's record, or a
// county-wide row the station made, that no other row names (a placement
// with assessments, a post with placements).
func (s *Station) DeleteProgramme(ctx context.Context, table string, id ident.ID) error {
	if !isProgrammeTable(table) {
		return fmt.Errorf("delete %s: not a programme table", table)
	}
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		row, err := tx.Row(ctx, table, id)
		if err != nil {
			return fmt.Errorf("delete %s: %w", table, err)
		}
		if row == nil || row[replica.DeletedColumn] == int64(1) {
			return fmt.Errorf("%s %s: %w", table, id, ErrNotFound)
		}
		if slices.Contains(records.CountyWideTables, table) && str(row["station"]) != s.cfg.Name {
			return &records.FieldError{Field: "station", Key: records.KeyNotMaker}
		}
		// A row another names (a post its placements, a placement its
		// assessments) stays while they do.
		for _, ref := range records.RefsTo(table) {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+ref.From+` WHERE `+ref.Column+` = ? AND fs_deleted = 0`,
				id.String()).Scan(&n); err != nil {
				return fmt.Errorf("delete %s: count %s: %w", table, ref.From, err)
			}
			if n > 0 {
				return &ConflictError{ID: id, Field: "id", Key: records.KeyInUse}
			}
		}
		_, err = s.edit(ctx, tx, replica.Edit{Table: table, Row: id, Delete: true})
		return err
	})
	if err == nil {
		s.written()
	}
	return err
}

// requireProgrammeRow refuses, naming field, a reference to a row of table
// the station does not hold.
func requireProgrammeRow(ctx context.Context, tx *replica.Tx, field, table, hexID string) error {
	id, err := ident.ParseID(hexID)
	if err != nil {
		return &records.FieldError{Field: field, Key: records.KeyNoProgrammeRow}
	}
	row, err := tx.Row(ctx, table, id)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	if row == nil || row[replica.DeletedColumn] == int64(1) {
		return &records.FieldError{Field: field, Key: records.KeyNoProgrammeRow}
	}
	return nil
}

func isProgrammeTable(t string) bool {
	return slices.Contains(records.CountyWideTables, t) || slices.Contains(records.PersonRecordTables, t)
}

// columnText is the text value of column c among cols, or "".
func columnText(cols []replica.ColumnValue, c string) string {
	for _, cv := range cols {
		if cv.Column == c {
			s, _ := cv.Value.(string)
			return s
		}
	}
	return ""
}
