package station

import (
	"net/http"
	"testing"
)

// Found by the fault simulator (cmd/fieldsim, seed 2): a person registered
// offline at two stations holds two heads of id_number (equal values). When
// both registrations reach a third station and it registers the same person,
// the merge rewrites every column, id_number included, to settle the heads;
// the replica refuses that ("id_number cannot change") and the API answers
// 500 instead of the documented 201 merge.
func TestRegressRegisterWorkerRegisteredAtTwoStations(t *testing.T) {
	t.Skip("known bug: registering a worker whose id_number has two (equal) heads answers 500 'id_number cannot change'; see lead")
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
}
