package syncclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hlc"
	"fieldsync/release"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// A station restored from its own backup (DESIGN "Edges") takes a new site,
// and the hub moves its enrolment there at the first session whose Hello
// names the site left (Config.Restored). The changes the backup holds under
// the site left that the hub had not acknowledged when the backup was taken
// are of two kinds: those the old PC sent after the backup, which the hub
// holds and sends back in the download (stamping them again would make them
// new versions, concurrent with any later edit of them: a conflict nobody
// made), and those that exist only in the backup. Only the hub knows which:
// its upload cursor for the site left, the Resume of a Welcome under that
// site. So before the session that moves the station, the client opens a
// handshake under the site left, reads the Resume and closes it at once
// (sending nothing: to the hub, a station that came and went), and stamps
// again, under the new site, the site left's changes after it
// (replica.Restamp, one transaction: order and links kept). They become the
// new site's unsent changes, which the session that moves the station
// sends. A marker in the database then says the re-send is done.
//
// The order keeps it safe: the re-stamp always precedes the marker, and the
// marker the session that moves the station. A crash before the marker
// finds the hub still enrolling the site left, and nothing left under it
// after the Resume (the re-stamp moved it): running again stamps nothing.

// resentState marks the re-send done (JSON, Resent); resendStartedState
// is set before the re-stamp.
const (
	resentState        = "sync.restored_resent"
	resendStartedState = "sync.restored_resend_started"
)

// Resent is what the re-send of a restored station's unacknowledged
// changes did.
type Resent struct {
	At time.Time `json:"at"`
	// Resume is the hub's cursor of the site left: the changes after it
	// (and after the backup's own acknowledgement) were stamped again.
	Resume uint64 `json:"resume"`
	// Changes counts the changes stamped again under the new site; Last
	// is the last log row rewritten (0: none).
	Changes int    `json:"changes"`
	Last    uint64 `json:"last_seq"`
	// Skipped says why nothing was stamped again ("" when the hub was
	// asked).
	Skipped string `json:"skipped,omitempty"`
	// Retried: an earlier run was interrupted after it may have stamped
	// changes again (which are then sent like these); Changes and Last
	// count only the last run's.
	Retried bool `json:"retried,omitempty"`
	// Sent says the hub acknowledged the changes stamped again (filled in
	// by ReadResent, not stored).
	Sent bool `json:"sent"`
}

// ReadResent reads what the re-send of a restored station did (nil: not
// done, or never restored).
func ReadResent(ctx context.Context, r *replica.Replica) (*Resent, error) {
	b, err := r.State(ctx, resentState)
	if err != nil || b == nil {
		return nil, err
	}
	var n Resent
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("read %s: %w", resentState, err)
	}
	acked, err := r.Cursor(ctx, upCursor)
	if err != nil {
		return nil, err
	}
	n.Sent = n.Skipped == "" && acked >= n.Last
	return &n, nil
}

// resendRestored runs before every session until the re-send is done: it
// returns nil when the session may go on (the re-send is done, or was never
// due), and an error, retried like any session's, otherwise (the hub out of
// reach: nothing happens until it is reachable).
func (c *Client) resendRestored(ctx context.Context) error {
	old := c.cfg.Restored
	if old == 0 || c.resent.Load() {
		return nil
	}
	if b, err := c.cfg.Replica.State(ctx, resentState); err != nil {
		return err
	} else if b != nil {
		c.resent.Store(true)
		return nil
	}
	if c.cfg.BackupSite != old {
		// Two restores before a sync (station/restore.go): the site left is
		// the one the hub enrolls, but the backup was written under
		// another, whose log the hub's cursor of the site left does not
		// describe. Stamping by it could send again what the hub holds, or
		// skip what it lacks.
		c.log.Warn("restored from a backup of another site than the one the hub enrolls: its unacknowledged changes are not sent again",
			"site_left", old, "backup_site", c.cfg.BackupSite)
		return c.markResent(ctx, Resent{Skipped: "the backup's site is not the site left"})
	}
	n, err := c.resendUnmarked(ctx)
	if err != nil {
		return err
	}
	return c.markResent(ctx, n)
}

// resendUnmarked does the re-send but for its marker: it notes the start
// (so that a run after a crash knows an earlier one may have stamped
// changes again), asks the hub for its cursor of the site left and stamps
// again what follows it.
func (c *Client) resendUnmarked(ctx context.Context) (Resent, error) {
	rep := c.cfg.Replica
	started, err := rep.State(ctx, resendStartedState)
	if err != nil {
		return Resent{}, err
	}
	resume, err := c.oldSiteResume(ctx)
	if errors.Is(err, errAlreadyMoved) {
		// The hub enrolls the new site already: a session under it ran.
		// Such a session runs only after the marker, which follows the
		// re-stamp, so nothing can be lost here: the database that
		// reached that session had stamped again and was sending what the
		// hub lacked. (A database restored by an earlier release, whose
		// session moved the station without a re-send, can no longer
		// learn the hub's cursor of the site left: its restore note tells
		// staff to check what was entered last.)
		c.log.Info("the hub moved this restored station to its new site already: nothing to send again")
		return Resent{Skipped: "the hub had moved the station already"}, nil
	}
	if err != nil {
		return Resent{}, err
	}
	if started == nil {
		if err := rep.SetState(ctx, resendStartedState, []byte("1")); err != nil {
			return Resent{}, err
		}
	}
	res, err := c.restampUnsent(ctx, resume)
	if err != nil {
		return Resent{}, err
	}
	return Resent{Resume: resume, Changes: res.Changes, Last: res.Last, Retried: started != nil}, nil
}

// pendingOfSiteLeft counts, until the re-send is done, the restored
// backup's changes the hub had not acknowledged when it was taken: until
// the hub says which it lacks, they are pending.
func (c *Client) pendingOfSiteLeft(ctx context.Context) (int, error) {
	old := c.cfg.Restored
	if old == 0 || c.cfg.BackupSite != old || c.resent.Load() {
		return 0, nil
	}
	if b, err := c.cfg.Replica.State(ctx, resentState); err != nil || b != nil {
		return 0, err
	}
	return c.cfg.Replica.CountSince(ctx, c.cfg.BackupAcked, old)
}

// restampUnsent stamps again, under the replica's (new) site, the changes
// of the site left after the hub's resume point and after the backup's own
// acknowledgement.
func (c *Client) restampUnsent(ctx context.Context, resume uint64) (replica.Restamped, error) {
	rep := c.cfg.Replica
	after := max(resume, c.cfg.BackupAcked)
	res, err := rep.Restamp(ctx, replica.RestampOptions{Site: c.cfg.Restored, After: after, NewSite: rep.Site()})
	if err != nil {
		return res, fmt.Errorf("stamp again the backup's changes the hub lacks: %w", err)
	}
	if res.Changes > 0 {
		c.log.Warn("restored from a backup: changes the hub never received stamped again under the new site, to be sent",
			"changes", res.Changes, "after", after, "first_seq", res.First, "last_seq", res.Last)
	} else {
		c.log.Info("restored from a backup: the hub holds every change of the backup", "after", after)
	}
	return res, nil
}

func (c *Client) markResent(ctx context.Context, n Resent) error {
	n.At = c.cfg.Now().UTC()
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	if err := c.cfg.Replica.SetState(ctx, resentState, b); err != nil {
		return fmt.Errorf("mark the backup's changes sent again: %w", err)
	}
	c.resent.Store(true)
	if err := c.cfg.Replica.SetState(ctx, resendStartedState, nil); err != nil {
		c.log.Warn("forget the start of the re-send", "err", err)
	}
	return nil
}

// errAlreadyMoved: the hub refuses the site left, and enrolls the new one.
var errAlreadyMoved = errors.New("the hub enrolls this station under its new site already")

// oldSiteResume asks the hub for its cursor of the site left: a handshake
// under that site, closed as soon as the Welcome arrives. When the hub
// refuses the site left, a second handshake under the new site, without
// the site left (so that it cannot move the station), tells whether the hub
// moved it already (errAlreadyMoved) or refuses the station (that refusal).
func (c *Client) oldSiteResume(ctx context.Context) (uint64, error) {
	rep := c.cfg.Replica
	w, err := c.handshakeOnly(ctx, c.cfg.Restored)
	if err == nil {
		return w.Resume, nil
	}
	if pe := (*syncproto.Error)(nil); !errors.As(err, &pe) || pe.Code != syncproto.ErrCodeAuth {
		return 0, err // out of reach, or refused for another cause: retried
	}
	if _, err2 := c.handshakeOnly(ctx, rep.Site()); err2 == nil {
		return 0, errAlreadyMoved
	}
	return 0, err
}

// handshakeOnly sends a Hello under site (without Restored) and returns
// the hub's Welcome, or its refusal; then it closes the connection, having
// sent nothing else.
func (c *Client) handshakeOnly(ctx context.Context, site replica.SiteID) (*syncproto.Welcome, error) {
	rep, e := c.cfg.Replica, c.cfg.Enrollment
	ws, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	k := syncproto.NewWebSocketConn(ws, c.codec, syncproto.ConnOptions{WriteTimeout: c.cfg.HandshakeTimeout})
	cursor, err := rep.Cursor(ctx, downCursor)
	if err != nil {
		return nil, err
	}
	limit := c.cfg.Limits.MaxFrame
	if limit <= 0 {
		limit = syncproto.DefaultMaxFrame
	}
	t0 := c.cfg.Now()
	hello := &syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: rep.Schema().Fingerprint(),
		Site: site, Station: e.StationID, Token: e.Token, Cursor: cursor,
		Now: hlc.New(rep.Clock().Wall().UnixMilli(), 0), MaxBatchLen: uint32(limit),
		Software: release.String()}
	if err := k.Send(hello); err != nil {
		return nil, err
	}
	k.SetReadDeadline(time.Now().Add(c.cfg.HandshakeTimeout))
	m, err := k.Receive()
	if err != nil {
		return nil, fromHub(err)
	}
	switch m := m.(type) {
	case *syncproto.Welcome:
		if err := syncproto.CheckVersion(m.Version); err != nil {
			return nil, syncproto.NewError(syncproto.ErrCodeProtocolVersion, "%v", err)
		}
		// The changes stamped again take their stamps from the clock this
		// PC (perhaps a new one) has once corrected by the hub's time.
		c.measureOffset(ctx, t0, m)
		// A normal closure: the hub ends the session as a station that
		// disconnected, which is no error.
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
			time.Now().Add(time.Second))
		return m, nil
	case *syncproto.Error:
		return nil, m
	default:
		return nil, fmt.Errorf("the hub sent %v instead of Welcome", m.Type())
	}
}
