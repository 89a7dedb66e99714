package hub_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/syncproto"
)

// How the hub serves a station after a restore, by what the station's
// Hello says and what the hub recorded serving it under: stations that
// cannot tell a restored hub are told (a station of this release) or
// refused until upgraded (an earlier one), unless they start from the
// beginning of the hub's log.
func TestServeIncarnation(t *testing.T) {
	ctx := context.Background()
	h := newCoreHub(t)
	for _, st := range []string{"before", "before-old", "never", "fresh"} {
		h.enroll(st)
	}
	first := h.hub.Incarnation().ID
	if first == 0 {
		t.Fatal("no incarnation")
	}
	// Served before the backup: recorded under the first incarnation.
	for _, st := range []string{"before", "before-old"} {
		if distrust, err := h.hub.ServeIncarnation(ctx, st, &syncproto.Hello{Cursor: 7}); err != nil || distrust {
			t.Fatalf("%s before any restore: %v %v", st, distrust, err)
		}
	}
	out := filepath.Join(t.TempDir(), "hub.db")
	if err := h.hub.BackupTo(ctx, out); err != nil {
		t.Fatal(err)
	}
	h.close()
	if _, err := hub.Restore(ctx, h.dir, out, time.Now()); err != nil {
		t.Fatal(err)
	}
	h.open()
	if h.hub.Incarnation().ID == first {
		t.Fatal("the restore kept the incarnation")
	}
	for _, tc := range []struct {
		name, station string
		hello         syncproto.Hello
		distrust      bool
		refused       bool
	}{
		{"this release, served before", "before", syncproto.Hello{Cursor: 7, Software: "v2"}, true, false},
		{"previous release, served before", "before-old", syncproto.Hello{Cursor: 7}, false, true},
		{"previous release, never served", "never", syncproto.Hello{Cursor: 7}, false, true},
		{"previous release, from the start", "never", syncproto.Hello{}, false, false},
		{"previous release, served since the restore", "never", syncproto.Hello{Cursor: 7}, false, false},
		{"this release, from the start", "before", syncproto.Hello{Software: "v2"}, false, false},
		{"this release, served since", "before", syncproto.Hello{Cursor: 9, Software: "v2"}, false, false},
		{"this release, never served, from the start", "fresh", syncproto.Hello{Software: "v2"}, false, false},
	} {
		distrust, err := h.hub.ServeIncarnation(ctx, tc.station, &tc.hello)
		var pe *syncproto.Error
		refused := errors.As(err, &pe) && pe.Code == syncproto.ErrCodeProtocolVersion
		if err != nil && !refused {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if distrust != tc.distrust || refused != tc.refused {
			t.Errorf("%s: distrust %v refused %v (%v), want %v %v", tc.name, distrust, refused, err, tc.distrust, tc.refused)
		}
	}
}
