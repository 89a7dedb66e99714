// Package records declares fieldsync's domain tables (workers, monthly
// statuses, registrations, follow-ups, gigs, placements, the station directory)
// on the replica engine: one schema shared by every station and the hub.
package records

import (
	"fmt"

	"fieldsync/replica"
)

// Table names.
const (
	Workers            = "workers"
	MonthlyStatus      = "monthly_status"
	Unemployment       = "unemployment_registrations"
	Jobseeker          = "jobseeker_registrations"
	Followups          = "followups"
	Gigs               = "gigs"
	Placements         = "placements"
	Stations           = "stations"
	Refusals           = "refusals"
	GigFill            = "gig_fill"
	WorkerKeyNamespace = Workers
)

// EnteredBy is the column, in every table station staff write, that names the
// staff member who made the change: a station writes it, with the user's
// name, in the same change (and so with the same version) as the fields the
// user changed, so that the hub can tell who entered each value it holds.
// Like station, it is bookkeeping: never a conflict to settle.
const EnteredBy = "entered_by"

// Bookkeeping reports whether a column records where or by whom a record was
// written rather than a fact about it (station, entered_by): differing
// values of such a column are not a conflict for a person to settle.
func Bookkeeping(column string) bool { return column == "station" || column == EnteredBy }

// EnteredByTables are the tables whose changes carry EnteredBy: those
// station staff write (not the station directory, which the hub keeps).
var EnteredByTables = []string{Workers, MonthlyStatus, Unemployment, Jobseeker, Followups, Gigs, Placements}

func text(name string) replica.Column { return replica.Column{Name: name, Type: replica.Text} }
func integer(name string) replica.Column {
	return replica.Column{Name: name, Type: replica.Integer}
}
func number(name string) replica.Column { return replica.Column{Name: name, Type: replica.Real} }
func set(name string) replica.Column    { return replica.Column{Name: name, Type: replica.Set} }

// StationIndexes are the indexes the station's pages need beyond the
// schema's (replica.Options.Indexes): the hub, which serves other pages, does
// not pay for them on every change it applies.
func StationIndexes() map[string][][]string {
	return map[string][][]string{
		// One narrow covering index serves the worker list, its search and
		// the three lists in name order, so that no page sorts or reads
		// 100,000 wide rows (station BenchmarkPages100k).
		Workers: {{replica.DeletedColumn, "name", "id_number", "phone", "station"}},
		// Covers the counts of the three lists and the probe "is this worker
		// on that list".
		MonthlyStatus: {{"month", "list_type", replica.DeletedColumn, "worker_id"}},
	}
}

// NewSchema returns the schema. Tables are appended, never reordered: their
// position is their wire id.
func NewSchema() (*replica.Schema, error) {
	s, err := replica.NewSchema(
		&replica.Table{
			Name:      Workers,
			KeyColumn: "id_number",
			Columns: []replica.Column{
				text("id_number"), text("name"), text("phone"), text("ethnicity"),
				text("hukou_village"), text("residence_village"), text("education"),
				text("labour_ability"), set("tags"), text("monitor_type"), set("skills"),
				integer("willing_away"), text("notes"), text("station"),
				text(EnteredBy),
			},
			// No index here: every replica pays for one on each import and
			// apply. The station's pages add theirs (StationIndexes).
		},
		&replica.Table{
			Name: MonthlyStatus,
			Columns: []replica.Column{
				text("worker_id"), text("month"), text("list_type"), text("work_scope"),
				text("place"), text("industry"), text("employment_form"), number("monthly_income"),
				text("verified_by_method"), text("verified_by"), text("verified_at"), text("station"), text(EnteredBy),
			},
			Indexes: [][]string{{"worker_id", "month"}},
		},
		&replica.Table{
			Name: Unemployment,
			Columns: []replica.Column{
				text("worker_id"), text("place_type"), text("registered_on"), text("reason"),
				text("job_intention"), text("training_intention"), text("deregistered_on"),
				text("deregistration_reason"), text("station"), text(EnteredBy),
			},
			Indexes: [][]string{{"worker_id"}},
		},
		&replica.Table{
			Name:       Jobseeker,
			AppendOnly: true,
			Columns: []replica.Column{
				text("worker_id"), text("intended_work"), number("expected_wage"), text("wage_unit"),
				text("area"), text("work_type"), text("available_from"), text("registered_on"), text("station"),
				text(EnteredBy),
			},
			Indexes: [][]string{{"worker_id"}},
		},
		&replica.Table{
			Name:       Followups,
			AppendOnly: true,
			Columns: []replica.Column{
				text("worker_id"), text("date"), text("method"), text("service_type"),
				text("content"), text("outcome"), text("next_due"), text("staff"), text("station"),
				text(EnteredBy),
			},
			Indexes: [][]string{{"worker_id", "date"}},
		},
		&replica.Table{
			Name: Gigs,
			Columns: []replica.Column{
				text("title"), text("occupation"), integer("headcount"), number("wage"), text("wage_unit"),
				text("settlement"), text("place"), text("address"), text("start_date"), text("end_date"),
				integer("age_min"), integer("age_max"), text("employer"), text("contact"),
				set("skills"), text("status"), text("expires_on"), text("station"), text(EnteredBy),
			},
			Indexes: [][]string{{"status"}},
		},
		&replica.Table{
			Name: Placements,
			Columns: []replica.Column{
				text("gig_id"), text("worker_id"), text("status"), text("placed_on"), text("station"), text(EnteredBy),
			},
			Indexes: [][]string{{"gig_id"}, {"worker_id"}},
		},
		&replica.Table{
			Name: Stations,
			Columns: []replica.Column{
				text("name"), text("division_code"), text("township"), text("village"), text("contact"),
			},
		},
		// Refusals is the hub's answer to a change it did not accept from a
		// station (DESIGN "Trust"): one row per refused column, written by
		// the hub only and sent only to the station it names, which shows
		// its staff what was refused and why. state is one of the
		// Refusal* constants; value is what the station sent (as text).
		&replica.Table{
			Name: Refusals,
			Columns: []replica.Column{
				text("station"), text("table_name"), text("row_id"), text("column_name"), text("value"),
				text("reason_key"), text("reason"), text("state"), text("refused_at"), text("version"),
			},
			Indexes: [][]string{{"station", "refused_at"}},
		},
		// GigFill is how many people the county has placed in a gig, kept
		// by the hub: placements themselves stay with the stations whose
		// people they name, so that no station sees another's people.
		// Its row id is the gig's.
		&replica.Table{
			Name:    GigFill,
			Columns: []replica.Column{integer("placed")},
		},
	)
	if err != nil {
		return nil, fmt.Errorf("records schema: %w", err)
	}
	return s, nil
}
