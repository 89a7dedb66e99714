package stationweb

import (
	"net/http"
	"strings"
	"testing"

	"fieldsync/records"
)

// FuzzWelfareAPI drives the welfare and workshop API with any body: the
// answers keep fuzzStation.do's shape (no 5xx, an error naming a field or
// none, an id on every 2xx), and a record acknowledged is there to read.
// Besides fuzzStation's placeholders, @P is a welfare post (headcount 1000),
// @L a placement of @W in it, @K a workshop.
func FuzzWelfareAPI(f *testing.F) {
	z := newFuzzStation(f)
	post := welfarePostBody()
	post["headcount"] = 1000
	pid := z.fx.mustCreate("/api/welfare-posts", post)
	lid := z.fx.mustCreate("/api/welfare-placements", placementBody(z.wid, pid, "2026-03-01", "2027-02-28"))
	kid := z.fx.mustCreate("/api/workshops", map[string]any{"name": "车间", "village": "150421100202"})
	paths := []struct{ method, path, table string }{
		{"POST", "/api/welfare-posts", records.WelfarePosts},
		{"POST", "/api/welfare-placements", records.WelfarePlacements},
		{"POST", "/api/welfare-assessments", records.WelfareAssessments},
		{"POST", "/api/workshops", records.Workshops},
		{"POST", "/api/workshop-jobs", records.WorkshopJobs},
		{"PATCH", "/api/welfare-posts/@P", records.WelfarePosts},
		{"PATCH", "/api/welfare-placements/@L", records.WelfarePlacements},
		{"PATCH", "/api/workshops/@K", records.Workshops},
	}
	f.Add(uint8(0), mustJSON(welfarePostBody()))
	f.Add(uint8(0), `{"name":"x","village":"150421100201","kind":"其他","headcount":1.5,"subsidy":-1,"employer":"x"}`)
	f.Add(uint8(1), mustJSON(placementBody("@F", "@P", "2026-01-31", "2027-01-30")))
	f.Add(uint8(1), mustJSON(placementBody("@F", "@P", "2024-02-29", "2025-02-28")))
	f.Add(uint8(1), `{"worker_id":"@W","post_id":"@P","contract_kind":"劳务协议","contract_start":"2027-01-01","contract_end":"2027-12-31","insurance_kind":"工伤保险","insurance_start":"2027-01-01","insurance_end":"2027-12-31","part_time":true}`)
	f.Add(uint8(2), `{"worker_id":"@W","placement_id":"@L","month":"2026-11","result":"合格","other_income":1200.5}`)
	f.Add(uint8(2), `{"worker_id":"@F","placement_id":"@L","month":"2028-01","result":"差"}`)
	f.Add(uint8(3), `{"name":"车间","village":"150421100202","recognised_on":"2026/3/1"}`)
	f.Add(uint8(4), `{"worker_id":"@F","workshop_id":"@K","start_on":"2026-11-01","monthly_wage":2000}`)
	f.Add(uint8(4), `{"worker_id":"@W","workshop_id":"@P","start_on":"2026-11-01"}`)
	f.Add(uint8(5), `{"headcount":0}`)
	f.Add(uint8(6), `{"exit_on":"2026-12-01","exit_reason":"本人申请"}`)
	f.Add(uint8(6), `{"worker_id":"@F"}`)
	f.Add(uint8(6), `{"POST_ID":"@P","Contract_End":"2027-03-01"}`)
	f.Add(uint8(7), `{"station":"县级"}`)
	f.Add(uint8(7), `{"name":null}`)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		p := paths[int(which)%len(paths)]
		body = strings.NewReplacer("@P", pid, "@L", lid, "@K", kid).Replace(z.expand(t, body))
		path := strings.NewReplacer("@P", pid, "@L", lid, "@K", kid).Replace(p.path)
		st, out := z.do(t, p.method, path, body)
		if st >= 300 {
			return
		}
		id := out["id"].(string)
		z.rowExists(t, p.table, id)
		if p.method == "POST" && st != http.StatusCreated {
			t.Fatalf("POST %s answered %d", path, st)
		}
		z.get(t, strings.TrimSuffix(path, "/"+id)+"/"+id)
	})
}
