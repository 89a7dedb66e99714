package report

import (
	"testing"

	"fieldsync/records"
)

// TestListCountOverlap: the lists as the policy defines them.
func TestListCountOverlap(t *testing.T) {
	cases := []struct {
		name    string
		list    string
		willing bool
		want    ListCount
	}{
		{"employed", records.ListEmployed, false, ListCount{Employed: 1}},
		{"employed and willing: both lists", records.ListEmployed, true, ListCount{Employed: 1, WillingAway: 1}},
		{"unemployed", records.ListUnemployed, false, ListCount{Unemployed: 1}},
		{"unemployed and willing: both lists", records.ListUnemployed, true, ListCount{Unemployed: 1, WillingAway: 1}},
		{"a version 1 row: 失业 and willing", records.ListWillingAway, false, ListCount{Unemployed: 1, WillingAway: 1}},
		{"unknown list, flagged", "退休", true, ListCount{WillingAway: 1}},
		{"unknown list", "退休", false, ListCount{}},
	}
	for _, c := range cases {
		var got ListCount
		got.addStatus(c.list, c.willing, 1)
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
