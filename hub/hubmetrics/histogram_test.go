package hubmetrics

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHistogram(t *testing.T) {
	h := NewHistogram("x_seconds", 1e-9, []float64{0.01, 0.1, 1})
	var wg sync.WaitGroup
	for _, d := range []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 50 * time.Millisecond, 2 * time.Second} {
		wg.Go(func() { h.Observe(uint64(d)) })
	}
	wg.Wait()
	var buf bytes.Buffer
	h.WritePrometheus(&buf)
	want := `# TYPE x_seconds histogram
x_seconds_bucket{le="0.01"} 2
x_seconds_bucket{le="0.1"} 3
x_seconds_bucket{le="1"} 3
x_seconds_bucket{le="+Inf"} 4
x_seconds_sum 2.065
x_seconds_count 4
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestLabelValue(t *testing.T) {
	for in, want := range map[string]string{`甲站`: `甲站`, `a"b`: `a\"b`, `a\b`: `a\\b`, "a\nb": `a\nb`} {
		if got := labelValue(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if strings.Contains(labelValue("x\"}\nfake 1"), "\n") {
		t.Error("a station name breaks the line")
	}
}
