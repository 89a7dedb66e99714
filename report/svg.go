package report

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ChartKind is the form of a chart.
type ChartKind int

// Chart kinds.
const (
	Bars  ChartKind = iota // grouped bars, one group per label
	Lines                  // one line per series across the labels
)

// Chart is the data of one chart. The page shows Table() beneath the SVG,
// so the figures are readable without the picture (and in print).
type Chart struct {
	ID     string    `json:"id"`
	Title  string    `json:"title"`
	Kind   ChartKind `json:"kind"`
	Unit   string    `json:"unit"`
	Labels []string  `json:"labels"`
	Series []Series  `json:"series"`
}

// Series is one named row of values, one per label.
type Series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// Table is the chart's data as text: a header row (the label column, then
// one column per series) and one row per label.
func (c Chart) Table() [][]string {
	head := []string{""}
	for _, s := range c.Series {
		head = append(head, s.Name)
	}
	out := [][]string{head}
	for i, l := range c.Labels {
		row := []string{l}
		for _, s := range c.Series {
			v := 0.0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			row = append(row, formatNumber(v))
		}
		out = append(out, row)
	}
	return out
}

// Print-safe colours that stay apart in grey.
var palette = []string{"#1f4e79", "#c55a11", "#7f7f7f", "#548235", "#bf9000", "#7030a0"}

// Chart geometry, in SVG user units.
const (
	chartW, chartH            = 760, 340
	padLeft, padRight, padTop = 64, 16, 56
	padBottom                 = 72
	// rotatedLabelPx is how long a slanted label may be.
	rotatedLabelPx = 110
	// fontFamily lists fonts with Chinese glyphs found on Windows, macOS and
	// Linux PCs before the generic family.
	fontFamily = `'Microsoft YaHei','SimHei','PingFang SC','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif`
)

// ErrEmptyChart is returned by ChartSVG for a chart with no labels or series.
var ErrEmptyChart = errors.New("chart has no data")

// ChartSVG writes c as a standalone SVG image: no script, no external
// resources, fonts from the viewer's system, so it renders on an old PC and
// prints. Each bar or point carries a <title> with its exact value.
func ChartSVG(w io.Writer, c Chart) error {
	if len(c.Labels) == 0 || len(c.Series) == 0 {
		return fmt.Errorf("chart %q: %w", c.ID, ErrEmptyChart)
	}
	bw := bufio.NewWriter(w)
	maxV := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				maxV = math.Max(maxV, v)
			}
		}
	}
	step := niceStep(maxV / 5)
	top := step * math.Ceil(maxV/step)
	if top == 0 {
		top = step
	}
	plotW := float64(chartW - padLeft - padRight)
	plotH := float64(chartH - padTop - padBottom)
	y := func(v float64) float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			v = 0
		}
		return float64(padTop) + plotH*(1-v/top)
	}
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" font-family="%s" font-size="12">`,
		chartW, chartH, chartW, chartH, fontFamily)
	fmt.Fprintf(bw, `<title>%s</title>`, esc(c.Title))
	fmt.Fprintf(bw, `<rect width="%d" height="%d" fill="#fff"/>`, chartW, chartH)
	fmt.Fprintf(bw, `<text x="%d" y="20" font-size="15" font-weight="bold">%s</text>`, padLeft, esc(c.Title))
	// Legend.
	lx := float64(padLeft)
	for i, s := range c.Series {
		fmt.Fprintf(bw, `<rect x="%.1f" y="30" width="12" height="12" fill="%s"/><text x="%.1f" y="40">%s</text>`,
			lx, palette[i%len(palette)], lx+16, esc(s.Name))
		lx += 28 + 13*float64(len([]rune(s.Name)))
	}
	// Grid and y axis.
	for v := 0.0; v <= top+step/2; v += step {
		fmt.Fprintf(bw, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, padLeft, chartW-padRight, y(v), y(v))
		fmt.Fprintf(bw, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, padLeft-6, y(v)+4, formatNumber(v))
	}
	if c.Unit != "" {
		fmt.Fprintf(bw, `<text x="%d" y="%d" text-anchor="end" fill="#555">%s</text>`, padLeft-6, padTop-8, esc(c.Unit))
	}
	fmt.Fprintf(bw, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#333"/>`, padLeft, chartW-padRight, y(0), y(0))
	slot := plotW / float64(len(c.Labels))
	rotate := len(c.Labels) > 8
	room := slot - 4
	if rotate {
		room = rotatedLabelPx
	}
	for i, l := range c.Labels {
		x := float64(padLeft) + slot*(float64(i)+0.5)
		text := esc(shorten(l, room))
		if rotate {
			fmt.Fprintf(bw, `<text x="%.1f" y="%.1f" text-anchor="end" transform="rotate(-40 %.1f %.1f)">%s</text>`,
				x, y(0)+14, x, y(0)+14, text)
		} else {
			fmt.Fprintf(bw, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, y(0)+16, text)
		}
	}
	switch c.Kind {
	case Lines:
		for si, s := range c.Series {
			color := palette[si%len(palette)]
			var pts []string
			for i := range c.Labels {
				x := float64(padLeft) + slot*(float64(i)+0.5)
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y(value(s, i))))
			}
			fmt.Fprintf(bw, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, color, strings.Join(pts, " "))
			for i, l := range c.Labels {
				x := float64(padLeft) + slot*(float64(i)+0.5)
				fmt.Fprintf(bw, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s · %s: %s</title></circle>`,
					x, y(value(s, i)), color, esc(s.Name), esc(l), formatNumber(value(s, i)))
			}
		}
	default:
		n := float64(len(c.Series))
		barW := math.Max(1, slot*0.8/n)
		for i, l := range c.Labels {
			x0 := float64(padLeft) + slot*float64(i) + slot*0.1
			for si, s := range c.Series {
				v := value(s, i)
				x := x0 + barW*float64(si)
				fmt.Fprintf(bw, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s · %s: %s</title></rect>`,
					x, y(v), math.Max(barW-1, 0.5), y(0)-y(v), palette[si%len(palette)], esc(l), esc(s.Name), formatNumber(v))
				if len(c.Labels)*len(c.Series) <= 24 {
					fmt.Fprintf(bw, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`,
						x+barW/2, y(v)-3, formatNumber(v))
				}
			}
		}
	}
	bw.WriteString(`</svg>`)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("chart %q: %w", c.ID, err)
	}
	return nil
}

func value(s Series, i int) float64 {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return 0
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// formatNumber shows whole numbers without decimals and others with two.
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// shorten cuts s to about px pixels at 12px: a Chinese character is 12
// wide, a digit or letter about 7.
func shorten(s string, px float64) string {
	w := 0.0
	r := []rune(s)
	for i, c := range r {
		cw := 7.0
		if c > 0x2e80 {
			cw = 12
		}
		if w+cw > px && i < len(r)-1 {
			return string(r[:max(i-1, 1)]) + "…"
		}
		w += cw
	}
	return s
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
