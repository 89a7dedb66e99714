package hub_test

import (
	"context"
	"strings"
	"testing"

	"fieldsync/hub"
)

// The hub's zone: Asia/Shanghai by default, the option's when given; a zone
// that does not exist is refused by name.
func TestHubZone(t *testing.T) {
	dir := t.TempDir()
	if err := hub.Init(dir, "测试县", "http://127.0.0.1:8400"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ opt, want string }{{"", "Asia/Shanghai"}, {"Asia/Urumqi", "Asia/Urumqi"}} {
		h, err := hub.Open(context.Background(), hub.Options{Dir: dir, Zone: c.opt})
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Zone().String(); got != c.want {
			t.Errorf("zone %q: %s, want %s", c.opt, got, c.want)
		}
		h.Close()
	}
	if _, err := hub.Open(context.Background(), hub.Options{Dir: dir, Zone: "Mars/Olympus"}); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("an unknown zone: %v", err)
	}
}
