package hub

import (
	"encoding/json"
	"fmt"

	"fieldsync/records"
)

// validator is a record's validation (records/validate.go): Validate
// normalises the record in place and returns the first broken rule.
type validator interface{ Validate() error }

// newRecord returns an empty record of the table's type, or nil for a table
// without one.
func newRecord(table string) validator {
	switch table {
	case records.Workers:
		return &records.Worker{}
	case records.MonthlyStatus:
		return &records.MonthStatus{}
	case records.Unemployment:
		return &records.UnemploymentRegistration{}
	case records.Jobseeker:
		return &records.JobseekerRegistration{}
	case records.Followups:
		return &records.Followup{}
	case records.Gigs:
		return &records.Gig{}
	case records.Placements:
		return &records.Placement{}
	}
	return nil
}

// boolColumns are integer columns the records give as booleans.
var boolColumns = map[string]bool{"willing_away": true, "suits_older": true}

// setColumns are the set columns, stored as JSON arrays of text.
var setColumns = map[string]bool{"tags": true, "skills": true}

// validateColumn checks the new value v of one column of a record whose
// current values are cur, with the record's own validation, and returns the
// value as validation normalised it. A rule broken by another column (an old
// record) does not refuse this value.
func validateColumn(table string, cur map[string]any, column string, v any) (any, error) {
	rec := newRecord(table)
	if rec == nil {
		return v, nil
	}
	m := map[string]any{}
	for k, x := range cur {
		switch {
		case x == nil:
		case setColumns[k]:
			var elems []string
			if s, ok := x.(string); ok && json.Unmarshal([]byte(s), &elems) == nil {
				m[k] = elems
			}
		case boolColumns[k]:
			n, _ := x.(int64)
			m[k] = n != 0
		default:
			m[k] = x
		}
	}
	delete(m, column)
	if v != nil {
		if boolColumns[column] {
			n, _ := v.(int64)
			m[column] = n != 0
		} else {
			m[column] = v
		}
	}
	js, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("validate %s.%s: %w", table, column, err)
	}
	// Unknown keys (the row's station, fs_ columns) are ignored here.
	if err := json.Unmarshal(js, rec); err != nil {
		return nil, InvalidField(&records.FieldError{Field: column, Key: records.KeyBadJSON})
	}
	if err := rec.Validate(); err != nil {
		if fe, ok := records.AsFieldError(err); ok && fe.Field == column {
			return nil, InvalidField(fe)
		}
		// Another column broke a rule first (an old record): check the
		// value again beside valid stand-ins for the other columns.
		if rec, err = validateAlone(table, column, m[column]); err != nil {
			return nil, err
		}
	}
	// Read the value back as validation normalised it.
	out, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("validate %s.%s: %w", table, column, err)
	}
	var back map[string]any
	if err := json.Unmarshal(out, &back); err != nil {
		return nil, fmt.Errorf("validate %s.%s: %w", table, column, err)
	}
	nv, ok := back[column]
	if !ok {
		return v, nil
	}
	switch x := nv.(type) {
	case string:
		if x == "" {
			return nil, nil
		}
		return x, nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if _, isInt := v.(int64); isInt {
			return int64(x), nil
		}
		return x, nil
	}
	return v, nil
}

// standIns are valid values for every required column of the records that
// can be edited, for validateAlone.
var standIns = map[string]map[string]any{
	records.Workers: {"id_number": "11010519491231002X", "name": "x", "ethnicity": "汉族",
		"hukou_village": "150421001001", "education": "初中", "labour_ability": "普通劳动力"},
	records.MonthlyStatus: {"worker_id": "0123456789abcdef0123456789abcdef", "month": "2026-01", "list_type": "就业",
		"work_scope": "本村", "employment_form": "单位", "verified_by_method": "电话", "verified_by": "x", "verified_at": "2026-01-01"},
	records.Unemployment: {"worker_id": "0123456789abcdef0123456789abcdef", "place_type": "户籍地",
		"registered_on": "2026-01-01", "reason": "x"},
	records.Gigs: {"title": "x", "occupation": "x", "headcount": 1, "wage_unit": "元/天", "settlement": "日结",
		"place": "150421", "start_date": "2026-01-01", "employer": "x", "contact": "x"},
	records.Placements: {"gig_id": "0123456789abcdef0123456789abcdef", "worker_id": "0123456789abcdef0123456789abcdef",
		"placed_on": "2026-01-01"},
}

// validateAlone validates one column's value beside stand-ins for the
// others, and returns the record as validation normalised it.
func validateAlone(table, column string, v any) (validator, error) {
	m := map[string]any{}
	for k, x := range standIns[table] {
		m[k] = x
	}
	delete(m, column)
	if v != nil {
		m[column] = v
	}
	js, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("validate %s.%s: %w", table, column, err)
	}
	rec := newRecord(table)
	if err := json.Unmarshal(js, rec); err != nil {
		return nil, InvalidField(&records.FieldError{Field: column, Key: records.KeyBadJSON})
	}
	if err := rec.Validate(); err != nil {
		if fe, ok := records.AsFieldError(err); ok && fe.Field == column {
			return nil, InvalidField(fe)
		}
	}
	return rec, nil
}
