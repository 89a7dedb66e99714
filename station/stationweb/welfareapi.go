package stationweb

import (
	"context"
	"net/http"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
)

// The JSON API of 乡村公益性岗位 and 就业帮扶车间: posts, placements and
// their assessments; workshops and who works in them. Each path serves the
// same five calls (programmeAPI), every write through
// station.SaveProgramme, so the API, the pages and an import keep one set
// of rules.

func (s *Server) routesWelfareAPI(mux *http.ServeMux) {
	programmeAPI(s, mux, "/api/welfare-posts", records.WelfarePosts,
		func(r *http.Request) ([]*station.WelfarePostView, error) { return s.st.WelfarePosts(r.Context()) },
		func(ctx context.Context, id ident.ID) (*station.WelfarePostView, *records.WelfarePost, error) {
			v, err := s.st.WelfarePost(ctx, id)
			if err != nil {
				return nil, nil, err
			}
			return v, &v.WelfarePost, nil
		})
	programmeAPI(s, mux, "/api/welfare-placements", records.WelfarePlacements,
		func(r *http.Request) ([]*station.WelfarePlacementView, error) {
			q, err := placementQuery(r)
			if err != nil {
				return nil, err
			}
			return s.st.WelfarePlacements(r.Context(), q)
		},
		func(ctx context.Context, id ident.ID) (*station.WelfarePlacementView, *records.WelfarePlacement, error) {
			v, err := s.st.WelfarePlacement(ctx, id)
			if err != nil {
				return nil, nil, err
			}
			return v, &v.WelfarePlacement, nil
		})
	programmeAPI(s, mux, "/api/welfare-assessments", records.WelfareAssessments,
		func(r *http.Request) ([]*station.WelfareAssessmentView, error) {
			p := strings.TrimSpace(r.URL.Query().Get("placement_id"))
			if p == "" {
				return nil, &records.FieldError{Field: "placement_id", Key: records.KeyRequired}
			}
			return s.st.WelfareAssessments(r.Context(), p)
		},
		func(ctx context.Context, id ident.ID) (*station.WelfareAssessmentView, *records.WelfareAssessment, error) {
			v, err := s.st.WelfareAssessment(ctx, id)
			if err != nil {
				return nil, nil, err
			}
			return v, &v.WelfareAssessment, nil
		})
	programmeAPI(s, mux, "/api/workshops", records.Workshops,
		func(r *http.Request) ([]*station.WorkshopView, error) { return s.st.Workshops(r.Context()) },
		func(ctx context.Context, id ident.ID) (*station.WorkshopView, *records.Workshop, error) {
			v, err := s.st.Workshop(ctx, id)
			if err != nil {
				return nil, nil, err
			}
			return v, &v.Workshop, nil
		})
	programmeAPI(s, mux, "/api/workshop-jobs", records.WorkshopJobs,
		func(r *http.Request) ([]*station.WorkshopJobView, error) {
			q := r.URL.Query()
			return s.st.WorkshopJobs(r.Context(), station.WorkshopJobQuery{
				WorkshopID: strings.TrimSpace(q.Get("workshop_id")), WorkerID: strings.TrimSpace(q.Get("worker_id")),
				State: strings.TrimSpace(q.Get("state"))})
		},
		func(ctx context.Context, id ident.ID) (*station.WorkshopJobView, *records.WorkshopJob, error) {
			v, err := s.st.WorkshopJob(ctx, id)
			if err != nil {
				return nil, nil, err
			}
			return v, &v.WorkshopJob, nil
		})
}

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

// programmeRecord is a programme's record type T through its pointer P,
// which validates and lists its columns.
type programmeRecord[T any] interface {
	*T
	station.ProgrammeRecord
}

// programmeAPI serves a programme table at path: GET lists (list answers
// the rows, {"rows": [...], "total": n}), POST creates (201 with the id),
// GET /{id} reads, PATCH /{id} applies the fields given over the stored
// record and writes the whole record through SaveProgramme (its rules
// checked again), DELETE /{id} deletes (station.DeleteProgramme). get
// returns the row as read and its record.
func programmeAPI[T any, P programmeRecord[T], V any](s *Server, mux *http.ServeMux, path, table string,
	list func(*http.Request) ([]V, error), get func(context.Context, ident.ID) (V, P, error)) {
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		items, err := list(r)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		if items == nil {
			items = []V{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"rows": items, "total": len(items)})
	})
	mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		rec := P(new(T))
		if err := decodeJSON(w, r, rec); err != nil {
			s.apiError(w, r, err)
			return
		}
		id, err := s.st.SaveProgramme(r.Context(), table, ident.Zero, rec)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		created(w, id)
	})
	mux.HandleFunc("GET "+path+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		var v V
		if err == nil {
			v, _, err = get(r.Context(), id)
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	mux.HandleFunc("PATCH "+path+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err == nil {
			var apply func(rec any) ([]string, error)
			if apply, err = patchBody(w, r); err == nil {
				var rec P
				if _, rec, err = get(r.Context(), id); err == nil {
					if _, err = apply(rec); err == nil {
						_, err = s.st.SaveProgramme(r.Context(), table, id, rec)
					}
				}
			}
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
	})
	mux.HandleFunc("DELETE "+path+"/{id}", serveByID(s, func(r *http.Request, id ident.ID, _ *struct{}) error {
		return s.st.DeleteProgramme(r.Context(), table, id)
	}))
}
