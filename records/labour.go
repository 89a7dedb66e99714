package records

// Message keys of the labour programmes' rules that need other rows
// (共享用工 and 以工代赈), checked by the station's write path.
const (
	// KeySharedOverlap: the person is already in another shared-employment
	// agreement over part of the term.
	KeySharedOverlap = "shared_overlap"
	// KeyOutsideProject: a work-relief job's dates leave its project's term.
	KeyOutsideProject = "outside_project"
	// KeyJobsOutside: a work-relief project's new term leaves out a job
	// already recorded in it.
	KeyJobsOutside = "jobs_outside"
)

func init() {
	messages[KeySharedOverlap] = [2]string{"该人员在此期间已有另一份共享用工协议（%[2]s）",
		"this person is already in another shared-employment agreement in that period (%[2]s)"}
	messages[KeyOutsideProject] = [2]string{"%[1]s应在以工代赈项目期内（%[2]s）",
		"%[1]s must lie within the work-relief project's term (%[2]s)"}
	messages[KeyJobsOutside] = [2]string{"按此%[1]s，已登记的务工记录（%[2]s）将超出项目期",
		"with this %[1]s, a job already recorded (%[2]s) would fall outside the project's term"}
}
