package stationweb

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/browsertest"
)

// TestBrowserProgrammeImport drives the programme import page in Chromium:
// a workbook with a person the station does not hold is refused whole, the
// refusal listed by sheet, row and column; the corrected workbook imports
// every register.
func TestBrowserProgrammeImport(t *testing.T) {
	b := browsertest.New(t)
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	registerProgrammePeople(f)
	dir := t.TempDir()
	bad := filepath.Join(dir, "有误的台账.xlsx")
	good := filepath.Join(dir, "帮扶项目台账.xlsx")
	if err := os.WriteFile(bad, programmeWorkbook(t, map[string][]any{
		"以工代赈人员": {"某人", idNumber("19800101", 9), "红旗村道路", "2026-04-10", "", 3000, ""}}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, programmeWorkbook(t, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	type css = chromedp.CSS
	upload := func(path, result string) {
		t.Helper()
		b.Do(
			chromedp.Navigate(srv.URL+"/programmes/import"),
			chromedp.WaitVisible(css(`#pi-file`)),
			chromedp.SetUploadFiles(css(`#pi-file`), []string{path}),
			chromedp.Click(css(`#pi-upload`)),
			chromedp.WaitVisible(css(result)),
		)
	}
	upload(bad, `#pi-errors`)
	if got := b.Get(chromedp.Text(css(`#pi-errors`))); !strings.Contains(got, "以工代赈人员") ||
		!strings.Contains(got, "公民身份号码") || !strings.Contains(got, "未在本站登记") {
		t.Fatalf("refusal: %q", got)
	}
	if n := f.count("work_relief_projects"); n != 0 {
		t.Fatalf("a refused workbook wrote %d projects", n)
	}
	upload(good, `#pi-created`)
	if got := b.Get(chromedp.Text(css(`#pi-created`))); got != "11" {
		t.Fatalf("created %q", got)
	}
}
