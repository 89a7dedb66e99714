//go:build !unix

package stationweb

import "errors"

// No file-size limit on this system: the disk-full test is skipped.
const fileSizeLimitWorks = false

func signalIgnoreXFSZ() {}

func limitFileSize(uint64) error { return errors.New("no file-size limit on this system") }
