package placesweb

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func langParam(r *http.Request) string { return r.URL.Query().Get("lang") }

type place struct{ Code, Name, Level, Path string }

func TestHandler(t *testing.T) {
	tests := []struct {
		name   string
		query  string // the raw query string
		status int
		first  string // the first place's code, on 200
		n      int    // how many places, on 200 (-1: any, at most Limit)
		errHas string // a part of the error, on 400
	}{
		{"name part", "q=" + url.QueryEscape("乌兰"), 200, "1509", Limit, ""},
		{"whole name", "q=" + url.QueryEscape("武川县"), 200, "150125", 3, ""},
		{"code", "q=150125100003", 200, "150125100003", 1, ""},
		{"code prefix", "q=1501", 200, "1501", Limit, ""},
		{"trimmed", "q=" + url.QueryEscape(" 武川县\t"), 200, "150125", 3, ""},
		{"nothing found", "q=" + url.QueryEscape("不存在的地方"), 200, "", 0, ""},
		{"html", "q=" + url.QueryEscape(`<script>alert(1)</script>`), 200, "", 0, ""},
		{"sql", "q=" + url.QueryEscape(`' OR 1=1 --`), 200, "", 0, ""},
		{"50 characters", "q=" + url.QueryEscape(strings.Repeat("村", 50)), 200, "", 0, ""},
		{"villages only", "q=" + url.QueryEscape("乌兰") + "&level=" + url.QueryEscape("嘎查村"), 200, "150102008209", Limit, ""},
		{"two levels", "q=" + url.QueryEscape("乌兰") + "&level=" + url.QueryEscape("盟市, 旗县"), 200, "1509", 2, ""},
		{"empty level", "q=" + url.QueryEscape("武川县") + "&level=", 200, "150125", 3, ""},
		{"unknown level", "q=" + url.QueryEscape("乌兰") + "&level=village", 400, "", 0, "level应为以下之一：盟市、旗县、苏木乡镇、嘎查村"},
		{"level and no q", "level=x", 400, "", 0, "查询不能为空"},
		{"no q", "", 400, "", 0, "查询不能为空"},
		{"empty q", "q=", 400, "", 0, "查询不能为空"},
		{"blank q", "q=%20%20", 400, "", 0, "查询不能为空"},
		{"bad escape", "q=%zz", 400, "", 0, "查询不能为空"},
		{"51 characters", "q=" + url.QueryEscape(strings.Repeat("村", 51)), 400, "", 0, "查询过长（最多50个字）"},
		{"long", "q=" + strings.Repeat("1", 10000), 400, "", 0, "查询过长"},
		{"not UTF-8", "q=%E4%B9", 400, "", 0, "查询的值无法识别"},
		{"English", "q=&lang=en", 400, "", 0, "query is required"},
	}
	h := Handler(langParam)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/places?"+tt.query, nil))
			if rec.Code != tt.status {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tt.status)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
			if tt.status != 200 {
				var e struct{ Error, Field string }
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
					t.Fatal(err)
				}
				field := "q"
				if strings.HasPrefix(tt.errHas, "level") {
					field = "level"
				}
				if e.Field != field || !strings.Contains(e.Error, tt.errHas) {
					t.Fatalf("error %+v, want field %s and %q", e, field, tt.errHas)
				}
				return
			}
			if !strings.HasPrefix(rec.Body.String(), "[") {
				t.Fatalf("body %s, want a JSON array", rec.Body)
			}
			var got []place
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.n || len(got) > 0 && got[0].Code != tt.first {
				t.Fatalf("%d places %+v, want %d beginning %s", len(got), got, tt.n, tt.first)
			}
			for _, p := range got {
				if p.Code == "" || p.Name == "" || p.Level == "" || !strings.HasSuffix(p.Path, p.Name) {
					t.Errorf("place %+v", p)
				}
			}
		})
	}
}

// The picker's script is served as JavaScript over a real socket, and it
// searches the URL the box names (data-src), /api/places when none.
func TestPicker(t *testing.T) {
	srv := httptest.NewServer(Picker())
	defer srv.Close()
	resp, err := http.Get(srv.URL + PickerPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	if _, err := io.Copy(&body, resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("%s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`getAttribute("data-src") || "/api/places"`, `querySelectorAll(".place-picker")`} {
		if !strings.Contains(body.String(), want) {
			t.Errorf("script without %s", want)
		}
	}
}
