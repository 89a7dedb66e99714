package station

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/replica"
)

var testNow = time.Date(2026, 11, 15, 9, 30, 0, 0, time.UTC)

// idNumber makes a valid id number born on birth (YYYYMMDD); seq's last digit
// decides the sex (odd: male).
func idNumber(birth string, seq int) string {
	first17 := fmt.Sprintf("150421%s%03d", birth, seq%1000)
	return first17 + string(ident.CheckDigit(first17))
}

type fixture struct {
	t   testing.TB
	dir string
	cfg Config
	r   *replica.Replica
	st  *Station
}

// newFixture makes a standalone station in a temp directory with a real
// SQLite replica.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	cfg, err := InitStandalone(context.Background(), dir, "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	return openFixture(t, dir, cfg)
}

func openFixture(t testing.TB, dir string, cfg Config) *fixture {
	t.Helper()
	r, err := OpenReplica(context.Background(), dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	st, err := New(Options{Replica: r, Config: cfg, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, dir: dir, cfg: cfg, r: r, st: st}
}

// peer makes a second station of the same deployment (same key, its own site).
func (f *fixture) peer(name string) *fixture {
	f.t.Helper()
	site, err := replica.NewSiteID()
	if err != nil {
		f.t.Fatal(err)
	}
	cfg := f.cfg
	cfg.Name, cfg.Site = name, site.String()
	dir := f.t.TempDir()
	if err := InitDir(context.Background(), dir, cfg); err != nil {
		f.t.Fatal(err)
	}
	return openFixture(f.t, dir, cfg)
}
