package hub

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fieldsync/selfsigned"
	"fieldsync/syncproto"
)

// The hub's TLS keys (syncproto "Hub keys and pins"): stations pin the
// public key of the certificate the hub serves. A new key is published
// before it is served: `hub tls rotate` makes the next key pair (or, for a
// CA-issued certificate, names the certificate to come) and records its
// pin; every Welcome to a station then carries the current and the next
// pin, and the hub notes which stations were sent the next one; `hub tls
// switch` serves the next pair once they all were.

// Files of the next self-signed key pair, in the hub's directory, made by
// RotateTLS and served after SwitchTLS.
const (
	nextCertFile = "next-cert.pem"
	nextKeyFile  = "next-key.pem"
)

// Tables of the key rotation (ladder step 4): the next key's pin, and the
// stations a Welcome carried it to.
var tlsSchema = []string{
	`CREATE TABLE IF NOT EXISTS hub_tls_pins (role TEXT PRIMARY KEY, pin TEXT NOT NULL, since_ms INTEGER NOT NULL) STRICT`,
	`CREATE TABLE IF NOT EXISTS hub_station_pins (station TEXT NOT NULL, pin TEXT NOT NULL, sent_ms INTEGER NOT NULL,
		PRIMARY KEY (station, pin)) WITHOUT ROWID, STRICT`,
}

// Errors of the key rotation, for errors.Is.
var (
	// ErrStationsLackNextPin: SwitchTLS would strand stations that were
	// never sent the next key's pin.
	ErrStationsLackNextPin = errors.New("stations were not sent the next key's pin")
	// ErrSameKey: the certificate to come has the key served now (a
	// renewal over the same key): stations need nothing.
	ErrSameKey = errors.New("the certificate has the key the hub serves now: stations accept it as it is, no rotation needed")
)

// SelfSignedCert returns the hub's own certificate from dir, making it (ECDSA
// P-256, ten years, valid for host, localhost and the loopback addresses) the
// first time. Stations do not check it against a CA: they pin its public
// key, which the enrollment code carries.
func SelfSignedCert(dir, host string) (tls.Certificate, error) {
	c, err := selfsigned.Cert(filepath.Join(dir, certFile), filepath.Join(dir, keyFile), "fieldsync hub", []string{host}, time.Now())
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("hub certificate: %w", err)
	}
	return c, nil
}

// PublicKeyPinFile returns the public-key pin (syncproto.PublicKeyPin: hex
// SHA-256 of the leaf's SubjectPublicKeyInfo DER) of the first certificate
// in a PEM file.
func PublicKeyPinFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read certificate: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return "", fmt.Errorf("read certificate %s: no PEM certificate", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return "", fmt.Errorf("read certificate %s: %w", path, err)
	}
	return syncproto.PublicKeyPin(c), nil
}

// currentPin is the pin of the certificate the hub serves: the one given in
// Options, else the self-signed one in its directory ("" when it has none:
// plain http, or TLS ended by a proxy the hub was not told of).
func (h *Hub) currentPin() (string, error) {
	path := h.opt.CertFile
	if path == "" {
		path = filepath.Join(h.opt.Dir, certFile)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return "", nil
		}
	}
	return PublicKeyPinFile(path)
}

// codePins are the pins an enrollment line carries (PublishedPins); an
// https hub with no certificate to pin is an error here, where a station
// would otherwise be enrolled trusting whatever answers.
func (h *Hub) codePins(ctx context.Context) ([]string, error) {
	pins, next, err := h.PublishedPins(ctx)
	if err != nil {
		return nil, err
	}
	if len(pins) == 0 || len(pins) == 1 && next != "" {
		if strings.HasPrefix(h.cfg.URL, "https:") {
			return nil, errors.New("the hub URL is https but the hub has no certificate: run `hub serve --tls-self-signed` once or give --tls-cert")
		}
	}
	return pins, nil
}

// nextPin is the pin `hub tls rotate` recorded, "" when none.
func (h *Hub) nextPin(ctx context.Context) (string, time.Time, error) {
	var pin string
	var since int64
	err := h.rep.DB().QueryRowContext(ctx, `SELECT pin, since_ms FROM hub_tls_pins WHERE role = 'next'`).Scan(&pin, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("read the next key's pin: %w", err)
	}
	return pin, time.UnixMilli(since).UTC(), nil
}

// PublishedPins are the pins stations are given, in enrollment codes and
// Welcomes: the served key's, then the next key's when one was made; next
// is the latter ("" when none).
func (h *Hub) PublishedPins(ctx context.Context) (pins []string, next string, err error) {
	cur, err := h.currentPin()
	if err != nil {
		return nil, "", err
	}
	next, _, err = h.nextPin(ctx)
	if err != nil {
		return nil, "", err
	}
	if cur != "" {
		pins = append(pins, cur)
	}
	if next != "" && next != cur {
		pins = append(pins, next)
	}
	return pins, next, nil
}

// NoteNextPinSent records that a Welcome carrying the next key's pin
// reached the station's connection.
func (h *Hub) NoteNextPinSent(ctx context.Context, station, pin string) error {
	db := h.rep.DB()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM hub_station_pins WHERE station = ? AND pin = ?`, station, pin).Scan(&n); err != nil {
		return fmt.Errorf("note the pin sent to %s: %w", station, err)
	}
	if n > 0 {
		return nil // the common case: no write
	}
	if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO hub_station_pins(station, pin, sent_ms) VALUES(?, ?, ?)`,
		station, pin, h.now().UnixMilli()); err != nil {
		return fmt.Errorf("note the pin sent to %s: %w", station, err)
	}
	return nil
}

// TLSStatus is what `hub tls status` shows.
type TLSStatus struct {
	Current   string    `json:"current"`        // pin of the served key, "" without TLS
	Next      string    `json:"next,omitempty"` // pin of the next key, "" when none
	NextSince time.Time `json:"next_since,omitzero"`
	// SelfSigned says the next key is a pair in the hub's directory (else
	// the pin of a CA-issued certificate to come).
	SelfSigned bool `json:"self_signed"`
	// Stations are the active stations, and when each was sent the next
	// pin (zero: not yet); none while there is no next key.
	Stations []StationPin `json:"stations,omitempty"`
}

// StationPin is one station's line of TLSStatus.
type StationPin struct {
	Name     string    `json:"name"`
	Sent     time.Time `json:"sent,omitzero"`
	LastSeen time.Time `json:"last_seen,omitzero"`
}

// Lacking lists the stations not yet sent the next pin.
func (s TLSStatus) Lacking() []string {
	var out []string
	for _, st := range s.Stations {
		if st.Sent.IsZero() {
			out = append(out, st.Name)
		}
	}
	return out
}

// TLSStatus reports the served and the next key, and which stations were
// sent the next one.
func (h *Hub) TLSStatus(ctx context.Context) (TLSStatus, error) {
	var st TLSStatus
	var err error
	if st.Current, err = h.currentPin(); err != nil {
		return st, err
	}
	if st.Next, st.NextSince, err = h.nextPin(ctx); err != nil || st.Next == "" {
		return st, err
	}
	if p, err := PublicKeyPinFile(filepath.Join(h.opt.Dir, nextCertFile)); err == nil && p == st.Next {
		st.SelfSigned = true
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT s.name, s.last_seen_ms, coalesce(p.sent_ms, 0)
		FROM hub_stations s LEFT JOIN hub_station_pins p ON p.station = s.name AND p.pin = ?
		WHERE s.revoked = 0 ORDER BY s.name`, st.Next)
	if err != nil {
		return st, fmt.Errorf("list the stations sent the next pin: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s StationPin
		var seen, sent int64
		if err := rows.Scan(&s.Name, &seen, &sent); err != nil {
			return st, fmt.Errorf("list the stations sent the next pin: %w", err)
		}
		if seen != 0 {
			s.LastSeen = time.UnixMilli(seen).UTC()
		}
		if sent != 0 {
			s.Sent = time.UnixMilli(sent).UTC()
		}
		st.Stations = append(st.Stations, s)
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("list the stations sent the next pin: %w", err)
	}
	return st, nil
}

// RotateTLS makes the hub's next key and publishes its pin. With
// nextCert "" the hub's certificate is self-signed: a new key pair is made
// as next-key.pem and next-cert.pem in its directory (not served yet; kept
// if made before). Otherwise nextCert is the CA-issued certificate to come,
// of which only the pin is recorded.
func (h *Hub) RotateTLS(ctx context.Context, nextCert string) (TLSStatus, error) {
	cur, err := h.currentPin()
	if err != nil {
		return TLSStatus{}, err
	}
	var pin string
	if nextCert == "" {
		if h.opt.CertFile != "" || cur == "" {
			return TLSStatus{}, errors.New("rotate: the hub has no self-signed certificate in its directory: for a CA-issued certificate give the certificate to come (--next-cert)")
		}
		host := ""
		if u, err := url.Parse(h.cfg.URL); err == nil {
			host = u.Hostname()
		}
		if _, err := selfsigned.Cert(filepath.Join(h.opt.Dir, nextCertFile), filepath.Join(h.opt.Dir, nextKeyFile),
			"fieldsync hub", []string{host}, h.now()); err != nil {
			return TLSStatus{}, fmt.Errorf("rotate: make the next key: %w", err)
		}
		nextCert = filepath.Join(h.opt.Dir, nextCertFile)
	}
	if pin, err = PublicKeyPinFile(nextCert); err != nil {
		return TLSStatus{}, fmt.Errorf("rotate: %w", err)
	}
	if pin == cur {
		return TLSStatus{}, fmt.Errorf("rotate: %w", ErrSameKey)
	}
	if _, err := h.rep.DB().ExecContext(ctx, `INSERT INTO hub_tls_pins(role, pin, since_ms) VALUES('next', ?, ?)
		ON CONFLICT(role) DO UPDATE SET pin = excluded.pin, since_ms = excluded.since_ms WHERE pin != excluded.pin`,
		pin, h.now().UnixMilli()); err != nil {
		return TLSStatus{}, fmt.Errorf("rotate: record the next pin: %w", err)
	}
	return h.TLSStatus(ctx)
}

// SwitchResult says what SwitchTLS did.
type SwitchResult struct {
	Pin string // the pin now served (or to be served, for a CA-issued certificate)
	// OldCert and OldKey are where the self-signed pair served before
	// was kept ("" for a CA-issued certificate: serve the new one with
	// --tls-cert and --tls-key).
	OldCert, OldKey string
}

// SwitchTLS makes the next key the current one: a self-signed pair moves
// into cert.pem and key.pem (the old pair kept as cert-TIME.pem and
// key-TIME.pem), and the next pin is no longer published apart. It refuses
// while an active station was never sent the next pin (it would refuse the
// new key until given a new enrollment line), unless force. A serving hub
// serves the new pair once restarted.
func (h *Hub) SwitchTLS(ctx context.Context, force bool) (SwitchResult, error) {
	st, err := h.TLSStatus(ctx)
	if err != nil {
		return SwitchResult{}, err
	}
	if st.Next == "" {
		return SwitchResult{}, errors.New("switch: no next key: run `hub tls rotate` first")
	}
	if lack := st.Lacking(); len(lack) > 0 && !force {
		return SwitchResult{}, fmt.Errorf("switch: %w: %s (they need `station set-hub` after the switch; wait for them to sync, or switch with --force)",
			ErrStationsLackNextPin, strings.Join(lack, ", "))
	}
	res := SwitchResult{Pin: st.Next}
	if st.SelfSigned {
		dir := h.opt.Dir
		// Both halves of the next pair first: a switch never leaves the
		// hub without a certificate.
		if _, err := tls.LoadX509KeyPair(filepath.Join(dir, nextCertFile), filepath.Join(dir, nextKeyFile)); err != nil {
			return SwitchResult{}, fmt.Errorf("switch: the next key pair: %w", err)
		}
		stamp := h.now().UTC().Format("20060102-150405")
		res.OldCert, res.OldKey = filepath.Join(dir, "cert-"+stamp+".pem"), filepath.Join(dir, "key-"+stamp+".pem")
		for _, mv := range [][2]string{
			{filepath.Join(dir, certFile), res.OldCert}, {filepath.Join(dir, keyFile), res.OldKey},
			{filepath.Join(dir, nextCertFile), filepath.Join(dir, certFile)}, {filepath.Join(dir, nextKeyFile), filepath.Join(dir, keyFile)},
		} {
			if err := os.Rename(mv[0], mv[1]); err != nil {
				return res, fmt.Errorf("switch: %w", err)
			}
		}
	}
	db := h.rep.DB()
	if _, err := db.ExecContext(ctx, `DELETE FROM hub_tls_pins WHERE role = 'next'`); err != nil {
		return res, fmt.Errorf("switch: %w", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM hub_station_pins`); err != nil {
		return res, fmt.Errorf("switch: %w", err)
	}
	return res, nil
}
