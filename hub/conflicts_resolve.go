package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Resolution of conflicts (DESIGN "Conflicts"): an ordinary change written by
// the hub, which holds every head, so the change replaces them all and
// settles the column everywhere it reaches. The conflict keeps who resolved
// it, when and how; the audit log records it too.

// Actions of ResolveRequest for rule conflicts.
const (
	ActionCloseRegistration = "close_registration"
	ActionRemovePlacement   = "remove_placement"
	ActionSet               = "set"
	ActionDismiss           = "dismiss"
)

// AuditResolve is the audit action of a resolution.
const AuditResolve = "conflict_resolve"

// ResolveRequest is one resolution. Exactly one of Value (type a new value),
// Choose (one of the values: its index, its station's name, or "latest") and
// Action is given.
type ResolveRequest struct {
	Value  json.RawMessage `json:"value,omitempty"`
	Choose json.RawMessage `json:"choose,omitempty"`
	Action string          `json:"action,omitempty"`
	// Registration (close_registration), Placement (remove_placement): the
	// record the action is on; for set, Column is the column of the
	// conflict's record that gets Value.
	Registration string `json:"registration,omitempty"`
	Placement    string `json:"placement,omitempty"`
	Column       string `json:"column,omitempty"`
	// On and Reason close a registration (on defaults to today).
	On     string `json:"on,omitempty"`
	Reason string `json:"reason,omitempty"`
	Note   string `json:"note,omitempty"`
	// Updated, when given, is the conflict's "updated" as the administrator
	// saw it: if a value arrived since, the resolution is refused (409), so
	// that nobody settles a value they never saw, nor chooses by an index
	// that now names another value.
	Updated string `json:"updated,omitempty"`
}

// ResolveError is a resolution refused because of what was asked: a field
// (of the request, or the column whose value is checked) and a message key.
type ResolveError struct {
	Field  string
	Status int // HTTP status: 400, 404 or 409
	zh, en string
	fe     *records.FieldError
}

func (e *ResolveError) Error() string { return e.Field + ": " + e.Message("en") }

// Message is the error's text in lang.
func (e *ResolveError) Message(lang string) string {
	if e.fe != nil {
		return e.fe.Message(lang)
	}
	if lang == "en" {
		return e.en
	}
	return e.zh
}

// InvalidRequest is a refusal of a request's field, with its message in
// Chinese and English.
func InvalidRequest(field, zh, en string) *ResolveError {
	return &ResolveError{Field: field, Status: 400, zh: zh, en: en}
}

// InvalidField is a refusal of a value the record's rules do not accept.
func InvalidField(fe *records.FieldError) *ResolveError {
	return &ResolveError{Field: fe.Field, Status: 400, fe: fe}
}

var (
	errResolved = &ResolveError{Field: "id", Status: 409, zh: "该冲突已处理", en: "this conflict is already resolved"}
	errNoAction = InvalidRequest("value", "请给出 value（新值）、choose（选择的值）或 action（处理动作）之一",
		"give one of value (a new value), choose (one of the values) or action")
)

// ResolveConflict resolves an open conflict as req says, on behalf of who,
// and returns it as it now is (still open when a rule action did not clear
// the rule, for instance one placement removed of two too many).
func (h *Hub) ResolveConflict(ctx context.Context, who access.Actor, id int64, req ResolveRequest) (Conflict, error) {
	var chs []replica.Change
	var how Resolution
	// Under applyMu, as every write of workers (see namesakes).
	h.applyMu.Lock()
	defer h.applyMu.Unlock()
	_, err := h.rep.Update(ctx, func(tx *replica.Tx) error {
		var err error
		if chs, how, err = h.resolveIn(ctx, tx, who, id, req); err != nil {
			return err
		}
		// In the same transaction: no resolution without its audit entry.
		// The value itself stays out of the log (it is on the conflict).
		detail, _ := json.Marshal(map[string]any{"conflict": id, "how": how.How, "station": how.Station,
			"column": how.Column, "row": how.Row})
		return h.acc.AuditIn(ctx, tx.Exec, access.AuditEntry{User: who.User, Action: AuditResolve, Detail: string(detail), Remote: who.Remote})
	})
	if err != nil {
		return Conflict{}, err
	}
	h.refreshNames(ctx, chs)
	h.afterHubWrite(ctx, chs)
	h.log.InfoContext(ctx, "conflict resolved", "conflict", id, "how", how.How, "admin", who.User)
	return h.Conflict(ctx, id)
}

// afterHubWrite notes the log's end after the hub's own changes (an
// administrator's edit or resolution) and wakes the sessions they concern.
func (h *Hub) afterHubWrite(ctx context.Context, chs []replica.Change) {
	if len(chs) == 0 {
		return
	}
	if seq, err := h.rep.MaxSeq(ctx); err == nil {
		h.noteSeq(seq)
	}
	news := make([]bool, len(chs))
	for i := range news {
		news[i] = true
	}
	h.wakeFor(ctx, chs, news, "")
}

// resolveIn does a resolution inside a write transaction.
func (h *Hub) resolveIn(ctx context.Context, tx *replica.Tx, who access.Actor, id int64, req ResolveRequest) ([]replica.Change, Resolution, error) {
	c, err := scanConflict(tx.QueryRow(ctx, `SELECT `+conflictCols+` FROM hub_conflicts WHERE id = ?`, id).Scan)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, Resolution{}, &ResolveError{Field: "id", Status: 404, zh: "找不到该冲突", en: "no such conflict"}
		}
		return nil, Resolution{}, fmt.Errorf("read conflict %d: %w", id, err)
	}
	if c.Status != StatusOpen {
		return nil, Resolution{}, errResolved
	}
	if req.Updated != "" {
		seen, err := time.Parse(time.RFC3339Nano, req.Updated)
		if err != nil {
			return nil, Resolution{}, InvalidRequest("updated", "updated 应为该冲突的更新时间（RFC 3339）",
				"updated must be the conflict's updated time (RFC 3339)")
		}
		if seen.UnixMilli() != c.Updated.UnixMilli() {
			return nil, Resolution{}, &ResolveError{Field: "updated", Status: 409,
				zh: "您查看之后该冲突有了新的值，请重新查看后再处理", en: "a value arrived since you looked at this conflict: look again"}
		}
	}
	row, err := ident.ParseID(c.Row)
	if err != nil {
		return nil, Resolution{}, fmt.Errorf("conflict %d: row id: %w", id, err)
	}
	rc := h.newRecorder(tx)
	var edit replica.Edit
	how := Resolution{Note: req.Note}
	switch {
	case req.Action == ActionDismiss:
		if c.Kind == KindField {
			return nil, how, InvalidRequest("action", "字段冲突须选择或填写一个值，不能忽略",
				"a field conflict is resolved by choosing or typing a value, not dismissed")
		}
		how.How = ActionDismiss
		return nil, how, rc.finish(ctx, c, who.User, how)
	case c.Kind == KindField:
		edit, how, err = h.fieldEdit(ctx, tx, c, row, req)
	case c.Kind == KindTwoOpen && req.Action == ActionCloseRegistration:
		edit, how, err = h.closeRegistration(ctx, tx, c, req)
	case c.Kind == KindOverfilled && req.Action == ActionRemovePlacement:
		edit, how, err = removePlacement(c, req)
	case req.Action == ActionSet && c.Kind != KindIdentity:
		edit, how, err = h.setEdit(ctx, tx, c, req)
	case req.Action == "" && req.Value == nil && req.Choose == nil:
		err = errNoAction
	default:
		err = InvalidRequest("action", "该类冲突不支持此处理动作："+req.Action, "this kind of conflict does not take the action: "+req.Action)
	}
	if err != nil {
		return nil, how, err
	}
	how.Note = req.Note
	ch, err := tx.Edit(ctx, edit)
	if err != nil {
		if errors.Is(err, replica.ErrBadValue) {
			return nil, how, InvalidRequest(c.Column, "值无效："+err.Error(), "bad value: "+err.Error())
		}
		return nil, how, fmt.Errorf("resolve conflict %d: %w", id, err)
	}
	var chs []replica.Change
	if ch != nil {
		chs = append(chs, *ch)
		if _, err := tx.Exec(ctx, `INSERT OR REPLACE INTO hub_edits(hlc, user, conflict) VALUES(?, ?, ?)`,
			int64(ch.Version.HLC), who.User, id); err != nil {
			return nil, how, fmt.Errorf("record the editor: %w", err)
		}
	}
	// The change may settle other conflicts on the same columns (a field
	// conflict under a rule conflict): they are resolved with it.
	if err := rc.settleChanges(ctx, chs, who.User, how); err != nil {
		return nil, how, err
	}
	if c.Kind == KindField {
		return chs, how, rc.finish(ctx, c, who.User, how)
	}
	// A rule conflict is resolved when the rule holds again.
	if err := rc.recheck(ctx, c, row, who.User, how); err != nil {
		return nil, how, err
	}
	return chs, how, nil
}

// finish marks a conflict resolved by an administrator.
func (rc *recorder) finish(ctx context.Context, c Conflict, by string, how Resolution) error {
	js, err := json.Marshal(how)
	if err != nil {
		return fmt.Errorf("encode resolution: %w", err)
	}
	_, err = rc.tx.Exec(ctx, `UPDATE hub_conflicts SET status = 'resolved', resolved_by = ?, resolved_ms = ?,
		resolution = ?, updated_ms = ? WHERE id = ? AND status = 'open'`, by, rc.now, string(js), rc.now, c.ID)
	if err != nil {
		return fmt.Errorf("resolve conflict %d: %w", c.ID, err)
	}
	return nil
}

// recheck runs a rule conflict's rule again after a fixing action.
func (rc *recorder) recheck(ctx context.Context, c Conflict, row ident.ID, by string, how Resolution) error {
	switch c.Kind {
	case KindTwoOpen:
		return rc.ruleTwoOpen(ctx, row, by, how)
	case KindOverfilled:
		return rc.ruleOverfilled(ctx, row, by, how)
	case KindWelfareAway:
		return rc.ruleWelfareAway(ctx, row, by, how)
	case KindCertificateDuplicate:
		return rc.recheckCertificate(ctx, c, by, how)
	}
	return nil
}

// fieldEdit builds the edit that settles a field conflict with the chosen or
// typed value.
func (h *Hub) fieldEdit(ctx context.Context, tx *replica.Tx, c Conflict, row ident.ID, req ResolveRequest) (replica.Edit, Resolution, error) {
	edit := replica.Edit{Table: c.Table, Row: row}
	heads, err := tx.Heads(ctx, c.Table, row)
	if err != nil {
		return edit, Resolution{}, fmt.Errorf("heads of conflict %d: %w", c.ID, err)
	}
	t, _ := h.rep.Schema().Table(c.Table)
	col, ok := t.Column(c.Column)
	if !ok {
		return edit, Resolution{}, fmt.Errorf("conflict %d: %w: %s", c.ID, replica.ErrUnknownCol, c.Column)
	}
	ch := columnHeadsOf(heads, col)
	if ch == nil {
		return edit, Resolution{}, fmt.Errorf("conflict %d: column %s has no value", c.ID, c.Column)
	}
	switch {
	case req.Choose != nil && req.Value == nil:
		i, station, err := h.chooseHead(ctx, ch.Heads, req.Choose)
		if err != nil {
			return edit, Resolution{}, err
		}
		v := ch.Heads[i].Value
		edit.Set = []replica.ColumnValue{{Column: c.Column, Value: v}}
		return edit, Resolution{How: "choose", Value: v, Station: station, Column: c.Column}, nil
	case req.Value != nil && req.Choose == nil:
		v, err := h.typedValue(ctx, tx, c.Table, row, c.Column, req.Value)
		if err != nil {
			return edit, Resolution{}, err
		}
		edit.Set = []replica.ColumnValue{{Column: c.Column, Value: v}}
		return edit, Resolution{How: "value", Value: v, Column: c.Column}, nil
	}
	return edit, Resolution{}, errNoAction
}

// chooseHead picks a head by index (a number), by station name, or "latest"
// (the greatest stamp: the value that shows now).
func (h *Hub) chooseHead(ctx context.Context, heads []replica.Head, choose json.RawMessage) (int, string, error) {
	sites, err := h.siteNames(ctx, h.rep.DB().QueryContext)
	if err != nil {
		return 0, "", err
	}
	var n float64
	if json.Unmarshal(choose, &n) == nil {
		i := int(n)
		if float64(i) != n || i < 0 || i >= len(heads) {
			return 0, "", InvalidRequest("choose", fmt.Sprintf("choose 应为 0 至 %d 之间的序号", len(heads)-1),
				fmt.Sprintf("choose must be an index from 0 to %d", len(heads)-1))
		}
		return i, siteName(sites, heads[i].Version.Site), nil
	}
	var s string
	if json.Unmarshal(choose, &s) != nil || s == "" {
		return 0, "", InvalidRequest("choose", "choose 应为序号、服务站名称或 latest", "choose must be an index, a station name or latest")
	}
	if s == "latest" {
		i := len(heads) - 1
		return i, siteName(sites, heads[i].Version.Site), nil
	}
	if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(heads) {
		return i, siteName(sites, heads[i].Version.Site), nil
	}
	found := -1
	for i, hd := range heads {
		if siteName(sites, hd.Version.Site) == s {
			found = i // the station's latest value, if it has several
		}
	}
	if found < 0 {
		return 0, "", &ResolveError{Field: "choose", Status: 400, zh: "该冲突中没有服务站“" + s + "”的值",
			en: "no value of station " + s + " in this conflict"}
	}
	return found, s, nil
}

// typedValue converts a typed JSON value to the column's type and checks it
// with the record's validation, as any edit of the record is checked.
func (h *Hub) typedValue(ctx context.Context, tx *replica.Tx, table string, row ident.ID, column string, raw json.RawMessage) (any, error) {
	t, _ := h.rep.Schema().Table(table)
	col, ok := t.Column(column)
	if !ok {
		return nil, InvalidRequest("column", "未知字段："+column, "unknown column: "+column)
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, InvalidRequest(column, "值格式错误", "malformed value")
	}
	v, err := convertValue(t.ColumnType(col), v)
	if err != nil {
		return nil, InvalidField(&records.FieldError{Field: column, Key: err.Error()})
	}
	cur, err := tx.Row(ctx, table, row)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", table, row, err)
	}
	return validateColumn(table, cur, column, v)
}

// convertValue converts a decoded JSON value to the stored type of a column;
// the error's text is a records message key.
func convertValue(ct replica.ColumnType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch ct {
	case replica.Text:
		switch x := v.(type) {
		case string:
			return strings.TrimSpace(x), nil
		case json.Number:
			return x.String(), nil
		}
		return nil, errors.New(records.KeyBadJSON)
	case replica.Integer:
		switch x := v.(type) {
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case json.Number:
			n, err := x.Int64()
			if err != nil {
				return nil, errors.New(records.KeyInteger)
			}
			return n, nil
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				return nil, errors.New(records.KeyInteger)
			}
			return n, nil
		}
		return nil, errors.New(records.KeyInteger)
	case replica.Real:
		var s string
		switch x := v.(type) {
		case json.Number:
			s = x.String()
		case string:
			s = strings.TrimSpace(x)
		default:
			return nil, errors.New(records.KeyNumber)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New(records.KeyNumber)
		}
		return f, nil
	}
	return nil, errors.New(records.KeyBadJSON)
}

// closeRegistration closes one of the open registrations of a two-open
// conflict, as a station's deregistration does.
func (h *Hub) closeRegistration(ctx context.Context, tx *replica.Tx, c Conflict, req ResolveRequest) (replica.Edit, Resolution, error) {
	rid, err := ident.ParseID(req.Registration)
	if err != nil || !conflictHasRow(c, req.Registration) {
		return replica.Edit{}, Resolution{}, InvalidRequest("registration", "registration 应为该冲突中一条失业登记的编号",
			"registration must name one of the conflict's registrations")
	}
	row, err := tx.Row(ctx, records.Unemployment, rid)
	if err != nil {
		return replica.Edit{}, Resolution{}, fmt.Errorf("read registration %s: %w", rid, err)
	}
	if row == nil {
		return replica.Edit{}, Resolution{}, InvalidRequest("registration", "找不到该失业登记", "no such registration")
	}
	on := req.On
	if on == "" {
		on = h.now().In(h.zone).Format(records.DateLayout)
	}
	u := records.UnemploymentRegistration{WorkerID: ValueText(row["worker_id"]), PlaceType: ValueText(row["place_type"]),
		RegisteredOn: ValueText(row["registered_on"]), Reason: ValueText(row["reason"]),
		DeregisteredOn: on, DeregistrationReason: req.Reason}
	if u.DeregistrationReason == "" {
		u.DeregistrationReason = "县级核查：重复登记"
	}
	if err := u.Validate(); err != nil {
		if fe, ok := records.AsFieldError(err); ok {
			return replica.Edit{}, Resolution{}, InvalidField(fe)
		}
		return replica.Edit{}, Resolution{}, err
	}
	edit := replica.Edit{Table: records.Unemployment, Row: rid, Set: []replica.ColumnValue{
		{Column: "deregistered_on", Value: u.DeregisteredOn},
		{Column: "deregistration_reason", Value: u.DeregistrationReason},
	}}
	return edit, Resolution{How: ActionCloseRegistration, Row: rid.String(), Value: u.DeregisteredOn,
		Station: valueStation(c, req.Registration)}, nil
}

// removePlacement deletes one of the placements of an overfilled gig.
func removePlacement(c Conflict, req ResolveRequest) (replica.Edit, Resolution, error) {
	pid, err := ident.ParseID(req.Placement)
	if err != nil || !conflictHasRow(c, req.Placement) || pid.String() == strings.ToLower(c.Row) {
		return replica.Edit{}, Resolution{}, InvalidRequest("placement", "placement 应为该冲突中一条安排记录的编号",
			"placement must name one of the conflict's placements")
	}
	return replica.Edit{Table: records.Placements, Row: pid, Delete: true},
		Resolution{How: ActionRemovePlacement, Row: pid.String(), Station: valueStation(c, req.Placement)}, nil
}

// setEdit gives one column of a rule conflict's record a typed value (the
// headcount of an overfilled gig, the work scope or employment form of a
// month's status).
func (h *Hub) setEdit(ctx context.Context, tx *replica.Tx, c Conflict, req ResolveRequest) (replica.Edit, Resolution, error) {
	allowed := map[string][]string{KindOverfilled: {"headcount"}, KindWelfareAway: {"work_scope", "employment_form"}}
	ok := false
	for _, col := range allowed[c.Kind] {
		ok = ok || col == req.Column
	}
	if !ok || req.Value == nil {
		return replica.Edit{}, Resolution{}, InvalidRequest("column", "该类冲突可修改的字段："+strings.Join(allowed[c.Kind], "、")+"，并须给出 value",
			"this kind of conflict lets you set: "+strings.Join(allowed[c.Kind], ", ")+", with a value")
	}
	row, _ := ident.ParseID(c.Row)
	v, err := h.typedValue(ctx, tx, c.Table, row, req.Column, req.Value)
	if err != nil {
		return replica.Edit{}, Resolution{}, err
	}
	return replica.Edit{Table: c.Table, Row: row, Set: []replica.ColumnValue{{Column: req.Column, Value: v}}},
		Resolution{How: ActionSet, Column: req.Column, Value: v}, nil
}

func conflictHasRow(c Conflict, row string) bool {
	for _, v := range c.Values {
		if strings.EqualFold(v.Row, row) {
			return true
		}
	}
	return false
}

func valueStation(c Conflict, row string) string {
	for _, v := range c.Values {
		if strings.EqualFold(v.Row, row) {
			return v.Station
		}
	}
	return ""
}

// BulkResult is the outcome of one conflict of a bulk resolution.
type BulkResult struct {
	ID     int64  `json:"id"`
	Status string `json:"status,omitempty"` // the conflict's status after
	Error  string `json:"error,omitempty"`
	Field  string `json:"field,omitempty"`
	// Err is why the conflict was not resolved; the adapter shows it as
	// Error and Field in the reader's language (see Localize).
	Err error `json:"-"`
}

// Localize fills Error and Field from Err in lang: a ResolveError's own
// message, internal for any other error.
func (r *BulkResult) Localize(lang, internal string) {
	if r.Err == nil {
		return
	}
	var re *ResolveError
	if errors.As(r.Err, &re) {
		r.Error, r.Field = re.Message(lang), re.Field
	} else {
		r.Error = internal
	}
}

// ResolveMany applies one resolution (typically {"choose": "<station>"} or
// {"choose": "latest"}) to many conflicts, each in its own transaction, so
// that one that does not fit (already resolved, no value from that station)
// leaves the others resolved.
func (h *Hub) ResolveMany(ctx context.Context, who access.Actor, ids []int64, req ResolveRequest) []BulkResult {
	out := make([]BulkResult, 0, len(ids))
	for _, id := range ids {
		c, err := h.ResolveConflict(ctx, who, id, req)
		r := BulkResult{ID: id, Status: c.Status}
		if err != nil {
			r.Err = err
			if !errors.As(err, new(*ResolveError)) {
				h.log.ErrorContext(ctx, "bulk resolve", "conflict", id, "err", err)
			}
		}
		out = append(out, r)
	}
	return out
}
