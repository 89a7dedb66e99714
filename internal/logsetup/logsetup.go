// Package logsetup builds the programs' slog.Logger from their --log-level
// and --log-format flags, and the station's rotating log file, which staff
// can send in (a Windows service has no stderr). It follows the litestream
// habit: one logger made in main and handed down, never a global one.
package logsetup

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/natefinch/lumberjack.v2"
)

// Levels and formats the flags take.
const (
	LevelHelp  = "debug, info, warn or error"
	FormatHelp = "text or json"
)

// Options say what a logger writes.
type Options struct {
	// Level is debug, info, warn or error ("" is info).
	Level string
	// Format is text or json ("" is text).
	Format string
}

// ParseLevel is the slog level a --log-level value names.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("--log-level %q: want %s", s, LevelHelp)
}

// New is a logger writing o's format at o's level to w.
func New(w io.Writer, o Options) (*slog.Logger, error) {
	level, err := ParseLevel(o.Level)
	if err != nil {
		return nil, err
	}
	ho := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(strings.TrimSpace(o.Format)) {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, ho)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, ho)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want %s", o.Format, FormatHelp)
}

// The station's log file: DIR/logs/station.log, rotated at FileMaxMB, the
// FileBackups newest old files kept, compressed.
const (
	FileMaxMB   = 10
	FileBackups = 5
)

// File is a rotating log file (lumberjack): written as the logger writes,
// rotated when it reaches FileMaxMB, keeping FileBackups compressed old
// files beside it. Close it when the program ends.
type File struct{ lj *lumberjack.Logger }

// OpenFile opens (making its folder, 0700) the rotating log file at path.
func OpenFile(path string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	lj := &lumberjack.Logger{Filename: path, MaxSize: FileMaxMB, MaxBackups: FileBackups, Compress: true}
	// Open now, so that a folder that cannot be written is an error at
	// start, not a silent loss later.
	if _, err := lj.Write(nil); err != nil {
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	return &File{lj: lj}, nil
}

func (f *File) Write(p []byte) (int, error) { return f.lj.Write(p) }

// Close closes the file.
func (f *File) Close() error { return f.lj.Close() }

// Tee writes to every writer: an error of one (a Windows service's stderr
// is no console) does not keep the line from the others. It fails only
// when every writer failed.
func Tee(ws ...io.Writer) io.Writer { return tee(ws) }

type tee []io.Writer

func (t tee) Write(p []byte) (int, error) {
	var errs []error
	for _, w := range t {
		if _, err := w.Write(p); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == len(t) && len(t) > 0 {
		return 0, errors.Join(errs...)
	}
	return len(p), nil
}
