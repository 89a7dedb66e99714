package stationweb

import (
	"net/http"
	"strings"
	"testing"

	"fieldsync/records"
)

// FuzzStationExportBatches: whatever POST /api/export-batches (or
// .../{id}/people) is sent, the answer is never a 5xx; a 2xx names the
// batch, which exists, with one member row more per person added; a 4xx
// writes nothing (no batch, no member). @R is a partner region, @B a batch
// made at the start; @W, @F and @N as in FuzzStationWorkers.
func FuzzStationExportBatches(f *testing.F) {
	z := newFuzzStation(f)
	region := z.fx.mustCreate("/api/partner-regions", map[string]any{"name": "北京市", "kind": "东西部协作"})
	batch := z.fx.mustCreate("/api/export-batches", map[string]any{"sent_on": "2026-03-10", "destination": "北京市"})
	count := func(t *testing.T, table string) int {
		var n int
		if err := z.fx.r.DB().QueryRow(`SELECT count(*) FROM ` + table + ` WHERE fs_deleted = 0`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.Add(false, false, `{"sent_on":"2026-03-10","destination":"北京市大兴区","employer":"某物流园","partner_region_id":"@R","labour_brand":"草原保姆","people":["@W","@F"]}`)
	f.Add(false, false, `{"sent_on":"2026/3/10","destination":"苏州","people":["@N"]}`)
	f.Add(false, true, `{"sent_on":"2026-02-30","destination":"","people":"@W"}`)
	f.Add(false, false, `{"sent_on":"2026-03-10","destination":"x","partner_region_id":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}`)
	f.Add(false, false, `{"sent_on":"2026-03-10","destination":"x","people":["@W",null,"@W"],"extra":1}`)
	f.Add(false, false, `{"sent_on":"2026-03-10","destination":"x","people":[1,2]}`)
	f.Add(false, false, `{"sent_on":"2026-03-10","destination":"x","PEOPLE":["@W"],"Labour_Brand":"大写"}`)
	f.Add(false, false, `{"sent_on":"2026-03-10","destination":"x"} {}`)
	f.Add(true, false, `{"people":["@F","@W"]}`)
	f.Add(true, true, `{"people":[]}`)
	f.Add(true, false, `{"people":["150421199001010073"]}`)
	f.Fuzz(func(t *testing.T, add, en bool, body string) {
		body = strings.ReplaceAll(z.expand(t, body), "@R", region)
		body = strings.ReplaceAll(body, "@B", batch)
		batches, members := count(t, records.ExportBatches), count(t, records.ExportMembers)
		path := "/api/export-batches"
		if add {
			path += "/" + batch + "/people"
		}
		st, out := z.do(t, "POST", path+urlLang(en), body)
		if st/100 != 2 {
			if b, m := count(t, records.ExportBatches), count(t, records.ExportMembers); b != batches || m != members {
				t.Fatalf("POST %s %q: %d, yet %d→%d batches, %d→%d members", path, body, st, batches, b, members, m)
			}
			return
		}
		z.rowExists(t, records.ExportBatches, out["id"].(string))
		added, _ := out["added"].(float64)
		if m := count(t, records.ExportMembers); m != members+int(added) {
			t.Fatalf("POST %s %q: %v added, members %d→%d", path, body, added, members, m)
		}
		if !add && st != http.StatusCreated {
			t.Fatalf("POST %s %q: %d, want 201", path, body, st)
		}
	})
}
