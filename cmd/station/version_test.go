package main

import (
	"runtime"
	"strings"
	"testing"

	"fieldsync/release"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, _, err := runCmd(t.Context(), "", args...)
		if err != nil {
			t.Fatalf("station %s: %v", args[0], err)
		}
		for _, want := range []string{"station " + release.Version + "\n", "build:    " + release.BuildID() + "\n",
			"go:       " + runtime.Version() + "\n", "platform: " + runtime.GOOS + "/" + runtime.GOARCH + "\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("station %s printed %q, want a line %q", args[0], out, want)
			}
		}
	}
	if _, _, err := runCmd(t.Context(), "", "version", "extra"); err == nil {
		t.Fatal("station version extra succeeded")
	}
}
