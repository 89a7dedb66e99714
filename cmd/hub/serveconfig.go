package main

// The settings of `hub serve`: every flag may also be set in the "serve"
// section of hub.json, keyed by the flag's name:
//
//	{"serve": {"addr": ":8443", "tls-self-signed": true,
//	           "backup-dir": "/var/backups/fieldsync-hub", "max-skew": "5m",
//	           "host": ["hub.example.gov.cn"]}}
//
// A flag given on the command line wins over hub.json; hub.json wins over
// the flag's default. Any flag added to `hub serve` is settable there with
// no more code: the section is applied with flag.FlagSet.Set. Paths are best
// absolute (a service runs in "/"). The zone is no serve setting: hub.json's
// own "zone" is every hub command's.

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/hub/hubsync"
)

// Where the value of a serve setting comes from.
const (
	fromDefault  = "default"
	fromHubJSON  = "hub.json"
	fromFlag     = "flag"
	checkFlag    = "check" // `hub serve --check`: print the settings and exit
	dirFlag      = "dir"
	zoneFlag     = "zone" // hub.json has its own "zone", read by every command
	serveSection = "serve"
)

// serveTuning holds the flags of `hub serve` that tune the hub
// (hub.Options) and its sync server (hubsync.Options). Their defaults are
// the ones the hub and the server take for a zero value.
type serveTuning struct {
	maxSkew, handshakeTimeout, idleTimeout, writeTimeout, poll time.Duration
	window                                                     int
	synchronous                                                string
	adminIdle, tokenTTL, lockFor                               time.Duration
	lockAfter, remoteLockAfter, joinsPerDay                    int
	maxHandshakes, maxHandshakesPerAddr                        int
	maxDecodedBytes, maxDecodedPerSession                      int64
}

// Defaults of the tuning flags that the hub and hubsync packages keep as
// literals (hub.Open, hubsync.Options.withDefaults); the test
// TestTuningDefaultsAreTheHubs checks those of hub.Open.
const (
	defaultMaxSkew          = 5 * time.Minute
	defaultHandshakeTimeout = 10 * time.Second
	defaultIdleTimeout      = 2 * time.Minute
	defaultWriteTimeout     = 2 * time.Minute
	defaultWindow           = 4
	defaultPoll             = 10 * time.Second
	defaultMaxHandshakes    = 128
	defaultHandshakesPer    = 16
	// minIdleTimeout: stations ping an idle session every 30 s; a shorter
	// idle timeout would cut every idle station.
	minIdleTimeout = time.Minute
)

// addTuningFlags defines the tuning flags on fs.
func addTuningFlags(fs *flag.FlagSet) *serveTuning {
	t := &serveTuning{}
	dur := func(p *time.Duration, name string, def, least time.Duration, usage string) {
		*p = def
		fs.Var(&durationFlag{p: p, least: least}, name, usage+" (a `duration`: 90s, 5m, 12h)")
	}
	num := func(p *int, name string, def, least int, usage string) {
		*p = def
		fs.Var(&intFlag{p: p, least: least}, name, usage+" (a `number`)")
	}
	dur(&t.maxSkew, "max-skew", defaultMaxSkew, time.Second, "how far ahead of the hub's clock a station's stamps may be")
	dur(&t.handshakeTimeout, "handshake-timeout", defaultHandshakeTimeout, time.Second, "bound of a station's HTTP request and Hello")
	dur(&t.idleTimeout, "idle-timeout", defaultIdleTimeout, minIdleTimeout, "end a sync session that sent nothing for so long (stations ping every 30s)")
	dur(&t.writeTimeout, "write-timeout", defaultWriteTimeout, time.Second, "bound of one frame's write to a station (slow links need minutes)")
	num(&t.window, "window", defaultWindow, 1, "batches a sync session keeps in flight")
	dur(&t.poll, "poll", defaultPoll, 100*time.Millisecond, "how often a session looks for work nobody woke it for, and checks its station was not revoked")
	t.synchronous = "FULL"
	fs.Var(synchronousFlag{&t.synchronous}, "synchronous", "SQLite `synchronous` setting of the hub database: FULL (a commit survives a power cut) or NORMAL (survives a crash of the hub; a power cut may lose the last commits)")
	dur(&t.adminIdle, "admin-idle", access.DefaultAdminIdle, time.Minute, "end an administrator's web session unused for so long")
	dur(&t.tokenTTL, "token-ttl", access.DefaultTokenTTL, time.Minute, "lifetime of an API bearer token")
	num(&t.lockAfter, "lock-after", access.DefaultLockAfter, 1, "failed logins for one user name that lock the name out")
	num(&t.remoteLockAfter, "remote-lock-after", access.DefaultRemoteLockAfter, 1, "failed logins from one address that lock the address out")
	dur(&t.lockFor, "lock-for", access.DefaultLockFor, time.Second, "longest lock-out (the first lasts a minute, doubling with each further failure)")
	num(&t.joinsPerDay, "joins-per-day", hub.DefaultJoinsPerDay, 1, "people held by other stations a station may register a day before the county approves each")
	num(&t.maxHandshakes, "max-handshakes", defaultMaxHandshakes, 1, "station handshakes in flight at once (the rest are told to retry)")
	num(&t.maxHandshakesPerAddr, "max-handshakes-per-addr", defaultHandshakesPer, 1, "station handshakes in flight from one address")
	t.maxDecodedBytes = hubsync.DefaultMaxDecodedBytes
	fs.Var(&bytesFlag{p: &t.maxDecodedBytes, least: 1 << 20}, "max-decoded-bytes", "memory the station batches of all sessions may hold from decoding to commit (a `size` in bytes, or with KiB, MiB, GiB)")
	fs.Var(&bytesFlag{p: &t.maxDecodedPerSession}, "max-decoded-per-session", "the most one session may hold of --max-decoded-bytes (a `size`; 0: a quarter of it)")
	return t
}

// hubOptions returns base with the tuning flags' values.
func (t *serveTuning) hubOptions(base hub.Options) hub.Options {
	base.MaxSkew = t.maxSkew
	base.HandshakeTimeout = t.handshakeTimeout
	base.IdleTimeout = t.idleTimeout
	base.WriteTimeout = t.writeTimeout
	base.Window = t.window
	base.Poll = t.poll
	base.Synchronous = t.synchronous
	base.AdminIdle = t.adminIdle
	base.TokenTTL = t.tokenTTL
	base.LockAfter = t.lockAfter
	base.RemoteLockAfter = t.remoteLockAfter
	base.LockFor = t.lockFor
	base.JoinsPerDay = t.joinsPerDay
	return base
}

// syncOptions returns base with the tuning flags' values.
func (t *serveTuning) syncOptions(base hubsync.Options) hubsync.Options {
	base.MaxHandshakes = t.maxHandshakes
	base.MaxHandshakesPerAddr = t.maxHandshakesPerAddr
	base.MaxDecodedBytes = t.maxDecodedBytes
	base.MaxDecodedPerSession = t.maxDecodedPerSession
	return base
}

// applyServeConfig sets every flag of fs that the command line did not set
// from the "serve" section of dir's hub.json, and returns where each flag's
// value comes from (fromDefault, fromHubJSON, fromFlag).
func applyServeConfig(fs *flag.FlagSet, dir string) (map[string]string, error) {
	section, path, err := hub.ServeSection(dir)
	if err != nil {
		return nil, err
	}
	return applyServeSection(fs, section, path)
}

// applyServeSection is applyServeConfig for a section read from the file
// named path.
func applyServeSection(fs *flag.FlagSet, section json.RawMessage, path string) (map[string]string, error) {
	sources := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { sources[f.Name] = fromDefault })
	fs.Visit(func(f *flag.Flag) { sources[f.Name] = fromFlag })
	section = bytes.TrimSpace(section)
	if len(section) == 0 || bytes.Equal(section, []byte("null")) {
		return sources, nil
	}
	var keys []string
	settings := map[string]json.RawMessage{}
	dec := json.NewDecoder(bytes.NewReader(section))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%s: %q: want an object of hub serve flag names and values", path, serveSection)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", path, serveSection, err)
		}
		key := tok.(string) // object keys are strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %q: %q: %w", path, serveSection, key, err)
		}
		if _, dup := settings[key]; dup {
			return nil, fmt.Errorf("%s: %q: %q is given twice", path, serveSection, key)
		}
		settings[key] = v
		keys = append(keys, key)
	}
	for _, key := range keys {
		bad := func(format string, a ...any) error {
			return fmt.Errorf("%s: %q: %q: %s", path, serveSection, key, fmt.Sprintf(format, a...))
		}
		f := fs.Lookup(key)
		switch {
		case key == dirFlag || key == checkFlag:
			return nil, bad("not a setting of hub.json (give --%s on the command line)", key)
		case key == zoneFlag:
			// Reports and every other hub command count days in it too.
			return nil, bad(`set the zone as hub.json's own "zone", beside "name" and "url": every hub command uses that one`)
		case f == nil:
			return nil, bad("unknown setting: hub serve has no --%s flag (see hub serve --help)", key)
		}
		values, err := flagValues(settings[key])
		if err != nil {
			return nil, bad("%v", err)
		}
		if sources[key] == fromFlag {
			continue // the command line wins
		}
		for _, v := range values {
			if err := fs.Set(key, v); err != nil {
				return nil, bad("invalid value %q: %v", v, err)
			}
		}
		sources[key] = fromHubJSON
	}
	return sources, nil
}

// flagValues turns a hub.json value into what flag.FlagSet.Set takes: a
// string as is, a number as written, true or false, or a list of those for
// a repeatable flag (each Set in turn).
func flagValues(raw json.RawMessage) ([]string, error) {
	scalar := func(raw json.RawMessage) (string, error) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return "", err
		}
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
		return "", errors.New("want a string, a number, true or false, or a list of them")
	}
	if raw = bytes.TrimSpace(raw); len(raw) > 0 && raw[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, err
		}
		out := make([]string, 0, len(list))
		for _, item := range list {
			s, err := scalar(item)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := scalar(raw)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// printServeSettings writes the effective settings of `hub serve`: each
// flag, its value and where the value comes from.
func printServeSettings(w io.Writer, fs *flag.FlagSet, sources map[string]string) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE")
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == checkFlag {
			return
		}
		v := f.Value.String()
		if v == "" {
			v = `""`
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Name, v, sources[f.Name])
	})
	return tw.Flush()
}

// durationFlag is a duration flag of at least least.
type durationFlag struct {
	p     *time.Duration
	least time.Duration
}

func (d *durationFlag) String() string {
	if d.p == nil {
		return ""
	}
	return d.p.String()
}

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return errors.New("want a duration such as 90s, 5m or 12h")
	}
	if v < d.least {
		return fmt.Errorf("must be at least %s", d.least)
	}
	*d.p = v
	return nil
}

// synchronousFlag is SQLite's synchronous setting: FULL or NORMAL.
type synchronousFlag struct{ p *string }

func (f synchronousFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f synchronousFlag) Set(s string) error {
	switch u := strings.ToUpper(strings.TrimSpace(s)); u {
	case "FULL", "NORMAL":
		*f.p = u
		return nil
	}
	return errors.New("want FULL or NORMAL")
}

// intFlag is an integer flag of at least least.
type intFlag struct {
	p     *int
	least int
}

func (n *intFlag) String() string {
	if n.p == nil {
		return ""
	}
	return strconv.Itoa(*n.p)
}

func (n *intFlag) Set(s string) error {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("want a whole number")
	}
	if v < n.least {
		return fmt.Errorf("must be at least %d", n.least)
	}
	*n.p = v
	return nil
}

// bytesFlag is a size in bytes of at least least: a whole number, or one
// followed by KiB, MiB or GiB.
type bytesFlag struct {
	p     *int64
	least int64
}

var byteUnits = []struct {
	suffix string
	n      int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}

func (b *bytesFlag) String() string {
	if b.p == nil {
		return ""
	}
	for _, u := range byteUnits {
		if *b.p != 0 && *b.p%u.n == 0 {
			return strconv.FormatInt(*b.p/u.n, 10) + u.suffix
		}
	}
	return strconv.FormatInt(*b.p, 10)
}

func (b *bytesFlag) Set(s string) error {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range byteUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(num), u.n
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || v > (1<<62)/mult {
		return errors.New("want a size in bytes, such as 268435456 or 256MiB")
	}
	if v*mult < b.least {
		return fmt.Errorf("must be at least %d bytes", b.least)
	}
	*b.p = v * mult
	return nil
}
