package replica

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"fieldsync/hlc"
)

// SiteID names a replica: a station or a hub. It is random, 63 bits (so that it
// stores as a positive SQLite integer and orders the same in SQL and in Go), and
// never zero.
type SiteID uint64

// NewSiteID makes a random site id.
func NewSiteID() (SiteID, error) {
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("new site id: %w", err)
		}
		s := SiteID(binary.BigEndian.Uint64(b[:]) >> 1)
		if s != 0 {
			return s, nil
		}
	}
}

func (s SiteID) String() string { return fmt.Sprintf("%016x", uint64(s)) }

// Version identifies one value of one column: the stamp of the change that wrote
// it and the site that made that change. Versions are totally ordered by (HLC,
// Site); the greatest version of a column is its last-writer-wins value.
type Version struct {
	HLC  hlc.Timestamp
	Site SiteID
}

// Less orders versions by stamp, then by site.
func (v Version) Less(o Version) bool {
	if v.HLC != o.HLC {
		return v.HLC < o.HLC
	}
	return v.Site < o.Site
}

// Compare returns -1, 0 or +1.
func (v Version) Compare(o Version) int {
	switch {
	case v.Less(o):
		return -1
	case o.Less(v):
		return 1
	}
	return 0
}

func (v Version) String() string { return fmt.Sprintf("%s@%s", v.HLC, v.Site) }
