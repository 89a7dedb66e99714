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
	Households         = "households"
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
var EnteredByTables = append([]string{Workers, MonthlyStatus, Unemployment, Jobseeker, Followups, Gigs, Placements,
	Households}, append(append([]string(nil), CountyWideTables...), PersonRecordTables...)...)

// SchemaVersion is the version of the schema NewSchema declares: the
// greatest Since of its tables and columns. A release that adds a table
// or a column raises it and declares the addition with it (DESIGN
// "Edges"); the hub accepts stations one version behind.
//
// Version 2 added corrections (void_reason and voided_on on monthly
// statuses, registrations and follow-ups, which take edits from then on;
// ended_on on placements), a person leaving the station's lists
// (left_reason, left_on, left_to), the month's willing_away flag on a
// monthly status, households (a worker's household_id), the placement
// programmes (programmes.go), the services (services.go: training,
// start-ups, rights cases, returns, job fairs; a gig's kind, suits_older
// and job fair; a worker's health check). No release carried version 2
// before all of them, so they share it: a station of 0.5.0 (version 1)
// syncs with a hub of any of them.
const SchemaVersion = 2

// Column declarations take their id first: a column's id is frozen (it
// names the column in every database, log and change ever written), and
// the delete marker's (each table's DeletedID) too. The first version's
// ids are the columns' places and the marker's the number of columns it
// had; a column added later takes the next id after all of them, with the
// version that added it.
func text(id int, name string) replica.Column {
	return replica.Column{ID: id, Name: name, Type: replica.Text}
}
func integer(id int, name string) replica.Column {
	return replica.Column{ID: id, Name: name, Type: replica.Integer}
}
func number(id int, name string) replica.Column {
	return replica.Column{ID: id, Name: name, Type: replica.Real}
}
func set(id int, name string) replica.Column {
	return replica.Column{ID: id, Name: name, Type: replica.Set}
}

// since declares that version v added column c.
func since(v int, c replica.Column) replica.Column {
	c.Since = v
	return c
}

// StationIndexes are the indexes the station's pages need beyond the
// schema's (replica.Options.Indexes): the hub, which serves other pages, does
// not pay for them on every change it applies.
func StationIndexes() map[string][][]string {
	return map[string][][]string{
		// One narrow covering index serves the worker list, its search and
		// the three lists in name order, so that no page sorts or reads
		// 100,000 wide rows (station BenchmarkPages100k).
		// One on leaving and one on voids: nearly every value there is
		// NULL, so a query finds the few people who left or void statuses
		// in the index alone and leaves them out, while the lists and
		// counts still read only their covering indexes.
		Workers: {{replica.DeletedColumn, "name", "id_number", "phone", "station"}, {"left_reason"}},
		// Covers the counts of the three lists and the probe "is this worker
		// on that list".
		MonthlyStatus: {{"month", "list_type", replica.DeletedColumn, "worker_id"}, {"void_reason"}},
	}
}

// NewSchema returns the schema. Tables are appended, never reordered: their
// position is their wire id.
func NewSchema() (*replica.Schema, error) {
	tables := []*replica.Table{
		{
			Name:      Workers,
			KeyColumn: "id_number",
			DeletedID: 15,
			Columns: []replica.Column{
				text(0, "id_number"), text(1, "name"), text(2, "phone"), text(3, "ethnicity"),
				text(4, "hukou_village"), text(5, "residence_village"), text(6, "education"),
				text(7, "labour_ability"), set(8, "tags"), text(9, "monitor_type"), set(10, "skills"),
				integer(11, "willing_away"), text(12, "notes"), text(13, "station"),
				text(14, EnteredBy),
				// Version 2: the household, and leaving the station's
				// lists (迁出, 死亡, 其他) with the date and where to.
				since(2, text(16, "household_id")), since(2, text(17, "left_reason")),
				since(2, text(18, "left_on")), since(2, text(19, "left_to")),
				// The 劳务品牌 the person works under (76号 (四)).
				since(2, text(20, "labour_brand")),
				// The latest 职业健康体检 (records.HealthCheck).
				since(2, text(21, "health_check_on")), since(2, text(22, "health_check_result")),
			},
			// No index here: every replica pays for one on each import and
			// apply. The station's pages add theirs (StationIndexes).
		},
		{
			Name:      MonthlyStatus,
			DeletedID: 13,
			Columns: []replica.Column{
				text(0, "worker_id"), text(1, "month"), text(2, "list_type"), text(3, "work_scope"),
				text(4, "place"), text(5, "industry"), text(6, "employment_form"), number(7, "monthly_income"),
				text(8, "verified_by_method"), text(9, "verified_by"), text(10, "verified_at"), text(11, "station"), text(12, EnteredBy),
				// Version 2: willing to work away this month (whatever
				// the list), and the void that takes the status out of
				// every list and count while keeping it in history.
				since(2, integer(14, "willing_away")), since(2, text(15, "void_reason")), since(2, text(16, "voided_on")),
			},
			Indexes: [][]string{{"worker_id", "month"}},
		},
		{
			Name:      Unemployment,
			DeletedID: 10,
			Columns: []replica.Column{
				text(0, "worker_id"), text(1, "place_type"), text(2, "registered_on"), text(3, "reason"),
				text(4, "job_intention"), text(5, "training_intention"), text(6, "deregistered_on"),
				text(7, "deregistration_reason"), text(8, "station"), text(9, EnteredBy),
				since(2, text(11, "void_reason")), since(2, text(12, "voided_on")),
			},
			Indexes: [][]string{{"worker_id"}},
		},
		{
			Name:       Jobseeker,
			AppendOnly: true,
			// Corrected and voided from version 2 on.
			EditableSince: 2,
			DeletedID:     10,
			Columns: []replica.Column{
				text(0, "worker_id"), text(1, "intended_work"), number(2, "expected_wage"), text(3, "wage_unit"),
				text(4, "area"), text(5, "work_type"), text(6, "available_from"), text(7, "registered_on"), text(8, "station"),
				text(9, EnteredBy),
				since(2, text(11, "void_reason")), since(2, text(12, "voided_on")),
			},
			Indexes: [][]string{{"worker_id"}},
		},
		{
			Name:       Followups,
			AppendOnly: true,
			// Corrected and voided from version 2 on.
			EditableSince: 2,
			DeletedID:     10,
			Columns: []replica.Column{
				text(0, "worker_id"), text(1, "date"), text(2, "method"), text(3, "service_type"),
				text(4, "content"), text(5, "outcome"), text(6, "next_due"), text(7, "staff"), text(8, "station"),
				text(9, EnteredBy),
				since(2, text(11, "void_reason")), since(2, text(12, "voided_on")),
			},
			Indexes: [][]string{{"worker_id", "date"}},
		},
		{
			Name:      Gigs,
			DeletedID: 19,
			Columns: []replica.Column{
				text(0, "title"), text(1, "occupation"), integer(2, "headcount"), number(3, "wage"), text(4, "wage_unit"),
				text(5, "settlement"), text(6, "place"), text(7, "address"), text(8, "start_date"), text(9, "end_date"),
				integer(10, "age_min"), integer(11, "age_max"), text(12, "employer"), text(13, "contact"),
				set(14, "skills"), text(15, "status"), text(16, "expires_on"), text(17, "station"), text(18, EnteredBy),
				// Version 2: a regular job (全职) or a gig (零工, and NULL),
				// whether it suits older workers, the job fair it was
				// published at.
				since(2, text(20, "kind")), since(2, integer(21, "suits_older")), since(2, text(22, "job_fair_id")),
			},
			Indexes: [][]string{{"status"}},
		},
		{
			Name:      Placements,
			DeletedID: 6,
			Columns: []replica.Column{
				text(0, "gig_id"), text(1, "worker_id"), text(2, "status"), text(3, "placed_on"), text(4, "station"), text(5, EnteredBy),
				// Version 2: when a placement ended (status left or cancelled).
				since(2, text(7, "ended_on")),
			},
			Indexes: [][]string{{"gig_id"}, {"worker_id"}},
		},
		{
			Name:      Stations,
			DeletedID: 5,
			Columns: []replica.Column{
				text(0, "name"), text(1, "division_code"), text(2, "township"), text(3, "village"), text(4, "contact"),
			},
		},
		// Refusals is the hub's answer to a change it did not accept from a
		// station (DESIGN "Trust"): one row per refused column, written by
		// the hub only and sent only to the station it names, which shows
		// its staff what was refused and why. state is one of the
		// Refusal* constants; value is what the station sent (as text).
		{
			Name:      Refusals,
			DeletedID: 10,
			Columns: []replica.Column{
				text(0, "station"), text(1, "table_name"), text(2, "row_id"), text(3, "column_name"), text(4, "value"),
				text(5, "reason_key"), text(6, "reason"), text(7, "state"), text(8, "refused_at"), text(9, "version"),
			},
			Indexes: [][]string{{"station", "refused_at"}},
		},
		// GigFill is how many people the county has placed in a gig, kept
		// by the hub: placements themselves stay with the stations whose
		// people they name, so that no station sees another's people.
		// Its row id is the gig's.
		{
			Name:      GigFill,
			DeletedID: 1,
			Columns:   []replica.Column{integer(0, "placed")},
		},
		// Households (version 2): 监测对象 and 零就业家庭 are designations
		// of a household, not of a person. Members name theirs in
		// workers.household_id; worker_id is the 户主, whose record the
		// household is (it follows the head into a station's scope, like
		// the head's other records). The row id is random.
		{
			Name:      Households,
			Since:     2,
			DeletedID: 7,
			Columns: []replica.Column{
				text(0, "worker_id"), text(1, "village"), text(2, "monitor_type"), integer(3, "zero_employment"),
				text(4, "notes"), text(5, "station"), text(6, EnteredBy),
			},
		},
	}
	tables = append(tables, programmeTables()...)
	tables = append(tables, serviceTables()...)
	s, err := replica.NewSchema(tables...)
	if err != nil {
		return nil, fmt.Errorf("records schema: %w", err)
	}
	return s, nil
}
