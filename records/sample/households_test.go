package sample

import "testing"

func TestHouseholds(t *testing.T) {
	workers := Workers(300, 1, testKey, "甲站")
	hh, err := Households(workers, 1, testKey, "甲站")
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, hh, testNow)
	checkAll(t, workers, testNow)
	heads := map[string]bool{}
	zero, monitored := 0, 0
	for _, h := range hh {
		heads[h.Row.String()] = true
		if values(h)["zero_employment"] == int64(1) {
			zero++
		}
		if columnValue(h, "monitor_type") != nil {
			monitored++
		}
		if columnValue(h, "worker_id") == nil || columnValue(h, "station") != "甲站" {
			t.Fatalf("household %s: %v", h.Row, values(h))
		}
	}
	size := map[string]int{}
	for _, w := range workers {
		hid, _ := columnValue(w, "household_id").(string)
		if !heads[hid] {
			t.Fatalf("worker %s: household_id %q names no sample household", w.Row, hid)
		}
		size[hid]++
	}
	for hid, n := range size {
		if n < 1 || n > 5 {
			t.Errorf("household %s has %d members, want 1 to 5", hid, n)
		}
	}
	if len(hh) < 60 || len(hh) > 150 || zero == 0 || monitored == 0 {
		t.Fatalf("%d households, %d 零就业家庭, %d with a 监测对象 type: too few to show", len(hh), zero, monitored)
	}
}
