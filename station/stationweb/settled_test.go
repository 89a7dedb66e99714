package stationweb

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// A value the county settled shows on the worker page as settled by the
// county, with the values it replaced.
func TestSettledByCountyShown(t *testing.T) {
	a := newFixture(t, nil)
	b := a.peer("白音嘎查")
	county := a.peer("县级中心") // stands in for the hub: it writes the station directory
	idn := idNumber("19800101", 12)
	id := a.mustCreate("/api/workers", workerBody(idn))
	wb := workerBody(idn)
	wb["phone"] = "13711112222"
	b.mustCreate("/api/workers", wb)
	b.syncTo(a)
	a.syncTo(county)
	b.syncTo(county)
	wid, _ := ident.ParseID(id)
	ctx := context.Background()
	if _, err := county.r.Write(ctx,
		replica.Edit{Table: records.Stations, Row: county.r.Key().Derive(records.Stations, "红旗嘎查"),
			Set: []replica.ColumnValue{{Column: "name", Value: "红旗嘎查"}}},
		replica.Edit{Table: records.Workers, Row: wid, Set: []replica.ColumnValue{{Column: "phone", Value: "13900000009"}}}); err != nil {
		t.Fatal(err)
	}
	county.syncTo(a)
	page := a.serve(httptest.NewRequest("GET", "/workers/"+id, nil))
	if page.status != 200 || !strings.Contains(page.raw, "县级已核定") || !strings.Contains(page.raw, "13711112222") ||
		!strings.Contains(page.raw, "13800138000") || strings.Contains(page.raw, `class="conflict"`) {
		t.Fatalf("worker page does not mark the settled phone:\n%s", page.raw)
	}
}
