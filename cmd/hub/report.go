package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fieldsync/records"
	"fieldsync/report"
)

// cmdReport writes the monthly report of the hub in --dir: an .xlsx workbook,
// or one sheet as .csv, chosen by the ending of --out. The file is written
// under a temporary name and renamed, so a failed run leaves nothing behind.
// The hub may be serving meanwhile: SQLite lets this process read beside it.
func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("report", stderr)
	month := fs.String("month", "", "month of the report: YYYY-MM")
	out := fs.String("out", "", "file to write: FILE.xlsx (the workbook) or FILE.csv (one sheet)")
	sheet := fs.String("sheet", report.SheetSummary, "sheet written to a .csv: "+strings.Join(report.Sheets, ", "))
	unmasked := fs.Bool("unmasked", false, "write full id numbers instead of masked ones")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	if !records.ValidMonth(*month) {
		return fmt.Errorf("report: --month %q: want YYYY-MM, e.g. 2026-11", *month)
	}
	if *out == "" {
		return errors.New("report: --out is required (FILE.xlsx or FILE.csv)")
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if ext != ".xlsx" && ext != ".csv" {
		return fmt.Errorf("report: --out %q: the name must end in .xlsx or .csv", *out)
	}
	if ext == ".csv" && !slices.Contains(report.Sheets, *sheet) {
		return fmt.Errorf("report: --sheet %q: want one of %s", *sheet, strings.Join(report.Sheets, ", "))
	}
	h, err := openHub(ctx, *dir, "")
	if err != nil {
		return err
	}
	defer h.Close()
	opt := report.Options{Unmasked: *unmasked}
	db := h.Replica().DB()
	err = writeAtomic(*out, func(w io.Writer) error {
		if ext == ".xlsx" {
			return report.WriteXLSX(ctx, w, db, *month, opt)
		}
		return report.WriteCSV(ctx, w, db, *month, *sheet, opt)
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(stdout, "wrote the report of %s to %s\n", *month, *out)
	return nil
}

// writeAtomic writes a file through fn under a temporary name in the same
// directory and renames it into place only when everything succeeded.
func writeAtomic(path string, fn func(w io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = fn(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
