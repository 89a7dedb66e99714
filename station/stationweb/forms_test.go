package stationweb

import (
	"net/url"
	"testing"

	"fieldsync/records"
)

// An edit form that empties an optional number clears it: the form is
// decoded over the stored record, so an empty field must write "none",
// not leave the stored value in place.
func TestDecodeFormClearsOptionalNumbers(t *testing.T) {
	wage := 3200.0
	job := records.WorkshopJob{WorkerID: "w", WorkshopID: "s", StartOn: "2026-01-01", MonthlyWage: &wage}
	spec := []fieldSpec{f("start_on", "date", true), f("monthly_wage", "number", false)}
	if err := decodeForm(spec, url.Values{"start_on": {"2026-01-01"}, "monthly_wage": {""}}, &job); err != nil {
		t.Fatal(err)
	}
	if job.MonthlyWage != nil {
		t.Errorf("monthly wage emptied on the form: still %v", *job.MonthlyWage)
	}
	// A field the form does not carry stays as stored.
	job.MonthlyWage = &wage
	if err := decodeForm(spec, url.Values{"start_on": {"2026-01-01"}}, &job); err != nil {
		t.Fatal(err)
	}
	if job.MonthlyWage == nil || *job.MonthlyWage != wage {
		t.Errorf("monthly wage absent from the form: %v", job.MonthlyWage)
	}
	g := records.Gig{AgeMin: 18, AgeMax: 50}
	gspec := []fieldSpec{f("age_min", "int", false), f("age_max", "int", false)}
	if err := decodeForm(gspec, url.Values{"age_min": {""}, "age_max": {"45"}}, &g); err != nil {
		t.Fatal(err)
	}
	if g.AgeMin != 0 || g.AgeMax != 45 {
		t.Errorf("age bounds after emptying the minimum: %d-%d, want 0-45", g.AgeMin, g.AgeMax)
	}
}
