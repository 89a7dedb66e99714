package stationweb

import (
	"html/template"
	"strings"
	"testing"

	"fieldsync/release"
)

// Every page, the login and error pages too, ends with the station's release
// and build.
func TestPagesShowVersion(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	want := `<footer id="version">` + template.HTMLEscapeString(release.Short()) + `</footer>`
	if !strings.Contains(want, release.Version) {
		t.Fatalf("the footer %q does not name the release", want)
	}
	for _, path := range []string{"/", "/workers", "/workers/new", "/workers/nope", "/lists", "/gigs", "/import", "/refusals", "/login"} {
		if r := b.get(path); !strings.Contains(r.raw, want) {
			t.Errorf("%s (%d) has no %s:\n%s", path, r.status, want, r.raw)
		}
	}
}
