package report

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"fieldsync/webkit"
)

// WriteCSV writes one sheet of the monthly report (one of Sheets) as CSV:
// UTF-8 with a byte-order mark, so that Excel on a Chinese Windows PC opens
// it correctly, a header row, then the same rows as the workbook's sheet.
func WriteCSV(ctx context.Context, w io.Writer, db *sql.DB, month, sheetName string, opt Options) error {
	b, err := newWorkbook(ctx, db, month, opt)
	if err != nil {
		return fmt.Errorf("report %s: %w", month, err)
	}
	s, err := b.sheet(sheetName)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return fmt.Errorf("report %s: csv: %w", month, err)
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(s.header); err != nil {
		return fmt.Errorf("report %s: csv: %w", month, err)
	}
	rec := make([]string, len(s.header))
	err = s.rows(ctx, func(values []any) error {
		rec = rec[:0]
		for _, v := range values {
			rec = append(rec, cellText(v))
		}
		return cw.Write(rec)
	})
	if err != nil {
		return fmt.Errorf("report %s: csv %s: %w", month, sheetName, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report %s: csv: %w", month, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report %s: csv: %w", month, err)
	}
	return nil
}

// cellText formats a cell value as the CSV shows it.
func cellText(v any) string {
	switch x := v.(type) {
	case string:
		// A typed value that a spreadsheet would run as a formula is quoted.
		return webkit.CSVCell(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return yesNo(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
