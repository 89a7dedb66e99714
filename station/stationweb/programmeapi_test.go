package stationweb

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Every programme table's list answers one shape, {"rows", "total",
// "limit", "offset"}, paged the same way whether the station reads its rows
// as views (workshops) or as column maps (partner regions); a bad limit or
// offset is refused naming it.
func TestProgrammeListPaging(t *testing.T) {
	f := newFixture(t, nil)
	tables := []struct {
		path string
		body func(i int) map[string]any
	}{
		{"/api/workshops", func(i int) map[string]any {
			return map[string]any{"name": fmt.Sprintf("帮扶车间%d", i), "village": "150421100201"}
		}},
		{"/api/partner-regions", func(i int) map[string]any {
			return map[string]any{"name": fmt.Sprintf("协作地区%d", i), "kind": "东西部协作"}
		}},
	}
	for _, tc := range tables {
		// offset+limit past the largest int: an empty page, not a panic.
		if r := f.api("GET", tc.path+"?limit=1000&offset=9223372036854775807", nil); r.status != 200 ||
			!strings.Contains(r.raw, `"rows":[]`) {
			t.Errorf("GET %s with the largest offset: %d %s", tc.path, r.status, r.raw)
		}
		made := map[string]bool{}
		for i := range 3 {
			made[f.mustCreate(tc.path, tc.body(i))] = true
		}
		seen := map[string]bool{}
		for _, pg := range []struct {
			q                   string
			rows, limit, offset int
		}{
			{"", 3, 50, 0},
			{"?limit=2", 2, 2, 0},
			{"?limit=2&offset=2", 1, 2, 2},
			{"?offset=3", 0, 50, 3},
			{"?limit=1000&offset=7", 0, 1000, 7},
		} {
			r := f.api("GET", tc.path+pg.q, nil)
			rows := listItems(t, r)
			if len(rows) != pg.rows || r.body["total"] != float64(3) || r.body["limit"] != float64(pg.limit) ||
				r.body["offset"] != float64(pg.offset) {
				t.Errorf("GET %s%s: %s, want %d rows of 3, limit %d, offset %d", tc.path, pg.q, r.raw, pg.rows,
					pg.limit, pg.offset)
			}
			if pg.limit == 2 {
				for _, row := range rows {
					seen[row["id"].(string)] = true
				}
			}
		}
		if len(seen) != 3 {
			t.Errorf("%s: the pages of 2 gave %v, made %v", tc.path, seen, made)
		}
		for _, bad := range []struct{ q, field string }{
			{"?limit=0", "limit"}, {"?limit=1001", "limit"}, {"?limit=x", "limit"},
			{"?offset=-1", "offset"}, {"?offset=x", "offset"},
		} {
			programmeRefused(t, "GET "+tc.path+bad.q, f.api("GET", tc.path+bad.q, nil), http.StatusBadRequest, bad.field)
		}
	}
}

// A PATCH is decoded strictly on every programme table: a key the record
// has not is refused naming it and changes nothing, shared employment's
// start and end included only there.
func TestProgrammePatchStrict(t *testing.T) {
	f := newFixture(t, nil)
	w := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	shared := f.mustCreate("/api/shared-employment", map[string]any{"worker_id": w, "original_employer": "某煤矿",
		"contract_end": "2026-12-31", "host_employer": "某物流", "start": "2026-03-01", "end": "2026-08-31"})
	shop := f.mustCreate("/api/workshops", map[string]any{"name": "帮扶车间", "village": "150421100201"})
	programmeRefused(t, "shared: unknown key", f.api("PATCH", "/api/shared-employment/"+shared,
		map[string]any{"host_employer": "别处", "bogus": 1}), http.StatusBadRequest, "bogus")
	programmeRefused(t, "workshop: start is shared employment's", f.api("PATCH", "/api/workshops/"+shop,
		map[string]any{"name": "改名", "start": "2026-03-01"}), http.StatusBadRequest, "start")
	if r := f.api("PATCH", "/api/shared-employment/"+shared, map[string]any{"END": "2026-07-31"}); r.status != http.StatusOK {
		t.Fatalf("shared: END: %d %s", r.status, r.raw)
	}
	r := f.api("GET", "/api/shared-employment/"+shared, nil)
	if r.body["end_on"] != "2026-07-31" || r.body["host_employer"] != "某物流" {
		t.Errorf("shared after the patches: %s", r.raw)
	}
	if r := f.api("GET", "/api/workshops/"+shop, nil); r.body["name"] != "帮扶车间" {
		t.Errorf("workshop after a refused patch: %s", r.raw)
	}
}

// Two PATCHes of different fields of one row at the same time keep both:
// each applies its fields over the record as the other left it, never over
// a copy read before the other's write.
func TestProgrammePatchConcurrent(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 30 {
		id := f.mustCreate("/api/workshops", map[string]any{"name": fmt.Sprintf("帮扶车间%d", i), "village": "150421100201"})
		var wg sync.WaitGroup
		status := make([]int, 2)
		for j, body := range []map[string]any{{"operator": "合作社"}, {"industry": "刺绣"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status[j] = f.api("PATCH", "/api/workshops/"+id, body).status
			}()
		}
		wg.Wait()
		if status[0] != 200 || status[1] != 200 {
			t.Fatalf("the PATCHes: %v", status)
		}
		r := f.api("GET", "/api/workshops/"+id, nil)
		if r.body["operator"] != "合作社" || r.body["industry"] != "刺绣" {
			t.Fatalf("round %d: after two PATCHes at once the workshop is %s, want both fields", i, r.raw)
		}
	}
}
