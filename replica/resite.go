package replica

import (
	"context"
	"fmt"
)

// MoveSite gives the replica a new site id, for a database restored from a
// backup: the sequence numbers and versions its old site handed out after
// the backup exist elsewhere, so none of its new changes may carry that
// site again. Changes already made keep the site that made them. Call it
// before the replica is shared: Site is read without a lock.
func (r *Replica) MoveSite(ctx context.Context, site SiteID) (old SiteID, err error) {
	if site == 0 {
		return 0, fmt.Errorf("move site: %w: site 0", ErrBadValue)
	}
	r.wmu.Lock()
	defer r.wmu.Unlock()
	if _, err := r.db.ExecContext(ctx, `UPDATE fs_state SET value = ? WHERE key = 'site'`, int64(site)); err != nil {
		return 0, fmt.Errorf("move site: %w", err)
	}
	old, r.site = r.site, site
	return old, nil
}
