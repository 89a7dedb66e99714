// Package release names this build of fieldsync: the release and build a
// station reports to the hub in its Hello, that the pages' footers show and
// that `hub version` and `station version` print.
package release

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"unicode/utf8"
)

// Version is the release. It changes with every release that is deployed;
// the schema version it carries is records.SchemaVersion.
const Version = "0.6.0"

// Build names the source this binary was built from. The Makefile sets it at
// link time to `git describe --tags --always --dirty`:
//
//	go build -ldflags "-X fieldsync/release.Build=$(git describe --tags --always --dirty)"
//
// Empty, BuildID falls back to the module's version control stamp.
var Build = ""

// maxSoftwareBytes bounds String: syncproto.MaxSoftwareBytes, the most the
// Hello's trailer carries (this package imports nothing of fieldsync).
const maxSoftwareBytes = 64

// buildID is BuildID, worked out once.
var buildID = sync.OnceValue(func() string {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(Build, bi)
})

// BuildID names the source of this binary: Build when the link set it,
// else the version control revision Go stamped into the binary (its first
// 12 hex digits, "-dirty" when the tree had uncommitted changes), else
// "dev" (go run, go test, a build outside a repository).
func BuildID() string { return buildID() }

func describeBuild(build string, bi *debug.BuildInfo) string {
	if build = strings.TrimSpace(build); build != "" {
		return build
	}
	if bi == nil {
		return "dev"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

var software = sync.OnceValue(func() string {
	return softwareLine(BuildID(), runtime.GOOS+"/"+runtime.GOARCH)
})

// softwareLine is "fieldsync VERSION (OS/ARCH, BUILD)", the build shortened
// so that the whole stays within maxSoftwareBytes and valid UTF-8.
func softwareLine(build, platform string) string {
	head := "fieldsync " + Version + " (" + platform
	if build == "" {
		return head + ")"
	}
	room := maxSoftwareBytes - len(head) - len(", )")
	if room <= 0 {
		return head + ")"
	}
	if len(build) > room {
		build = build[:room]
		for !utf8.ValidString(build) {
			build = build[:len(build)-1]
		}
	}
	return head + ", " + build + ")"
}

// String describes the build as the Hello's software trailer carries it and
// the hub's station page shows it: "fieldsync 0.6.0 (linux/amd64,
// v0.6.0-3-g6f5dfc0)", at most 64 bytes (syncproto.MaxSoftwareBytes). The
// hub stores the text as sent; hubs and stations of 0.6.0 read it the same.
func String() string { return software() }

// Short is what a page's footer shows: "fieldsync 0.6.0 · v0.6.0-3-g6f5dfc0".
func Short() string {
	if b := BuildID(); b != "" && b != "v"+Version {
		return "fieldsync " + Version + " · " + b
	}
	return "fieldsync " + Version
}

// Describe is what `hub version` and `station version` print: the program's
// release, its build, the Go release it was built with, and the platform.
func Describe(program string) string {
	return fmt.Sprintf("%s %s\nbuild:    %s\ngo:       %s\nplatform: %s/%s\n",
		program, Version, BuildID(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
