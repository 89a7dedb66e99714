package main

import (
	"fmt"
	"io"

	"fieldsync/release"
)

// cmdVersion prints the hub's release, build, Go release and platform
// (`hub version`, `hub --version`).
func cmdVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("version takes no arguments, got %q", args[0])
	}
	fmt.Fprint(stdout, release.Describe("hub"))
	return nil
}
