package report

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fieldsync/records"
)

// A workbook without Live counts its figures from the roster: they must be
// exactly Dashboard's, from its queries, for months with and without data
// and with other thresholds and bands.
func TestRosterFiguresAgree(t *testing.T) {
	c := genCounty(t, 400, 31)
	r := c.writeHub(t)
	ctx := context.Background()
	other := testOptions()
	other.Older, other.IncomeBands = records.OlderThresholds{Male: 55}, []float64{2000}
	for _, tc := range []struct {
		month string
		opt   Options
	}{{testMonth, testOptions()}, {prevMonth, testOptions()}, {"2020-01", testOptions()}, {testMonth, other}} {
		want, err := Dashboard(ctx, r.DB(), tc.month, nil, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := newWorkbook(ctx, r.DB(), tc.month, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.figures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %+v: the roster's figures differ from the queries'\nroster:  %+v\nqueries: %+v",
				tc.month, tc.opt.Older, got, want)
		}
	}
}

// maleID is maleExpr.
func TestMaleID(t *testing.T) {
	r := openReplica(t, filepath.Join(t.TempDir(), "male.db"))
	for _, id := range []string{"", "1504211985031512", "150421198503151234", "15042119850315121X", "150421198503151224",
		"１50421198503151214", "15042119850315121", "1504211985031512\x001", "é5042119850315121", "150421198503151é"} {
		var want bool
		if err := r.DB().QueryRow(`SELECT `+strings.ReplaceAll(maleExpr, "w.id_number", "?"), id).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got := maleID(id); got != want {
			t.Errorf("maleID(%q) = %v, SQL %v", id, got, want)
		}
	}
}
