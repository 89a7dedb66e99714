// Package syncclient is the station side of a sync session: it dials the
// county hub's /sync WebSocket whenever a link exists, streams the station's
// own changes up and the hub's relayed changes down, and reconnects with
// growing, jittered backoff until its context ends.
package syncclient

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"fieldsync/ident"
	"fieldsync/replica"
)

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

// Config configures a Client.
type Config struct {
	Enrollment Enrollment
	Replica    *replica.Replica
	Logger     *slog.Logger
	Now        func() time.Time // nil: time.Now
}

// Status is what the station shows staff about sync.
type Status struct {
	Connected   bool
	LastSync    time.Time     // zero if never
	PendingUp   int           // own changes the hub has not acknowledged
	ClockOffset time.Duration // hub time minus local time, measured at the last connection
	LastError   string        // the hub's last refusal or the last link error, "" if none
	ErrorCode   int           // syncproto error code of LastError, 0 if none
}

// Client runs the station's sync sessions.
type Client struct {
	cfg Config
}

// New checks cfg and returns a client; Run starts it.
func New(cfg Config) (*Client, error) {
	if cfg.Replica == nil {
		return nil, errors.New("syncclient: no replica")
	}
	return &Client{cfg: cfg}, nil
}

// Run connects and syncs until ctx ends, reconnecting after every failure.
// It returns ctx.Err().
func (c *Client) Run(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// Status reports the current sync state.
func (c *Client) Status() Status { return Status{} }

// Kick tells the client that local changes were written, so it sends them now
// instead of at the next poll.
func (c *Client) Kick() {}

// String encodes the enrollment as one line that staff can copy or carry on a
// USB stick.
func (e Enrollment) String() string { return "" }

// ParseEnrollment decodes what Enrollment.String made.
func ParseEnrollment(code string) (Enrollment, error) {
	return Enrollment{}, errors.New("syncclient: enrollment codes are not implemented yet")
}
