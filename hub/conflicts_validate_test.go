package hub

import (
	"testing"

	"fieldsync/records"
)

// A value an administrator types to settle a conflict is held to the
// record's rules on every table with a record type, the programmes' and
// services' too: a rights case's closing day before it was received, a
// gig's (integer) suits_older beside its other columns.
func TestValidateColumnTypedValues(t *testing.T) {
	caseRow := map[string]any{"worker_id": "0123456789abcdef0123456789abcdef", "rights_kind": "欠薪", "employer": "某公司",
		"received_on": "2026-04-01", "case_status": records.RightsClosed, "closed_on": "2026-05-01", "case_outcome": "追回",
		"station": "站A", "entered_by": "x"}
	_, err := validateColumn(records.RightsCases, caseRow, "closed_on", "2026-03-01")
	if re, ok := err.(*ResolveError); !ok || re.Field != "closed_on" {
		t.Errorf("a closing day before the case was received: %v", err)
	}
	if v, err := validateColumn(records.RightsCases, caseRow, "closed_on", "2026-06-01"); err != nil || v != "2026-06-01" {
		t.Errorf("a good closing day: %v %v", v, err)
	}
	gig := map[string]any{"title": "x", "occupation": "x", "headcount": int64(2), "wage": 150.0, "wage_unit": "元/天",
		"settlement": "日结", "place": "150421", "start_date": "2026-01-01", "employer": "x", "contact": "x",
		"status": "open", "kind": records.GigKindCasual, "suits_older": int64(1), "skills": `[]`}
	if v, err := validateColumn(records.Gigs, gig, "headcount", int64(6)); err != nil || v != int64(6) {
		t.Errorf("a headcount beside suits_older: %v %v", v, err)
	}
	for _, table := range append(append([]string(nil), records.CountyWideTables...), records.PersonRecordTables...) {
		if newRecord(table) == nil {
			t.Errorf("%s: no record type to hold a typed value to", table)
		}
	}
}
