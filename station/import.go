package station

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"fieldsync/places/placename"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/webkit"
)

// Limits on imported workbooks: an .xlsx is a zip, and a small one can
// inflate to gigabytes (a zip bomb), so its entries are measured first.
const (
	MaxUnzipped    = 256 << 20 // all entries together
	MaxImportRows  = 200_000
	importChunk    = 1000
	maxUnzipRatio  = 200 // uncompressed/compressed of one entry
	ratioThreshold = 1 << 20
)

// ImportText holds the import's own messages in Chinese and English (row
// errors come back as data, their messages in the language asked for).
var ImportText = webkit.Catalogue{
	"row":         {"行", "Row"},
	"too_large":   {"文件太大", "The file is too large"},
	"file_broken": {"文件从这一行起无法读取，之后的行未导入", "The file cannot be read from this row on; later rows were not imported"},
}

// maxImportRows is MaxImportRows; tests lower it.
var maxImportRows = MaxImportRows

// ErrBadFile is an import that is neither a workbook nor a CSV file the
// station can read, or that lacks the id-number column.
var ErrBadFile = errors.New("unreadable import file")

// importHeaders maps the column headers staff use to worker fields. Headers
// are compared after dropping spaces, asterisks and bracketed notes.
var importHeaders = map[string]string{
	"公民身份号码": "id_number", "身份证号": "id_number", "身份证号码": "id_number", "身份证": "id_number",
	"证件号码": "id_number", "身份证件号码": "id_number",
	"姓名":   "name",
	"联系电话": "phone", "手机号": "phone", "手机号码": "phone", "电话": "phone", "联系方式": "phone", "手机": "phone",
	"民族":  "ethnicity",
	"户籍地": "hukou_village", "户籍村": "hukou_village", "户籍地代码": "hukou_village", "户籍所在地": "hukou_village",
	"户籍村代码": "hukou_village", "户籍地区划代码": "hukou_village",
	"常住地": "residence_village", "常住地代码": "residence_village", "现居住地": "residence_village",
	"常住村": "residence_village", "常住地区划代码": "residence_village", "居住地": "residence_village",
	"文化程度": "education", "学历": "education",
	"劳动能力": "labour_ability", "劳动技能": "labour_ability",
	"人员类别": "tags", "标签": "tags", "人员类型": "tags", "人员身份": "tags",
	"监测对象类型": "monitor_type", "监测类型": "monitor_type",
	"技能": "skills", "技能特长": "skills", "专业技能": "skills", "技能专长": "skills",
	"是否有外出意愿": "willing_away", "外出意愿": "willing_away", "外出务工意愿": "willing_away",
	"是否愿意外出": "willing_away", "有无外出意愿": "willing_away",
	"备注": "notes",
	// A village may be written by its name (placename.VillageCode); the places above
	// it, in columns of their own, choose among villages of the same name.
	"嘎查村": "hukou_village", "户籍嘎查村": "hukou_village", "常住嘎查村": "residence_village",
	"旗县": "county", "旗县区": "county", "旗县市区": "county", "县区": "county", "户籍旗县": "county",
	"苏木乡镇": "township", "乡镇苏木": "township", "乡镇": "township", "苏木": "township", "乡镇街道": "township",
	"户籍苏木乡镇": "township", "户籍乡镇": "township",
	"盟市": "prefecture", "户籍盟市": "prefecture",
}

// normalizeHeader drops what staff add around a header: spaces, asterisks
// marking required columns, notes in brackets.
func normalizeHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	for _, br := range [][2]string{{"(", ")"}, {"（", "）"}, {"[", "]"}, {"【", "】"}} {
		if i := strings.Index(h, br[0]); i >= 0 {
			if j := strings.Index(h[i:], br[1]); j >= 0 {
				h = h[:i] + h[i+j+len(br[1]):]
			}
		}
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '*' || r == '\u3000' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, h)
}

func yes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "是", "有", "愿意", "y", "yes", "1", "true", "√":
		return true
	}
	return false
}

// ImportRowError is one row that was not imported.
type ImportRowError struct {
	Row     int    `json:"row"` // as the spreadsheet numbers it (the header is row 1)
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportResult says what an import did.
type ImportResult struct {
	Rows     int              `json:"rows"`
	Imported int              `json:"imported"`
	Errors   []ImportRowError `json:"errors"`
}

// rowFunc receives each row of a table: its number as the spreadsheet shows
// it (the header is row 1) and its cells.
type rowFunc func(n int, cells []string) error

// scanTable calls fn for every row of the first sheet of an .xlsx, or of a
// CSV file, in order, without holding the whole table in memory.
func scanTable(name string, data []byte, fn rowFunc) error {
	ext := strings.ToLower(filepath.Ext(name))
	isZip := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	switch {
	case ext == ".xlsx" || isZip:
		return scanXLSX(data, fn)
	case ext == ".csv" || ext == ".txt" || ext == "":
		return scanCSV(data, fn)
	}
	return fmt.Errorf("%w: want .xlsx or .csv", ErrBadFile)
}

// checkZip refuses a workbook whose entries inflate beyond MaxUnzipped or
// whose compression ratio betrays a bomb.
func checkZip(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxUnzipped {
			return fmt.Errorf("%w: workbook inflates beyond %d bytes", ErrTooLarge, MaxUnzipped)
		}
		if f.UncompressedSize64 > ratioThreshold && f.CompressedSize64 > 0 &&
			f.UncompressedSize64/f.CompressedSize64 > maxUnzipRatio {
			return fmt.Errorf("%w: workbook entry compressed %d:1", ErrTooLarge, f.UncompressedSize64/f.CompressedSize64)
		}
	}
	return nil
}

func scanXLSX(data []byte, fn rowFunc) error {
	if err := checkZip(data); err != nil {
		return err
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzipped,
		UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return fmt.Errorf("%w: no sheet", ErrBadFile)
	}
	rows, err := x.Rows(sheets[0])
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		cols, err := rows.Columns()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadFile, err)
		}
		if err := fn(n, cols); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	return nil
}

// scanCSV reads UTF-8 (with or without a byte-order mark) or, as Excel on a
// Chinese Windows saves it, GB18030.
func scanCSV(data []byte, fn rowFunc) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return fmt.Errorf("%w: neither UTF-8 nor GB18030", ErrBadFile)
		}
		data = dec
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadFile, err)
		}
		if err := fn(n, rec); err != nil {
			return err
		}
	}
}

// parsedRow is a row read and validated: a worker to write, or an error.
type parsedRow struct {
	n   int
	w   records.Worker
	err *ImportRowError
}

// parseWorkers reads and validates the rows of a table in order, sending
// them in batches of importChunk; duplicates within the file are errors.
// today is the registration date the age rules are judged on.
func parseWorkers(ctx context.Context, name string, data []byte, lang string, today time.Time, out chan<- []parsedRow) error {
	var cols map[string]int
	seen := map[string]int{}
	batch := make([]parsedRow, 0, importChunk)
	send := func() error {
		select {
		case out <- batch:
			batch = make([]parsedRow, 0, importChunk)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	rowsSeen := 0
	err := scanTable(name, data, func(n int, row []string) error {
		if cols == nil {
			cols = map[string]int{}
			for i, h := range row {
				if f, ok := importHeaders[normalizeHeader(h)]; ok {
					if _, dup := cols[f]; !dup {
						cols[f] = i
					}
				}
			}
			if _, ok := cols["id_number"]; !ok {
				return fmt.Errorf("%w: no id-number column (公民身份号码 / 身份证号)", ErrBadFile)
			}
			return nil
		}
		empty := true
		for _, c := range row {
			if strings.TrimSpace(c) != "" {
				empty = false
				break
			}
		}
		if empty {
			return nil
		}
		if rowsSeen++; rowsSeen > maxImportRows {
			return fmt.Errorf("%w: more than %d rows", ErrTooLarge, maxImportRows)
		}
		cell := func(field string) string {
			i, ok := cols[field]
			if !ok || i >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[i])
		}
		w := records.Worker{IDNumber: cell("id_number"), Name: cell("name"), Phone: cell("phone"),
			Ethnicity: cell("ethnicity"), HukouVillage: cell("hukou_village"),
			ResidenceVillage: cell("residence_village"), Education: cell("education"),
			LabourAbility: cell("labour_ability"), Tags: SplitList(cell("tags")),
			MonitorType: cell("monitor_type"), Skills: SplitList(cell("skills")),
			WillingAway: yes(cell("willing_away")), Notes: cell("notes")}
		p := parsedRow{n: n}
		var err error
		for _, v := range []struct {
			field string
			code  *string
		}{{"hukou_village", &w.HukouVillage}, {"residence_village", &w.ResidenceVillage}} {
			if err == nil {
				*v.code, err = placename.VillageCode(v.field, *v.code, cell("prefecture"), cell("county"), cell("township"))
			}
		}
		var pe *placename.Error
		if errors.As(err, &pe) {
			p.err = &ImportRowError{Row: n, Field: pe.Field, Message: pe.Message(lang)}
		} else if err := w.ValidateOn(today); err != nil {
			fe, ok := records.AsFieldError(err)
			if !ok {
				return err
			}
			p.err = &ImportRowError{Row: n, Field: fe.Field, Message: fe.Message(lang)}
		} else if first, dup := seen[w.IDNumber]; dup {
			msg := (&records.FieldError{Field: "id_number", Key: records.KeyDuplicate}).Message(lang)
			p.err = &ImportRowError{Row: n, Field: "id_number", Message: fmt.Sprintf("%s（%s %d）", msg, ImportText.T(lang, "row"), first)}
		} else {
			seen[w.IDNumber] = n
			p.w = w
		}
		batch = append(batch, p)
		if len(batch) == importChunk {
			return send()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if cols == nil {
		return fmt.Errorf("%w: empty file", ErrBadFile)
	}
	if len(batch) > 0 {
		return send()
	}
	return nil
}

// ImportWorkers registers the people listed in an .xlsx or .csv file. Every
// row is validated first; rows that pass are written in transactions of a
// thousand, and a row that fails (bad field, duplicate in the file, already
// registered here) is reported and writes nothing. Reading the file and
// writing the rows overlap: one goroutine parses while this one writes.
func (s *Station) ImportWorkers(ctx context.Context, name string, data []byte, lang string) (*ImportResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []parsedRow, 2)
	var parseErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(batches)
		parseErr = parseWorkers(ctx, name, data, lang, s.now(), batches)
	}()
	res := &ImportResult{Errors: []ImportRowError{}}
	var writeErr error
	lastRow := 1
	for batch := range batches {
		if writeErr != nil {
			continue // drain, so that the parser ends
		}
		lastRow = batch[len(batch)-1].n
		if writeErr = s.importBatch(ctx, batch, res, lang); writeErr != nil {
			cancel()
		}
	}
	wg.Wait()
	if writeErr != nil {
		return nil, fmt.Errorf("import workers: %w", writeErr)
	}
	if parseErr != nil {
		if res.Rows == 0 {
			return nil, parseErr
		}
		// The file broke after rows that were already written: say where it
		// stopped, so that staff fix the rest and import it again.
		msg := ImportText.T(lang, "file_broken")
		if errors.Is(parseErr, ErrTooLarge) {
			msg = ImportText.T(lang, "too_large")
		}
		res.Errors = append(res.Errors, ImportRowError{Row: lastRow + 1, Field: "file", Message: msg})
	}
	if res.Imported > 0 {
		s.written()
	}
	slices.SortFunc(res.Errors, func(a, b ImportRowError) int { return a.Row - b.Row })
	return res, nil
}

// importBatch writes the good rows of a batch in one transaction; a person
// already registered here is reported and skipped.
func (s *Station) importBatch(ctx context.Context, batch []parsedRow, res *ImportResult, lang string) error {
	var failed []ImportRowError
	imported := 0
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		failed, imported = failed[:0], 0
		for i := range batch {
			p := &batch[i]
			if p.err != nil {
				failed = append(failed, *p.err)
				continue
			}
			err := s.createWorkerTx(ctx, tx, p.w.ID(s.key), &p.w)
			var ce *ConflictError
			if errors.As(err, &ce) {
				fe := ce.FieldError()
				failed = append(failed, ImportRowError{Row: p.n, Field: fe.Field, Message: fe.Message(lang)})
				continue
			}
			if err != nil {
				return err
			}
			imported++
		}
		return nil
	})
	if err != nil {
		return err
	}
	res.Rows += len(batch)
	res.Imported += imported
	res.Errors = append(res.Errors, failed...)
	return nil
}

// SplitList splits a typed list on commas, Chinese commas and enumeration commas.
func SplitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == '\n'
	})
	out := []string{}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
