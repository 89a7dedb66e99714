package stationweb

import (
	"net/http"
	"testing"
)

// Found by FuzzStationWorkers and FuzzStationGigs: encoding/json matches a
// body's names ignoring case, so a PATCH of {"NAME": "x"} decoded the new
// name, but the fields to write were taken from the body's names as sent:
// "NAME" is no column, nothing was written, and the station answered 200.
// Fixed in station/api.go (columnsNamed).
func TestRegressPatchFieldNameCase(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	if r := f.api("PATCH", "/api/workers/"+wid, `{"NAME":"新名字","Notes":"大小写"}`); r.status != http.StatusOK {
		t.Fatalf("PATCH worker: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/workers/"+wid, nil); r.body["name"] != "新名字" || r.body["notes"] != "大小写" {
		t.Errorf("after PATCH {\"NAME\", \"Notes\"}: name %v, notes %v", r.body["name"], r.body["notes"])
	}
	gid := f.mustCreate("/api/gigs", gigBody())
	if r := f.api("PATCH", "/api/gigs/"+gid, `{"TITLE":"剪羊毛","HeadCount":3}`); r.status != http.StatusOK {
		t.Fatalf("PATCH gig: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/gigs/"+gid, nil); r.body["title"] != "剪羊毛" || r.body["headcount"] != float64(3) {
		t.Errorf("after PATCH {\"TITLE\", \"HeadCount\"}: title %v, headcount %v", r.body["title"], r.body["headcount"])
	}
}
