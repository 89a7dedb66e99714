package station

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
)

// ProgrammeExport is a programme table as its register's sheet
// (ProgrammeSheets) writes it, so that an export imports again: the
// sheet's headers, and a row per live record with people by name and id
// number and posts, workshops, projects, partner regions and batches by
// their names. A person's records are the station's own people's; a
// county-wide table is exported whole.
func (s *Station) ProgrammeExport(ctx context.Context, table string) (sheet string, header []string, rows [][]any, err error) {
	ps := ProgrammeSheetOf(table)
	if ps == nil {
		return "", nil, nil, fmt.Errorf("export %s: %w", table, ErrNotFound)
	}
	tx, err := s.r.DB().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return "", nil, nil, fmt.Errorf("export %s: %w", table, err)
	}
	defer tx.Rollback() // read only: nothing to commit
	ex := &programmeExporter{ctx: ctx, tx: tx, names: map[string]map[string][]string{}}
	var cols []string // the table's columns the sheet shows
	for _, c := range ps.Columns {
		switch c.Field {
		case fieldPersonName, fieldPostVillage, fieldBatchDestination:
		default:
			cols = append(cols, c.Field)
		}
	}
	person := slices.Contains(records.ProgrammePersonTables, table)
	q := `SELECT t.` + strings.Join(cols, ", t.") + ` FROM ` + table + ` t`
	var args []any
	if person {
		// worker_id holds the worker's row id in hex; the station's own
		// people are those of its name.
		q += ` JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0 AND w.station = ?`
		args = append(args, s.cfg.Name)
	}
	q += ` WHERE t.fs_deleted = 0 ORDER BY t.` + strings.Join(ps.keys, ", t.") + `, t.id`
	rs, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return "", nil, nil, fmt.Errorf("export %s: %w", table, err)
	}
	var raw [][]any
	for rs.Next() {
		vals := make([]any, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rs.Scan(dest...); err != nil {
			rs.Close()
			return "", nil, nil, fmt.Errorf("export %s: %w", table, err)
		}
		raw = append(raw, vals)
	}
	err = rs.Err()
	rs.Close()
	if err != nil {
		return "", nil, nil, fmt.Errorf("export %s: %w", table, err)
	}
	for _, vals := range raw {
		got := map[string]any{}
		for i, c := range cols {
			got[c] = vals[i]
		}
		row := make([]any, len(ps.Columns))
		for i, c := range ps.Columns {
			if row[i], err = ex.cell(ps, c, got); err != nil {
				return "", nil, nil, fmt.Errorf("export %s: %w", table, err)
			}
		}
		rows = append(rows, row)
	}
	return ps.Sheet, ps.Headers(), rows, nil
}

// programmeExporter reads the names an export shows for the rows its
// records name, each table once.
type programmeExporter struct {
	ctx   context.Context
	tx    *sql.Tx
	names map[string]map[string][]string // table → hex id → the columns named
}

// lookup is the named columns of a row of table (by its hex id), nil when
// it is not held.
func (ex *programmeExporter) lookup(table, hexID string, cols ...string) ([]string, error) {
	key := table + "\x00" + strings.Join(cols, ",")
	m, ok := ex.names[key]
	if !ok {
		m = map[string][]string{}
		ex.names[key] = m
	}
	if v, ok := m[hexID]; ok {
		return v, nil
	}
	id, err := ident.ParseID(hexID)
	if err != nil { // no reference (or not one): the cell is blank
		m[hexID] = nil
		return nil, nil
	}
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	err = ex.tx.QueryRowContext(ex.ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table+
		` WHERE id = ? AND fs_deleted = 0`, id[:]).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		m[hexID] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, len(cols))
	for i, v := range vals {
		out[i] = valueText(v)
	}
	m[hexID] = out
	return out, nil
}

// cell is column c of a row as the sheet shows it.
func (ex *programmeExporter) cell(ps *ProgrammeSheet, c ProgrammeColumn, got map[string]any) (any, error) {
	at := func(vals []string, i int) any {
		if i < len(vals) && vals[i] != "" {
			return vals[i]
		}
		return nil
	}
	switch c.Field {
	case "worker_id", fieldPersonName:
		w, err := ex.lookup(records.Workers, str(got["worker_id"]), "id_number", "name")
		if c.Field == "worker_id" {
			return at(w, 0), err
		}
		return at(w, 1), err
	case "post_id", fieldPostVillage:
		if ps.Table == records.WelfareAssessments {
			pl, err := ex.lookup(records.WelfarePlacements, str(got["placement_id"]), "post_id")
			if err != nil || pl == nil {
				return nil, err
			}
			got = map[string]any{"post_id": pl[0]}
		}
		p, err := ex.lookup(records.WelfarePosts, str(got["post_id"]), "name", "village")
		if c.Field == "post_id" {
			return at(p, 0), err
		}
		return at(p, 1), err
	case "placement_id":
		pl, err := ex.lookup(records.WelfarePlacements, str(got["placement_id"]), "post_id")
		if err != nil || pl == nil {
			return nil, err
		}
		p, err := ex.lookup(records.WelfarePosts, pl[0], "name")
		return at(p, 0), err
	case "workshop_id", "project_id", "partner_region_id":
		table := map[string]string{"workshop_id": records.Workshops, "project_id": records.WorkReliefProjects,
			"partner_region_id": records.PartnerRegions}[c.Field]
		v, err := ex.lookup(table, str(got[c.Field]), "name")
		return at(v, 0), err
	case "batch_id", fieldBatchDestination:
		b, err := ex.lookup(records.ExportBatches, str(got["batch_id"]), "sent_on", "destination")
		if c.Field == "batch_id" {
			return at(b, 0), err
		}
		return at(b, 1), err
	}
	v := got[c.Field]
	switch c.kind {
	case cellBool:
		if valueText(v) == "1" {
			return "是", nil
		}
		return "否", nil
	case cellNumber:
		switch n := v.(type) {
		case int64:
			return n, nil
		case float64:
			return n, nil
		}
		return nil, nil
	}
	if s := valueText(v); s != "" {
		return s, nil
	}
	return nil, nil
}
