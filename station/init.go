package station

import (
	"context"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/privfile"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/selfsigned"
	"fieldsync/syncproto"
	"fieldsync/webkit"
)

// ErrInitialised is returned when initialising a directory that already holds a station.
var ErrInitialised = errors.New("station directory already initialised")

// InitStandalone makes a station with no hub yet: it generates its own
// deployment key and site id.
func InitStandalone(ctx context.Context, dir, name string) (Config, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Config{}, errors.New("init station: a name is required")
	}
	key, err := ident.NewKey()
	if err != nil {
		return Config{}, err
	}
	site, err := replica.NewSiteID()
	if err != nil {
		return Config{}, fmt.Errorf("init station: %w", err)
	}
	c := Config{Name: name, Site: site.String(), Key: hex.EncodeToString(key),
		Older: records.DefaultOlder, Addr: DefaultAddr}
	return c, InitDir(ctx, dir, c)
}

// InitEnrolled makes a station from the enrollment code the hub issued.
func InitEnrolled(ctx context.Context, dir, code string) (Config, error) {
	e, err := syncproto.ParseEnrollment(strings.TrimSpace(code))
	if err != nil {
		return Config{}, fmt.Errorf("init station: %w", err)
	}
	if e.Site == 0 || len(e.Key) == 0 || e.StationID == "" {
		return Config{}, errors.New("init station: enrollment code lacks site, key or station id")
	}
	c := Config{Name: e.StationID, Site: e.Site.String(), Key: hex.EncodeToString(e.Key),
		Enrollment: strings.TrimSpace(code), Older: records.DefaultOlder, Addr: DefaultAddr}
	return c, InitDir(ctx, dir, c)
}

// InitDir makes a station directory for a given configuration: a private
// directory, the database, the certificate, then station.json.
func InitDir(ctx context.Context, dir string, c Config) error {
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return fmt.Errorf("init station %s: %w", dir, ErrInitialised)
	}
	if err := privfile.Mkdir(dir); err != nil {
		return fmt.Errorf("init station: %w", err)
	}
	r, err := OpenReplica(ctx, dir, c, nil)
	if err != nil {
		return err
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("init station: %w", err)
	}
	if _, err := Certificate(dir, time.Now()); err != nil {
		return fmt.Errorf("init station: %w", err)
	}
	return SaveConfig(dir, c)
}

// Certificate is the station's own TLS certificate, served when it listens
// beyond loopback: made by init (or the first serve of a station made
// before), kept in DIR, self-signed; staff compare its fingerprint
// (webkit.CertFingerprint) with the one init printed.
func Certificate(dir string, now time.Time) (tls.Certificate, error) {
	return selfsigned.Cert(filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile), "fieldsync station",
		webkit.LocalNames(), now)
}

// OpenReplica opens DIR/station.db with the records schema, the station's
// site id and deployment key.
func OpenReplica(ctx context.Context, dir string, c Config, log *slog.Logger) (*replica.Replica, error) {
	return OpenReplicaClock(ctx, dir, c, log, nil)
}

// OpenReplicaClock is OpenReplica with the replica's clock reading now (nil:
// the wall clock); the fault simulator skews it.
func OpenReplicaClock(ctx context.Context, dir string, c Config, log *slog.Logger, now func() time.Time) (*replica.Replica, error) {
	schema, err := records.NewSchema()
	if err != nil {
		return nil, err
	}
	key, err := c.DeploymentKey()
	if err != nil {
		return nil, err
	}
	site, err := c.SiteID()
	if err != nil {
		return nil, err
	}
	// The directory holds personal data: private whether or not it existed.
	if err := privfile.Mkdir(dir); err != nil {
		return nil, fmt.Errorf("open station: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	r, err := replica.Open(ctx, path, replica.Options{
		Schema: schema, Site: site, Key: key, Clock: hlc.NewClock(now), Logger: log,
		Indexes: records.StationIndexes(), Ladder: Ladder(),
	})
	if err != nil {
		return nil, err
	}
	if err := privfile.ChmodDB(path); err != nil {
		r.Close()
		return nil, fmt.Errorf("open station: %w", err)
	}
	return r, nil
}
