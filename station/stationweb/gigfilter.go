package stationweb

import (
	"net/http"
	"slices"
	"strings"

	"fieldsync/records"
	"fieldsync/station"
)

// The filters of the posting lists (GET /api/gigs, /gigs) beyond their
// status: a posting's kind (零工 or 全职), whether it suits older workers,
// the job fair it was published at.

// gigQuery reads a gig list's filters but its status and page: kind
// (零工 or 全职), suits_older (1 or true) and job_fair_id.
func gigQuery(r *http.Request) (station.GigQuery, error) {
	v := r.URL.Query()
	q := station.GigQuery{Kind: strings.TrimSpace(v.Get("kind")), JobFairID: strings.TrimSpace(v.Get("job_fair_id"))}
	if q.Kind != "" && !slices.Contains(records.GigKinds, q.Kind) {
		return q, &records.FieldError{Field: "kind", Key: records.KeyEnum, Args: []any{strings.Join(records.GigKinds, "、")}}
	}
	switch strings.TrimSpace(v.Get("suits_older")) {
	case "", "0", "false":
	case "1", "true", "on":
		q.SuitsOlder = true
	default:
		return q, &records.FieldError{Field: "suits_older", Key: records.KeyEnum, Args: []any{"1、0"}}
	}
	return q, nil
}
