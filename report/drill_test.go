package report

import (
	"context"
	"errors"
	"testing"
)

// TestDrillFiguresMatchTheirPeople holds every drill-down figure to its
// list: the people its query finds are as many as the figure says.
func TestDrillFiguresMatchTheirPeople(t *testing.T) {
	c := genCounty(t, 300, 3)
	r := c.write(t)
	ctx := context.Background()
	f := dashboard(t, r, testMonth)
	for _, d := range DrillFigures {
		q, err := FigureQuery(d.Name, testMonth, "")
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		p, err := People(ctx, r.DB(), q, testOptions())
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		if p.Total != d.Value(f) {
			t.Errorf("%s (%s): %d people, the figure says %d", d.Name, d.Title, p.Total, d.Value(f))
		}
		if d.Value(f) == 0 && d.Name != FigNoStatus {
			t.Errorf("%s: the test county has none, so the test proves nothing for it", d.Name)
		}
	}
	if _, err := FigureQuery("salaries", testMonth, ""); !errors.Is(err, ErrBadQuery) {
		t.Errorf("unknown figure: %v, want ErrBadQuery", err)
	}
}
