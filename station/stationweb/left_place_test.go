package stationweb

import (
	"fmt"
	"testing"
)

// A person who left the station's lists (迁出, 死亡) is not placed in a gig:
// the placement is refused naming the person, and nothing is written; back
// on the lists, they are placed as anyone.
func TestNoPlacementAfterLeaving(t *testing.T) {
	cf := newCorrFixture(t)
	g := gigBody()
	g["title"] = "另一个零工"
	gid := cf.mustCreate("/api/gigs", g)
	if r := cf.api("POST", "/api/workers/"+cf.wid+"/leave", `{"reason":"死亡","date":"2026-11-14"}`); r.status != 200 {
		t.Fatalf("leave: %d %s", r.status, r.raw)
	}
	body := fmt.Sprintf(`{"gig_id":%q,"worker_id":%q,"placed_on":"2026-11-20"}`, gid, cf.wid)
	r := cf.api("POST", "/api/placements", body)
	if r.status != 409 || r.body["field"] != "worker_id" || r.body["error"] != "该人员已标记离开" {
		t.Fatalf("placing a person who left: %d %s", r.status, r.raw)
	}
	var n int
	if err := cf.r.DB().QueryRow(`SELECT count(*) FROM placements WHERE gig_id = ?`, gid).Scan(&n); err != nil || n != 0 {
		t.Fatalf("placements of the gig: %d, %v", n, err)
	}
	if r := cf.api("POST", "/api/workers/"+cf.wid+"/return", `{}`); r.status != 200 {
		t.Fatalf("return: %d %s", r.status, r.raw)
	}
	if r := cf.api("POST", "/api/placements", body); r.status != 201 {
		t.Fatalf("placing them after their return: %d %s", r.status, r.raw)
	}
}
