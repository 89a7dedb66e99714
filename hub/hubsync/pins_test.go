package hubsync_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/syncproto"
)

// The Welcome carries the hub's pins (the served key's, then the next
// one's) only to a station whose Hello says it reads them: a station of
// release 0.6.0 (a trailer without features) or earlier (no trailer)
// refuses trailing bytes. The hub notes the stations sent the next pin.
func TestWelcomePins(t *testing.T) {
	ca := t.TempDir()
	if _, err := hub.SelfSignedCert(ca, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	served := filepath.Join(ca, "cert.pem")
	h := hubtest.NewServer(t, "http", hub.Options{CertFile: served})
	next := t.TempDir()
	if _, err := hub.SelfSignedCert(next, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	st, err := h.Hub.RotateTLS(t.Context(), filepath.Join(next, "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := records.NewSchema()
	for _, tc := range []struct {
		name     string
		software string
		features uint64
		want     []string
	}{
		{"站新", "0.7.0", syncproto.FeatureHubPins, []string{st.Current, st.Next}},
		{"站旧", "0.6.0", 0, nil},
		{"站更旧", "", 0, nil},
	} {
		e := h.Enroll(tc.name)
		r := hubtest.DialRaw(t, h, e)
		r.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: s.Fingerprint(), Site: e.Site,
			Station: e.StationID, Token: e.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20,
			Software: tc.software, Features: tc.features})
		w := r.Welcome()
		if !slices.Equal(w.Pins, tc.want) {
			t.Errorf("%s: Welcome pins %q, want %q", tc.name, w.Pins, tc.want)
		}
	}
	hubtest.WaitFor(t, 5*time.Second, "the hub to note 站新 was sent the next pin", func() bool {
		st, err := h.Hub.TLSStatus(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return slices.Equal(st.Lacking(), []string{"站旧", "站更旧"}) || slices.Equal(st.Lacking(), []string{"站更旧", "站旧"})
	})
}
