package records

import "fieldsync/replica"

// HubIndexes are the indexes the county hub's dashboard and monthly report
// need beyond the schema's (replica.Options.Indexes; package report,
// docs/REPORTS.md "Speed"). Each is covering: the report's queries read the
// index alone and never the wide rows with their merge state. Stations do not
// pay for them on their imports.
func HubIndexes() map[string][][]string {
	return map[string][][]string{
		// A month's statuses, grouped by worker, in the order of the "latest
		// status" rule (verified_at, then id), with the columns the figures
		// count.
		MonthlyStatus: {{"month", replica.DeletedColumn, "worker_id", "verified_at", "id",
			"list_type", "work_scope", "employment_form", "monthly_income"}},
		// No index on workers: keyed by village, by (random) id or by name,
		// they cost the hub's Apply of new workers the most (every commit
		// rewrites most of a randomly keyed index: BenchmarkApply/hub 0.49x
		// raw inserts, 0.20x with covering ones, 0.34x with one on (name,
		// station)). The dashboard counts workers from report.Live, the
		// conflict queue's identity rule and the worker search find names
		// in the hub's in-memory name index (hub/namesakes.go).
		// A person's follow-ups by date: counts in a period and the latest.
		Followups: {{"worker_id", "date", replica.DeletedColumn, "id"}},
		// A gig's placements in the order they reached its headcount.
		Placements: {{"gig_id", "status", replica.DeletedColumn, "placed_on", "id"}},
	}
}
