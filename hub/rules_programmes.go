package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The placement programmes' merge rules (DESIGN "Conflicts"): a person's
// records that two stations each kept within the rules, and that together
// break one. A welfare post (乡村公益性岗位) is for a person who cannot leave
// home (76号 (十六)), so it excludes a second post at once, work 区外 in a
// month the post covers, and being sent out in an export batch while in the
// post. Each rule is keyed on the person (row: the worker, col: ""), like
// two open registrations, and is settled as soon as the person's records
// no longer break it.

// Kinds of the programmes' rule conflicts.
const (
	KindTwoWelfare       = "two_welfare_posts"      // one person in two welfare posts at once
	KindWelfareAwayMonth = "welfare_post_and_away"  // in a welfare post and working 区外 the same month
	KindExportInWelfare  = "export_in_welfare_post" // sent in an export batch while in a welfare post
)

// programmeRules are the programmes' kinds with the table each names its
// conflicts by (the records the rule is about).
var programmeRules = []struct{ kind, table string }{
	{KindTwoWelfare, records.WelfarePlacements},
	{KindWelfareAwayMonth, records.MonthlyStatus},
	{KindExportInWelfare, records.ExportMembers},
}

// workerKeyed reports whether a rule conflict's row is its worker's (not
// a row of its table): the worker names and labels it.
func workerKeyed(kind string) bool {
	if kind == KindTwoOpen {
		return true
	}
	for _, r := range programmeRules {
		if r.kind == kind {
			return true
		}
	}
	return false
}

// touchedProgrammes adds to welfare the worker whose welfare placements,
// months 区外 or export batches change c may have changed. It reads only
// rows the batch already holds, and one indexed query for a batch's new
// date (its members).
func (rc *recorder) touchedProgrammes(ctx context.Context, c *replica.Change, welfare map[ident.ID]bool) error {
	switch c.Table {
	case records.WelfarePlacements, records.ExportMembers:
	case records.MonthlyStatus:
		// Only what can put a month 区外 or take it out.
		t, _ := rc.h.rep.Schema().Table(c.Table)
		if !slices.ContainsFunc(c.Fields, func(f replica.Field) bool {
			switch t.ColumnName(f.Col) {
			case "work_scope", "month", "worker_id", "void_reason", replica.DeletedColumn:
				return true
			}
			return false
		}) {
			return nil
		}
	case records.ExportBatches:
		t, _ := rc.h.rep.Schema().Table(c.Table)
		if !slices.ContainsFunc(c.Fields, func(f replica.Field) bool {
			n := t.ColumnName(f.Col)
			return n == "sent_on" || n == replica.DeletedColumn
		}) {
			return nil
		}
		rows, err := rc.tx.Query(ctx, `SELECT DISTINCT worker_id FROM export_members WHERE batch_id = ?`, c.Row.String())
		if err != nil {
			return fmt.Errorf("members of batch %s: %w", c.Row, err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return fmt.Errorf("members of batch %s: %w", c.Row, err)
			}
			if w, err := ident.ParseID(s); err == nil {
				welfare[w] = true
			}
		}
		return rows.Err()
	default:
		return nil
	}
	v, ok, err := rc.tx.Values(ctx, c.Table, c.Row, "worker_id")
	if err != nil {
		return fmt.Errorf("%s %s: %w", c.Table, c.Row, err)
	}
	if !ok {
		return nil
	}
	if w, err := ident.ParseID(ValueText(v[0])); err == nil {
		welfare[w] = true
	}
	return nil
}

// programmesWritten checks the programmes' rules after the county's own
// edits (Hub.Write): a county-made export batch, or a person's record the
// county wrote, raises or settles them as a station's would.
func (rc *recorder) programmesWritten(ctx context.Context, chs []replica.Change) error {
	welfare := map[ident.ID]bool{}
	for i := range chs {
		if err := rc.touchedProgrammes(ctx, &chs[i], welfare); err != nil {
			return err
		}
	}
	return rc.checkProgrammes(ctx, welfare, AdminSite)
}

// checkProgrammes checks the programmes' rules for the workers a batch
// touched. Two queries for the whole batch find the few that need it: the
// workers who ever held a welfare placement, and those with an open
// conflict of these kinds (to settle).
func (rc *recorder) checkProgrammes(ctx context.Context, workers map[ident.ID]bool, by string) error {
	if len(workers) == 0 {
		return nil
	}
	ids := slices.SortedFunc(maps.Keys(workers), func(a, b ident.ID) int { return bytes.Compare(a[:], b[:]) })
	list := idsJSON(ids)
	placed := map[ident.ID]bool{}
	if err := rc.scanIDs(ctx, placed, nil, `SELECT DISTINCT worker_id, '' FROM welfare_placements
		WHERE worker_id IN (SELECT value FROM json_each(?))`, list); err != nil {
		return fmt.Errorf("welfare placements of the batch's people: %w", err)
	}
	open := map[ident.ID][]string{}
	if err := rc.scanIDs(ctx, nil, open, `SELECT row, kind FROM hub_conflicts WHERE status = 'open'
		AND row IN (SELECT value FROM json_each(?)) AND kind IN (?, ?, ?)`,
		list, KindTwoWelfare, KindWelfareAwayMonth, KindExportInWelfare); err != nil {
		return fmt.Errorf("open programme conflicts of the batch's people: %w", err)
	}
	for _, w := range ids {
		if !placed[w] && len(open[w]) == 0 {
			continue
		}
		if err := rc.programmeRulesOf(ctx, w, open[w], by, Resolution{How: "cleared", Station: by}); err != nil {
			return err
		}
	}
	return nil
}

// scanIDs reads rows of (worker id as hex text, text) into set (the ids)
// or byID (the texts by id).
func (rc *recorder) scanIDs(ctx context.Context, set map[ident.ID]bool, byID map[ident.ID][]string, query string, args ...any) error {
	rows, err := rc.tx.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s, v string
		if err := rows.Scan(&s, &v); err != nil {
			return err
		}
		w, err := ident.ParseID(s)
		if err != nil {
			continue
		}
		if set != nil {
			set[w] = true
		}
		if byID != nil {
			byID[w] = append(byID[w], v)
		}
	}
	return rows.Err()
}

// welfareTerm is one of a person's welfare placements, as the rules read it.
type welfareTerm struct {
	id            ident.ID
	station, post string
	start, until  string // the contract's start; the last day held (records.WelfarePlacement.Until)
}

func (p welfareTerm) value() ConflictValue {
	return ConflictValue{Value: p.post, Column: "post_id", Row: p.id.String(), Station: p.station,
		Note: p.start + "—" + p.until}
}

// covers reports whether the placement holds its post on day (a date).
func (p welfareTerm) covers(day string) bool { return p.start <= day && day <= p.until }

// coversMonth reports whether the placement holds its post on some day of
// month (YYYY-MM).
func (p welfareTerm) coversMonth(month string) bool {
	return p.start[:7] <= month && month <= p.until[:7]
}

// programmeRulesOf checks the three rules for one worker and raises or
// settles each; open are the kinds of the worker's open conflicts.
func (rc *recorder) programmeRulesOf(ctx context.Context, worker ident.ID, open []string, by string, how Resolution) error {
	terms, err := rc.welfareTerms(ctx, worker)
	if err != nil {
		return err
	}
	found := map[string][]ConflictValue{}
	// Two posts at once: every placement that overlaps another.
	var two []ConflictValue
	for i, p := range terms {
		if slices.ContainsFunc(terms, func(q welfareTerm) bool { return q.id != p.id && p.start <= q.until && q.start <= p.until }) {
			two = append(two, terms[i].value())
		}
	}
	found[KindTwoWelfare] = two
	if len(terms) > 0 {
		if found[KindWelfareAwayMonth], err = rc.awayInWelfare(ctx, worker, terms); err != nil {
			return err
		}
		if found[KindExportInWelfare], err = rc.sentInWelfare(ctx, worker, terms); err != nil {
			return err
		}
	}
	for _, r := range programmeRules {
		vals := found[r.kind]
		if len(vals) < 2 {
			if slices.Contains(open, r.kind) {
				if err := rc.settle(ctx, r.kind, r.table, worker, "", by, how); err != nil {
					return err
				}
			}
			continue
		}
		if !slices.Contains(open, r.kind) {
			dismissed, err := rc.dismissedBefore(ctx, r.kind, r.table, worker, vals)
			if err != nil {
				return err
			}
			if dismissed {
				continue
			}
		}
		var stations []string
		for i := range vals {
			vals[i].Index = i
			if !slices.Contains(stations, vals[i].Station) {
				stations = append(stations, vals[i].Station)
			}
		}
		if err := rc.upsert(ctx, r.kind, r.table, worker, "", stations, vals); err != nil {
			return err
		}
	}
	return nil
}

// welfareTerms reads a worker's live welfare placements, each with its
// post's name, in the order of their start.
func (rc *recorder) welfareTerms(ctx context.Context, worker ident.ID) ([]welfareTerm, error) {
	rows, err := rc.tx.Query(ctx, `SELECT p.id, coalesce(p.station, ''), coalesce(w.name, ''),
		coalesce(p.contract_start, ''), coalesce(p.contract_end, ''), coalesce(p.exit_on, '')
		FROM welfare_placements p LEFT JOIN welfare_posts w ON w.id = unhex(p.post_id)
		WHERE p.worker_id = ? AND p.fs_deleted = 0 ORDER BY p.contract_start, p.id`, worker.String())
	if err != nil {
		return nil, fmt.Errorf("welfare placements of %s: %w", worker, err)
	}
	defer rows.Close()
	var out []welfareTerm
	for rows.Next() {
		var id []byte
		var p welfareTerm
		var end, exit string
		if err := rows.Scan(&id, &p.station, &p.post, &p.start, &end, &exit); err != nil {
			return nil, fmt.Errorf("welfare placements of %s: %w", worker, err)
		}
		copy(p.id[:], id)
		wp := records.WelfarePlacement{ContractEnd: end, ExitOn: exit}
		p.until = wp.Until()
		if !isDate(p.start) || !isDate(p.until) || p.until < p.start {
			continue // never held (an exit on its first day), or not a term at all
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func isDate(s string) bool {
	_, err := time.Parse(records.DateLayout, s)
	return err == nil
}

// awayInWelfare lists the worker's live months 区外 that a welfare
// placement covers, and those placements.
func (rc *recorder) awayInWelfare(ctx context.Context, worker ident.ID, terms []welfareTerm) ([]ConflictValue, error) {
	rows, err := rc.tx.Query(ctx, `SELECT id, coalesce(station, ''), coalesce(month, '') FROM monthly_status
		WHERE worker_id = ? AND work_scope = ? AND fs_deleted = 0 AND coalesce(void_reason, '') = ''
		ORDER BY month, id`, worker.String(), records.ScopeAway)
	if err != nil {
		return nil, fmt.Errorf("months away of %s: %w", worker, err)
	}
	defer rows.Close()
	var away []ConflictValue
	covering := map[ident.ID]bool{}
	for rows.Next() {
		var id []byte
		var station, month string
		if err := rows.Scan(&id, &station, &month); err != nil {
			return nil, fmt.Errorf("months away of %s: %w", worker, err)
		}
		if len(month) != 7 {
			continue
		}
		hit := false
		for _, p := range terms {
			if p.coversMonth(month) {
				covering[p.id], hit = true, true
			}
		}
		if hit {
			var rid ident.ID
			copy(rid[:], id)
			away = append(away, ConflictValue{Value: month, Column: "month", Row: rid.String(), Station: station,
				Note: records.ScopeAway})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("months away of %s: %w", worker, err)
	}
	return withTerms(away, terms, covering), nil
}

// sentInWelfare lists the worker's live places in export batches sent on a
// day a welfare placement covers, and those placements.
func (rc *recorder) sentInWelfare(ctx context.Context, worker ident.ID, terms []welfareTerm) ([]ConflictValue, error) {
	rows, err := rc.tx.Query(ctx, `SELECT m.id, coalesce(m.station, ''), coalesce(b.sent_on, ''), coalesce(b.destination, '')
		FROM export_members m JOIN export_batches b ON b.id = unhex(m.batch_id)
		WHERE m.worker_id = ? AND m.fs_deleted = 0 AND b.fs_deleted = 0 ORDER BY b.sent_on, m.id`, worker.String())
	if err != nil {
		return nil, fmt.Errorf("export batches of %s: %w", worker, err)
	}
	defer rows.Close()
	var sent []ConflictValue
	covering := map[ident.ID]bool{}
	for rows.Next() {
		var id []byte
		var station, on, dest string
		if err := rows.Scan(&id, &station, &on, &dest); err != nil {
			return nil, fmt.Errorf("export batches of %s: %w", worker, err)
		}
		hit := false
		for _, p := range terms {
			if p.covers(on) {
				covering[p.id], hit = true, true
			}
		}
		if hit {
			var rid ident.ID
			copy(rid[:], id)
			sent = append(sent, ConflictValue{Value: on, Column: "sent_on", Row: rid.String(), Station: station, Note: dest})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("export batches of %s: %w", worker, err)
	}
	return withTerms(sent, terms, covering), nil
}

// withTerms is vals followed by the placements covering them (none when
// vals is empty).
func withTerms(vals []ConflictValue, terms []welfareTerm, covering map[ident.ID]bool) []ConflictValue {
	if len(vals) == 0 {
		return nil
	}
	for _, p := range terms {
		if covering[p.id] {
			vals = append(vals, p.value())
		}
	}
	return vals
}

// dismissedBefore reports whether an administrator dismissed a conflict of
// this kind for the worker whose records included every record of vals:
// the county checked them already, so the same records do not raise it
// again (a new record does).
func (rc *recorder) dismissedBefore(ctx context.Context, kind, table string, worker ident.ID, vals []ConflictValue) (bool, error) {
	rows, err := rc.tx.Query(ctx, `SELECT vals FROM hub_conflicts WHERE row = ? AND col = '' AND kind = ? AND tbl = ?
		AND status = 'resolved' AND instr(resolution, ?) > 0`, worker.String(), kind, table, `"how":"`+ActionDismiss+`"`)
	if err != nil {
		return false, fmt.Errorf("dismissed conflicts of %s: %w", worker, err)
	}
	defer rows.Close()
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return false, fmt.Errorf("dismissed conflicts of %s: %w", worker, err)
		}
		var old []ConflictValue
		if json.Unmarshal([]byte(js), &old) != nil {
			continue
		}
		if !slices.ContainsFunc(vals, func(v ConflictValue) bool {
			return !slices.ContainsFunc(old, func(o ConflictValue) bool { return o.Row == v.Row })
		}) {
			return true, nil
		}
	}
	return false, rows.Err()
}
