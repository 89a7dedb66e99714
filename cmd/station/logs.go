package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"fieldsync/internal/logsetup"
)

// LogFile is the station's rotating log, in its data folder, which staff
// can send in: no personal data goes into it (names, id numbers and phones
// stay out of every log call; the access log names routes, not paths).
func logFile(dir string) string { return filepath.Join(dir, "logs", "station.log") }

// logFlags are station serve's log flags.
type logFlags struct {
	level, format *string
	verbose       *bool
}

func addLogFlags(fs *flag.FlagSet) *logFlags {
	return &logFlags{
		level:   fs.String("log-level", "info", "least important log messages written: "+logsetup.LevelHelp),
		format:  fs.String("log-format", "text", "log line format: "+logsetup.FormatHelp),
		verbose: fs.Bool("v", false, "log debug messages (the same as --log-level debug)"),
	}
}

// open makes the station's logger: to stderr and to DIR/logs/station.log
// (10 MB a file, 5 old files kept, compressed), which a Windows service,
// having no stderr, relies on. close closes the file.
func (f *logFlags) open(dir string, stderr io.Writer) (log *slog.Logger, close func(), err error) {
	level := *f.level
	if *f.verbose {
		level = "debug"
	}
	file, err := logsetup.OpenFile(logFile(dir))
	if err != nil {
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	log, err = logsetup.New(logsetup.Tee(file, stderr), logsetup.Options{Level: level, Format: *f.format})
	if err != nil {
		file.Close()
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	return log, func() { file.Close() }, nil
}
