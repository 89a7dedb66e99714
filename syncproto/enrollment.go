package syncproto

import (
	"crypto/sha256"
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

// Enrollment is what the hub issues for one station (printed as one line, or
// written to a file for a USB stick): where the hub is, who the station is,
// its secret token, the deployment key, and the hub certificate's pin.
type Enrollment struct {
	HubURL    string         // http(s)://host:port
	StationID string         // the station's name at the hub
	Site      replica.SiteID // the site id the station's replica must use
	Token     string         // secret; the hub stores only its hash
	Key       ident.Key      // deployment key for derived row ids
	CertPin   string         // hex SHA-256 of the hub certificate (DER), "" without TLS
}

type enrollJSON struct {
	URL     string `json:"u"`
	Station string `json:"n"`
	Site    string `json:"s"`
	Token   string `json:"t"`
	Key     string `json:"k"`
	Pin     string `json:"p,omitempty"`
}

// String encodes the enrollment as one line that staff can copy or carry on a
// USB stick.
func (e Enrollment) String() string {
	b, err := json.Marshal(enrollJSON{
		URL: e.HubURL, Station: e.StationID, Site: strconv.FormatUint(uint64(e.Site), 16),
		Token: e.Token, Key: base64.RawURLEncoding.EncodeToString(e.Key), Pin: e.CertPin,
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
	if j.Pin != "" {
		if b, err := hex.DecodeString(j.Pin); err != nil || len(b) != 32 {
			return Enrollment{}, fmt.Errorf("enrollment code: bad certificate pin %q", j.Pin)
		}
	}
	return Enrollment{
		HubURL: j.URL, StationID: j.Station, Site: replica.SiteID(site),
		Token: j.Token, Key: ident.Key(key), CertPin: strings.ToLower(j.Pin),
	}, nil
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

// CertPin is the pin of a certificate: the hex SHA-256 of its DER bytes.
func CertPin(der []byte) string {
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:])
}
