package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fieldsync/hub"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
)

// hub report writes the month's workbook and CSV from the hub's data: sample
// workers, three on the employed list and one unemployed.
func TestReportCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "http://127.0.0.1:8400")
	runOK(t, "station", "add", "--dir", dir, "--name", "乌兰花镇站", "--code", "150929100001")
	runOK(t, "sample", "--dir", dir, "--station", "乌兰花镇站", "--workers", "6", "--gigs", "2")

	ctx := context.Background()
	h, err := hub.Open(ctx, hub.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	workers := sample.Workers(6, 1, h.Replica().Key(), "乌兰花镇站")
	var edits []replica.Edit
	for i, w := range workers[:4] {
		st := records.MonthStatus{WorkerID: w.Row.String(), Month: "2026-11", ListType: records.ListEmployed,
			WorkScope: records.WorkScopes[0], EmploymentForm: records.EmploymentForms[0], MonthlyIncome: records.Income(3000),
			VerifiedByMethod: "电话", VerifiedBy: "张三", VerifiedAt: "2026-11-05"}
		if i == 3 {
			st.ListType, st.WorkScope, st.EmploymentForm, st.MonthlyIncome = records.ListUnemployed, "", "", nil
		}
		edits = append(edits, replica.Edit{Table: records.MonthlyStatus, Row: st.ID(h.Replica().Key()), Set: st.Columns()})
	}
	if _, err := h.Write(ctx, edits...); err != nil {
		t.Fatal(err)
	}
	// The hub stays open, as a serving hub would, while the report is written.
	defer h.Close()

	out := filepath.Join(t.TempDir(), "report.xlsx")
	runOK(t, "report", "--dir", dir, "--month", "2026-11", "--out", out)
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("就业人员清单")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+3 {
		t.Fatalf("employed sheet: %d rows (header + 3 wanted): %v", len(rows), rows)
	}
	rows, err = f.GetRows("失业人员清单")
	if err != nil || len(rows) != 1+1 {
		t.Fatalf("unemployed sheet: %v %v", err, rows)
	}

	csvOut := filepath.Join(t.TempDir(), "employed.csv")
	runOK(t, "report", "--dir", dir, "--month", "2026-11", "--out", csvOut, "--sheet", "employed")
	b, err := os.ReadFile(csvOut)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff")) || strings.Count(strings.TrimSpace(string(b)), "\n") != 3 {
		t.Fatalf("employed csv:\n%s", b)
	}

	// Bad flags are named, and leave no file behind.
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--month", "2026-13", "--out", "x.xlsx"}, "--month"},
		{[]string{"--month", "11/2026", "--out", "x.xlsx"}, "--month"},
		{[]string{"--month", "2026-11", "--out", "x.pdf"}, "--out"},
		{[]string{"--month", "2026-11", "--out", "x.csv", "--sheet", "nope"}, "--sheet"},
	} {
		tmp := t.TempDir()
		for i, a := range c.args {
			if strings.HasPrefix(a, "x.") {
				c.args[i] = filepath.Join(tmp, a)
			}
		}
		err := run(ctx, append([]string{"report", "--dir", dir}, c.args...), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("report %v: %v, want an error naming %s", c.args, err, c.flag)
		}
		if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
			t.Errorf("report %v left %d files", c.args, len(ents))
		}
	}
}

// A failed write leaves neither the file nor its temporary.
func TestWriteAtomicFailure(t *testing.T) {
	dir := t.TempDir()
	err := writeAtomic(filepath.Join(dir, "r.xlsx"), func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("boom")
	})
	if err == nil {
		t.Fatal("no error")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left %d files", len(ents))
	}
}
