package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The county's own programme rows: a welfare post, a workshop, a
// work-relief project, a partner region or an export batch the county runs
// itself. They are county-wide rows like a station's (every station
// receives them), with records.County as their station, so that no station
// edits them; the county in turn edits no station's row (DESIGN "Trust": a
// county-wide row is edited by its maker).

// CountyRecord is a record of a county-wide programme table
// (*records.WelfarePost, *records.Workshop, *records.WorkReliefProject,
// *records.PartnerRegion, *records.ExportBatch).
type CountyRecord interface {
	Validate() error
	Columns() []replica.ColumnValue
}

// countyRecordOK reports whether rec is the record type of table.
func countyRecordOK(table string, rec CountyRecord) bool {
	switch rec.(type) {
	case *records.WelfarePost:
		return table == records.WelfarePosts
	case *records.Workshop:
		return table == records.Workshops
	case *records.WorkReliefProject:
		return table == records.WorkReliefProjects
	case *records.PartnerRegion:
		return table == records.PartnerRegions
	case *records.ExportBatch:
		return table == records.ExportBatches
	case *records.Training:
		return table == records.Trainings
	case *records.Expert:
		return table == records.Experts
	case *records.JobFair:
		return table == records.JobFairs
	}
	return false
}

// SaveCountyProgramme writes rec, a row of a county-wide programme table,
// as the county's own: a new row when id is zero (its id is returned), else
// the row id, which must exist and be the county's (records.KeyNotMaker
// for a station's). The row carries records.County as its station and
// who's name as entered_by, validates as a station's would, and must name
// a partner region that exists; the write and its audit entry commit
// together, and every station's session is woken to receive it. A refusal
// is a *records.FieldError naming the field.
func (h *Hub) SaveCountyProgramme(ctx context.Context, table string, id ident.ID, rec CountyRecord, who access.Actor) (ident.ID, error) {
	if !slices.Contains(records.CountyWideTables, table) || !countyRecordOK(table, rec) {
		return id, fmt.Errorf("save county programme %s: not a county-wide programme table or not its record", table)
	}
	if who.User == "" {
		return id, fmt.Errorf("save county programme %s: no administrator", table)
	}
	if err := rec.Validate(); err != nil {
		return id, err
	}
	given := !id.IsZero()
	if !given {
		var err error
		if id, err = ident.NewTimeOrdered(h.now()); err != nil {
			return id, fmt.Errorf("save county programme %s: %w", table, err)
		}
	}
	cols := rec.Columns()
	// Under applyMu, as every write the hub makes (see Write).
	h.applyMu.Lock()
	chs, err := h.rep.Update(ctx, func(tx *replica.Tx) error {
		row, err := tx.Row(ctx, table, id)
		if err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		exists := row != nil && row[replica.DeletedColumn] != int64(1)
		if row != nil && !exists || row == nil && given {
			// An id names a row the county edits; the hub makes new ids.
			return &records.FieldError{Field: "id", Key: records.KeyNoProgrammeRow}
		}
		if exists && row["station"] != records.County {
			return &records.FieldError{Field: "station", Key: records.KeyNotMaker}
		}
		for _, ref := range records.RefsFrom(table) {
			if err := requireCountyRef(ctx, tx, ref.Column, ref.Table, columnText(cols, ref.Column)); err != nil {
				return err
			}
		}
		set := append(cols, replica.ColumnValue{Column: records.EnteredBy, Value: who.User})
		if !exists {
			set = append(set, replica.ColumnValue{Column: "station", Value: records.County})
		}
		if _, err := tx.Edit(ctx, replica.Edit{Table: table, Row: id, Set: set}); err != nil {
			return fmt.Errorf("save %s: %w", table, err)
		}
		detail, _ := json.Marshal(map[string]any{"table": table, "row": id.String(), "new": !exists})
		return h.acc.AuditIn(ctx, tx.Exec, access.AuditEntry{User: who.User, Action: access.AuditProgramme,
			Detail: string(detail), Remote: who.Remote})
	})
	if err == nil {
		h.refreshNames(ctx, chs)
	}
	h.applyMu.Unlock()
	if err != nil {
		return id, err
	}
	h.settleWritten(ctx, chs)
	h.afterHubWrite(ctx, chs)
	return id, nil
}

// requireCountyRef refuses, naming field, a reference to a row of table the
// hub does not hold ("" names none: the reference is optional).
func requireCountyRef(ctx context.Context, tx *replica.Tx, field, table, hexID string) error {
	if hexID == "" {
		return nil
	}
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
