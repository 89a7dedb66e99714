package places

import (
	"bytes"
	"compress/gzip"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEmbeddedTable(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	tab, _ := load()
	want := map[Level]int{Prefecture: 12, County: 108, Township: 1225, Village: 14592}
	total := 0
	for l, n := range want {
		if got := tab.Count(l); got != n {
			t.Errorf("%s: %d places, want %d", l, got, n)
		}
		total += n
	}
	if tab.Len() != total {
		t.Errorf("%d places, want %d", tab.Len(), total)
	}
	for i, code := range tab.codes {
		// The station stores villages as 12 digits and gig places as 6, 9
		// or 12 (records.divisionRE, placeRE): every code is its own level's
		// length, starts with the province's 15 and is no padded form of
		// another (Lookup's canonical leaves it alone).
		if len(code) != codeLen[tab.depth[i]] || !strings.HasPrefix(code, "15") {
			t.Errorf("code %s at level %s", code, levels[tab.depth[i]])
		}
		if canonical(code) != code {
			t.Errorf("code %s reads as padded %s", code, canonical(code))
		}
	}
}

func TestGeneratedHeader(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(embedded))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(raw), "\n1501\t")
	for _, s := range []string{"scripts/gen-places", "china-division 2.7.0", "MIT"} {
		if !strings.Contains(head, s) {
			t.Errorf("header %q does not name %q", head, s)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		code       string
		ok         bool
		name, path string
		level      Level
	}{
		{"1501", true, "呼和浩特市", "呼和浩特市", Prefecture},
		{"150100", true, "呼和浩特市", "呼和浩特市", Prefecture},
		{"150125", true, "武川县", "呼和浩特市 / 武川县", County},
		{"150125000000", true, "武川县", "呼和浩特市 / 武川县", County},
		{"150125100", true, "可可以力更镇", "呼和浩特市 / 武川县 / 可可以力更镇", Township},
		{"150125100000", true, "可可以力更镇", "呼和浩特市 / 武川县 / 可可以力更镇", Township},
		{"150125100003", true, "东官井社区居民委员会", "呼和浩特市 / 武川县 / 可可以力更镇 / 东官井社区居民委员会", Village},
		{"152201", true, "乌兰浩特市", "兴安盟 / 乌兰浩特市", County},
		{"15", false, "", "", ""},           // the province is not a place of the table
		{"150000", false, "", "", ""},       // nor padded
		{"110101001001", false, "", "", ""}, // Beijing: outside Inner Mongolia
		{"150125100999", false, "", "", ""},
		{"15012510000", false, "", "", ""}, // 11 digits
		{"", false, "", "", ""},
		{"呼和浩特市", false, "", "", ""},
	}
	for _, tt := range tests {
		p, ok := Lookup(tt.code)
		if ok != tt.ok || p.Name != tt.name || p.Path != tt.path || p.Level != tt.level {
			t.Errorf("Lookup(%q) = %+v, %v; want %q %q %q, %v", tt.code, p, ok, tt.name, tt.path, tt.level, tt.ok)
		}
		if ok && len(p.Code) != codeLen[levelDepth(p.Level)] {
			t.Errorf("Lookup(%q).Code = %q", tt.code, p.Code)
		}
	}
}

func levelDepth(l Level) int {
	for d, x := range levels {
		if x == l {
			return d
		}
	}
	return -1
}

func TestName(t *testing.T) {
	for code, want := range map[string]string{
		"150125":       "武川县",
		"150125100003": "东官井社区居民委员会",
		"150421100200": "杨树林村民委员会",
		"150421999999": "150421999999", // a code no place has shows as itself
		"":             "",
	} {
		if got := Name(code); got != want {
			t.Errorf("Name(%q) = %q, want %q", code, got, want)
		}
	}
}

func codesOf(ps []Place) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Code
	}
	return out
}

func TestSearch(t *testing.T) {
	tests := []struct {
		name  string
		q     string
		limit int
		first []string // the first results, in order
		n     int      // how many results
	}{
		// 乌兰察布市 (盟市) and 乌兰浩特市 (旗县) start with 乌兰: they come
		// before every 苏木 and 嘎查 whose name does, top level first.
		{"name prefix, top level first", "乌兰", 20, []string{"1509", "152201"}, 20},
		{"exact name first", "武川县", 5, []string{"150125", "150125402498", "150125403498"}, 3},
		{"exact code, then its children", "150125", 3, []string{"150125", "150125100", "150125101"}, 3},
		{"code prefix", "1501251", 1000, []string{"150125100", "150125101"}, -1},
		{"village code", "150125100003", 5, []string{"150125100003"}, 1},
		{"digits in a name", "2008", 5, []string{"150571004008"}, 1},
		{"space trimmed", "  武川县 ", 1, []string{"150125"}, 1},
		{"limit 1", "乌兰", 1, []string{"1509"}, 1},
		{"limit 0", "乌兰", 0, nil, 0},
		{"empty", "", 20, nil, 0},
		{"blank", "   ", 20, nil, 0},
		{"nothing", "不存在的地方", 20, nil, 0},
		{"not a code of the region", "1101", 20, nil, 0},
		{"invalid UTF-8", "\xff\xfe", 20, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Search(tt.q, tt.limit)
			codes := codesOf(got)
			if len(codes) < len(tt.first) || strings.Join(codes[:len(tt.first)], ",") != strings.Join(tt.first, ",") {
				t.Fatalf("Search(%q, %d) = %v, want it to begin %v", tt.q, tt.limit, codes, tt.first)
			}
			if tt.n >= 0 && len(got) != tt.n {
				t.Fatalf("Search(%q, %d) gave %d places, want %d: %v", tt.q, tt.limit, len(got), tt.n, codes)
			}
			if len(got) > max(tt.limit, 0) {
				t.Fatalf("Search(%q, %d) gave %d places", tt.q, tt.limit, len(got))
			}
			q := strings.TrimSpace(tt.q)
			for _, p := range got {
				if !strings.Contains(p.Name, q) && !strings.HasPrefix(p.Code, q) {
					t.Errorf("%+v does not match %q", p, q)
				}
				if want, _ := Lookup(p.Code); want != p {
					t.Errorf("Search gave %+v, Lookup %+v", p, want)
				}
			}
		})
	}
}

// TestSearchAgainstScan checks Search against a plain reading of its rule
// over every place: the same set when the limit holds them all, in rank,
// level, code order.
func TestSearchAgainstScan(t *testing.T) {
	tab, err := load()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"乌兰", "村", "嘎查", "1504", "15", "苏木", "镇", "新", "巴彦", "东官井社区居民委员会"} {
		var want []string
		for rank := range 3 {
			for depth := range codeLen {
				for i, code := range tab.codes {
					name := tab.names[i]
					r := 2
					switch {
					case name == q || code == q:
						r = 0
					case strings.HasPrefix(name, q) || strings.HasPrefix(code, q):
						r = 1
					case !strings.Contains(name, q):
						continue
					}
					if r == rank && int(tab.depth[i]) == depth {
						want = append(want, code)
					}
				}
			}
		}
		got := codesOf(tab.Search(q, tab.Len()))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("Search(%q): %d places, scan %d; first %v, want %v", q, len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
		}
		if len(want) > 20 {
			if got := codesOf(tab.Search(q, 20)); strings.Join(got, ",") != strings.Join(want[:20], ",") {
				t.Errorf("Search(%q, 20) = %v, want %v", q, got, want[:20])
			}
		}
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, data string
		err        string // "" when it decodes
	}{
		{"ok", "# c\n1501\t呼和浩特市\n150102\t新城区\n150102001\t街道\n150102001001\t社区\n", ""},
		{"no final newline", "1501\t呼和浩特市", ""},
		{"empty", "", "no places"},
		{"only comments", "# a\n# b\n", "no places"},
		{"no tab", "1501 呼和浩特市\n", "line 1"},
		{"empty line", "1501\tA\n\n", "line 2"},
		{"bad length", "15011\tA\n", "not 4, 6, 9 or 12 digits"},
		{"not digits", "15a1\tA\n", "not 4, 6, 9 or 12 digits"},
		{"unicode digits", "١٥٠١\tA\n", "not 4, 6, 9 or 12 digits"},
		{"empty name", "1501\t\n", "empty name"},
		{"name space", "1501\t A\n", "surrounding space"},
		{"name control", "1501\tA\x00B\n", "control"},
		{"name tab", "1501\tA\tB\n", "control"},
		{"name not utf-8", "1501\t\xff\n", "UTF-8"},
		{"name too long", "1501\t" + strings.Repeat("村", MaxNameRunes+1) + "\n", "longer"},
		{"unsorted", "1502\tA\n1501\tB\n", "does not follow"},
		{"duplicate", "1501\tA\n1501\tB\n", "does not follow"},
		{"orphan", "1501\tA\n150201\tB\n", "no parent 1502"},
		{"orphan village", "1501\tA\n150102\tB\n150102001001\tC\n", "no parent 150102001"},
		{"zero county", "1501\tA\n150100\tB\n", "ends in zeros"},
		{"zero village", "1501\tA\n150102\tB\n150102001\tC\n150102001000\tD\n", "ends in zeros"},
		{"CR", "1501\tA\r\n", "line 1"},
	}
	for _, tt := range tests {
		tab, err := Decode([]byte(tt.data))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.err)
		case tt.err != "" && tab != nil:
			t.Errorf("%s: a table with the error", tt.name)
		}
	}
}

// FuzzDecode feeds the table decoder arbitrary text: it never panics, and
// what it accepts keeps its promises (sorted codes of the four lengths, each
// with its parent, names that are valid text), so Lookup and Search on it
// hold too.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("# c\n1501\t呼和浩特市\n150102\t新城区\n150102001\t街道\n150102001001\t社区\n"))
	f.Add([]byte("1501\tA\n150201\tB\n"))
	f.Add([]byte("1501\t\xff\n"))
	f.Add([]byte("\n\n\t\n#\n"))
	zr, err := gzip.NewReader(bytes.NewReader(embedded))
	if err != nil {
		f.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw[:min(len(raw), 4000)])
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Decode(data)
		if err != nil {
			return
		}
		for i, code := range tab.codes {
			if i > 0 && code <= tab.codes[i-1] {
				t.Fatalf("codes out of order: %s after %s", code, tab.codes[i-1])
			}
			if len(code) != codeLen[tab.depth[i]] {
				t.Fatalf("code %s at depth %d", code, tab.depth[i])
			}
			if !utf8.ValidString(tab.names[i]) || tab.names[i] == "" {
				t.Fatalf("name %q", tab.names[i])
			}
			p, ok := tab.Lookup(code)
			if !ok || p.Code != code || !strings.HasSuffix(p.Path, p.Name) ||
				strings.Count(p.Path, PathSep) < int(tab.depth[i]) {
				t.Fatalf("Lookup(%s) = %+v, %v", code, p, ok)
			}
			found := false
			for _, p := range tab.Search(code, tab.Len()) {
				found = found || p.Code == code
			}
			if !found {
				t.Fatalf("Search(%s) misses it", code)
			}
		}
	})
}

func TestSearchLevels(t *testing.T) {
	tests := []struct {
		q     string
		only  []Level
		first string
		n     int
	}{
		// 乌兰 fills 20 with 盟市, 旗县 and 苏木 before any 嘎查: a village
		// picker asks for villages alone.
		{"乌兰", []Level{Village}, "150102008209", 20},
		{"乌兰", []Level{County}, "152201", 1},
		{"乌兰", []Level{Prefecture, County}, "1509", 2},
		{"武川县", []Level{Village}, "150125402498", 2},
		{"150125", []Level{Township}, "150125100", -1},
		{"乌兰", []Level{"省"}, "", 0},
	}
	for _, tt := range tests {
		got := Search(tt.q, 20, tt.only...)
		if tt.n >= 0 && len(got) != tt.n || len(got) > 0 && got[0].Code != tt.first || len(got) == 0 && tt.first != "" {
			t.Errorf("Search(%q, 20, %v) = %v, want %d beginning %s", tt.q, tt.only, codesOf(got), tt.n, tt.first)
		}
		for _, p := range got {
			if !slices.Contains(tt.only, p.Level) {
				t.Errorf("Search(%q, 20, %v) gave %+v", tt.q, tt.only, p)
			}
		}
	}
	if got := Levels(); len(got) != 4 || got[0] != Prefecture || got[3] != Village {
		t.Errorf("Levels() = %v", got)
	}
}
