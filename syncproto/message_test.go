package syncproto_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/replica"
	"fieldsync/syncproto"
	"fieldsync/syncproto/internal/sampledata"
)

var testKey = ident.Key("fieldsync test deployment key")

func newCodec(tb testing.TB, key ident.Key) *syncproto.Codec {
	tb.Helper()
	c, err := syncproto.NewCodec(testSchema(tb), key, syncproto.Limits{})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// sampleMessages are real messages of every type.
func sampleMessages(tb testing.TB) []syncproto.Message {
	s := testSchema(tb)
	workers := sampledata.Workers(3, 7, testKey)
	// A relayed change: another site, a replaced version, a dead field, a
	// removed set element, a null and an explicit row id.
	relayed := replica.Change{
		Table:   "gigs",
		Row:     ident.ID{0: 0x01, 15: 0x42},
		Version: replica.Version{HLC: hlc.New(1767000000000, 3), Site: 0x1234},
		Fields: []replica.Field{
			{Col: 0, Value: "搬运工 10 名", Replaces: []replica.Version{{HLC: hlc.New(1766999000000, 0), Site: sampledata.Site}}},
			{Col: 2, Value: int64(10)},
			{Col: 3, Value: 180.5},
			{Col: 5, Dead: true},
			{Col: 6, Value: nil},
			{Col: 14, Elem: "驾驶", Value: int64(0)},
			{Col: 14, Elem: "叉车", Dead: true},
		},
	}
	return []syncproto.Message{
		&syncproto.Hello{
			Version: syncproto.ProtocolVersion, Schema: s.Fingerprint(), Site: sampledata.Site,
			Station: "tianshan-01", Token: "k3J9-secret-token", Cursor: 12345,
			Now: hlc.New(1767000000000, 1), MaxBatchLen: 1 << 20,
		},
		&syncproto.Hello{
			Version: syncproto.ProtocolVersion, Schema: s.Fingerprint(), Site: sampledata.Site,
			Station: "tianshan-01", Token: "k3J9-secret-token", Cursor: 12345,
			Now: hlc.New(1767000000000, 1), MaxBatchLen: 1 << 20, Software: "fieldsync 0.6.0 (linux/amd64)", Restored: 0x1234,
		},
		&syncproto.Hello{
			Version: syncproto.ProtocolVersion, Schema: s.Fingerprint(), Site: sampledata.Site,
			Station: "tianshan-01", Token: "k3J9-secret-token", Cursor: 12345,
			Now: hlc.New(1767000000000, 1), MaxBatchLen: 1 << 20, Software: "fieldsync 0.7.0", Features: syncproto.FeatureHubPins,
		},
		&syncproto.Welcome{Version: syncproto.ProtocolVersion, Site: 0x77, Now: hlc.New(1767000000123, 0), Resume: 987, MaxSkew: 300000},
		&syncproto.Welcome{Version: syncproto.ProtocolVersion, Site: 0x77, Now: hlc.New(1767000000123, 0), Resume: 987, MaxSkew: 300000,
			Extended: true, Incarnation: 0xfeedface12345678, LogEnd: 4242},
		&syncproto.Welcome{Version: syncproto.ProtocolVersion, Site: 0x77, Extended: true},
		&syncproto.Welcome{Version: syncproto.ProtocolVersion, Site: 0x77, Now: hlc.New(1767000000123, 0), Resume: 987, MaxSkew: 300000,
			Extended: true, Incarnation: 0xfeedface12345678, LogEnd: 4242,
			Pins: []string{strings.Repeat("0123456789abcdef", 4), strings.Repeat("fe", 32)}},
		&syncproto.Batch{First: 1, Last: 3, Changes: workers},
		&syncproto.Batch{First: 10, Last: 10, Changes: []replica.Change{relayed}},
		&syncproto.Batch{First: 11, Last: 40},
		&syncproto.Ack{Seq: 40},
		&syncproto.Ack{},
		&syncproto.Error{Code: syncproto.ErrCodeClockAhead, Message: "station clock is 2h13m ahead of hub time"},
		&syncproto.Error{Code: 999},
	}
}

func TestRoundTripMessages(t *testing.T) {
	for _, key := range []ident.Key{testKey, nil} {
		c := newCodec(t, key)
		for _, m := range sampleMessages(t) {
			t.Run(m.Type().String(), func(t *testing.T) {
				prefix := []byte("keep")
				frame, err := c.Encode(prefix, m)
				if err != nil {
					t.Fatalf("encode %#v: %v", m, err)
				}
				if !bytes.HasPrefix(frame, prefix) || frame[len(prefix)] != byte(m.Type()) {
					t.Fatalf("frame %x does not append type %d to dst", frame, m.Type())
				}
				got, err := c.Decode(frame[len(prefix):])
				if err != nil {
					t.Fatalf("decode %x: %v", frame, err)
				}
				assertSame(t, m, got)
			})
		}
	}
}

// TestGoldenFrames pins the bytes of the frozen frames (PROTOCOL.md).
func TestGoldenFrames(t *testing.T) {
	c := newCodec(t, testKey)
	for _, tc := range []struct {
		m    syncproto.Message
		want string
	}{
		{&syncproto.Ack{Seq: 300}, "04ac02"},
		{&syncproto.Error{Code: syncproto.ErrCodeAuth, Message: "revoked"}, "0500030772657 66f6b6564"},
		{&syncproto.Hello{Version: 1, Schema: 0x0102030405060708, Site: 9, Station: "s", Token: "t", Cursor: 5, Now: 0x10, MaxBatchLen: 128},
			"01 0001 0102030405060708 0000000000000009 0173 0174 05 0000000000000010 8001"},
		{&syncproto.Welcome{Version: 1, Site: 9, Now: 0x10, Resume: 7, MaxSkew: 1},
			"02 0001 0000000000000009 0000000000000010 07 01"},
		// The optional trailers: what a station of an earlier release never
		// sends, and is never sent.
		{&syncproto.Hello{Version: 1, Schema: 0x0102030405060708, Site: 9, Station: "s", Token: "t", Cursor: 5, Now: 0x10, MaxBatchLen: 128, Software: "v"},
			"01 0001 0102030405060708 0000000000000009 0173 0174 05 0000000000000010 8001 0176 0000000000000000"},
		{&syncproto.Welcome{Version: 1, Site: 9, Now: 0x10, Resume: 7, MaxSkew: 1, Extended: true, Incarnation: 3, LogEnd: 300},
			"02 0001 0000000000000009 0000000000000010 07 01 0000000000000003 ac02"},
		// Fields added at the trailers' ends by release 0.6.0: the station
		// reads the hub's pins; the hub's pins.
		{&syncproto.Hello{Version: 1, Schema: 0x0102030405060708, Site: 9, Station: "s", Token: "t", Cursor: 5, Now: 0x10, MaxBatchLen: 128, Software: "v", Features: syncproto.FeatureHubPins},
			"01 0001 0102030405060708 0000000000000009 0173 0174 05 0000000000000010 8001 0176 0000000000000000 01"},
		{&syncproto.Welcome{Version: 1, Site: 9, Now: 0x10, Resume: 7, MaxSkew: 1, Extended: true, Incarnation: 3, LogEnd: 300,
			Pins: []string{strings.Repeat("aa", 32), strings.Repeat("bb", 32)}},
			"02 0001 0000000000000009 0000000000000010 07 01 0000000000000003 ac02 02 " + strings.Repeat("aa", 32) + strings.Repeat("bb", 32)},
		{&syncproto.Batch{First: 5, Last: 7}, "03 05 02 00 02 0000"},
	} {
		got, err := c.Encode(nil, tc.m)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.ReplaceAll(tc.want, " ", ""); hex.EncodeToString(got) != want {
			t.Errorf("%v: got %x, want %s", tc.m.Type(), got, want)
		}
	}
}

func TestHelloOtherVersion(t *testing.T) {
	c := newCodec(t, testKey)
	// A version-2 Hello whose body this version cannot read.
	frame := []byte{byte(syncproto.TypeHello), 0, 2, 0xde, 0xad, 0xbe, 0xef}
	m, err := c.Decode(frame)
	if err != nil {
		t.Fatalf("decode newer Hello: %v", err)
	}
	h, ok := m.(*syncproto.Hello)
	if !ok || h.Version != 2 {
		t.Fatalf("got %#v, want a Hello of version 2", m)
	}
	err = syncproto.CheckVersion(h.Version)
	var ve *syncproto.VersionError
	if !errors.As(err, &ve) || ve.Peer != 2 || ve.Local != syncproto.ProtocolVersion {
		t.Fatalf("CheckVersion(2) = %v", err)
	}
	if want := "peer speaks sync protocol version 2, this software speaks version 1; this software is older: update it"; err.Error() != want {
		t.Errorf("CheckVersion(2) text %q, want %q", err, want)
	}
	if err := syncproto.CheckVersion(0); err == nil || !strings.Contains(err.Error(), "the peer is older") {
		t.Errorf("CheckVersion(0) = %v", err)
	}
	if err := syncproto.CheckVersion(syncproto.ProtocolVersion); err != nil {
		t.Errorf("CheckVersion(ProtocolVersion) = %v", err)
	}
	if got := syncproto.CodeOf(errors.New("disk full")); got != syncproto.ErrCodeInternal {
		t.Errorf("CodeOf(other error) = %v", got)
	}
	if got := syncproto.CodeOf(syncproto.CheckVersion(3)); got != syncproto.ErrCodeProtocolVersion {
		t.Errorf("CodeOf(version error) = %v", got)
	}
	// A Welcome of another version likewise.
	m, err = c.Decode([]byte{byte(syncproto.TypeWelcome), 0, 9})
	if w, ok := m.(*syncproto.Welcome); err != nil || !ok || w.Version != 9 {
		t.Fatalf("decode newer Welcome: %#v, %v", m, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	c := newCodec(t, testKey)
	_, err := c.Decode([]byte{0xee, 1, 2})
	var ute *syncproto.UnknownTypeError
	if !errors.As(err, &ute) || ute.Type != 0xee || !errors.Is(err, syncproto.ErrMalformed) {
		t.Fatalf("unknown type: got %v", err)
	}
	if syncproto.CodeOf(err) != syncproto.ErrCodeBadMessage {
		t.Errorf("CodeOf(unknown type) = %v", syncproto.CodeOf(err))
	}
	if _, err := c.Decode(nil); !errors.Is(err, syncproto.ErrMalformed) {
		t.Errorf("empty frame: %v", err)
	}
	// Every strict prefix of every sample frame is refused, but for the
	// frame without its optional trailer; so is a trailing byte.
	for _, m := range sampleMessages(t) {
		frame, err := c.Encode(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		// The frame cut where an optional field (or the whole trailer)
		// starts is the frame without it.
		whole := map[int]bool{}
		cut := func(m syncproto.Message) {
			f, err := c.Encode(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			whole[len(f)] = true
		}
		switch m := m.(type) {
		case *syncproto.Hello:
			b := *m
			b.Features = 0
			cut(&b)
			b.Software, b.Restored = "", 0
			cut(&b)
		case *syncproto.Welcome:
			b := *m
			b.Pins = nil
			cut(&b)
			b.Extended, b.Incarnation, b.LogEnd = false, 0, 0
			cut(&b)
		}
		for n := 0; n < len(frame); n++ {
			if whole[n] {
				continue
			}
			if got, err := c.Decode(frame[:n]); err == nil {
				t.Errorf("%v: prefix of %d/%d bytes decoded to %#v", m.Type(), n, len(frame), got)
			}
		}
		if _, err := c.Decode(append(frame, 0)); err == nil {
			t.Errorf("%v: trailing byte accepted", m.Type())
		}
	}
	// Decoding a batch with derived ids needs the key.
	frame, err := c.Encode(nil, &syncproto.Batch{First: 1, Last: 1, Changes: sampledata.Workers(1, 1, testKey)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newCodec(t, nil).Decode(frame); !errors.Is(err, syncproto.ErrMalformed) {
		t.Errorf("derived ids without key: %v", err)
	}
}

func TestEncodeRefusesBadMessages(t *testing.T) {
	c := newCodec(t, testKey)
	w := sampledata.Workers(1, 1, testKey)[0]
	bad := []syncproto.Message{
		nil,
		&syncproto.Hello{Version: 1, Site: 0},
		&syncproto.Hello{Version: 1, Site: 1, Station: strings.Repeat("x", 65)},
		&syncproto.Hello{Version: 1, Site: 1, Token: strings.Repeat("x", 257)},
		&syncproto.Hello{Version: 1, Site: 1, Software: strings.Repeat("x", 65)},
		&syncproto.Hello{Version: 1, Site: 1, Software: "\xff"},
		&syncproto.Hello{Version: 1, Site: 1, Restored: 2},
		&syncproto.Hello{Version: 1, Site: 1, Software: "v", Restored: 1},
		&syncproto.Welcome{Version: 1},
		&syncproto.Error{Message: strings.Repeat("x", 1025)},
		&syncproto.Error{Message: "\xff"},
		&syncproto.Batch{First: 2, Last: 1},
		&syncproto.Batch{Changes: []replica.Change{{Table: "nope", Row: w.Row, Version: w.Version}}},
		&syncproto.Batch{Changes: []replica.Change{{Table: "workers", Version: w.Version}}},
		&syncproto.Batch{Changes: []replica.Change{{Table: "workers", Row: w.Row}}},
		&syncproto.Batch{Changes: []replica.Change{withField(w, replica.Field{Col: 99})}},
		&syncproto.Batch{Changes: []replica.Change{withField(w, replica.Field{Col: 1, Value: int64(3)})}},
		&syncproto.Batch{Changes: []replica.Change{withField(w, replica.Field{Col: 1, Value: "\xff"})}},
		&syncproto.Batch{Changes: []replica.Change{withField(w, replica.Field{Col: 1, Elem: "x", Value: "a"})}},
		&syncproto.Batch{Changes: []replica.Change{withField(w, replica.Field{Col: 8, Value: int64(1)})}},
		&syncproto.Batch{Changes: []replica.Change{withField(w, replica.Field{Col: 8, Elem: "x", Value: int64(2)})}},
		&syncproto.Batch{Changes: []replica.Change{withField(w, replica.Field{Col: 11, Value: 1.5})}},
		&syncproto.Batch{Changes: []replica.Change{withField(w, replica.Field{Col: 1, Value: "a", Replaces: []replica.Version{{}}})}},
	}
	for i, m := range bad {
		out, err := c.Encode([]byte("x"), m)
		if err == nil {
			t.Errorf("message %d (%#v) encoded", i, m)
		}
		if string(out) != "x" {
			t.Errorf("message %d: dst changed to %q on error", i, out)
		}
	}
	gigs := replica.Change{Table: "gigs", Row: w.Row, Version: w.Version,
		Fields: []replica.Field{{Col: 3, Value: int64(5)}}}
	if _, err := c.Encode(nil, &syncproto.Batch{Changes: []replica.Change{gigs}}); err == nil {
		t.Error("int64 in a REAL column encoded")
	}
}

func withField(c replica.Change, f replica.Field) replica.Change {
	c.Fields = append(append([]replica.Field{}, c.Fields...), f)
	return c
}

func TestNewErrorAndCodes(t *testing.T) {
	e := syncproto.NewError(syncproto.ErrCodeClockAhead, "ahead by %s%s", strings.Repeat("时", 400), "\xff")
	if len(e.Message) > syncproto.MaxErrorBytes || !strings.HasPrefix(e.Message, "ahead by 时") {
		t.Fatalf("NewError message of %d bytes: %q", len(e.Message), e.Message[:20])
	}
	c := newCodec(t, nil)
	frame, err := c.Encode(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	var asErr error = m.(*syncproto.Error)
	if syncproto.CodeOf(asErr) != syncproto.ErrCodeClockAhead || !strings.Contains(asErr.Error(), "clock ahead") {
		t.Errorf("decoded error %v, code %v", asErr, syncproto.CodeOf(asErr))
	}
	for code := syncproto.ErrCodeProtocolVersion; code <= syncproto.ErrCodeShutdown; code++ {
		if s := code.String(); strings.HasPrefix(s, "ErrCode(") {
			t.Errorf("code %d has no name", code)
		}
	}
	if !syncproto.ErrCodeShutdown.Temporary() || syncproto.ErrCodeAuth.Temporary() {
		t.Error("Temporary")
	}
	if syncproto.ErrCode(77).String() != "ErrCode(77)" || syncproto.MsgType(9).String() != "MsgType(9)" {
		t.Error("unknown code names")
	}
}

// The hub's pins travel only in the Welcome's trailer, to a station that
// said it reads them, and only as SHA-256 digests; a decoder refuses more
// than MaxPins of them.
func TestWelcomePinsRefused(t *testing.T) {
	c := newCodec(t, testKey)
	pin := strings.Repeat("ab", 32)
	for name, m := range map[string]syncproto.Message{
		"pins without the trailer": &syncproto.Welcome{Version: 1, Site: 9, Pins: []string{pin}},
		"not hex":                  &syncproto.Welcome{Version: 1, Site: 9, Extended: true, Pins: []string{strings.Repeat("zz", 32)}},
		"short":                    &syncproto.Welcome{Version: 1, Site: 9, Extended: true, Pins: []string{pin[:62]}},
		"too many":                 &syncproto.Welcome{Version: 1, Site: 9, Extended: true, Pins: make([]string, syncproto.MaxPins+1)},
		"features without trailer": &syncproto.Hello{Version: 1, Site: 9, Station: "s", Token: "t", Features: syncproto.FeatureHubPins},
	} {
		if _, err := c.Encode(nil, m); !errors.Is(err, syncproto.ErrMalformed) {
			t.Errorf("%s: encode = %v", name, err)
		}
	}
	ok, err := c.Encode(nil, &syncproto.Welcome{Version: 1, Site: 9, Extended: true, Pins: []string{pin}})
	if err != nil {
		t.Fatal(err)
	}
	at := len(ok) - 33 // the count byte
	if ok[at] != 1 {
		t.Fatalf("pin count byte %x", ok[at])
	}
	for name, frame := range map[string][]byte{
		"too many": append(append([]byte(nil), ok[:at]...), byte(syncproto.MaxPins+1)),
		"cut":      ok[:len(ok)-1],
		"no pins":  append(append([]byte(nil), ok[:at]...), 0),
	} {
		if _, err := c.Decode(frame); !errors.Is(err, syncproto.ErrMalformed) && !errors.Is(err, syncproto.ErrTooLarge) {
			t.Errorf("%s: decode = %v", name, err)
		}
	}
	m, err := c.Decode(ok)
	if err != nil || len(m.(*syncproto.Welcome).Pins) != 1 || m.(*syncproto.Welcome).Pins[0] != pin {
		t.Fatalf("decode %v %v", m, err)
	}
}
