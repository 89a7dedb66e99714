package release

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDescribeBuild(t *testing.T) {
	stamped := func(kv ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{}
		for i := 0; i < len(kv); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return bi
	}
	for _, tc := range []struct {
		name  string
		build string
		bi    *debug.BuildInfo
		want  string
	}{
		{"linked", "v0.6.0-3-g6f5dfc0", stamped("vcs.revision", "6f5dfc0aaaaaaaaaaaaa"), "v0.6.0-3-g6f5dfc0"},
		{"linked with spaces", " v0.6.0\n", nil, "v0.6.0"},
		{"vcs stamp", "", stamped("vcs.revision", "6f5dfc0123456789abcdef", "vcs.modified", "false"), "6f5dfc012345"},
		{"vcs stamp dirty", "", stamped("vcs.revision", "6f5dfc0123456789abcdef", "vcs.modified", "true"), "6f5dfc012345-dirty"},
		{"short revision", "", stamped("vcs.revision", "abc"), "abc"},
		{"no stamp", "", stamped("GOOS", "linux"), "dev"},
		{"no build info", "", nil, "dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := describeBuild(tc.build, tc.bi); got != tc.want {
				t.Fatalf("describeBuild(%q) = %q, want %q", tc.build, got, tc.want)
			}
		})
	}
}

func TestSoftwareLine(t *testing.T) {
	for _, tc := range []struct {
		build, want string
	}{
		{"v0.6.0-3-g6f5dfc0-dirty", "fieldsync " + Version + " (linux/amd64, v0.6.0-3-g6f5dfc0-dirty)"},
		{"dev", "fieldsync " + Version + " (linux/amd64, dev)"},
		{"", "fieldsync " + Version + " (linux/amd64)"},
		{strings.Repeat("x", 100), ""},          // shortened to 64 bytes
		{strings.Repeat("构建", 30), ""},          // shortened on a rune boundary
		{"v0.6.0-1234-gabcdef012345-dirty", ""}, // fits or is shortened
	} {
		got := softwareLine(tc.build, "linux/amd64")
		if tc.want != "" && got != tc.want {
			t.Errorf("softwareLine(%q) = %q, want %q", tc.build, got, tc.want)
		}
		// What the Hello's trailer takes (syncproto.MaxSoftwareBytes), in the
		// form 0.6.0 peers store and show.
		if len(got) > 64 || !utf8.ValidString(got) || !strings.HasPrefix(got, "fieldsync "+Version+" (linux/amd64") || !strings.HasSuffix(got, ")") {
			t.Errorf("softwareLine(%q) = %q (%d bytes): not a Hello trailer", tc.build, got, len(got))
		}
	}
}

func TestStringAndDescribe(t *testing.T) {
	s := String()
	if !strings.HasPrefix(s, "fieldsync "+Version+" ("+runtime.GOOS+"/"+runtime.GOARCH) || len(s) > 64 {
		t.Fatalf("String() = %q", s)
	}
	if !strings.Contains(s, BuildID()) {
		t.Fatalf("String() = %q does not name the build %q", s, BuildID())
	}
	d := Describe("hub")
	for _, want := range []string{"hub " + Version + "\n", "build:    " + BuildID() + "\n", "go:       " + runtime.Version() + "\n",
		"platform: " + runtime.GOOS + "/" + runtime.GOARCH + "\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe = %q, want a line %q", d, want)
		}
	}
	if !strings.HasPrefix(Short(), "fieldsync "+Version) {
		t.Fatalf("Short() = %q", Short())
	}
}
