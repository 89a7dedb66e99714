package station

import (
	"context"
	"errors"
	"fmt"

	"fieldsync/records"
	"fieldsync/replica"
)

// Who entered a value: every edit the station makes of a table with
// records.EnteredBy writes that column, in the same change and so with the
// same version as the fields it changes, with the name of the staff member
// logged in, or LocalUser when nobody is (a station on loopback asks for no
// login). The hub reads it back to name who entered each value of a conflict
// and of a record's history. The column is bookkeeping, like station: never
// marked as a conflict here, never queued at the hub.

// LocalUser is the entered_by of edits made without a staff login: on a
// station bound to loopback, which asks for none, whoever sits at its PC.
const LocalUser = "本机"

type userKey struct{}

// WithUser names the staff member behind what ctx writes (entered_by); ""
// leaves it to LocalUser.
func WithUser(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, userKey{}, name)
}

// LoggedIn names the staff member ctx carries, "" when none.
func LoggedIn(ctx context.Context) string {
	u, _ := ctx.Value(userKey{}).(string)
	return u
}

// UserOf names the staff member behind a context (LocalUser when no one is
// logged in: loopback, the command line).
func UserOf(ctx context.Context) string {
	if u, _ := ctx.Value(userKey{}).(string); u != "" {
		return u
	}
	return LocalUser
}

// edit is tx.Edit with entered_by: when the edit writes anything, it writes
// the user's name with it. An edit that writes nothing (a form saved
// unchanged) stays a no-op rather than becoming a change of entered_by alone.
func (s *Station) edit(ctx context.Context, tx *replica.Tx, e replica.Edit) (*replica.Change, error) {
	t, ok := s.r.Schema().Table(e.Table)
	if !ok {
		return nil, fmt.Errorf("%w: %s", replica.ErrUnknownTable, e.Table)
	}
	if _, ok := t.Column(records.EnteredBy); ok {
		writes, err := editWrites(ctx, tx, t, &e)
		if err != nil {
			return nil, err
		}
		if writes {
			set := make([]replica.ColumnValue, 0, len(e.Set)+1)
			for _, cv := range e.Set {
				if cv.Column != records.EnteredBy {
					set = append(set, cv)
				}
			}
			e.Set = append(set, replica.ColumnValue{Column: records.EnteredBy, Value: UserOf(ctx)})
		}
	}
	return tx.Edit(ctx, e)
}

// editWrites tells whether tx.Edit would write any field of e other than
// entered_by, by the replica's rule: a column is written unless it has one
// head holding the new value (a column in conflict is always written); a set
// element unless it already is so with one head; the tombstone unless set.
// When unsure (a value of an unexpected type) it answers yes: the edit then
// fails or writes, as it would have.
func editWrites(ctx context.Context, tx *replica.Tx, t *replica.Table, e *replica.Edit) (bool, error) {
	heads, err := tx.Heads(ctx, e.Table, e.Row)
	if errors.Is(err, replica.ErrNotFound) {
		heads, err = nil, nil // a new row: any value written is a change
	}
	if err != nil {
		return false, fmt.Errorf("read heads: %w", err)
	}
	find := func(col int, elem string) *replica.ColumnHeads {
		for i := range heads {
			if heads[i].Col == col && heads[i].Elem == elem {
				return &heads[i]
			}
		}
		return nil
	}
	// elemWrites: setting an element present (or absent) writes unless it is
	// so already, with a single head.
	elemWrites := func(col int, elem string, present bool) bool {
		ch := find(col, elem)
		if ch == nil {
			return present
		}
		if len(ch.Heads) > 1 {
			return true
		}
		return (len(ch.Heads) == 1 && ch.Heads[0].Value == int64(1)) != present
	}
	for _, cv := range e.Set {
		if cv.Column == records.EnteredBy {
			continue
		}
		col, ok := t.Column(cv.Column)
		if !ok {
			return true, nil // tx.Edit reports it
		}
		if t.ColumnType(col) == replica.Set {
			want, ok := cv.Value.([]string)
			if !ok && cv.Value != nil {
				return true, nil
			}
			keep := map[string]bool{}
			for _, el := range want {
				keep[el] = true
				if elemWrites(col, el, true) {
					return true, nil
				}
			}
			for i := range heads {
				ch := &heads[i]
				if ch.Col == col && ch.Elem != "" && !keep[ch.Elem] && presentElem(ch) && elemWrites(col, ch.Elem, false) {
					return true, nil
				}
			}
			continue
		}
		ch := find(col, "")
		if ch == nil || len(ch.Heads) == 0 {
			if cv.Value != nil {
				return true, nil
			}
			continue
		}
		if len(ch.Heads) != 1 || !replica.SameValue(t.ColumnType(col), ch.Heads[0].Value, cv.Value) {
			return true, nil
		}
	}
	for _, se := range e.Add {
		if col, ok := t.Column(se.Column); !ok || elemWrites(col, se.Elem, true) {
			return true, nil
		}
	}
	for _, se := range e.Remove {
		if col, ok := t.Column(se.Column); !ok || elemWrites(col, se.Elem, false) {
			return true, nil
		}
	}
	if e.Delete {
		col, _ := t.Column(replica.DeletedColumn)
		ch := find(col, "")
		if ch == nil || len(ch.Heads) != 1 || ch.Heads[0].Value != int64(1) {
			return true, nil
		}
	}
	return false, nil
}

// presentElem reports whether a set element is present: some head adds it.
func presentElem(ch *replica.ColumnHeads) bool {
	for _, h := range ch.Heads {
		if h.Value == int64(1) {
			return true
		}
	}
	return false
}
