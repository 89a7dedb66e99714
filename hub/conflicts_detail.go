package hub

import (
	"context"
	"fmt"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
)

// ConflictDetail is a conflict with the history of its record's column.
type ConflictDetail struct {
	Conflict
	History []HistoryEntry `json:"history"`
}

// ConflictWithHistory reads a conflict and the changes of its record (for a
// field conflict, only those that wrote its column).
func (h *Hub) ConflictWithHistory(ctx context.Context, id int64) (ConflictDetail, error) {
	c, err := h.Conflict(ctx, id)
	if err != nil {
		return ConflictDetail{}, err
	}
	one := []Conflict{c}
	if err := h.NameConflicts(ctx, one); err != nil {
		return ConflictDetail{}, err
	}
	d := ConflictDetail{Conflict: one[0], History: []HistoryEntry{}}
	row, err := ident.ParseID(c.Row)
	if err != nil {
		return d, nil
	}
	names, err := h.historyNames(ctx)
	if err != nil {
		return d, err
	}
	rh, err := h.history(ctx, names, c.Table, row)
	if err != nil {
		return d, err
	}
	for _, e := range rh.Entries {
		if c.Kind == KindField {
			var fs []HistoryField
			for _, f := range e.Fields {
				if f.Column == c.Column {
					fs = append(fs, f)
				}
			}
			if len(fs) == 0 {
				continue
			}
			e.Fields = fs
		}
		d.History = append(d.History, e)
	}
	return d, nil
}

// NameConflicts completes, in place, how a list of conflicts names its
// records: a conflict recorded before its person's record reached the hub
// (a status arriving first) gets the person's name and masked id number,
// or the gig's title, from the records as they are now; and every conflict
// of a person gets the person's residence village (Village), so that the
// queue says where the person lives.
func (h *Hub) NameConflicts(ctx context.Context, list []Conflict) error {
	for i := range list {
		c := &list[i]
		if c.WorkerName != "" || c.Label != "" {
			continue
		}
		row, err := ident.ParseID(c.Row)
		if err != nil {
			continue
		}
		table := c.Table
		if workerKeyed(c.Kind) {
			table = records.Workers // its row is the worker's
		}
		l, err := labelOf(ctx, h.currentRow, table, row)
		if err != nil {
			return fmt.Errorf("name conflict %d: %w", c.ID, err)
		}
		if !l.id.IsZero() {
			c.WorkerID, c.WorkerName, c.IDNumber = l.id.String(), l.name, l.masked
		}
		c.Label = l.label
	}
	var ids []any
	seen := map[string]bool{}
	for _, c := range list {
		if id, err := ident.ParseID(c.WorkerID); err == nil && !seen[c.WorkerID] {
			seen[c.WorkerID] = true
			ids = append(ids, id[:])
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT id, coalesce(residence_village, '') FROM `+records.Workers+
		` WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return fmt.Errorf("conflicts' villages: %w", err)
	}
	defer rows.Close()
	village := map[string]string{}
	for rows.Next() {
		var id []byte
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return fmt.Errorf("conflicts' villages: %w", err)
		}
		var w ident.ID
		copy(w[:], id)
		village[w.String()] = v
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("conflicts' villages: %w", err)
	}
	for i := range list {
		list[i].Village = village[list[i].WorkerID]
	}
	return nil
}
