package records

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fieldsync/ident"
	"fieldsync/replica"
)

// A change as the hub receives it carries only some columns of a row; the
// hub must still judge it by the rules the station's forms apply to a whole
// record (DESIGN "Trust": every incoming value passes the same validation).
// CheckChange does that in two steps:
//
//  1. each column the change sets is judged alone, in an otherwise valid row
//     (the table's template): its type, its own rules, and whether it is
//     already in the form Validate gives it;
//  2. the row the change would leave (the hub's row overlaid with the
//     columns that passed) is validated whole, for the rules that tie
//     columns together and for the columns a new row must have.

// checkedRecord is a record type of the station's forms.
type checkedRecord interface {
	Validate() error
	Columns() []replica.ColumnValue
}

// tableRules binds one table's columns to its record type.
type tableRules struct {
	// bind returns a zero record and, by column name, a pointer to the
	// field that holds the column (*string, *int64, *float64, *bool,
	// *[]string).
	bind func() (checkedRecord, map[string]any)
	// template is a valid row that constrains other columns as little as
	// possible (earliest start dates, no end dates, no age bounds, a list
	// that requires and forbids nothing). A column is judged alone in it,
	// and it fills a column whose value is missing or bad but not the
	// change's doing.
	template map[string]any
	// fill is, for a column whose rule depends on other columns, a second
	// value to fill it with when the template's breaks the rule too (an
	// employment form: none for a list that forbids one, this one for a
	// list that requires one).
	fill map[string]any
	// partners names, for each column whose rule depends on other columns,
	// those columns: when the rule breaks and the change set only a
	// partner, the partner is refused.
	partners map[string][]string
	// legacy, when set, returns the row and the fields as they are
	// judged: a value an earlier schema version stored (and the hub still
	// accepts from stations one version behind) replaced by its meaning
	// today, and the columns whose rules that meaning adds set aside. The
	// change itself keeps what it sent.
	legacy func(before, fields map[string]any) (map[string]any, map[string]any)
}

// templateID is a well-formed row id for templates.
const templateID = "00000000000000000000000000000001"

// earliest is a date no other date of a record can precede.
const earliest = "0001-01-01"

var checkRules = map[string]tableRules{
	Workers: {
		bind: func() (checkedRecord, map[string]any) {
			w := &Worker{}
			return w, map[string]any{
				"id_number": &w.IDNumber, "name": &w.Name, "phone": &w.Phone, "ethnicity": &w.Ethnicity,
				"hukou_village": &w.HukouVillage, "residence_village": &w.ResidenceVillage,
				"education": &w.Education, "labour_ability": &w.LabourAbility, "tags": &w.Tags,
				"monitor_type": &w.MonitorType, "skills": &w.Skills, "willing_away": &w.WillingAway,
				"notes": &w.Notes, "household_id": &w.HouseholdID,
				"left_reason": &w.LeftReason, "left_on": &w.LeftOn, "left_to": &w.LeftTo,
				"labour_brand": &w.LabourBrand, "health_check_on": &w.HealthCheck.On,
				"health_check_result": &w.HealthCheck.Result,
			}
		},
		template: map[string]any{
			"id_number": "11010519491231002X", "name": "x", "ethnicity": "汉族", "hukou_village": "150102001001",
			"education": "初中", "labour_ability": "普通劳动力", "willing_away": int64(0),
			// A 防止返贫监测对象 may have any monitoring type.
			"tags": []string{TagMonitored},
		},
		partners: map[string][]string{"monitor_type": {"tags"}, "left_on": {"left_reason"}, "left_to": {"left_reason"},
			"health_check_result": {"health_check_on"}, "health_check_on": {"health_check_result"}},
	},
	MonthlyStatus: {
		bind: func() (checkedRecord, map[string]any) {
			m := &MonthStatus{}
			return m, map[string]any{
				"worker_id": &m.WorkerID, "month": &m.Month, "list_type": &m.ListType, "work_scope": &m.WorkScope,
				"place": &m.Place, "industry": &m.Industry, "employment_form": &m.EmploymentForm,
				"monthly_income": &m.MonthlyIncome, "verified_by_method": &m.VerifiedByMethod,
				"verified_by": &m.VerifiedBy, "verified_at": &m.VerifiedAt, "willing_away": &m.WillingAway,
				"void_reason": &m.VoidReason, "voided_on": &m.VoidedOn,
			}
		},
		// 失业 requires nothing of a scope, place, industry, form or
		// income; what it forbids of them is a rule between columns, judged
		// on the whole row (acrossKeys), not on a column alone.
		template: map[string]any{
			"worker_id": templateID, "month": "2026-01", "list_type": ListUnemployed,
			"verified_by_method": VerifyMethods[0], "verified_by": "x", "verified_at": earliest,
			"willing_away": int64(0),
		},
		fill: map[string]any{"work_scope": WorkScopes[0], "employment_form": EmploymentForms[0]},
		partners: map[string][]string{
			"work_scope": {"list_type"}, "place": {"list_type"}, "industry": {"list_type"},
			"employment_form": {"list_type", "work_scope"}, "monthly_income": {"list_type"},
			"voided_on": {"void_reason"},
		},
		// A station of schema version 1 stores the third list as the
		// status 有意愿外出 (it has no willing_away column): accepted, and
		// judged as what it counts as, 失业 (NormalizeListFlag). That
		// release let such a status carry a place of work, an industry, a
		// form and an income, which 失业 forbids: a station one version
		// behind cannot know the rule, so those columns of such a row are
		// set aside, not judged (their types were checked on arrival). The
		// hub keeps the values as sent and every reader maps the list.
		legacy: func(before, f map[string]any) (map[string]any, map[string]any) {
			l, ok := f["list_type"]
			if !ok {
				l = before["list_type"]
			}
			if l != ListWillingAway {
				return before, f
			}
			b, c := maps.Clone(before), maps.Clone(f)
			if b != nil {
				b["list_type"] = ListUnemployed
			}
			if _, ok := c["list_type"]; ok {
				c["list_type"] = ListUnemployed
			}
			for _, col := range []string{"place", "industry", "employment_form", "monthly_income"} {
				delete(c, col)
				if b != nil {
					b[col] = nil
				}
			}
			return b, c
		},
	},
	Unemployment: {
		bind: func() (checkedRecord, map[string]any) {
			u := &UnemploymentRegistration{}
			return u, map[string]any{
				"worker_id": &u.WorkerID, "place_type": &u.PlaceType, "registered_on": &u.RegisteredOn,
				"reason": &u.Reason, "job_intention": &u.JobIntention, "training_intention": &u.TrainingIntention,
				"deregistered_on": &u.DeregisteredOn, "deregistration_reason": &u.DeregistrationReason,
				"void_reason": &u.VoidReason, "voided_on": &u.VoidedOn,
			}
		},
		template: map[string]any{
			"worker_id": templateID, "place_type": PlaceTypes[0], "registered_on": earliest, "reason": "x",
			"deregistration_reason": "x",
		},
		partners: map[string][]string{
			"deregistered_on": {"registered_on"}, "deregistration_reason": {"deregistered_on"},
			"voided_on": {"void_reason"},
		},
	},
	Jobseeker: {
		bind: func() (checkedRecord, map[string]any) {
			j := &JobseekerRegistration{}
			return j, map[string]any{
				"worker_id": &j.WorkerID, "intended_work": &j.IntendedWork, "expected_wage": &j.ExpectedWage,
				"wage_unit": &j.WageUnit, "area": &j.Area, "work_type": &j.WorkType,
				"available_from": &j.AvailableFrom, "registered_on": &j.RegisteredOn,
				"void_reason": &j.VoidReason, "voided_on": &j.VoidedOn,
			}
		},
		template: map[string]any{
			"worker_id": templateID, "intended_work": "x", "expected_wage": float64(0), "wage_unit": WageUnits[0],
			"work_type": WorkTypes[0], "registered_on": earliest,
		},
		partners: map[string][]string{"wage_unit": {"expected_wage"}, "voided_on": {"void_reason"}},
	},
	Followups: {
		bind: func() (checkedRecord, map[string]any) {
			f := &Followup{}
			return f, map[string]any{
				"worker_id": &f.WorkerID, "date": &f.Date, "method": &f.Method, "service_type": &f.ServiceType,
				"content": &f.Content, "outcome": &f.Outcome, "next_due": &f.NextDue, "staff": &f.Staff,
				"void_reason": &f.VoidReason, "voided_on": &f.VoidedOn,
			}
		},
		template: map[string]any{
			"worker_id": templateID, "date": earliest, "method": FollowupMethods[0], "service_type": "x",
			"content": "x",
		},
		partners: map[string][]string{"next_due": {"date"}, "voided_on": {"void_reason"}},
	},
	Gigs: {
		bind: func() (checkedRecord, map[string]any) {
			g := &Gig{}
			return g, map[string]any{
				"title": &g.Title, "occupation": &g.Occupation, "headcount": &g.Headcount, "wage": &g.Wage,
				"wage_unit": &g.WageUnit, "settlement": &g.Settlement, "place": &g.Place, "address": &g.Address,
				"start_date": &g.StartDate, "end_date": &g.EndDate, "age_min": &g.AgeMin, "age_max": &g.AgeMax,
				"employer": &g.Employer, "contact": &g.Contact, "skills": &g.Skills, "status": &g.Status,
				"expires_on": &g.ExpiresOn, "kind": &g.Kind, "suits_older": &g.SuitsOlder, "job_fair_id": &g.JobFairID,
			}
		},
		template: map[string]any{
			"title": "x", "occupation": "x", "headcount": int64(1), "wage": float64(0), "wage_unit": GigWageUnits[0],
			"settlement": Settlements[0], "place": "150102", "start_date": earliest, "employer": "x",
			"contact": "x", "status": GigOpen,
		},
		partners: map[string][]string{"end_date": {"start_date"}, "age_max": {"age_min"},
			"wage_unit": {"kind"}, "settlement": {"kind"}},
	},
	Placements: {
		bind: func() (checkedRecord, map[string]any) {
			p := &Placement{}
			return p, map[string]any{
				"gig_id": &p.GigID, "worker_id": &p.WorkerID, "status": &p.Status, "placed_on": &p.PlacedOn,
				"ended_on": &p.EndedOn,
			}
		},
		template: map[string]any{
			"gig_id": templateID, "worker_id": templateID, "status": PlacementLeft, "placed_on": earliest,
		},
		partners: map[string][]string{"ended_on": {"status", "placed_on"}},
	},
	Households: {
		bind: func() (checkedRecord, map[string]any) {
			h := &Household{}
			return h, map[string]any{
				"worker_id": &h.WorkerID, "village": &h.Village, "monitor_type": &h.MonitorType,
				"zero_employment": &h.ZeroEmployment, "notes": &h.Notes,
			}
		},
		template: map[string]any{"worker_id": templateID, "zero_employment": int64(0)},
	},
}

// NewRecord returns an empty record of the record type of table (its JSON
// names are its columns'), or nil for a table without one.
func NewRecord(table string) interface{ Validate() error } {
	rules, ok := checkRules[table]
	if !ok {
		return nil
	}
	rec, _ := rules.bind()
	return rec
}

// CheckChange validates a station's change to one row of table at the hub.
// before is the row as the hub holds it (column name -> value: string,
// int64, float64, nil; a Set column as []string, or as the JSON text
// replica.Tx.Row gives), nil when the hub has no
// such row (the change creates it). fields is what the change sets (same
// shapes). It returns the field errors that make the change's columns
// unacceptable, one per refused column, each naming the column, in the
// table's column order:
//   - a value of the wrong type: KeyBadValue;
//   - a value breaking the table's rules (the Validate the forms use),
//     evaluated on before overlaid with fields;
//   - a value that is not in the canonical form Validate would give it
//     (trimmed, canonical id number, sorted set, nil for an empty optional
//     column, ...): KeyNotCanonical;
//   - a column the change sets that breaks a rule reported on a column it
//     does not set (a registration date moved past the deregistration
//     date): KeyInconsistent, naming the column set;
//   - for a new row, a rule broken by a column the change does not set
//     (a required column missing) is returned too, naming that column;
//     for an existing row, rules broken only by columns the change does
//     not set are not the change's fault and are not returned.
//
// A column the table does not have is refused with KeyUnknownField, naming
// it. "station" is not checked here (the hub checks it against the
// sender); "entered_by" must be at most 50 characters of text. Rules that
// need other rows (duplicates, open registrations, a gig's headcount) are
// the hub's, not this function's. A table with no station rules (the
// station directory, refusals, gig fill, an unknown name) returns one error
// with Field "" and KeyHubOnly. now is the hub's clock for rules that
// depend on the date: a worker's id number holding a birth date after it
// (with a day's grace for the stations' zones) is refused with KeyIDFuture.
// The age at registration is the station's rule only (Worker.ValidateOn):
// a row an older station sent for a younger person is kept, not refused.
func CheckChange(table string, before, fields map[string]any, now time.Time) []*FieldError {
	rules, ok := checkRules[table]
	if !ok {
		return []*FieldError{fieldErr("", KeyHubOnly)}
	}
	before = rules.decodeSets(before)
	if rules.legacy != nil {
		before, fields = rules.legacy(before, fields)
	}
	future := futureBirth(table, fields, now)
	if future == nil {
		future = futureReturn(table, fields, now)
	}
	if future == nil && rules.acceptable(before, fields) {
		return nil
	}
	_, cols := rules.bind()
	refused := map[string]*FieldError{}
	if future != nil {
		refused[future.Field] = future
	}
	work := map[string]any{}
	for c, v := range fields {
		switch {
		case c == "station":
		case c == EnteredBy:
			if fe := checkEnteredBy(v); fe != nil {
				refused[c] = fe
			}
		case cols[c] == nil:
			refused[c] = fieldErr(c, KeyUnknownField)
		case refused[c] != nil:
		default:
			if fe := rules.checkAlone(c, v); fe != nil {
				refused[c] = fe
			} else {
				work[c] = v
			}
		}
	}
	rules.checkRow(before, work, refused)
	return rules.sortedErrors(refused)
}

// acceptable is the common case, decided with one Validate: the row the
// change leaves is valid and every value the change sets is in its
// canonical form. When it is not, CheckChange looks column by column.
func (r tableRules) acceptable(before, fields map[string]any) bool {
	rec, ptrs := r.bind()
	for c, v := range fields {
		switch {
		case c == "station":
		case c == EnteredBy:
			if checkEnteredBy(v) != nil {
				return false
			}
		case ptrs[c] == nil:
			return false
		}
	}
	for col, p := range ptrs {
		v, ok := fields[col]
		if !ok {
			v = before[col]
		}
		if !assign(p, v) {
			return false
		}
	}
	if rec.Validate() != nil {
		return false
	}
	return notCanonical(rec, fields) == ""
}

// decodeSets returns before with each Set column held as the JSON text of
// its elements (as replica.Tx.Row gives it) decoded to []string, so that
// the rules between a set and another column (the categories and the
// monitoring type) see the row's elements; before itself is not changed.
// Text that is no JSON array of text stays, and reads as empty.
func (r tableRules) decodeSets(before map[string]any) map[string]any {
	var out map[string]any
	_, ptrs := r.bind()
	for col, p := range ptrs {
		s, isText := before[col].(string)
		if _, isSet := p.(*[]string); !isSet || !isText {
			continue
		}
		var els []string
		if json.Unmarshal([]byte(s), &els) != nil {
			continue
		}
		if out == nil {
			out = maps.Clone(before)
		}
		out[col] = els
	}
	if out == nil {
		return before
	}
	return out
}

// checkEnteredBy checks the staff name a change carries.
func checkEnteredBy(v any) *FieldError {
	if v == nil {
		return nil
	}
	s, ok := v.(string)
	if !ok || !utf8.ValidString(s) {
		return fieldErr(EnteredBy, KeyBadValue)
	}
	if err := maxLen(EnteredBy, s, maxShort); err != nil {
		fe, _ := AsFieldError(err)
		return fe
	}
	return nil
}

// checkAlone judges column c's value v in the table's template: its type,
// the rules of the column itself, and its canonical form.
// acrossKeys are the errors of rules between columns that name the column
// they refuse: in the template they say nothing of the column alone.
// only_with is one: a start-up support's lender or end goes with a loan,
// a case's closing day with 办结, not with the template's kind or status.
var acrossKeys = map[string]bool{KeyUnemployedField: true, KeyWelfareAway: true, KeyMonitorTag: true, KeyEdgeLifted: true,
	KeyOnlyWith: true}

func (r tableRules) checkAlone(c string, v any) *FieldError {
	rec, ptrs := r.bind()
	for col, p := range ptrs {
		assign(p, r.template[col])
	}
	if !assign(ptrs[c], v) {
		return fieldErr(c, KeyBadValue)
	}
	err := rec.Validate()
	if err != nil {
		if fe, ok := AsFieldError(err); ok && fe.Field == c && !acrossKeys[fe.Key] {
			return fe
		}
		// A rule of another column, tied to this one: judged on the whole
		// row (checkRow); its form cannot be told here.
		return nil
	}
	for _, cv := range rec.Columns() {
		if cv.Column == c && !sameStored(cv.Value, v) {
			return fieldErr(c, KeyNotCanonical)
		}
	}
	return nil
}

// checkRow validates the row the change would leave: before overlaid with
// work (the columns that passed checkAlone). A column of work that breaks a
// rule is refused and put back to before's value; a column not in work that
// breaks one is refused only for a new row, and is then filled from the
// template so that the remaining rules are checked too.
func (r tableRules) checkRow(before, work map[string]any, refused map[string]*FieldError) {
	_, cols := r.bind()
	// filled: 1 when a column is filled from the template, 2 from fill.
	filled := map[string]int{}
	merged := func(revert []string) (checkedRecord, error) {
		rec, ptrs := r.bind()
		for col, p := range ptrs {
			v, ok := work[col]
			if !ok || slices.Contains(revert, col) {
				v = before[col]
			}
			switch filled[col] {
			case 1:
				v = r.template[col]
			case 2:
				v = r.fill[col]
			}
			assign(p, v) // a stored value of the wrong type reads as empty
		}
		return rec, rec.Validate()
	}
	// Each round settles one column (refused, put back, or filled): at most
	// three rounds per column, one for what the change set and two to fill.
	for range 3*len(cols) + 2 {
		rec, err := merged(nil)
		if err == nil {
			// Valid: every value the change set must also be in the form
			// Validate gives it (checkAlone cannot tell when the template
			// breaks a rule of another column with it).
			c := notCanonical(rec, work)
			if c == "" {
				return
			}
			refused[c] = fieldErr(c, KeyNotCanonical)
			delete(work, c)
			continue
		}
		fe, ok := AsFieldError(err)
		if !ok {
			return
		}
		x := fe.Field
		if _, set := work[x]; set {
			refused[x] = fe
			delete(work, x)
			continue
		}
		if before == nil {
			if refused[x] == nil {
				refused[x] = fe
			}
		} else if refused[x] == nil && r.blamePartners(x, fe, work, refused, merged) {
			continue
		}
		switch _, second := r.fill[x]; {
		case filled[x] == 0:
			filled[x] = 1
		case filled[x] == 1 && second:
			filled[x] = 2
		default:
			return
		}
	}
}

// notCanonical is a column of work whose value is not as rec, validated,
// stores it, or "".
func notCanonical(rec checkedRecord, work map[string]any) string {
	for _, cv := range rec.Columns() {
		if v, ok := work[cv.Column]; ok && !sameStored(cv.Value, v) {
			return cv.Column
		}
	}
	return ""
}

// blamePartners refuses the columns of work that x's broken rule depends on,
// unless the rule breaks on x the same way without them (then x was
// already bad in before). It reports whether it refused any.
func (r tableRules) blamePartners(x string, fe *FieldError, work map[string]any,
	refused map[string]*FieldError, merged func([]string) (checkedRecord, error)) bool {
	var set []string
	for _, p := range r.partners[x] {
		if _, ok := work[p]; ok {
			set = append(set, p)
		}
	}
	if len(set) == 0 {
		return false
	}
	if _, err := merged(set); err != nil {
		if old, ok := AsFieldError(err); ok && old.Field == x && old.Key == fe.Key {
			return false
		}
	}
	for _, p := range set {
		refused[p] = fieldErr(p, KeyInconsistent, Label(x))
		delete(work, p)
	}
	return true
}

// sortedErrors lists the refusals in the record's column order, then
// entered_by, then columns the table does not have, by name.
func (r tableRules) sortedErrors(refused map[string]*FieldError) []*FieldError {
	if len(refused) == 0 {
		return nil
	}
	rec, _ := r.bind()
	order := map[string]int{}
	for i, cv := range rec.Columns() {
		order[cv.Column] = i + 1
	}
	order[EnteredBy] = len(order) + 1
	out := make([]*FieldError, 0, len(refused))
	for _, fe := range refused {
		out = append(out, fe)
	}
	slices.SortFunc(out, func(a, b *FieldError) int {
		oa, ob := order[a.Field], order[b.Field]
		switch {
		case oa == ob:
			return strings.Compare(a.Field, b.Field)
		case oa == 0:
			return 1
		case ob == 0:
			return -1
		}
		return oa - ob
	})
	return out
}

// assign stores column value v in the record field p points to; it reports
// false (leaving the field empty) when v has a type the column cannot hold.
// nil is the empty value of every column.
func assign(p, v any) bool {
	switch p := p.(type) {
	case *string:
		*p = ""
		switch x := v.(type) {
		case nil:
			return true
		case string:
			if !utf8.ValidString(x) {
				return false
			}
			*p = x
			return true
		}
	case *int64:
		*p = 0
		switch x := v.(type) {
		case nil:
			return true
		case int64:
			*p = x
			return true
		case int:
			*p = int64(x)
			return true
		}
	case **float64:
		*p = nil
		if v == nil {
			return true
		}
		var f float64
		if !assign(&f, v) {
			return false
		}
		*p = &f
		return true
	case *float64:
		*p = 0
		switch x := v.(type) {
		case nil:
			return true
		case float64:
			*p = x
			return true
		case int64:
			*p = float64(x)
			return true
		case int:
			*p = float64(x)
			return true
		}
	case *bool:
		*p = false
		switch x := v.(type) {
		case nil:
			return true
		case bool:
			*p = x
			return true
		case int64:
			*p = x == 1
			return x == 0 || x == 1
		case int:
			*p = x == 1
			return x == 0 || x == 1
		}
	case *[]string:
		*p = nil
		switch x := v.(type) {
		case nil:
			return true
		case []string:
			for _, e := range x {
				if !utf8.ValidString(e) {
					return false
				}
			}
			*p = slices.Clone(x)
			return true
		}
	}
	return false
}

// sameStored reports whether v is stored as canon, a value of Columns():
// a bool is stored as 0 or 1, an integer in a number column as a number,
// an empty set as no elements.
func sameStored(canon, v any) bool {
	switch c := canon.(type) {
	case nil:
		return v == nil
	case string:
		s, ok := v.(string)
		return ok && s == c
	case bool:
		var n int64
		if c {
			n = 1
		}
		return sameStored(n, v)
	case int64:
		switch x := v.(type) {
		case int64:
			return x == c
		case int:
			return int64(x) == c
		case bool:
			return (c == 1) == x && (c == 0 || c == 1)
		}
	case float64:
		switch x := v.(type) {
		case float64:
			return x == c
		case int64:
			return float64(x) == c
		case int:
			return float64(x) == c
		}
	case []string:
		switch x := v.(type) {
		case nil:
			return len(c) == 0
		case []string:
			return slices.Equal(c, x)
		}
	}
	return false
}

// futureBirth is the refusal of a change to a worker that sets an id number
// holding a birth date after the day after now (a day's grace: a station's
// date may run ahead of the hub's), or nil.
func futureBirth(table string, fields map[string]any, now time.Time) *FieldError {
	id, ok := fields["id_number"].(string)
	if table != Workers || !ok {
		return nil
	}
	if _, err := ident.BirthDate(id); err != nil {
		return nil // not a normalised number: the column's own rules say why
	}
	if err := BirthNotFuture("id_number", id, now.AddDate(0, 0, 1)); err != nil {
		fe, _ := AsFieldError(err)
		return fe
	}
	return nil
}
