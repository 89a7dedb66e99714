package benchkit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

func nanRatio() float64 { return math.NaN() }

// goBench is how one `go test -bench` result becomes rows: the benchmark's
// name, and for each row the metric it reads (scaled into the row's unit).
var goBench = []struct {
	bench  string
	metric string
	scale  float64
	row    Row
}{
	// The hub's dashboard counts from report.Live; the queries alone are
	// what a hub pays before Live has loaded.
	{"BenchmarkDashboardLive", "ms/op", 1, Row{ID: "report-dashboard", What: "dashboard at 200,000 workers, cold, from the hub's in-memory facts", Unit: "ms", Target: atMost(150)}},
	{"BenchmarkDashboard", "ms/op", 1, Row{ID: "report-dashboard-queries", What: "dashboard at 200,000 workers, cold, from the queries alone (until the facts load)", Unit: "ms"}},
	{"BenchmarkDashboard", "cached-ms/op", 1, Row{ID: "report-dashboard-cached", What: "dashboard at 200,000 workers, cached", Unit: "ms"}},
	{"BenchmarkReport", "s/op", 1000, Row{ID: "report-monthly", What: "monthly report .xlsx at 200,000 workers", Unit: "ms", Target: atMost(10_000)}},
}

// ParseGoBench reads `go test -bench` output (the report package's
// benchmarks) and returns the rows it knows, judged against their targets.
// A known benchmark missing from the output gives a row with Err set, and
// the output's last lines as its note.
func ParseGoBench(r io.Reader) []Row {
	metrics := map[string]map[string]float64{}
	var tail []string
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		tail = append(tail, line)
		if len(tail) > 5 {
			tail = tail[1:]
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				m[f[i+1]] = v
			}
		}
		metrics[name] = m
	}
	var rows []Row
	for _, g := range goBench {
		// A benchmark may have become sub-benchmarks (BenchmarkReport/live):
		// each gives its own row.
		var names []string
		for name := range metrics {
			if name == g.bench || strings.HasPrefix(name, g.bench+"/") {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		found := false
		for _, name := range names {
			v, ok := metrics[name][g.metric]
			if !ok {
				continue
			}
			found = true
			row := g.row
			row.Ratio, row.Figure = math.NaN(), v*g.scale
			if sub, ok := strings.CutPrefix(name, g.bench+"/"); ok {
				row.ID, row.What = row.ID+"-"+sub, row.What+" ("+sub+")"
			}
			row.Note = "report package benchmark " + name
			if r, ok := metrics[name]["ratio-to-target"]; ok {
				row.Note += fmt.Sprintf(", which reports %.2f× its target", r)
			}
			row.judge()
			rows = append(rows, row)
		}
		if !found {
			row := g.row
			row.Ratio, row.Figure = math.NaN(), math.NaN()
			row.Err = g.bench + " did not report " + g.metric
			row.Note = strings.Join(tail, " | ")
			rows = append(rows, row)
		}
	}
	return rows
}

// Skipped returns rows that say why a benchmark was not run.
func Skipped(why string) []Row {
	var rows []Row
	for _, g := range goBench {
		r := g.row
		r.Figure, r.Ratio, r.Note = math.NaN(), math.NaN(), "skipped: "+why
		rows = append(rows, r)
	}
	return rows
}

// num prints a figure with precision that suits its size.
func num(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "—"
	case a >= 1000:
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// thousands puts commas in an integer's digits.
func thousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if strings.Contains(s, ".") || len(s) <= 3 {
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// WriteTable prints the rows as a table: what, figure, limit, ratio,
// target, result; then the notes, numbered.
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\trow\tfigure\tlimit (same run)\tratio\ttarget\tresult\t")
	for i, r := range rows {
		fig := thousands(num(r.Figure)) + " " + r.Unit
		if math.IsNaN(r.Figure) {
			fig = "—"
		}
		lim, ratio, target, result := "—", "—", "—", "info"
		if r.Limit != 0 {
			lim = thousands(num(r.Limit)) + " " + r.LimitUnit
		}
		if !math.IsNaN(r.Ratio) && r.Limit != 0 {
			ratio = strconv.FormatFloat(r.Ratio, 'f', 2, 64)
		}
		if r.Target != nil {
			target = r.Target.Op + " " + num(r.Target.Value)
			if r.Limit == 0 {
				target += " " + r.Unit
			}
		}
		switch {
		case r.Err != "":
			result = "ERROR"
		case r.Pass != nil && *r.Pass:
			result = "pass"
		case r.Pass != nil:
			result = "MISS"
		case strings.HasPrefix(r.Note, "skipped"):
			result = "skipped"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", i+1, r.What, fig, lim, ratio, target, result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for i, r := range rows {
		if r.Err != "" {
			fmt.Fprintf(w, "%d. error: %s\n", i+1, r.Err)
		}
		if r.Note != "" {
			fmt.Fprintf(w, "%d. %s (%.0fs)\n", i+1, r.Note, r.Seconds)
		}
	}
	return nil
}

// Results is the JSON file a run writes.
type Results struct {
	Started  time.Time   `json:"started"`
	Seconds  float64     `json:"seconds"`
	Mode     string      `json:"mode"`
	Host     string      `json:"host"`
	CPUs     int         `json:"cpus"`
	GoVer    string      `json:"go"`
	Sizes    Sizes       `json:"sizes"`
	Rows     []Row       `json:"-"`
	RowsJSON []rowRecord `json:"rows"`
}

// rowRecord is a Row as the JSON file holds it (ratio null when none).
type rowRecord struct {
	Row
	Ratio *float64 `json:"ratio"`
	// Figure and Limit as null when not measured.
	FigureJSON *float64 `json:"figure"`
}

// WriteJSON writes the results as indented JSON.
func WriteJSON(w io.Writer, res Results) error {
	res.RowsJSON = nil
	for _, r := range res.Rows {
		rec := rowRecord{Row: r, Ratio: r.ratioJSON()}
		if !math.IsNaN(r.Figure) {
			f := r.Figure
			rec.FigureJSON = &f
		}
		rec.Row.Figure = 0
		res.RowsJSON = append(res.RowsJSON, rec)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
