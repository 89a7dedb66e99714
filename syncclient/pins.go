package syncclient

import (
	"crypto/tls"
	"errors"
	"slices"

	"github.com/gorilla/websocket"

	"fieldsync/syncproto"
)

// The hub's TLS certificate is checked against the pins the station holds
// (syncproto "Hub keys and pins"): those of its enrollment, then those the
// hub published in a Welcome that came over a connection matching a pin
// already held. A hub about to change its key publishes the next key's pin
// ahead of the switch, so that stations follow it with nobody visiting.

// ErrPinMismatch is wrapped by the error of a connection whose certificate
// matches none of the pins the station holds.
var ErrPinMismatch = errors.New("the hub's certificate matches none of the pins this station holds " +
	"(the hub's key was changed while the station was away): get a new enrollment line from the county " +
	"and run `station set-hub --dir DIR --enroll-file FILE` / 县级平台的证书与本站保存的不符（证书已更换）：" +
	"请向县里索取新的接入码，运行 station set-hub")

// tlsConfig checks the hub's certificate against the held pins; nil (the
// system's authorities check an https hub) when the station holds none.
func (c *Client) tlsConfig() *tls.Config {
	held := c.heldPins()
	if !held.Pinned() {
		return nil
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The pins replace the authorities' check: the hub's certificate
		// is often self-signed.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !held.Matches(cs.PeerCertificates[0]) {
				return ErrPinMismatch
			}
			return nil
		},
	}
}

// heldPins returns the pins the station holds now.
func (c *Client) heldPins() syncproto.Enrollment {
	c.pinMu.Lock()
	defer c.pinMu.Unlock()
	return syncproto.Enrollment{Pins: slices.Clone(c.held.Pins), CertPin: c.held.CertPin}
}

// adoptPins adds the pins a Welcome published to those held, when the
// connection it came over is TLS and its certificate matched a held pin:
// the hub's word counts only once the hub is known. The newest come first
// (the Welcome's, then the key of this connection, then those held
// before), at most syncproto.MaxPins.
func (c *Client) adoptPins(ws *websocket.Conn, w *syncproto.Welcome) {
	if len(w.Pins) == 0 {
		return
	}
	tc, ok := ws.NetConn().(*tls.Conn)
	if !ok {
		return // plain http: nothing vouches for the hub
	}
	cs := tc.ConnectionState()
	held := c.heldPins()
	if len(cs.PeerCertificates) == 0 || !held.Pinned() || !held.Matches(cs.PeerCertificates[0]) {
		return // checked by the system's authorities, or not at all
	}
	var pins []string
	for _, p := range slices.Concat(w.Pins, []string{syncproto.PublicKeyPin(cs.PeerCertificates[0])}, held.Pins) {
		if !slices.Contains(pins, p) && len(pins) < syncproto.MaxPins {
			pins = append(pins, p)
		}
	}
	if slices.Equal(pins, held.Pins) {
		return
	}
	c.pinMu.Lock()
	c.held.Pins = pins
	c.pinMu.Unlock()
	c.log.Info("the hub published its keys' pins", "pins", len(pins))
	if c.cfg.SavePins == nil {
		return
	}
	if err := c.cfg.SavePins(slices.Clone(pins)); err != nil {
		c.log.Warn("store the hub's pins", "err", err)
	}
}
