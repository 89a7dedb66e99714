package station

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"fieldsync/replica"
	"fieldsync/syncproto"
)

// SetHub gives an enrolled station a new enrollment line from its hub,
// moved or renamed (new address), with a new key (new pins) or a new
// token (`hub station code`): only station.json's enrollment changes. The
// station's database, site, cursors and unsent changes stay as they are.
// The line must be for this station of this deployment, under the site its
// database has (or, after a restore the hub has not seen yet, the site it
// left). It refuses while `station serve` runs on dir (LockDir).
func SetHub(ctx context.Context, dir, code string) (Config, error) {
	unlock, err := LockDir(dir)
	if err != nil {
		return Config{}, fmt.Errorf("set-hub: %w", err)
	}
	defer unlock()
	cfg, err := LoadConfig(dir)
	if err != nil {
		return cfg, fmt.Errorf("set-hub: %w", err)
	}
	if cfg.Enrollment == "" {
		return cfg, errors.New("set-hub: this station was set up standalone, without a hub / 本站为单机模式，未接入县级平台")
	}
	e, err := syncproto.ParseEnrollment(strings.TrimSpace(code))
	if err != nil {
		return cfg, fmt.Errorf("set-hub: %w / 接入码无法识别", err)
	}
	if hex.EncodeToString(e.Key) != strings.ToLower(cfg.Key) {
		return cfg, errors.New("set-hub: the enrollment line is for another deployment (its deployment key differs from this station's) " +
			"/ 该接入码属于另一个部署（部署密钥不同），不能用于本站")
	}
	if e.StationID != cfg.Name {
		return cfg, fmt.Errorf("set-hub: the enrollment line is for station %q, this is station %q / 该接入码属于服务站“%s”，本站是“%s”",
			e.StationID, cfg.Name, e.StationID, cfg.Name)
	}
	site, err := cfg.SiteID()
	if err != nil {
		return cfg, err
	}
	if e.Site != site {
		left, err := siteLeft(ctx, dir, cfg)
		if err != nil {
			return cfg, fmt.Errorf("set-hub: %w", err)
		}
		if left == 0 || e.Site != left {
			return cfg, fmt.Errorf("set-hub: the enrollment line names site %s but this station's database is site %s: "+
				"a line of `hub station add --reenroll` is for a station that lost its data; "+
				"for a station keeping its data ask the county for `hub station code --name %s` "+
				"/ 接入码的站点号与本站数据不符：请县里用 hub station code 为本站重新生成接入码", e.Site, site, cfg.Name)
		}
	}
	// The station's own site: after a restore the hub moves the
	// enrollment to it at the first session (the Hello names the site left).
	e.Site = site
	cfg.Enrollment = e.String()
	if err := SaveConfig(dir, cfg); err != nil {
		return cfg, fmt.Errorf("set-hub: %w", err)
	}
	return cfg, nil
}

// siteLeft is the site a station restored from a backup left, while the
// hub has not moved it yet (0 otherwise).
func siteLeft(ctx context.Context, dir string, cfg Config) (replica.SiteID, error) {
	r, err := OpenReplica(ctx, dir, cfg, nil)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n, err := RestoredNote(ctx, r)
	if err != nil || n == nil {
		return 0, err
	}
	return n.FromSite(), nil
}
