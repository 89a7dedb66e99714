package station

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"fieldsync/ident"
	"fieldsync/privfile"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncproto"
	"fieldsync/webkit"
)

// File names inside a station directory.
const (
	ConfigFile = "station.json"
	DBFile     = "station.db"
	UsersFile  = "users.json"
	// The station's own TLS certificate and key, served beyond loopback.
	CertFile = "tls.crt"
	KeyFile  = "tls.key"
)

// Config is what DIR/station.json holds.
type Config struct {
	Name string `json:"name"`
	// Site is the replica's site id in hex.
	Site string `json:"site"`
	// Key is the deployment key in hex (derives worker ids).
	Key string `json:"key"`
	// Enrollment is the code the hub issued ("" for a standalone station).
	Enrollment string `json:"enrollment,omitempty"`
	// Older sets the ages from which a person counts as an older worker (大龄).
	Older records.OlderThresholds `json:"older"`
	// Addr is the default listen address of `station serve`.
	Addr string `json:"addr"`
	// Hosts are the host names a station on the LAN answers to besides its
	// IP address (a DNS name staff type in the browser).
	Hosts []string `json:"hosts,omitempty"`
	// TimeZone is the IANA zone of the dates the station shows and records
	// ("": Asia/Shanghai).
	TimeZone string `json:"time_zone,omitempty"`
	// Admins are the staff accounts that may also act on the station's
	// data as a whole (back it up); on loopback, where nobody logs in,
	// whoever sits at the PC may.
	Admins []string `json:"admins,omitempty"`
}

// IsAdmin says whether the staff account user is one of Admins.
func (c Config) IsAdmin(user string) bool {
	return user != "" && slices.Contains(c.Admins, user)
}

// DefaultAddr is where a station listens unless told otherwise: loopback only.
const DefaultAddr = "127.0.0.1:8080"

// ErrNoConfig is returned by LoadConfig for a directory that was never initialised.
var ErrNoConfig = errors.New("station directory not initialised (run `station init`)")

// LoadConfig reads DIR/station.json.
func LoadConfig(dir string) (Config, error) {
	var c Config
	b, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, os.ErrNotExist) {
		return c, fmt.Errorf("%s: %w", dir, ErrNoConfig)
	}
	if err != nil {
		return c, fmt.Errorf("read station config: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("read station config %s: %w", filepath.Join(dir, ConfigFile), err)
	}
	if _, err := c.DeploymentKey(); err != nil {
		return c, err
	}
	if _, err := c.SiteID(); err != nil {
		return c, err
	}
	if _, err := webkit.LoadZone(c.TimeZone); err != nil {
		return c, fmt.Errorf("read station config: %w", err)
	}
	return c, nil
}

// SaveConfig writes DIR/station.json (mode 0600: it holds the deployment key
// and the sync token), replacing it atomically.
func SaveConfig(dir string, c Config) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode station config: %w", err)
	}
	return privfile.WriteFile(filepath.Join(dir, ConfigFile), append(b, '\n'))
}

// DeploymentKey decodes Key.
func (c Config) DeploymentKey() (ident.Key, error) {
	k, err := hex.DecodeString(c.Key)
	if err != nil || len(k) < 16 {
		return nil, fmt.Errorf("station config: bad deployment key")
	}
	return ident.Key(k), nil
}

// SiteID decodes Site.
func (c Config) SiteID() (replica.SiteID, error) {
	var s uint64
	if _, err := fmt.Sscanf(c.Site, "%x", &s); err != nil || s == 0 {
		return 0, fmt.Errorf("station config: bad site id %q", c.Site)
	}
	return replica.SiteID(s), nil
}

// SaveHubPins keeps the pins of the hub's keys the sync client holds
// (syncclient.Config.SavePins) in station.json's enrollment, so that a
// restart, or a restore of an older database, still trusts the key the
// hub published ahead of its switch. The rest of the file is unchanged.
func SaveHubPins(dir string, pins []string) error {
	c, err := LoadConfig(dir)
	if err != nil {
		return err
	}
	if c.Enrollment == "" {
		return errors.New("save the hub's pins: the station is not enrolled")
	}
	e, err := syncproto.ParseEnrollment(c.Enrollment)
	if err != nil {
		return fmt.Errorf("save the hub's pins: enrollment in station.json: %w", err)
	}
	e.Pins = slices.Clone(pins)
	c.Enrollment = e.String()
	if _, err := syncproto.ParseEnrollment(c.Enrollment); err != nil {
		return fmt.Errorf("save the hub's pins: %w", err)
	}
	return SaveConfig(dir, c)
}
