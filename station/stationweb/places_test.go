package stationweb

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"fieldsync/places/placesweb"
	"fieldsync/station"
)

// GET /api/places through the station's whole handler (guard, language,
// sign-in): places by a part of the name or code, 400 naming q in the
// request's language.
func TestAPIPlaces(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		path   string
		status int
		first  string
		errHas string
	}{
		{"/api/places?q=" + url.QueryEscape("乌兰"), 200, "1509", ""},
		{"/api/places?q=" + url.QueryEscape("可可以力更"), 200, "150125100", ""},
		{"/api/places?q=150125100003", 200, "150125100003", ""},
		{"/api/places?q=", 400, "", "查询不能为空"},
		{"/api/places", 400, "", "查询不能为空"},
		{"/api/places?lang=en&q=", 400, "", "query is required"},
		{"/api/places?q=" + strings.Repeat("a", 51), 400, "", "查询过长"},
		{"/api/places?q=%FF", 400, "", "查询的值无法识别"},
		{"/api/places?q=" + url.QueryEscape("乌兰") + "&level=" + url.QueryEscape("嘎查村"), 200, "150102008209", ""},
	}
	for _, tt := range tests {
		r := getPlaces(f, httptest.NewRequest("GET", tt.path, nil))
		if r.status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.path, r.status, r.raw, tt.status)
			continue
		}
		if tt.status != 200 {
			if r.body["field"] != "q" || !strings.Contains(r.body["error"].(string), tt.errHas) {
				t.Errorf("%s: %s, want field q and %q", tt.path, r.raw, tt.errHas)
			}
			continue
		}
		if !strings.Contains(r.raw, `"code":"`+tt.first+`"`) || !strings.HasPrefix(r.raw, `[{"code":"`+tt.first+`"`) {
			t.Errorf("%s: %.300s, want it to begin with %s", tt.path, r.raw, tt.first)
		}
		if n := strings.Count(r.raw, `"code":`); n < 1 || n > placesweb.Limit {
			t.Errorf("%s: %d places", tt.path, n)
		}
	}
	// Only GET: a POST falls to the API's 404, as on the station's other read routes.
	if r := f.api("POST", "/api/places?q=1501", map[string]string{}); r.status != http.StatusNotFound || strings.Contains(r.raw, "1501") {
		t.Errorf("POST /api/places: %d %s", r.status, r.raw)
	}
}

// getPlaces serves req, whose answer may be a JSON array (fixture.serve
// reads objects): its body is parsed as an object only when it is not 200.
func getPlaces(f *fixture, req *http.Request) resp {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	out := resp{status: rec.Code, raw: rec.Body.String(), header: rec.Header()}
	if rec.Code != http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &out.body); err != nil {
			f.t.Fatalf("%s: bad JSON %q", req.URL, rec.Body)
		}
	}
	return out
}

// A station that asks for sign-in (on the LAN) answers places only to staff
// who signed in, like every other API route.
func TestAPIPlacesNeedsLogin(t *testing.T) {
	f := newFixture(t, nil)
	users, err := station.LoadUsers(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Set("李四", "correct horse"); err != nil {
		t.Fatal(err)
	}
	g := openFixture(t, t.TempDir(), f.cfg, func(o *Options) { o.Users = users; o.RequireLogin = true })
	path := "/api/places?q=" + url.QueryEscape("乌兰")
	if r := getPlaces(g, httptest.NewRequest("GET", path, nil)); r.status != http.StatusUnauthorized || strings.Contains(r.raw, "乌兰") {
		t.Fatalf("without login: %d %.200s", r.status, r.raw)
	}
	req := httptest.NewRequest("GET", path, nil)
	req.SetBasicAuth("李四", "correct horse")
	if r := getPlaces(g, req); r.status != 200 || !strings.Contains(r.raw, "乌兰察布市") {
		t.Fatalf("with login: %d %.200s", r.status, r.raw)
	}
}

// FuzzStationPlaces: whatever q (and however it is escaped, even into a
// level parameter), the station answers 200 with at most placesweb.Limit
// places, or 400 naming q or level; never a 5xx.
func FuzzStationPlaces(f *testing.F) {
	for _, q := range []string{"乌兰", "村", "1501", "150125100003", "", " ", "%FF", "%zz", strings.Repeat("村", 51),
		"<script>", "' OR 1=1 --", "\x00", "乌兰&q=村", "%E4%B9", "乌兰&level=嘎查村", "乌兰&level=x"} {
		f.Add(q)
	}
	fx := newFuzzFixture(f)
	f.Fuzz(func(t *testing.T, q string) {
		req := httptest.NewRequest("GET", "/api/places", nil)
		req.URL.RawQuery = "q=" + q // raw: the fuzzer chooses the escapes too
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200:
			body := rec.Body.String()
			if !strings.HasPrefix(body, "[") || strings.Count(body, `"code":`) > placesweb.Limit {
				t.Fatalf("q=%q: %.300s", q, body)
			}
			if !utf8.ValidString(body) {
				t.Fatalf("q=%q: body not UTF-8", q)
			}
		case 400:
			if b := rec.Body.String(); !strings.Contains(b, `"field":"q"`) && !strings.Contains(b, `"field":"level"`) {
				t.Fatalf("q=%q: %s", q, rec.Body)
			}
		default:
			t.Fatalf("q=%q: %d %s", q, rec.Code, rec.Body)
		}
	})
}
