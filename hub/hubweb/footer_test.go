package hubweb_test

import (
	"html/template"
	"strings"
	"testing"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/release"
)

// Every page ends with the hub's release and build, also the pages drawn
// without the shared frame (the status page, the login page, the dashboard).
func TestPagesShowVersion(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	want := `<footer id="version">` + template.HTMLEscapeString(release.Short()) + `</footer>`
	if !strings.Contains(want, release.Version) {
		t.Fatalf("the footer %q does not name the release", want)
	}
	if _, _, body := hubtest.Page(t, h.Client(), h.URL()+"/login"); !strings.Contains(body, want) {
		t.Errorf("/login has no %s:\n%s", want, body)
	}
	v := h.LoggedIn("viewer1", access.RoleViewer)
	for _, path := range []string{"/", "/dashboard", "/stations", "/workers", "/conflicts", "/requests"} {
		if _, _, body := hubtest.Page(t, v, h.URL()+path); !strings.Contains(body, want) {
			t.Errorf("%s has no %s:\n%s", path, want, body)
		}
	}
}
