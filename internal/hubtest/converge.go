package hubtest

import (
	"context"
	"fmt"
	"testing"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/replica"
)

// Converged reports whether the station holds exactly the hub's rows and
// merge state for its scope, and whether the hub holds all the station wrote.
func Converged(t testing.TB, h *hub.Hub, s *Station) bool {
	t.Helper()
	ctx := context.Background()
	hh, hn, err := h.Replica().ContentHash(ctx, h.ScopeFilter(s.Name))
	if err != nil {
		t.Fatal(err)
	}
	sh, sn, err := s.Rep.ContentHash(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hh != sh || hn != sn {
		if testing.Verbose() {
			t.Logf("%s: hub scope %d rows, station %d rows", s.Name, hn, sn)
		}
		return false
	}
	// Every own change is at the hub, once. (A station may log its own
	// version again when the hub relays it marked replaced; the hub never.)
	mine, _ := OwnChanges(t, s.Rep, s.Rep.Site())
	atHub, dup := OwnChanges(t, h.Replica(), s.Rep.Site())
	if dup > 0 {
		t.Fatalf("the hub logged %d of %s's changes twice", dup, s.Name)
	}
	return mine == atHub
}

// OwnChanges counts the distinct changes (row, version) site made in r's log,
// and how many were logged more than once.
func OwnChanges(t testing.TB, r *replica.Replica, site replica.SiteID) (n, dup int) {
	t.Helper()
	type key struct {
		row ident.ID
		v   replica.Version
	}
	seen := map[key]bool{}
	var after uint64
	for {
		entries, scanned, err := r.ReadLog(context.Background(), after, replica.LogQuery{Site: site, Limit: 100000, MaxBytes: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		if scanned == after {
			return len(seen), dup
		}
		for _, e := range entries {
			k := key{e.Change.Row, e.Change.Version}
			if seen[k] {
				dup++
			}
			seen[k] = true
		}
		after = scanned
	}
}

// RowCount is the number of rows of the table at r.
func RowCount(t testing.TB, r *replica.Replica, table string) int {
	t.Helper()
	var n int
	if err := r.DB().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// StationValue reads one column of a row at a station.
func StationValue(t testing.TB, r *replica.Replica, table string, id ident.ID, col string) any {
	t.Helper()
	var v any
	if err := r.DB().QueryRow(`SELECT `+col+` FROM `+table+` WHERE id = ?`, id[:]).Scan(&v); err != nil {
		return nil
	}
	return v
}

// SettledAt reports whether the column holds one head with the value at r.
func SettledAt(t testing.TB, r *replica.Replica, table string, id ident.ID, col string, want any) bool {
	t.Helper()
	heads, err := r.Heads(context.Background(), table, id)
	if err != nil {
		return false
	}
	for _, c := range heads {
		if c.Column == col {
			return len(c.Heads) == 1 && fmt.Sprint(c.Heads[0].Value) == fmt.Sprint(want)
		}
	}
	return false
}
