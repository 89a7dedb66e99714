package report

import (
	"context"
	"database/sql"
	"fieldsync/glossary"
	"fmt"
	"math"
	"strconv"
)

// A station's own report (Options.Station) is the county's report over that
// station's part of the tables: the same sheets, columns and rules, counted
// by the workbook's roster (rosterFigures) from the rows the station
// restriction keeps. A station's replica can hold people of other stations
// (those it was sent) and the county's gigs; the restriction leaves them out,
// so that the station's figures equal the county's for the same people.

// SheetRoster is the roster sheet (人员台账): everyone of the report, with
// the list sheets' columns and the month's status. It is not one of Sheets
// (the county's workbook); a station's 台账 is this sheet.
const SheetRoster = "roster"

// stationOnly is the condition keeping only the rows of table alias a that
// opt.Station wrote (its station column), "" for the county's report.
func stationOnly(opt Options, a string) string {
	if opt.Station == "" {
		return ""
	}
	return ` AND ` + a + `.station = :station`
}

// stationArgs adds the :station parameter stationOnly uses to args.
func stationArgs(args []any, opt Options) []any {
	if opt.Station == "" {
		return args
	}
	return append(args[:len(args):len(args)], sql.Named("station", opt.Station))
}

// stationFigures are Dashboard's figures for one station: counted from a
// workbook's roster, whose reads honour the restriction.
func stationFigures(ctx context.Context, db *sql.DB, month string, opt Options) (*Figures, error) {
	opt.Live = nil
	b, err := newWorkbook(ctx, db, month, opt)
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", month, err)
	}
	return b.rosterFigures(ctx)
}

// rosterSheet is everyone of the roster, by village: the list sheets'
// columns (the month's status, 本月未更新 without one, and its 有意愿外出
// flag last) with the monitoring type after the person's groups.
func (b *workbook) rosterSheet() *sheet {
	return &sheet{
		name: SheetRoster, title: SheetTitles[SheetRoster],
		header: []string{"序号", "苏木乡镇", "嘎查村", "姓名", "身份证号", "性别", "年龄", "大龄", "人员类别", "监测类型",
			"务工地域", "务工地点", "行业", "就业形式", "月收入(元)", "核实方式", "核实人", "核实日期", "本月状态", "有意愿外出"},
		widths: []float64{7, 14, 14, 10, 21, 6, 6, 6, 22, 14, 10, 18, 12, 12, 11, 10, 10, 12, 12, 11},
		rows: func(ctx context.Context, yield func([]any) error) error {
			r, err := b.roster(ctx)
			if err != nil {
				return err
			}
			c := b.personCache()
			row := make([]any, 0, 20)
			for k := range r.people {
				x := &r.people[k]
				p := r.person(x, c, nil)
				status, willing := p.List, yesNo(p.WillingAway)
				if status == "" {
					status, willing = "本月未更新", ""
				}
				town, village := c.areaNames(x)
				row = append(row[:0], k+1, town, village, p.Name, p.IDNumber, p.Sex, p.Age, yesNo(p.Older),
					x.tags.text, p.MonitorType, glossary.Display(p.WorkScope), p.Place, p.Industry, glossary.Display(p.EmploymentForm),
					incomeCell(&p), glossary.Display(p.VerifiedByMethod), p.VerifiedBy, p.VerifiedAt, status, willing)
				if err := yield(row); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// Table is one sheet of the report as a page shows it: its name (one of
// Sheets or SheetRoster), title, header and rows as text.
type Table struct {
	Name   string
	Title  string
	Header []string
	Rows   [][]string
}

// ReadTables computes the sheets named (each one of Sheets or SheetRoster)
// of month's report for a page: the rows WriteXLSX writes, as text.
func ReadTables(ctx context.Context, db *sql.DB, month string, sheets []string, opt Options) ([]Table, error) {
	b, err := newWorkbook(ctx, db, month, opt)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", month, err)
	}
	out := make([]Table, 0, len(sheets))
	for _, name := range sheets {
		s, err := b.sheet(name)
		if err != nil {
			return nil, err
		}
		t := Table{Name: name, Title: s.title, Header: s.header, Rows: [][]string{}}
		err = s.rows(ctx, func(values []any) error {
			row := make([]string, len(values))
			for i, v := range values {
				row[i] = pageText(v)
			}
			t.Rows = append(t.Rows, row)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("report %s: sheet %s: %w", month, name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// pageText is a cell as a page shows it: as the CSV does, but text as it is
// (a page runs no formula) and fractions to two places.
func pageText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x != math.Trunc(x) {
			return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
		}
	}
	return cellText(v)
}
