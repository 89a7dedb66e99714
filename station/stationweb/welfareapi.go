package stationweb

import (
	"net/http"
	"strings"

	"fieldsync/records"
	"fieldsync/station"
)

// The JSON API of 乡村公益性岗位 and 就业帮扶车间: posts, placements and
// their assessments; workshops and who works in them, each a
// programmeTable (programmeapi.go) whose rows the station reads as views.

func (s *Server) routesWelfareAPI(mux *http.ServeMux) {
	s.routesProgrammes(mux,
		viewedTable("/api/welfare-posts", records.WelfarePosts,
			func(r *http.Request) ([]*station.WelfarePostView, error) { return s.st.WelfarePosts(r.Context()) },
			s.st.WelfarePost, postRecord),
		viewedTable("/api/welfare-placements", records.WelfarePlacements,
			func(r *http.Request) ([]*station.WelfarePlacementView, error) {
				q, err := placementQuery(r)
				if err != nil {
					return nil, err
				}
				return s.st.WelfarePlacements(r.Context(), q)
			},
			s.st.WelfarePlacement, placementRecord),
		viewedTable("/api/welfare-assessments", records.WelfareAssessments,
			func(r *http.Request) ([]*station.WelfareAssessmentView, error) {
				p := strings.TrimSpace(r.URL.Query().Get("placement_id"))
				if p == "" {
					return nil, &records.FieldError{Field: "placement_id", Key: records.KeyRequired}
				}
				return s.st.WelfareAssessments(r.Context(), p)
			},
			s.st.WelfareAssessment, assessmentRecord),
		viewedTable("/api/workshops", records.Workshops,
			func(r *http.Request) ([]*station.WorkshopView, error) { return s.st.Workshops(r.Context()) },
			s.st.Workshop, workshopRecord),
		viewedTable("/api/workshop-jobs", records.WorkshopJobs,
			func(r *http.Request) ([]*station.WorkshopJobView, error) {
				q := r.URL.Query()
				return s.st.WorkshopJobs(r.Context(), station.WorkshopJobQuery{
					WorkshopID: strings.TrimSpace(q.Get("workshop_id")), WorkerID: strings.TrimSpace(q.Get("worker_id")),
					State: strings.TrimSpace(q.Get("state"))})
			},
			s.st.WorkshopJob, workshopJobRecord))
}

// The records the welfare and workshop views hold.
func postRecord(v *station.WelfarePostView) *records.WelfarePost { return &v.WelfarePost }
func placementRecord(v *station.WelfarePlacementView) *records.WelfarePlacement {
	return &v.WelfarePlacement
}
func assessmentRecord(v *station.WelfareAssessmentView) *records.WelfareAssessment {
	return &v.WelfareAssessment
}
func workshopRecord(v *station.WorkshopView) *records.Workshop          { return &v.Workshop }
func workshopJobRecord(v *station.WorkshopJobView) *records.WorkshopJob { return &v.WorkshopJob }

// placementQuery reads a placement list's filters: post_id, worker_id,
// state (active or ended) and ending=this-month (contracts ending in the
// station's month).
func placementQuery(r *http.Request) (station.PlacementQuery, error) {
	q := r.URL.Query()
	pq := station.PlacementQuery{PostID: strings.TrimSpace(q.Get("post_id")),
		WorkerID: strings.TrimSpace(q.Get("worker_id")), State: strings.TrimSpace(q.Get("state"))}
	switch q.Get("ending") {
	case "":
	case "this-month":
		pq.EndingThisMonth = true
	default:
		return pq, &records.FieldError{Field: "ending", Key: records.KeyEnum, Args: []any{"this-month"}}
	}
	return pq, nil
}
