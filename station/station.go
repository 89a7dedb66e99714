// Package station is the village service station's domain core: the record
// operations over the station's replica (register, update, month statuses,
// registrations, follow-ups, gigs and placements), each validated and
// written in one transaction, the views and pages its screens read, gig
// matching, the import of a workbook of workers, staff accounts, and the
// station directory (init, config). It follows the core-and-adapters shape
// (benbjohnson/wtf): no HTTP here; the pages and JSON API over it live in
// station/stationweb, the wiring in cmd/station.
package station

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/webkit"
)

// Kicker is what the station needs of the sync client (*syncclient.Client):
// a nudge when there is something new to send.
type Kicker interface {
	Kick()
}

// Options configure a Station.
type Options struct {
	Replica *replica.Replica
	Config  Config
	// Sync is told of every write; nil for a standalone station.
	Sync Kicker
	// Now is the station's clock (nil: the replica's corrected wall clock).
	Now func() time.Time
	// Zone is the time zone of every date the station shows and stamps
	// (default: Config.TimeZone, else Asia/Shanghai).
	Zone   *time.Location
	Logger *slog.Logger
}

// Station is the station's domain service over its replica.
type Station struct {
	r    *replica.Replica
	cfg  Config
	key  ident.Key
	sync Kicker
	base func() time.Time
	now  func() time.Time
	loc  *time.Location
	log  *slog.Logger
}

// New checks opts and builds the station.
func New(opts Options) (*Station, error) {
	if opts.Replica == nil {
		return nil, errors.New("station: no replica")
	}
	key, err := opts.Config.DeploymentKey()
	if err != nil {
		return nil, err
	}
	s := &Station{r: opts.Replica, cfg: opts.Config, key: key, sync: opts.Sync, log: opts.Logger}
	loc := opts.Zone
	if loc == nil {
		if loc, err = webkit.LoadZone(opts.Config.TimeZone); err != nil {
			return nil, fmt.Errorf("station config: %w", err)
		}
	}
	s.loc = loc
	s.base = opts.Now
	if s.base == nil {
		s.base = s.r.Clock().Wall
	}
	// Every date the station shows or records (today, this month, ages) is
	// read in its zone, not the PC's.
	s.now = func() time.Time { return s.base().In(loc) }
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.cfg.Older == (records.OlderThresholds{}) {
		s.cfg.Older = records.DefaultOlder
	}
	return s, nil
}

// Replica is the station's replica.
func (s *Station) Replica() *replica.Replica { return s.r }

// Config is the station's configuration (older-worker ages filled in).
func (s *Station) Config() Config { return s.cfg }

// Name is the station's name.
func (s *Station) Name() string { return s.cfg.Name }

// Zone is the time zone of the station's dates.
func (s *Station) Zone() *time.Location { return s.loc }

// Now is the station's time, in its zone.
func (s *Station) Now() time.Time { return s.now() }

// Clock is the station's clock as given (not moved into its zone).
func (s *Station) Clock() func() time.Time { return s.base }

// Today is the station's date (YYYY-MM-DD).
func (s *Station) Today() string { return s.now().Format(records.DateLayout) }

// Month is the station's month (YYYY-MM).
func (s *Station) Month() string { return s.now().Format(records.MonthLayout) }
