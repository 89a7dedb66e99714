package report

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// Cache keeps recent months' figures while the data behind them is
// unchanged, so that a dashboard viewed again (or by several people) costs
// nothing. The caller passes the replica's version: its change-log sequence
// (replica.MaxSeq), which every local write and every applied change
// advances. Station health is what the caller passes each time and is never
// cached. The zero Cache is not usable; make one with NewCache.
type Cache struct {
	size    int
	live    *Live // see SetLive
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
	order   []cacheKey // least recently used first
}

type cacheKey struct {
	month string
	opts  string
}

type cacheEntry struct {
	mu      sync.Mutex // held while computing, so one request computes
	version uint64
	fig     *Figures
}

// NewCache keeps the figures of up to size month/option combinations.
func NewCache(size int) *Cache {
	return &Cache{size: max(size, 1), entries: map[cacheKey]*cacheEntry{}}
}

// SetLive makes the cache compute from l (as Options.Live) whenever the
// caller's options name no Live. Call it before the cache is used.
func (c *Cache) SetLive(l *Live) { c.live = l }

// Live is the Live set by SetLive, or nil.
func (c *Cache) Live() *Live { return c.live }

// Dashboard returns the figures of month as Dashboard does, computing them
// only when version differs from the one they were computed at. Callers must
// not modify the returned Figures.
func (c *Cache) Dashboard(ctx context.Context, db *sql.DB, version uint64, month string, stations []StationHealth, opt Options) (*Figures, error) {
	opt = opt.withDefaults()
	if opt.Live == nil {
		opt.Live = c.live
	}
	_, off := time.Unix(0, 0).In(opt.Location).Zone()
	key := cacheKey{month: month, opts: fmt.Sprint(opt.Older, opt.IncomeBands, off)}
	e := c.entry(key)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fig == nil || e.version != version {
		figOpt := opt
		figOpt.OpenConflicts = nil // station figures are made below, each time
		fig, err := Dashboard(ctx, db, month, nil, figOpt)
		if err != nil {
			return nil, err
		}
		e.fig, e.version = fig, version
	}
	stations, err := withConflicts(ctx, stations, opt)
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", month, err)
	}
	out := *e.fig
	out.GeneratedAt = e.fig.GeneratedAt
	out.Stations = buildStations(stations, opt)
	return &out, nil
}

func (c *Cache) entry(k cacheKey) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, o := range c.order {
		if o == k {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	c.order = append(c.order, k)
	e := c.entries[k]
	if e == nil {
		e = &cacheEntry{}
		c.entries[k] = e
	}
	for len(c.order) > c.size {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	return e
}
