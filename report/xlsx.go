package report

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the monthly report of month (YYYY-MM) as an .xlsx
// workbook: a summary sheet, one sheet per list, the assistance ledger's
// monthly update of every person of either group, and the totals by village
// (columns in docs/REPORTS.md). Every number comes from the same queries as
// Dashboard.
func WriteXLSX(ctx context.Context, w io.Writer, db *sql.DB, month string, opt Options) error {
	b, err := newWorkbook(ctx, db, month, opt)
	if err != nil {
		return fmt.Errorf("report %s: %w", month, err)
	}
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return fmt.Errorf("report %s: style: %w", month, err)
	}
	for i, name := range Sheets {
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
		if err := writeSheet(ctx, f, s, bold); err != nil {
			return fmt.Errorf("report %s: sheet %s: %w", month, name, err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report %s: write: %w", month, err)
	}
	return nil
}

func writeSheet(ctx context.Context, f *excelize.File, s *sheet, headerStyle int) error {
	sw, err := f.NewStreamWriter(s.title)
	if err != nil {
		return err
	}
	for i, w := range s.widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(s.header))
	for i, h := range s.header {
		header[i] = h
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{StyleID: headerStyle}); err != nil {
		return err
	}
	row := 1
	err = s.rows(ctx, func(values []any) error {
		row++
		if row%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, values)
	})
	if err != nil {
		return err
	}
	return sw.Flush()
}
