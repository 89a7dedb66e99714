package main

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"

	"fieldsync/release"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out := runOK(t, args...)
		for _, want := range []string{"hub " + release.Version + "\n", "build:    " + release.BuildID() + "\n",
			"go:       " + runtime.Version() + "\n", "platform: " + runtime.GOOS + "/" + runtime.GOARCH + "\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("hub %s printed %q, want a line %q", args[0], out, want)
			}
		}
	}
	if err := run(context.Background(), []string{"version", "extra"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Fatal("hub version extra succeeded")
	}
}
