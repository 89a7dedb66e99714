package syncproto

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"fieldsync/ident"
	"fieldsync/replica"
)

// enrollPrefix starts every enrollment code, so that a code pasted into the
// wrong field, or cut short, is recognised as such.
const enrollPrefix = "fieldsync1:"

// MaxPins is the most public-key pins an enrollment, or a Welcome, carries:
// the hub's current key and the next one, with room for a few more.
const MaxPins = 8

// Enrollment is what the hub issues for one station (printed as one line, or
// written to a file for a USB stick): where the hub is, who the station is,
// its secret token, the deployment key, and the pins of the hub's TLS keys.
//
// A station accepts the hub's TLS certificate when its leaf matches any pin
// it holds (Matches): a public-key pin (PublicKeyPin, the hex SHA-256 of
// the leaf's SubjectPublicKeyInfo DER), so that a certificate renewed over
// the same key keeps working; or, for a code of release 0.6.0 or earlier
// only, the certificate pin those releases wrote (CertPin, the hex SHA-256
// of the whole leaf DER). With no pin at all, an https hub is checked
// against the system's certificate authorities.
type Enrollment struct {
	HubURL    string         // http(s)://host:port
	StationID string         // the station's name at the hub
	Site      replica.SiteID // the site id the station's replica must use
	Token     string         // secret; the hub stores only its hash
	Key       ident.Key      // deployment key for derived row ids
	// Pins are public-key pins of the hub's keys (field `ps`), lower-case
	// hex, at most MaxPins: the key it serves and the next one it
	// published. A station adds those the hub publishes in its Welcome.
	Pins []string
	// CertPin is the certificate pin of a code of release 0.6.0 or earlier
	// (field `p`); the hub no longer writes it. "" otherwise.
	CertPin string
}

type enrollJSON struct {
	URL     string   `json:"u"`
	Station string   `json:"n"`
	Site    string   `json:"s"`
	Token   string   `json:"t"`
	Key     string   `json:"k"`
	Pin     string   `json:"p,omitempty"`
	Pins    []string `json:"ps,omitempty"`
}

// String encodes the enrollment as one line that staff can copy or carry on a
// USB stick.
func (e Enrollment) String() string {
	b, err := json.Marshal(enrollJSON{
		URL: e.HubURL, Station: e.StationID, Site: strconv.FormatUint(uint64(e.Site), 16),
		Token: e.Token, Key: base64.RawURLEncoding.EncodeToString(e.Key), Pin: e.CertPin, Pins: e.Pins,
	})
	if err != nil {
		return "" // cannot happen: only strings are marshalled
	}
	return enrollPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// ParseEnrollment decodes what Enrollment.String made. Surrounding white space
// (a trailing newline from a file) is ignored.
func ParseEnrollment(code string) (Enrollment, error) {
	code = strings.TrimSpace(code)
	rest, ok := strings.CutPrefix(code, enrollPrefix)
	if !ok {
		return Enrollment{}, errors.New("enrollment code: does not start with " + enrollPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return Enrollment{}, fmt.Errorf("enrollment code: damaged or cut short: %w", err)
	}
	var j enrollJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return Enrollment{}, fmt.Errorf("enrollment code: damaged: %w", err)
	}
	site, err := strconv.ParseUint(j.Site, 16, 64)
	if err != nil || site == 0 || site>>63 != 0 {
		return Enrollment{}, fmt.Errorf("enrollment code: bad site id %q", j.Site)
	}
	key, err := base64.RawURLEncoding.DecodeString(j.Key)
	if err != nil || len(key) == 0 {
		return Enrollment{}, errors.New("enrollment code: bad deployment key")
	}
	u, err := url.Parse(j.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Enrollment{}, fmt.Errorf("enrollment code: bad hub address %q", j.URL)
	}
	if j.Station == "" || j.Token == "" {
		return Enrollment{}, errors.New("enrollment code: no station id or token")
	}
	if j.Pin != "" && !validPin(j.Pin) {
		return Enrollment{}, fmt.Errorf("enrollment code: bad certificate pin %q", j.Pin)
	}
	if len(j.Pins) > MaxPins {
		return Enrollment{}, fmt.Errorf("enrollment code: %d pins, at most %d", len(j.Pins), MaxPins)
	}
	var pins []string
	for _, p := range j.Pins {
		if !validPin(p) {
			return Enrollment{}, fmt.Errorf("enrollment code: bad public-key pin %q", p)
		}
		pins = append(pins, strings.ToLower(p))
	}
	return Enrollment{
		HubURL: j.URL, StationID: j.Station, Site: replica.SiteID(site),
		Token: j.Token, Key: ident.Key(key), CertPin: strings.ToLower(j.Pin), Pins: pins,
	}, nil
}

// validPin says whether p is 64 hex digits (a SHA-256).
func validPin(p string) bool {
	b, err := hex.DecodeString(p)
	return err == nil && len(b) == sha256.Size
}

// Pinned says whether the enrollment holds any pin: then the hub's
// certificate is checked against them instead of the system's authorities.
func (e Enrollment) Pinned() bool { return len(e.Pins) > 0 || e.CertPin != "" }

// Matches says whether the leaf certificate the hub presented matches a
// pin the enrollment holds: its public-key pin is one of Pins, or, for a
// code of an earlier release, its certificate pin is CertPin.
func (e Enrollment) Matches(leaf *x509.Certificate) bool {
	if leaf == nil {
		return false
	}
	pin := PublicKeyPin(leaf)
	for _, p := range e.Pins {
		if p == pin {
			return true
		}
	}
	return e.CertPin != "" && CertPin(leaf.Raw) == e.CertPin
}

// SyncURL is the WebSocket address of the hub's /sync endpoint.
func (e Enrollment) SyncURL() (string, error) {
	u, err := url.Parse(e.HubURL)
	if err != nil {
		return "", fmt.Errorf("hub address %q: %w", e.HubURL, err)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("hub address %q: want http or https", e.HubURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/sync"
	return u.String(), nil
}

// PublicKeyPin is the pin of a certificate's public key: the lower-case hex
// SHA-256 of its SubjectPublicKeyInfo DER (RawSubjectPublicKeyInfo). It
// stays the same when the certificate is renewed over the same key.
func PublicKeyPin(c *x509.Certificate) string {
	h := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(h[:])
}

// CertPin is the pin stations of release 0.6.0 and earlier held: the hex
// SHA-256 of the whole certificate's DER, which a renewal changes. Only
// codes of those releases carry one.
func CertPin(der []byte) string {
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:])
}
