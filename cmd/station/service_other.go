//go:build !windows

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// cmdService: the service is Windows's; on Linux a station runs under
// systemd or from a terminal with `station serve`.
func cmdService(_ context.Context, _ []string, _, stderr io.Writer) error {
	fmt.Fprint(stderr, serviceUsage)
	return errors.New("service: 只在 Windows 上可用 / Windows only (elsewhere run `station serve`)")
}
