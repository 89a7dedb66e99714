package hubmetrics

import (
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
)

// Histogram is a Prometheus histogram of whole-number observations (bytes,
// counts, nanoseconds) with fixed buckets, kept in atomic counters: an
// observation takes no lock, unlike metrics.PrometheusHistogram's mutex.
// Values are written multiplied by scale (1e-9 makes nanoseconds seconds).
type Histogram struct {
	name   string
	scale  float64
	bounds []uint64 // upper bounds, in observed units, ascending
	le     []string // the bounds as written
	counts []atomic.Uint64
	count  atomic.Uint64
	sum    atomic.Uint64
}

// NewHistogram makes a histogram whose bucket bounds are given in written
// units (seconds, say), observations in units of scale.
func NewHistogram(name string, scale float64, bounds []float64) *Histogram {
	h := &Histogram{name: name, scale: scale, counts: make([]atomic.Uint64, len(bounds))}
	for _, b := range bounds {
		h.bounds = append(h.bounds, uint64(b/scale+0.5))
		h.le = append(h.le, strconv.FormatFloat(b, 'g', -1, 64))
	}
	return h
}

// Observe counts v (in units of the scale).
func (h *Histogram) Observe(v uint64) {
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i].Add(1)
			break
		}
	}
	h.sum.Add(v)
	h.count.Add(1)
}

// WritePrometheus writes the histogram's buckets (cumulative), sum and count.
func (h *Histogram) WritePrometheus(w io.Writer) {
	fmt.Fprintf(w, "# TYPE %s histogram\n", h.name)
	// count first: a bucket read after it may be larger, never the +Inf.
	count := h.count.Load()
	var cum uint64
	for i, le := range h.le {
		cum += h.counts[i].Load()
		fmt.Fprintf(w, "%s_bucket{le=\"%s\"} %d\n", h.name, le, min(cum, count))
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n", h.name, count)
	fmt.Fprintf(w, "%s_sum %s\n", h.name, strconv.FormatFloat(float64(h.sum.Load())*h.scale, 'g', -1, 64))
	fmt.Fprintf(w, "%s_count %d\n", h.name, count)
}
