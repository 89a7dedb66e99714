package stationweb

import (
	"context"
	"net/http"
	"testing"

	"fieldsync/records"
)

// Found by the fault simulator (cmd/fieldsim, seed 2): a person registered
// offline at two stations holds two heads of id_number (equal values). When
// both registrations reach a third station and it registers the same person,
// the merge rewrites every column, id_number included, to settle the heads;
// the replica refuses that ("id_number cannot change") and the API answers
// 500 instead of the documented 201 merge.
func TestRegressRegisterWorkerRegisteredAtTwoStations(t *testing.T) {
	a := newFixture(t, nil)
	b := a.peer("白音嘎查")
	c := a.peer("乌兰嘎查")
	idn := idNumber("19780110", 246)
	id := a.mustCreate("/api/workers", workerBody(idn))
	if got := b.mustCreate("/api/workers", workerBody(idn)); got != id {
		t.Fatalf("b made id %s, want %s", got, id)
	}
	a.syncTo(c)
	b.syncTo(c)
	r := c.api("POST", "/api/workers", workerBody(idn))
	if r.status != http.StatusCreated || r.body["id"] != id {
		t.Fatalf("registering at a third station: %d %s, want 201 with id %s", r.status, r.raw, id)
	}
	// The merge replaced both heads of id_number: one head now, same value.
	heads, err := c.r.Heads(context.Background(), records.Workers, mustID(t, id))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range heads {
		if h.Column == "id_number" && (len(h.Heads) != 1 || h.Heads[0].Value != idn) {
			t.Errorf("id_number heads after the merge: %+v", h.Heads)
		}
	}
	if g := c.api("GET", "/api/workers/"+id, nil); g.status != http.StatusOK || g.body["id_number"] != idn {
		t.Fatalf("reading the merged worker: %d %s", g.status, g.raw)
	}
	// With the heads settled, registering again merges again.
	if r := c.api("POST", "/api/workers", workerBody(idn)); r.status != http.StatusCreated || r.body["id"] != id {
		t.Fatalf("registering again at the third station: %d %s", r.status, r.raw)
	}
	// A fourth station holding both records registers through the web form.
	d := a.peer("巴音嘎查")
	a.syncTo(d)
	b.syncTo(d)
	if p := d.browser().post("/workers/new", workerForm(idn)); p.status != http.StatusSeeOther {
		t.Fatalf("web registration at a fourth station: %d %.300s", p.status, p.raw)
	}
	// The edit travels: the stations converge on one head.
	c.syncTo(a)
	c.syncTo(b)
	for _, f := range []*fixture{a, b} {
		hs, err := f.r.Heads(context.Background(), records.Workers, mustID(t, id))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if h.Column == "id_number" && len(h.Heads) != 1 {
				t.Errorf("id_number heads at a peer after the merge arrived: %+v", h.Heads)
			}
		}
	}
}
