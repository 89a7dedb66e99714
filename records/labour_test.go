package records

import (
	"encoding/json"
	"testing"
)

// A shared-employment agreement decoded over a stored one (a PATCH) keeps
// the fields the body does not name, and takes the term as start and end
// as well as start_on and end_on (start_on winning when both are given).
func TestSharedJobDecodesOverStored(t *testing.T) {
	stored := SharedJob{WorkerID: "0123456789abcdef0123456789abcdef", OriginalEmployer: "某煤矿", ContractEnd: "2026-12-31",
		HostEmployer: "某物流", StartOn: "2026-03-01", EndOn: "2026-08-31", Notes: "备注"}
	for _, tc := range []struct {
		body string
		want SharedJob
	}{
		{`{"host_employer":"某超市"}`, func() SharedJob { e := stored; e.HostEmployer = "某超市"; return e }()},
		{`{"end":"2026-09-30"}`, func() SharedJob { e := stored; e.EndOn = "2026-09-30"; return e }()},
		{`{"start":"2026-04-01","start_on":"2026-05-01"}`, func() SharedJob { e := stored; e.StartOn = "2026-05-01"; return e }()},
		{`{}`, stored},
	} {
		got := stored
		if err := json.Unmarshal([]byte(tc.body), &got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s over the stored agreement: got %+v, want %+v", tc.body, got, tc.want)
		}
	}
	var fresh SharedJob
	if err := json.Unmarshal([]byte(`{"start":"2026-04-01","end":"2026-05-01"}`), &fresh); err != nil ||
		fresh.StartOn != "2026-04-01" || fresh.EndOn != "2026-05-01" {
		t.Errorf("start and end: %+v %v", fresh, err)
	}
}
