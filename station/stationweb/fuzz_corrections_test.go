package stationweb

import (
	"net/http"
	"testing"

	"fieldsync/records"
)

// fuzzRecords makes one record of each kind staff correct, for the
// corrections fuzzer: a follow-up, a job-seeking registration, a monthly
// status and a placement of z's worker.
func fuzzRecords(f *testing.F, z *fuzzStation) map[string]string {
	ids := map[string]string{"unemployment-registrations": z.uid}
	ids["followups"] = z.fx.mustCreate("/api/followups", map[string]any{"worker_id": z.wid, "date": "2026-11-02",
		"method": "电话", "service_type": "岗位推荐", "content": "推荐岗位", "next_due": "2026-12-01"})
	ids["jobseeker-registrations"] = z.fx.mustCreate("/api/jobseeker-registrations", map[string]any{"worker_id": z.wid,
		"intended_work": "保洁", "work_type": "零工", "registered_on": "2026-11-02"})
	ids["monthly-status"] = z.fx.mustCreate("/api/monthly-status", map[string]any{"worker_id": z.wid, "month": "2026-11",
		"list_type": "就业", "work_scope": "本村", "employment_form": "单位", "verified_by_method": "电话",
		"verified_by": "李四", "verified_at": "2026-11-03"})
	ids["placements"] = z.fx.mustCreate("/api/placements", map[string]any{"gig_id": z.gid, "worker_id": z.wid,
		"placed_on": "2026-11-05"})
	for kind := range ids {
		if kind != "placements" && correctionKinds[kind].table == "" {
			f.Fatalf("%s is not a kind of correction", kind)
		}
	}
	return ids
}

// FuzzStationCorrections sends any body to the correction endpoints:
// PATCH (更正), void and restore of the four kinds of record, ending a
// placement, a person leaving and returning. Whatever the body, the answer
// is JSON, a 4xx names its error, and a 2xx names the record, which is
// still there (fuzzStation.do, rowExists).
func FuzzStationCorrections(f *testing.F) {
	z := newFuzzStation(f)
	ids := fuzzRecords(f, z)
	kinds := []string{"followups", "jobseeker-registrations", "unemployment-registrations", "monthly-status"}
	// op: 0 PATCH, 1 void, 2 restore (by kind), 3 end the placement, 4 leave, 5 return.
	f.Add(uint8(0), uint8(0), false, `{"content":"改正的内容","outcome":"已推荐"}`)
	f.Add(uint8(0), uint8(3), false, `{"list_type":"失业","work_scope":"","employment_form":"","place":"","industry":""}`)
	f.Add(uint8(0), uint8(3), true, `{"month":"2026-10"}`)
	f.Add(uint8(0), uint8(2), false, `{"worker_id":"@F"}`)
	f.Add(uint8(1), uint8(0), false, `{"reason":"录错人"}`)
	f.Add(uint8(1), uint8(1), true, `{"reason":""}`)
	f.Add(uint8(2), uint8(0), false, `{}`)
	f.Add(uint8(3), uint8(0), false, `{"status":"left","ended_on":"2026-11-20"}`)
	f.Add(uint8(3), uint8(0), false, `{"status":"placed","ended_on":"2026-10-01"}`)
	f.Add(uint8(4), uint8(0), false, `{"reason":"迁出","date":"2026-11-30","to":"包头市"}`)
	f.Add(uint8(4), uint8(0), true, `{"reason":"出嫁","date":"x"}`)
	f.Add(uint8(5), uint8(0), false, ``)
	f.Fuzz(func(t *testing.T, op, kind uint8, en bool, body string) {
		body = z.expand(t, body)
		k := kinds[int(kind)%len(kinds)]
		var method, path, table, id string
		switch op % 6 {
		case 0:
			method, path, table, id = http.MethodPatch, "/api/"+k+"/"+ids[k], correctionKinds[k].table, ids[k]
		case 1:
			method, path, table, id = http.MethodPost, "/api/"+k+"/"+ids[k]+"/void", correctionKinds[k].table, ids[k]
		case 2:
			method, path, table, id = http.MethodPost, "/api/"+k+"/"+ids[k]+"/restore", correctionKinds[k].table, ids[k]
		case 3:
			method, path, table, id = http.MethodPatch, "/api/placements/"+ids["placements"], records.Placements, ids["placements"]
		case 4:
			method, path, table, id = http.MethodPost, "/api/workers/"+z.wid+"/leave", records.Workers, z.wid
		case 5:
			method, path, table, id = http.MethodPost, "/api/workers/"+z.wid+"/return", records.Workers, z.wid
		}
		st, out := z.do(t, method, path+urlLang(en), body)
		if st/100 == 2 {
			if out["id"] != id {
				t.Fatalf("%s %s: answered for %v, want %s", method, path, out["id"], id)
			}
			z.rowExists(t, table, id)
		}
	})
}

// FuzzStationHouseholds sends any body to the household endpoints: create,
// change, add a member. The same answers as every API (fuzzStation.do);
// a household created is there.
func FuzzStationHouseholds(f *testing.F) {
	z := newFuzzStation(f)
	hid := z.fx.mustCreate("/api/households", map[string]any{"worker_id": z.wid, "zero_employment": true})
	// op: 0 create, 1 PATCH the household, 2 add a member.
	f.Add(uint8(0), false, `{"worker_id":"@F","village":"150421100207","monitor_type":"边缘易致贫户","member_ids":["@F"]}`)
	f.Add(uint8(0), true, `{"worker_id":"@W"}`)
	f.Add(uint8(0), false, `{"worker_id":"@F","village":"东双山村","member_ids":["@W","zz"]}`)
	f.Add(uint8(1), false, `{"zero_employment":false,"notes":"已有一人外出务工"}`)
	f.Add(uint8(1), false, `{"worker_id":"@F"}`)
	f.Add(uint8(2), false, `{"worker_id":"@F"}`)
	f.Add(uint8(2), true, `{"worker_id":"@W"}`)
	f.Fuzz(func(t *testing.T, op uint8, en bool, body string) {
		body = z.expand(t, body)
		switch op % 3 {
		case 0:
			st, out := z.do(t, http.MethodPost, "/api/households"+urlLang(en), body)
			if st/100 == 2 {
				z.rowExists(t, records.Households, out["id"].(string))
			}
		case 1:
			if st, _ := z.do(t, http.MethodPatch, "/api/households/"+hid+urlLang(en), body); st/100 == 2 {
				z.rowExists(t, records.Households, hid)
			}
		case 2:
			if st, _ := z.do(t, http.MethodPost, "/api/households/"+hid+"/members"+urlLang(en), body); st/100 == 2 {
				z.rowExists(t, records.Households, hid)
			}
		}
	})
}
