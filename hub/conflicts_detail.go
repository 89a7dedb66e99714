package hub

import (
	"context"

	"fieldsync/ident"
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
	d := ConflictDetail{Conflict: c, History: []HistoryEntry{}}
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
