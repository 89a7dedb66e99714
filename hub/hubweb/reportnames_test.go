package hubweb_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/report"
)

// The report downloads carry Chinese names, from the API and from the
// dashboard page: 2026年12月就业监测月报.xlsx with Chinese tabs, and each
// sheet as a CSV named after its tab (…-苏木乡镇.csv, …-零工.csv).
func TestReportDownloadNames(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	const month = "2026-12"
	tok := h.AdminToken("查看员", access.RoleViewer)
	web := h.LoggedIn("viewer1", access.RoleViewer)
	get := func(path string, api bool) (*http.Response, []byte) {
		t.Helper()
		if api {
			return h.Get(path, tok)
		}
		resp, err := web.Get(h.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	name := func(resp *http.Response) string {
		t.Helper()
		cd := resp.Header.Get("Content-Disposition")
		_, enc, ok := strings.Cut(cd, "filename*=UTF-8''")
		n, err := url.PathUnescape(enc)
		if resp.StatusCode != http.StatusOK || !ok || err != nil {
			t.Fatalf("%s %q", resp.Status, cd)
		}
		return n
	}
	for _, path := range []string{"/api/report.xlsx", "/dashboard/report.xlsx"} {
		resp, b := get(path+"?month="+month, path[1] == 'a')
		if n := name(resp); n != "2026年12月就业监测月报.xlsx" {
			t.Errorf("%s is named %q", path, n)
		}
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"汇总", "就业人员清单", "失业人员清单", "有意愿外出人员清单", "就业帮扶台账", "苏木乡镇", "嘎查村汇总", "零工",
			"乡村公益性岗位", "就业帮扶车间", "共享用工", "以工代赈", "劳务输出",
			"职业技能培训", "创业扶持", "劳动维权", "返乡人员", "招聘活动", "岗位发布"}
		if got := x.GetSheetList(); !slices.Equal(got, want) {
			t.Errorf("%s: tabs %q, want %q", path, got, want)
		}
		x.Close()
	}
	for _, c := range []struct{ sheet, name, first string }{
		{report.SheetTownships, "2026年12月就业监测月报-苏木乡镇.csv", "苏木乡镇代码"},
		{report.SheetGigs, "2026年12月就业监测月报-零工.csv", "分组"},
		{report.SheetVillages, "2026年12月就业监测月报-嘎查村汇总.csv", "苏木乡镇代码"},
		{"", "2026年12月就业监测月报-汇总.csv", "类别"},
	} {
		for _, path := range []string{"/api/report.csv", "/dashboard/report.csv"} {
			q := "?month=" + month
			if c.sheet != "" {
				q += "&sheet=" + c.sheet
			}
			resp, b := get(path+q, path[1] == 'a')
			if n := name(resp); n != c.name {
				t.Errorf("%s%s is named %q, want %q", path, q, n, c.name)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
			if err != nil || len(recs) == 0 || recs[0][0] != c.first {
				t.Errorf("%s%s: %v %q", path, q, err, recs)
			}
		}
	}
}
