// Package release names this build of fieldsync: the version a station
// reports to the hub in its Hello and that --version prints.
package release

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// Version is the release. It changes with every release that is deployed;
// the schema version it carries is records.SchemaVersion.
const Version = "0.6.0"

// Build is set at link time (-X fieldsync/release.Build=$(git describe)).
var Build = ""

var describe = sync.OnceValue(func() string {
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				rev = s.Value[:7]
			}
		}
	}
	s := "fieldsync " + Version + " (" + runtime.GOOS + "/" + runtime.GOARCH
	if rev != "" {
		s += ", " + rev
	}
	return s + ")"
})

// String describes the build: "fieldsync 0.6.0 (linux/amd64, 92c2607)",
// at most 64 bytes (syncproto.MaxSoftwareBytes).
func String() string { return describe() }
