package screens

// The pages of the hub and of a station, in the order they are shot; a new
// page is one line here. A {placeholder} in Path is one path segment ({id}:
// a number or a 32-hex record id), taken from the first link on the page
// named From that matches Path. A nav link to a path that no page here
// matches, and that NotPages does not name, fails the run.

// HubPages are the county hub's pages (hub/hubweb), logged in as an owner.
var HubPages = []Page{
	{Name: "login", Path: "/login"},
	{Name: "status", Path: "/"},
	{Name: "dashboard", Path: "/dashboard"},
	{Name: "people", Path: "/people"},
	{Name: "people-gap", Path: "/people?figure=gap_month"},
	{Name: "conflicts", Path: "/conflicts"},
	{Name: "conflict", Path: "/conflicts/{id}", From: "conflicts"},
	{Name: "workers", Path: "/workers"},
	{Name: "worker", Path: "/workers/{id}", From: "conflict"},
	{Name: "programmes", Path: "/programmes"},
	{Name: "programmes-welfare", Path: "/programmes/welfare"},
	{Name: "programmes-ending", Path: "/programmes/welfare/ending"},
	{Name: "programmes-exits", Path: "/programmes/welfare/exits"},
	{Name: "programmes-workshops", Path: "/programmes/workshops"},
	{Name: "programmes-shared", Path: "/programmes/shared"},
	{Name: "programmes-work-relief", Path: "/programmes/work-relief"},
	{Name: "programmes-export", Path: "/programmes/export"},
	{Name: "services", Path: "/services"},
	{Name: "services-trainings", Path: "/services/trainings"},
	{Name: "services-experts", Path: "/services/experts"},
	{Name: "services-startups", Path: "/services/startups"},
	{Name: "services-returns", Path: "/services/returns"},
	{Name: "services-job-fairs", Path: "/services/job-fairs"},
	{Name: "services-postings", Path: "/services/postings"},
	{Name: "services-rights", Path: "/services/rights"},
	{Name: "requests", Path: "/requests"},
	{Name: "stations", Path: "/stations"},
	{Name: "station", Path: "/stations/{name}", From: "stations"},
}

// HubNotPages are the hub's links that are downloads, not pages.
var HubNotPages = []string{
	"/dashboard/report.xlsx",
	"/dashboard/report.csv",
	"/static/{file}",
}

// StationPages are a village station's pages (station/stationweb). Not
// shot: the forms a record in one state leads to (/households/new?head= from
// a worker without a household, /unemployment/{id}/deregister from an open
// registration, /placements/{id}/end from a current placement).
var StationPages = []Page{
	{Name: "login", Path: "/login"},
	{Name: "home", Path: "/"},
	{Name: "workers", Path: "/workers"},
	{Name: "worker", Path: "/workers/{id}", From: "workers"},
	{Name: "worker-edit", Path: "/workers/{id}/edit", From: "worker"},
	{Name: "monthly-status-form", Path: "/workers/{id}/monthly-status", From: "worker"},
	{Name: "followup-form", Path: "/workers/{id}/followups", From: "worker"},
	{Name: "unemployment-form", Path: "/workers/{id}/unemployment", From: "worker"},
	{Name: "jobseeker-form", Path: "/workers/{id}/jobseeker", From: "worker"},
	{Name: "leave-form", Path: "/workers/{id}/leave", From: "worker"},
	{Name: "record-edit", Path: "/records/{kind}/{id}/edit", From: "worker"},
	{Name: "record-void", Path: "/records/{kind}/{id}/void", From: "worker"},
	{Name: "new-worker", Path: "/workers/new"},
	{Name: "lists", Path: "/lists"},
	{Name: "households", Path: "/households"},
	{Name: "household", Path: "/households/{id}", From: "households"},
	{Name: "household-edit", Path: "/households/{id}/edit", From: "household"},
	{Name: "worklist", Path: "/worklist"},
	{Name: "worklist-one", Path: "/worklist/one", From: "worklist"},
	{Name: "followups-due", Path: "/followups/due"},
	{Name: "gigs", Path: "/gigs"},
	{Name: "gig", Path: "/gigs/{id}", From: "gigs"},
	{Name: "gig-edit", Path: "/gigs/{id}/edit", From: "gig"},
	{Name: "new-gig", Path: "/gigs/new"},
	{Name: "ledger", Path: "/ledger"},
	{Name: "monthly-report", Path: "/monthly-report"},
	{Name: "import", Path: "/import"},
	{Name: "refusals", Path: "/refusals"},
	{Name: "backup", Path: "/backup"},
	{Name: "programmes", Path: "/programmes"},
	{Name: "programmes-welfare", Path: "/programmes/welfare"},
	{Name: "programmes-welfare-post-new", Path: "/programmes/welfare/posts/new"},
	{Name: "programmes-workshops", Path: "/programmes/workshops"},
	{Name: "programmes-workshop-new", Path: "/programmes/workshops/new"},
	{Name: "programmes-shared", Path: "/programmes/shared"},
	{Name: "programmes-shared-new", Path: "/programmes/shared/new"},
	{Name: "programmes-work-relief", Path: "/programmes/work-relief"},
	{Name: "programmes-work-relief-new", Path: "/programmes/work-relief/new"},
	{Name: "programmes-export", Path: "/programmes/export"},
	{Name: "programmes-export-batch-new", Path: "/programmes/export/batches/new"},
	{Name: "programmes-export-region-new", Path: "/programmes/export/regions/new"},
	{Name: "services", Path: "/services"},
	{Name: "services-trainings", Path: "/services/trainings"},
	{Name: "services-experts", Path: "/services/experts"},
	{Name: "services-startups", Path: "/services/startups"},
	{Name: "services-returns", Path: "/services/returns"},
	{Name: "services-job-fairs", Path: "/services/job-fairs"},
	{Name: "services-older", Path: "/services/older"},
	{Name: "programmes-import", Path: "/programmes/import"},
}

// StationNotPages are a station's links that are downloads or actions,
// not pages.
var StationNotPages = []string{
	"/lists/export",
	"/gigs/export",
	"/ledger.xlsx",
	"/monthly-report.xlsx",
	"/static/{file}",
	"/programmes/export/{file}",
	"/programmes/import-template.xlsx",
}
