package report

import (
	"archive/zip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the monthly report of month (YYYY-MM) as an .xlsx
// workbook: a summary sheet, one sheet per list, the assistance ledger's
// monthly update of every person of either group, and the totals by village
// (columns in docs/REPORTS.md). Every number comes from the same queries as
// Dashboard.
//
// What the sheets read (the figures, the roster of people, the ledger's
// follow-ups) is read by goroutines of its own as soon as the call starts,
// while the sheets are written, two at a time, each by its own excelize
// StreamWriter; the zip is compressed by fastZip.
func WriteXLSX(ctx context.Context, w io.Writer, db *sql.DB, month string, opt Options) error {
	return WriteSheetsXLSX(ctx, w, db, month, Sheets, opt)
}

// WriteSheetsXLSX is WriteXLSX with the sheets named (each one of Sheets or
// SheetRoster), in the workbook's order.
func WriteSheetsXLSX(ctx context.Context, w io.Writer, db *sql.DB, month string, sheets []string, opt Options) error {
	b, err := newWorkbook(ctx, db, month, opt)
	if err != nil {
		return fmt.Errorf("report %s: %w", month, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	// Read ahead: every goroutine started here ends before WriteXLSX returns
	// (the deferred Wait runs after cancel, which stops their queries).
	var readers sync.WaitGroup
	defer readers.Wait()
	defer cancel()
	readers.Go(func() { _, _ = b.roster(ctx) })
	// A workbook of the roster alone needs neither the follow-ups nor the
	// figures.
	if !slices.Equal(sheets, []string{SheetRoster}) {
		readers.Go(func() { _, _ = b.ledgerFacts(ctx) })
		readers.Go(func() { _, _ = b.figures(ctx) })
	}

	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(fastZip)
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return fmt.Errorf("report %s: style: %w", month, err)
	}
	// Sheets and their stream writers are made in workbook order, one at a
	// time (they touch the workbook); only the rows are written concurrently.
	streams := make([]*sheetStream, len(sheets))
	for i, name := range sheets {
		s, err := b.sheet(name)
		if err != nil {
			return err
		}
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.title)
		} else {
			_, err = f.NewSheet(s.title)
		}
		if err != nil {
			return fmt.Errorf("report %s: sheet %s: %w", month, name, err)
		}
		st, err := newSheetStream(f, s, bold)
		if err != nil {
			return fmt.Errorf("report %s: sheet %s: %w", month, name, err)
		}
		streams[i] = st
	}
	if err := writeStreams(ctx, streams); err != nil {
		return fmt.Errorf("report %s: %w", month, err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report %s: write: %w", month, err)
	}
	return nil
}

// fastZip is the workbook's zip writer: deflate at its fastest level, by
// klauspost/compress's flate (already a dependency for the sync protocol's
// zstd), which at that level took 6.2-6.8 s for the report where the
// standard library's took about 1.3 s more on one core, and a parallel
// deflate of our own about as long. The sheets are repetitive XML: the
// file is about a fifth larger than at the default level.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

// sheetStream is one sheet and its stream writer.
type sheetStream struct {
	s  *sheet
	sw *excelize.StreamWriter
}

func newSheetStream(f *excelize.File, s *sheet, headerStyle int) (*sheetStream, error) {
	sw, err := f.NewStreamWriter(s.title)
	if err != nil {
		return nil, err
	}
	for i, w := range s.widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	header := make([]any, len(s.header))
	for i, h := range s.header {
		header[i] = h
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{StyleID: headerStyle}); err != nil {
		return nil, err
	}
	return &sheetStream{s: s, sw: sw}, nil
}

// writeStreams writes the rows of every sheet and flushes it, on up to
// max(2, GOMAXPROCS) goroutines, largest sheets first; the first error
// cancels the rest. A StreamWriter's SetRow and Flush touch only that
// writer's buffer and worksheet (and the workbook's sync.Maps), so distinct
// sheets may be written at the same time (excelize v2.11; go test -race
// checks it).
func writeStreams(ctx context.Context, streams []*sheetStream) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	order := make([]*sheetStream, 0, len(streams))
	for _, name := range []string{SheetEmployed, SheetLedger, SheetWillingAway, SheetUnemployed} {
		for _, st := range streams {
			if st.s.name == name {
				order = append(order, st)
			}
		}
	}
	for _, st := range streams {
		switch st.s.name {
		case SheetEmployed, SheetLedger, SheetWillingAway, SheetUnemployed:
		default:
			order = append(order, st)
		}
	}
	next := make(chan *sheetStream, len(order))
	for _, st := range order {
		next <- st
	}
	close(next)
	var wg sync.WaitGroup
	for range min(len(order), max(2, runtime.GOMAXPROCS(0))) {
		wg.Go(func() {
			for st := range next {
				if ctx.Err() != nil {
					return
				}
				if err := writeRows(ctx, st); err != nil {
					cancel(fmt.Errorf("sheet %s: %w", st.s.name, err))
					return
				}
			}
		})
	}
	wg.Wait()
	// Until the deferred cancel, ctx ends only by an error above or its parent.
	return context.Cause(ctx)
}

func writeRows(ctx context.Context, st *sheetStream) error {
	row := 1
	err := st.s.rows(ctx, func(values []any) error {
		row++
		if row%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// An empty text is left out (excelize writes no cell for nil), as
		// an empty inline string costs the writer as much as a full one;
		// read back, both are "".
		for i, v := range values {
			if s, ok := v.(string); ok && s == "" {
				values[i] = nil
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return st.sw.SetRow(cell, values)
	})
	if err != nil {
		return err
	}
	return st.sw.Flush()
}
