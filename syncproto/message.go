// Package syncproto is the wire format of fieldsync sync sessions: the
// messages a station and the hub exchange over a WebSocket, one binary frame
// each (Hello, Welcome, Batch, Ack, Error), and the compact column-oriented,
// zstd-compressed encoding of a batch of replica changes.
//
// A session goes: the station sends Hello; the hub answers Welcome (or Error
// and closes); then both sides stream Batch messages holding their log after
// the peer's resume point, and Ack each batch once it is durably committed.
// The byte layout, limits and rules are specified in PROTOCOL.md beside this
// file.
//
// Decoding is meant for hostile input: Codec.Decode returns an error for any
// malformed frame, never panics, and bounds what it allocates by Limits.
package syncproto

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"fieldsync/hlc"
	"fieldsync/replica"
)

// ProtocolVersion is the version of this wire format. Peers must speak the
// same version: any difference is incompatible (see CheckVersion). The first
// three bytes of Hello and Welcome (type and version) and the whole layout of
// Error never change, so that any two versions can refuse each other clearly.
const ProtocolVersion uint16 = 1

// Bounds of the strings carried by the handshake and Error messages.
const (
	MaxStationIDBytes = 64
	MaxSoftwareBytes  = 64
	MaxTokenBytes     = 256
	MaxErrorBytes     = 1024
)

// MsgType is the first byte of every frame.
type MsgType uint8

// Message types. Their numbers are part of the protocol.
const (
	TypeHello   MsgType = 1
	TypeWelcome MsgType = 2
	TypeBatch   MsgType = 3
	TypeAck     MsgType = 4
	TypeError   MsgType = 5
)

// String names the message type.
func (t MsgType) String() string {
	switch t {
	case TypeHello:
		return "Hello"
	case TypeWelcome:
		return "Welcome"
	case TypeBatch:
		return "Batch"
	case TypeAck:
		return "Ack"
	case TypeError:
		return "Error"
	}
	return fmt.Sprintf("MsgType(%d)", uint8(t))
}

// Message is one frame of a sync session: *Hello, *Welcome, *Batch, *Ack or
// *Error.
type Message interface {
	Type() MsgType
}

// Hello opens a session (station → hub).
//
// When a decoded Hello's Version differs from ProtocolVersion, only Version is
// filled in: the rest of the frame follows another layout. The hub checks it
// with CheckVersion and answers Error{Code: ErrCodeProtocolVersion}.
type Hello struct {
	Version     uint16
	Schema      uint64 // replica.Schema.Fingerprint of the station
	Site        replica.SiteID
	Station     string // station id, at most MaxStationIDBytes, UTF-8
	Token       string // the station's token, at most MaxTokenBytes
	Cursor      uint64 // last hub log seq the station committed
	Now         hlc.Timestamp
	MaxBatchLen uint32 // largest Batch frame, in bytes, the station accepts
	// Software is the station's release ("" from a release before it was
	// sent). It travels in an optional trailer that a hub of an earlier
	// release refuses as trailing bytes: hubs are upgraded first. A Hello
	// with the trailer tells the hub the station reads Welcome's trailer.
	Software string
	// Restored, in the same trailer, is the site the station's database had
	// when it was restored from a backup and took Site as its new one
	// (DESIGN "Edges"); zero otherwise. The hub moves the station to Site
	// only from its current site, and only to a site never used.
	Restored replica.SiteID
	// Features, at the trailer's end (0: not sent),
	// says which later Welcome fields the station reads (FeatureHubPins).
	// Bits a hub does not know are ignored.
	Features uint64
}

// Bits of Hello.Features.
const (
	// FeatureHubPins: the station reads Welcome.Pins.
	FeatureHubPins uint64 = 1 << 0
)

// Welcome accepts a session (hub → station). As for Hello, a decoded Welcome
// whose Version differs from ProtocolVersion holds only Version.
type Welcome struct {
	Version uint16
	Site    replica.SiteID // the hub's site id
	Now     hlc.Timestamp  // hub time, from which the station computes its clock offset
	Resume  uint64         // last station log seq the hub committed
	MaxSkew uint32         // tolerance, in milliseconds, for stamps ahead of hub time
	// Extended is set when the trailer below travels: the hub sends it only
	// to a station whose Hello had one (a station of an earlier release
	// refuses trailing bytes).
	Extended bool
	// Incarnation names the hub database's life: a restore from a backup
	// starts a new one, after which the station's cursors are not to be
	// trusted (DESIGN "Edges").
	Incarnation uint64
	// LogEnd is the last sequence of the hub's log when it welcomed the
	// station: a station cursor beyond it means the hub went back.
	LogEnd uint64
	// Pins, at the trailer's end, are the public-key pins
	// (Enrollment.Pins' format) of the hub's TLS keys: the one it serves
	// and the next one `hub tls rotate` made, at most MaxPins, sent only
	// to a station whose Hello had FeatureHubPins. A station holds them
	// only when the connection they came over matched a pin it already
	// held. nil: none sent.
	Pins []string
}

// Batch carries changes of the sender's log (both directions). First and Last
// are the sender's log sequences it covers; the receiver acks Last once the
// batch is committed. A batch may hold no change (the sender's filter skipped
// every entry between First and Last) so that the receiver's cursor still moves.
type Batch struct {
	First, Last uint64
	Changes     []replica.Change
}

// Ack acknowledges every batch up to Seq (a sender log sequence): the receiver
// has durably committed them.
type Ack struct {
	Seq uint64
}

// Error ends a session with a reason. It is also a Go error.
type Error struct {
	Code    ErrCode
	Message string // English detail, at most MaxErrorBytes; the UI translates by Code
}

// Type implements Message.
func (*Hello) Type() MsgType { return TypeHello }

// Type implements Message.
func (*Welcome) Type() MsgType { return TypeWelcome }

// Type implements Message.
func (*Batch) Type() MsgType { return TypeBatch }

// Type implements Message.
func (*Ack) Type() MsgType { return TypeAck }

// Type implements Message.
func (*Error) Type() MsgType { return TypeError }

// Error makes an Error message a Go error.
func (e *Error) Error() string {
	if e.Message == "" {
		return "sync refused: " + e.Code.String()
	}
	return "sync refused: " + e.Code.String() + ": " + e.Message
}

// NewError makes an Error message, cutting the formatted text to MaxErrorBytes
// on a character boundary and replacing invalid UTF-8.
func NewError(code ErrCode, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if !utf8.ValidString(msg) {
		msg = strings.ToValidUTF8(msg, "\uFFFD")
	}
	if len(msg) > MaxErrorBytes {
		cut := MaxErrorBytes
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut]
	}
	return &Error{Code: code, Message: msg}
}

// ErrCode is the reason an Error message gives. Codes are part of the
// protocol: new ones may be added, and a peer shows an unknown code as such.
type ErrCode uint16

// Error codes.
const (
	// ErrCodeProtocolVersion: the peers speak different protocol versions.
	ErrCodeProtocolVersion ErrCode = 1
	// ErrCodeSchema: the schema fingerprints differ (update the older side).
	ErrCodeSchema ErrCode = 2
	// ErrCodeAuth: the station token is unknown or revoked.
	ErrCodeAuth ErrCode = 3
	// ErrCodeWrongSite: a change is stamped with another site id than the
	// station's own.
	ErrCodeWrongSite ErrCode = 4
	// ErrCodeForbiddenTable: a change touches a table stations may not write.
	ErrCodeForbiddenTable ErrCode = 5
	// ErrCodeClockAhead: a stamp is too far in the future; the message says
	// how far.
	ErrCodeClockAhead ErrCode = 6
	// ErrCodeBadMessage: a frame could not be decoded or broke the session flow.
	ErrCodeBadMessage ErrCode = 7
	// ErrCodeTooLarge: a frame or batch exceeds the receiver's limits.
	ErrCodeTooLarge ErrCode = 8
	// ErrCodeInternal: the peer failed (disk, database); retry later.
	ErrCodeInternal ErrCode = 9
	// ErrCodeShutdown: the peer is shutting down; retry later.
	ErrCodeShutdown ErrCode = 10
	// ErrCodeCursor: a batch does not follow the receiver's cursor (a gap,
	// or an empty batch moving it), or a resume point lies beyond the
	// sender's own log. Added after version 1 shipped: an older peer shows
	// it as "error 11" and retries.
	ErrCodeCursor ErrCode = 11
	// ErrCodeBusy: too many handshakes in flight; retry later.
	ErrCodeBusy ErrCode = 12
)

// String describes the code in English.
func (c ErrCode) String() string {
	switch c {
	case ErrCodeProtocolVersion:
		return "protocol version mismatch"
	case ErrCodeSchema:
		return "schema mismatch"
	case ErrCodeAuth:
		return "unknown or revoked station token"
	case ErrCodeWrongSite:
		return "change stamped with another site"
	case ErrCodeForbiddenTable:
		return "table not writable by stations"
	case ErrCodeClockAhead:
		return "clock ahead"
	case ErrCodeBadMessage:
		return "bad message"
	case ErrCodeTooLarge:
		return "message too large"
	case ErrCodeInternal:
		return "internal error"
	case ErrCodeShutdown:
		return "shutting down"
	case ErrCodeCursor:
		return "cursor mismatch"
	case ErrCodeBusy:
		return "busy"
	}
	return fmt.Sprintf("ErrCode(%d)", uint16(c))
}

// Temporary reports whether a session refused with this code may succeed if
// retried later without anyone changing anything.
func (c ErrCode) Temporary() bool {
	return c == ErrCodeInternal || c == ErrCodeShutdown || c == ErrCodeBusy
}

// VersionError is returned by CheckVersion.
type VersionError struct {
	Peer, Local uint16
}

// Error says which versions differ and which side to update.
func (e *VersionError) Error() string {
	side := "this software is older: update it"
	if e.Peer < e.Local {
		side = "the peer is older: update it"
	}
	return fmt.Sprintf("peer speaks sync protocol version %d, this software speaks version %d; %s", e.Peer, e.Local, side)
}

// CheckVersion returns nil when v is ProtocolVersion, else a *VersionError
// whose text says which side to update.
func CheckVersion(v uint16) error {
	if v == ProtocolVersion {
		return nil
	}
	return &VersionError{Peer: v, Local: ProtocolVersion}
}

// Errors wrapped by Decode and Encode, for errors.Is.
var (
	// ErrMalformed is wrapped by every error about a frame that breaks the
	// format.
	ErrMalformed = errors.New("malformed sync message")
	// ErrTooLarge is wrapped by every error about a frame, batch or count
	// beyond the Limits.
	ErrTooLarge = errors.New("sync message exceeds limits")
)

// UnknownTypeError is returned by Decode for a frame whose type byte is not a
// known MsgType. It wraps ErrMalformed.
type UnknownTypeError struct {
	Type MsgType
}

// Error names the unknown type byte.
func (e *UnknownTypeError) Error() string {
	return fmt.Sprintf("%v: unknown message type %d", ErrMalformed, uint8(e.Type))
}

// Unwrap makes errors.Is(err, ErrMalformed) hold.
func (e *UnknownTypeError) Unwrap() error { return ErrMalformed }

// CodeOf maps an error from Decode, Encode or CheckVersion to the code of the
// Error message that answers it: ErrCodeTooLarge, ErrCodeBadMessage,
// ErrCodeProtocolVersion, the code of an *Error, or ErrCodeInternal.
func CodeOf(err error) ErrCode {
	var ve *VersionError
	var me *Error
	switch {
	case errors.As(err, &me):
		return me.Code
	case errors.As(err, &ve):
		return ErrCodeProtocolVersion
	case errors.Is(err, ErrTooLarge):
		return ErrCodeTooLarge
	case errors.Is(err, ErrMalformed):
		return ErrCodeBadMessage
	}
	return ErrCodeInternal
}
